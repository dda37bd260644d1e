package server

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/its-academy/auditor/testkit"
	"github.com/its-academy/auditor/validate"
	"github.com/xuri/excelize/v2"
)

// startServer runs a real server on a loopback port and stops it (waiting
// for it) when the test ends.
func startServer(t testing.TB, cfg Config, setup ...func(*Server)) (*Server, string) {
	t.Helper()
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range setup {
		f(srv)
	}
	ln, base := testkit.Listen(t)
	testkit.Serve(t, func(ctx context.Context) error { return srv.Serve(ctx, ln, "", "") })
	return srv, base
}

// multipartBody builds a multipart/form-data body with the workbook in
// the field "file" and the given small fields.
func multipartBody(t testing.TB, name string, data []byte, fields map[string]string) (io.Reader, string) {
	t.Helper()
	return testkit.Multipart(t, fields, testkit.File{Name: name, Data: data})
}

// answer is a response read whole.
type answer struct {
	status int
	header http.Header
	body   []byte
}

func (a answer) apiError(t testing.TB) APIError {
	t.Helper()
	var e APIError
	if err := json.Unmarshal(a.body, &e); err != nil {
		t.Fatalf("error body is not JSON: %v: %s", err, a.body)
	}
	return e
}

// retryLater reports whether a is a refusal with the status and the code
// that tells when to try again (Retry-After).
func (a answer) retryLater(t testing.TB, status int, code Code) bool {
	t.Helper()
	return a.status == status && a.apiError(t).Code == code && a.header.Get("Retry-After") != ""
}

func (a answer) report(t testing.TB) validate.Report {
	t.Helper()
	if a.status != http.StatusOK {
		t.Fatalf("status %d: %s", a.status, a.body)
	}
	var r validate.Report
	if err := json.Unmarshal(a.body, &r); err != nil {
		t.Fatalf("report is not JSON: %v", err)
	}
	return r
}

// send does req (with http.DefaultClient when client is nil) and reads the
// answer whole. A request that fails is an answer of status -1 with the
// error as its body; the error of reading the body is returned too.
func send(client *http.Client, req *http.Request) (answer, error) {
	if client == nil {
		client = http.DefaultClient
	}
	res, err := client.Do(req)
	if err != nil {
		return answer{status: -1, body: []byte(err.Error())}, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	return answer{status: res.StatusCode, header: res.Header, body: body}, err
}

// do is send for a request that must be answered whole.
func do(t testing.TB, client *http.Client, req *http.Request) answer {
	t.Helper()
	a, err := send(client, req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	return a
}

// post sends body of type contentType, with the other headers, to url.
func post(t testing.TB, url string, body io.Reader, contentType string, header map[string]string) answer {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return do(t, nil, req)
}

// postFile posts the workbook to /api/audit as multipart.
func postFile(t testing.TB, base, query, name string, data []byte, header map[string]string) answer {
	t.Helper()
	body, ct := multipartBody(t, name, data, nil)
	return post(t, base+"/api/audit"+query, body, ct, header)
}

// postRaw posts the workbook to /api/audit as the raw body.
func postRaw(t testing.TB, base, query string, data []byte, header map[string]string) answer {
	t.Helper()
	return post(t, base+"/api/audit"+query, bytes.NewReader(data), MIMEXLSX, header)
}

func sha(data []byte) string {
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}

// workbook builds an official workbook of n courses from the bundled
// example: its courses repeated with codes prefix-001, prefix-002, … and
// the enrolled figure varied with variant, so that different variants
// give different scores.
func workbook(t testing.TB, n int, prefix string, variant int) []byte {
	t.Helper()
	f := testkit.OpenWorkbook(t, testkit.Testdata(t, "esempio-fondazione.xlsx"))
	rows, err := f.GetRows(validate.SheetCourses, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	codes := rows[1]
	col := func(code string) int {
		for i, c := range codes {
			if c == code {
				return i
			}
		}
		t.Fatalf("column %s missing", code)
		return -1
	}
	codeCol, enrolledCol := col("codice_percorso"), col("iscritti")
	// Only complete EQF V courses of the example, so every course scores.
	var models [][]string
	for _, r := range rows[2:] {
		if len(r) > enrolledCol && r[col("livello_eqf")] == "5" {
			models = append(models, r)
		}
	}
	if len(models) == 0 {
		t.Fatal("no model course")
	}
	for i := 0; i < n; i++ {
		row := append([]string(nil), models[i%len(models)]...)
		row[codeCol] = fmt.Sprintf("%s-%03d", prefix, i+1)
		for j, v := range row {
			cell, _ := excelize.CoordinatesToCellName(j+1, 3+i)
			var val any = v
			if num, err := json.Number(v).Float64(); err == nil && j != codeCol {
				val = num
			}
			if j == enrolledCol {
				val = 20 + (i+variant)%15
			}
			if err := f.SetCellValue(validate.SheetCourses, cell, val); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Clear the example's rows beyond n.
	for r := 3 + n; r < 3+len(rows); r++ {
		for j := range codes {
			cell, _ := excelize.CoordinatesToCellName(j+1, r)
			if err := f.SetCellValue(validate.SheetCourses, cell, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// writeSpaces writes n MiB of spaces to w.
func writeSpaces(w io.Writer, n int) error {
	chunk := bytes.Repeat([]byte(" "), 1<<20)
	for range n {
		if _, err := w.Write(chunk); err != nil {
			return err
		}
	}
	return nil
}

// zipBomb is the example workbook with one more XML part that inflates to
// 150 MiB of spaces (over the 100 MiB default) from about 150 kilobytes.
func zipBomb(t testing.TB) []byte {
	t.Helper()
	return testkit.Rezip(t, testkit.Testdata(t, "esempio-fondazione.xlsx"), nil, func(zw *zip.Writer) error {
		w, err := zw.Create("xl/bomb.xml")
		if err != nil {
			return err
		}
		return writeSpaces(w, 150)
	})
}

// lyingZipBomb is the example workbook whose Percorsi sheet is replaced by
// 150 MiB of spaces while the zip declares it 2 kB: the declared sizes pass,
// inflating must stop.
func lyingZipBomb(t testing.TB) []byte {
	t.Helper()
	var deflated bytes.Buffer
	fw, err := flate.NewWriter(&deflated, flate.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	if err := writeSpaces(fw, 150); err != nil {
		t.Fatal(err)
	}
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	return testkit.Rezip(t, testkit.Testdata(t, "esempio-fondazione.xlsx"), func(zw *zip.Writer, f *zip.File) (bool, error) {
		if f.Name != "xl/worksheets/sheet3.xml" {
			return false, nil
		}
		h := f.FileHeader
		h.UncompressedSize64 = 2048
		h.CompressedSize64 = uint64(deflated.Len())
		w, err := zw.CreateRaw(&h)
		if err != nil {
			return true, err
		}
		_, err = w.Write(deflated.Bytes())
		return true, err
	}, nil)
}

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// stalledUpload starts a raw upload whose body stays open until the
// returned finish is called with the rest of the data; it answers on the
// returned channel.
func stalledUpload(t testing.TB, base string, data []byte) (finish func(), result <-chan answer) {
	t.Helper()
	pr, pw := io.Pipe()
	req, err := http.NewRequest(http.MethodPost, base+"/api/audit", pr)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", MIMEXLSX)
	req.ContentLength = int64(len(data))
	out := make(chan answer, 1)
	go func() {
		a, _ := send(nil, req)
		out <- a
	}()
	half := len(data) / 2
	if _, err := pw.Write(data[:half]); err != nil {
		t.Fatal(err)
	}
	return func() {
		if _, err := pw.Write(data[half:]); err != nil && !errors.Is(err, io.ErrClosedPipe) {
			t.Error(err)
		}
		pw.Close()
	}, out
}

// waitGate polls the server's gate until until holds or within has
// passed, and returns the last state it saw; the caller checks what it
// needs.
func waitGate(srv *Server, within time.Duration, until func(gateState) bool) gateState {
	deadline := time.Now().Add(within)
	for {
		g := srv.gate.state()
		if until(g) || !time.Now().Before(deadline) {
			return g
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// holding reports whether the gate holds any request: uploading, waiting
// or running.
func holding(g gateState) bool { return g.uploading+g.running+g.waiting > 0 }

func contains(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
