package xlsx

import (
	"bytes"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// SheetXML builds the <sheetData> of a new sheet directly as XML: a writer
// may add hundreds of thousands of cells, and building them through
// excelize's cell API would cost most of its time. Cells are appended row by
// row, left to right; an empty text is no cell at all.
type SheetXML struct {
	buf      []byte
	emit     func([]byte) // receives the XML in chunks of about ChunkSize
	newBuf   func() []byte
	row      int // the open row, 0 when none
	col      int // the next column of the open row (1-based)
	lastRow  int
	maxCol   int
	rowStart int // where the open row's XML starts in buf
	rowCells bool
	scratch  []byte         // working space of formulaT
	SST      *SharedStrings // nil: every text inline
	rowNum   []byte         // the open row's number, in decimal

	// Row heights: the texts of the styles in WrapStyles wrap within the
	// column's width (Widths, from column A); a row whose texts take more
	// than one line gets that height, which Excel and LibreOffice both
	// honour (neither fits the height of a row written without one).
	Widths     []float64
	WrapStyles map[int]bool
	rowLines   int
	// DefaultStyle is the style of cells written with style 0.
	DefaultStyle int
	// Links are the hyperlinks to places in the workbook (see Link).
	Links []SheetLink
}

// SheetLink is a hyperlink from a cell (column and row, 1-based) to a
// place in the workbook.
type SheetLink struct {
	col, row int
	location string
}

// maxSheetLinks is how many hyperlinks a sheet may have (Excel's limit);
// past it, link writes plain text.
const maxSheetLinks = 65529

// NewSheetXML returns a builder that hands its XML to emit, in order, in
// chunks of whole rows of about ChunkSize bytes, each in a buffer from
// newBuf; emit owns each chunk.
func NewSheetXML(emit func([]byte), newBuf func() []byte) *SheetXML {
	return &SheetXML{buf: newBuf(), emit: emit, newBuf: newBuf}
}

// StartRow opens row r (1-based); rows must come in increasing order.
func (s *SheetXML) StartRow(r int) {
	s.endRow()
	s.row, s.col, s.rowCells, s.rowLines = r, 1, false, 1
	s.rowStart = len(s.buf)
	s.rowNum = strconv.AppendInt(s.rowNum[:0], int64(r), 10)
	s.buf = append(s.buf, `<row r="`...)
	s.buf = append(s.buf, s.rowNum...)
	s.buf = append(s.buf, `">`...)
}

// endRow closes the open row; a row without cells is dropped.
func (s *SheetXML) endRow() {
	if s.row == 0 {
		return
	}
	if !s.rowCells {
		s.buf = s.buf[:s.rowStart]
	} else {
		if s.rowLines > 1 {
			s.setHeight()
		}
		s.buf = append(s.buf, `</row>`...)
		s.lastRow = s.row
	}
	s.row = 0
	if len(s.buf) >= ChunkSize {
		s.emit(s.buf)
		s.buf = s.newBuf()
	}
}

// Finish closes the open row and emits the rest of the XML.
func (s *SheetXML) Finish() {
	s.endRow()
	if len(s.buf) > 0 {
		s.emit(s.buf)
		s.buf = nil
	}
}

// Dimension is the used range, e.g. "A1:I23500".
func (s *SheetXML) Dimension() string {
	if s.lastRow == 0 || s.maxCol == 0 {
		return "A1"
	}
	return "A1:" + ColumnName(s.maxCol) + strconv.Itoa(s.lastRow)
}

// Skip leaves the next n cells of the row empty.
func (s *SheetXML) Skip(n int) { s.col += n }

// open writes the start of a cell at the current column: `<c r="B7"` and
// the style if any, without closing the tag.
func (s *SheetXML) open(style int) {
	if style == 0 {
		style = s.DefaultStyle
	}
	s.rowCells = true
	s.maxCol = max(s.maxCol, s.col)
	s.buf = append(s.buf, `<c r="`...)
	if s.col <= 26 {
		s.buf = append(s.buf, byte('A'+s.col-1))
	} else {
		s.buf = AppendColumn(s.buf, s.col)
	}
	s.buf = append(s.buf, s.rowNum...)
	s.buf = append(s.buf, '"')
	if style != 0 {
		s.buf = append(s.buf, ` s="`...)
		s.buf = strconv.AppendInt(s.buf, int64(style), 10)
		s.buf = append(s.buf, '"')
	}
	s.col++
}

// Text writes a text cell (an inline string); an empty text leaves the
// cell empty.
func (s *SheetXML) Text(style int, v string) {
	if v == "" {
		s.col++
		return
	}
	if s.WrapStyles[style] && s.col <= len(s.Widths) {
		s.rowLines = max(s.rowLines, WrappedLines(v, s.Widths[s.col-1]))
	}
	s.open(style)
	if s.SST != nil && len(v) <= MaxSharedLen {
		s.buf = append(s.buf, ` t="s"><v>`...)
		s.buf = strconv.AppendInt(s.buf, int64(s.SST.ID(v)), 10)
		s.buf = append(s.buf, `</v></c>`...)
		return
	}
	s.buf = append(s.buf, ` t="inlineStr"><is><t`...)
	if NeedsPreserve(v) {
		s.buf = append(s.buf, ` xml:space="preserve"`...)
	}
	s.buf = append(s.buf, '>')
	s.buf = AppendCellText(s.buf, v)
	s.buf = append(s.buf, `</t></is></c>`...)
}

// Num writes a number cell.
func (s *SheetXML) Num(style int, v float64) {
	s.open(style)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		s.buf = append(s.buf, ` t="e"><v>#NUM!</v></c>`...)
		return
	}
	s.buf = append(s.buf, `><v>`...)
	s.buf = strconv.AppendFloat(s.buf, v, 'g', -1, 64)
	s.buf = append(s.buf, `</v></c>`...)
}

// Int writes a whole number cell.
func (s *SheetXML) Int(style int, v int) {
	s.open(style)
	s.buf = append(s.buf, `><v>`...)
	s.buf = strconv.AppendInt(s.buf, int64(v), 10)
	s.buf = append(s.buf, `</v></c>`...)
}

// Formula writes a formula cell with its cached number.
func (s *SheetXML) Formula(style int, f string, cached float64) {
	s.open(style)
	if math.IsNaN(cached) || math.IsInf(cached, 0) {
		s.buf = append(s.buf, ` t="e"><f>`...)
		s.buf = AppendCellText(s.buf, f)
		s.buf = append(s.buf, `</f><v>#NUM!</v></c>`...)
		return
	}
	s.buf = append(s.buf, `><f>`...)
	s.buf = AppendCellText(s.buf, f)
	s.buf = append(s.buf, `</f><v>`...)
	s.buf = strconv.AppendFloat(s.buf, cached, 'g', -1, 64)
	s.buf = append(s.buf, `</v></c>`...)
}

// FormulaT writes a formula cell from a template, with its cached number.
func (s *SheetXML) FormulaT(style int, t *FormulaTemplate, ref func(string) string, cached float64) {
	s.open(style)
	if math.IsNaN(cached) || math.IsInf(cached, 0) {
		s.buf = append(s.buf, ` t="e"><f>`...)
		s.buf, s.scratch = t.AppendXML(s.buf, s.scratch, ref)
		s.buf = append(s.buf, `</f><v>#NUM!</v></c>`...)
		return
	}
	s.buf = append(s.buf, `><f>`...)
	s.buf, s.scratch = t.AppendXML(s.buf, s.scratch, ref)
	s.buf = append(s.buf, `</f><v>`...)
	s.buf = strconv.AppendFloat(s.buf, cached, 'g', -1, 64)
	s.buf = append(s.buf, `</v></c>`...)
}

// FormulaText writes a formula cell whose cached result is a text.
func (s *SheetXML) FormulaText(style int, f, cached string) {
	s.open(style)
	s.buf = append(s.buf, ` t="str"><f>`...)
	s.buf = AppendCellText(s.buf, f)
	s.buf = append(s.buf, `</f><v>`...)
	s.buf = AppendCellText(s.buf, cached)
	s.buf = append(s.buf, `</v></c>`...)
}

// Value writes a cell from a Go value: string, int, float64; anything
// else is written as its text.
func (s *SheetXML) Value(style int, v any) {
	switch x := v.(type) {
	case nil:
		s.col++
	case string:
		s.Text(style, x)
	case int:
		s.Int(style, x)
	case float64:
		s.Num(style, x)
	default:
		s.Text(style, "")
	}
}

// Link writes a text cell that links to location, a place in the workbook
// («Punteggi!A5»); past maxSheetLinks it is plain text.
func (s *SheetXML) Link(style int, v, location string) {
	if v != "" && location != "" && len(s.Links) < maxSheetLinks {
		s.Links = append(s.Links, SheetLink{col: s.col, row: s.row, location: location})
	}
	s.Text(style, v)
}

// LineHeight is the height in points of one line of the product's font.
const LineHeight = 15

// maxRowHeight is the tallest row a spreadsheet allows, in points.
const maxRowHeight = 409

// setHeight gives the open row the height of its tallest wrapped text,
// inserting the attributes into the row's start tag in place.
func (s *SheetXML) setHeight() {
	ht := min(s.rowLines*LineHeight, maxRowHeight)
	var attr [48]byte
	a := append(attr[:0], ` ht="`...)
	a = strconv.AppendInt(a, int64(ht), 10)
	a = append(a, `" customHeight="1"`...)
	i := s.rowStart + len(`<row r="`) + len(s.rowNum) + 1 // after the r attribute's closing quote
	n := len(s.buf)
	s.buf = append(s.buf, a...)
	copy(s.buf[i+len(a):], s.buf[i:n])
	copy(s.buf[i:], a)
}

// WrappedLines estimates how many lines a text takes when wrapped, word by
// word, in a column of the given width (in widths of the digit 0; the
// letters of Italian prose are about a tenth narrower on average).
func WrappedLines(v string, width float64) int {
	perLine := int(width*1.1) - 1
	if perLine < 4 {
		perLine = 4
	}
	lines, used := 1, 0
	word := 0
	flush := func() {
		if word == 0 {
			return
		}
		switch {
		case used == 0:
			used = word
		case used+1+word <= perLine:
			used += 1 + word
		default:
			lines++
			used = word
		}
		for used > perLine { // a word longer than the line breaks
			lines++
			used -= perLine
		}
		word = 0
	}
	for _, r := range v {
		switch r {
		case ' ':
			flush()
		case '\n':
			flush()
			lines++
			used = 0
		default:
			word++
		}
	}
	flush()
	return lines
}

// InsertLinks adds a sheet's hyperlinks to the part's tail (what follows
// its sheetData), where the schema puts them: into the hyperlinks excelize
// wrote, or before the print settings.
func InsertLinks(tail []byte, links []SheetLink) []byte {
	if len(links) == 0 {
		return tail
	}
	b := make([]byte, 0, len(tail)+len(links)*64+32)
	at := len(tail)
	merge := bytes.Index(tail, []byte("<hyperlinks>"))
	if merge >= 0 {
		at = merge + len("<hyperlinks>")
	} else {
		for _, el := range []string{"<printOptions", "<pageMargins", "<pageSetup", "<headerFooter", "<rowBreaks", "<colBreaks", "<customProperties", "<cellWatches", "<ignoredErrors", "<smartTags", "<drawing", "<legacyDrawing", "<picture", "<oleObjects", "<controls", "<webPublishItems", "<tableParts", "<extLst", "</worksheet>"} {
			if i := bytes.Index(tail, []byte(el)); i >= 0 && i < at {
				at = i
			}
		}
	}
	b = append(b, tail[:at]...)
	if merge < 0 {
		b = append(b, "<hyperlinks>"...)
	}
	for _, l := range links {
		b = append(b, `<hyperlink ref="`...)
		b = AppendColumn(b, l.col)
		b = strconv.AppendInt(b, int64(l.row), 10)
		b = append(b, `" location="`...)
		b = appendAttr(b, l.location)
		b = append(b, `"/>`...)
	}
	if merge < 0 {
		b = append(b, "</hyperlinks>"...)
	}
	return append(b, tail[at:]...)
}

// appendAttr appends v escaped for an XML attribute value.
func appendAttr(b []byte, v string) []byte {
	if !strings.ContainsAny(v, `&<>"`) {
		return append(b, v...)
	}
	for _, r := range v {
		switch r {
		case '&':
			b = append(b, "&amp;"...)
		case '<':
			b = append(b, "&lt;"...)
		case '>':
			b = append(b, "&gt;"...)
		case '"':
			b = append(b, "&quot;"...)
		default:
			b = utf8.AppendRune(b, r)
		}
	}
	return b
}
