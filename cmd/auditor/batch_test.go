package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/its-academy/auditor/batch/summary"
	"github.com/its-academy/auditor/testkit"
	"github.com/its-academy/auditor/xlsxio"
	"github.com/xuri/excelize/v2"
)

// example returns the bundled example workbook with another foundation
// code, name and monitoring year.
func example(t *testing.T, code string, year int) []byte {
	t.Helper()
	return testkit.EditWorkbook(t, testkit.Testdata(t, "esempio-fondazione.xlsx"), func(f *excelize.File) error {
		return testkit.SetFields(f, "Fondazione", map[string]any{"fondazione_codice": code, "fondazione_nome": "Fondazione " + code, "anno_monitoraggio": year})
	})
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// region lays out a regional folder: two years of foundation A, one of B,
// an encrypted workbook, an audited copy and a text file.
func region(t *testing.T) (dir string, hashes map[string][32]byte) {
	t.Helper()
	dir = t.TempDir()
	reg := filepath.Join(dir, "regione")
	writeFile(t, filepath.Join(reg, "2024", "a.xlsx"), example(t, "ITS-A", 2024))
	writeFile(t, filepath.Join(reg, "2025", "a.xlsx"), example(t, "ITS-A", 2025))
	writeFile(t, filepath.Join(reg, "2025", "b.xlsx"), example(t, "ITS-B", 2025))
	writeFile(t, filepath.Join(reg, "2025", "cifrato.xlsx"), readFile(t, "../../testdata/foreign/excelize-encryptAES.xlsx"))
	writeFile(t, filepath.Join(reg, "2025", "note.txt"), []byte("appunti"))
	// An audited copy left from an earlier run, under another name.
	if code, _, stderr := run(t, "audit", filepath.Join(reg, "2025", "b.xlsx"), "-o", filepath.Join(reg, "2025", "vecchia copia.xlsx")); code != exitOK {
		t.Fatalf("single audit: %s", stderr)
	}
	hashes = map[string][32]byte{}
	filepath.WalkDir(reg, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			hashes[p] = sha256.Sum256(readFile(t, p))
		}
		return nil
	})
	return dir, hashes
}

func TestBatchFolderEndToEnd(t *testing.T) {
	dir, hashes := region(t)
	reg := filepath.Join(dir, "regione")
	out := filepath.Join(dir, "uscita")
	summaryPath := filepath.Join(out, "regione-2025.xlsx")
	report := filepath.Join(out, "regione.json")
	code, stdout, stderr := run(t, "audit", reg, "--summary", summaryPath, "--out-dir", filepath.Join(out, "copie"), "--jobs", "2", "--json", report)
	if code != exitCannotDo {
		t.Fatalf("exit %d, want 2 (one encrypted file)\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stderr, "cifrato.xlsx") || !strings.Contains(stderr, "password") || !strings.Contains(stderr, "1 file su 4") {
		t.Errorf("stderr %q", stderr)
	}
	if !strings.Contains(stdout, "Saltato "+filepath.Join(reg, "2025", "vecchia copia.xlsx")) || strings.Contains(stdout, "note.txt") {
		t.Errorf("stdout should name the skipped audited copy:\n%s", stdout)
	}
	// The inputs are untouched; copies with colliding names are told apart.
	for p, h := range hashes {
		if sha256.Sum256(readFile(t, p)) != h {
			t.Errorf("%s was modified", p)
		}
	}
	for _, name := range []string{"2024_a-verificato.xlsx", "2025_a-verificato.xlsx", "b-verificato.xlsx"} {
		if xlsxio.SniffWorkbook(readFile(t, filepath.Join(out, "copie", name))) != summary.KindAudited {
			t.Errorf("%s is not an audited copy", name)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "copie", "cifrato-verificato.xlsx")); err == nil {
		t.Error("a copy of the encrypted file was written")
	}

	// The summary: rows, relative hyperlinks, excluded and skipped files.
	f, err := excelize.OpenFile(summaryPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(xlsxio.SummarySheetCourses)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 31 {
		t.Errorf("%d rows on Percorsi, want 1 + 30 courses", len(rows))
	}
	links := map[string]bool{}
	for r := 2; r <= len(rows); r++ {
		for c := 1; c <= len(rows[0]); c++ {
			ref, _ := excelize.CoordinatesToCellName(c, r)
			if ok, target, _ := f.GetCellHyperLink(xlsxio.SummarySheetCourses, ref); ok {
				links[target] = true
			}
		}
	}
	for _, want := range []string{"copie/2024_a-verificato.xlsx", "copie/2025_a-verificato.xlsx", "copie/b-verificato.xlsx"} {
		if !links[want] {
			t.Errorf("no hyperlink %s in %v", want, links)
		}
	}
	excluded, _ := f.GetRows(xlsxio.SummarySheetExcluded)
	text := fmt.Sprint(excluded)
	if !strings.Contains(text, "cifrato.xlsx") || !strings.Contains(text, "non verificato") || !strings.Contains(text, "vecchia copia.xlsx") || !strings.Contains(text, "saltato") {
		t.Errorf("Esclusi: %v", excluded)
	}

	// The JSON form.
	var s summary.Summary
	if err := json.Unmarshal(readFile(t, report), &s); err != nil {
		t.Fatal(err)
	}
	if len(s.Courses) != 30 || len(s.Foundations) != 3 || len(s.Excluded) != 2 || s.Rule == nil || len(s.Verdicts) != 2 {
		t.Errorf("JSON: %d courses, %d foundations, %d excluded, %d verdicts", len(s.Courses), len(s.Foundations), len(s.Excluded), len(s.Verdicts))
	}

	// A later run reads the summary back when named, next to a new year.
	writeFile(t, filepath.Join(dir, "2026", "a.xlsx"), example(t, "ITS-A", 2026))
	next := filepath.Join(dir, "regione-2026.xlsx")
	code, stdout, stderr = run(t, "audit", summaryPath, filepath.Join(dir, "2026"), "--summary", next, "--json", "-")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var s2 summary.Summary
	if err := json.Unmarshal([]byte(stdout), &s2); err != nil {
		t.Fatalf("--json - is not the summary: %v", err)
	}
	if len(s2.Courses) != 40 || len(s2.Verdicts[0].Years) != 3 {
		t.Errorf("%d courses, years %+v", len(s2.Courses), s2.Verdicts[0].Years)
	}
}

func TestBatchExitCodesAndUsage(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.xlsx"), filepath.Join(dir, "b.xlsx")
	writeFile(t, a, example(t, "ITS-A", 2025))
	writeFile(t, b, example(t, "ITS-B", 2025))
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"two files, no summary", []string{a, b}, exitOK, ""},
		{"strict: the example has violations", []string{a, b, "--strict"}, exitStrict, ""},
		{"a missing file", []string{a, filepath.Join(dir, "manca.xlsx")}, exitCannotDo, "file inesistente"},
		// The pattern also matches the copies of the first run: skipped.
		{"a pattern", []string{filepath.Join(dir, "*.xlsx"), "--summary", filepath.Join(dir, "out", "r.xlsx")}, exitOK, ""},
		{"one quoted pattern", []string{filepath.Join(dir, "[ab].xlsx")}, exitOK, ""},
		{"a pattern without matches", []string{a, filepath.Join(dir, "*.ods")}, exitCannotDo, "nessun file corrisponde"},
		{"-o with several files", []string{a, b, "-o", filepath.Join(dir, "x.xlsx")}, exitCannotDo, "-o vale per un solo file"},
		{"negative jobs", []string{a, b, "--jobs", "-1"}, exitCannotDo, "--jobs"},
		{"unknown reading", []string{a, b, "--reading", "fantasiosa"}, exitCannotDo, "lettura"},
		{"summary over a workbook", []string{a, b, "--summary", b}, exitCannotDo, "non viene sovrascritto"},
		{"empty folder", []string{t.TempDir(), "--summary", filepath.Join(dir, "r.xlsx")}, exitCannotDo, "nessun file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := run(t, append([]string{"audit"}, tt.args...)...)
			if code != tt.code || !strings.Contains(stderr, tt.stderr) {
				t.Errorf("exit %d (want %d), stderr %q (want %q)", code, tt.code, stderr, tt.stderr)
			}
		})
	}
	// Copies beside the inputs, and the summary of the pattern run.
	for _, p := range []string{filepath.Join(dir, "a-verificato.xlsx"), filepath.Join(dir, "b-verificato.xlsx")} {
		if _, err := os.Stat(p); err != nil {
			t.Error(err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "out", "r.xlsx")); err != nil {
		t.Errorf("summary of the pattern run: %v", err)
	}
}

// TestBatchCLIOrderAndJobs: the same files in another order and with
// another --jobs give the same summary.
func TestBatchCLIOrderAndJobs(t *testing.T) {
	dir := t.TempDir()
	var files []string
	for i, c := range []string{"ITS-C", "ITS-A", "ITS-B"} {
		p := filepath.Join(dir, fmt.Sprintf("f%d.xlsx", i))
		writeFile(t, p, example(t, c, 2025))
		files = append(files, p)
	}
	one, four := filepath.Join(dir, "one.json"), filepath.Join(dir, "four.json")
	if code, _, stderr := run(t, append([]string{"audit", "--jobs", "1", "--summary", filepath.Join(dir, "one.xlsx"), "--json", one}, files...)...); code != exitOK {
		t.Fatal(stderr)
	}
	rev := []string{files[2], files[0], files[1]}
	if code, _, stderr := run(t, append([]string{"audit", "--jobs", "4", "--summary", filepath.Join(dir, "four.xlsx"), "--json", four}, rev...)...); code != exitOK {
		t.Fatal(stderr)
	}
	if !bytes.Equal(readFile(t, one), readFile(t, four)) {
		t.Error("the summary JSON depends on the order of the files or on --jobs")
	}
}

func TestRenderProgress(t *testing.T) {
	tests := []struct {
		done, total int
		current     string
		width       int
		want        []string
	}{
		{0, 4, "regione/2025/a.xlsx", 80, []string{"0/4", " a.xlsx", "░░░░"}},
		{2, 4, "b.xlsx", 80, []string{"2/4", "████████████░░░░░░░░░░░░"}},
		{4, 4, "c.xlsx", 80, []string{"4/4", "████████████████████████]"}},
		{1, 3, strings.Repeat("nome-molto-lungo-", 10) + ".xlsx", 60, []string{"1/3", "…", "lungo-.xlsx"}},
		{7, 3, "", 80, []string{"3/3"}},       // done beyond total is clamped
		{0, 0, "x.xlsx", 80, []string{"0/0"}}, // no files: no division by zero
		{1, 2, "x.xlsx", 10, []string{"1/2"}}, // too narrow for the name
	}
	for _, tt := range tests {
		got := renderProgress(tt.done, tt.total, tt.current, tt.width)
		if !strings.HasPrefix(got, "\r") || !strings.HasSuffix(got, "\x1b[K") {
			t.Errorf("%q: not one redrawn line", got)
		}
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("%d/%d %q: %q lacks %q", tt.done, tt.total, tt.current, got, w)
			}
		}
		if line := strings.TrimSuffix(strings.TrimPrefix(got, "\r"), "\x1b[K"); tt.width >= 40 && utf8.RuneCountInString(line) >= tt.width {
			t.Errorf("%q is %d wide, more than %d", line, utf8.RuneCountInString(line), tt.width)
		}
	}
	// Not a terminal: no progress at all.
	if isTerminal(&bytes.Buffer{}) {
		t.Error("a buffer is a terminal")
	}
	f, err := os.CreateTemp(t.TempDir(), "x")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if isTerminal(f) {
		t.Error("a regular file is a terminal")
	}
}
