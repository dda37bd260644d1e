package xlsxio

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"runtime"
	"slices"
	"sort"
	"syscall"
	"testing"
	"time"

	"github.com/its-academy/auditor/compute"
	"github.com/its-academy/auditor/validate"
	"github.com/xuri/excelize/v2"
)

// bigWorkbook builds an official workbook with n courses spread over the
// ten areas, with varied figures.
func bigWorkbook(b *testing.B, n int) []byte {
	b.Helper()
	areas := []string{"Sistema meccanica", "Sistema moda", "Sistema casa", "Efficienza energetica", "Mobilità sostenibile",
		"Nuove tecnologie della vita", "Servizi alle imprese", "Sistema agro-alimentare",
		"Tecnologie dell'informazione e della comunicazione", "Tecnologie innovative per i beni e le attività culturali - Turismo"}
	courses := make([]exampleCourse, n)
	for i := range courses {
		courses[i] = course(fmt.Sprintf("P-%04d", i), fmt.Sprintf("Percorso %d", i), areas[i%len(areas)], 5, "15/07/2025", base(map[string]any{
			"partecipanti_selezione": 40 + i%25, "iscritti": 20 + i%9, "ore_stage": 600 + (i*7)%300,
			"diplomati": 15 + i%6, "soddisfazione": 5 + float64(i%50)/10,
		}))
	}
	t := &testing.T{}
	return buildExample(t, "benchmark", courses, nil)
}

// openSave is the floor: what excelize alone needs to open and save the file.
func openSave(data []byte) error {
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		return err
	}
	defer f.Close()
	// Touch the courses sheet as the audit does, so the floor includes parsing it.
	if _, err := f.GetRows(validate.SheetCourses); err != nil {
		return err
	}
	return f.Write(io.Discard)
}

// auditAll is the whole audit of a workbook, as the CLI runs it.
func auditAll(data []byte, reg *compute.Registry) error {
	wb, err := Open(data, "big.xlsx", DefaultLimits())
	if err != nil {
		return err
	}
	a, err := validate.Run(wb.Input, reg, validate.Options{})
	if err != nil {
		return err
	}
	_, err = WriteAudit(data, a, WriteOptions{Version: "bench"})
	return err
}

func median(ds []time.Duration) time.Duration {
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return ds[len(ds)/2]
}

func peakRSSMB() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Maxrss) / 1024 // Linux reports KiB
}

// BenchmarkAudit1000Courses audits a 1,000-course workbook end to end and,
// in the same run, measures excelize opening and saving the same file. It
// reports both, their ratio (target ≤ 2), the bytes allocated and the
// process's peak resident memory.
func BenchmarkAudit1000Courses(b *testing.B) {
	data := bigWorkbook(b, 1000)
	reg, err := compute.LoadEmbedded()
	if err != nil {
		b.Fatal(err)
	}
	var floor []time.Duration
	for i := 0; i < 5; i++ {
		start := time.Now()
		if err := openSave(data); err != nil {
			b.Fatal(err)
		}
		floor = append(floor, time.Since(start))
	}
	b.Run("excelize-open-save", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := openSave(data); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("audit", func(b *testing.B) {
		b.ReportAllocs()
		var ms runtime.MemStats
		for b.Loop() {
			if err := auditAll(data, reg); err != nil {
				b.Fatal(err)
			}
		}
		runtime.ReadMemStats(&ms)
		perOp := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
		b.ReportMetric(perOp/float64(median(floor).Nanoseconds()), "x-floor")
		b.ReportMetric(float64(median(floor).Milliseconds()), "floor-ms")
		b.ReportMetric(perOp/1e6, "audit-ms")
		b.ReportMetric(float64(ms.HeapSys)/(1<<20), "heap-sys-MB")
		b.ReportMetric(peakRSSMB(), "peak-RSS-MB")
	})
}

// BenchmarkAudit1000Phases times the three phases of the audit of the
// 1,000-course workbook apart: reading, validating and scoring, writing.
func BenchmarkAudit1000Phases(b *testing.B) {
	data := bigWorkbook(b, 1000)
	reg, err := compute.LoadEmbedded()
	if err != nil {
		b.Fatal(err)
	}
	wb := mustOpen(b, data, "big.xlsx")
	a, err := validate.Run(wb.Input, reg, validate.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("read", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Open(data, "big.xlsx", DefaultLimits()); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("validate", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := validate.Run(wb.Input, reg, validate.Options{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("write", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := WriteAudit(data, a, WriteOptions{Version: "bench"}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkJSONReport1000 measures the JSON report of the 1,000-course
// workbook: its bytes per course (target ≤ 6 KB with every trace value)
// and what writing it adds to the whole audit as the CLI runs it (read,
// validate, write the copy; target ≤ 0.5). With -v it logs where the
// bytes go, per key (reportBreakdown).
//
//	go test ./xlsxio -run '^$' -bench JSONReport1000 -benchtime 5x
func BenchmarkJSONReport1000(b *testing.B) {
	const n = 1000
	data := bigWorkbook(b, n)
	reg, err := compute.LoadEmbedded()
	if err != nil {
		b.Fatal(err)
	}
	var audits []time.Duration
	for i := 0; i < 3; i++ {
		start := time.Now()
		if err := auditAll(data, reg); err != nil {
			b.Fatal(err)
		}
		audits = append(audits, time.Since(start))
	}
	wb := mustOpen(b, data, "big.xlsx")
	a, err := validate.Run(wb.Input, reg, validate.Options{})
	if err != nil {
		b.Fatal(err)
	}
	var size int
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(a.Report("bench", "")); err != nil {
			b.Fatal(err)
		}
		size = buf.Len()
	}
	perOp := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	b.ReportMetric(float64(size)/n, "bytes/course")
	b.ReportMetric(perOp/float64(median(audits).Nanoseconds()), "json-overhead")
	b.ReportMetric(float64(median(audits).Milliseconds()), "audit-ms")
	b.StopTimer()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(a.Report("bench", "")); err != nil {
		b.Fatal(err)
	}
	parts, err := reportBreakdown(buf.Bytes())
	if err != nil {
		b.Fatal(err)
	}
	keys := slices.Sorted(maps.Keys(parts))
	for _, k := range keys {
		b.Logf("%-34s %8.0f bytes/course", k, float64(parts[k])/n)
	}
}

// reportBreakdown says where a JSON report's bytes go: by top-level key,
// by course key ("course.articulations"), and within articulations by key
// ("articulation.traces"), each with its key, quotes, colon and comma.
func reportBreakdown(data []byte) (map[string]int, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, err
	}
	parts := map[string]int{}
	var courses []map[string]json.RawMessage
	for k, v := range top {
		if k == "courses" {
			if err := json.Unmarshal(v, &courses); err != nil {
				return nil, err
			}
			continue
		}
		parts[k] += len(k) + 4 + len(v)
	}
	for _, c := range courses {
		for k, v := range c {
			parts["course."+k] += len(k) + 4 + len(v)
			if k != "articulations" {
				continue
			}
			var arts []map[string]json.RawMessage
			if err := json.Unmarshal(v, &arts); err != nil {
				return nil, err
			}
			for _, a := range arts {
				for ak, av := range a {
					parts["articulation."+ak] += len(ak) + 4 + len(av)
				}
			}
		}
	}
	return parts, nil
}
