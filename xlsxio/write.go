package xlsxio

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/its-academy/auditor/compute"
	"github.com/its-academy/auditor/validate"
	"github.com/xuri/excelize/v2"
)

// The product's sheets, in the order they are added after the user's.
const (
	SheetOutcome      = "Esito"
	SheetScores       = "Punteggi"
	SheetExplanations = "Spiegazioni"
	SheetFindings     = "Rilievi"
	SheetRules        = "Regole"
	SheetStamp        = "Timbro"
)

// ProductSheets lists the sheets the audit adds.
func ProductSheets() []string {
	return []string{SheetOutcome, SheetScores, SheetExplanations, SheetFindings, SheetRules, SheetStamp}
}

// markerName is a workbook-level defined name listing the sheets the product
// added, so that a new audit replaces exactly those and never a user's sheet
// that happens to have the same name.
const markerName = "auditor_fogli_prodotto"

// ErrSheetNameTaken is returned when a user's sheet has a product sheet's
// name and was not written by the product.
var ErrSheetNameTaken = errors.New("sheet name taken")

// WriteOptions are the stamp of an audited copy.
type WriteOptions struct {
	Version string // product version
	Limits  Limits
}

// WriteAudit returns a copy of the original workbook with the product's
// sheets added (replacing those of an earlier audit). The original sheets
// are not read through the cell API, so excelize writes their parts back
// as they were.
func WriteAudit(original []byte, a *validate.Audit, opt WriteOptions) ([]byte, error) {
	lim := opt.Limits
	if lim == (Limits{}) {
		lim = DefaultLimits()
	}
	f, err := excelize.OpenReader(bytes.NewReader(original), excelize.Options{UnzipSizeLimit: lim.UnzipSize, UnzipXMLSizeLimit: lim.UnzipXMLSize})
	if err != nil {
		return nil, fmt.Errorf("reopening the workbook: %w", err)
	}
	defer f.Close()
	f.SetZipWriter(fastZip)
	if err := removeProductSheets(f); err != nil {
		return nil, err
	}
	w := &writer{f: f, a: a, opt: opt}
	if err := w.styles(); err != nil {
		return nil, err
	}
	steps := []func() error{w.scores, w.outcome, w.explanations, w.findings, w.rules, w.stamp, w.mark}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, err
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, fmt.Errorf("writing the audited workbook: %w", err)
	}
	return buf.Bytes(), nil
}

// fastZip writes the audited copy with deflate at its fastest level: the
// product's sheets are large and repetitive, and level 1 saves most of the
// time the default level spends for a file a fifth larger.
func fastZip(w io.Writer) excelize.ZipWriter {
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(out, flate.BestSpeed)
	})
	return zw
}

// removeProductSheets deletes the sheets of an earlier audit, named by the
// marker, and refuses to overwrite a user's sheet with a product name.
func removeProductSheets(f *excelize.File) error {
	ours := map[string]bool{}
	for _, dn := range f.GetDefinedName() {
		if dn.Name == markerName && dn.Scope == "Workbook" {
			for _, s := range strings.Split(strings.Trim(dn.RefersTo, `"=`), ";") {
				ours[s] = true
			}
			if err := f.DeleteDefinedName(&excelize.DefinedName{Name: markerName, Scope: "Workbook"}); err != nil {
				return fmt.Errorf("removing the earlier audit's marker: %w", err)
			}
		}
	}
	for _, name := range ProductSheets() {
		idx, _ := f.GetSheetIndex(name)
		if idx < 0 {
			continue
		}
		if !ours[name] {
			return &OpenError{Kind: ErrSheetNameTaken, Msg: fmt.Sprintf("il foglio «%s» esiste già e non è stato creato da auditor: rinominarlo e ripetere la verifica", name)}
		}
		if err := f.DeleteSheet(name); err != nil {
			return fmt.Errorf("removing the earlier audit's sheet %s: %w", name, err)
		}
	}
	return nil
}

type writer struct {
	f   *excelize.File
	a   *validate.Audit
	opt WriteOptions

	header, text, wrap, num2, num3, num6, link, bad, warn, good int
	cfBad, cfWarn, cfGood                                       int // conditional (differential) styles

	// Where each course's results were written on the Punteggi sheet.
	blocks map[int]*block // by course index
}

// block is the rows of one course on the Punteggi sheet.
type block struct {
	artRow   map[int]int // articulation number → row
	indRow   map[int]int // indicator number → row
	totalRow int         // 0 when the course has no total
}

func (w *writer) styles() error {
	var styleErr error
	mk := func(s *excelize.Style) int {
		if s.Alignment == nil {
			s.Alignment = &excelize.Alignment{Vertical: "top"}
		}
		id, err := w.f.NewStyle(s)
		if err != nil && styleErr == nil {
			styleErr = fmt.Errorf("creating the product's cell styles: %w", err)
		}
		return id
	}
	fill := func(c string) excelize.Fill { return excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{c}} }
	w.header = mk(&excelize.Style{Font: &excelize.Font{Bold: true, Color: "FFFFFF"}, Fill: fill("1F4E79"), Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	w.text = mk(&excelize.Style{})
	w.wrap = mk(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	w.num2 = mk(&excelize.Style{NumFmt: 4})                     // #,##0.00
	w.num3 = mk(&excelize.Style{CustomNumFmt: ptr("0.000")})    // points
	w.num6 = mk(&excelize.Style{CustomNumFmt: ptr("0.000000")}) // traces
	w.link = mk(&excelize.Style{Font: &excelize.Font{Color: "0563C1", Underline: "single"}})
	w.bad = mk(&excelize.Style{Fill: fill("F8CBAD")})
	w.warn = mk(&excelize.Style{Fill: fill("FFE699")})
	w.good = mk(&excelize.Style{Fill: fill("C6E0B4")})
	if styleErr != nil {
		return styleErr
	}
	var err error
	for _, cf := range []struct {
		id    *int
		color string
	}{{&w.cfBad, "F8CBAD"}, {&w.cfWarn, "FFE699"}, {&w.cfGood, "C6E0B4"}} {
		if *cf.id, err = w.f.NewConditionalStyle(&excelize.Style{Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{cf.color}}}); err != nil {
			return fmt.Errorf("band colours: %w", err)
		}
	}
	return nil
}

func ptr[T any](v T) *T { return &v }

// newSheet adds a sheet and returns a stream writer on it. prepare, if not
// nil, runs before the stream starts: hyperlinks, conditional formats and
// charts must be set then, because the streamed sheet keeps what the
// worksheet held when the stream began and replaces it on save.
func (w *writer) newSheet(name string, widths map[string]float64, prepare func() error) (*excelize.StreamWriter, error) {
	if _, err := w.f.NewSheet(name); err != nil {
		return nil, fmt.Errorf("adding sheet %s: %w", name, err)
	}
	if prepare != nil {
		if err := prepare(); err != nil {
			return nil, err
		}
	}
	sw, err := w.f.NewStreamWriter(name)
	if err != nil {
		return nil, fmt.Errorf("writing sheet %s: %w", name, err)
	}
	cols := make([]string, 0, len(widths))
	for c := range widths {
		cols = append(cols, c)
	}
	sort.Strings(cols)
	for _, c := range cols {
		n, err := excelize.ColumnNameToNumber(c)
		if err != nil {
			return nil, err
		}
		if err := sw.SetColWidth(n, n, widths[c]); err != nil {
			return nil, err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return nil, err
	}
	return sw, nil
}

func (w *writer) headerRow(sw *excelize.StreamWriter, labels ...string) error {
	row := make([]interface{}, len(labels))
	for i, l := range labels {
		row[i] = excelize.Cell{StyleID: w.header, Value: l}
	}
	return sw.SetRow("A1", row)
}

func cell(col string, row int) string { return col + strconv.Itoa(row) }

// quoteSheet returns a sheet name as formulas need it.
func quoteSheet(name string) string {
	if strings.ContainsAny(name, " -'!") {
		return "'" + strings.ReplaceAll(name, "'", "''") + "'"
	}
	return name
}

// formulaRef turns "Percorsi!H3" into a formula reference.
func formulaRef(c validate.CellRef) string {
	s := string(c)
	i := strings.LastIndexByte(s, '!')
	if i < 0 {
		return s
	}
	return quoteSheet(s[:i]) + "!" + s[i+1:]
}

func (w *writer) scorer(c *validate.CourseAudit) *compute.Scorer {
	if c.Pack == nil {
		return nil
	}
	return w.a.Scorers[c.Pack.ID]
}

// inputRef resolves a result formula's variable for one course: an input
// field (its cell; a number typed as text is read through ISNUMBER with the
// audited value as the fallback, since spreadsheets convert text by locale),
// an earlier result (its cell on Punteggi), or a threshold code (its Soglie
// cell, or the value when Soglie has no row for it).
func (w *writer) inputRef(c *validate.CourseAudit, b *block, sc *compute.Scorer) compute.Resolver {
	return func(name string) string {
		if n, ok := resultRef(name); ok {
			return cell(colR, b.artRow[n])
		}
		if cr, ok := c.Cells[compute.FieldCode(name)]; ok {
			ref := formulaRef(cr)
			if c.TextNumbers[compute.FieldCode(name)] {
				return "IF(ISNUMBER(" + ref + ")," + ref + "," + strconv.FormatFloat(c.Values[compute.FieldCode(name)], 'f', -1, 64) + ")"
			}
			return ref
		}
		if cr, ok := w.a.ThresholdCells[name]; ok {
			return formulaRef(cr)
		}
		if v, ok := w.a.Overrides[name]; ok {
			return strconv.FormatFloat(v, 'f', -1, 64)
		}
		if def, ok := sc.Pack().Threshold(name); ok && def.Default != nil {
			return strconv.FormatFloat(*def.Default, 'f', -1, 64)
		}
		return "NA()"
	}
}

func resultRef(name string) (int, bool) {
	if len(name) < 2 || name[0] != 'R' {
		return 0, false
	}
	n, err := strconv.Atoi(name[1:])
	return n, err == nil
}

// Columns of the Punteggi sheet.
const (
	colR      = "C"
	colS      = "D"
	colP      = "E"
	colWeight = "F"
	colPoints = "G"
)

// scores writes the Punteggi sheet: per course, its articulations with R, S,
// P, weight and points as live formulas (engine values cached), then the
// indicators and the total. The rules' texts are on Regole, once.
func (w *writer) scores() error {
	sw, err := w.newSheet(SheetScores, map[string]float64{"A": 16, "B": 12, "C": 12, "D": 12, "E": 12, "F": 7, "G": 10, "H": 16, "I": 12}, nil)
	if err != nil {
		return err
	}
	if err := w.headerRow(sw, "Codice percorso", "Articolazione", "Risultato R", "Soglia S", "Punteggio P", "Peso", "Punti", "Ramo", "Funzione (foglio Regole)"); err != nil {
		return err
	}
	w.blocks = map[int]*block{}
	row := 2
	for i := range w.a.Courses {
		c := &w.a.Courses[i]
		sc := w.scorer(c)
		if sc == nil || c.Result == nil {
			continue
		}
		p := sc.Pack()
		b := &block{artRow: map[int]int{}, indRow: map[int]int{}}
		w.blocks[i] = b
		for j, ar := range c.Result.Articulations {
			b.artRow[ar.Number] = row + j
		}
		ref := w.inputRef(c, b, sc)
		for _, ar := range c.Result.Articulations {
			a, _ := p.Articulation(ar.Number)
			r := b.artRow[ar.Number]
			vals := make([]interface{}, 0, 9)
			vals = append(vals, c.Code, ar.Number)
			if ar.Result != nil {
				vals = append(vals, excelize.Cell{Formula: sc.ResultFormula(a, ref), Value: *ar.Result, StyleID: w.num2})
			} else {
				vals = append(vals, "non calcolabile")
			}
			var thr *compute.ThresholdUse
			if ar.Score != nil && len(ar.Traces) > 1 {
				thr = ar.Traces[1].Threshold
			}
			switch {
			case thr != nil:
				vals = append(vals, excelize.Cell{Formula: sc.ThresholdFormula(thr, w.thresholdCell), Value: thr.Value, StyleID: w.num2})
			case ar.Threshold != nil:
				vals = append(vals, excelize.Cell{Value: *ar.Threshold, StyleID: w.num2})
			default:
				vals = append(vals, "—")
			}
			if ar.Score != nil {
				pref := func(name string) string {
					switch name {
					case "R":
						return cell(colR, r)
					case "S":
						return cell(colS, r)
					}
					return "NA()"
				}
				vals = append(vals,
					excelize.Cell{Formula: sc.ScoreFormula(a, pref), Value: *ar.Score, StyleID: w.num2},
					ar.Weight,
					excelize.Cell{Formula: sc.PointsFormula(cell(colWeight, r), cell(colP, r)), Value: *ar.Points, StyleID: w.num3},
					ar.Branch, ar.Function,
				)
			} else {
				vals = append(vals, "—", ar.Weight, "—", "", ar.Function)
			}
			if err := sw.SetRow(cell("A", r), vals); err != nil {
				return err
			}
		}
		row += len(c.Result.Articulations)
		for _, ir := range c.Result.Indicators {
			b.indRow[ir.Number] = row
			ind, _ := p.Indicator(ir.Number)
			vals := []interface{}{c.Code, "Indicatore " + strconv.Itoa(ir.Number), "", "", "", ir.Weight}
			if ir.Points != nil {
				var pts []string
				for _, ar := range c.Result.Articulations {
					if ar.Indicator == ir.Number {
						pts = append(pts, cell(colPoints, b.artRow[ar.Number]))
					}
				}
				vals = append(vals, excelize.Cell{Formula: sc.IndicatorFormula(ind, pts, ref), Value: *ir.Points, StyleID: w.num3})
			} else {
				vals = append(vals, "non calcolabile")
			}
			if ir.Zeroed {
				vals = append(vals, "azzerato")
			}
			if err := sw.SetRow(cell("A", row), vals); err != nil {
				return err
			}
			row++
		}
		vals := []interface{}{c.Code, "Totale", "", "", "", 100}
		if c.Result.Total != nil {
			b.totalRow = row
			var inds []string
			for _, ir := range c.Result.Indicators {
				inds = append(inds, cell(colPoints, b.indRow[ir.Number]))
			}
			vals = append(vals, excelize.Cell{Formula: "SUM(" + strings.Join(inds, ",") + ")", Value: *c.Result.Total, StyleID: w.num3})
		} else {
			vals = append(vals, "non calcolabile: vedere il foglio "+SheetFindings)
		}
		if err := sw.SetRow(cell("A", row), vals); err != nil {
			return err
		}
		row += 2 // a blank row between courses
	}
	return sw.Flush()
}

// thresholdCell resolves a threshold code to its Soglie cell.
func (w *writer) thresholdCell(code string) string {
	if cr, ok := w.a.ThresholdCells[code]; ok {
		return formulaRef(cr)
	}
	return ""
}

func countSeverity(fs []validate.Finding, s compute.Severity) int {
	n := 0
	for _, f := range fs {
		if f.Severity == s {
			n++
		}
	}
	return n
}

// outcome writes the Esito sheet: one row per course, totals and indicator
// points referencing Punteggi, the band, counts of findings, a conditional
// format for the bands and a chart of the indicator points.
func (w *writer) outcome() error {
	var indNames []string
	for _, c := range w.a.Courses {
		if c.Pack != nil {
			for _, ind := range c.Pack.Indicators {
				indNames = append(indNames, ind.Name)
			}
			break
		}
	}
	nInd := len(indNames)
	last := len(w.a.Courses) + 1
	sw, err := w.newSheet(SheetOutcome, map[string]float64{"A": 16, "B": 36, "C": 30, "D": 6, "E": 20, "F": 16, "G": 10, "H": 16}, func() error {
		return w.outcomeDecorations(last, nInd)
	})
	if err != nil {
		return err
	}
	labels := []string{"Codice percorso", "Titolo", "Area tecnologica", "Riga", "Pacchetto di regole", "Lettura", "Totale", "Fascia"}
	labels = append(labels, indNames...)
	labels = append(labels, "Errori", "Violazioni di legge", "Avvisi", "Informazioni", "Studentesse R", "Studentesse P", "Totale con l'altra lettura")
	if err := w.headerRow(sw, labels...); err != nil {
		return err
	}
	for i := range w.a.Courses {
		c := &w.a.Courses[i]
		r := i + 2
		vals := []interface{}{c.Code, titleOf(w.a.Input, c.Row), c.Area, c.Row}
		b := w.blocks[i]
		if c.Pack != nil && c.Result != nil {
			vals = append(vals, string(c.Pack.ID), c.Result.Reading.Label())
		} else {
			vals = append(vals, "nessuno", "")
		}
		if c.Scored() && b != nil && b.totalRow > 0 {
			sc := w.scorer(c)
			tref := quoteSheet(SheetScores) + "!" + cell(colPoints, b.totalRow)
			vals = append(vals,
				excelize.Cell{Formula: tref, Value: *c.Result.Total, StyleID: w.num2},
				excelize.Cell{Formula: sc.BandFormula(cell("G", r)), Value: c.Result.Band.Code},
			)
		} else {
			vals = append(vals, "non calcolabile", "")
		}
		for k := 0; k < nInd; k++ {
			if c.Result != nil && b != nil && k < len(c.Result.Indicators) && c.Result.Indicators[k].Points != nil && c.Scored() {
				ir := c.Result.Indicators[k]
				vals = append(vals, excelize.Cell{Formula: quoteSheet(SheetScores) + "!" + cell(colPoints, b.indRow[ir.Number]), Value: *ir.Points, StyleID: w.num3})
			} else {
				vals = append(vals, "")
			}
		}
		vals = append(vals,
			countSeverity(c.Findings, compute.SeverityError), countSeverity(c.Findings, compute.SeverityViolation),
			countSeverity(c.Findings, compute.SeverityWarning), countSeverity(c.Findings, compute.SeverityInfo))
		if c.Result != nil && c.Result.Female.Computable {
			vals = append(vals, excelize.Cell{Value: *c.Result.Female.Result, StyleID: w.num2}, excelize.Cell{Value: *c.Result.Female.Score, StyleID: w.num2})
		} else {
			vals = append(vals, "non calcolabile", "")
		}
		other := ""
		if c.Sensitivity != nil {
			for _, ch := range c.Sensitivity.Changes {
				if ch.Quantity == "totale" && ch.Other != nil {
					other = itNum(math.Round(*ch.Other*1000)/1000) + " (" + c.Sensitivity.Other.Label() + ")"
				}
			}
		}
		if other == "" && c.Scored() {
			other = "invariato"
		}
		vals = append(vals, other)
		if err := sw.SetRow(cell("A", r), vals); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// outcomeDecorations colours the totals by band and adds the chart of the
// indicator points (before the sheet is streamed; see newSheet).
func (w *writer) outcomeDecorations(last, nInd int) error {
	if last < 2 {
		return nil
	}
	totals := "G2:" + cell("G", last)
	formats := []struct {
		style    int
		criteria string
		value    string
		min, max string
	}{
		{w.cfBad, "<", "50", "", ""},
		{w.cfWarn, "between", "", "50", "59.9999999999"},
		{w.cfGood, ">=", "60", "", ""},
	}
	var cfs []excelize.ConditionalFormatOptions
	for _, fm := range formats {
		style := fm.style
		cfs = append(cfs, excelize.ConditionalFormatOptions{Type: "cell", Criteria: fm.criteria, Format: &style, Value: fm.value, MinValue: fm.min, MaxValue: fm.max})
	}
	if err := w.f.SetConditionalFormat(SheetOutcome, totals, cfs); err != nil {
		return fmt.Errorf("band colours: %w", err)
	}
	if nInd == 0 {
		return nil
	}
	var series []excelize.ChartSeries
	for k := 0; k < nInd; k++ {
		col, _ := excelize.ColumnNumberToName(9 + k)
		series = append(series, excelize.ChartSeries{
			Name:       fmt.Sprintf("%s!$%s$1", quoteSheet(SheetOutcome), col),
			Categories: fmt.Sprintf("%s!$A$2:$A$%d", quoteSheet(SheetOutcome), last),
			Values:     fmt.Sprintf("%s!$%s$2:$%s$%d", quoteSheet(SheetOutcome), col, col, last),
		})
	}
	anchorCol, _ := excelize.ColumnNumberToName(9 + nInd + 8)
	err := w.f.AddChart(SheetOutcome, cell(anchorCol, 2), &excelize.Chart{
		Type:   excelize.BarStacked,
		Series: series,
		Title:  excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: "Punti per indicatore di ciascun percorso"}}},
		Legend: excelize.ChartLegend{Position: "bottom"},
		XAxis:  excelize.ChartAxis{ReverseOrder: true},
		YAxis:  excelize.ChartAxis{Maximum: ptr(100.0), Minimum: ptr(0.0)},
		Dimension: excelize.ChartDimension{
			Width: 720, Height: uint(max(320, 24*(last-1)+120)),
		},
	})
	if err != nil {
		return fmt.Errorf("indicator chart: %w", err)
	}
	return nil
}

// titleOf returns the title typed on a course's row.
func titleOf(in *validate.Input, row int) string {
	for _, c := range in.Courses {
		if c.Row == row {
			return c.Entries["titolo"].Text
		}
	}
	return ""
}
