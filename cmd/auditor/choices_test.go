package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/its-academy/auditor/testkit"
	"github.com/xuri/excelize/v2"
)

// cleanWorkbook writes the bundled example reduced to its first course
// (MEC-23-01, no findings), with S1 set to s1 in Soglie when s1 > 0.
func cleanWorkbook(t *testing.T, s1 float64) string {
	t.Helper()
	f, err := excelize.OpenFile("../../testdata/esempio-fondazione.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _ := f.GetRows("Percorsi")
	for r := len(rows); r > 3; r-- {
		if err := f.RemoveRow("Percorsi", r); err != nil {
			t.Fatal(err)
		}
	}
	if s1 > 0 {
		if err := testkit.SetFields(f, "Soglie", map[string]any{"S1": s1}); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "fondazione.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	return path
}

func s1Of(t *testing.T, report string) float64 {
	t.Helper()
	var r struct {
		Courses []struct {
			Articulations []struct {
				Threshold *float64 `json:"threshold"`
			} `json:"articulations"`
		} `json:"courses"`
	}
	if err := json.Unmarshal([]byte(report), &r); err != nil || len(r.Courses) == 0 {
		t.Fatalf("report: %v %s", err, report)
	}
	return *r.Courses[0].Articulations[0].Threshold
}

// TestStrictSoglieTilted is issue 9's check: a workbook whose Soglie lowers
// S1 is scored with the pack's S1, has a violation on that cell and
// --strict exits 1; with --workbook-thresholds the lowered value applies.
func TestStrictSoglieTilted(t *testing.T) {
	clean := cleanWorkbook(t, 0)
	if code, _, errs := run(t, "audit", clean, "-o", filepath.Join(t.TempDir(), "c.xlsx"), "--strict"); code != exitOK {
		t.Fatalf("clean workbook with --strict: exit %d %s", code, errs)
	}
	tilted := cleanWorkbook(t, 30)
	code, out, _ := run(t, "audit", tilted, "-o", filepath.Join(t.TempDir(), "t.xlsx"), "--json", "-", "--strict")
	if code != exitStrict || s1Of(t, out) != 51.6 || !strings.Contains(out, `"SOG-VALORE-MODIFICATO"`) {
		t.Errorf("tilted: exit %d, S1 %v", code, s1Of(t, out))
	}
	code, out, _ = run(t, "audit", tilted, "-o", filepath.Join(t.TempDir(), "w.xlsx"), "--json", "-", "--workbook-thresholds")
	if code != exitOK || s1Of(t, out) != 30 || !strings.Contains(strings.ReplaceAll(out, " ", ""), `"workbook_thresholds":true`) {
		t.Errorf("what-if: exit %d, S1 %v", code, s1Of(t, out))
	}
	// The auditor's thresholds file: applied, unknown codes refused with exit 2.
	dir := t.TempDir()
	good, bad := filepath.Join(dir, "s.json"), filepath.Join(dir, "bad.json")
	os.WriteFile(good, []byte(`{"S1": 45.5}`), 0o644)
	os.WriteFile(bad, []byte(`{"S1": 45.5, "occupati_marte": 3}`), 0o644)
	code, out, _ = run(t, "audit", clean, "-o", filepath.Join(dir, "a.xlsx"), "--json", "-", "--thresholds", good)
	if code != exitOK || s1Of(t, out) != 45.5 {
		t.Errorf("--thresholds: exit %d, S1 %v", code, s1Of(t, out))
	}
	code, _, errs := run(t, "audit", clean, "-o", filepath.Join(dir, "b.xlsx"), "--thresholds", bad)
	if code != exitCannotDo || !strings.Contains(errs, "occupati_marte") {
		t.Errorf("unknown code: exit %d %q", code, errs)
	}
	if _, err := os.Stat(filepath.Join(dir, "b.xlsx")); err == nil {
		t.Error("a copy was written although the options were refused")
	}
}

// TestVerifyExitCodes: 0 for an untouched copy, 1 naming the edited cell,
// 2 for a file that is not an audited copy.
func TestVerifyExitCodes(t *testing.T) {
	dir := t.TempDir()
	cp := filepath.Join(dir, "copia.xlsx")
	if code, _, errs := run(t, "audit", "../../testdata/esempio-fondazione.xlsx", "-o", cp, "--erratum", "E-2=coherent"); code != exitOK {
		t.Fatalf("audit: %d %s", code, errs)
	}
	code, out, errs := run(t, "verify", cp)
	if code != exitOK || !strings.Contains(out, "Conforme") {
		t.Fatalf("untouched: exit %d %s %s", code, out, errs)
	}
	f, _ := excelize.OpenFile(cp)
	f.SetCellValue("Esito", "G2", 99)
	edited := filepath.Join(dir, "modificata.xlsx")
	f.SaveAs(edited)
	f.Close()
	code, out, _ = run(t, "verify", edited)
	if code != exitStrict || !strings.Contains(out, "Esito!G2") || !strings.Contains(out, "NON conforme") {
		t.Errorf("edited: exit %d %s", code, out)
	}
	code, _, errs = run(t, "verify", "../../testdata/esempio-fondazione.xlsx")
	if code != exitCannotDo || !strings.Contains(errs, "non è una copia verificata") {
		t.Errorf("original: exit %d %q", code, errs)
	}
}

// TestMessagesWithoutBidiControls: a path with U+202E (which would show
// «fattura‮xslx.exe» reversed) and a newline reaches the terminal on one
// line, without the control characters.
func TestMessagesWithoutBidiControls(t *testing.T) {
	name := filepath.Join(t.TempDir(), "fattura\u202Exslx\nnuova.xlsx")
	code, _, errs := run(t, "audit", name)
	if code != exitCannotDo || strings.ContainsRune(errs, '\u202E') || !strings.Contains(strings.SplitN(errs, "\n", 2)[0], "fatturaxslx nuova.xlsx") {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
}
