package xlsxio

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/its-academy/auditor/compute"
	"github.com/its-academy/auditor/internal/xlsx"
	"github.com/its-academy/auditor/testkit"
	"github.com/its-academy/auditor/validate"
	"github.com/xuri/excelize/v2"
)

// zipParts returns every part of an xlsx by name.
func zipParts(t *testing.T, data []byte) map[string][]byte {
	t.Helper()
	parts := map[string][]byte{}
	for _, f := range testkit.Unzip(t, data) {
		parts[f.Name] = f.Data
	}
	return parts
}

// sheetCells returns every cell of a sheet: value, formula and style.
func sheetCells(t *testing.T, f *excelize.File, sheet string) map[string]string {
	t.Helper()
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for r, row := range rows {
		for c, v := range row {
			ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
			formula, _ := f.GetCellFormula(sheet, ref)
			style, _ := f.GetCellStyle(sheet, ref)
			out[ref] = fmt.Sprintf("%q|%q|%d", v, formula, style)
		}
	}
	return out
}

// assertOriginalSheetsKept compares every original sheet cell by cell, the
// defined names and comments, and checks the product's sheets were added.
func assertOriginalSheetsKept(t *testing.T, before, after []byte) {
	t.Helper()
	fb := testkit.OpenWorkbook(t, before)
	fa := testkit.OpenWorkbook(t, after)
	orig := fb.GetSheetList()
	got := fa.GetSheetList()
	if len(got) != len(orig)+len(ProductSheets()) {
		t.Fatalf("sheets after audit %v; before %v", got, orig)
	}
	for i, s := range orig {
		if got[i] != s {
			t.Fatalf("sheet %d is %q, was %q", i, got[i], s)
		}
		cb, ca := sheetCells(t, fb, s), sheetCells(t, fa, s)
		if len(cb) != len(ca) {
			t.Errorf("sheet %s: %d cells before, %d after", s, len(cb), len(ca))
		}
		for ref, v := range cb {
			if ca[ref] != v {
				t.Errorf("%s!%s changed: %s → %s", s, ref, v, ca[ref])
			}
		}
		comB, _ := fb.GetComments(s)
		comA, _ := fa.GetComments(s)
		jb, _ := json.Marshal(comB)
		ja, _ := json.Marshal(comA)
		if !bytes.Equal(jb, ja) {
			t.Errorf("sheet %s: comments changed", s)
		}
		dvB, _ := fb.GetDataValidations(s)
		dvA, _ := fa.GetDataValidations(s)
		if len(dvB) != len(dvA) {
			t.Errorf("sheet %s: %d data validations before, %d after", s, len(dvB), len(dvA))
		}
	}
	product := map[string]bool{}
	for _, s := range ProductSheets() {
		product[s] = true
	}
	names := func(f *excelize.File) string {
		var out []string
		for _, dn := range f.GetDefinedName() {
			if dn.Name != markerName && !product[dn.Scope] { // the product sheets' print titles and filters are theirs
				out = append(out, dn.Name+"="+dn.RefersTo+"@"+dn.Scope)
			}
		}
		sort.Strings(out)
		return strings.Join(out, ";")
	}
	if names(fb) != names(fa) {
		t.Errorf("defined names changed: %s → %s", names(fb), names(fa))
	}
	for _, s := range ProductSheets() {
		if idx, _ := fa.GetSheetIndex(s); idx < 0 {
			t.Errorf("product sheet %s missing", s)
		}
	}
}

func TestAuditExampleKeepsOriginalAndFormulasHold(t *testing.T) {
	data := testkit.Testdata(t, "esempio-fondazione.xlsx")
	for _, rd := range []compute.Reading{compute.ReadingCoherent, compute.ReadingLiteral} {
		t.Run(string(rd), func(t *testing.T) {
			a, out := audit(t, data, validate.Options{Reading: rd})
			scored := 0
			for i := range a.Courses {
				if a.Courses[i].Scored() {
					scored++
				}
			}
			if scored < 6 {
				t.Errorf("only %d courses scored", scored)
			}
			assertOriginalSheetsKept(t, data, out)
			n, bad, err := CheckFormulas(out, 1e-9)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range bad {
				t.Errorf("excelize recalculation: %s", m)
			}
			if n < 16*scored {
				t.Errorf("only %d formulas checked for %d scored courses", n, scored)
			}
			if lo := compareWithLibreOffice(t, out, 1e-9); lo != n {
				t.Errorf("LibreOffice checked %d formulas, excelize %d", lo, n)
			}
		})
	}
}

func TestReauditReplacesProductSheets(t *testing.T) {
	data := testkit.Testdata(t, "esempio-fondazione.xlsx")
	_, once := audit(t, data, validate.Options{})
	_, twice := audit(t, once, validate.Options{Reading: compute.ReadingLiteral})
	f := testkit.OpenWorkbook(t, twice)
	fo, _ := excelize.OpenReader(bytes.NewReader(once))
	defer fo.Close()
	if got, want := len(f.GetSheetList()), len(fo.GetSheetList()); got != want {
		t.Errorf("re-audit has %d sheets, first audit %d: %v", got, want, f.GetSheetList())
	}
	v, _ := f.GetCellValue(SheetStamp, "B4")
	if !strings.Contains(v, "letterale") {
		t.Errorf("stamp after re-audit says %q", v)
	}
	// The alternatives are those of the literal reading: each erratum read
	// coherently, one row per course and choice.
	rows, _ := f.GetRows(SheetSensitivity)
	if len(rows) < 2 || rows[1][1] != "E-1" || rows[1][2] != "coherent" || !strings.Contains(rows[1][3], "errata E-1 coerente") {
		t.Errorf("Sensibilità after re-audit: %q", rows)
	}
	// A user's own sheet named like a product sheet is never overwritten.
	fu := excelize.NewFile()
	defer fu.Close()
	fx, _ := excelize.OpenReader(bytes.NewReader(data))
	defer fx.Close()
	if _, err := fx.NewSheet(SheetOutcome); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := fx.Write(&buf); err != nil {
		t.Fatal(err)
	}
	wb := mustOpen(t, buf.Bytes(), "x.xlsx")
	reg, _ := compute.LoadEmbedded()
	a, err := validate.Run(wb.Input, reg, validate.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := WriteAudit(buf.Bytes(), a, WriteOptions{}); !errors.Is(err, ErrSheetNameTaken) {
		t.Errorf("user sheet named %s: %v, want ErrSheetNameTaken", SheetOutcome, err)
	}
}

func TestAuditInconsistentWorkbook(t *testing.T) {
	data := testkit.Testdata(t, "esempio-incoerente.xlsx")
	a, out := audit(t, data, validate.Options{})
	if !a.HasSeverity(compute.SeverityError) {
		t.Fatal("no error findings in the inconsistent workbook")
	}
	assertOriginalSheetsKept(t, data, out)
	f := testkit.OpenWorkbook(t, out)
	rows, _ := f.GetRows(SheetFindings)
	if len(rows) < 8 {
		t.Fatalf("only %d rows of findings", len(rows))
	}
	// Each finding with a cell links to it.
	linked := 0
	for r := 2; r <= len(rows); r++ {
		if ok, target, _ := f.GetCellHyperLink(SheetFindings, fmt.Sprintf("D%d", r)); ok {
			if !strings.Contains(target, "!") {
				t.Errorf("row %d links to %q", r, target)
			}
			linked++
		}
	}
	if linked == 0 {
		t.Error("no finding links to its cell")
	}
	if _, bad, err := CheckFormulas(out, 1e-9); err != nil || len(bad) > 0 {
		t.Errorf("formulas: %v %v", err, bad)
	}
}

// withOfficialSheets adds the official sheets, filled with the example's
// courses, to a workbook written by another tool.
func withOfficialSheets(t *testing.T, foreign []byte) []byte {
	t.Helper()
	example := testkit.OpenWorkbook(t, testkit.Testdata(t, "esempio-fondazione.xlsx"))
	f := testkit.OpenWorkbook(t, foreign)
	for _, s := range []string{validate.SheetFoundation, validate.SheetCourses, validate.SheetThresholds} {
		if _, err := f.NewSheet(s); err != nil {
			t.Fatal(err)
		}
		rows, _ := example.GetRows(s, excelize.Options{RawCellValue: true})
		for r, row := range rows {
			for c, v := range row {
				ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
				var val any = v
				if x, err := parseFloat(v); err == nil {
					val = x
				}
				if err := f.SetCellValue(s, ref, val); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func parseFloat(s string) (float64, error) {
	var x float64
	_, err := fmt.Sscan(s, &x)
	if err == nil && fmt.Sprint(x) != s && strings.TrimRight(strings.TrimRight(fmt.Sprintf("%f", x), "0"), ".") != s {
		return 0, fmt.Errorf("not a plain number")
	}
	return x, err
}

// touchedParts are the parts adding sheets necessarily rewrites.
var touchedParts = map[string]bool{
	"[Content_Types].xml": true, "xl/workbook.xml": true, "xl/_rels/workbook.xml.rels": true,
	"xl/styles.xml": true, "docProps/app.xml": true, "docProps/core.xml": true, "xl/sharedStrings.xml": true,
}

func TestForeignWorkbooksSurviveByteForByte(t *testing.T) {
	dir := filepath.Join("..", "testdata", "foreign")
	for _, name := range []string{"excelize-Book1.xlsx", "excelize-CalcChain.xlsx", "excelize-MergeCell.xlsx", "excelize-SharedStrings.xlsx", "frictionless-preserve-formatting.xlsx", "frictionless-merged-cells.xlsx", "frictionless-multiline-headers.xlsx", "frictionless-sheets.xlsx", "frictionless-template.xlsx"} {
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			in := withOfficialSheets(t, raw)
			_, out := audit(t, in, validate.Options{})
			assertOriginalSheetsKept(t, in, out)
			before, after := zipParts(t, in), zipParts(t, out)
			for part, b := range before {
				b, _ = xlsx.Deselect(b) // the copy opens on Esito: no user's sheet is selected
				a, ok := after[part]
				switch {
				case !ok:
					t.Errorf("part %s lost", part)
				case !bytes.Equal(a, b) && !touchedParts[part]:
					t.Errorf("part %s changed (%d → %d bytes)", part, len(b), len(a))
				}
			}
			if _, bad, err := CheckFormulas(out, 1e-9); err != nil || len(bad) > 0 {
				t.Errorf("formulas: %v %v", err, bad)
			}
		})
	}
}

// TestAuditWorkbookSavedByLibreOffice: foundations fill the workbook in
// LibreOffice too; a file it saved must read, audit and keep its sheets.
func TestAuditWorkbookSavedByLibreOffice(t *testing.T) {
	original := testkit.Testdata(t, "esempio-fondazione.xlsx")
	saved := recalcWithLibreOffice(t, original)
	a, out := audit(t, saved, validate.Options{})
	want, _ := audit(t, original, validate.Options{})
	if len(a.Courses) != len(want.Courses) {
		t.Fatalf("%d courses from the LibreOffice copy, %d from the original", len(a.Courses), len(want.Courses))
	}
	for i := range a.Courses {
		got, exp := a.Courses[i], want.Courses[i]
		if got.Scored() != exp.Scored() || (got.Scored() && math.Abs(*got.Result.Total-*exp.Result.Total) > 1e-9) {
			t.Errorf("%s: scored %v total %v; from the original %v %v", got.Code, got.Scored(), got.Result, exp.Scored(), exp.Result)
		}
	}
	assertOriginalSheetsKept(t, saved, out)
	if _, bad, err := CheckFormulas(out, 1e-9); err != nil || len(bad) > 0 {
		t.Errorf("formulas: %v %v", err, bad)
	}
}

// TestAuditEdgeCases: an extra user column, blank rows, numbers and dates
// typed as text, a formula never calculated.
func TestAuditEdgeCases(t *testing.T) {
	data := testkit.Testdata(t, "esempio-casi-limite.xlsx")
	a, out := audit(t, data, validate.Options{})
	byCode := map[string]*validate.CourseAudit{}
	for i := range a.Courses {
		byCode[a.Courses[i].Code] = &a.Courses[i]
	}
	rules := func(c *validate.CourseAudit) map[compute.RuleID]compute.Severity {
		m := map[compute.RuleID]compute.Severity{}
		for _, f := range c.Findings {
			m[f.Rule] = f.Severity
		}
		return m
	}
	if c := byCode["EDGE-01"]; c == nil || !c.Scored() || len(c.TextNumbers) == 0 || rules(c)["VAL-NUMERO-AMBIGUO"] != compute.SeverityWarning {
		t.Errorf("EDGE-01 (numbers as text): %+v", c)
	}
	if c := byCode["EDGE-02"]; c == nil || !c.Scored() || c.Ended.Format("02/01/2006") != "15/07/2025" {
		t.Errorf("EDGE-02 (date as text): %+v", c)
	}
	if c := byCode["EDGE-03"]; c == nil || c.Scored() || rules(c)["VAL-FORMULA-SENZA-VALORE"] != compute.SeverityError {
		t.Errorf("EDGE-03 (formula never calculated) must not be scored: %+v", c)
	}
	if c := byCode["EDGE-04"]; c == nil || !c.Scored() || c.Row != 8 {
		t.Errorf("EDGE-04 (after blank rows) at row 8: %+v", c)
	}
	if len(a.Courses) != 4 {
		t.Errorf("%d courses, want 4 (blank rows skipped)", len(a.Courses))
	}
	assertOriginalSheetsKept(t, data, out)
	n, bad, err := CheckFormulas(out, 1e-9)
	if err != nil || len(bad) > 0 {
		t.Errorf("excelize: %v %v", err, bad)
	}
	if lo := compareWithLibreOffice(t, out, 1e-9); lo != n {
		t.Errorf("LibreOffice checked %d formulas, excelize %d", lo, n)
	}
}
