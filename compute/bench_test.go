package compute

import (
	"runtime"
	"testing"
)

// BenchmarkScoreCourse scores one course with full traces (every score in
// this package carries its trace; there is no faster path without them).
func BenchmarkScoreCourse(b *testing.B) {
	sc := scorer(b, Options{})
	c := atThreshold()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if res := sc.Score(c); res.Total == nil {
			b.Fatal("not scored")
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/course")
}

// BenchmarkScore100kCourses scores 100,000 different courses per iteration,
// as a regional batch would, and reports the cost per course.
func BenchmarkScore100kCourses(b *testing.B) {
	const n = 100_000
	sc := scorer(b, Options{})
	p := sc.Pack()
	courses := make([]Course, n)
	for i := range courses {
		c := atThreshold()
		c.Code = itoa(i)
		c.Area = p.Areas.Rows[i%len(p.Areas.Rows)].Name
		c.Values["partecipanti_selezione"] = float64(20 + i%31)
		c.Values["iscritti"] = float64(25 + i%20)
		c.Values["ore_stage"] = float64(500 + i%500)
		c.Values["soddisfazione"] = float64(i%11) * 0.9
		courses[i] = c
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	for b.Loop() {
		for i := range courses {
			if res := sc.Score(courses[i]); res.Total == nil {
				b.Fatalf("course %d not scored: %+v", i, res.Problems)
			}
		}
	}
	b.StopTimer()
	runtime.ReadMemStats(&after)
	courses100k := float64(b.N * n)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/courses100k, "ns/course")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/courses100k, "allocs/course")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/courses100k, "B/course")
	b.ReportMetric(0, "ns/op") // one op is 100,000 courses; read ns/course
}
