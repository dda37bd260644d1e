package main

import (
	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/its-academy/auditor/testkit"
)

// withParts returns the bundled example with some zip parts replaced.
func withParts(t *testing.T, repl map[string]string) []byte {
	t.Helper()
	seen := map[string]bool{}
	out := testkit.Rezip(t, testkit.Testdata(t, "esempio-fondazione.xlsx"), func(zw *zip.Writer, f *zip.File) (bool, error) {
		r, ok := repl[f.Name]
		if !ok {
			return false, nil
		}
		seen[f.Name] = true
		w, err := zw.Create(f.Name)
		if err != nil {
			return true, err
		}
		_, err = w.Write([]byte(r))
		return true, err
	}, nil)
	for name := range repl {
		if !seen[name] {
			t.Fatalf("no part %s", name)
		}
	}
	return out
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

// TestOutputsNeverOverwriteInputsOrEachOther: every output path (-o,
// --json, --summary, the batch's copies) is checked against every input
// and every other output before anything is written.
func TestOutputsNeverOverwriteInputsOrEachOther(t *testing.T) {
	a, b := example(t, "A", 2024), example(t, "B", 2024)
	tests := []struct {
		name string
		args func(dir string) []string
		want string // in the message
	}{
		{"single --json on the input", func(d string) []string {
			return []string{"audit", d + "/a.xlsx", "-o", d + "/y.xlsx", "--json", d + "/a.xlsx"}
		}, "(--json) è un file da verificare"},
		{"single --json on -o", func(d string) []string {
			return []string{"audit", d + "/a.xlsx", "-o", d + "/y.xlsx", "--json", d + "/y.xlsx"}
		}, "sia come -o sia come --json"},
		{"single --json on the default copy", func(d string) []string {
			return []string{"audit", d + "/a.xlsx", "--json", d + "/a-verificato.xlsx"}
		}, "sia come -o sia come --json"},
		{"single --json through a link to the input", func(d string) []string {
			if err := os.Symlink(d+"/a.xlsx", d+"/link.json"); err != nil {
				t.Fatal(err)
			}
			return []string{"audit", d + "/a.xlsx", "-o", d + "/y.xlsx", "--json", d + "/link.json"}
		}, "(--json) è un file da verificare"},
		{"batch --json on an input", func(d string) []string {
			return []string{"audit", d + "/a.xlsx", d + "/b.xlsx", "--json", d + "/b.xlsx"}
		}, "(--json) è un file da verificare"},
		{"batch --json on the summary", func(d string) []string {
			return []string{"audit", d + "/a.xlsx", d + "/b.xlsx", "--summary", d + "/s.xlsx", "--json", d + "/s.xlsx"}
		}, "sia come --summary sia come --json"},
		{"batch --json on a copy", func(d string) []string {
			return []string{"audit", d + "/a.xlsx", d + "/b.xlsx", "--json", d + "/b-verificato.xlsx"}
		}, "sia come --json sia come copia verificata di"},
		{"batch --summary on a copy", func(d string) []string {
			return []string{"audit", d + "/a.xlsx", d + "/b.xlsx", "--summary", d + "/a-verificato.xlsx"}
		}, "sia come --summary sia come copia verificata di"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, filepath.Join(dir, "a.xlsx"), a)
			writeFile(t, filepath.Join(dir, "b.xlsx"), b)
			args := tt.args(dir)
			code, _, stderr := run(t, args...)
			if code != exitCannotDo || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr, tt.want)
			}
			if !bytes.Equal(readFile(t, filepath.Join(dir, "a.xlsx")), a) || !bytes.Equal(readFile(t, filepath.Join(dir, "b.xlsx")), b) {
				t.Fatal("an input was changed")
			}
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				switch e.Name() {
				case "a.xlsx", "b.xlsx", "link.json":
				default:
					t.Errorf("%s was written", e.Name())
				}
			}
		})
	}
}

// TestInputCheckedBeforeReading: the size and kind of an input are
// checked before it is read, with the server's limit unless --max-file-mb
// raises it; reasons are Italian, without the system's English.
func TestInputCheckedBeforeReading(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "enorme.xlsx")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	// 3 GB, sparse: nothing is stored, reading it would take 3 GB.
	if err := f.Truncate(3 << 30); err != nil {
		t.Fatal(err)
	}
	f.Close()
	small := filepath.Join(dir, "piccolo.xlsx")
	writeFile(t, small, make([]byte, 11<<20)) // 11 MB of zeros
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"3 GB file", []string{"audit", big}, "il file occupa 3072 MB, oltre il limite di 10 MB per file"},
		{"11 MB file", []string{"audit", small}, "il file occupa 11 MB, oltre il limite di 10 MB per file"},
		{"limit raised", []string{"audit", "--max-file-mb", "12", small}, "non è un file Excel"},
		{"device", []string{"audit", "/dev/null"}, "non è un file normale"},
		{"missing", []string{"audit", filepath.Join(dir, "manca.xlsx")}, "manca.xlsx: file inesistente"},
		{"batch", []string{"audit", big, small, "--out-dir", filepath.Join(dir, "out")}, "oltre il limite di 10 MB per file"},
		{"bad flag", []string{"audit", "--max-file-mb", "0", small}, "--max-file-mb: indicare un numero"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := run(t, tt.args...)
			if code != exitCannotDo || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr, tt.want)
			}
			if strings.Contains(stderr, "no such file") || strings.Contains(stderr, "open ") {
				t.Errorf("the system's English in %q", stderr)
			}
		})
	}
}

// TestBatchIdenticalFileSkipped: a browser's second download of a workbook
// is skipped with its twin's name and its courses are not counted twice;
// the run does not fail for it.
func TestBatchIdenticalFileSkipped(t *testing.T) {
	dir := t.TempDir()
	data := example(t, "ITS-A", 2024)
	writeFile(t, filepath.Join(dir, "in", "fondazione.xlsx"), data)
	writeFile(t, filepath.Join(dir, "in", "fondazione (1).xlsx"), data)
	sum := filepath.Join(dir, "riepilogo.xlsx")
	code, stdout, stderr := run(t, "audit", filepath.Join(dir, "in"), "--summary", sum, "--out-dir", filepath.Join(dir, "out"))
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "Saltato "+filepath.Join(dir, "in", "fondazione (1).xlsx")+": identico a «"+filepath.Join(dir, "in", "fondazione.xlsx")+"»") {
		t.Errorf("stdout %q", stdout)
	}
	// The example has 10 courses.
	if !strings.Contains(stdout, "(10 percorsi,") {
		t.Errorf("stdout %q, want 10 courses in the summary", stdout)
	}
	if _, err := os.Stat(filepath.Join(dir, "out", "fondazione (1)-verificato.xlsx")); err == nil {
		t.Error("a copy was written for the duplicate")
	}
}
