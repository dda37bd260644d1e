package testkit

import (
	"runtime"
	"runtime/metrics"
	"sync"
	"time"
)

// HeapPeak samples the heap's bytes in objects (live and not yet swept)
// every 200 µs from StartHeapPeak until StopMB, for benchmarks that
// report the peak memory of one operation.
type HeapPeak struct {
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

// StartHeapPeak collects garbage, notes the heap in use and starts
// sampling.
func StartHeapPeak() *HeapPeak {
	runtime.GC()
	h := &HeapPeak{stop: make(chan struct{}), base: heapNow()}
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

// StopMB stops the sampling and returns the highest heap seen above the
// one at the start, in MiB.
func (h *HeapPeak) StopMB() float64 {
	close(h.stop)
	h.wg.Wait()
	h.peak = max(h.peak, heapNow())
	return float64(h.peak-h.base) / (1 << 20)
}
