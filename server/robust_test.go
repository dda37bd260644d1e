package server

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/its-academy/auditor/testkit"
)

// clientFrom is an HTTP client whose connections leave from a loopback
// address of its own (127.0.0.x).
func clientFrom(ip string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
	return &http.Client{Transport: &http.Transport{DialContext: d.DialContext, DisableKeepAlives: true}}
}

// trickle sends a body of size bytes one byte every interval until stop is
// closed, from the given client; its answer (or error) goes to out.
func trickle(t *testing.T, client *http.Client, url string, size int, interval time.Duration, stop <-chan struct{}, out chan<- answer) {
	t.Helper()
	pr, pw := io.Pipe()
	req, err := http.NewRequest(http.MethodPost, url, pr)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", MIMEXLSX)
	req.ContentLength = int64(size)
	go func() {
		defer pw.Close()
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for range size {
			select {
			case <-stop:
				return
			case <-tick.C:
				if _, err := pw.Write([]byte{'P'}); err != nil {
					return
				}
			}
		}
	}()
	go func() {
		a, _ := send(client, req)
		out <- a
	}()
}

// TestSlowUploadsDoNotStarve sends 40 uploads at 1 byte/s from 40
// loopback addresses, with the default limits, then a normal upload from
// another address: it must be audited at once, not refused as busy.
func TestSlowUploadsDoNotStarve(t *testing.T) {
	data := testkit.Testdata(t, "esempio-fondazione.xlsx")
	srv, base := startServer(t, Config{MaxConcurrent: 1, MaxQueue: 4})
	stop := make(chan struct{})
	slow := make(chan answer, 40)
	for i := 2; i <= 41; i++ {
		trickle(t, clientFrom(fmt.Sprintf("127.0.0.%d", i)), base+"/api/audit", len(data), time.Second, stop, slow)
	}
	waitGate(srv, 5*time.Second, func(g gateState) bool { return g.uploading >= 40 })
	if g := srv.gate.state(); g.uploading != 40 || g.running+g.waiting != 0 {
		t.Fatalf("the slow uploads: %d uploading, %d running, %d waiting; want 40, 0, 0", g.uploading, g.running, g.waiting)
	}
	body, ct := multipartBody(t, "f.xlsx", data, nil)
	req, _ := http.NewRequest(http.MethodPost, base+"/api/audit", body)
	req.Header.Set("Content-Type", ct)
	start := time.Now()
	a := do(t, clientFrom("127.0.0.42"), req)
	took := time.Since(start)
	if a.status != http.StatusOK {
		t.Errorf("normal upload beside 40 slow ones: %d %s", a.status, a.body)
	}
	if took > 5*time.Second {
		t.Errorf("normal upload beside 40 slow ones took %v", took)
	}
	close(stop)
	for range 40 {
		<-slow
	}
}

// TestSlowUploadCutOff checks that a body slower than the minimum rate is
// refused with 408 once its grace is over, and frees its client's share.
func TestSlowUploadCutOff(t *testing.T) {
	srv, base := startServer(t, Config{UploadGrace: 300 * time.Millisecond, MinUploadRate: 1000, MaxPerClient: 1, ClientRate: -1})
	stop := make(chan struct{})
	defer close(stop)
	out := make(chan answer, 1)
	start := time.Now()
	// 10 bytes per second against 1,000 bytes per second after 0.3 s.
	trickle(t, http.DefaultClient, base+"/api/audit", 5000, 100*time.Millisecond, stop, out)
	var a answer
	select {
	case a = <-out:
	case <-time.After(10 * time.Second):
		t.Fatal("a slow body was not cut off")
	}
	if a.status != http.StatusRequestTimeout || a.apiError(t).Code != CodeTimeout || !contains(a.apiError(t).Message, "troppo lentamente", "1000 byte", "0.3 secondi") {
		t.Errorf("slow body: %d %s", a.status, a.body)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("cut off after %v", took)
	}
	if g := srv.gate.state(); g.uploading != 0 || g.bodyBytes != 0 {
		t.Errorf("after the cut-off the gate still holds %d uploads, %d body bytes", g.uploading, g.bodyBytes)
	}
}

// TestBodyBudget checks that the bodies held by all requests are bounded:
// one upload holding half of a 38 kB workbook leaves no room under a
// 30,000-byte budget for a second whole one.
func TestBodyBudget(t *testing.T) {
	data := testkit.Testdata(t, "esempio-fondazione.xlsx") // 38,698 bytes
	srv, base := startServer(t, Config{MaxBodyBytes: 30_000, ClientRate: -1, MaxPerClient: -1})
	finish, res := stalledUpload(t, base, data) // holds 19,349 bytes
	waitGate(srv, 5*time.Second, func(g gateState) bool { return g.bodyBytes >= int64(len(data)/2) })
	a := postRaw(t, base, "", data, nil)
	if !a.retryLater(t, http.StatusServiceUnavailable, CodeBusy) {
		t.Errorf("second body over the budget: %d %s", a.status, a.body)
	}
	finish()
	// 38,698 bytes alone exceed 30,000 too: the held upload is refused
	// as well once the rest arrives.
	if a := <-res; a.status != http.StatusServiceUnavailable {
		t.Errorf("held upload past the budget: %d %s", a.status, a.body)
	}
	if g := srv.gate.state(); g.bodyBytes != 0 {
		t.Errorf("the gate still counts %d body bytes", g.bodyBytes)
	}
	// A body within the budget passes.
	_, roomy := startServer(t, Config{MaxBodyBytes: int64(len(data)), ClientRate: -1})
	if a := postRaw(t, roomy, "", data, nil); a.status != http.StatusOK {
		t.Errorf("body within the budget: %d %s", a.status, a.body)
	}
}

func TestClientKey(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"192.0.2.7", "192.0.2.7"},
		{"::ffff:192.0.2.7", "192.0.2.7"},
		{"2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"},
		{"2001:db8:1:2::1", "2001:db8:1:2::/64"},
		{"2001:db8:1:3::1", "2001:db8:1:3::/64"},
		{"not an address", "not an address"},
	} {
		if got := clientKey(tc.in); got != tc.want {
			t.Errorf("clientKey(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestCancelOnClientGone checks that when the client goes away its audit's
// context is cancelled at once and the audit gives its slot back.
func TestCancelOnClientGone(t *testing.T) {
	data := testkit.Testdata(t, "esempio-fondazione.xlsx")
	started := make(chan struct{})
	stopped := make(chan time.Time, 1)
	srv, base := startServer(t, Config{ClientRate: -1}, func(s *Server) {
		s.beforeAudit = func(ctx context.Context) {
			close(started)
			select {
			case <-ctx.Done():
				stopped <- time.Now()
			case <-time.After(30 * time.Second):
			}
		}
	})
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/audit", strings.NewReader(string(data)))
	req.Header.Set("Content-Type", MIMEXLSX)
	var wg sync.WaitGroup
	wg.Go(func() {
		if res, err := http.DefaultClient.Do(req); err == nil {
			res.Body.Close()
		}
	})
	<-started
	gone := time.Now()
	cancel()
	wg.Wait()
	select {
	case at := <-stopped:
		if d := at.Sub(gone); d > time.Second {
			t.Errorf("the audit saw the client go after %v", d)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the audit did not see the client go")
	}
	waitGate(srv, time.Second, func(g gateState) bool { return g.running == 0 })
	if g := srv.gate.state(); g.running+g.waiting != 0 || g.memBytes != 0 {
		t.Errorf("after the client left: %d running, %d waiting, %d bytes of memory held", g.running, g.waiting, g.memBytes)
	}
}

// TestCancelOnTimeout checks that an audit past the request time is
// stopped and frees its slot, while the client gets its 503.
func TestCancelOnTimeout(t *testing.T) {
	data := testkit.Testdata(t, "esempio-fondazione.xlsx")
	srv, base := startServer(t, Config{RequestTimeout: 200 * time.Millisecond, ClientRate: -1}, func(s *Server) {
		s.beforeAudit = func(ctx context.Context) {
			select {
			case <-ctx.Done():
			case <-time.After(30 * time.Second):
			}
		}
	})
	a := postRaw(t, base, "", data, nil)
	if a.status != http.StatusServiceUnavailable || a.apiError(t).Code != CodeTimeout {
		t.Fatalf("audit past the request time: %d %s", a.status, a.body)
	}
	waitGate(srv, time.Second, func(g gateState) bool { return g.running == 0 })
	if g := srv.gate.state(); g.running != 0 {
		t.Errorf("a second after the timeout %d audits still run", g.running)
	}
}

// TestWorkBudgets checks the per-request budgets and the memory budget:
// each refusal names its limit.
func TestWorkBudgets(t *testing.T) {
	data := workbook(t, 10, "BUDGET", 0)
	probe, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	per := probe.articulationsPerCourse()
	cost := probe.auditCost(data)
	for _, tc := range []struct {
		name   string
		cfg    Config
		query  string
		status int
		code   Code
		msg    []string
	}{
		{"courses within", Config{MaxWork: 10 * per}, "", 200, "", nil},
		{"courses over", Config{MaxWork: 10*per - 1}, "", 422, CodeNotAuditable, []string{"10 righe di percorsi", "al massimo 9"}},
		{"courses over, xlsx", Config{MaxWork: 10*per - 1}, "?format=xlsx", 422, CodeNotAuditable, []string{"al massimo 9"}},
		{"findings over", Config{MaxFindings: 1}, "", 422, CodeNotAuditable, []string{"segnalazioni", "limite di 1 "}},
		{"report over", Config{MaxReportBytes: 1000}, "", 422, CodeNotAuditable, []string{"resoconto JSON", "1000 byte"}},
		{"report limit, xlsx", Config{MaxReportBytes: 1000}, "?format=xlsx", 200, "", nil},
		{"memory never enough", Config{MaxMemory: cost - 1}, "", 413, CodeTooLarge, []string{"memoria", "limite di"}},
		{"memory to read, not to score", Config{MaxMemory: cost + courseCost(10, false) - 1}, "", 413, CodeTooLarge, []string{"memoria", "limite di"}},
		{"memory just enough", Config{MaxMemory: cost + courseCost(10, false)}, "", 200, "", nil},
		{"memory just enough, xlsx", Config{MaxMemory: cost + courseCost(10, true)}, "?format=xlsx", 200, "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.ClientRate = -1
			_, base := startServer(t, tc.cfg)
			a := postRaw(t, base, tc.query, data, nil)
			if a.status != tc.status {
				t.Fatalf("status %d, want %d: %s", a.status, tc.status, a.body)
			}
			if tc.status != 200 {
				if e := a.apiError(t); e.Code != tc.code || !contains(e.Message, tc.msg...) {
					t.Errorf("answer %+v, want code %s naming %q", e, tc.code, tc.msg)
				}
			}
		})
	}
}

// TestMemoryBudgetBusy checks that an audit whose estimate does not fit
// beside the one running gets 503 at once, and fits again afterwards.
func TestMemoryBudgetBusy(t *testing.T) {
	data := testkit.Testdata(t, "esempio-fondazione.xlsx")
	probe, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	cost := probe.auditCost(data)
	release := make(chan struct{})
	_, base := startServer(t, Config{MaxMemory: 2*cost - 1, ClientRate: -1}, func(s *Server) {
		s.beforeAudit = func(context.Context) { <-release }
	})
	first := make(chan answer, 1)
	go func() { first <- postRaw(t, base, "", data, nil) }()
	var a answer
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		req, _ := http.NewRequest(http.MethodGet, base+"/healthz", nil)
		if strings.Contains(string(do(t, nil, req).body), `"audits_running":1`) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	start := time.Now()
	a = postRaw(t, base, "", data, nil)
	if a.status != http.StatusServiceUnavailable || a.apiError(t).Code != CodeBusy || !contains(a.apiError(t).Message, "memoria") {
		t.Errorf("second audit beside the first: %d %s", a.status, a.body)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("the refusal took %v", d)
	}
	close(release)
	if a := <-first; a.status != 200 {
		t.Errorf("first audit: %d %s", a.status, a.body)
	}
	if a := postRaw(t, base, "", data, nil); a.status != 200 {
		t.Errorf("after the first: %d %s", a.status, a.body)
	}
}

// TestBatchBudgets checks that a batch's file past the per-request course
// budget, or past the budget of course rows for the whole batch, is listed
// as not audited with its reason, the others summarised.
func TestBatchBudgets(t *testing.T) {
	probe, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name          string
		cfg           Config
		first, second string // 4 and 2 courses
		reason        string
		kept, left    string // course codes in and out of the summary
	}{
		{"work per file", Config{MaxWork: 3 * probe.articulationsPerCourse(), ClientRate: -1}, "GRANDE", "PICCOLO",
			`"reason": "grande.xlsx: ha 4 righe di percorsi, oltre il limite di 3 per file`, "PICCOLO-001", "GRANDE-001"},
		{"rows per batch", Config{MaxBatchRows: 5, ClientRate: -1}, "PRIMO", "SECONDO",
			`"reason": "secondo.xlsx: con le sue 2 righe di percorsi supererebbe il limite di 5 percorsi per riepilogo`, "PRIMO-001", "SECONDO-001"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, base := startServer(t, tt.cfg)
			a := postBatch(t, base, "", []testkit.File{
				{Name: strings.ToLower(tt.first) + ".xlsx", Data: workbook(t, 4, tt.first, 0)},
				{Name: strings.ToLower(tt.second) + ".xlsx", Data: workbook(t, 2, tt.second, 0)},
			})
			if a.status != http.StatusOK {
				t.Fatalf("%d %s", a.status, a.body)
			}
			if !contains(string(a.body), tt.reason, `"code": "`+tt.kept+`"`) || strings.Contains(string(a.body), `"code": "`+tt.left+`"`) {
				t.Errorf("summary:\n%s", a.body)
			}
		})
	}
}

// TestKeepAliveAfterRefusal checks that a request refused after its body
// was read whole (a bad parameter) leaves its connection fit for the
// next request: the next audit on it is not cancelled.
func TestKeepAliveAfterRefusal(t *testing.T) {
	data := testkit.Testdata(t, "esempio-fondazione.xlsx")
	_, base := startServer(t, Config{ClientRate: -1})
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1, MaxConnsPerHost: 1}}
	post := func(query string) answer {
		req, _ := http.NewRequest(http.MethodPost, base+"/api/audit"+query, strings.NewReader(string(data)))
		req.Header.Set("Content-Type", MIMEXLSX)
		return do(t, client, req)
	}
	for i := range 3 {
		if a := post("?format=doc"); a.status != http.StatusBadRequest {
			t.Fatalf("round %d, bad parameter: %d %s", i, a.status, a.body)
		}
		time.Sleep(50 * time.Millisecond)
		if a := post(""); a.status != http.StatusOK {
			t.Fatalf("round %d, the next audit on the same connection: %d %s", i, a.status, a.body)
		}
	}
}
