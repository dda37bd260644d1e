package xlsxio

import (
	"bytes"
	"io"
	"runtime"
	"strconv"
	"testing"

	"github.com/its-academy/auditor/compute"
	"github.com/its-academy/auditor/testkit"
	"github.com/its-academy/auditor/validate"
)

// BenchmarkWriteCopy measures writing the audited copy of the 1,000- and
// the 15,000-course workbooks, once the audit is done: the copy built in
// memory (WriteAudit) and streamed to a writer (WriteAuditTo, here to
// io.Discard as a server's socket or the CLI's file would take it). It
// reports the heap allocated per copy, the peak heap above what the audit
// holds (sampled), and the copy's size.
//
//	go test ./xlsxio -run '^$' -bench WriteCopy -benchtime 3x
func BenchmarkWriteCopy(b *testing.B) {
	reg, err := compute.LoadEmbedded()
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range []int{1000, 15000} {
		data := bigWorkbook(b, n)
		wb, err := Open(data, "big.xlsx", DefaultLimits())
		if err != nil {
			b.Fatal(err)
		}
		a, err := validate.Run(wb.Input, reg, validate.Options{})
		if err != nil {
			b.Fatal(err)
		}
		opt := WriteOptions{Version: "bench"}
		for _, mode := range writeModes {
			b.Run(mode.name+"-"+strconv.Itoa(n), func(b *testing.B) {
				var ms0, ms1 runtime.MemStats
				var peak float64
				var size int64
				runtime.GC()
				runtime.ReadMemStats(&ms0)
				for b.Loop() {
					h := testkit.StartHeapPeak()
					s, err := mode.write(data, a, opt)
					peak = max(peak, h.StopMB())
					if err != nil {
						b.Fatal(err)
					}
					size = s
				}
				runtime.ReadMemStats(&ms1)
				b.ReportMetric(float64(ms1.TotalAlloc-ms0.TotalAlloc)/float64(b.N)/(1<<20), "alloc-MB/op")
				b.ReportMetric(peak, "peak-heap-MB")
				b.ReportMetric(float64(size)/(1<<20), "copy-MB")
				b.ReportMetric(float64(len(data))/(1<<20), "input-MB")
			})
		}
		wb.Close()
	}
}

// writeModes are the ways of writing a copy the benchmark compares; the
// copy in memory is also written out, as its callers do.
var writeModes = []struct {
	name  string
	write func([]byte, *validate.Audit, WriteOptions) (int64, error)
}{
	{"bytes", func(data []byte, a *validate.Audit, opt WriteOptions) (int64, error) {
		out, err := WriteAudit(data, a, opt)
		if err != nil {
			return 0, err
		}
		n, err := io.Copy(io.Discard, bytes.NewReader(out))
		return n, err
	}},
	{"stream", func(data []byte, a *validate.Audit, opt WriteOptions) (int64, error) {
		return WriteAuditTo(io.Discard, data, a, opt)
	}},
}
