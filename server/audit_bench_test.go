package server

import (
	"context"
	"io"
	"strconv"
	"testing"
)

// BenchmarkAuditJSON is one API audit without the network: read,
// validate, score and the streamed JSON report, for workbooks of 1, 20
// and 100 courses (what a request costs whatever its size, and what each
// course adds).
func BenchmarkAuditJSON(b *testing.B) {
	s, err := New(Config{})
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range []int{1, 20, 100} {
		up := &upload{name: "w.xlsx", data: workbook(b, n, "B", 0)}
		b.Run(strconv.Itoa(n), func(b *testing.B) {
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
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/float64(n), "µs/course")
		})
	}
}
