package xlsxio

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/its-academy/auditor/compute"
	"github.com/its-academy/auditor/internal/xlsx"
	"github.com/its-academy/auditor/validate"
	"github.com/xuri/excelize/v2"
)

// explanations writes the Spiegazioni sheet: per course, one row per
// articulation with the values used and their cells (the first three
// linked), the threshold and where it came from (linked to its value), the
// branch, P and the points; then the indicators, the total and the
// female-students indicator. The formula, explanation and legal source of
// every branch are on the Regole sheet, once.
func (w *writer) explanations(x *xlsx.SheetXML) {
	row := 2
	next := func(code, what string) {
		x.StartRow(row)
		row++
		x.Text(0, code)
		x.Text(w.wrap, what)
	}
	for i := range w.a.Courses {
		c := &w.a.Courses[i]
		if c.Result == nil {
			continue
		}
		var p *compute.Pack
		if sc := w.scorer(c); sc != nil {
			p = sc.Pack()
		}
		for _, ar := range c.Result.Articulations {
			art := articulationName(ar.Number, nil)
			if p != nil {
				art = w.names.articulation(p, ar.Number)
			}
			rt := ar.ResultTrace()
			if rt == nil {
				next(c.Code, art)
				x.Text(0, "non calcolabile")
				continue
			}
			next(c.Code, art)
			x.Num(w.num2, rt.Value)
			x.Text(w.wrap, w.inputsText(c, rt.Inputs))
			notes := append([]string(nil), rt.Notes...)
			if pt, kt := ar.ScoreTrace(), ar.PointsTrace(); pt != nil && kt != nil {
				x.Link(w.link, thresholdText(pt.Threshold), w.thresholdLocation(c, pt.Threshold))
				x.Text(w.wrap, pt.Branch)
				x.Num(w.num2, pt.Value)
				x.Num(w.num3, kt.Value)
				if pt.Erratum != "" {
					notes = append(notes, "errata "+pt.Erratum+" ("+pt.Form.Label()+")")
				}
				if pt.Unclamped != nil {
					notes = append(notes, pt.Notes[len(pt.Notes)-1])
				}
			} else {
				x.Skip(4)
			}
			x.Text(w.wrap, strings.Join(notes, " "))
			w.inputLinks(x, c, rt.Inputs)
		}
		for _, ir := range c.Result.Indicators {
			t := ir.Trace
			note := t.Formula
			if ir.Zeroed {
				note = t.Explanation + " " + strings.Join(t.Notes, " ") + " (" + t.Citation + ")"
			}
			ind := indicatorName(ir.Number, nil)
			if p != nil {
				ind = w.names.indicator(p, ir.Number)
			}
			next(c.Code, ind)
			x.Skip(1)
			x.Text(w.wrap, w.inputsText(c, t.Inputs))
			x.Skip(3)
			x.Num(w.num3, t.Value)
			x.Text(w.wrap, note)
		}
		if t := c.Result.TotalTrace; t != nil {
			next(c.Code, "Totale")
			x.Skip(5)
			x.Num(w.num2, t.Value)
			x.Text(w.wrap, t.Formula+" ("+t.Citation+")")
		}
		f := c.Result.Female
		next(c.Code, "Indicatore delle studentesse")
		switch {
		case f.Computable && len(f.Traces) == 2:
			rt, st := f.Traces[0], f.Traces[1]
			x.Num(w.num2, rt.Value)
			x.Text(w.wrap, w.inputsText(c, rt.Inputs)+"; "+w.inputsText(c, st.Inputs[1:]))
			x.Skip(1)
			x.Text(w.wrap, st.Branch)
			x.Num(w.num2, st.Value)
			x.Skip(1)
			x.Text(w.wrap, st.Explanation+" "+strings.Join(st.Notes, " ")+" ("+f.Citation+")")
			w.inputLinks(x, c, rt.Inputs)
		default:
			x.Skip(6)
			x.Text(w.wrap, "non calcolabile: "+f.Reason)
		}
	}
}

// inputLinks writes, in the three «Cella d'origine» columns, links to the
// workbook cells of the first three inputs read from it.
func (w *writer) inputLinks(x *xlsx.SheetXML, c *validate.CourseAudit, in []compute.Binding) {
	n := 0
	for _, b := range in {
		if n == 3 {
			break
		}
		cr, ok := c.Cells[b.Field]
		if b.Field == "" || !ok {
			continue
		}
		x.Link(w.link, string(cr), formulaRef(cr))
		n++
	}
}

// thresholdLocation is where a threshold's value in force is: its Soglie
// cell in a what-if run, its row on Regole otherwise.
func (w *writer) thresholdLocation(c *validate.CourseAudit, t *compute.ThresholdUse) string {
	if t == nil {
		return ""
	}
	if cr, ok := w.a.ThresholdCells[t.Code]; ok {
		return formulaRef(cr)
	}
	if c.Pack != nil {
		if r, ok := w.thresholdRow[c.Pack.ID][t.Code]; ok {
			return quoteSheet(SheetRules) + "!" + cell("C", r)
		}
	}
	return ""
}

// readingText names the reading in Italian and the errata set apart from
// it: «lettura delle tabelle», «lettura delle tabelle; E-2 coerente».
func readingText(p *compute.Pack, r compute.Reading, sc *compute.Scorer) string {
	t := p.ReadingLabel(r)
	if sc == nil {
		return t
	}
	var changed []string
	for _, id := range sc.ErrataChanged() {
		changed = append(changed, id+" "+sc.Errata()[id].Label())
	}
	if len(changed) > 0 {
		t += "; " + strings.Join(changed, ", ")
	}
	return t
}

// sensitivity writes the Sensibilità sheet: for each scored course, its
// total and band under each single alternative choice of the run.
func (w *writer) sensitivity(x *xlsx.SheetXML) {
	row := 2
	for i := range w.a.Courses {
		c := &w.a.Courses[i]
		if !c.Scored() {
			continue
		}
		for _, alt := range c.Sensitivity {
			x.StartRow(row)
			row++
			x.Text(0, c.Code)
			x.Text(0, alt.Choice)
			x.Text(0, alt.Alternative)
			x.Text(w.wrap, alt.Label)
			x.Num(w.num2, *c.Result.Total)
			if alt.Total != nil {
				x.Num(w.num2, *alt.Total)
				x.Num(w.num2, *alt.Delta)
			} else {
				x.Text(0, "non calcolabile")
				x.Text(0, "")
			}
			x.Text(0, alt.Band)
			if alt.BandChanged {
				x.Text(w.bad, "sì")
			} else {
				x.Text(0, "no")
			}
			var arts []string
			for _, ch := range alt.Changes {
				arts = append(arts, fmt.Sprintf("%d: %s → %s", ch.Number, optNum(ch.Score), optNum(ch.Alternative)))
			}
			x.Text(w.wrap, strings.Join(arts, "; "))
		}
	}
	if row == 2 {
		x.StartRow(row)
		x.Text(0, "Nessun percorso con punteggio: nessun confronto.")
	}
}

// optNum formats a score P as everywhere: 2 decimals.
func optNum(v *float64) string {
	if v == nil {
		return "—"
	}
	return itNum(math.Round(*v*100) / 100)
}

// inputsText lists the values that entered a computation, each with the cell
// or the quantity it came from.
func (w *writer) inputsText(c *validate.CourseAudit, in []compute.Binding) string {
	b := make([]byte, 0, 64*len(in))
	for i, x := range in {
		if i > 0 {
			b = append(b, "; "...)
		}
		b = append(b, x.Symbol...)
		b = append(b, " = "...)
		b = appendItNum(b, x.Value)
		b = append(b, " ("...)
		if x.Field != "" {
			if cr, ok := c.Cells[x.Field]; ok {
				b = append(b, cr...)
			} else {
				b = append(b, x.Field...)
			}
		} else {
			b = append(b, x.From...)
			if cr, ok := w.a.ThresholdCells[x.From]; ok {
				b = append(b, ", "...)
				b = append(b, cr...)
			}
		}
		b = append(b, ')')
	}
	return string(b)
}

// thresholdText says which threshold was used and where it came from; the
// legal source of each code is on Regole.
func thresholdText(t *compute.ThresholdUse) string {
	if t == nil {
		return ""
	}
	var src string
	switch t.Source {
	case compute.SourceDefault:
		src = "decreto"
	case compute.SourceOverride:
		src = "foglio Soglie"
	case compute.SourceCorrected:
		src = "corretta, nota 3"
	}
	return t.Code + " = " + itNum(t.Value) + " (" + src + ")"
}

// itNum formats a number Italian style with up to 6 decimals.
func itNum(v float64) string {
	var buf [40]byte
	return string(appendItNum(buf[:0], v))
}

func appendItNum(b []byte, v float64) []byte {
	start := len(b)
	b = strconv.AppendFloat(b, v, 'f', 6, 64)
	end := len(b)
	for end > start && b[end-1] == '0' {
		end--
	}
	if end > start && b[end-1] == '.' {
		end--
	}
	b = b[:end]
	for i := start; i < end; i++ {
		if b[i] == '.' {
			b[i] = ','
			break
		}
	}
	return b
}

// findingLinks links each finding's cell on the Rilievi sheet to the
// cell it is about.
func (w *writer) findingLinks(all []validate.Finding) error {
	cut := linkCut(all)
	for i, f := range all[:cut] {
		if f.Cell == "" {
			continue
		}
		if err := w.f.SetCellHyperLink(SheetFindings, cell("D", i+2), formulaRef(f.Cell), "Location", excelize.HyperlinkOpts{Tooltip: ptr("Vai alla cella " + string(f.Cell))}); err != nil {
			return fmt.Errorf("link to %s: %w", f.Cell, err)
		}
	}
	return nil
}

// maxFindingLinks is how many hyperlinks excelize (like Excel) allows on
// one sheet.
const maxFindingLinks = excelize.TotalSheetHyperlinks

// linkCut is the index of the first finding whose cell is written as text
// rather than as a link: the links stop at maxFindingLinks.
func linkCut(all []validate.Finding) int {
	n := 0
	for i, f := range all {
		if f.Cell == "" {
			continue
		}
		if n == maxFindingLinks {
			return i
		}
		n++
	}
	return len(all)
}

// findings writes the Rilievi sheet, a row per finding (the links are set
// by findingLinks); past the sheet's limit of links the cells are text,
// and a last row says so.
func (w *writer) findings(x *xlsx.SheetXML, all []validate.Finding) {
	cut := linkCut(all)
	for i, f := range all {
		x.StartRow(i + 2)
		x.Text(w.severityStyle(f.Severity), severityLabel(f.Severity))
		x.Text(0, string(f.Rule))
		x.Text(0, f.Course)
		if i < cut {
			x.Text(w.link, string(f.Cell))
		} else {
			x.Text(0, string(f.Cell))
		}
		x.Text(w.wrap, f.Found)
		x.Text(w.wrap, f.Expected)
		x.Text(w.wrap, f.Message)
		x.Text(w.wrap, f.Source)
	}
	if cut < len(all) {
		x.StartRow(len(all) + 3)
		x.Text(0, "Nota")
		x.Skip(5)
		x.Text(w.wrap, fmt.Sprintf("I rilievi sono %d: i primi %d hanno il collegamento alla cella (il limite di Excel per un foglio); dal rilievo della riga %d la cella è indicata come testo.", len(all), maxFindingLinks, cut+2))
	}
}

func severityLabel(s compute.Severity) string {
	switch s {
	case compute.SeverityError:
		return "errore"
	case compute.SeverityViolation:
		return "violazione"
	case compute.SeverityWarning:
		return "avviso"
	}
	return "informazione"
}

func (w *writer) severityStyle(s compute.Severity) int {
	switch s {
	case compute.SeverityError, compute.SeverityViolation:
		return w.bad
	case compute.SeverityWarning:
		return w.warn
	}
	return w.text
}

// rules writes the Regole sheet (its rows are rulesRows').
func (w *writer) rules(x *xlsx.SheetXML) {
	for i, vals := range w.rulesTable {
		x.StartRow(i + 2)
		for k, v := range vals {
			style := 0
			if k == 1 || k == 4 {
				style = w.wrap
			}
			x.Value(style, v)
		}
	}
}

// rulesRows are the rows of the Regole sheet: for each pack used, its
// identity, the reading and interpretations of the run, every
// articulation with its function's branches, and every threshold with the
// value used and its source; and the row of each threshold, by pack.
func (w *writer) rulesRows() ([][]any, map[compute.PackID]map[string]int) {
	var table [][]any
	rowOf := map[compute.PackID]map[string]int{}
	put := func(vals ...any) {
		table = append(table, vals)
	}
	ids := make([]string, 0, len(w.a.Scorers))
	for id := range w.a.Scorers {
		ids = append(ids, string(id))
	}
	sort.Strings(ids)
	for _, id := range ids {
		sc := w.a.Scorers[compute.PackID(id)]
		p := sc.Pack()
		rows := [][]any{
			{"Pacchetto di regole", p.Title, string(p.ID), "versione " + p.Version, p.Source.Act + " – " + p.Source.Annex},
			{"Impronta del pacchetto", "SHA-256 del file delle regole", p.Digest(), "", ""},
			{"Lettura", p.ReadingLabel(sc.Reading()), string(sc.Reading()), originOf(sc.Reading() == p.DefaultReading()), readingDescription(p, sc.Reading())},
			{"Errata applicate", p.ErrataText(sc.Errata()), errataChangedText(sc), "", "Ogni errata si può impostare da sola sopra la lettura (--erratum E-N=printed|coherent)."},
			{"Correzione per area", p.AreaCorrection.Explanation, "S = " + p.AreaCorrection.Formula, "solo con " + p.AreaCorrection.NCode + " e media generale", p.AreaCorrection.Citation + ". " + p.AreaCorrection.NoteNotSupplied},
		}
		if w.a.WhatIf {
			rows = append(rows, []any{"Simulazione", "Soglie del foglio Soglie applicate (--workbook-thresholds)", "sì", "scelta per questa verifica", "Il risultato non vale come verifica: le soglie le fissano il decreto e l'auditor."})
		}
		for _, in := range p.Interpretations {
			choice := sc.Interpretations()[in.ID]
			rows = append(rows, []any{"Interpretazione " + in.ID, in.Topic, choice, originOf(choice == in.Default), in.Choices[choice] + " Perché è la predefinita: " + in.Why + " (" + in.Citation + ")"})
		}
		for _, e := range p.Errata {
			form := sc.Errata()[e.ID]
			rows = append(rows, []any{"Errata " + e.ID, e.Description, form.Label(), "stampato: " + e.Printed, "coerente: " + e.Coherent})
		}
		for _, r := range rows {
			put(r...)
		}
		for _, a := range p.Articulations {
			put(articulationName(a.Number, nil), a.Name, "R = "+a.Result.Formula, a.Function+", peso "+itNum(a.Weight), a.Result.Explanation+" ("+a.Citation+")")
			for _, iv := range a.ArticulationFunction().Intervals {
				formula, expl, form := iv.FormulaUnder(sc.Errata())
				origin := "come stampata"
				if form != "" {
					origin = "errata " + iv.Erratum + " (" + form.Label() + ")"
				}
				if iv.Unprinted {
					origin = "non stampata"
				}
				text := expl
				if iv.Note != "" {
					text += " " + iv.Note
				}
				put("  "+a.Function+": "+iv.When, text, "P = "+formula, origin, a.ArticulationFunction().Citation)
			}
		}
		overridden := map[string]compute.Override{}
		for _, o := range sc.Overridden() {
			overridden[o.Code] = o
		}
		for _, def := range p.ThresholdDefs() {
			var val any = "non fornito"
			origin := "il decreto non lo fissa"
			if o, ok := overridden[def.Code]; ok {
				val, origin = o.Value, "fornita dall'auditor"
				if w.a.ThresholdOrigin[def.Code] == validate.OriginWorkbook {
					origin = "foglio Soglie (simulazione)"
					if cr, ok := w.a.ThresholdCells[def.Code]; ok {
						origin += " " + string(cr)
					}
				}
			} else if def.Default != nil {
				val, origin = *def.Default, "valore del decreto"
			}
			note := def.Citation
			if def.Note != "" {
				note += ". " + def.Note
			}
			if rowOf[p.ID] == nil {
				rowOf[p.ID] = map[string]int{}
			}
			rowOf[p.ID][def.Code] = len(table) + 2
			put("Soglia "+def.Code, def.Label, val, origin, note)
		}
		put()
	}
	return table, rowOf
}

// errataChangedText lists the errata set apart from the reading.
func errataChangedText(sc *compute.Scorer) string {
	ids := sc.ErrataChanged()
	if len(ids) == 0 {
		return "come la lettura"
	}
	return "impostate a parte: " + strings.Join(ids, ", ")
}

func originOf(isDefault bool) string {
	if isDefault {
		return "predefinita"
	}
	return "scelta per questa verifica"
}

func readingDescription(p *compute.Pack, r compute.Reading) string {
	for _, d := range p.Readings {
		if d.ID == r {
			return d.Description
		}
	}
	return ""
}

// stamp writes the Timbro sheet: what was audited, with which rules and
// which product, so that the run can be replayed.
func (w *writer) stamp(x *xlsx.SheetXML) {
	code, name, region, year := w.foundation()
	when := w.a.AuditedAtText()
	if when == "" {
		when = "non indicata"
	}
	rows := [][2]string{
		{"File verificato", w.a.Input.FileName},
		{"SHA-256 del file verificato", w.a.Input.SHA256},
		{"Lettura del decreto", string(w.a.Reading)},
		{stampRow, w.opt.Version},
		{"Fondazione", strings.TrimSpace(code + " " + name)},
		{"Regione", region},
		{"Anno di monitoraggio", year},
		{"Data e ora della verifica", when},
	}
	// The reading and choices are the run's: the first pack states them.
	if scs := w.sortedScorers(); len(scs) > 0 {
		sc := scs[0]
		p := sc.Pack()
		rows[2][1] = readingText(p, sc.Reading(), sc) + " (" + string(sc.Reading()) + ")"
		rows = append(rows, [2]string{"Errata applicate", p.ErrataText(sc.Errata())})
		var chosen []string
		for _, in := range p.Interpretations {
			chosen = append(chosen, in.ID+" "+sc.Interpretations()[in.ID])
		}
		rows = append(rows, [2]string{"Interpretazioni", strings.Join(chosen, ", ")})
		var thr []string
		for _, o := range sc.Overridden() {
			thr = append(thr, o.Code+" = "+itNum(o.Value))
		}
		switch {
		case w.a.WhatIf:
			rows = append(rows, [2]string{"Soglie", "SIMULAZIONE: applicati i valori del foglio Soglie (" + strings.Join(thr, ", ") + "). Il risultato non vale come verifica."})
		case len(thr) > 0:
			rows = append(rows, [2]string{"Soglie", "del decreto, con i valori forniti dall'auditor: " + strings.Join(thr, ", ")})
		default:
			rows = append(rows, [2]string{"Soglie", "del decreto (Tab. 3 e Tab. 4); il foglio Soglie del file non è usato"})
		}
	}
	ids := make([]string, 0, len(w.a.Scorers))
	for id := range w.a.Scorers {
		ids = append(ids, string(id))
	}
	sort.Strings(ids)
	for _, id := range ids {
		p := w.a.Scorers[compute.PackID(id)].Pack()
		rows = append(rows, [2]string{"Pacchetto di regole", fmt.Sprintf("%s versione %s (SHA-256 %s)", p.ID, p.Version, p.Digest())})
	}
	rows = append(rows, [2]string{"Nota", "I fogli " + strings.Join(ProductSheets(), ", ") + " sono scritti da auditor; gli altri fogli sono quelli del file verificato, invariati. I valori sono quelli al momento della verifica: per controllare che la copia non sia stata modificata usare «auditor verify» su questo file."})
	replay, err := json.Marshal(w.a.Replay(w.opt.Version))
	if err == nil {
		rows = append(rows, [2]string{StampReplayLabel, string(replay)})
	}
	for i, r := range rows {
		x.StartRow(i + 2)
		x.Text(w.wrap, r[0])
		x.Text(w.wrap, r[1])
	}
}

// StampReplayLabel labels the Timbro row that holds the run's replay
// record (validate.Replay as JSON), read back by auditor verify.
const StampReplayLabel = "Parametri della verifica (JSON)"

// sortedScorers returns the run's scorers by pack id.
func (w *writer) sortedScorers() []*compute.Scorer {
	ids := make([]string, 0, len(w.a.Scorers))
	for id := range w.a.Scorers {
		ids = append(ids, string(id))
	}
	sort.Strings(ids)
	out := make([]*compute.Scorer, 0, len(ids))
	for _, id := range ids {
		out = append(out, w.a.Scorers[compute.PackID(id)])
	}
	return out
}

// mark records the product's sheets in a workbook-level defined name.
func (w *writer) mark() error {
	return w.f.SetDefinedName(&excelize.DefinedName{
		Name:     markerName,
		RefersTo: `"` + strings.Join(ProductSheets(), ";") + `"`,
		Comment:  "Fogli aggiunti da auditor: sostituiti a ogni nuova verifica.",
	})
}
