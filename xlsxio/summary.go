package xlsxio

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/its-academy/auditor/batch/summary"
	"github.com/xuri/excelize/v2"
)

// The sheets of the regional summary workbook, in order.
const (
	SummarySheetCourses      = "Percorsi"
	SummarySheetFoundations  = "Fondazioni"
	SummarySheetRule         = "Triennio"
	SummarySheetExcluded     = "Esclusi"
	SummarySheetDistribution = "Distribuzione"
	SummarySheetSensitivity  = "Sensibilità"
	SummarySheetStamp        = "Timbro"
)

// SummarySheets lists the sheets of the summary workbook.
func SummarySheets() []string {
	return []string{SummarySheetCourses, SummarySheetFoundations, SummarySheetRule, SummarySheetExcluded, SummarySheetDistribution, SummarySheetSensitivity, SummarySheetStamp}
}

// SummaryMarker is the workbook-level defined name that marks a summary
// workbook written by WriteSummary; its value is summary.Format.
// ReadSummary reads only workbooks that carry it.
const SummaryMarker = "auditor_riepilogo"

// sumAuditedMarker is the defined name every audited copy carries (it lists
// the product's sheets; see WriteAudit).
const sumAuditedMarker = "auditor_fogli_prodotto"

// SniffWorkbook tells summaries (summary.KindSummary, written by
// WriteSummary) and audited copies (summary.KindAudited, written by
// WriteAudit) from other files by the defined names in xl/workbook.xml,
// without opening the workbook. It reads at most 8 MiB of that part;
// anything it cannot read is summary.KindWorkbook (the reader then says
// what is wrong with it).
func SniffWorkbook(data []byte) string {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return summary.KindWorkbook
	}
	for _, f := range zr.File {
		if f.Name != "xl/workbook.xml" {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return summary.KindWorkbook
		}
		defer rc.Close()
		part, err := io.ReadAll(io.LimitReader(rc, 8<<20))
		if err != nil {
			return summary.KindWorkbook
		}
		switch {
		case bytes.Contains(part, []byte(`name="`+SummaryMarker+`"`)):
			return summary.KindSummary
		case bytes.Contains(part, []byte(`name="`+sumAuditedMarker+`"`)):
			return summary.KindAudited
		}
		return summary.KindWorkbook
	}
	return summary.KindWorkbook
}

// Column labels of the summary's Percorsi sheet; ReadSummary finds columns
// by them. The indicator columns sit between Fascia and Errori.
const (
	sumColFoundationCode = "Codice fondazione"
	sumColFoundationName = "Fondazione"
	sumColRegion         = "Regione"
	sumColYear           = "Anno"
	sumColCode           = "Codice percorso"
	sumColTitle          = "Titolo"
	sumColArea           = "Area tecnologica"
	sumColTotal          = "Punteggio"
	sumColBand           = "Fascia"
	sumColErrors         = "Errori"
	sumColViolations     = "Violazioni"
	sumColWarnings       = "Avvisi"
	sumColInfo           = "Informazioni"
	sumColNote           = "Note"
	sumColFile           = "File"
	sumColRow            = "Riga"
	sumColLink           = "Copia verificata"
	sumColFrom           = "Da riepilogo"
)

// Fixed columns of Percorsi the Fondazioni formulas read.
const (
	sumLetterFoundation = "A"
	sumLetterYear       = "D"
	sumLetterTotal      = "H"
)

func summaryCourseHeads(indicators []string) []string {
	h := []string{sumColFoundationCode, sumColFoundationName, sumColRegion, sumColYear, sumColCode, sumColTitle, sumColArea, sumColTotal, sumColBand}
	h = append(h, indicators...)
	return append(h, sumColErrors, sumColViolations, sumColWarnings, sumColInfo, sumColNote, sumColFile, sumColRow, sumColLink, sumColFrom)
}

// WriteSummary renders the summary workbook. Numbers are numbers; on
// Fondazioni the counts, the mean and the share below the bar are live
// formulas over the Percorsi rows, with the values of the model cached.
// The workbook carries the SummaryMarker defined name so that a later batch
// can read its course rows back (ReadSummary).
func WriteSummary(s *summary.Summary) ([]byte, error) {
	if s == nil {
		return nil, fmt.Errorf("summary workbook: no summary")
	}
	f := excelize.NewFile()
	defer f.Close()
	w := &summaryWriter{f: f, s: s}
	if err := w.setup(); err != nil {
		return nil, fmt.Errorf("summary workbook: %w", err)
	}
	steps := []struct {
		name string
		fn   func() error
	}{
		{SummarySheetCourses, w.courses},
		{SummarySheetFoundations, w.foundations},
		{SummarySheetRule, w.rule},
		{SummarySheetExcluded, w.excluded},
		{SummarySheetDistribution, w.distribution},
		{SummarySheetSensitivity, w.sensitivity},
		{SummarySheetStamp, w.stamp},
	}
	for _, st := range steps {
		if err := st.fn(); err != nil {
			return nil, fmt.Errorf("summary workbook, sheet %s: %w", st.name, err)
		}
	}
	if err := f.SetDefinedName(&excelize.DefinedName{
		Name: SummaryMarker, RefersTo: `"` + summary.Format + `"`,
		Comment: "Riepilogo regionale scritto da auditor: un nuovo riepilogo ne rilegge i percorsi.",
	}); err != nil {
		return nil, fmt.Errorf("summary workbook marker: %w", err)
	}
	f.SetActiveSheet(0)
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, fmt.Errorf("writing the summary workbook: %w", err)
	}
	return buf.Bytes(), nil
}

type summaryWriter struct {
	f   *excelize.File
	s   *summary.Summary
	err error

	header, text, wrap, num2, int0, pct, link, bold, flag int
}

func (w *summaryWriter) setup() error {
	for i, name := range SummarySheets() {
		if i == 0 {
			if err := w.f.SetSheetName("Sheet1", name); err != nil {
				return err
			}
			continue
		}
		if _, err := w.f.NewSheet(name); err != nil {
			return err
		}
	}
	st := func(s *excelize.Style) int {
		if w.err != nil {
			return 0
		}
		id, err := w.f.NewStyle(s)
		w.err = err
		return id
	}
	border := []excelize.Border{{Type: "bottom", Color: "9E9E9E", Style: 1}}
	w.header = st(&excelize.Style{Font: &excelize.Font{Bold: true, Color: "FFFFFF"}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"1F4E79"}},
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "center"}, Border: border})
	w.text = st(&excelize.Style{Alignment: &excelize.Alignment{Vertical: "top"}})
	w.wrap = st(&excelize.Style{Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
	w.num2 = st(&excelize.Style{NumFmt: 2, Alignment: &excelize.Alignment{Vertical: "top"}})
	w.int0 = st(&excelize.Style{NumFmt: 1, Alignment: &excelize.Alignment{Vertical: "top"}})
	w.pct = st(&excelize.Style{NumFmt: 10, Alignment: &excelize.Alignment{Vertical: "top"}})
	w.link = st(&excelize.Style{Font: &excelize.Font{Color: "0563C1", Underline: "single"}, Alignment: &excelize.Alignment{Vertical: "top"}})
	w.bold = st(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
	w.flag = st(&excelize.Style{Font: &excelize.Font{Bold: true, Color: "9C0006"}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFC7CE"}}, Alignment: &excelize.Alignment{Vertical: "top"}})
	return w.err
}

// set writes one cell; the first error sticks.
func (w *summaryWriter) set(sheet string, col, row int, v any, style int) {
	if w.err != nil {
		return
	}
	ref, err := excelize.CoordinatesToCellName(col, row)
	if err != nil {
		w.err = err
		return
	}
	if v != nil {
		if w.err = w.f.SetCellValue(sheet, ref, v); w.err != nil {
			return
		}
	}
	if style != 0 {
		w.err = w.f.SetCellStyle(sheet, ref, ref, style)
	}
}

func (w *summaryWriter) heads(sheet string, row int, heads []string) {
	for i, h := range heads {
		w.set(sheet, i+1, row, h, w.header)
	}
}

func (w *summaryWriter) widths(sheet string, widths ...float64) {
	for i, wd := range widths {
		if w.err != nil {
			return
		}
		col, _ := excelize.ColumnNumberToName(i + 1)
		w.err = w.f.SetColWidth(sheet, col, col, wd)
	}
}

func (w *summaryWriter) freeze(sheet string, rows int) {
	if w.err != nil {
		return
	}
	w.err = w.f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: rows, TopLeftCell: fmt.Sprintf("A%d", rows+1), ActivePane: "bottomLeft"})
}

// sumNum returns the number, or nil (an empty cell) when absent.
func sumNum(v *float64) any {
	if v == nil {
		return nil
	}
	return *v
}

func (w *summaryWriter) courses() error {
	const sh = SummarySheetCourses
	heads := summaryCourseHeads(w.s.Indicators)
	w.heads(sh, 1, heads)
	nInd := len(w.s.Indicators)
	widths := []float64{16, 30, 12, 8, 16, 36, 28, 11, 14}
	for range nInd {
		widths = append(widths, 12)
	}
	widths = append(widths, 8, 10, 8, 12, 40, 30, 6, 30, 20)
	w.widths(sh, widths...)
	for i, c := range w.s.Courses {
		r := i + 2
		col := 1
		put := func(v any, style int) {
			w.set(sh, col, r, v, style)
			col++
		}
		putPositive := func(n, style int) { // empty and unstyled when not known
			if n > 0 {
				put(n, style)
			} else {
				put(nil, 0)
			}
		}
		put(c.FoundationCode, w.text)
		put(c.FoundationName, w.text)
		put(c.Region, w.text)
		putPositive(c.Year, w.text)
		put(c.Code, w.text)
		put(c.Title, w.text)
		put(c.Area, w.text)
		put(sumNum(c.Total), w.num2)
		put(c.Band, w.text)
		for j := 0; j < nInd; j++ {
			var p *float64
			if j < len(c.Indicators) {
				p = c.Indicators[j]
			}
			put(sumNum(p), w.num2)
		}
		put(c.Findings.Error, w.int0)
		put(c.Findings.Violation, w.int0)
		put(c.Findings.Warning, w.int0)
		put(c.Findings.Info, w.int0)
		put(c.Note, w.text)
		put(c.File, w.text)
		putPositive(c.Row, w.int0)
		linkCol := col
		put(c.Link, w.text)
		put(c.From, w.text)
		if c.Link != "" && c.From == "" && w.err == nil {
			ref, _ := excelize.CoordinatesToCellName(linkCol, r)
			target := (&url.URL{Path: c.Link}).EscapedPath()
			tip := "Apri la copia verificata"
			if w.err = w.f.SetCellHyperLink(sh, ref, target, "External", excelize.HyperlinkOpts{Tooltip: &tip}); w.err == nil {
				w.err = w.f.SetCellStyle(sh, ref, ref, w.link)
			}
		}
	}
	w.freeze(sh, 1)
	if w.err == nil {
		last, _ := excelize.CoordinatesToCellName(len(heads), max(2, len(w.s.Courses)+1))
		w.err = w.f.AutoFilter(sh, "A1:"+last, nil)
	}
	return w.err
}

// sumCriterionSafe reports whether a foundation code can be used as a COUNTIFS
// criterion as it is: no wildcard or comparison characters, and not
// readable as a number.
func sumCriterionSafe(code string) bool {
	if code == "" || strings.ContainsAny(code, "*?~<>=\"") {
		return false
	}
	letter := false
	for _, r := range code {
		if (r >= 'A' && r <= 'Z') || (r >= 'a' && r <= 'z') {
			letter = true
		}
	}
	return letter
}

func (w *summaryWriter) foundations() error {
	const sh = SummarySheetFoundations
	sw, err := w.f.NewStreamWriter(sh)
	if err != nil {
		return err
	}
	for i, wd := range []float64{16, 34, 8, 10, 13, 12, 12, 14, 12, 10, 16} {
		if err := sw.SetColWidth(i+1, i+1, wd); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	bar := 50.0
	if w.s.Rule != nil {
		bar = w.s.Rule.Below
	}
	barText := strconv.FormatFloat(bar, 'f', -1, 64)
	heads := []any{"Codice fondazione", "Fondazione", "Anno", "Percorsi", "Con punteggio", "Punteggio medio",
		"Sotto " + barText, "Quota sotto " + barText, "Violazioni di legge", "Errori", "Regola 2015 (tre anni)"}
	row := make([]any, len(heads))
	for i, h := range heads {
		row[i] = excelize.Cell{StyleID: w.header, Value: h}
	}
	if err := sw.SetRow("A1", row); err != nil {
		return err
	}
	lastCourse := max(2, len(w.s.Courses)+1)
	rng := func(col string) string {
		return fmt.Sprintf("%s!$%s$2:$%s$%d", SummarySheetCourses, col, col, lastCourse)
	}
	for i, fd := range w.s.Foundations {
		r := i + 2
		crit := fmt.Sprintf("%s,$A%d,%s,$C%d", rng(sumLetterFoundation), r, rng(sumLetterYear), r)
		live := sumCriterionSafe(fd.Code) && fd.Year > 0
		cell := func(formula string, v any, style int) excelize.Cell {
			if !live {
				formula = ""
			}
			if v == nil && formula != "" {
				v = ""
			}
			return excelize.Cell{StyleID: style, Formula: formula, Value: v}
		}
		var year any
		if fd.Year > 0 {
			year = fd.Year
		}
		flag := excelize.Cell{StyleID: w.text, Value: "No"}
		if fd.Flagged {
			flag = excelize.Cell{StyleID: w.flag, Value: "Sì"}
		}
		row := []any{
			excelize.Cell{StyleID: w.text, Value: fd.Code},
			excelize.Cell{StyleID: w.text, Value: fd.Name},
			excelize.Cell{StyleID: w.text, Value: year},
			cell(fmt.Sprintf("COUNTIFS(%s)", crit), fd.Courses, w.int0),
			cell(fmt.Sprintf(`COUNTIFS(%s,%s,">=0")`, crit, rng(sumLetterTotal)), fd.Scored, w.int0),
			// SUMIFS/COUNTIFS rather than AVERAGEIFS: every engine skips the
			// blank totals of unscored courses in a sum.
			cell(fmt.Sprintf(`IF($E%d=0,"",SUMIFS(%s,%s)/$E%d)`, r, rng(sumLetterTotal), crit, r), sumNum(fd.Mean), w.num2),
			cell(fmt.Sprintf(`COUNTIFS(%s,%s,"<%s")`, crit, rng(sumLetterTotal), barText), fd.Below, w.int0),
			cell(fmt.Sprintf(`IF($E%d=0,"",$G%d/$E%d)`, r, r, r), sumShareFraction(fd.Share), w.pct),
			excelize.Cell{StyleID: w.int0, Value: fd.Violations},
			excelize.Cell{StyleID: w.int0, Value: fd.Errors},
			flag,
		}
		if err := sw.SetRow(fmt.Sprintf("A%d", r), row); err != nil {
			return err
		}
	}
	next := len(w.s.Foundations) + 3
	notes := []string{
		fmt.Sprintf("Quota sotto %s = percorsi con punteggio sotto %s / percorsi con punteggio. I percorsi senza punteggio non entrano nella quota né nella media.", barText, barText),
		"Percorsi, punteggio medio e quota sono formule sui dati del foglio Percorsi.",
	}
	notes = append(notes, w.s.Notes...)
	for i, n := range notes {
		if err := sw.SetRow(fmt.Sprintf("A%d", next+i), []any{excelize.Cell{StyleID: w.text, Value: n}}); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// sumShareFraction turns a percentage into the fraction a % cell shows.
func sumShareFraction(p *float64) any {
	if p == nil {
		return nil
	}
	return *p / 100
}

func (w *summaryWriter) rule() error {
	const sh = SummarySheetRule
	w.widths(sh, 18, 34, 22, 12, 22, 90)
	r := w.s.Rule
	if r == nil {
		w.set(sh, 1, 1, "Nessuna regola per le fondazioni nei pacchetti di regole usati: il controllo sui tre anni non è stato fatto.", w.bold)
		return w.err
	}
	params := [][2]any{
		{"Regola", r.Label + " (regola del " + r.RuleOf + ")"},
		{"Fonte", r.Citation},
		{"Anni consecutivi", r.Years},
		{"Punteggio sotto", r.Below},
		{"Quota minima (%)", r.ShareAtLeast},
		{"Conseguenza", r.Consequence},
		{"Percorsi senza punteggio", r.Unscored},
		{"Anni mancanti", r.MissingYears},
	}
	for i, p := range params {
		w.set(sh, 1, i+1, p[0], w.bold)
		w.set(sh, 2, i+1, p[1], w.text)
	}
	row := len(params) + 2
	w.heads(sh, row, []string{"Codice fondazione", "Fondazione", "Anni presenti", "Segnalata", "Anni della segnalazione", "Spiegazione"})
	row++
	if len(w.s.Verdicts) == 0 {
		w.set(sh, 1, row, "Nessuna fondazione con codice e anno.", w.text)
		row++
	}
	for _, v := range w.s.Verdicts {
		years := make([]string, len(v.Years))
		for i, y := range v.Years {
			years[i] = strconv.Itoa(y.Year)
		}
		flagged := make([]string, len(v.FlaggedYears))
		for i, y := range v.FlaggedYears {
			flagged[i] = strconv.Itoa(y)
		}
		w.set(sh, 1, row, v.Foundation, w.text)
		w.set(sh, 2, row, v.Name, w.text)
		w.set(sh, 3, row, strings.Join(years, ", "), w.text)
		if v.Flagged {
			w.set(sh, 4, row, "Sì", w.flag)
		} else {
			w.set(sh, 4, row, "No", w.text)
		}
		w.set(sh, 5, row, strings.Join(flagged, ", "), w.text)
		w.set(sh, 6, row, v.Explanation, w.wrap)
		row++
	}
	row++
	w.set(sh, 1, row, "Percorsi che causano la segnalazione", w.bold)
	row++
	w.heads(sh, row, []string{"Codice fondazione", "File", "Anno", "Punteggio", "Codice percorso"})
	row++
	causes := false
	for _, v := range w.s.Verdicts {
		for _, c := range v.Causes {
			causes = true
			w.set(sh, 1, row, c.Foundation, w.text)
			w.set(sh, 2, row, c.File, w.text)
			w.set(sh, 3, row, c.Year, w.text)
			w.set(sh, 4, row, sumNum(c.Total), w.num2)
			w.set(sh, 5, row, c.Code, w.text)
			row++
		}
	}
	if !causes {
		w.set(sh, 1, row, "Nessuna fondazione segnalata.", w.text)
	}
	return w.err
}

// sumCell is a value and its style.
type sumCell struct {
	v     any
	style int
}

// list writes a sheet that is one table: its column widths, the header
// row, one row per item, the line empty when there is none, and the header
// frozen.
func (w *summaryWriter) list(sh string, widths []float64, heads []string, rows [][]sumCell, empty string) error {
	w.widths(sh, widths...)
	w.heads(sh, 1, heads)
	for i, row := range rows {
		for j, c := range row {
			w.set(sh, j+1, i+2, c.v, c.style)
		}
	}
	if len(rows) == 0 {
		w.set(sh, 1, 2, empty, w.text)
	}
	w.freeze(sh, 1)
	return w.err
}

func (w *summaryWriter) excluded() error {
	rows := make([][]sumCell, len(w.s.Excluded))
	for i, e := range w.s.Excluded {
		status := "non verificato"
		if e.Skipped {
			status = "saltato"
		}
		rows[i] = []sumCell{{e.Name, w.text}, {e.Reason, w.wrap}, {status, w.text}}
	}
	return w.list(SummarySheetExcluded, []float64{40, 100, 16}, []string{"File", "Motivo", "Esito"}, rows, "Nessun file escluso.")
}

func (w *summaryWriter) sensitivity() error {
	rows := make([][]sumCell, len(w.s.Sensitivity))
	for i, c := range w.s.Sensitivity {
		flagged := "regola non ricalcolata (la scelta non la riguarda)"
		if c.Flagged != nil {
			flagged = strings.Join(c.Flagged, ", ")
			if len(c.Flagged) == 0 {
				flagged = "nessuna"
			}
		}
		rows[i] = []sumCell{{c.Choice, w.text}, {c.Alternative, w.text}, {c.Label, w.wrap}, {c.Courses, w.int0}, {c.BandChanges, w.int0}, {flagged, w.wrap}}
	}
	return w.list(SummarySheetSensitivity, []float64{10, 18, 60, 18, 18, 50},
		[]string{"Scelta", "Alternativa", "Descrizione", "Percorsi confrontati", "Cambiano fascia", "Fondazioni segnalate dalla regola dei tre anni"},
		rows, "Nessun percorso con punteggio verificato ora: nessun confronto.")
}

func (w *summaryWriter) distribution() error {
	const sh = SummarySheetDistribution
	d := w.s.Distribution
	w.widths(sh, 14)
	w.set(sh, 1, 1, "Punteggio", w.header)
	years := d.Years
	for j, y := range years {
		label := "Anno non indicato"
		if y > 0 {
			label = strconv.Itoa(y)
		}
		w.set(sh, j+2, 1, label, w.header)
	}
	for i, b := range d.Buckets {
		w.set(sh, 1, i+2, b, w.text)
		for j := range years {
			n := 0
			if i < len(d.Counts) && j < len(d.Counts[i]) {
				n = d.Counts[i][j]
			}
			w.set(sh, j+2, i+2, n, w.int0)
		}
	}
	if w.err != nil {
		return w.err
	}
	if len(d.Buckets) == 0 || len(years) == 0 {
		w.set(sh, 1, 2, "Nessun percorso con punteggio.", w.text)
		return w.err
	}
	last := len(d.Buckets) + 1
	var series []excelize.ChartSeries
	for j := range years {
		col, _ := excelize.ColumnNumberToName(j + 2)
		series = append(series, excelize.ChartSeries{
			Name:       fmt.Sprintf("%s!$%s$1", sh, col),
			Categories: fmt.Sprintf("%s!$A$2:$A$%d", sh, last),
			Values:     fmt.Sprintf("%s!$%s$2:$%s$%d", sh, col, col, last),
		})
	}
	anchor, _ := excelize.CoordinatesToCellName(len(years)+3, 2)
	vary := false // one colour per year, not per bucket
	err := w.f.AddChart(sh, anchor, &excelize.Chart{
		Type:       excelize.Col,
		Series:     series,
		VaryColors: &vary,
		Title:      excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: "Percorsi per fascia di punteggio"}}},
		Legend:     excelize.ChartLegend{Position: "bottom"},
		Dimension:  excelize.ChartDimension{Width: 640, Height: 360},
	})
	if err != nil {
		return fmt.Errorf("distribution chart: %w", err)
	}
	return nil
}

func (w *summaryWriter) stamp() error {
	const sh = SummarySheetStamp
	s := w.s
	w.widths(sh, 28, 70, 14, 14)
	rows := [][2]string{
		{"Prodotto", "auditor " + s.Version},
		{"Formato del riepilogo", summary.Format},
		{"Lettura", string(s.Reading)},
	}
	if len(s.Errata) > 0 {
		ids := slices.Sorted(maps.Keys(s.Errata))
		parts := make([]string, 0, len(ids))
		for _, id := range ids {
			parts = append(parts, id+" "+s.Errata[id].Label())
		}
		rows = append(rows, [2]string{"Errata applicate", strings.Join(parts, ", ")})
	}
	if s.WhatIf {
		rows = append(rows, [2]string{"Soglie", "SIMULAZIONE: applicati i valori dei fogli Soglie dei file (--workbook-thresholds). Il risultato non vale come verifica."})
	}
	interp := make([]string, 0, len(s.Interpretations))
	for _, k := range slices.Sorted(maps.Keys(s.Interpretations)) {
		interp = append(interp, k+"="+s.Interpretations[k])
	}
	if len(interp) > 0 {
		rows = append(rows, [2]string{"Interpretazioni", strings.Join(interp, "; ")})
	}
	for _, p := range s.Packs {
		rows = append(rows, [2]string{"Pacchetto di regole " + string(p.ID), "SHA-256 " + p.SHA256})
	}
	if s.Rule != nil {
		rows = append(rows, [2]string{"Regola sulle fondazioni", s.Rule.ID + " (" + s.Rule.Citation + ")"})
	}
	for _, n := range s.Notes {
		rows = append(rows, [2]string{"Nota", n})
	}
	for i, r := range rows {
		w.set(sh, 1, i+1, r[0], w.bold)
		w.set(sh, 2, i+1, r[1], w.wrap)
	}
	row := len(rows) + 2
	w.heads(sh, row, []string{"File", "SHA-256", "Tipo", "Esito"})
	for _, in := range s.Inputs {
		row++
		w.set(sh, 1, row, in.Name, w.text)
		w.set(sh, 2, row, in.SHA256, w.text)
		w.set(sh, 3, row, sumKindLabel(in.Kind), w.text)
		w.set(sh, 4, row, in.Status, w.text)
	}
	return w.err
}

func sumKindLabel(kind string) string {
	switch kind {
	case summary.KindSkipped:
		return "non considerato"
	case summary.KindSummary:
		return "riepilogo"
	case summary.KindWorkbook:
		return "file ufficiale"
	case summary.KindAudited:
		return "copia verificata"
	}
	return kind
}

// ReadSummary reads the course rows of a summary workbook written by
// WriteSummary (it must carry SummaryMarker). It returns a Summary with
// Format, Indicators and Courses filled; From of each course is left as
// read. A file that is not such a summary is an *OpenError.
func ReadSummary(data []byte, name string, lim Limits) (*summary.Summary, error) {
	lim = summaryLimits(lim)
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: lim.UnzipSize, UnzipXMLSizeLimit: lim.UnzipXMLSize})
	if err != nil {
		return nil, &OpenError{Kind: ErrCorrupt, Msg: fmt.Sprintf("%s: il riepilogo non si può aprire", name)}
	}
	defer f.Close()
	format := ""
	for _, dn := range f.GetDefinedName() {
		if dn.Name == SummaryMarker {
			format = strings.Trim(dn.RefersTo, `="`)
		}
	}
	if format == "" {
		return nil, &OpenError{Kind: ErrMissingSheet, Msg: fmt.Sprintf("%s: non è un riepilogo scritto da auditor", name)}
	}
	if format != summary.Format {
		return nil, &OpenError{Kind: ErrTemplateVersion, Msg: fmt.Sprintf("%s: formato del riepilogo «%s» sconosciuto (atteso %s)", name, format, summary.Format)}
	}
	rows, err := f.GetRows(SummarySheetCourses, excelize.Options{RawCellValue: true})
	if err != nil || len(rows) == 0 {
		return nil, &OpenError{Kind: ErrMissingSheet, Msg: fmt.Sprintf("%s: foglio «%s» del riepilogo mancante o vuoto", name, SummarySheetCourses)}
	}
	if int64(len(rows))*int64(len(rows[0])+1) > lim.MaxCells {
		return nil, &OpenError{Kind: ErrTooLarge, Msg: fmt.Sprintf("%s: il riepilogo supera i limiti di dimensione", name)}
	}
	idx := map[string]int{}
	head := rows[0]
	for i, h := range head {
		idx[h] = i
	}
	fixed := summaryCourseHeads(nil)
	for _, h := range fixed {
		if _, ok := idx[h]; !ok {
			return nil, &OpenError{Kind: ErrMissingSheet, Msg: fmt.Sprintf("%s: colonna «%s» mancante nel foglio %s del riepilogo", name, h, SummarySheetCourses)}
		}
	}
	s := &summary.Summary{Format: format, Courses: []summary.Course{}}
	var indCols []int
	for i := idx[sumColBand] + 1; i < idx[sumColErrors] && i < len(head); i++ {
		s.Indicators = append(s.Indicators, head[i])
		indCols = append(indCols, i)
	}
	for ri, row := range rows[1:] {
		get := func(h string) string {
			if i, ok := idx[h]; ok && i < len(row) {
				return strings.TrimSpace(row[i])
			}
			return ""
		}
		if get(sumColCode) == "" && get(sumColFoundationCode) == "" {
			continue // blank row or the "Nessun percorso" line
		}
		bad := func(col, v string) error {
			return &OpenError{Kind: ErrCorrupt, Msg: fmt.Sprintf("%s: foglio %s, riga %d, colonna «%s»: valore «%s» non valido", name, SummarySheetCourses, ri+2, col, v)}
		}
		num := func(col, v string) (*float64, error) {
			if v == "" {
				return nil, nil
			}
			x, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return nil, bad(col, v)
			}
			return &x, nil
		}
		count := func(col string) (int, error) {
			v := get(col)
			if v == "" {
				return 0, nil
			}
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return 0, bad(col, v)
			}
			return n, nil
		}
		c := summary.Course{
			FoundationCode: get(sumColFoundationCode), FoundationName: get(sumColFoundationName), Region: get(sumColRegion),
			Code: get(sumColCode), Title: get(sumColTitle), Area: get(sumColArea), Band: get(sumColBand),
			Note: get(sumColNote), File: get(sumColFile), Link: get(sumColLink), From: get(sumColFrom),
		}
		if y := get(sumColYear); y != "" {
			n, err := strconv.Atoi(y)
			if err != nil || n < 0 {
				return nil, bad(sumColYear, y)
			}
			c.Year = n
		}
		if c.Total, err = num(sumColTotal, get(sumColTotal)); err != nil {
			return nil, err
		}
		for _, i := range indCols {
			v := ""
			if i < len(row) {
				v = strings.TrimSpace(row[i])
			}
			p, err := num(head[i], v)
			if err != nil {
				return nil, err
			}
			c.Indicators = append(c.Indicators, p)
		}
		for _, p := range []struct {
			col string
			n   *int
		}{{sumColRow, &c.Row}, {sumColErrors, &c.Findings.Error}, {sumColViolations, &c.Findings.Violation}, {sumColWarnings, &c.Findings.Warning}, {sumColInfo, &c.Findings.Info}} {
			if *p.n, err = count(p.col); err != nil {
				return nil, err
			}
		}
		s.Courses = append(s.Courses, c)
	}
	return s, nil
}

// summaryLimits replaces zero or invalid limits with the defaults (as the
// reader does), so that a zero Limits never means "unlimited".
func summaryLimits(l Limits) Limits {
	d := DefaultLimits()
	if l.UnzipSize <= 0 {
		l.UnzipSize = d.UnzipSize
	}
	if l.UnzipXMLSize <= 0 || l.UnzipXMLSize > l.UnzipSize {
		l.UnzipXMLSize = min(d.UnzipXMLSize, l.UnzipSize)
	}
	if l.MaxCells <= 0 {
		l.MaxCells = d.MaxCells
	}
	return l
}
