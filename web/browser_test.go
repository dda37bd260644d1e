package web_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/its-academy/auditor/server"
	"github.com/its-academy/auditor/testkit"
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
	workbook := testkit.TestdataPath(t, "esempio-fondazione.xlsx")
	artifacts := testkit.ArtifactDir(t, "web")

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

	cmd := testkit.Command(t, 4*time.Minute, node, script, base, artifacts, workbook, expected, chosen)
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

// browserTools returns node and chromium, or ends the test as
// testkit.Missing says when one of them or playwright-core is missing.
func browserTools(t *testing.T) (node, chromium string) {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	chromium = os.Getenv("CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if _, err := os.Stat(chromium); err != nil {
		testkit.Missing(t, testkit.BrowserEnv, "chromium not found at "+chromium)
	}
	node = testkit.Program(t, testkit.BrowserEnv, "node", "nodejs")
	if _, err := os.Stat(filepath.Join("e2e", "node_modules", "playwright-core", "package.json")); err != nil {
		testkit.Missing(t, testkit.BrowserEnv, "web/e2e/node_modules/playwright-core missing (npm ci in web/e2e)")
	}
	return node, chromium
}

// startServer runs the real server on a loopback port until the test ends.
func startServer(t *testing.T) string {
	t.Helper()
	ln, base := testkit.Listen(t)
	srv, err := server.New(server.Config{PublicURL: base, Version: "0.0.0-test"})
	if err != nil {
		t.Fatal(err)
	}
	testkit.Serve(t, func(ctx context.Context) error { return srv.Serve(ctx, ln, "", "") })
	resp, err := http.Get(base + "/healthz")
	if err != nil {
		t.Fatalf("server did not answer /healthz: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/healthz: %d", resp.StatusCode)
	}
	return base
}

// postFiles posts the files to the API path (with its query) and returns
// the answer's body, which must be 200 OK.
func postFiles(t *testing.T, url string, paths ...string) []byte {
	t.Helper()
	var files []testkit.File
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, testkit.File{Name: filepath.Base(p), Data: data})
	}
	body, ct := testkit.Multipart(t, nil, files...)
	resp, err := http.Post(url, ct, body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("POST %s: %d %v\n%s", url, resp.StatusCode, err, out)
	}
	return out
}

// auditJSON posts the workbook to /api/audit (with the query, "" or
// "?…") and returns the JSON report.
func auditJSON(t *testing.T, base, workbook, query string) []byte {
	t.Helper()
	out := postFiles(t, base+"/api/audit"+query, workbook)
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
	artifacts := testkit.ArtifactDir(t, "web-regione")
	var files []string
	for _, name := range []string{"esempio-fondazione.xlsx", "esempio-incoerente.xlsx", "foreign/excelize-encryptAES.xlsx"} {
		files = append(files, testkit.TestdataPath(t, name))
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
	cmd := testkit.Command(t, 4*time.Minute, node, append([]string{script, base, artifacts, expected}, files...)...)
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
	// The copies come as their files are audited, then the summary.
	want := []string{"copie/esempio-fondazione-verificato.xlsx", "copie/esempio-incoerente-verificato.xlsx",
		"riepilogo-verifica.xlsx", "riepilogo-verifica.pdf", "riepilogo-verifica.json"}
	if strings.Join(names, ",") != strings.Join(want, ",") {
		t.Errorf("ZIP entries %v, want %v", names, want)
	}
}

// batchJSON posts the files to /api/batch and returns the JSON summary.
func batchJSON(t *testing.T, base string, files []string) []byte {
	t.Helper()
	return postFiles(t, base+"/api/batch", files...)
}
