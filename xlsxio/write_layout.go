package xlsxio

import (
	"cmp"
	"slices"

	"github.com/its-academy/auditor/compute"
	"github.com/its-academy/auditor/validate"
)

// explBlock is the rows of one course on the Spiegazioni sheet.
type explBlock struct {
	artRow map[int]int // articulation number → row
	indRow map[int]int // indicator number → row
}

// layout places every course's rows on Punteggi and Spiegazioni before
// any cell is written, so that each sheet can link to the others' rows
// whatever the order they are written in. It returns the last row of each.
func (w *writer) layout() (lastScores, lastExpl int) {
	w.blocks = map[int]*block{}
	w.expl = map[int]*explBlock{}
	row := 2
	for i := range w.a.Courses {
		c := &w.a.Courses[i]
		if w.scorer(c) == nil || c.Result == nil {
			continue
		}
		b := &block{}
		w.blocks[i] = b
		b.artRow, b.indRow, row = placeRows(c.Result, row)
		if c.Result.Total != nil {
			b.totalRow = row
		}
		lastScores = row
		row += 2 // the total, then a blank row between courses
	}
	row = 2
	for i := range w.a.Courses {
		c := &w.a.Courses[i]
		if c.Result == nil {
			continue
		}
		e := &explBlock{}
		w.expl[i] = e
		e.artRow, e.indRow, row = placeRows(c.Result, row)
		if c.Result.TotalTrace != nil {
			row++
		}
		row++ // the female-students indicator
	}
	return lastScores, row - 1
}

// placeRows gives a course's articulations, then its indicators, one row
// each from row, as on Punteggi and Spiegazioni; it returns their rows by
// number and the next row.
func placeRows(r *compute.CourseResult, row int) (art, ind map[int]int, next int) {
	art, ind = map[int]int{}, map[int]int{}
	for _, ar := range r.Articulations {
		art[ar.Number] = row
		row++
	}
	for _, ir := range r.Indicators {
		ind[ir.Number] = row
		row++
	}
	return art, ind, row
}

// severityRank orders findings: errors, violations, warnings, information.
func severityRank(s compute.Severity) int {
	switch s {
	case compute.SeverityError:
		return 0
	case compute.SeverityViolation:
		return 1
	case compute.SeverityWarning:
		return 2
	}
	return 3
}

// sortFindings orders findings by severity, then course, then cell (sheet,
// row, column), then rule; findings without a course (the workbook's) come
// first within a severity.
func sortFindings(fs []validate.Finding) {
	slices.SortStableFunc(fs, func(a, b validate.Finding) int {
		if c := cmp.Compare(severityRank(a.Severity), severityRank(b.Severity)); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Course, b.Course); c != 0 {
			return c
		}
		if c := compareCells(a.Cell, b.Cell); c != 0 {
			return c
		}
		return cmp.Compare(a.Rule, b.Rule)
	})
}

// compareCells orders «Sheet!B10» after «Sheet!B9»: by sheet, row, column.
func compareCells(a, b validate.CellRef) int {
	sa, ca := splitRef(string(a))
	sb, cb := splitRef(string(b))
	if c := cmp.Compare(sa, sb); c != 0 {
		return c
	}
	colA, rowA := splitCell(ca)
	colB, rowB := splitCell(cb)
	if c := cmp.Compare(rowA, rowB); c != 0 {
		return c
	}
	if c := cmp.Compare(len(colA), len(colB)); c != 0 {
		return c
	}
	return cmp.Compare(colA, colB)
}

func splitRef(s string) (sheet, cell string) {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '!' {
			return s[:i], s[i+1:]
		}
	}
	return "", s
}

// splitCell splits «AB12» into «AB» and 12 (0 when there is no row).
func splitCell(s string) (string, int) {
	i := 0
	for i < len(s) && (s[i] < '0' || s[i] > '9') {
		i++
	}
	n := 0
	for _, r := range s[i:] {
		if r < '0' || r > '9' || n > 1<<40 {
			break
		}
		n = n*10 + int(r-'0')
	}
	return s[:i], n
}
