package pipeline

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/its-academy/auditor/compute"
	"github.com/its-academy/auditor/testkit"
	"github.com/its-academy/auditor/validate"
	"github.com/its-academy/auditor/xlsxio"
	"github.com/xuri/excelize/v2"
)

// auditedCopy audits data with the choices o and returns the audited copy.
func auditedCopy(t *testing.T, data []byte, o validate.Options) []byte {
	t.Helper()
	res, err := Run(context.Background(), data, "esempio.xlsx", Options{Validate: o, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	out, err := res.Copy()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func verifyBytes(t *testing.T, data []byte) (*Verification, error) {
	t.Helper()
	reg, err := compute.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	return VerifyCopy(data, "copia.xlsx", reg, xlsxio.DefaultLimits())
}

// TestVerifyUntouchedCopy: a copy verifies, with the choices of its run
// replayed (a run with E-2 coherent, I-7 «articolazione» and an auditor's
// threshold would differ under the defaults; so would a what-if run with
// the Soglie sheet's values, and a run's time is written on Esito and
// Timbro).
func TestVerifyUntouchedCopy(t *testing.T) {
	data := example(t)
	opts := []validate.Options{
		{},
		{Reading: compute.ReadingLiteral, Errata: map[string]compute.ErratumForm{"E-2": compute.FormCoherent},
			Interpretations: map[string]string{"I-7": "articolazione", "I-2": "soglia_diplomati"},
			Thresholds:      map[string]float64{"S1": 45, "femminile_media_meccanica": 7.5}},
		{WorkbookThresholds: true},
		{AuditedAt: time.Date(2026, 3, 2, 9, 30, 5, 0, time.UTC)},
	}
	for _, o := range opts {
		v, err := verifyBytes(t, auditedCopy(t, data, o))
		if err != nil {
			t.Fatalf("%+v: %v", o, err)
		}
		if !v.OK() || v.Checked < 1000 {
			t.Errorf("%+v: %d cells checked, differences %v", o, v.Checked, v.Differences)
		}
		if v.Replay.Reading != o.Reading && !(o.Reading == "" && v.Replay.Reading == compute.ReadingTables) {
			t.Errorf("replayed reading %s", v.Replay.Reading)
		}
		if v.Replay.WorkbookThresholds != o.WorkbookThresholds {
			t.Errorf("%+v: replayed what-if %v", o, v.Replay.WorkbookThresholds)
		}
		if !o.AuditedAt.IsZero() && v.Replay.AuditedAt != "2026-03-02T09:30:05Z" {
			t.Errorf("replayed time %q", v.Replay.AuditedAt)
		}
	}
	// The replay matters: the second copy's stamp read as the defaults
	// would not agree (its totals differ from the defaults').
	if bytes.Equal(auditedCopy(t, data, opts[0]), auditedCopy(t, data, opts[1])) {
		t.Fatal("the choices change nothing: the test cannot tell a replay from a default run")
	}
}

// TestVerifyEditedCopy: a product value edited after the audit, or an input
// edited after it, is named by sheet and cell.
func TestVerifyEditedCopy(t *testing.T) {
	out := auditedCopy(t, example(t), validate.Options{})
	tests := []struct {
		name  string
		edit  func(f *excelize.File) error
		named func(d xlsxio.Difference) bool
	}{
		{"edited Esito!G2", func(f *excelize.File) error { return f.SetCellValue(xlsxio.SheetOutcome, "G2", 99.5) },
			func(d xlsxio.Difference) bool { return d.Sheet == xlsxio.SheetOutcome && d.Cell == "G2" }},
		// 25 enrolled instead of the reported figure: the recomputed
		// scores differ from the cached ones on Punteggi.
		{"edited input", func(f *excelize.File) error { return f.SetCellValue(validate.SheetCourses, "H3", 25) },
			func(d xlsxio.Difference) bool { return d.Sheet == xlsxio.SheetScores }},
	}
	for _, tt := range tests {
		v, err := verifyBytes(t, testkit.EditWorkbook(t, out, tt.edit))
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, d := range v.Differences {
			found = found || tt.named(d)
		}
		if v.OK() || !found {
			t.Errorf("%s not detected: %v", tt.name, v.Differences)
			continue
		}
		if s := v.Differences[0].String(); !strings.Contains(s, "nella copia") || !strings.Contains(s, "ricalcolato") {
			t.Errorf("difference text %q", s)
		}
	}
}

// TestVerifyNotAnAuditedCopy: the original workbook, a copy whose stamp
// lost its record, and a file that is not xlsx are ErrNotAudited.
func TestVerifyNotAnAuditedCopy(t *testing.T) {
	original := example(t)
	noRecord := testkit.EditWorkbook(t, auditedCopy(t, original, validate.Options{}), func(f *excelize.File) error {
		rows, _ := f.GetRows(xlsxio.SheetStamp)
		for i, r := range rows {
			if len(r) > 0 && r[0] == xlsxio.StampReplayLabel {
				return f.SetCellValue(xlsxio.SheetStamp, "A"+strconv.Itoa(i+1), "altro")
			}
		}
		return errors.New("no record row")
	})
	for name, data := range map[string][]byte{"original": original, "no record": noRecord, "not xlsx": []byte("codice,valore\n")} {
		_, err := verifyBytes(t, data)
		var oe *xlsxio.OpenError
		if !errors.Is(err, xlsxio.ErrNotAudited) || !errors.As(err, &oe) || oe.Msg == "" {
			t.Errorf("%s: err %v, want ErrNotAudited with an Italian message", name, err)
		}
	}
}
