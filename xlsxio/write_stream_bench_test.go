package xlsxio

import (
	"bytes"
	"io"
	"runtime"
	"runtime/metrics"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/its-academy/auditor/compute"
	"github.com/its-academy/auditor/validate"
)

// heapPeak samples the heap's bytes in objects (live and not yet swept)
// every few hundred microseconds until stopped, and returns the highest
// value above what was in use when it started (after a collection).
type heapPeak struct {
	stop chan struct{}
	wg   sync.WaitGroup
	base uint64
	peak uint64
}

const heapObjects = "/memory/classes/heap/objects:bytes"

func heapNow() uint64 {
	s := []metrics.Sample{{Name: heapObjects}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

func startHeapPeak() *heapPeak {
	runtime.GC()
	h := &heapPeak{stop: make(chan struct{}), base: heapNow()}
	h.peak = h.base
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		t := time.NewTicker(200 * time.Microsecond)
		defer t.Stop()
		for {
			select {
			case <-h.stop:
				return
			case <-t.C:
				h.peak = max(h.peak, heapNow())
			}
		}
	}()
	return h
}

// mb stops the sampling and returns the peak above the start, in MiB.
func (h *heapPeak) mb() float64 {
	close(h.stop)
	h.wg.Wait()
	h.peak = max(h.peak, heapNow())
	return float64(h.peak-h.base) / (1 << 20)
}

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
					h := startHeapPeak()
					s, err := mode.write(data, a, opt)
					peak = max(peak, h.mb())
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
