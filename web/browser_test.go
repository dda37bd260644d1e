package web_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image/png"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/its-academy/auditor/server"
	"github.com/xuri/excelize/v2"
)

// TestBrowser drives Debian's chromium through web/e2e/upload.mjs
// (playwright-core) against the real server on a loopback port: upload page
// (keyboard, table, findings, traces, contrast, download) and the task pane
// outside Office. The annotated workbook the browser downloaded is then
// opened with excelize. Screenshots are left in $ARTIFACT_DIR (default
// artifacts/web at the repository root).
func TestBrowser(t *testing.T) {
	node, chromium := browserTools(t)
	script, _ := filepath.Abs(filepath.Join("e2e", "upload.mjs"))
	workbook, _ := filepath.Abs(filepath.Join("..", "testdata", "esempio-fondazione.xlsx"))
	artifacts := artifactDir(t, "web")

	base := startServer(t)

	// What the page must show: the server's JSON report of the same file.
	expected := filepath.Join(t.TempDir(), "expected.json")
	if err := os.WriteFile(expected, auditJSON(t, base, workbook, ""), 0o600); err != nil {
		t.Fatal(err)
	}
	// The same file with two choices set on the page's controls.
	chosen := filepath.Join(t.TempDir(), "chosen.json")
	if err := os.WriteFile(chosen, auditJSON(t, base, workbook, "?erratum=E-2%3Dcoherent&interpretation=I-7%3Darticolazione"), 0o600); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, script, base, artifacts, workbook, expected, chosen)
	cmd.Env = append(os.Environ(), "CHROMIUM="+chromium)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		t.Fatalf("browser test failed (%v) after %s:\n%s\n%s", err, time.Since(start).Round(time.Millisecond), stderr.String(), stdout.String())
	}
	t.Logf("browser test: %s", time.Since(start).Round(time.Millisecond))
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	var result struct {
		OK          bool     `json:"ok"`
		Download    string   `json:"download"`
		Template    string   `json:"template"`
		Print       string   `json:"print"`
		Screenshots []string `json:"screenshots"`
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &result); err != nil || !result.OK {
		t.Fatalf("browser test summary %q: %v", lines[len(lines)-1], err)
	}

	for _, shot := range result.Screenshots {
		f, err := os.Open(shot)
		if err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatalf("screenshot %s is not a PNG: %v", shot, err)
		}
		if b := img.Bounds(); b.Dx() < 300 || b.Dy() < 300 {
			t.Errorf("screenshot %s is %v", shot, b)
		}
		t.Logf("screenshot: %s", shot)
	}

	// The workbook downloaded by the browser: the original sheets and the
	// product's, with the finding the page showed.
	wb, err := excelize.OpenFile(result.Download)
	if err != nil {
		t.Fatalf("downloaded workbook: %v", err)
	}
	defer wb.Close()
	sheets := map[string]bool{}
	for _, s := range wb.GetSheetList() {
		sheets[s] = true
	}
	for _, s := range []string{"Percorsi", "Soglie", "Esito", "Punteggi", "Spiegazioni", "Rilievi", "Regole", "Timbro"} {
		if !sheets[s] {
			t.Errorf("downloaded workbook has no sheet %s (sheets: %v)", s, wb.GetSheetList())
		}
	}
	rows, err := wb.GetRows("Rilievi")
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range rows {
		line := strings.Join(r, "|")
		if strings.Contains(line, "LEG-ISCRITTI-MIN") && strings.Contains(line, "H5") {
			found = true
		}
	}
	if !found {
		t.Error("Rilievi of the downloaded workbook has no LEG-ISCRITTI-MIN finding on H5")
	}

	// The blank template the page's link downloaded: the official sheets.
	tpl, err := excelize.OpenFile(result.Template)
	if err != nil {
		t.Fatalf("downloaded template: %v", err)
	}
	defer tpl.Close()
	for _, s := range []string{"Istruzioni", "Fondazione", "Percorsi", "Soglie"} {
		if idx, _ := tpl.GetSheetIndex(s); idx < 0 {
			t.Errorf("downloaded template has no sheet %s (sheets: %v)", s, tpl.GetSheetList())
		}
	}
	if st, err := os.Stat(result.Print); err != nil || st.Size() < 10_000 {
		t.Errorf("printed page %s: %v", result.Print, err)
	}
}

// browserTools returns node and chromium, or skips the test (fails it with
// AUDITOR_REQUIRE_BROWSER=1) when one of them or playwright-core is missing.
func browserTools(t *testing.T) (node, chromium string) {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	require := os.Getenv("AUDITOR_REQUIRE_BROWSER") == "1"
	missing := func(what string) {
		if require {
			t.Fatalf("%s (AUDITOR_REQUIRE_BROWSER=1; scripts/test.sh installs it)", what)
		}
		t.Skipf("%s; scripts/test.sh installs it", what)
	}
	chromium = os.Getenv("CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if _, err := os.Stat(chromium); err != nil {
		missing("chromium not found at " + chromium)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing("node not found")
	}
	if _, err := os.Stat(filepath.Join("e2e", "node_modules", "playwright-core", "package.json")); err != nil {
		missing("web/e2e/node_modules/playwright-core missing (npm ci in web/e2e)")
	}
	return node, chromium
}

// artifactDir is a fresh folder for a browser test's screenshots and
// downloads: $ARTIFACT_DIR/name, by default artifacts/name at the
// repository root.
func artifactDir(t *testing.T, name string) string {
	t.Helper()
	dir := os.Getenv("ARTIFACT_DIR")
	if dir == "" {
		dir = filepath.Join("..", "artifacts")
	}
	dir, _ = filepath.Abs(filepath.Join(dir, name))
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// startServer runs the real server on a loopback port until the test ends.
func startServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	srv, err := server.New(server.Config{PublicURL: base, Version: "0.0.0-test"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln, "", "") }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("server: %v", err)
		}
	})
	for i := 0; i < 50; i++ {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return base
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("server did not answer /healthz")
	return ""
}

// auditJSON posts the workbook to /api/audit (with the query, "" or
// "?…") and returns the JSON report.
func auditJSON(t *testing.T, base, workbook, query string) []byte {
	t.Helper()
	data, err := os.ReadFile(workbook)
	if err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	part, err := mw.CreateFormFile("file", filepath.Base(workbook))
	if err != nil {
		t.Fatal(err)
	}
	part.Write(data)
	mw.Close()
	resp, err := http.Post(base+"/api/audit"+query, mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("POST /api/audit: %d %v\n%s", resp.StatusCode, err, out)
	}
	var rep struct {
		Courses []json.RawMessage `json:"courses"`
	}
	if err := json.Unmarshal(out, &rep); err != nil || len(rep.Courses) == 0 {
		t.Fatalf("report: %v (%d courses)", err, len(rep.Courses))
	}
	return out
}

// TestBrowserRegion drives the regional page (/regione) through
// web/e2e/regione.mjs: two official workbooks and an encrypted one uploaded
// together; the summary shown must be the server's JSON summary of the same
// files, and the summary workbook the browser downloaded must open with its
// sheets.
func TestBrowserRegion(t *testing.T) {
	node, chromium := browserTools(t)
	script, _ := filepath.Abs(filepath.Join("e2e", "regione.mjs"))
	artifacts := artifactDir(t, "web-regione")
	var files []string
	for _, name := range []string{"esempio-fondazione.xlsx", "esempio-incoerente.xlsx", "foreign/excelize-encryptAES.xlsx"} {
		p, _ := filepath.Abs(filepath.Join("..", "testdata", name))
		files = append(files, p)
	}
	// A duplicate, as a browser names a second download of the same file.
	data, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	twin := filepath.Join(t.TempDir(), "esempio-fondazione (1).xlsx")
	if err := os.WriteFile(twin, data, 0o600); err != nil {
		t.Fatal(err)
	}
	files = append(files, twin)

	base := startServer(t)
	expected := filepath.Join(t.TempDir(), "expected.json")
	if err := os.WriteFile(expected, batchJSON(t, base, files), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, append([]string{script, base, artifacts, expected}, files...)...)
	cmd.Env = append(os.Environ(), "CHROMIUM="+chromium)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("browser test failed (%v):\n%s\n%s", err, stderr.String(), stdout.String())
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	var result struct {
		OK       bool   `json:"ok"`
		Download string `json:"download"`
		ZIP      string `json:"zip"`
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &result); err != nil || !result.OK {
		t.Fatalf("browser test summary %q: %v", lines[len(lines)-1], err)
	}
	wb, err := excelize.OpenFile(result.Download)
	if err != nil {
		t.Fatalf("downloaded summary: %v", err)
	}
	defer wb.Close()
	sheets := strings.Join(wb.GetSheetList(), ",")
	for _, s := range []string{"Percorsi", "Fondazioni", "Triennio", "Esclusi", "Distribuzione", "Timbro"} {
		if !strings.Contains(sheets, s) {
			t.Errorf("downloaded summary has no sheet %s (sheets: %s)", s, sheets)
		}
	}
	rows, err := wb.GetRows("Esclusi")
	if err != nil || !strings.Contains(fmt.Sprint(rows), "excelize-encryptAES.xlsx") {
		t.Errorf("Esclusi of the downloaded summary: %v %v", rows, err)
	}

	// The ZIP: the summary, its PDF and one copy per audited workbook (the
	// two examples; not the encrypted file, not the duplicate).
	zr, err := zip.OpenReader(result.ZIP)
	if err != nil {
		t.Fatalf("downloaded ZIP: %v", err)
	}
	defer zr.Close()
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	want := []string{"riepilogo-verifica.xlsx", "riepilogo-verifica.pdf", "riepilogo-verifica.json",
		"copie/esempio-fondazione-verificato.xlsx", "copie/esempio-incoerente-verificato.xlsx"}
	if strings.Join(names, ",") != strings.Join(want, ",") {
		t.Errorf("ZIP entries %v, want %v", names, want)
	}
}

// batchJSON posts the files to /api/batch and returns the JSON summary.
func batchJSON(t *testing.T, base string, files []string) []byte {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		part, err := mw.CreateFormFile("file", filepath.Base(f))
		if err != nil {
			t.Fatal(err)
		}
		part.Write(data)
	}
	mw.Close()
	resp, err := http.Post(base+"/api/batch", mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("POST /api/batch: %d %v\n%s", resp.StatusCode, err, out)
	}
	return out
}
