package xlsxio

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"

	"github.com/its-academy/auditor/validate"
	"github.com/xuri/excelize/v2"
)

// ErrNotAudited is the kind of the error ReadReplay returns for a file that
// is not an audited copy (no stamp, or a stamp without the run's record).
var ErrNotAudited = errors.New("not an audited copy")

// VerifyTolerance is how far a recomputed number may be from the copy's
// (CompareProductSheets).
const VerifyTolerance = 1e-9

// Difference is a product cell whose content in an audited copy is not what
// the audit recorded in its stamp produces from the copy's original sheets
// (pipeline.VerifyCopy recomputes the copy; CompareProductSheets finds
// them).
type Difference struct {
	Sheet string `json:"sheet"`
	Cell  string `json:"cell"`
	Found string `json:"found"`    // in the copy ("" for an empty cell)
	Want  string `json:"expected"` // recomputed
	What  string `json:"what"`     // "valore" or "formula"
}

// ReadReplay reads the run's record from the Timbro sheet of an audited
// copy. A file that is not an audited copy (no stamp, or a stamp without
// the record) is ErrNotAudited, wrapped in an *OpenError with the Italian
// line that says why.
func ReadReplay(data []byte) (validate.Replay, error) { return readReplay(data) }

// readReplay finds the run's record on the Timbro sheet.
func readReplay(data []byte) (validate.Replay, error) {
	var rp validate.Replay
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		return rp, &OpenError{Kind: ErrNotAudited, Msg: "il file non è una cartella di lavoro xlsx leggibile: non è una copia verificata"}
	}
	defer f.Close()
	rows, err := f.GetRows(SheetStamp)
	if err != nil {
		return rp, &OpenError{Kind: ErrNotAudited, Msg: "il file non ha il foglio «" + SheetStamp + "»: non è una copia verificata da auditor"}
	}
	for _, row := range rows {
		if len(row) >= 2 && row[0] == StampReplayLabel {
			if err := json.Unmarshal([]byte(row[1]), &rp); err != nil {
				return rp, &OpenError{Kind: ErrNotAudited, Msg: "la riga «" + StampReplayLabel + "» del foglio " + SheetStamp + " non è leggibile: la copia è stata modificata o non è di auditor"}
			}
			return rp, nil
		}
	}
	return rp, &OpenError{Kind: ErrNotAudited, Msg: "il foglio " + SheetStamp + " non ha la riga «" + StampReplayLabel + "»: non è una copia verificata da questa versione di auditor"}
}

// CompareProductSheets compares every cell of the product's sheets of an
// audited copy with those of the copy written again (values and formulas;
// numbers within VerifyTolerance). It returns how many cells it checked
// and the differences, in the order of the sheets, then rows, then columns
// (a sheet missing from the copy is one difference).
func CompareProductSheets(copyData, again []byte) (checked int, diffs []Difference, err error) {
	fc, err := excelize.OpenReader(bytes.NewReader(copyData))
	if err != nil {
		return 0, nil, fmt.Errorf("opening the copy: %w", err)
	}
	defer fc.Close()
	fa, err := excelize.OpenReader(bytes.NewReader(again))
	if err != nil {
		return 0, nil, fmt.Errorf("opening the recomputed copy: %w", err)
	}
	defer fa.Close()
	diffs = []Difference{}
	for _, sheet := range ProductSheets() {
		cc, err := productCells(fc, sheet)
		if err != nil {
			diffs = append(diffs, Difference{Sheet: sheet, What: "foglio", Found: "assente", Want: "presente"})
			continue
		}
		ca, err := productCells(fa, sheet)
		if err != nil {
			return 0, nil, fmt.Errorf("reading the recomputed %s: %w", sheet, err)
		}
		refs := map[string]bool{}
		for ref := range cc {
			refs[ref] = true
		}
		for ref := range ca {
			refs[ref] = true
		}
		for _, ref := range sortedRefs(refs) {
			x, y := cc[ref], ca[ref]
			checked++
			if x.formula != y.formula {
				diffs = append(diffs, Difference{Sheet: sheet, Cell: ref, Found: x.formula, Want: y.formula, What: "formula"})
				continue
			}
			if !sameValue(x.value, y.value, VerifyTolerance) {
				diffs = append(diffs, Difference{Sheet: sheet, Cell: ref, Found: x.value, Want: y.value, What: "valore"})
			}
		}
	}
	return checked, diffs, nil
}

type cellContent struct{ value, formula string }

// productCells reads every non-empty cell of a sheet: its raw value (the
// cached one for formulas) and its formula.
func productCells(f *excelize.File, sheet string) (map[string]cellContent, error) {
	if idx, err := f.GetSheetIndex(sheet); err != nil || idx < 0 {
		return nil, fmt.Errorf("no sheet %s", sheet)
	}
	rows, err := f.Rows(sheet)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]cellContent{}
	r := 0
	for rows.Next() {
		r++
		cols, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, err
		}
		for c, val := range cols {
			ref, _ := excelize.CoordinatesToCellName(c+1, r)
			formula, _ := f.GetCellFormula(sheet, ref)
			if val == "" && formula == "" {
				continue
			}
			out[ref] = cellContent{value: val, formula: formula}
		}
	}
	return out, rows.Error()
}

// sortedRefs orders cell references by row, then column.
func sortedRefs(refs map[string]bool) []string {
	type rc struct {
		ref  string
		r, c int
	}
	list := make([]rc, 0, len(refs))
	for ref := range refs {
		c, r, _ := excelize.CellNameToCoordinates(ref)
		list = append(list, rc{ref, r, c})
	}
	sort.Slice(list, func(i, j int) bool {
		if list[i].r != list[j].r {
			return list[i].r < list[j].r
		}
		return list[i].c < list[j].c
	})
	out := make([]string, len(list))
	for i, x := range list {
		out[i] = x.ref
	}
	return out
}

// String describes a difference in Italian: «Punteggi!E5: valore 61,2 nella
// copia, 62,4 ricalcolato».
func (d Difference) String() string {
	where := d.Sheet
	if d.Cell != "" {
		where += "!" + d.Cell
	}
	show := func(s string) string {
		if s == "" {
			return "vuoto"
		}
		if _, err := strconv.ParseFloat(s, 64); err == nil {
			return s
		}
		return "«" + s + "»"
	}
	return fmt.Sprintf("%s: %s %s nella copia, %s ricalcolato", where, d.What, show(d.Found), show(d.Want))
}
