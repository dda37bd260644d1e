package server

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"testing"
	"time"

	"github.com/its-academy/auditor/testkit"
)

// BenchmarkBigUploads runs `auditor serve` with its default limits as its
// own process and sends it what made the server of issue 11 use gigabytes:
// a 15,000-course workbook (inside every input limit) as JSON and as xlsx,
// a 2,000-course one (the largest the default work budget admits), an
// /api/batch body of about 50 MB of 15,000-course files and one of ten
// 2,000-course files (the default budget of rows per batch).
// For each it reports the answer's status, the time to the answer and the
// peak resident memory of a server started for it alone. Targets: the
// 15,000-course workbook audited within 400 MB or refused fast; a 50 MB
// batch within 1 GB.
//
//	go test ./server -run '^$' -bench BigUploads -benchtime 1x
func BenchmarkBigUploads(b *testing.B) {
	big := workbook(b, 15000, "GRANDE", 0)
	mid := workbook(b, 2000, "MEDIO", 0)
	b.Logf("15,000 courses: %d bytes; 2,000 courses: %d bytes", len(big), len(mid))
	// The files of a batch differ (a zip comment of their own): identical
	// files would be audited once.
	batchOf := func(data []byte, total int) ([]byte, string, int) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		n := 0
		for buf.Len()+len(data) < total {
			w, err := mw.CreateFormFile("file", fmt.Sprintf("f%02d.xlsx", n))
			if err != nil {
				b.Fatal(err)
			}
			comment := fmt.Sprintf("copia %d", n)
			_, _ = w.Write(testkit.Rezip(b, data, nil, func(zw *zip.Writer) error { return zw.SetComment(comment) }))
			n++
		}
		_ = mw.Close()
		return buf.Bytes(), mw.FormDataContentType(), n
	}
	bigBatch, bigCT, bigN := batchOf(big, 50<<20)
	midBatch, midCT, midN := batchOf(mid, 10*len(mid)+(10<<10))
	b.Logf("batches: %d files of 15,000 courses (%d bytes), %d of 2,000 (%d bytes)", bigN, len(bigBatch), midN, len(midBatch))
	client := &http.Client{Timeout: 5 * time.Minute}
	for _, tc := range []struct {
		name, path, ct string
		body           []byte
	}{
		{"15000-courses-json", "/api/audit", MIMEXLSX, big},
		{"15000-courses-xlsx", "/api/audit?format=xlsx", MIMEXLSX, big},
		{"2000-courses-json", "/api/audit", MIMEXLSX, mid},
		{"2000-courses-xlsx", "/api/audit?format=xlsx", MIMEXLSX, mid},
		{"batch-50MB-15000-courses", "/api/batch", bigCT, bigBatch},
		{"batch-10x2000-courses", "/api/batch", midCT, midBatch},
	} {
		b.Run(tc.name, func(b *testing.B) {
			base, pid := startServe(b, "--client-rate", "0")
			var status int
			var took time.Duration
			var size int64
			var peak float64
			for b.Loop() {
				resetPeakRSS(pid)
				req, err := http.NewRequest(http.MethodPost, base+tc.path, bytes.NewReader(tc.body))
				if err != nil {
					b.Fatal(err)
				}
				req.Header.Set("Content-Type", tc.ct)
				start := time.Now()
				res, err := client.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				size, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				took = time.Since(start)
				status = res.StatusCode
				peak = max(peak, peakRSSMB(pid))
			}
			b.ReportMetric(float64(status), "status")
			b.ReportMetric(ms(took), "answer-ms")
			b.ReportMetric(float64(size)/(1<<20), "answer-MB")
			b.ReportMetric(peak, "server-peak-RSS-MB")
		})
	}
}
