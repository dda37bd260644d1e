package xlsxio

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/its-academy/auditor/compute"
	"github.com/its-academy/auditor/validate"
	"github.com/xuri/excelize/v2"
)

func verifyBytes(t *testing.T, data []byte) (*Verification, error) {
	t.Helper()
	reg, err := compute.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	return VerifyCopy(data, "copia.xlsx", reg, DefaultLimits())
}

// edit changes one cell of a workbook and returns the new bytes.
func edit(t *testing.T, data []byte, fn func(f *excelize.File) error) []byte {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := fn(f); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestVerifyUntouchedCopy: a copy verifies, with the choices of its run
// replayed (a run with E-2 coherent, I-7 «articolazione» and an auditor's
// threshold would differ under the defaults).
func TestVerifyUntouchedCopy(t *testing.T) {
	data := readTestdata(t, "esempio-fondazione.xlsx")
	opts := []validate.Options{
		{},
		{Reading: compute.ReadingLiteral, Errata: map[string]compute.ErratumForm{"E-2": compute.FormCoherent},
			Interpretations: map[string]string{"I-7": "articolazione", "I-2": "soglia_diplomati"},
			Thresholds:      map[string]float64{"S1": 45, "femminile_media_meccanica": 7.5}},
	}
	for _, o := range opts {
		_, out := audit(t, data, o)
		v, err := verifyBytes(t, out)
		if err != nil {
			t.Fatalf("%+v: %v", o, err)
		}
		if !v.OK() || v.Checked < 1000 {
			t.Errorf("%+v: %d cells checked, differences %v", o, v.Checked, v.Differences)
		}
		if v.Replay.Reading != o.Reading && !(o.Reading == "" && v.Replay.Reading == compute.ReadingTables) {
			t.Errorf("replayed reading %s", v.Replay.Reading)
		}
	}
	// The replay matters: the second copy's stamp read as the defaults
	// would not agree (its totals differ from the defaults').
	_, def := audit(t, data, opts[0])
	_, alt := audit(t, data, opts[1])
	if bytes.Equal(def, alt) {
		t.Fatal("the choices change nothing: the test cannot tell a replay from a default run")
	}
}

// TestVerifyEditedCopy: a product value edited after the audit, or an input
// edited after it, is named by sheet and cell.
func TestVerifyEditedCopy(t *testing.T) {
	_, out := audit(t, readTestdata(t, "esempio-fondazione.xlsx"), validate.Options{})
	total := edit(t, out, func(f *excelize.File) error { return f.SetCellValue(SheetOutcome, "G2", 99.5) })
	v, err := verifyBytes(t, total)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, d := range v.Differences {
		found = found || (d.Sheet == SheetOutcome && d.Cell == "G2")
	}
	if v.OK() || !found {
		t.Errorf("edited Esito!G2 not named: %v", v.Differences)
	}
	// 25 enrolled instead of the reported figure: the recomputed scores
	// differ from the cached ones on Punteggi.
	input := edit(t, out, func(f *excelize.File) error { return f.SetCellValue(validate.SheetCourses, "H3", 25) })
	v, err = verifyBytes(t, input)
	if err != nil {
		t.Fatal(err)
	}
	onScores := false
	for _, d := range v.Differences {
		onScores = onScores || d.Sheet == SheetScores
	}
	if v.OK() || !onScores {
		t.Errorf("edited input not detected on %s: %v", SheetScores, v.Differences)
	}
	if s := v.Differences[0].String(); !strings.Contains(s, "nella copia") || !strings.Contains(s, "ricalcolato") {
		t.Errorf("difference text %q", s)
	}
}

// TestVerifyNotAnAuditedCopy: the original workbook, a copy whose stamp
// lost its record, and a file that is not xlsx are ErrNotAudited.
func TestVerifyNotAnAuditedCopy(t *testing.T) {
	original := readTestdata(t, "esempio-fondazione.xlsx")
	_, out := audit(t, original, validate.Options{})
	noRecord := edit(t, out, func(f *excelize.File) error {
		rows, _ := f.GetRows(SheetStamp)
		for i, r := range rows {
			if len(r) > 0 && r[0] == StampReplayLabel {
				return f.SetCellValue(SheetStamp, "A"+strconv.Itoa(i+1), "altro")
			}
		}
		return errors.New("no record row")
	})
	for name, data := range map[string][]byte{"original": original, "no record": noRecord, "not xlsx": []byte("codice,valore\n")} {
		_, err := verifyBytes(t, data)
		var oe *OpenError
		if !errors.Is(err, ErrNotAudited) || !errors.As(err, &oe) || oe.Msg == "" {
			t.Errorf("%s: err %v, want ErrNotAudited with an Italian message", name, err)
		}
	}
}

// TestWhatIfSaysSo: a what-if run (the Soglie values applied) says so on
// Esito, Regole and Timbro, and its copy verifies (the record replays it).
func TestWhatIfSaysSo(t *testing.T) {
	_, out := audit(t, readTestdata(t, "esempio-fondazione.xlsx"), validate.Options{WorkbookThresholds: true})
	f, err := excelize.OpenReader(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
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
	if v, err := verifyBytes(t, out); err != nil || !v.OK() || !v.Replay.WorkbookThresholds {
		t.Errorf("what-if copy: %v %+v", err, v)
	}
}

// TestCopyReproducible: the same audit written twice gives the same bytes
// (excelize writes [Content_Types].xml's defaults from a map; the writer
// puts them in a canonical order), so a copy's SHA-256 can be cited.
func TestCopyReproducible(t *testing.T) {
	data := readTestdata(t, "esempio-fondazione.xlsx")
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
