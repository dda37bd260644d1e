package server

import (
	"context"
	"testing"
)

// BenchmarkAuditJSON20 is one API audit of a 20-course workbook without
// the network: read, validate, score, JSON report.
func BenchmarkAuditJSON20(b *testing.B) {
	s, err := New(Config{})
	if err != nil {
		b.Fatal(err)
	}
	up := &upload{name: "w.xlsx", data: workbook(b, 20, "B", 0)}
	b.ReportAllocs()
	for b.Loop() {
		if ans := s.runAudit(context.Background(), nil, up, auditParams{}, nil); ans.err != nil {
			b.Fatal(ans.err)
		}
	}
}
