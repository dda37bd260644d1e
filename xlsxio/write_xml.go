package xlsxio

import (
	"bytes"
	"github.com/its-academy/auditor/internal/xlsx"
	"math"
	"strings"

	"github.com/its-academy/auditor/compute"
	"strconv"
	"unicode/utf8"
)

// sheetXML builds the <sheetData> of a product sheet directly as XML: the
// product writes hundreds of thousands of cells, and building them through
// excelize's cell API costs most of an audit. Cells are appended row by
// row, left to right; an empty text is no cell at all.
type sheetXML struct {
	buf      []byte
	emit     func([]byte) // receives the XML in chunks of about xlsx.ChunkSize
	newBuf   func() []byte
	row      int // the open row, 0 when none
	col      int // the next column of the open row (1-based)
	lastRow  int
	maxCol   int
	rowStart int // where the open row's XML starts in buf
	rowCells bool
	scratch  []byte              // working space of formulaT
	sst      *xlsx.SharedStrings // nil: every text inline
	rowNum   []byte              // the open row's number, in decimal

	// Row heights: the texts of the styles in wrapStyles wrap within the
	// column's width (widths, from column A); a row whose texts take more
	// than one line gets that height, which Excel and LibreOffice both
	// honour (neither fits the height of a row written without one).
	widths     []float64
	wrapStyles map[int]bool
	rowLines   int
	// defaultStyle is the style of cells written with style 0.
	defaultStyle int
	// links are the hyperlinks to places in the workbook (see link).
	links []sheetLink
}

// sheetLink is a hyperlink from a cell (column and row, 1-based) to a
// place in the workbook.
type sheetLink struct {
	col, row int
	location string
}

// maxSheetLinks is how many hyperlinks a sheet may have (Excel's limit);
// past it, link writes plain text.
const maxSheetLinks = 65529

// newSheetXML returns a builder that hands its XML to emit, in order, in
// chunks of whole rows of about xlsx.ChunkSize bytes, each in a buffer from
// newBuf; emit owns each chunk.
func newSheetXML(emit func([]byte), newBuf func() []byte) *sheetXML {
	return &sheetXML{buf: newBuf(), emit: emit, newBuf: newBuf}
}

// startRow opens row r (1-based); rows must come in increasing order.
func (s *sheetXML) startRow(r int) {
	s.endRow()
	s.row, s.col, s.rowCells, s.rowLines = r, 1, false, 1
	s.rowStart = len(s.buf)
	s.rowNum = strconv.AppendInt(s.rowNum[:0], int64(r), 10)
	s.buf = append(s.buf, `<row r="`...)
	s.buf = append(s.buf, s.rowNum...)
	s.buf = append(s.buf, `">`...)
}

// endRow closes the open row; a row without cells is dropped.
func (s *sheetXML) endRow() {
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
	if len(s.buf) >= xlsx.ChunkSize {
		s.emit(s.buf)
		s.buf = s.newBuf()
	}
}

// finish closes the open row and emits the rest of the XML.
func (s *sheetXML) finish() {
	s.endRow()
	if len(s.buf) > 0 {
		s.emit(s.buf)
		s.buf = nil
	}
}

// dimension is the used range, e.g. "A1:I23500".
func (s *sheetXML) dimension() string {
	if s.lastRow == 0 || s.maxCol == 0 {
		return "A1"
	}
	return "A1:" + xlsx.ColumnName(s.maxCol) + strconv.Itoa(s.lastRow)
}

// skip leaves the next n cells of the row empty.
func (s *sheetXML) skip(n int) { s.col += n }

// open writes the start of a cell at the current column: `<c r="B7"` and
// the style if any, without closing the tag.
func (s *sheetXML) open(style int) {
	if style == 0 {
		style = s.defaultStyle
	}
	s.rowCells = true
	s.maxCol = max(s.maxCol, s.col)
	s.buf = append(s.buf, `<c r="`...)
	if s.col <= 26 {
		s.buf = append(s.buf, byte('A'+s.col-1))
	} else {
		s.buf = xlsx.AppendColumn(s.buf, s.col)
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

// text writes a text cell (an inline string); an empty text leaves the
// cell empty.
func (s *sheetXML) text(style int, v string) {
	if v == "" {
		s.col++
		return
	}
	if s.wrapStyles[style] && s.col <= len(s.widths) {
		s.rowLines = max(s.rowLines, wrappedLines(v, s.widths[s.col-1]))
	}
	s.open(style)
	if s.sst != nil && len(v) <= xlsx.MaxSharedLen {
		s.buf = append(s.buf, ` t="s"><v>`...)
		s.buf = strconv.AppendInt(s.buf, int64(s.sst.ID(v)), 10)
		s.buf = append(s.buf, `</v></c>`...)
		return
	}
	s.buf = append(s.buf, ` t="inlineStr"><is><t`...)
	if xlsx.NeedsPreserve(v) {
		s.buf = append(s.buf, ` xml:space="preserve"`...)
	}
	s.buf = append(s.buf, '>')
	s.buf = xlsx.AppendCellText(s.buf, v)
	s.buf = append(s.buf, `</t></is></c>`...)
}

// num writes a number cell.
func (s *sheetXML) num(style int, v float64) {
	s.open(style)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		s.buf = append(s.buf, ` t="e"><v>#NUM!</v></c>`...)
		return
	}
	s.buf = append(s.buf, `><v>`...)
	s.buf = strconv.AppendFloat(s.buf, v, 'g', -1, 64)
	s.buf = append(s.buf, `</v></c>`...)
}

// int writes a whole number cell.
func (s *sheetXML) int(style int, v int) {
	s.open(style)
	s.buf = append(s.buf, `><v>`...)
	s.buf = strconv.AppendInt(s.buf, int64(v), 10)
	s.buf = append(s.buf, `</v></c>`...)
}

// formula writes a formula cell with its cached number.
func (s *sheetXML) formula(style int, f string, cached float64) {
	s.open(style)
	if math.IsNaN(cached) || math.IsInf(cached, 0) {
		s.buf = append(s.buf, ` t="e"><f>`...)
		s.buf = xlsx.AppendCellText(s.buf, f)
		s.buf = append(s.buf, `</f><v>#NUM!</v></c>`...)
		return
	}
	s.buf = append(s.buf, `><f>`...)
	s.buf = xlsx.AppendCellText(s.buf, f)
	s.buf = append(s.buf, `</f><v>`...)
	s.buf = strconv.AppendFloat(s.buf, cached, 'g', -1, 64)
	s.buf = append(s.buf, `</v></c>`...)
}

// formulaT writes a formula cell from a template, with its cached number.
func (s *sheetXML) formulaT(style int, t *formulaTemplate, ref compute.Resolver, cached float64) {
	s.open(style)
	if math.IsNaN(cached) || math.IsInf(cached, 0) {
		s.buf = append(s.buf, ` t="e"><f>`...)
		s.buf, s.scratch = t.appendXML(s.buf, s.scratch, ref)
		s.buf = append(s.buf, `</f><v>#NUM!</v></c>`...)
		return
	}
	s.buf = append(s.buf, `><f>`...)
	s.buf, s.scratch = t.appendXML(s.buf, s.scratch, ref)
	s.buf = append(s.buf, `</f><v>`...)
	s.buf = strconv.AppendFloat(s.buf, cached, 'g', -1, 64)
	s.buf = append(s.buf, `</v></c>`...)
}

// formulaText writes a formula cell whose cached result is a text.
func (s *sheetXML) formulaText(style int, f, cached string) {
	s.open(style)
	s.buf = append(s.buf, ` t="str"><f>`...)
	s.buf = xlsx.AppendCellText(s.buf, f)
	s.buf = append(s.buf, `</f><v>`...)
	s.buf = xlsx.AppendCellText(s.buf, cached)
	s.buf = append(s.buf, `</v></c>`...)
}

// value writes a cell from a Go value: string, int, float64; anything
// else is written as its text.
func (s *sheetXML) value(style int, v any) {
	switch x := v.(type) {
	case nil:
		s.col++
	case string:
		s.text(style, x)
	case int:
		s.int(style, x)
	case float64:
		s.num(style, x)
	default:
		s.text(style, "")
	}
}

// link writes a text cell that links to location, a place in the workbook
// («Punteggi!A5»); past maxSheetLinks it is plain text.
func (s *sheetXML) link(style int, v, location string) {
	if v != "" && location != "" && len(s.links) < maxSheetLinks {
		s.links = append(s.links, sheetLink{col: s.col, row: s.row, location: location})
	}
	s.text(style, v)
}

// lineHeight is the height in points of one line of the product's font.
const lineHeight = 15

// maxRowHeight is the tallest row a spreadsheet allows, in points.
const maxRowHeight = 409

// setHeight gives the open row the height of its tallest wrapped text,
// inserting the attributes into the row's start tag in place.
func (s *sheetXML) setHeight() {
	ht := min(s.rowLines*lineHeight, maxRowHeight)
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

// wrappedLines estimates how many lines a text takes when wrapped, word by
// word, in a column of the given width (in widths of the digit 0; the
// letters of Italian prose are about a tenth narrower on average).
func wrappedLines(v string, width float64) int {
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

// insertLinks adds a sheet's hyperlinks to the part's tail (what follows
// its sheetData), where the schema puts them: into the hyperlinks excelize
// wrote, or before the print settings.
func insertLinks(tail []byte, links []sheetLink) []byte {
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
		b = xlsx.AppendColumn(b, l.col)
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
