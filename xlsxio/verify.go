package xlsxio

import (
	"bytes"
	"fmt"
	"math"
	"strconv"

	"github.com/xuri/excelize/v2"
)

// Mismatch is a formula cell whose recalculated value differs from the value
// cached in the file.
type Mismatch struct {
	Sheet, Cell, Formula string
	Cached, Calculated   string
}

func (m Mismatch) String() string {
	return fmt.Sprintf("%s!%s = %s: cached %q, recalculated %q", m.Sheet, m.Cell, m.Formula, m.Cached, m.Calculated)
}

// CheckFormulas recalculates every formula on the product's sheets with
// excelize's calculator and compares it with the cached value: numbers
// within tol, text exactly. It returns how many formulas it checked.
func CheckFormulas(data []byte, tol float64) (int, []Mismatch, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		return 0, nil, fmt.Errorf("opening the audited workbook: %w", err)
	}
	defer f.Close()
	checked := 0
	var bad []Mismatch
	for _, sheet := range ProductSheets() {
		rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
		if err != nil {
			return checked, bad, fmt.Errorf("reading %s: %w", sheet, err)
		}
		for r, row := range rows {
			for c := range row {
				ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
				formula, err := f.GetCellFormula(sheet, ref)
				if err != nil || formula == "" {
					continue
				}
				cached, _ := f.GetCellValue(sheet, ref, excelize.Options{RawCellValue: true})
				calc, err := f.CalcCellValue(sheet, ref, excelize.Options{RawCellValue: true})
				if err != nil {
					calc = "errore: " + err.Error()
				}
				checked++
				if !sameValue(cached, calc, tol) {
					bad = append(bad, Mismatch{Sheet: sheet, Cell: ref, Formula: formula, Cached: cached, Calculated: calc})
				}
			}
		}
	}
	return checked, bad, nil
}

// sameValue compares two cell values: as numbers within tol (absolute)
// when both parse, as text otherwise.
func sameValue(a, b string, tol float64) bool {
	x, errA := strconv.ParseFloat(a, 64)
	y, errB := strconv.ParseFloat(b, 64)
	if errA == nil && errB == nil {
		return math.Abs(x-y) <= tol
	}
	return a == b
}
