// Package testkit holds what the packages' tests share: the repository's
// test files, the external programs some tests need (pdftotext, node,
// chromium: a test skips without them, or fails where scripts/test.sh asks
// for them), a fresh folder for screenshots and downloads, multipart
// upload bodies, a server on loopback, zip archives read or rebuilt,
// workbooks opened or edited with excelize, and an ordinary course's
// figures. Only _test.go files import it; it imports nothing of the
// product.
package testkit

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// The environment variables scripts/test.sh sets so that a missing program
// fails the tests that need it instead of skipping them.
const (
	PopplerEnv = "AUDITOR_REQUIRE_POPPLER" // pdftotext, pdftoppm
	BrowserEnv = "AUDITOR_REQUIRE_BROWSER" // node, chromium, xmllint, web/e2e's node modules
)

// Required reports whether the environment variable env asks for the
// programs it stands for: set, and not "0".
func Required(env string) bool {
	v := os.Getenv(env)
	return v != "" && v != "0"
}

// Missing ends the test because what it needs is missing: it fails when
// env is Required, and is skipped otherwise.
func Missing(t testing.TB, env, what string) {
	t.Helper()
	if Required(env) {
		t.Fatalf("%s (%s is set; scripts/test.sh installs it)", what, env)
	}
	t.Skipf("%s; scripts/test.sh installs it", what)
}

// Program returns the path of the program name on PATH, or ends the test
// as Missing says; pkg names the Debian package that has it.
func Program(t testing.TB, env, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		Missing(t, env, fmt.Sprintf("%s not found (Debian package %s)", name, pkg))
	}
	return p
}

// Command is exec.Command for a program a test runs, stopped after
// timeout, and at the latest when the test ends.
func Command(t testing.TB, timeout time.Duration, name string, args ...string) *exec.Cmd {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	return exec.CommandContext(ctx, name, args...)
}

// PDFText returns the text pdftotext -layout finds in pdf, pages separated
// by form feeds. The test fails when pdf is not a PDF.
func PDFText(t testing.TB, pdf []byte) string {
	t.Helper()
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %.80q", pdf)
	}
	bin := Program(t, PopplerEnv, "pdftotext", "poppler-utils")
	in := filepath.Join(t.TempDir(), "v.pdf")
	if err := os.WriteFile(in, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := Command(t, time.Minute, bin, "-layout", "-enc", "UTF-8", in, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

// Squash joins the words of a text with single spaces.
func Squash(s string) string { return strings.Join(strings.Fields(s), " ") }

// Root is the repository's root: the nearest folder above the test's
// working directory (its package) that holds go.mod.
func Root(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's folder")
		}
		dir = parent
	}
}

// TestdataPath is the absolute path of a file of the repository's testdata
// folder (name may have folders, with slashes).
func TestdataPath(t testing.TB, name string) string {
	t.Helper()
	return filepath.Join(Root(t), "testdata", filepath.FromSlash(name))
}

// Testdata returns a file of the repository's testdata folder.
func Testdata(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(TestdataPath(t, name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// ArtifactDir is a fresh, empty folder for a test's screenshots and
// downloads: $ARTIFACT_DIR/name, by default artifacts/name at the
// repository's root.
func ArtifactDir(t testing.TB, name string) string {
	t.Helper()
	dir := os.Getenv("ARTIFACT_DIR")
	if dir == "" {
		dir = filepath.Join(Root(t), "artifacts")
	}
	dir, err := filepath.Abs(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// File is a file of a multipart upload.
type File struct {
	Name string
	Data []byte
}

// Multipart builds a multipart/form-data body: the small fields first, then
// each file in a part named "file". It returns the body and its
// Content-Type.
func Multipart(t testing.TB, fields map[string]string, files ...File) (io.Reader, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		if err := mw.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range files {
		w, err := mw.CreateFormFile("file", f.Name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(f.Data); err != nil {
			t.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return &buf, mw.FormDataContentType()
}

// Listen opens a listener on a free loopback port; it returns the listener
// and its base URL, http://127.0.0.1:port.
func Listen(t testing.TB) (net.Listener, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln, "http://" + ln.Addr().String()
}

// Serve runs serve in the background until the test ends; then it cancels
// serve's context, waits for serve to return and fails the test if serve
// returned an error.
func Serve(t testing.TB, serve func(ctx context.Context) error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
}

// Rezip rebuilds the zip archive data: each entry is copied as it is
// unless edit (when not nil) writes it itself and says so; then more (when
// not nil) adds entries at the end.
func Rezip(t testing.TB, data []byte, edit func(zw *zip.Writer, f *zip.File) (bool, error), more func(zw *zip.Writer) error) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		written := false
		if edit != nil {
			if written, err = edit(zw, f); err != nil {
				t.Fatal(err)
			}
		}
		if !written {
			if err := zw.Copy(f); err != nil {
				t.Fatal(err)
			}
		}
	}
	if more != nil {
		if err := more(zw); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Unzip returns the entries of the zip archive data, in its order.
func Unzip(t testing.TB, data []byte) []File {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var out []File
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		out = append(out, File{Name: f.Name, Data: b})
	}
	return out
}

// OpenWorkbook opens the xlsx data with excelize; the file is closed when
// the test ends.
func OpenWorkbook(t testing.TB, data []byte) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// EditWorkbook opens the xlsx data with excelize, lets edit change it and
// returns the workbook saved again.
func EditWorkbook(t testing.TB, data []byte, edit func(f *excelize.File) error) []byte {
	t.Helper()
	f := OpenWorkbook(t, data)
	if err := edit(f); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// CourseFigures returns, as a new map keyed by the Percorsi sheet's field
// codes, the figures of an ordinary, consistent EQF V course that scores
// well above 60 (the example workbooks' first course); tests change a few
// of them.
func CourseFigures() map[string]any {
	return map[string]any{
		"domande_iscrizione": 68, "partecipanti_selezione": 55, "iscritti": 26, "iscritti_fuori_regione": 3, "iscritte": 5,
		"ore_totali": 2000, "ore_stage": 760, "ore_attivita_totali": 820, "ore_fuori_regione": 120, "ore_estero": 60,
		"ore_docenti_totali": 1240, "ore_docenti_mondo_lavoro": 760, "ore_teoria": 1240, "ore_laboratori": 390,
		"ore_its": 900, "ore_lab_digitali_its": 320, "imprese_totali": 16, "imprese_progettazione": 4,
		"iscritti_apprendistato": 2, "diplomati": 21, "diplomate": 4, "certificati": 2,
		"occupati_coerenti": 15, "occupati_non_coerenti": 2, "iscritti_universita": 1, "soddisfazione": 7.6,
	}
}

// SetFields writes values into a one-field-per-row sheet of the official
// workbook (Fondazione, Soglie: code in column A, value in column C): each
// value goes on the row of its code. A code with no row is an error.
func SetFields(f *excelize.File, sheet string, values map[string]any) error {
	rows, err := f.GetRows(sheet)
	if err != nil {
		return err
	}
	done := map[string]bool{}
	for i, r := range rows {
		if len(r) == 0 {
			continue
		}
		if v, ok := values[r[0]]; ok && !done[r[0]] {
			if err := f.SetCellValue(sheet, fmt.Sprintf("C%d", i+1), v); err != nil {
				return err
			}
			done[r[0]] = true
		}
	}
	for code := range values {
		if !done[code] {
			return fmt.Errorf("sheet %s has no row %s", sheet, code)
		}
	}
	return nil
}

// Zip builds a zip archive of the entries, in their order, compressed with
// deflate.
func Zip(t testing.TB, entries []File) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		w, err := zw.Create(e.Name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(e.Data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// ReplaceParts returns the zip archive data with the parts named in repl
// written anew with their new content; the other entries are copied as
// they are.
func ReplaceParts(t testing.TB, data []byte, repl map[string][]byte) []byte {
	t.Helper()
	return Rezip(t, data, func(zw *zip.Writer, f *zip.File) (bool, error) {
		b, ok := repl[f.Name]
		if !ok {
			return false, nil
		}
		w, err := zw.Create(f.Name)
		if err == nil {
			_, err = w.Write(b)
		}
		return true, err
	}, nil)
}
