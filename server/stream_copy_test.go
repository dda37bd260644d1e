package server

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/its-academy/auditor/pipeline"
	"github.com/its-academy/auditor/xlsxio"
	"github.com/xuri/excelize/v2"
)

// TestXLSXAnswerVerifies: the streamed xlsx answer has its type and file
// name, and it is an audited copy that the recomputation from its stamp
// confirms.
func TestXLSXAnswerVerifies(t *testing.T) {
	data := workbook(t, 40, "FLUSSO", 0)
	_, base := startServer(t, Config{ClientRate: -1})
	a := postRaw(t, base, "?format=xlsx", data, map[string]string{"X-File-Name": "flusso.xlsx"})
	if a.status != http.StatusOK {
		t.Fatalf("status %d: %s", a.status, a.body)
	}
	if ct := a.header.Get("Content-Type"); ct != MIMEXLSX {
		t.Errorf("Content-Type %q", ct)
	}
	if cd := a.header.Get("Content-Disposition"); !strings.Contains(cd, `filename="flusso-verificato.xlsx"`) {
		t.Errorf("Content-Disposition %q", cd)
	}
	v, err := pipeline.VerifyCopy(a.body, "flusso-verificato.xlsx", nil, xlsxio.DefaultLimits())
	if err != nil {
		t.Fatalf("VerifyCopy: %v", err)
	}
	if !v.OK() || v.Checked == 0 {
		t.Errorf("VerifyCopy: %d cells checked, differences %v", v.Checked, v.Differences)
	}
}

// failingWriter passes through limit bytes, then fails.
type failingWriter struct {
	w     io.Writer
	limit int
	n     int
}

var errInjected = errors.New("injected failure")

func (f *failingWriter) Write(p []byte) (int, error) {
	if f.n+len(p) > f.limit {
		return 0, errInjected
	}
	f.n += len(p)
	return f.w.Write(p)
}

// TestXLSXErrorAfterHeadersCutsTheAnswer: an error once the copy has begun
// cuts the connection: the client gets a transfer error and a truncated
// body that is no workbook, never a 200 that looks whole; the error is
// logged and the audit's place is given back.
func TestXLSXErrorAfterHeadersCutsTheAnswer(t *testing.T) {
	data := workbook(t, 40, "TAGLIO", 0)
	logs := &syncBuffer{}
	srv, base := startServer(t, Config{ClientRate: -1, Logger: slog.New(slog.NewTextHandler(logs, nil))}, func(s *Server) {
		s.copyWriter = func(w io.Writer) io.Writer { return &failingWriter{w: w, limit: streamBuffer + 20<<10} }
	})
	req, err := http.NewRequest(http.MethodPost, base+"/api/audit?format=xlsx", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", MIMEXLSX)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("the headers should have come: %v", err)
	}
	body, readErr := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d: the failure came after the headers", res.StatusCode)
	}
	if readErr == nil {
		t.Errorf("the body (%d bytes) ended cleanly: the client cannot tell it is cut", len(body))
	}
	if len(body) > streamBuffer+20<<10 {
		t.Errorf("the client got %d bytes, more than the %d written", len(body), streamBuffer+20<<10)
	}
	if _, err := zip.NewReader(bytes.NewReader(body), int64(len(body))); err == nil {
		t.Error("the truncated body reads as a zip")
	}
	g := waitGate(srv, time.Second, func(g gateState) bool { return !holding(g) && g.memBytes == 0 })
	if holding(g) || g.memBytes != 0 {
		t.Errorf("after the cut: %+v", g)
	}
	if !strings.Contains(logs.String(), "injected failure") {
		t.Errorf("the error is not logged: %s", logs.String())
	}
}

// slowWriter passes writes through, and once fast bytes have gone signals
// midway and then takes 20 ms per write, as a copy still being produced;
// it counts the writes after the signal.
type slowWriter struct {
	w      io.Writer
	fast   int
	n      int
	once   sync.Once
	midway chan struct{}
	after  *atomic.Int32
}

func (s *slowWriter) Write(p []byte) (int, error) {
	if s.n >= s.fast {
		s.once.Do(func() { close(s.midway) })
		s.after.Add(1)
		time.Sleep(20 * time.Millisecond)
	}
	n, err := s.w.Write(p)
	s.n += n
	return n, err
}

// TestXLSXClientGoneMidDownloadStopsTheCopy: a client that goes away while
// the copy is being sent stops its writing: within a second the audit has
// given back its place and its memory, and no more is written.
func TestXLSXClientGoneMidDownloadStopsTheCopy(t *testing.T) {
	data := workbook(t, 200, "VIA", 0)
	midway := make(chan struct{})
	var after atomic.Int32
	srv, base := startServer(t, Config{ClientRate: -1}, func(s *Server) {
		s.copyWriter = func(w io.Writer) io.Writer {
			return &slowWriter{w: w, fast: 64 << 10, midway: midway, after: &after}
		}
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/audit?format=xlsx", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", MIMEXLSX)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	if _, err := io.ReadFull(res.Body, make([]byte, 16<<10)); err != nil {
		t.Fatalf("reading the start of the copy: %v", err)
	}
	select {
	case <-midway:
	case <-time.After(10 * time.Second):
		t.Fatal("the copy never reached its slow part")
	}
	cancel()
	res.Body.Close()
	gone := time.Now()
	g := waitGate(srv, time.Second, func(g gateState) bool { return !holding(g) && g.memBytes == 0 })
	if holding(g) || g.memBytes != 0 {
		t.Fatalf("%v after the client left: %+v", time.Since(gone), g)
	}
	writes := after.Load()
	time.Sleep(200 * time.Millisecond)
	if more := after.Load() - writes; more != 0 {
		t.Errorf("%d writes after the audit gave its place back", more)
	}
	// The whole copy at 20 ms a write would take far longer than this.
	if writes > 100 {
		t.Errorf("%d slow writes before the copy stopped", writes)
	}
}

// TestXLSXRefusalBeforeTheFirstByte: a workbook whose user has a sheet
// named like a product sheet is refused with a clean JSON error (the
// refusal comes before any byte of the copy), and nothing of a copy.
func TestXLSXRefusalBeforeTheFirstByte(t *testing.T) {
	f, err := excelize.OpenReader(bytes.NewReader(workbook(t, 5, "NOME", 0)))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.NewSheet(xlsxio.SheetOutcome); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	srv, base := startServer(t, Config{ClientRate: -1})
	a := postRaw(t, base, "?format=xlsx", buf.Bytes(), nil)
	if a.status < 400 || a.status > 499 {
		t.Fatalf("status %d: %.200s", a.status, a.body)
	}
	if e := a.apiError(t); e.Kind != "sheet_name_taken" || !strings.Contains(e.Message, xlsxio.SheetOutcome) {
		t.Errorf("error %+v", e)
	}
	if cd := a.header.Get("Content-Disposition"); cd != "" {
		t.Errorf("a refusal with Content-Disposition %q", cd)
	}
	if g := waitGate(srv, time.Second, func(g gateState) bool { return !holding(g) }); holding(g) || g.memBytes != 0 {
		t.Errorf("after the refusal: %+v", g)
	}
}
