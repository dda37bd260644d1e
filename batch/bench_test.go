package batch_test

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/its-academy/auditor/batch"
	"github.com/its-academy/auditor/pipeline"
)

// BenchmarkBatch100 audits 100 generated workbooks of 15 courses each (50
// foundations over two years, some courses below 50, one unscored course
// each) and builds the summary, at jobs 1 and at runtime.NumCPU(), in the
// same iteration. It reports both wall times, the speed-up and the time
// per workbook at NumCPU; ns/op is the sum of both runs.
func BenchmarkBatch100(b *testing.B) {
	inputs := make([]batch.Input, 0, 100)
	for i := 0; i < 100; i++ {
		code := fmt.Sprintf("ITS-%02d", i/2)
		year := 2025 + i%2
		inputs = append(inputs, batch.Input{
			Name: fmt.Sprintf("%d/fondazione-%02d.xlsx", year, i/2),
			Data: workbook(b, code, "Fondazione "+code, year, courses(fmt.Sprintf("P%d", year), 15, i%8, 1)),
		})
	}
	cpus := runtime.NumCPU()
	runAt := func(jobs int) time.Duration {
		start := time.Now()
		res, err := batch.Run(context.Background(), inputs, batch.Options{Jobs: jobs, Version: "bench", Auditor: pipeline.BatchAuditor{}})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := pipeline.SummaryWorkbook(res); err != nil {
			b.Fatal(err)
		}
		if len(res.Failed()) != 0 || len(res.Summary.Courses) != 1500 {
			b.Fatalf("%d failed, %d courses", len(res.Failed()), len(res.Summary.Courses))
		}
		return time.Since(start)
	}
	var one, all time.Duration
	b.ResetTimer()
	for b.Loop() {
		one += runAt(1)
		all += runAt(cpus)
	}
	n := float64(b.N)
	b.ReportMetric(one.Seconds()/n, "s-jobs1")
	b.ReportMetric(all.Seconds()/n, "s-jobsNumCPU")
	b.ReportMetric(float64(cpus), "NumCPU")
	b.ReportMetric(one.Seconds()/all.Seconds(), "speedup")
	b.ReportMetric(all.Seconds()/n/float64(len(inputs))*1000, "ms/workbook")
}
