package xlsxio

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/its-academy/auditor/internal/xlsx"

	"github.com/its-academy/auditor/compute"
	"github.com/its-academy/auditor/validate"
	"github.com/xuri/excelize/v2"
)

// Columns of the Punteggi sheet.
const (
	colR      = "C"
	colS      = "D"
	colP      = "E"
	colWeight = "F"
	colPoints = "G"
)

// atAudit labels the columns whose values are text or counts written at
// the time of the audit, not formulas that follow the input.
const atAudit = " (al momento della verifica)"

// sheets lists the product's sheets in the order of reading. Every row is
// placed first (layout), so that each sheet links to the others'.
func (w *writer) sheets() []productSheet {
	var indNames []string
	var firstPack *compute.Pack
	for _, c := range w.a.Courses {
		if c.Pack != nil {
			firstPack = c.Pack
			for _, ind := range c.Pack.Indicators {
				indNames = append(indNames, ind.Name)
			}
			break
		}
	}
	var cuts []float64
	if firstPack != nil {
		cuts = firstPack.BandCuts()
	}
	lastScores, lastExpl := w.layout()
	w.names = nameCache{}
	w.rulesTable, w.thresholdRow = w.rulesRows()
	last := len(w.a.Courses) + 1
	findings := append([]validate.Finding(nil), w.a.Findings...)
	for _, c := range w.a.Courses {
		findings = append(findings, c.Findings...)
	}
	sortFindings(findings)
	sensLast := 1
	for i := range w.a.Courses {
		if c := &w.a.Courses[i]; c.Scored() {
			sensLast += len(c.Sensitivity)
		}
	}

	outHead := []string{"Codice percorso", "Titolo", "Area tecnologica", "Riga", "Pacchetto di regole", "Lettura", "Totale", "Fascia"}
	outWidths := []float64{16, 30, 26, 6, 14, 22, 9, 14}
	for k, n := range indNames {
		outHead = append(outHead, "Indicatore "+strconv.Itoa(k+1)+" – "+n)
		outWidths = append(outWidths, 14)
	}
	outHead = append(outHead, "Errori"+atAudit, "Violazioni di legge"+atAudit, "Avvisi"+atAudit, "Informazioni"+atAudit,
		"Studentesse R", "Studentesse P", "Scelte che cambiano la fascia"+atAudit)
	outWidths = append(outWidths, 12, 12, 12, 12, 12, 12, 30)
	for _, cut := range cuts {
		outHead = append(outHead, "Limite di fascia "+itNum(cut))
		outWidths = append(outWidths, 10)
	}
	sheets := []productSheet{
		{name: SheetOutcome, head: outHead, widths: outWidths, last: last, printRows: last + outcomeInfoRows,
			prepare: func() error { return w.outcomeDecorations(last, len(indNames), cuts, len(outHead)) },
			cells:   func(x *xlsx.SheetXML) { w.outcome(x, indNames, cuts) }},
		{name: SheetFindings, head: []string{"Gravità", "Regola", "Percorso", "Cella", "Valore trovato", "Atteso", "Messaggio" + atAudit, "Fonte"},
			widths: []float64{12, 26, 14, 16, 16, 24, 70, 40}, last: len(findings) + 1,
			prepare: func() error { return w.findingLinks(findings) },
			cells:   func(x *xlsx.SheetXML) { w.findings(x, findings) }},
		{name: SheetScores, head: []string{"Codice percorso", "Articolazione", "Risultato R", "Soglia S", "Punteggio P", "Peso", "Punti", "Ramo" + atAudit, "Funzione (foglio Regole)", "Spiegazione"},
			widths: []float64{16, 40, 11, 11, 11, 7, 10, 26, 12, 18}, last: lastScores, cells: w.scores},
		{name: SheetExplanations, head: []string{"Codice percorso", "Grandezza", "Risultato R", "Valori usati (cella)", "Soglia S (origine)", "Ramo (foglio Regole)", "Punteggio P", "Punti", "Note" + atAudit, "Cella d'origine 1", "Cella d'origine 2", "Cella d'origine 3"},
			widths: []float64{16, 30, 11, 50, 24, 16, 11, 10, 50, 14, 14, 14}, last: lastExpl, cells: w.explanations},
		{name: SheetSensitivity, head: []string{"Codice percorso", "Scelta", "Alternativa", "Descrizione", "Totale della verifica", "Totale con l'alternativa" + atAudit, "Differenza", "Fascia con l'alternativa", "La fascia cambia", "Articolazioni che cambiano (P della verifica → P con l'alternativa)"},
			widths: []float64{16, 10, 14, 40, 12, 14, 11, 16, 10, 44}, last: sensLast, cells: w.sensitivity},
		{name: SheetRules, head: []string{"Voce", "Descrizione", "Valore", "Origine", "Fonte"},
			widths: []float64{26, 50, 24, 22, 60}, last: len(w.rulesTable) + 1, cells: w.rules},
		{name: SheetStamp, head: []string{"Voce", "Valore"}, widths: []float64{30, 100}, cells: w.stamp},
	}
	for i := range sheets {
		sheets[i].widths = headerWidths(sheets[i].head, sheets[i].widths)
	}
	return sheets
}

// headerWidths widens each column to its header's longest word, so that a
// wrapped header is never cut inside a word.
func headerWidths(head []string, widths []float64) []float64 {
	out := append([]float64(nil), widths...)
	for len(out) < len(head) {
		out = append(out, 12)
	}
	for i, h := range head {
		for _, word := range strings.Fields(h) {
			if need := float64(utf8.RuneCountInString(word)) + 2; need > out[i] {
				out[i] = need
			}
		}
	}
	return out
}

// foundation returns what the Fondazione sheet says of who was audited.
func (w *writer) foundation() (code, name, region, year string) {
	text := func(c compute.FieldCode) string { return strings.TrimSpace(w.a.Input.Foundation[c].Text) }
	return text("fondazione_codice"), text("fondazione_nome"), text("regione"), text("anno_monitoraggio")
}

// printSetup makes a sheet print legibly: A4, landscape when it is wide,
// fitted to the page's width, its header row repeated on every page, a
// header naming the foundation and the sheet, a footer with the audited
// file's SHA-256 and the page number.
func (w *writer) printSetup(ps productSheet) error {
	total := 0.0
	for _, wd := range ps.widths {
		total += wd
	}
	orient := "portrait"
	if total > 95 {
		orient = "landscape"
	}
	if err := w.f.SetPageLayout(ps.name, &excelize.PageLayoutOptions{Size: ptr(9), Orientation: &orient, FitToWidth: ptr(1), FitToHeight: ptr(0)}); err != nil {
		return err
	}
	if err := w.f.SetSheetProps(ps.name, &excelize.SheetPropsOptions{FitToPage: ptr(true)}); err != nil {
		return err
	}
	if err := w.f.SetPageMargins(ps.name, &excelize.PageLayoutMarginsOptions{
		Left: ptr(0.4), Right: ptr(0.4), Top: ptr(0.7), Bottom: ptr(0.7), Header: ptr(0.3), Footer: ptr(0.3),
	}); err != nil {
		return err
	}
	code, name, _, year := w.foundation()
	who := clip(strings.TrimSpace(code+" "+name), 80)
	if year != "" {
		who += " – anno " + clip(year, 10)
	}
	if err := w.f.SetHeaderFooter(ps.name, &excelize.HeaderFooterOptions{
		OddHeader: "&L" + headerText(who) + "&R" + headerText(ps.name) + " – verifica di auditor",
		OddFooter: "&LSHA-256 del file verificato: " + headerText(clip(w.a.Input.SHA256, 64)) + "&RPagina &P di &N",
	}); err != nil {
		return err
	}
	if err := w.f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", RefersTo: quoteSheet(ps.name) + "!$1:$1", Scope: ps.name}); err != nil {
		return err
	}
	if ps.printRows > 0 {
		// The sheet's cells only: the chart beside the table would shrink
		// the print to illegible.
		area := fmt.Sprintf("%s!$A$1:$%s$%d", quoteSheet(ps.name), xlsx.ColumnName(len(ps.head)), ps.printRows)
		return w.f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Area", RefersTo: area, Scope: ps.name})
	}
	return nil
}

// headerText escapes the ampersand, the code character of page headers.
func headerText(s string) string { return strings.ReplaceAll(s, "&", "&&") }

// clip cuts s to n runes.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// scores writes the Punteggi sheet: per course, its articulations with R, S,
// P, weight and points as live formulas (engine values cached), then the
// indicators and the total; each articulation and indicator links to its
// explanation. The rules' texts are on Regole, once.
func (w *writer) scores(x *xlsx.SheetXML) {
	for i := range w.a.Courses {
		c := &w.a.Courses[i]
		sc := w.scorer(c)
		b := w.blocks[i]
		if sc == nil || c.Result == nil || b == nil {
			continue
		}
		e := w.expl[i]
		p := sc.Pack()
		ref := w.inputRef(c, b, sc)
		for _, ar := range c.Result.Articulations {
			a, _ := p.Articulation(ar.Number)
			r := b.artRow[ar.Number]
			refs := rowRefs(r, colR, colS, colWeight, colP)
			x.StartRow(r)
			x.Text(0, c.Code)
			x.Text(w.wrap, w.names.articulation(p, ar.Number))
			if ar.Result != nil {
				t := w.template(formulaKey{sc, ar.Number, 'R'}, func(ref compute.Resolver) string { return sc.ResultFormula(a, ref) })
				x.FormulaT(w.num2, t, ref, *ar.Result)
			} else {
				x.Text(0, "non calcolabile")
			}
			var thr *compute.ThresholdUse
			if pt := ar.ScoreTrace(); ar.Score != nil && pt != nil {
				thr = pt.Threshold
			}
			switch {
			case thr != nil:
				x.Formula(w.num2, sc.ThresholdFormula(thr, w.thresholdCell), thr.Value)
			case ar.Threshold != nil:
				x.Num(w.num2, *ar.Threshold)
			default:
				x.Text(0, "—")
			}
			if ar.Score != nil {
				pref := func(name string) string {
					switch name {
					case "R":
						return refs[0]
					case "S":
						return refs[1]
					}
					return "NA()"
				}
				t := w.template(formulaKey{sc, ar.Number, 'P'}, func(ref compute.Resolver) string { return sc.ScoreFormula(a, ref) })
				x.FormulaT(w.num2, t, pref, *ar.Score)
				x.Num(0, ar.Weight)
				t = w.template(formulaKey{sc, 0, 'W'}, func(ref compute.Resolver) string { return sc.PointsFormula(ref("W"), ref("P")) })
				x.FormulaT(w.num3, t, func(name string) string {
					if name == "W" {
						return refs[2]
					}
					return refs[3]
				}, *ar.Points)
				x.Text(w.wrap, ar.Branch)
				x.Text(0, ar.Function)
			} else {
				x.Text(0, "—")
				x.Num(0, ar.Weight)
				x.Text(0, "—")
				x.Text(0, "")
				x.Text(0, ar.Function)
			}
			w.explanationLink(x, e.artRow[ar.Number])
		}
		for _, ir := range c.Result.Indicators {
			row := b.indRow[ir.Number]
			ind, _ := p.Indicator(ir.Number)
			x.StartRow(row)
			x.Text(0, c.Code)
			x.Text(w.wrap, w.names.indicator(p, ir.Number))
			x.Skip(3)
			x.Num(0, ir.Weight)
			if ir.Points != nil {
				var pts []string
				for _, ar := range c.Result.Articulations {
					if ar.Indicator == ir.Number {
						pts = append(pts, cell(colPoints, b.artRow[ar.Number]))
					}
				}
				x.Formula(w.num3, sc.IndicatorFormula(ind, pts, ref), *ir.Points)
			} else {
				x.Text(0, "non calcolabile")
			}
			if ir.Zeroed {
				x.Text(0, "azzerato")
			} else {
				x.Skip(1)
			}
			x.Skip(1)
			w.explanationLink(x, e.indRow[ir.Number])
		}
		row := len(c.Result.Articulations) + len(c.Result.Indicators) + firstRow(b)
		x.StartRow(row)
		x.Text(0, c.Code)
		x.Text(0, "Totale")
		x.Skip(3)
		x.Int(0, 100)
		if c.Result.Total != nil {
			var inds []string
			for _, ir := range c.Result.Indicators {
				inds = append(inds, cell(colPoints, b.indRow[ir.Number]))
			}
			x.Formula(w.num2, "SUM("+strings.Join(inds, ",")+")", *c.Result.Total)
		} else {
			x.Text(0, "non calcolabile: vedere il foglio "+SheetFindings)
		}
	}
}

// explanationsRef is the start of a reference to a Spiegazioni cell of
// column B.
var explanationsRef = quoteSheet(SheetExplanations) + "!B"

// explanationLink writes the link from a Punteggi row to its row on
// Spiegazioni.
func (w *writer) explanationLink(x *xlsx.SheetXML, row int) {
	if row > 0 {
		x.Link(w.link, "vedere la spiegazione", explanationsRef+strconv.Itoa(row))
	}
}

// firstRow is the first row of a course's block on Punteggi.
func firstRow(b *block) int {
	first := 0
	for _, r := range b.artRow {
		if first == 0 || r < first {
			first = r
		}
	}
	for _, r := range b.indRow {
		if first == 0 || r < first {
			first = r
		}
	}
	return first
}

// articulationName is «Articolazione 14 – Occupati coerenti…».
func articulationName(n int, a *compute.Articulation) string {
	s := "Articolazione " + strconv.Itoa(n)
	if a != nil && a.Name != "" {
		s += " – " + a.Name
	}
	return s
}

// indicatorName is «Indicatore 5 – Occupabilità».
func indicatorName(n int, ind *compute.Indicator) string {
	s := "Indicatore " + strconv.Itoa(n)
	if ind != nil && ind.Name != "" {
		s += " – " + ind.Name
	}
	return s
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
// points referencing Punteggi (the course's code links to its rows there),
// the band and counts of findings, the limits of the bands (drawn on the
// chart), and who was audited and when (the conditional format of the bands
// and the chart are set by outcomeDecorations).
func (w *writer) outcome(x *xlsx.SheetXML, indNames []string, cuts []float64) {
	nInd := len(indNames)
	titles := make(map[int]string, len(w.a.Input.Courses))
	for _, c := range w.a.Input.Courses {
		if _, seen := titles[c.Row]; !seen {
			titles[c.Row] = c.Entries["titolo"].Text
		}
	}
	fCode, fName, region, year := w.foundation()
	who := strings.TrimSpace(fCode + " – " + fName)
	if fCode == "" || fName == "" {
		who = strings.TrimSpace(fCode + fName)
	}
	when := w.a.AuditedAtText()
	scores := quoteSheet(SheetScores) + "!"
	for i := range w.a.Courses {
		c := &w.a.Courses[i]
		r := i + 2
		x.StartRow(r)
		b := w.blocks[i]
		if b != nil && firstRow(b) > 0 {
			x.Link(w.link, c.Code, scores+cell("A", firstRow(b)))
		} else {
			x.Text(0, c.Code)
		}
		x.Text(w.wrap, titles[c.Row])
		x.Text(w.wrap, c.Area)
		x.Int(0, c.Row)
		if c.Pack != nil && c.Result != nil {
			x.Text(w.wrap, string(c.Pack.ID))
			rt := readingText(c.Pack, c.Result.Reading, w.scorer(c))
			if w.a.WhatIf {
				rt += "; SIMULAZIONE con le soglie del foglio Soglie"
			}
			x.Text(w.wrap, rt)
		} else {
			x.Text(0, "nessuno")
			x.Text(0, "")
		}
		if c.Scored() && b != nil && b.totalRow > 0 {
			sc := w.scorer(c)
			x.Formula(w.num2, scores+cell(colPoints, b.totalRow), *c.Result.Total)
			x.FormulaText(0, sc.BandFormula(cell("G", r)), c.Result.Band.Code)
		} else {
			x.Text(w.wrap, "non calcolabile")
			x.Text(0, "")
		}
		for k := 0; k < nInd; k++ {
			if c.Result != nil && b != nil && k < len(c.Result.Indicators) && c.Result.Indicators[k].Points != nil && c.Scored() {
				ir := c.Result.Indicators[k]
				x.Formula(w.num3, scores+cell(colPoints, b.indRow[ir.Number]), *ir.Points)
			} else {
				x.Text(0, "")
			}
		}
		x.Int(0, countSeverity(c.Findings, compute.SeverityError))
		x.Int(0, countSeverity(c.Findings, compute.SeverityViolation))
		x.Int(0, countSeverity(c.Findings, compute.SeverityWarning))
		x.Int(0, countSeverity(c.Findings, compute.SeverityInfo))
		if c.Result != nil && c.Result.Female.Computable {
			x.Num(w.num2, *c.Result.Female.Result)
			x.Num(w.num2, *c.Result.Female.Score)
		} else {
			x.Text(0, "non calcolabile")
			x.Text(0, "")
		}
		var changes []string
		for _, alt := range c.Sensitivity {
			if alt.BandChanged {
				changes = append(changes, alt.Label)
			}
		}
		switch {
		case len(changes) > 0:
			x.Text(w.wrap, strings.Join(changes, "; ")+" (vedere il foglio "+SheetSensitivity+")")
		case c.Scored():
			x.Text(0, "nessuna")
		default:
			x.Text(0, "")
		}
		courseCuts := cuts
		if c.Pack != nil {
			courseCuts = c.Pack.BandCuts()
		}
		for k := range cuts {
			if k < len(courseCuts) {
				x.Num(w.num2, courseCuts[k])
			} else {
				x.Text(0, "")
			}
		}
	}
	// Who was audited and when, below the table (outside its filter).
	if when == "" {
		when = "non indicata"
	}
	r := len(w.a.Courses) + 3
	for _, kv := range [][2]string{{"Fondazione", who}, {"Regione", region}, {"Anno di monitoraggio", year}, {"Data e ora della verifica", when}} {
		x.StartRow(r)
		r++
		x.Text(w.headerStyle, kv[0])
		x.Text(0, kv[1])
	}
}

// outcomeInfoRows is how many rows the Esito sheet has below its table.
const outcomeInfoRows = 5

// outcomeDecorations colours the totals by band and adds, beside the
// table, the chart of the indicator points with the limits of the bands
// drawn as lines (before the sheet is streamed; see newSheet). The limits
// are the rule pack's.
func (w *writer) outcomeDecorations(last, nInd int, cuts []float64, nCols int) error {
	if last < 2 {
		return nil
	}
	if len(cuts) > 0 {
		totals := "G2:" + cell("G", last)
		num := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
		below := func(v float64) string { return strconv.FormatFloat(v-1e-10, 'f', -1, 64) }
		styleFor := func(k int) int {
			switch {
			case k == 0:
				return w.cfBad
			case k == len(cuts):
				return w.cfGood
			}
			return w.cfWarn
		}
		var cfs []excelize.ConditionalFormatOptions
		for k := 0; k <= len(cuts); k++ {
			style := styleFor(k)
			o := excelize.ConditionalFormatOptions{Type: "cell", Format: &style}
			switch {
			case k == 0:
				o.Criteria, o.Value = "<", num(cuts[0])
			case k == len(cuts):
				o.Criteria, o.Value = ">=", num(cuts[k-1])
			default:
				o.Criteria, o.MinValue, o.MaxValue = "between", num(cuts[k-1]), below(cuts[k])
			}
			cfs = append(cfs, o)
		}
		if err := w.f.SetConditionalFormat(SheetOutcome, totals, cfs); err != nil {
			return fmt.Errorf("band colours: %w", err)
		}
	}
	if nInd == 0 {
		return nil
	}
	sheet := quoteSheet(SheetOutcome)
	categories := fmt.Sprintf("%s!$A$2:$A$%d", sheet, last)
	var series []excelize.ChartSeries
	for k := 0; k < nInd; k++ {
		col := xlsx.ColumnName(9 + k)
		series = append(series, excelize.ChartSeries{
			Name:       fmt.Sprintf("%s!$%s$1", sheet, col),
			Categories: categories,
			Values:     fmt.Sprintf("%s!$%s$2:$%s$%d", sheet, col, col, last),
		})
	}
	var lines []excelize.ChartSeries
	for k := range cuts {
		col := xlsx.ColumnName(8 + nInd + 7 + k + 1)
		lines = append(lines, excelize.ChartSeries{
			Name:       fmt.Sprintf("%s!$%s$1", sheet, col),
			Categories: categories,
			Values:     fmt.Sprintf("%s!$%s$2:$%s$%d", sheet, col, col, last),
			Line:       excelize.LineOptions{Width: 2, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{[]string{"C00000", "BF8F00"}[min(k, 1)]}}},
			Marker:     excelize.ChartMarker{Symbol: "none"},
		})
	}
	anchor := cell(xlsx.ColumnName(nCols+2), 2)
	release := xlsx.ReserveDrawingNames(w.f)
	defer release()
	chart := &excelize.Chart{
		Type:   excelize.ColStacked,
		Series: series,
		Title:  excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: "Punti per indicatore di ciascun percorso e limiti delle fasce"}}},
		Legend: excelize.ChartLegend{Position: "bottom"},
		YAxis:  excelize.ChartAxis{Maximum: ptr(100.0), Minimum: ptr(0.0)},
		Dimension: excelize.ChartDimension{
			Width: uint(min(max(720, 48*(last-1)+240), 4000)), Height: 420,
		},
	}
	var err error
	if len(lines) > 0 {
		err = w.f.AddChart(SheetOutcome, anchor, chart, &excelize.Chart{Type: excelize.Line, Series: lines})
	} else {
		err = w.f.AddChart(SheetOutcome, anchor, chart)
	}
	if err != nil {
		return fmt.Errorf("indicator chart: %w", err)
	}
	return nil
}

// nameCache keeps the names of articulations and indicators, built once
// per pack and number.
type nameCache map[nameKey]string

type nameKey struct {
	pack      *compute.Pack
	indicator bool
	n         int
}

func (c nameCache) articulation(p *compute.Pack, n int) string { return c.name(p, false, n) }

func (c nameCache) indicator(p *compute.Pack, n int) string { return c.name(p, true, n) }

// name is the display name of an articulation or indicator of a pack,
// made once.
func (c nameCache) name(p *compute.Pack, indicator bool, n int) string {
	k := nameKey{p, indicator, n}
	if s, ok := c[k]; ok {
		return s
	}
	if indicator {
		ind, _ := p.Indicator(n)
		c[k] = indicatorName(n, ind)
	} else {
		a, _ := p.Articulation(n)
		c[k] = articulationName(n, a)
	}
	return c[k]
}
