package server

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkAPILoad runs `auditor serve` as its own process on loopback and
// sends it 20-course workbooks from 1, 8 and 32 concurrent clients. It
// reports audits per second, the median and 99th-percentile latency, and the
// server process's peak resident memory at each level (VmHWM, reset before
// each level). Target (issue 4): ≥ 100 audits/s on 2 cores, RSS < 300 MB
// at 32 clients.
//
//	go test ./server -run '^$' -bench APILoad -benchtime 400x
func BenchmarkAPILoad(b *testing.B) {
	base, pid := startServe(b, "--client-rate", "0", "--max-per-client", "0", "--max-queue", "64")
	data := workbook(b, 20, "CARICO", 0)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	post := func() (time.Duration, error) {
		start := time.Now()
		req, err := http.NewRequest(http.MethodPost, base+"/api/audit", bytes.NewReader(data))
		if err != nil {
			return 0, err
		}
		req.Header.Set("Content-Type", MIMEXLSX)
		res, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		_, err = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if err == nil && res.StatusCode != http.StatusOK {
			err = fmt.Errorf("status %d", res.StatusCode)
		}
		return time.Since(start), err
	}
	if _, err := post(); err != nil { // warm up
		b.Fatal(err)
	}
	for _, clients := range []int{1, 8, 32} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			resetPeakRSS(pid)
			var next atomic.Int64
			lat := make([]time.Duration, b.N)
			var failed atomic.Int64
			var firstErr atomic.Value
			b.ResetTimer()
			start := time.Now()
			var wg sync.WaitGroup
			for range clients {
				wg.Go(func() {
					for {
						i := next.Add(1) - 1
						if i >= int64(b.N) {
							return
						}
						d, err := post()
						if err != nil {
							failed.Add(1)
							firstErr.CompareAndSwap(nil, err.Error())
						}
						lat[i] = d
					}
				})
			}
			wg.Wait()
			elapsed := time.Since(start)
			b.StopTimer()
			if n := failed.Load(); n > 0 {
				b.Fatalf("%d of %d requests failed (first: %v)", n, b.N, firstErr.Load())
			}
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "audits/s")
			b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
			b.ReportMetric(ms(lat[min(len(lat)-1, len(lat)*99/100)]), "p99-ms")
			b.ReportMetric(peakRSSMB(pid), "server-peak-RSS-MB")
		})
	}
}

// startServe builds auditor and runs `auditor serve` on a loopback port
// as its own process, with the given flags, until the benchmark ends; it
// returns the server's address and process id.
func startServe(b *testing.B, args ...string) (base string, pid int) {
	b.Helper()
	bin := filepath.Join(b.TempDir(), "auditor")
	build := exec.Command("go", "build", "-o", bin, "../cmd/auditor")
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("building auditor: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		b.Fatalf("reading the server's address: %v", err)
	}
	base = regexp.MustCompile(`https?://[0-9.:]+`).FindString(line)
	if base == "" {
		b.Fatalf("no address in %q", line)
	}
	return base, cmd.Process.Pid
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// resetPeakRSS resets the peak resident set size the kernel keeps for a
// process (Linux: writing 5 to clear_refs).
func resetPeakRSS(pid int) {
	_ = os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0)
}

// peakRSSMB reads a process's peak resident set size (VmHWM) in MiB.
func peakRSSMB(pid int) float64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 64)
			if err == nil {
				return kb / 1024
			}
		}
	}
	return 0
}
