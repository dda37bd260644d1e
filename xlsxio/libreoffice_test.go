package xlsxio

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/its-academy/auditor/testkit"
	"github.com/xuri/excelize/v2"
)

// recalcProfile makes LibreOffice recompute every formula of OOXML and ODF
// files on load instead of trusting the cached values.
const recalcProfile = `<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
`

// libreOffice returns the soffice binary, skipping the test when it is not
// installed unless AUDITOR_REQUIRE_LIBREOFFICE is set (as the test script
// does in CI, where a missing LibreOffice is a failure).
func libreOffice(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"soffice", "libreoffice"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("AUDITOR_REQUIRE_LIBREOFFICE") != "" {
		t.Fatal("LibreOffice (soffice) is required but not installed: apt-get install libreoffice-calc")
	}
	t.Skip("LibreOffice not installed; scripts/test.sh installs it")
	return ""
}

// recalcWithLibreOffice opens the workbook in LibreOffice headless, which
// recomputes every formula, and returns the file it saves.
func recalcWithLibreOffice(t *testing.T, data []byte) []byte {
	t.Helper()
	soffice := libreOffice(t)
	dir := t.TempDir()
	profile := filepath.Join(dir, "profile")
	if err := os.MkdirAll(filepath.Join(profile, "user"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(profile, "user", "registrymodifications.xcu"), []byte(recalcProfile), 0o644); err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(dir, "verificato.xlsx")
	if err := os.WriteFile(in, data, 0o644); err != nil {
		t.Fatal(err)
	}
	outDir := filepath.Join(dir, "out")
	cmd := testkit.Command(t, 3*time.Minute, soffice, "-env:UserInstallation=file://"+profile, "--headless", "--norestore", "--nolockcheck",
		"--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", outDir, in)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("LibreOffice: %v\n%s", err, stderr.String())
	}
	out, err := os.ReadFile(filepath.Join(outDir, "verificato.xlsx"))
	if err != nil {
		t.Fatalf("LibreOffice wrote no file: %v\n%s", err, stderr.String())
	}
	return out
}

// compareWithLibreOffice checks that every formula cell of the sheets (the
// product's when none is named) has, after LibreOffice recalculated it, the
// value auditor cached. It returns how many formulas it checked.
func compareWithLibreOffice(t *testing.T, ours []byte, tol float64, sheets ...string) int {
	t.Helper()
	theirs := recalcWithLibreOffice(t, ours)
	a := testkit.OpenWorkbook(t, ours)
	b := testkit.OpenWorkbook(t, theirs)
	if len(sheets) == 0 {
		sheets = ProductSheets()
	}
	checked := 0
	for _, sheet := range sheets {
		rows, err := a.GetRows(sheet, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		for r, row := range rows {
			for c := range row {
				ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
				formula, _ := a.GetCellFormula(sheet, ref)
				if formula == "" {
					continue
				}
				cached, _ := a.GetCellValue(sheet, ref, excelize.Options{RawCellValue: true})
				lo, _ := b.GetCellValue(sheet, ref, excelize.Options{RawCellValue: true})
				checked++
				if !sameValue(cached, lo, tol) {
					t.Errorf("%s!%s = %s: auditor cached %q, LibreOffice computed %q", sheet, ref, formula, cached, lo)
				}
			}
		}
	}
	return checked
}
