package server

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/its-academy/auditor/testkit"
)

// logLines are the access log's lines for one request id.
func logLines(log, id string) []string {
	var out []string
	for _, l := range strings.Split(log, "\n") {
		if strings.Contains(l, "request_id="+id+" ") {
			out = append(out, l)
		}
	}
	return out
}

// TestAccessLogAttribution checks that each access log line names the
// request id (the one the client got) and the client address as the
// server sees it, believing X-Forwarded-For only from a configured proxy,
// refusals included.
func TestAccessLogAttribution(t *testing.T) {
	var logs syncBuffer
	release := make(chan struct{})
	_, base := startServer(t, Config{TrustedProxies: []string{"127.0.0.1"}, MaxConcurrent: 1, MaxQueue: 1, MaxPerClient: -1,
		ClientRate: 1, ClientBurst: 3, Logger: slog.New(slog.NewTextHandler(&logs, nil))}, func(s *Server) {
		s.beforeAudit = func(context.Context) { <-release }
	})
	data := testkit.Testdata(t, "esempio-fondazione.xlsx")
	getFrom := func(ip, xff string) answer {
		req, _ := http.NewRequest(http.MethodGet, base+"/api/info", nil)
		if xff != "" {
			req.Header.Set("X-Forwarded-For", xff)
		}
		return do(t, clientFrom(ip), req)
	}
	check := func(what string, a answer, status int, client string) {
		t.Helper()
		id := a.header.Get("X-Request-Id")
		if a.status != status || !regexp.MustCompile(`^[0-9a-f]{16}$`).MatchString(id) {
			t.Errorf("%s: status %d, id %q", what, a.status, id)
			return
		}
		if status >= 400 && a.apiError(t).RequestID != id {
			t.Errorf("%s: the error's request_id %q is not the header's %q", what, a.apiError(t).RequestID, id)
		}
		lines := logLines(logs.String(), id)
		if len(lines) != 1 || !strings.Contains(lines[0], " client="+client+" ") || !strings.Contains(lines[0], " status="+strconv.Itoa(status)+" ") {
			t.Errorf("%s: log lines for %s: %q, want client=%s status=%d", what, id, lines, client, status)
		}
	}
	check("through the proxy", getFrom("127.0.0.1", "203.0.113.9"), 200, "203.0.113.9")
	check("forged, not from the proxy", getFrom("127.0.0.2", "203.0.113.9"), 200, "127.0.0.2")
	check("chain through the proxy", getFrom("127.0.0.1", "198.51.100.1, 203.0.113.10"), 200, "203.0.113.10")
	// 429: the rate of 203.0.113.11 is spent by its burst of 3.
	for range 3 {
		getFrom("127.0.0.1", "203.0.113.11")
	}
	check("429", getFrom("127.0.0.1", "203.0.113.11"), http.StatusTooManyRequests, "203.0.113.11")
	// 503: one audit held, one waiting, the third refused.
	held := make(chan answer, 2)
	for i, ip := range []string{"127.0.0.3", "127.0.0.4"} {
		go func() {
			req, _ := http.NewRequest(http.MethodPost, base+"/api/audit", strings.NewReader(string(data)))
			req.Header.Set("Content-Type", MIMEXLSX)
			held <- do(t, clientFrom(ip), req)
		}()
		if i == 0 {
			time.Sleep(200 * time.Millisecond)
		}
	}
	time.Sleep(300 * time.Millisecond)
	req, _ := http.NewRequest(http.MethodPost, base+"/api/audit", strings.NewReader(string(data)))
	req.Header.Set("Content-Type", MIMEXLSX)
	check("503", do(t, clientFrom("127.0.0.5"), req), http.StatusServiceUnavailable, "127.0.0.5")
	close(release)
	<-held
	<-held
}

// TestHEAD checks that HEAD is answered wherever GET is, with GET's status
// and type and no body.
func TestHEAD(t *testing.T) {
	_, base := startServer(t, Config{})
	for _, path := range []string{"/", "/regione", "/healthz", "/api/info", "/addin/taskpane.html", "/addin/manifest.xml", "/static/app.css", "/static/icons/icon-16.png"} {
		get, _ := http.NewRequest(http.MethodGet, base+path, nil)
		head, _ := http.NewRequest(http.MethodHead, base+path, nil)
		g, h := do(t, nil, get), do(t, nil, head)
		if g.status != 200 || h.status != 200 || len(h.body) != 0 || h.header.Get("Content-Type") != g.header.Get("Content-Type") {
			t.Errorf("%s: GET %d %q, HEAD %d %q with %d bytes", path, g.status, g.header.Get("Content-Type"), h.status, h.header.Get("Content-Type"), len(h.body))
		}
	}
}

// TestMethodNotAllowed checks that a wrong method on an API endpoint is a
// 405 in JSON naming the allowed methods.
func TestMethodNotAllowed(t *testing.T) {
	_, base := startServer(t, Config{})
	for _, tc := range []struct{ method, path, allow string }{
		{http.MethodGet, "/api/audit", "POST"},
		{http.MethodPut, "/api/batch", "POST"},
		{http.MethodDelete, "/api/info", "GET"},
		{http.MethodPost, "/api/info", "HEAD"},
	} {
		req, _ := http.NewRequest(tc.method, base+tc.path, nil)
		a := do(t, nil, req)
		if a.status != http.StatusMethodNotAllowed || a.apiError(t).Code != CodeMethod || !strings.Contains(a.header.Get("Allow"), tc.allow) {
			t.Errorf("%s %s: %d %s, Allow %q", tc.method, tc.path, a.status, a.body, a.header.Get("Allow"))
		}
	}
}

// rawRequest writes a request as it is on a new connection and reads the
// answer.
func rawRequest(t *testing.T, base, raw string) answer {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	go func() { _, _ = io.WriteString(conn, raw) }()
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("reading the answer: %v", err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return answer{status: res.StatusCode, header: res.Header, body: body}
}

// TestProtocolErrorsInJSON checks that the answers to requests net/http
// refuses by itself (headers too large, a malformed or missing Host) are
// in the API's JSON, as are headers over the server's own limit.
func TestProtocolErrorsInJSON(t *testing.T) {
	_, base := startServer(t, Config{})
	for _, tc := range []struct {
		name   string
		raw    string
		status int
		code   Code
		msg    string
	}{
		{"headers over the server's limit", "GET /api/info HTTP/1.1\r\nHost: x\r\nX-Big: " + strings.Repeat("a", 70<<10) + "\r\n\r\n", 431, CodeTooLarge, "64 kB"},
		{"headers over net/http's limit", "GET /api/info HTTP/1.1\r\nHost: x\r\nX-Big: " + strings.Repeat("a", 2<<20) + "\r\n\r\n", 431, CodeTooLarge, "64 kB"},
		{"malformed Host", "GET /api/info HTTP/1.1\r\nHost: a b\r\n\r\n", 400, CodeBadRequest, "Host"},
		{"missing Host", "GET /api/info HTTP/1.1\r\n\r\n", 400, CodeBadRequest, "Host"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := rawRequest(t, base, tc.raw)
			if a.status != tc.status || !strings.HasPrefix(a.header.Get("Content-Type"), "application/json") {
				t.Fatalf("%d %q: %s", a.status, a.header.Get("Content-Type"), a.body)
			}
			if e := a.apiError(t); e.Code != tc.code || e.Status != tc.status || !strings.Contains(e.Message, tc.msg) {
				t.Errorf("answer %+v", e)
			}
		})
	}
}

// TestBearerSchemeCase checks that the Bearer scheme is matched without
// regard to case, the token exactly.
func TestBearerSchemeCase(t *testing.T) {
	_, base := startServer(t, Config{Token: "s3gr3to", ClientRate: -1})
	data := testkit.Testdata(t, "esempio-fondazione.xlsx")
	for _, tc := range []struct {
		header string
		status int
	}{
		{"Bearer s3gr3to", 200},
		{"bearer s3gr3to", 200},
		{"BEARER s3gr3to", 200},
		{"Bearer S3GR3TO", 401},
		{"Basic s3gr3to", 401},
		{"s3gr3to", 401},
	} {
		if a := postRaw(t, base, "", data, map[string]string{"Authorization": tc.header}); a.status != tc.status {
			t.Errorf("%q: %d, want %d", tc.header, a.status, tc.status)
		}
	}
}

// TestNoDirectoryListing checks that /static/ never lists a directory.
func TestNoDirectoryListing(t *testing.T) {
	_, base := startServer(t, Config{})
	for _, tc := range []struct {
		path   string
		status int
	}{
		{"/static/", 404},
		{"/static/icons/", 404},
		{"/static/icons", 404},
		{"/static/vendor/", 404},
		{"/static/../index.html", 404},
		{"/static/app.css", 200},
		{"/static/icons/icon-16.png", 200},
	} {
		req, _ := http.NewRequest(http.MethodGet, base+tc.path, nil)
		a := do(t, nil, req)
		if a.status != tc.status || strings.Contains(string(a.body), "<a href") {
			t.Errorf("%s: %d %.80s", tc.path, a.status, a.body)
		}
		if tc.status == 404 && a.apiError(t).Code != CodeNotFound {
			t.Errorf("%s: %s", tc.path, a.body)
		}
	}
}
