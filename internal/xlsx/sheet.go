package xlsx

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Cell types as the t attribute stores them.
const (
	CellNumber  uint8 = iota // t="n", no t, or an unknown t
	CellShared               // t="s": an index into the shared strings
	CellInline               // t="inlineStr"
	CellFormula              // t="str": a formula's text result
	CellBool                 // t="b"
	CellError                // t="e"
	CellDate                 // t="d": an ISO 8601 date
)

// SheetCell is one <c> of a worksheet, with the positions of its parts.
type SheetCell struct {
	Col     int32
	style   int32
	Type    uint8
	HasV    bool
	hasF    bool
	hasIS   bool
	shared  bool // <f t="shared">
	master  bool // a shared formula's first cell (it has ref)
	si      int32
	v, f    span // raw content of <v> and <f>
	is      span // raw content of <is>
	hasAttr bool // s attribute present
}

// SheetRow is a row with its cells in document order.
type SheetRow struct {
	num    int
	style  int32
	Cells  []SheetCell
	sorted bool // cells in increasing column order
	Hidden bool
}

// colStyle is a <col> range with a style.
type colStyle struct{ min, max, style int32 }

// Sheet is a worksheet read by ParseSheet.
type Sheet struct {
	data    []byte
	Rows    map[int]*SheetRow
	Order   []int // row numbers, increasing
	cols    []colStyle
	masters map[int32]masterRef
	Cost    SheetCost
}

type masterRef struct {
	row  int
	cell *SheetCell
}

// SheetCost is what a worksheet would cost excelize once decoded and
// padded up to every row's last cell: the reader's MaxCells budget keeps
// this measure, so that the same sheets are refused.
type SheetCost struct {
	Rows, Cells, other int64
	LastRow, LastCol   int // for the message
}

func (c SheetCost) Units() int64 { return c.Cells + c.Rows/2 + c.other }

// ParseSheet reads a worksheet part. ok is false when its cost exceeds
// budget (parsing stops there).
func ParseSheet(d []byte, budget int64) (*Sheet, bool, error) {
	sh := &Sheet{data: d, Rows: map[int]*SheetRow{}, masters: map[int32]masterRef{}}
	s := newXMLScanner(d)
	var (
		c                        = &sh.Cost
		inData, inCols           bool
		dataDepth                int
		row                      *SheetRow
		rowElems, cur            int64
		rowCells, rowMax, cursor int64
		cell                     *SheetCell
		cellRow                  *SheetRow // the row cell is filed in
		cellDepth                int
		attrErr                  bool
	)
	endRow := func() {
		if row != nil {
			c.Cells += max(rowCells, rowMax)
			rowCells, rowMax, cursor, row = 0, 0, 0, nil
		}
	}
	structural := int64(0) // sheetData, rows and cells: not counted as other
	over := func() bool {
		c.other = s.starts - structural
		return c.Units()+max(rowCells, rowMax) > budget
	}
	// emptyCells reads the formatted empty cells that follow, in the form
	// excelize writes them, exactly as the general path below reads them
	// (TestEmptyCellsFastPath); full is set when the budget runs out.
	emptyCells := func() (full bool, err error) {
		for {
			ref, style, ok := s.emptyCell()
			if !ok {
				return false, nil
			}
			rowCells++
			structural++
			cursor++
			col, r, ok := parseCellName(ref)
			if !ok {
				return false, fmt.Errorf("cell reference %q", ref)
			}
			cursor = max(cursor, int64(col))
			c.Rows = max(c.Rows, int64(r))
			c.LastCol = max(c.LastCol, col)
			if style != nil {
				if n, ok := atoi(style); !ok || n > math.MaxInt32 {
					attrErr = true
				}
			}
			rowMax = max(rowMax, cursor)
			if over() {
				return true, nil
			}
			if cursor > excelize.MaxColumns || int64(r) > excelize.TotalRows {
				return false, fmt.Errorf("cell beyond the last column or row of a sheet")
			}
		}
	}
	for {
		if row != nil && cell == nil {
			full, err := emptyCells()
			if err != nil {
				return nil, true, err
			}
			if full {
				return sh, false, nil
			}
		}
		if !s.next() {
			break
		}
		if s.starts == 1 && !s.end && !s.rootIs("worksheet") {
			return nil, true, fmt.Errorf("%w: the root is not a SpreadsheetML <worksheet>", errXML)
		}
		if s.end {
			switch {
			case cell != nil && len(s.stack) < cellDepth:
				if !cell.HasV && !cell.hasF && !cell.hasIS && cell.Type == cellTypeOf(nil) {
					cellRow.Cells = cellRow.Cells[:len(cellRow.Cells)-1] // formatted, holding nothing
				}
				cell = nil
			case row != nil && string(s.name) == "row":
				endRow()
			case inData && len(s.stack) < dataDepth:
				endRow()
				inData = false
			case inCols && string(s.name) == "cols":
				inCols = false
			}
			continue
		}
		name := s.name
		switch {
		case !inData && string(name) == "sheetData":
			inData, dataDepth = !s.empty, len(s.stack)
			structural++
			continue
		case inData && string(name) == "row":
			endRow()
			rowElems++
			structural++
			cur++
			var style int32
			hidden := false
			if !eachAttr(s.attrs, func(n, v []byte) {
				switch string(n) {
				case "hidden":
					hidden = string(v) == "1" || string(v) == "true"
				case "r":
					r, ok := atoi(v)
					if !ok {
						attrErr = true // excelize cannot read it either
					} else if r > 0 {
						cur = int64(r)
					}
				case "s":
					x, ok := atoi(v)
					if !ok || x > math.MaxInt32 {
						attrErr = true
					}
					style = int32(x)
				}
			}) {
				attrErr = true
			}
			c.Rows = max(c.Rows, cur, rowElems)
			if cur > excelize.TotalRows {
				return nil, true, fmt.Errorf("row %d beyond the last row of a sheet", cur)
			}
			row = sh.Rows[int(cur)]
			if row == nil {
				row = &SheetRow{num: int(cur), style: style, sorted: true}
				sh.Rows[int(cur)] = row
				sh.Order = append(sh.Order, int(cur))
			}
			row.Hidden = row.Hidden || hidden
			if s.empty {
				endRow()
			}
			if over() {
				return sh, false, nil
			}
			continue
		case row != nil && cell == nil && string(name) == "c":
			rowCells++
			structural++
			cursor++
			rowNum := cur
			var (
				ref   []byte
				x     SheetCell
				typ   []byte
				style int64
			)
			for i := range s.attrList {
				switch name, value := s.attr(i); string(name) {
				case "r":
					ref = value
				case "t":
					typ = value
				case "s":
					n, ok := atoi(value)
					if !ok || n > math.MaxInt32 {
						attrErr = true
					}
					style, x.hasAttr = int64(n), true
				}
			}
			if len(ref) > 0 {
				col, r, ok := parseCellName(ref)
				if !ok {
					return nil, true, fmt.Errorf("cell reference %q", ref)
				}
				cursor = max(cursor, int64(col))
				rowNum = int64(r)
				c.Rows = max(c.Rows, rowNum)
				c.LastCol = max(c.LastCol, col)
			}
			rowMax = max(rowMax, cursor)
			if over() {
				return sh, false, nil
			}
			if cursor > excelize.MaxColumns || rowNum > excelize.TotalRows {
				return nil, true, fmt.Errorf("cell beyond the last column or row of a sheet")
			}
			empty := s.empty || s.endsAtOnce()
			if empty && len(typ) == 0 {
				// <c r="H9" s="3"/> or <c …></c>: a formatted cell holding
				// nothing, which the template has hundreds of rows of
				// (one whose children hold nothing is dropped at its
				// end). Keeping it would only tell apart "absent" from
				// "empty", which no reader needs.
				continue
			}
			x.Col, x.style, x.Type = int32(cursor), int32(style), cellTypeOf(typ)
			target := row
			if int(rowNum) != row.num {
				// A cell whose reference names another row: file it there.
				target = sh.Rows[int(rowNum)]
				if target == nil {
					target = &SheetRow{num: int(rowNum), sorted: true}
					sh.Rows[int(rowNum)] = target
					sh.Order = append(sh.Order, int(rowNum))
				}
			}
			if n := len(target.Cells); n > 0 && target.Cells[n-1].Col >= x.Col {
				target.sorted = false
			}
			target.Cells = append(target.Cells, x)
			if !empty {
				cell, cellRow, cellDepth = &target.Cells[len(target.Cells)-1], target, len(s.stack)
			}
			continue
		case string(name) == "cols":
			inCols = !s.empty
			continue
		case inCols && string(name) == "col":
			var cs colStyle
			eachAttr(s.attrs, func(n, v []byte) {
				switch string(n) {
				case "min", "max", "style":
					x, ok := atoi(v)
					if !ok || x > math.MaxInt32 {
						attrErr = true
					}
					switch string(n) {
					case "min":
						cs.min = int32(x)
					case "max":
						cs.max = int32(x)
					default:
						cs.style = int32(x)
					}
				}
			})
			sh.cols = append(sh.cols, cs)
			continue
		}
		if cell == nil || len(s.stack) != cellDepth+boolInt(!s.empty) {
			if over() {
				return sh, false, nil
			}
			continue
		}
		// A child of the cell.
		switch string(name) {
		case "v":
			cell.HasV = true
			cell.v = s.content()
		case "f":
			cell.hasF = true
			isShared, hasRef := false, false
			var si int64 = -1
			eachAttr(s.attrs, func(n, v []byte) {
				switch string(n) {
				case "t":
					isShared = string(v) == "shared"
				case "ref":
					hasRef = len(v) > 0
				case "si":
					x, ok := atoi(v)
					if !ok || x > math.MaxInt32 {
						attrErr = true
					}
					si = int64(x)
				}
			})
			if isShared && si >= 0 {
				cell.shared, cell.si, cell.master = true, int32(si), hasRef
			}
			cell.f = s.content()
		case "is":
			cell.hasIS = true
			cell.is = s.content()
		}
		if over() {
			return sh, false, nil
		}
	}
	if s.err != nil {
		return nil, true, s.err
	}
	if attrErr {
		return nil, true, fmt.Errorf("%w: attributes", errXML)
	}
	if s.starts == 0 {
		// An empty part: excelize reads it as an empty sheet, which would
		// be audited as a sheet without its columns.
		return nil, true, fmt.Errorf("%w: no root element", errXML)
	}
	endRow()
	c.other = s.starts - structural
	c.LastRow = int(min(c.Rows, excelize.TotalRows))
	sort.Ints(sh.Order)
	// The masters of shared formulas, found now that the cells have settled.
	for _, n := range sh.Order {
		r := sh.Rows[n]
		for i := range r.Cells {
			x := &r.Cells[i]
			if _, seen := sh.masters[x.si]; x.master && !seen {
				sh.masters[x.si] = masterRef{row: n, cell: x}
			}
		}
	}
	return sh, true, nil
}

// atoi reads a non-negative decimal integer of at most 9 digits.
func atoi(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 9 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// parseCellName reads an A1 reference (letters in any case, then the row)
// within a sheet's bounds, as excelize.CellNameToCoordinates does.
func parseCellName(b []byte) (col, row int, ok bool) {
	i := 0
	for i < len(b) && isLetter(b[i]) && i < 3 {
		col = col*26 + int(b[i]|0x20-'a'+1)
		i++
	}
	if i == 0 || i == len(b) {
		return 0, 0, false
	}
	row, ok = atoi(b[i:])
	if !ok || row < 1 || row > excelize.TotalRows || col > excelize.MaxColumns {
		return 0, 0, false
	}
	return col, row, true
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// content returns the raw content of the element whose start tag was just
// read, and leaves the scanner after its end tag.
func (s *xmlScanner) content() span {
	if s.empty {
		return span{int32(s.to), int32(s.to)}
	}
	from := s.to
	depth := len(s.stack)
	for s.next() {
		if s.end && len(s.stack) < depth {
			return span{int32(from), int32(s.from)}
		}
	}
	return span{int32(from), int32(from)}
}

func cellTypeOf(t []byte) uint8 {
	switch string(t) {
	case "s":
		return CellShared
	case "inlineStr":
		return CellInline
	case "str":
		return CellFormula
	case "b":
		return CellBool
	case "e":
		return CellError
	case "d":
		return CellDate
	}
	return CellNumber
}

// CellAt returns the cell at a row and column, if the sheet has it.
func (sh *Sheet) CellAt(row, col int) (*SheetCell, *SheetRow) {
	r := sh.Rows[row]
	if r == nil {
		return nil, nil
	}
	if r.sorted {
		i := sort.Search(len(r.Cells), func(i int) bool { return int(r.Cells[i].Col) >= col })
		if i < len(r.Cells) && int(r.Cells[i].Col) == col {
			return &r.Cells[i], r
		}
		return nil, r
	}
	for i := range r.Cells {
		if int(r.Cells[i].Col) == col {
			return &r.Cells[i], r
		}
	}
	return nil, r
}

func (sh *Sheet) raw(sp span) []byte {
	if sp.from < 0 || sp.to > int32(len(sh.data)) || sp.from > sp.to {
		return nil
	}
	return sh.data[sp.from:sp.to]
}

// Value returns a cell's stored value as excelize's raw cell value gives
// it: the shared or inline string, else the content of <v>.
func (sh *Sheet) Value(c *SheetCell, sst []string) (string, error) {
	switch c.Type {
	case CellShared:
		if !c.HasV {
			return "", nil
		}
		v, err := decodeText(sh.raw(c.v))
		if err != nil {
			return "", err
		}
		if v == "" {
			return "", nil
		}
		i, _ := strconv.Atoi(strings.TrimSpace(v))
		if i < 0 || i >= len(sst) {
			return "", fmt.Errorf("invalid shared string index %d", i)
		}
		return sst[i], nil
	case CellInline:
		if c.hasIS {
			return inlineText(sh.raw(c.is))
		}
	}
	if !c.HasV {
		return "", nil
	}
	return decodeText(sh.raw(c.v))
}

// inlineText reads the content of an <is> like a shared string item.
func inlineText(raw []byte) (string, error) {
	items, _, _, err := parseItems(append(append([]byte("<si>"), raw...), "</si>"...), 1<<62, true)
	if err != nil || len(items) == 0 {
		return "", err
	}
	return items[0], nil
}

// Formula returns a cell's formula as excelize gives it: the text of <f>,
// or for a cell sharing a formula the first cell's formula moved to it.
func (sh *Sheet) Formula(c *SheetCell, row int) (string, error) {
	if !c.hasF {
		return "", nil
	}
	if !c.shared {
		return decodeText(sh.raw(c.f))
	}
	m, ok := sh.masters[c.si]
	if !ok || m.cell == nil {
		return "", nil
	}
	f, err := decodeText(sh.raw(m.cell.f))
	if err != nil || m.cell == c {
		return f, err
	}
	return shiftFormula(f, int(c.Col-m.cell.Col), row-m.row), nil
}

// StyleOf returns the style of a cell as excelize's GetCellStyle does: the
// cell's, else its row's, else its column's.
func (sh *Sheet) StyleOf(c *SheetCell, r *SheetRow) int {
	if c != nil && c.style != 0 {
		return int(c.style)
	}
	if r != nil && r.style != 0 {
		return int(r.style)
	}
	col := int32(0)
	if c != nil {
		col = c.Col
	}
	for _, cs := range sh.cols {
		if cs.min <= col && col <= cs.max && cs.style != 0 {
			return int(cs.style)
		}
	}
	return 0
}

// shiftFormula moves the relative references of a formula by dCol columns
// and dRow rows, as a spreadsheet does when a formula is filled: A1-style
// references outside string literals and quoted sheet names, not followed
// by "(" (a function such as LOG10), with $ keeping a part fixed.
func shiftFormula(f string, dCol, dRow int) string {
	if dCol == 0 && dRow == 0 {
		return f
	}
	var b strings.Builder
	for i := 0; i < len(f); {
		c := f[i]
		switch {
		case c == '"' || c == '\'':
			j := i + 1
			for j < len(f) {
				if f[j] == c {
					if j+1 < len(f) && f[j+1] == c {
						j += 2
						continue
					}
					break
				}
				j++
			}
			j = min(j+1, len(f))
			b.WriteString(f[i:j])
			i = j
			continue
		case c == '$' || isLetter(c):
			if i > 0 && (isLetter(f[i-1]) || isDigit(f[i-1]) || f[i-1] == '_' || f[i-1] == '.') {
				break
			}
			if ref, n, ok := parseRef(f[i:]); ok {
				if i+n < len(f) && (f[i+n] == '(' || isLetter(f[i+n]) || f[i+n] == '_' || f[i+n] == '.') {
					break
				}
				b.WriteString(ref.shift(dCol, dRow))
				i += n
				continue
			}
			j := i
			for j < len(f) && (isLetter(f[j]) || isDigit(f[j]) || f[j] == '_' || f[j] == '.' || f[j] == '$') {
				j++
			}
			b.WriteString(f[i:j])
			i = j
			continue
		}
		b.WriteByte(c)
		i++
	}
	return b.String()
}

type cellRefParts struct {
	absCol, absRow bool
	col, row       int
}

func (r cellRefParts) shift(dCol, dRow int) string {
	col, row := r.col, r.row
	if !r.absCol {
		col += dCol
	}
	if !r.absRow {
		row += dRow
	}
	if col < 1 || row < 1 || col > excelize.MaxColumns || row > excelize.TotalRows {
		return "#REF!"
	}
	s := ""
	if r.absCol {
		s = "$"
	}
	s += ColumnName(col)
	if r.absRow {
		s += "$"
	}
	return s + strconv.Itoa(row)
}

// parseRef reads an A1-style reference at the start of s.
func parseRef(s string) (cellRefParts, int, bool) {
	var r cellRefParts
	i := 0
	if i < len(s) && s[i] == '$' {
		r.absCol = true
		i++
	}
	j := i
	for j < len(s) && isLetter(s[j]) && j-i < 3 {
		r.col = r.col*26 + int(s[j]|0x20-'a'+1)
		j++
	}
	if j == i || (j < len(s) && isLetter(s[j])) {
		return r, 0, false
	}
	if j < len(s) && s[j] == '$' {
		r.absRow = true
		j++
	}
	k := j
	for k < len(s) && isDigit(s[k]) && k-j < 8 {
		r.row = r.row*10 + int(s[k]-'0')
		k++
	}
	if k == j || (k < len(s) && isDigit(s[k])) {
		return r, 0, false
	}
	return r, k, true
}

func isLetter(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }
func isDigit(c byte) bool  { return '0' <= c && c <= '9' }
