//go:build unix

package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/its-academy/auditor/pipeline"
	"github.com/its-academy/auditor/testkit"
	"github.com/its-academy/auditor/validate"
)

// A JSON report is written as it is produced: a report that outgrows the
// budget once its first bytes are sent cannot turn into a 422, so the
// connection is cut and the client sees a truncated transfer, never a
// well-formed report. The server goes on answering, its gate empty.
func TestStreamedReportCutPastBudget(t *testing.T) {
	var logs syncBuffer
	data := workbook(t, 200, "TAGLIO", 0)
	srv, base := startServer(t, Config{MaxReportBytes: 300_000, ClientRate: -1, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	req, _ := http.NewRequest(http.MethodPost, base+"/api/audit", bytes.NewReader(data))
	req.Header.Set("Content-Type", MIMEXLSX)
	a, err := send(nil, req)
	if a.status != http.StatusOK {
		t.Fatalf("status %d, want 200 sent with the first bytes: %s", a.status, a.body)
	}
	if err == nil || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("reading the answer: %v, want a truncated transfer", err)
	}
	if len(a.body) < streamBuffer || len(a.body) > 300_000 {
		t.Errorf("%d bytes received, want between the first flush and the budget", len(a.body))
	}
	if !contains(logs.String(), "answer cut short") {
		t.Errorf("the cut is not logged:\n%s", logs.String())
	}
	if g := waitGate(srv, time.Second, func(g gateState) bool { return !holding(g) && g.memBytes == 0 }); holding(g) || g.memBytes != 0 {
		t.Errorf("after the cut: %+v", g)
	}
	small := workbook(t, 5, "DOPO", 0)
	if b := postRaw(t, base, "", small, nil); b.status != http.StatusOK {
		t.Errorf("next audit: %d %s", b.status, b.body)
	}
}

// A client that leaves while its report is being written stops the
// writing: the audit's slot and memory are free within a second, and the
// server sent far less than the whole report. The client's receive buffer
// is small, so the report (megabytes) cannot all sit in the sockets.
func TestStreamedReportStopsWhenClientLeaves(t *testing.T) {
	var logs syncBuffer
	data := workbook(t, 1000, "VIA", 0)
	srv, base := startServer(t, Config{ClientRate: -1, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	client := smallBufferClient()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/audit", bytes.NewReader(data))
	req.Header.Set("Content-Type", MIMEXLSX)
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	if _, err := io.ReadFull(res.Body, make([]byte, 32<<10)); err != nil {
		t.Fatal(err)
	}
	cancel()
	res.Body.Close()
	left := time.Now()
	g := waitGate(srv, time.Second, func(g gateState) bool { return !holding(g) && g.memBytes == 0 })
	if holding(g) || g.memBytes != 0 {
		t.Fatalf("a second after the client left: %+v", g)
	}
	t.Logf("gate free %v after the client left", time.Since(left))
	m := regexp.MustCompile(`answer cut short.*sent_bytes=(\d+)`).FindStringSubmatch(logs.String())
	if m == nil {
		t.Fatalf("the server did not stop writing:\n%s", logs.String())
	}
	if sent, _ := strconv.Atoi(m[1]); sent > 5<<20 {
		t.Errorf("the server sent %d bytes before stopping", sent)
	}
}

// smallBufferClient is a client whose sockets receive into 16 kB, so that
// an answer of megabytes cannot sit in them.
func smallBufferClient() *http.Client {
	d := &net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) { serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 16<<10) })
		if err != nil {
			return err
		}
		return serr
	}}
	return &http.Client{Transport: &http.Transport{DialContext: d.DialContext, DisableKeepAlives: true}}
}

// A client that stops reading, connection open, holds a write of its
// answer: when the request time runs out the write fails at once (the
// write deadline is brought to now) and the audit's place is free within
// a second, not at the server's write timeout.
func TestStreamedReportClientStopsReading(t *testing.T) {
	data := workbook(t, 1000, "FERMO", 0)
	const limit = 2 * time.Second
	srv, base := startServer(t, Config{ClientRate: -1, RequestTimeout: limit})
	for _, query := range []string{"", "?format=xlsx"} { // the report, the copy (megabytes each)
		req, _ := http.NewRequest(http.MethodPost, base+"/api/audit"+query, bytes.NewReader(data))
		req.Header.Set("Content-Type", MIMEXLSX)
		start := time.Now()
		res, err := smallBufferClient().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(res.Body, make([]byte, 32<<10)); err != nil {
			t.Fatal(err)
		}
		// The client reads no more and keeps its connection.
		g := waitGate(srv, limit+time.Second-time.Since(start), func(g gateState) bool { return !holding(g) && g.memBytes == 0 })
		res.Body.Close()
		if holding(g) || g.memBytes != 0 {
			t.Fatalf("%q: %v after the request began (time limit %v): %+v", query, time.Since(start), limit, g)
		}
		t.Logf("%q: place free %v after the request began", query, time.Since(start))
	}
}

// The report's floor is one: never more than what the audit writes, for
// every course (scored or not, with its findings) and for the whole report
// of each bundled example.
func TestReportEstimateIsAFloor(t *testing.T) {
	for _, name := range []string{"esempio-fondazione.xlsx", "esempio-casi-limite.xlsx", "esempio-incoerente.xlsx"} {
		res, err := pipeline.Run(context.Background(), testkit.Testdata(t, name), name, pipeline.Options{})
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := res.WriteReport(&b, false); err != nil {
			t.Fatal(err)
		}
		if est := reportEstimate(res.Audit); est > int64(b.Len()) || est < int64(b.Len())/40 {
			t.Errorf("%s: floor %d bytes, report %d", name, est, b.Len())
		}
		rep := res.Report()
		for i, rc := range rep.Courses {
			one := &validate.Audit{Courses: res.Audit.Courses[i : i+1]}
			var js bytes.Buffer
			enc := json.NewEncoder(&js)
			enc.SetEscapeHTML(false) // as the report is written
			if err := enc.Encode(rc); err != nil {
				t.Fatal(err)
			}
			if est := reportEstimate(one); est > int64(js.Len()-1) {
				t.Errorf("%s, course %s: floor %d bytes, written %d", name, rc.Code, est, js.Len()-1)
			}
		}
	}
}
