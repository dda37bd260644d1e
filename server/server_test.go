package server

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/its-academy/auditor/compute"
	"github.com/its-academy/auditor/pipeline"
	"github.com/its-academy/auditor/testkit"
	"github.com/its-academy/auditor/validate"
	"github.com/its-academy/auditor/xlsxio"
)

// expectedReport is the report the CLI's pipeline gives for the same bytes:
// the API must answer exactly that.
func expectedReport(t *testing.T, data []byte, opts validate.Options) validate.Report {
	t.Helper()
	res, err := pipeline.Run(context.Background(), data, "x.xlsx", pipeline.Options{Validate: opts, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	// Round-trip through JSON, as the answer does.
	b, err := json.Marshal(res.Report())
	if err != nil {
		t.Fatal(err)
	}
	var r validate.Report
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

func sameJSON(t *testing.T, got, want any) {
	t.Helper()
	// The server states when it audited (UTC, RFC 3339); the pipeline run
	// here has no time.
	if gr, ok := got.(validate.Report); ok {
		if wr, ok := want.(validate.Report); ok {
			if at, err := time.Parse(time.RFC3339, gr.AuditedAt); err != nil || !strings.HasSuffix(gr.AuditedAt, "Z") || time.Since(at) > time.Hour {
				t.Errorf("audited_at %q: want the time of the audit, UTC RFC 3339", gr.AuditedAt)
			}
			wr.AuditedAt = gr.AuditedAt
			want = wr
		}
	}
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if !bytes.Equal(g, w) {
		t.Errorf("report differs from the CLI pipeline's:\n got %.600s\nwant %.600s", g, w)
	}
}

func TestAuditJSON(t *testing.T) {
	_, base := startServer(t, Config{Version: "test"})
	data := testkit.Testdata(t, "esempio-fondazione.xlsx")

	t.Run("multipart", func(t *testing.T) {
		a := postFile(t, base, "", "esempio-fondazione.xlsx", data, nil)
		r := a.report(t)
		if got := a.header.Get("Content-Type"); !strings.HasPrefix(got, "application/json") {
			t.Errorf("Content-Type %q", got)
		}
		if r.FileSHA256 != sha(data) {
			t.Errorf("file_sha256 %s, want %s", r.FileSHA256, sha(data))
		}
		if len(r.Courses) != 10 {
			t.Fatalf("%d courses, want the example's 10", len(r.Courses))
		}
		sameJSON(t, r, expectedReport(t, data, validate.Options{}))
	})
	t.Run("raw body, literal reading", func(t *testing.T) {
		a := postRaw(t, base, "?reading=literal", data, map[string]string{"X-File-Name": "esempio.xlsx"})
		r := a.report(t)
		if r.Reading != compute.ReadingLiteral {
			t.Errorf("reading %q, want literal", r.Reading)
		}
		sameJSON(t, r, expectedReport(t, data, validate.Options{Reading: compute.ReadingLiteral}))
	})
	t.Run("reading as a form field", func(t *testing.T) {
		body, ct := multipartBody(t, "e.xlsx", data, map[string]string{"reading": "literal"})
		req, _ := http.NewRequest(http.MethodPost, base+"/api/audit", body)
		req.Header.Set("Content-Type", ct)
		if r := do(t, nil, req).report(t); r.Reading != compute.ReadingLiteral {
			t.Errorf("reading %q, want literal", r.Reading)
		}
	})
	t.Run("interpretation", func(t *testing.T) {
		a := postRaw(t, base, "?interpretation=I-2%3Dsoglia_diplomati", data, nil)
		sameJSON(t, a.report(t), expectedReport(t, data, validate.Options{Interpretations: map[string]string{"I-2": "soglia_diplomati"}}))
	})
}

func TestAuditXLSX(t *testing.T) {
	_, base := startServer(t, Config{Version: "test"})
	data := testkit.Testdata(t, "esempio-fondazione.xlsx")
	for _, tc := range []struct {
		name   string
		answer func() answer
		file   string
	}{
		{"format=xlsx", func() answer { return postFile(t, base, "?format=xlsx", "esempio-fondazione.xlsx", data, nil) }, "esempio-fondazione-verificato.xlsx"},
		{"Accept", func() answer {
			return postRaw(t, base, "", data, map[string]string{"Accept": MIMEXLSX, "X-File-Name": "Fondazione%20%C3%A8.xlsx"})
		}, "Fondazione è-verificato.xlsx"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := tc.answer()
			if a.status != http.StatusOK {
				t.Fatalf("status %d: %s", a.status, a.body)
			}
			if got := a.header.Get("Content-Type"); got != MIMEXLSX {
				t.Errorf("Content-Type %q", got)
			}
			if cd := a.header.Get("Content-Disposition"); !strings.Contains(cd, "attachment") || !strings.Contains(cd, urlEscape(tc.file)) {
				t.Errorf("Content-Disposition %q does not name %q", cd, tc.file)
			}
			f := testkit.OpenWorkbook(t, a.body)
			sheets := strings.Join(f.GetSheetList(), ",")
			for _, s := range append([]string{validate.SheetFoundation, validate.SheetCourses, validate.SheetThresholds}, xlsxio.ProductSheets()...) {
				if !strings.Contains(sheets, s) {
					t.Errorf("sheet %s missing from %s", s, sheets)
				}
			}
			rows, err := f.GetRows(xlsxio.SheetStamp)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(fmt.Sprint(rows), sha(data)) {
				t.Errorf("the stamp does not carry the input's SHA-256: %v", rows)
			}
		})
	}
}

func urlEscape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, " ", "%20"), "è", "%C3%A8")
}

// odsFile is a minimal OpenDocument spreadsheet package.
func odsFile(t *testing.T) []byte {
	return testkit.Zip(t, []testkit.File{{Name: "mimetype", Data: []byte("application/vnd.oasis.opendocument.spreadsheet")}, {Name: "content.xml", Data: []byte("<office:document-content/>")}})
}

func TestAuditErrors(t *testing.T) {
	data := testkit.Testdata(t, "esempio-fondazione.xlsx")
	_, base := startServer(t, Config{MaxUpload: 256 << 10, Token: "", ClientRate: -1})
	post := func(ct string, body []byte) answer {
		req, _ := http.NewRequest(http.MethodPost, base+"/api/audit", bytes.NewReader(body))
		req.Header.Set("Content-Type", ct)
		return do(t, nil, req)
	}
	big := append(bytes.Clone(data), make([]byte, 300<<10)...)
	for _, tc := range []struct {
		name   string
		answer func() answer
		status int
		code   Code
		kind   string
		msg    string
	}{
		{"empty body", func() answer { return post(MIMEXLSX, nil) }, 400, CodeBadRequest, "", "vuoto"},
		{"multipart without file", func() answer {
			body, ct := multipartBody(t, "x", nil, map[string]string{"reading": "literal"})
			b := body.(*bytes.Buffer).Bytes()
			b = bytes.Replace(b, []byte(`name="file"`), []byte(`name="altro"`), 1)
			return post(ct, b)
		}, 400, CodeBadRequest, "", "campo «file»"},
		{"multipart without boundary", func() answer { return post("multipart/form-data", data) }, 400, CodeBadRequest, "", "boundary"},
		{"malformed multipart", func() answer { return post("multipart/form-data; boundary=zzz", []byte("--zzz\r\nnot a header\r\n")) }, 400, CodeBadRequest, "", "non è leggibile"},
		{"bad reading", func() answer { return postRaw(t, base, "?reading=creative", data, nil) }, 400, CodeBadRequest, "", "«reading»"},
		{"bad format", func() answer { return postRaw(t, base, "?format=doc", data, nil) }, 400, CodeBadRequest, "", "«format»"},
		{"unknown interpretation", func() answer { return postRaw(t, base, "?interpretation=I-9%3Dx", data, nil) }, 400, CodeBadRequest, "", "Parametri non validi"},
		{"too large, declared", func() answer { return postRaw(t, base, "", big, nil) }, 413, CodeTooLarge, "", "256 kB"},
		{"too large, chunked", func() answer {
			req, _ := http.NewRequest(http.MethodPost, base+"/api/audit", struct{ *bytes.Reader }{bytes.NewReader(big)})
			req.Header.Set("Content-Type", MIMEXLSX)
			return do(t, nil, req)
		}, 413, CodeTooLarge, "", "256 kB"},
		{"too large, multipart", func() answer { return postFile(t, base, "", "big.xlsx", big, nil) }, 413, CodeTooLarge, "", "256 kB"},
		{"csv", func() answer { return postRaw(t, base, "", []byte("codice_percorso;iscritti\nP1;20\n"), nil) }, 415, CodeUnsupportedType, "", ""},
		{"xls", func() answer {
			return postRaw(t, base, "", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 1024)...), nil)
		}, 415, CodeUnsupportedType, "", ""},
		{"ods", func() answer { return postRaw(t, base, "", odsFile(t), nil) }, 415, CodeUnsupportedType, "", ""},
		{"encrypted", func() answer {
			return postRaw(t, base, "", testkit.Testdata(t, "foreign/excelize-encryptAES.xlsx"), nil)
		}, 422, CodeNotAuditable, "encrypted", "File > Informazioni"},
		{"missing sheet", func() answer { return postRaw(t, base, "", testkit.Testdata(t, "foreign/excelize-Book1.xlsx"), nil) }, 422, CodeNotAuditable, "missing_sheet", "Percorsi"},
		{"corrupt", func() answer {
			return postRaw(t, base, "", testkit.Testdata(t, "foreign/excelize-BadWorkbook.xlsx"), nil)
		}, 422, CodeNotAuditable, "", ""},
		{"zip bomb", func() answer { return postRaw(t, base, "", zipBomb(t), nil) }, 422, CodeNotAuditable, "too_large", "limite"},
		{"zip bomb lying about its sizes", func() answer { return postRaw(t, base, "", lyingZipBomb(t), nil) }, 422, CodeNotAuditable, "", ""},
		{"404", func() answer {
			req, _ := http.NewRequest(http.MethodGet, base+"/api/nothing", nil)
			return do(t, nil, req)
		}, 404, CodeNotFound, "", ""},
		{"405", func() answer {
			req, _ := http.NewRequest(http.MethodGet, base+"/api/audit", nil)
			return do(t, nil, req)
		}, 405, CodeMethod, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := tc.answer()
			if a.status != tc.status {
				t.Fatalf("status %d, want %d: %s", a.status, tc.status, a.body)
			}
			if bytes.Contains(a.body, []byte(`\u003e`)) {
				t.Errorf("HTML-escaped JSON: %s", a.body)
			}
			e := a.apiError(t)
			if e.Code != tc.code || e.Status != tc.status {
				t.Errorf("error %+v, want code %s", e, tc.code)
			}
			if tc.kind != "" && e.Kind != tc.kind {
				t.Errorf("kind %q, want %q (%s)", e.Kind, tc.kind, e.Message)
			}
			if e.Message == "" || !strings.Contains(e.Message, tc.msg) {
				t.Errorf("message %q should mention %q", e.Message, tc.msg)
			}
		})
	}
}

func TestToken(t *testing.T) {
	_, base := startServer(t, Config{Token: "s3gr3to"})
	data := testkit.Testdata(t, "esempio-fondazione.xlsx")
	a := postRaw(t, base, "", data, nil)
	if a.status != http.StatusUnauthorized || a.apiError(t).Code != CodeUnauthorized || a.header.Get("WWW-Authenticate") == "" {
		t.Fatalf("no token: status %d %s", a.status, a.body)
	}
	if a := postRaw(t, base, "", data, map[string]string{"Authorization": "Bearer sbagliato"}); a.status != http.StatusUnauthorized {
		t.Errorf("wrong token: status %d", a.status)
	}
	if a := postRaw(t, base, "", data, map[string]string{"Authorization": "Bearer s3gr3to"}); a.status != http.StatusOK {
		t.Errorf("right token: status %d %s", a.status, a.body)
	}
	req, _ := http.NewRequest(http.MethodGet, base+"/api/info", nil)
	info := do(t, nil, req)
	var i Info
	if err := json.Unmarshal(info.body, &i); err != nil || info.status != 200 || !i.TokenRequired {
		t.Errorf("/api/info without token: %d %s", info.status, info.body)
	}
}

func TestRateLimit(t *testing.T) {
	_, base := startServer(t, Config{ClientRate: 0.01, ClientBurst: 2})
	req := func() answer {
		r, _ := http.NewRequest(http.MethodGet, base+"/api/info", nil)
		return do(t, nil, r)
	}
	for i := 0; i < 2; i++ {
		if a := req(); a.status != http.StatusOK {
			t.Fatalf("request %d within the burst: %d", i+1, a.status)
		}
	}
	a := req()
	if !a.retryLater(t, http.StatusTooManyRequests, CodeTooManyRequests) {
		t.Fatalf("over the rate: %d %s (Retry-After %q)", a.status, a.body, a.header.Get("Retry-After"))
	}
}

func TestSaturation(t *testing.T) {
	data := testkit.Testdata(t, "esempio-fondazione.xlsx")
	release := make(chan struct{})
	srv, base := startServer(t, Config{MaxConcurrent: 1, MaxQueue: 1, ClientRate: -1, MaxPerClient: -1}, func(s *Server) {
		s.beforeAudit = func(context.Context) { <-release }
	})
	// Two uploads hold the whole queue: one audit running (held), one
	// waiting for its slot.
	res := make(chan answer, 2)
	for range 2 {
		go func() { res <- postRaw(t, base, "", data, nil) }()
	}
	waitGate(srv, 10*time.Second, func(g gateState) bool { return g.running == 1 && g.waiting == 1 })
	a := postRaw(t, base, "", data, nil)
	if !a.retryLater(t, http.StatusServiceUnavailable, CodeBusy) {
		t.Errorf("third upload: %d %s (Retry-After %q)", a.status, a.body, a.header.Get("Retry-After"))
	}
	close(release)
	// Once they are done the server takes new work again.
	heldThenServed(t, base, data, res, 2)
}

// heldThenServed checks that the n uploads held on res are audited, and
// that the server then audits a new upload.
func heldThenServed(t *testing.T, base string, data []byte, res <-chan answer, n int) {
	t.Helper()
	for range n {
		if a := <-res; a.status != http.StatusOK {
			t.Errorf("held upload: %d %s", a.status, a.body)
		}
	}
	if a := postRaw(t, base, "", data, nil); a.status != http.StatusOK {
		t.Errorf("after the held uploads: %d %s", a.status, a.body)
	}
}

// TestPerClientShare checks that one address cannot hold more than its
// share of the queue with slow uploads.
func TestPerClientShare(t *testing.T) {
	data := testkit.Testdata(t, "esempio-fondazione.xlsx")
	srv, base := startServer(t, Config{MaxPerClient: 1, ClientRate: -1})
	finish, res := stalledUpload(t, base, data)
	waitGate(srv, 5*time.Second, holding)
	a := postRaw(t, base, "", data, nil)
	if !a.retryLater(t, http.StatusTooManyRequests, CodeTooManyRequests) ||
		!strings.Contains(a.apiError(t).Message, "al massimo 1") {
		t.Errorf("second upload from the same address: %d %s", a.status, a.body)
	}
	finish()
	// Its share is back once the first is done.
	heldThenServed(t, base, data, res, 1)
}

func TestTimeout(t *testing.T) {
	data := testkit.Testdata(t, "esempio-fondazione.xlsx")
	release := make(chan struct{})
	_, base := startServer(t, Config{RequestTimeout: 300 * time.Millisecond, ClientRate: -1}, func(s *Server) {
		s.beforeAudit = func(context.Context) { <-release }
	})
	a := postRaw(t, base, "", data, nil)
	close(release)
	if !a.retryLater(t, http.StatusServiceUnavailable, CodeTimeout) {
		t.Fatalf("slow audit: %d %s", a.status, a.body)
	}
	if !strings.Contains(a.apiError(t).Message, "0.3 secondi") {
		t.Errorf("message %q should name the limit", a.apiError(t).Message)
	}
}

// TestConcurrentUploads sends 50 different workbooks at once: every answer
// must be the report of its own input.
func TestConcurrentUploads(t *testing.T) {
	const n = 50
	_, base := startServer(t, Config{MaxQueue: n, ClientRate: -1, MaxPerClient: -1, QueueWait: 2 * time.Minute, RequestTimeout: 3 * time.Minute})
	inputs := make([][]byte, n)
	want := make([]validate.Report, n)
	for i := range inputs {
		inputs[i] = workbook(t, 3+i%5, fmt.Sprintf("W%02d", i), i)
		want[i] = expectedReport(t, inputs[i], validate.Options{})
	}
	got := make([]answer, n)
	var wg sync.WaitGroup
	for i := range inputs {
		wg.Go(func() {
			if i%2 == 0 {
				got[i] = postFile(t, base, "", fmt.Sprintf("w%02d.xlsx", i), inputs[i], nil)
			} else {
				got[i] = postRaw(t, base, "", inputs[i], nil)
			}
		})
	}
	wg.Wait()
	for i := range got {
		r := got[i].report(t)
		if r.FileSHA256 != sha(inputs[i]) {
			t.Errorf("answer %d carries the hash of another file", i)
		}
		if len(r.Courses) != 3+i%5 || !strings.HasPrefix(r.Courses[0].Code, fmt.Sprintf("W%02d-", i)) {
			t.Errorf("answer %d: %d courses starting with %q", i, len(r.Courses), r.Courses[0].Code)
		}
		r.Version = "test"
		sameJSON(t, r, want[i])
	}
}

func TestSecurityHeadersAndPages(t *testing.T) {
	_, base := startServer(t, Config{PublicURL: "https://audit.regione.example/"})
	get := func(path string) answer {
		req, _ := http.NewRequest(http.MethodGet, base+path, nil)
		return do(t, nil, req)
	}
	page := get("/")
	if page.status != 200 || !strings.HasPrefix(page.header.Get("Content-Type"), "text/html") {
		t.Fatalf("/: %d %s", page.status, page.header.Get("Content-Type"))
	}
	if csp := page.header.Get("Content-Security-Policy"); !contains(csp, "default-src 'self'", "frame-ancestors 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("page CSP %q", csp)
	}
	if page.header.Get("X-Content-Type-Options") != "nosniff" || page.header.Get("X-Frame-Options") != "SAMEORIGIN" {
		t.Errorf("page headers %v", page.header)
	}
	pane := get("/addin/taskpane.html")
	if pane.status != 200 || pane.header.Get("X-Frame-Options") != "" {
		t.Errorf("task pane: %d, X-Frame-Options %q (Office must be able to frame it)", pane.status, pane.header.Get("X-Frame-Options"))
	}
	if csp := pane.header.Get("Content-Security-Policy"); !contains(csp, "https://*.officeapps.live.com", "https://appsforoffice.microsoft.com") {
		t.Errorf("task pane CSP %q", csp)
	}
	man := get("/addin/manifest.xml")
	if man.status != 200 || !strings.Contains(string(man.body), "https://audit.regione.example/addin/taskpane.html") {
		t.Errorf("manifest: %d, URLs not from the public address: %.300s", man.status, man.body)
	}
	health := get("/healthz")
	var h Health
	if err := json.Unmarshal(health.body, &h); err != nil || h.Status != "ok" {
		t.Errorf("/healthz: %d %s", health.status, health.body)
	}
	if api := get("/api/info"); api.header.Get("Cache-Control") != "no-store" || !strings.Contains(api.header.Get("Content-Security-Policy"), "default-src 'none'") {
		t.Errorf("API headers %v", api.header)
	}
}

func TestCORS(t *testing.T) {
	_, base := startServer(t, Config{CORSOrigins: []string{"https://portale.regione.example"}})
	pre := func(origin string) answer {
		req, _ := http.NewRequest(http.MethodOptions, base+"/api/audit", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		return do(t, nil, req)
	}
	if a := pre("https://portale.regione.example"); a.header.Get("Access-Control-Allow-Origin") != "https://portale.regione.example" {
		t.Errorf("configured origin refused: %d %v", a.status, a.header)
	}
	if a := pre("https://altro.example"); a.header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("other origin allowed: %v", a.header)
	}
	// Without configured origins there is no CORS at all.
	_, base2 := startServer(t, Config{})
	req, _ := http.NewRequest(http.MethodGet, base2+"/api/info", nil)
	req.Header.Set("Origin", "https://altro.example")
	if a := do(t, nil, req); a.header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("CORS without configured origins: %v", a.header)
	}
	if _, err := New(Config{CORSOrigins: []string{"*"}}); err == nil {
		t.Error("a wildcard origin must be refused")
	}
}

// TestNothingOfTheUploadKept checks that the access log carries method,
// path, status, size and duration only, and that no file is written to
// the temporary directory.
func TestNothingOfTheUploadKept(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	var logs syncBuffer
	_, base := startServer(t, Config{Token: "tok-123", Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	data := workbook(t, 4, "RISERVATO", 0)
	auth := map[string]string{"Authorization": "Bearer tok-123"}
	if a := postFile(t, base, "?reading=literal", "fondazione-riservata.xlsx", data, auth); a.status != 200 {
		t.Fatalf("%d %s", a.status, a.body)
	}
	if a := postFile(t, base, "?format=xlsx", "fondazione-riservata.xlsx", data, auth); a.status != 200 {
		t.Fatalf("%d %s", a.status, a.body)
	}
	if a := postRaw(t, base, "", testkit.Testdata(t, "foreign/excelize-encryptAES.xlsx"), map[string]string{"Authorization": "Bearer tok-123", "X-File-Name": "cifrato-riservato.xlsx"}); a.status != 422 {
		t.Fatalf("%d %s", a.status, a.body)
	}
	// A worksheet above the XML limit is refused, not spilled to a
	// temporary file as excelize would.
	_, small := startServer(t, Config{Limits: xlsxio.Limits{UnzipSize: 100 << 20, UnzipXMLSize: 100 << 10}})
	if a := postRaw(t, small, "", testkit.Testdata(t, "esempio-fondazione.xlsx"), nil); a.status != 422 || a.apiError(t).Kind != "too_large" {
		t.Errorf("a 170 kB worksheet over a 100 kB XML limit: %d %s", a.status, a.body)
	}
	log := logs.String()
	if !contains(log, "request_id=", "client=127.0.0.1 ", "method=POST", "path=/api/audit", "status=200", "status=422", "bytes=", "duration_ms=") {
		t.Errorf("access log lacks its fields:\n%s", log)
	}
	for _, secret := range []string{"riservat", "RISERVATO", "tok-123", "literal", "cifrato"} {
		if strings.Contains(log, secret) {
			t.Errorf("the log carries %q:\n%s", secret, log)
		}
	}
	entries, err := os.ReadDir(tmp)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Errorf("file left in the temporary directory: %s", e.Name())
	}
}

// serving starts a server with cfg on a loopback port (with TLS when
// certFile is set); cancel asks it to stop and done gives Serve's error.
func serving(t *testing.T, cfg Config, certFile, keyFile string) (srv *Server, ln net.Listener, cancel context.CancelFunc, done <-chan error) {
	t.Helper()
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err = net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln, certFile, keyFile) }()
	return srv, ln, cancel, served
}

func TestGracefulShutdown(t *testing.T) {
	data := testkit.Testdata(t, "esempio-fondazione.xlsx")
	srv, ln, cancel, done := serving(t, Config{ClientRate: -1}, "", "")
	base := "http://" + ln.Addr().String()
	finish, res := stalledUpload(t, base, data)
	// Wait until the server holds the upload, then ask it to stop.
	waitGate(srv, 5*time.Second, holding)
	cancel()
	time.Sleep(100 * time.Millisecond)
	select {
	case err := <-done:
		t.Fatalf("the server stopped before the audit in flight finished: %v", err)
	default:
	}
	finish()
	a := <-res
	r := a.report(t)
	if r.FileSHA256 != sha(data) {
		t.Errorf("in-flight audit answered for another file")
	}
	if err := <-done; err != nil {
		t.Errorf("serve: %v", err)
	}
	if _, err := net.DialTimeout("tcp", ln.Addr().String(), time.Second); err == nil {
		t.Error("the server still accepts connections after shutdown")
	}
}

func TestTLS(t *testing.T) {
	certFile, keyFile, pool := selfSigned(t)
	srv, ln, cancel, done := serving(t, Config{}, certFile, keyFile)
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	base := "https://" + ln.Addr().String()
	req, _ := http.NewRequest(http.MethodGet, base+"/healthz", nil)
	a := do(t, client, req)
	if a.status != 200 || a.header.Get("Strict-Transport-Security") == "" {
		t.Errorf("HTTPS /healthz: %d %v", a.status, a.header)
	}
	if got := srv.PublicURL(); !strings.HasPrefix(got, "https://127.0.0.1:") {
		t.Errorf("public URL from the TLS listener: %q", got)
	}
	req, _ = http.NewRequest(http.MethodGet, base+"/addin/manifest.xml", nil)
	if a := do(t, client, req); !strings.Contains(string(a.body), srv.PublicURL()+"/addin/taskpane.html") {
		t.Errorf("manifest does not use the listener's https address: %.300s", a.body)
	}
	if err := serveWithoutKey(certFile); err == nil {
		t.Error("a certificate without its key must be refused")
	}
}

// serveWithoutKey serves with a certificate but no key.
func serveWithoutKey(certFile string) error {
	srv, err := New(Config{})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer ln.Close()
	return srv.Serve(context.Background(), ln, certFile, "")
}

// selfSigned writes a certificate for 127.0.0.1 and its key, and returns a
// pool trusting it.
func selfSigned(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "auditor test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:         true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = dir+"/cert.pem", dir+"/key.pem"
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}
