package main

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// withParts returns the bundled example with some zip parts replaced.
func withParts(t *testing.T, repl map[string]string) []byte {
	t.Helper()
	data, err := os.ReadFile("../../testdata/esempio-fondazione.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	seen := map[string]bool{}
	for _, e := range zr.File {
		rc, err := e.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if r, ok := repl[e.Name]; ok {
			b, seen[e.Name] = []byte(r), true
		}
		w, err := zw.Create(e.Name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	for name := range repl {
		if !seen[name] {
			t.Fatalf("no part %s", name)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// TestAuditEmptyStylesIsDamaged: an empty xl/styles.xml is refused with
// exit 2 and one Italian line, never a Go stack trace.
func TestAuditEmptyStylesIsDamaged(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "fondazione.xlsx")
	writeFile(t, in, withParts(t, map[string]string{"xl/styles.xml": ""}))
	code, _, stderr := run(t, "audit", in)
	if code != exitCannotDo {
		t.Fatalf("exit %d, want %d: %s", code, exitCannotDo, stderr)
	}
	if strings.Count(strings.TrimSpace(stderr), "\n") != 0 || !strings.Contains(stderr, "danneggiato") || strings.Contains(stderr, "goroutine") {
		t.Errorf("stderr %q, want one Italian line", stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "fondazione-verificato.xlsx")); err == nil {
		t.Error("a copy was written for a damaged workbook")
	}
}
