package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// dirFiles lists the names in dir.
func dirFiles(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

// TestAuditStreamsTheCopyToItsFile: the copy is streamed to a temporary
// file beside the output and renamed; `auditor verify` confirms it; no
// temporary file is left.
func TestAuditStreamsTheCopyToItsFile(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "copia.xlsx")
	if code, _, stderr := run(t, "audit", "../../testdata/esempio-fondazione.xlsx", "-o", out, "--quiet"); code != exitOK {
		t.Fatalf("audit: exit %d: %s", code, stderr)
	}
	if names := dirFiles(t, dir); len(names) != 1 || names[0] != "copia.xlsx" {
		t.Errorf("files after the audit: %v", names)
	}
	if code, stdout, stderr := run(t, "verify", out); code != exitOK {
		t.Errorf("verify: exit %d: %s %s", code, stdout, stderr)
	}
}

// TestAuditRefusedCopyWritesNothing: a workbook whose user has a sheet
// named Timbro cannot get a copy: the command fails naming the sheet and
// writes neither the copy nor the report, and leaves no temporary file.
func TestAuditRefusedCopyWritesNothing(t *testing.T) {
	f, err := excelize.OpenFile("../../testdata/esempio-fondazione.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.NewSheet("Timbro"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "in.xlsx")
	if err := f.SaveAs(in); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := run(t, "audit", in, "-o", filepath.Join(dir, "out.xlsx"), "--json", filepath.Join(dir, "r.json"))
	if code == exitOK || !strings.Contains(stderr, "Timbro") {
		t.Errorf("exit %d: %s", code, stderr)
	}
	if names := dirFiles(t, dir); len(names) != 1 || names[0] != "in.xlsx" {
		t.Errorf("files after the refusal: %v", names)
	}
}

// TestWriteFileStream: a producer's error (after some bytes) is returned
// as it is and leaves no file; a panic leaves none either; a success
// replaces the file whole.
func TestWriteFileStream(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "f.xlsx")
	errProducer := errors.New("producer failed")
	for _, tc := range []struct {
		name    string
		produce func(io.Writer) error
		want    error
	}{
		{"error after bytes", func(w io.Writer) error { _, _ = w.Write([]byte("PK partial")); return errProducer }, errProducer},
		{"panic after bytes", func(w io.Writer) error { _, _ = w.Write([]byte("PK partial")); panic("boom") }, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			func() {
				defer func() { _ = recover() }()
				err = writeFileStream(name, tc.produce)
			}()
			if tc.want != nil && err != tc.want {
				t.Errorf("err = %v, want the producer's own", err)
			}
			if names := dirFiles(t, dir); len(names) != 0 {
				t.Errorf("left %v", names)
			}
		})
	}
	if err := writeFileStream(name, func(w io.Writer) error { _, err := w.Write([]byte("whole")); return err }); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(name); !bytes.Equal(b, []byte("whole")) {
		t.Errorf("file holds %q", b)
	}
	if names := dirFiles(t, dir); len(names) != 1 {
		t.Errorf("files %v", names)
	}
}
