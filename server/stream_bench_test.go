package server

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"testing"

	"github.com/its-academy/auditor/pipeline"
	"github.com/its-academy/auditor/testkit"
	"github.com/labstack/echo/v4"
)

// discardResponse is a ResponseWriter that keeps only its headers, as a
// socket whose client reads as fast as the server writes.
type discardResponse struct{ h http.Header }

func (d *discardResponse) Header() http.Header         { return d.h }
func (d *discardResponse) Write(p []byte) (int, error) { return len(p), nil }
func (d *discardResponse) WriteHeader(int)             {}

// BenchmarkAuditMemory measures what an API audit costs in memory once the
// upload is in, for workbooks of 1,000 and 2,000 courses (the largest the
// default work budget admits): the audit's scoring and its copy, built
// whole and then sent ("bytes", as before the copy was streamed) and
// streamed to the answer ("stream"), and its JSON report streamed
// ("json"). It reports the sampled peak heap above the upload (reading
// included), per course, the bytes allocated, and what the server
// reserves for it (its reading's estimate plus costPerCourseXLSX or
// costPerCourseJSON per course), which must cover the peak.
//
//	go test ./server -run '^$' -bench AuditMemory -benchtime 3x
func BenchmarkAuditMemory(b *testing.B) {
	s, err := New(Config{})
	if err != nil {
		b.Fatal(err)
	}
	e := echo.New()
	for _, n := range []int{1000, 2000} {
		up := &upload{name: "w.xlsx", data: workbook(b, n, "M", 0)}
		modes := []struct {
			name string
			xlsx bool
			run  func() error
		}{
			{"bytes", true, func() error {
				res, err := pipeline.Run(context.Background(), up.data, up.name, pipeline.Options{Limits: s.cfg.Limits, Version: "bench", Registry: s.cfg.Registry})
				if err != nil {
					return err
				}
				out, err := res.Copy()
				if err != nil {
					return err
				}
				_, err = (&discardResponse{h: http.Header{}}).Write(out)
				return err
			}},
			{"stream", true, func() error {
				c := e.NewContext(httptest.NewRequest(http.MethodPost, "/api/audit", nil), &discardResponse{h: http.Header{}})
				ans := s.runAudit(context.Background(), nil, up, auditParams{xlsx: true})
				if ans.err != nil {
					return ans.err
				}
				return s.stream(context.Background(), c, work{xlsx: true, fileName: "w-verificato.xlsx"}, ans)
			}},
			{"json", false, func() error {
				c := e.NewContext(httptest.NewRequest(http.MethodPost, "/api/audit", nil), &discardResponse{h: http.Header{}})
				ans := s.runAudit(context.Background(), nil, up, auditParams{})
				if ans.err != nil {
					return ans.err
				}
				return s.stream(context.Background(), c, work{}, ans)
			}},
		}
		for _, m := range modes {
			b.Run(m.name+"-"+strconv.Itoa(n), func(b *testing.B) {
				var ms0, ms1 runtime.MemStats
				var peak float64
				runtime.ReadMemStats(&ms0)
				for b.Loop() {
					h := testkit.StartHeapPeak()
					err := m.run()
					peak = max(peak, h.StopMB())
					if err != nil {
						b.Fatal(err)
					}
				}
				runtime.ReadMemStats(&ms1)
				b.ReportMetric(peak, "peak-heap-MB")
				b.ReportMetric(peak*(1<<10)/float64(n), "peak-KB/course")
				b.ReportMetric(float64(ms1.TotalAlloc-ms0.TotalAlloc)/float64(b.N)/(1<<20), "alloc-MB/op")
				// What the server reserves for it: the reading's estimate
				// and the courses'.
				b.ReportMetric(float64(s.auditCost(up.data))/(1<<20), "read-estimate-MB")
				b.ReportMetric(float64(s.auditCost(up.data)+courseCost(n, m.xlsx))/(1<<20), "estimate-MB")
			})
		}
	}
}

var _ io.Writer = (*discardResponse)(nil)
