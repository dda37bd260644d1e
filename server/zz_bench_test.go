package server

import (
	"bytes"
	"net/http"
	"sync"
	"sync/atomic"
	"context"
	"fmt"
	"io"
	"testing"
)

func BenchmarkZZAuditN(b *testing.B) {
	s, _ := New(Config{})
	for _, n := range []int{1, 20, 100} {
		up := &upload{name: "w.xlsx", data: workbook(b, n, "B", 0)}
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				ans := s.runAudit(context.Background(), nil, up, auditParams{})
				if ans.err != nil {
					b.Fatal(ans.err)
				}
				if err := ans.stream(io.Discard); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkZZInProcLoad(b *testing.B) {
	_, base := startServer(b, Config{ClientRate: -1, MaxPerClient: -1, MaxQueue: 64})
	data := workbook(b, 20, "CARICO", 0)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	var next atomic.Int64
	b.ResetTimer()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for next.Add(1) <= int64(b.N) {
				req, _ := http.NewRequest(http.MethodPost, base+"/api/audit", bytes.NewReader(data))
				req.Header.Set("Content-Type", MIMEXLSX)
				res, err := client.Do(req)
				if err != nil {
					b.Error(err)
					return
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
			}
		})
	}
	wg.Wait()
}
