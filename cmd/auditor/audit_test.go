package main

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestAuditExampleWritesCopyAndReport(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "verificato.xlsx")
	rep := filepath.Join(dir, "report.json")
	before, err := os.ReadFile("../../testdata/esempio-fondazione.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := run(t, "audit", "../../testdata/esempio-fondazione.xlsx", "-o", out, "--json", rep)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "10 percorsi") || !strings.Contains(stdout, "Copia verificata") {
		t.Errorf("summary: %q", stdout)
	}
	after, _ := os.ReadFile("../../testdata/esempio-fondazione.xlsx")
	if string(before) != string(after) {
		t.Fatal("the input file was modified")
	}
	if st, err := os.Stat(out); err != nil || st.Size() == 0 {
		t.Fatalf("no audited copy: %v", err)
	}
	data, err := os.ReadFile(rep)
	if err != nil {
		t.Fatal(err)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		t.Fatal(err)
	}
	keys := slices.Sorted(maps.Keys(top))
	// WORKBOOK.md's keys, and the documented extras (validate.Report): the
	// run's choices, who and when, the pack's texts and the input fields' columns.
	if want := []string{"audited_at", "columns", "courses", "errata", "file_sha256", "findings", "foundation", "interpretations", "reading", "region", "rule_pack", "rule_pack_sha256", "texts", "thresholds", "version", "workbook_thresholds", "year"}; !reflect.DeepEqual(keys, want) {
		t.Errorf("report keys %v, want %v", keys, want)
	}
	// Who and when: the example's Fondazione sheet, and a UTC RFC 3339 time.
	var who struct {
		Foundation struct{ Code, Name string } `json:"foundation"`
		Region     string                      `json:"region"`
		Year       int                         `json:"year"`
		AuditedAt  string                      `json:"audited_at"`
	}
	if err := json.Unmarshal(data, &who); err != nil {
		t.Fatal(err)
	}
	if at, err := time.Parse(time.RFC3339, who.AuditedAt); err != nil || !strings.HasSuffix(who.AuditedAt, "Z") || time.Since(at) > time.Hour || who.Foundation.Code != "ITS-FT-001" || who.Region == "" || who.Year != 2025 {
		t.Errorf("who and when: %+v", who)
	}
	var r struct {
		Courses []struct {
			Code          string   `json:"code"`
			Total         *float64 `json:"total"`
			Articulations []struct {
				Cells []string `json:"cells"`
			} `json:"articulations"`
			Findings []struct {
				Severity string  `json:"severity"`
				Cell     *string `json:"cell"`
			} `json:"findings"`
		} `json:"courses"`
	}
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatal(err)
	}
	for _, c := range r.Courses {
		hasError := false
		for _, f := range c.Findings {
			if f.Severity == "error" {
				hasError = true
				if f.Cell == nil || *f.Cell == "" {
					t.Errorf("%s: error finding without a cell", c.Code)
				}
			}
		}
		if (c.Total == nil) != hasError {
			t.Errorf("%s: total %v with error findings %v", c.Code, c.Total, hasError)
		}
		if c.Total != nil && (len(c.Articulations) != 16 || len(c.Articulations[1].Cells) == 0 || !strings.HasPrefix(c.Articulations[1].Cells[0], "Percorsi!")) {
			t.Errorf("%s: articulations without cells", c.Code)
		}
	}
}

func TestAuditDefaultOutputAndStdoutReport(t *testing.T) {
	dir := t.TempDir()
	data, _ := os.ReadFile("../../testdata/esempio-fondazione.xlsx")
	in := filepath.Join(dir, "fondazione 2025.xlsx")
	if err := os.WriteFile(in, data, 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := run(t, "audit", in, "--json", "-", "--reading", "literal")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rep map[string]any
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("stdout is not the JSON report: %v", err)
	}
	if rep["reading"] != "literal" {
		t.Errorf("reading %v", rep["reading"])
	}
	if _, err := os.Stat(filepath.Join(dir, "fondazione 2025-verificato.xlsx")); err != nil {
		t.Errorf("default output beside the input: %v", err)
	}
}

func TestAuditStrictAndErrors(t *testing.T) {
	dir := t.TempDir()
	// The example has legal violations: --strict exits 1, and still writes.
	out := filepath.Join(dir, "a.xlsx")
	if code, _, stderr := run(t, "audit", "../../testdata/esempio-fondazione.xlsx", "-o", out, "--strict"); code != exitStrict {
		t.Errorf("--strict exit %d, want 1 (%s)", code, stderr)
	}
	if _, err := os.Stat(out); err != nil {
		t.Errorf("--strict must still write the copy: %v", err)
	}
	notXLSX := filepath.Join(dir, "note.xlsx")
	os.WriteFile(notXLSX, []byte("solo testo, non un foglio di calcolo"), 0o644)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"not an xlsx", []string{notXLSX}, "note.xlsx"},
		{"encrypted", []string{"../../testdata/foreign/excelize-encryptAES.xlsx"}, "password"},
		{"malformed", []string{"../../testdata/foreign/excelize-BadWorkbook.xlsx"}, "BadWorkbook"},
		{"no official sheets", []string{"../../testdata/foreign/excelize-Book1.xlsx"}, "Fondazione"},
		{"missing file", []string{filepath.Join(dir, "manca.xlsx")}, "manca.xlsx"},
		{"output is the input", []string{"../../testdata/esempio-fondazione.xlsx", "-o", "../../testdata/esempio-fondazione.xlsx"}, "sovrascritto"},
		{"unknown reading", []string{"../../testdata/esempio-fondazione.xlsx", "--reading", "fantasiosa"}, "lettura"},
		{"no file", nil, "indicare"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := filepath.Join(dir, tt.name+".xlsx")
			args := append([]string{"audit"}, tt.args...)
			if !strings.Contains(strings.Join(tt.args, " "), "-o") && len(tt.args) > 0 {
				args = append(args, "-o", o)
			}
			code, _, stderr := run(t, args...)
			if code != exitCannotDo {
				t.Errorf("exit %d, want 2", code)
			}
			if !strings.Contains(strings.ToLower(stderr), strings.ToLower(tt.want)) || strings.Count(strings.TrimSpace(stderr), "\n") > 1 {
				t.Errorf("stderr %q should be one line naming %q", stderr, tt.want)
			}
			if _, err := os.Stat(o); err == nil {
				t.Error("an output file was written")
			}
		})
	}
}
