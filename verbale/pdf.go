package verbale

import (
	"bytes"
	_ "embed"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/signintech/gopdf"
)

// The font: Titillium Web (OFL 1.1), see fonts/SOURCE.
var (
	//go:embed fonts/TitilliumWeb_400Regular.ttf
	fontRegular []byte
	//go:embed fonts/TitilliumWeb_700Bold.ttf
	fontBold []byte
)

// Page geometry in millimetres (A4 portrait).
const (
	pageW     = 210.0
	pageH     = 297.0
	margin    = 15.0
	top       = 24.0 // first line of content, below the header
	bottom    = 280.0
	textW     = pageW - 2*margin
	lineCoeff = 0.3528 * 1.35 // points to millimetres, with leading
)

// Colours (RGB): the page's dark blue for titles and table heads.
var (
	colTitle = [3]uint8{0, 64, 128}
	colText  = [3]uint8{25, 25, 25}
	colMuted = [3]uint8{90, 90, 90}
	colHead  = [3]uint8{225, 233, 242}
)

// fallback replaces characters that the font lacks.
var fallback = map[rune]string{'→': "->", '←': "<-", '\t': " ", '\u00a0': " "}

// writer lays out text top to bottom, page after page; errors are kept
// and returned by bytes().
type writer struct {
	gp       *gopdf.GoPdf
	y        float64
	size     float64
	bold     bool
	header   string
	title    string
	err      error
	tableRep func() // redraws the current table's head after a page break
}

func newWriter(title, header string, when time.Time) (*writer, error) {
	gp := &gopdf.GoPdf{}
	gp.Start(gopdf.Config{Unit: gopdf.UnitMM, PageSize: *gopdf.PageSizeA4})
	gp.SetInfo(gopdf.PdfInfo{Title: title, Subject: header, Creator: "auditor", Producer: "auditor", CreationDate: when})
	if err := gp.AddTTFFontData("regular", fontRegular); err != nil {
		return nil, fmt.Errorf("verbale: font: %w", err)
	}
	if err := gp.AddTTFFontData("bold", fontBold); err != nil {
		return nil, fmt.Errorf("verbale: font: %w", err)
	}
	w := &writer{gp: gp, header: header, title: title}
	w.newPage()
	return w, nil
}

func (w *writer) setErr(err error) {
	if err != nil && w.err == nil {
		w.err = err
	}
}

func (w *writer) font(size float64, bold bool) {
	w.size, w.bold = size, bold
	name := "regular"
	if bold {
		name = "bold"
	}
	w.setErr(w.gp.SetFont(name, "", size))
}

func (w *writer) color(c [3]uint8) { w.gp.SetTextColor(c[0], c[1], c[2]) }

func (w *writer) lineH() float64 { return w.size * lineCoeff }

func (w *writer) newPage() {
	w.gp.AddPage()
	w.y = top
}

// ensure starts a new page when h millimetres do not fit on this one.
func (w *writer) ensure(h float64) {
	if w.y+h > bottom && w.y > top {
		w.newPage()
		if w.tableRep != nil {
			w.tableRep()
		}
	}
}

// clean keeps one line of text the font can show.
func (w *writer) clean(s string) string {
	var b strings.Builder
	for _, r := range s {
		if rep, ok := fallback[r]; ok {
			b.WriteString(rep)
			continue
		}
		if unicode.IsControl(r) {
			b.WriteByte(' ')
			continue
		}
		if ok, err := w.gp.IsCurrFontContainGlyph(r); err != nil || !ok {
			b.WriteByte('?')
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (w *writer) width(s string) float64 {
	v, err := w.gp.MeasureTextWidth(s)
	if err != nil {
		w.setErr(err)
		return 0
	}
	return v
}

// wrap breaks text into lines no wider than width, at spaces; a word wider
// than the line is cut.
func (w *writer) wrap(text string, width float64) []string {
	var lines []string
	for _, para := range strings.Split(text, "\n") {
		para = w.clean(para)
		words := strings.Fields(para)
		if len(words) == 0 {
			lines = append(lines, "")
			continue
		}
		cur := ""
		for _, word := range words {
			cand := word
			if cur != "" {
				cand = cur + " " + word
			}
			if w.width(cand) <= width {
				cur = cand
				continue
			}
			if cur != "" {
				lines = append(lines, cur)
				cur = ""
			}
			for w.width(word) > width {
				rs := []rune(word)
				n := len(rs) - 1
				for n > 1 && w.width(string(rs[:n])) > width {
					n--
				}
				lines = append(lines, string(rs[:n]))
				word = string(rs[n:])
			}
			cur = word
		}
		lines = append(lines, cur)
	}
	return lines
}

// at writes one line at (x, y).
func (w *writer) at(x, y float64, s string) {
	if s == "" {
		return
	}
	w.gp.SetXY(x, y)
	w.setErr(w.gp.Cell(nil, s))
}

// para writes wrapped text at the left margin plus indent.
func (w *writer) para(text string, size float64, bold bool, indent float64) {
	w.font(size, bold)
	lh := w.lineH()
	for _, l := range w.wrap(text, textW-indent) {
		w.ensure(lh)
		w.at(margin+indent, w.y, l)
		w.y += lh
	}
}

func (w *writer) gap(h float64) { w.y += h }

// heading writes a section title, on a new page when little room is left.
func (w *writer) heading(text string, size float64) {
	w.ensure(size*lineCoeff + 35)
	w.color(colTitle)
	w.para(text, size, true, 0)
	w.color(colText)
	w.gap(1)
}

// field writes «label: value» with the label in bold, wrapped.
func (w *writer) field(label, value string) {
	w.font(9, true)
	lw := 48.0
	lines := func() []string { w.font(9, false); return w.wrap(value, textW-lw) }()
	lh := w.lineH()
	w.ensure(lh)
	w.font(9, true)
	w.at(margin, w.y, w.clean(label))
	w.font(9, false)
	for i, l := range lines {
		if i > 0 {
			w.ensure(lh)
		}
		w.at(margin+lw, w.y, l)
		w.y += lh
	}
}

// column is a table column: its head, width (mm) and whether it is a
// number (right-aligned).
type column struct {
	head  string
	width float64
	right bool
}

// table writes a table whose head is repeated after a page break.
func (w *writer) table(cols []column, rows [][]string, size float64) {
	const pad = 1.0
	// lines wraps each column's text (none where the row is short) and
	// gives the row's line height and height.
	lines := func(texts []string) (cells [][]string, lh, h float64) {
		lh = w.lineH()
		n := 1
		for i, c := range cols {
			v := ""
			if i < len(texts) {
				v = texts[i]
			}
			l := w.wrap(v, c.width-2*pad)
			cells = append(cells, l)
			n = max(n, len(l))
		}
		return cells, lh, float64(n)*lh + 2*pad
	}
	// draw writes a row's wrapped cells at w.y, numbers right-aligned.
	draw := func(cells [][]string, lh, h float64) {
		x := margin
		for i, c := range cols {
			for j, l := range cells[i] {
				lx := x + pad
				if c.right {
					lx = x + c.width - pad - w.width(l)
				}
				w.at(lx, w.y+pad+float64(j)*lh, l)
			}
			x += c.width
		}
		w.y += h
	}
	heads := make([]string, len(cols))
	for i, c := range cols {
		heads[i] = c.head
	}
	head := func() {
		w.font(size, true)
		cells, lh, h := lines(heads)
		w.gp.SetFillColor(colHead[0], colHead[1], colHead[2])
		w.gp.RectFromUpperLeftWithStyle(margin, w.y, sumWidth(cols), h, "F")
		draw(cells, lh, h)
	}
	w.ensure(3 * size * lineCoeff * 2)
	head()
	w.tableRep = head
	defer func() { w.tableRep = nil }()
	for _, row := range rows {
		w.font(size, false)
		cells, lh, h := lines(row)
		w.ensure(h)
		w.font(size, false)
		draw(cells, lh, h)
		w.gp.SetStrokeColor(200, 200, 200)
		w.gp.SetLineWidth(0.2)
		w.gp.Line(margin, w.y, margin+sumWidth(cols), w.y)
	}
	w.gap(2)
}

func sumWidth(cols []column) float64 {
	s := 0.0
	for _, c := range cols {
		s += c.width
	}
	return s
}

// finish writes every page's header and footer and returns the PDF.
func (w *writer) finish() ([]byte, error) {
	n := w.gp.GetNumberOfPages()
	for i := 1; i <= n; i++ {
		if err := w.gp.SetPage(i); err != nil {
			return nil, fmt.Errorf("verbale: pagina %d: %w", i, err)
		}
		w.font(8, false)
		w.color(colMuted)
		for j, l := range w.wrap(w.header, textW) {
			if j < 2 {
				w.at(margin, 8+float64(j)*w.lineH(), l)
			}
		}
		w.gp.SetStrokeColor(150, 150, 150)
		w.gp.SetLineWidth(0.3)
		w.gp.Line(margin, top-3, pageW-margin, top-3)
		w.gp.Line(margin, bottom+3, pageW-margin, bottom+3)
		w.at(margin, bottom+5, w.clean(w.title))
		footer := fmt.Sprintf("Pagina %d di %d", i, n)
		w.at(pageW-margin-w.width(footer), bottom+5, footer)
	}
	if w.err != nil {
		return nil, fmt.Errorf("verbale: %w", w.err)
	}
	var buf bytes.Buffer
	if _, err := w.gp.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("verbale: %w", err)
	}
	return buf.Bytes(), nil
}
