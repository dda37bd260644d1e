package xlsxio

import (
	"bytes"
	"strings"
	"testing"

	"github.com/its-academy/auditor/testkit"
	"github.com/its-academy/auditor/validate"
)

// TestWhatIfSaysSo: a what-if run (the Soglie values applied) says so on
// Esito, Regole and Timbro (pipeline's TestVerifyUntouchedCopy checks that
// its copy verifies, the record replaying it).
func TestWhatIfSaysSo(t *testing.T) {
	_, out := audit(t, testkit.Testdata(t, "esempio-fondazione.xlsx"), validate.Options{WorkbookThresholds: true})
	f := testkit.OpenWorkbook(t, out)
	for sheet, cell := range map[string]string{SheetOutcome: "F2"} {
		if v, _ := f.GetCellValue(sheet, cell); !strings.Contains(v, "SIMULAZIONE") {
			t.Errorf("%s!%s = %q", sheet, cell, v)
		}
	}
	for _, sheet := range []string{SheetRules, SheetStamp} {
		rows, _ := f.GetRows(sheet)
		said := false
		for _, r := range rows {
			said = said || strings.Contains(strings.ToUpper(strings.Join(r, " ")), "SIMULAZIONE")
		}
		if !said {
			t.Errorf("%s does not say the run is a what-if", sheet)
		}
	}
	if rp, err := ReadReplay(out); err != nil || !rp.WorkbookThresholds {
		t.Errorf("what-if copy's record: %v %+v", err, rp)
	}
}

// TestCopyReproducible: the same audit written twice gives the same bytes
// (excelize writes [Content_Types].xml's defaults from a map; the writer
// puts them in a canonical order), so a copy's SHA-256 can be cited.
func TestCopyReproducible(t *testing.T) {
	data := testkit.Testdata(t, "esempio-fondazione.xlsx")
	a, first := audit(t, data, validate.Options{})
	for i := 0; i < 5; i++ {
		again, err := WriteAudit(data, a, WriteOptions{Version: "test"})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first, again) {
			t.Fatalf("write %d differs from the first", i+2)
		}
	}
}
