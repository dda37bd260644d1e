package xlsxio

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/its-academy/auditor/compute"
	"github.com/its-academy/auditor/validate"
	"github.com/xuri/excelize/v2"
)

// explanations writes the Spiegazioni sheet: per course, one row per
// articulation with the values used and their cells, the threshold and
// where it came from, the branch, P and the points; then the indicators,
// the total and the female-students indicator. The formula, explanation and
// legal source of every branch are on the Regole sheet, once.
func (w *writer) explanations() error {
	sw, err := w.newSheet(SheetExplanations, map[string]float64{"A": 16, "B": 14, "C": 12, "D": 70, "E": 36, "F": 16, "G": 12, "H": 10, "I": 60}, nil)
	if err != nil {
		return err
	}
	if err := w.headerRow(sw, "Codice percorso", "Grandezza", "Risultato R", "Valori usati (cella)", "Soglia S (origine)", "Ramo (foglio Regole)", "Punteggio P", "Punti", "Note"); err != nil {
		return err
	}
	row := 2
	put := func(vals ...interface{}) error {
		err := sw.SetRow(cell("A", row), vals)
		row++
		return err
	}
	for i := range w.a.Courses {
		c := &w.a.Courses[i]
		if c.Result == nil {
			continue
		}
		for _, ar := range c.Result.Articulations {
			if len(ar.Traces) == 0 {
				if err := put(c.Code, "Art. "+strconv.Itoa(ar.Number), "non calcolabile"); err != nil {
					return err
				}
				continue
			}
			rt := ar.Traces[0]
			vals := []interface{}{c.Code, "Art. " + strconv.Itoa(ar.Number), excelize.Cell{Value: rt.Value, StyleID: w.num6}, w.inputsText(c, rt.Inputs)}
			notes := append([]string(nil), rt.Notes...)
			if len(ar.Traces) > 2 {
				pt, kt := ar.Traces[1], ar.Traces[2]
				vals = append(vals, thresholdText(pt.Threshold), pt.Branch, excelize.Cell{Value: pt.Value, StyleID: w.num6}, excelize.Cell{Value: kt.Value, StyleID: w.num6})
				if pt.Erratum != "" {
					notes = append(notes, "errata "+pt.Erratum+" ("+readingLabel(pt.Reading)+")")
				}
				if pt.Unclamped != nil {
					notes = append(notes, pt.Notes[len(pt.Notes)-1])
				}
			} else {
				vals = append(vals, "", "", "", "")
			}
			vals = append(vals, strings.Join(notes, " "))
			if err := put(vals...); err != nil {
				return err
			}
		}
		for _, ir := range c.Result.Indicators {
			t := ir.Trace
			note := t.Formula
			if ir.Zeroed {
				note = t.Explanation + " " + strings.Join(t.Notes, " ") + " (" + t.Citation + ")"
			}
			if err := put(c.Code, "Indicatore "+strconv.Itoa(ir.Number), "", w.inputsText(c, t.Inputs), "", "", "", excelize.Cell{Value: t.Value, StyleID: w.num6}, note); err != nil {
				return err
			}
		}
		if t := c.Result.TotalTrace; t != nil {
			if err := put(c.Code, "Totale", "", "", "", "", "", excelize.Cell{Value: t.Value, StyleID: w.num6}, t.Formula+" ("+t.Citation+")"); err != nil {
				return err
			}
		}
		f := c.Result.Female
		switch {
		case f.Computable && len(f.Traces) == 2:
			rt, st := f.Traces[0], f.Traces[1]
			if err := put(c.Code, "Studentesse", excelize.Cell{Value: rt.Value, StyleID: w.num6}, w.inputsText(c, rt.Inputs)+"; "+w.inputsText(c, st.Inputs[1:]), "", st.Branch, excelize.Cell{Value: st.Value, StyleID: w.num6}, "", st.Explanation+" "+strings.Join(st.Notes, " ")+" ("+f.Citation+")"); err != nil {
				return err
			}
		default:
			if err := put(c.Code, "Studentesse", "", "", "", "", "", "", "non calcolabile: "+f.Reason); err != nil {
				return err
			}
		}
	}
	return sw.Flush()
}

func readingLabel(r compute.Reading) string {
	if r == "" {
		return ""
	}
	return r.Label()
}

// inputsText lists the values that entered a computation, each with the cell
// or the quantity it came from.
func (w *writer) inputsText(c *validate.CourseAudit, in []compute.Binding) string {
	parts := make([]string, 0, len(in))
	for _, b := range in {
		src := b.From
		if b.Field != "" {
			src = string(b.Field)
			if cr, ok := c.Cells[b.Field]; ok {
				src = string(cr)
			}
		} else if cr, ok := w.a.ThresholdCells[b.From]; ok {
			src += ", " + string(cr)
		}
		parts = append(parts, b.Symbol+" = "+itNum(b.Value)+" ("+src+")")
	}
	return strings.Join(parts, "; ")
}

// thresholdText says which threshold was used and where it came from; the
// legal source of each code is on Regole.
func thresholdText(t *compute.ThresholdUse) string {
	if t == nil {
		return ""
	}
	src := map[compute.ThresholdSource]string{
		compute.SourceDefault: "decreto", compute.SourceOverride: "foglio Soglie",
		compute.SourceCorrected: "corretta, nota 3",
	}[t.Source]
	return t.Code + " = " + itNum(t.Value) + " (" + src + ")"
}

// itNum formats a number Italian style with up to 6 decimals.
func itNum(v float64) string {
	s := strconv.FormatFloat(v, 'f', 6, 64)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return strings.Replace(s, ".", ",", 1)
}

// findings writes the Rilievi sheet, each finding with a link to its cell.
func (w *writer) findings() error {
	all := append([]validate.Finding(nil), w.a.Findings...)
	for _, c := range w.a.Courses {
		all = append(all, c.Findings...)
	}
	links := func() error {
		for i, f := range all {
			if f.Cell == "" {
				continue
			}
			if err := w.f.SetCellHyperLink(SheetFindings, cell("D", i+2), formulaRef(f.Cell), "Location", excelize.HyperlinkOpts{Tooltip: ptr("Vai alla cella " + string(f.Cell))}); err != nil {
				return fmt.Errorf("link to %s: %w", f.Cell, err)
			}
		}
		return nil
	}
	sw, err := w.newSheet(SheetFindings, map[string]float64{"A": 12, "B": 32, "C": 16, "D": 16, "E": 16, "F": 24, "G": 80, "H": 50}, links)
	if err != nil {
		return err
	}
	if err := w.headerRow(sw, "Gravità", "Regola", "Percorso", "Cella", "Valore trovato", "Atteso", "Messaggio", "Fonte"); err != nil {
		return err
	}
	for i, f := range all {
		err := sw.SetRow(cell("A", i+2), []interface{}{
			excelize.Cell{Value: severityLabel(f.Severity), StyleID: w.severityStyle(f.Severity)}, string(f.Rule), f.Course,
			excelize.Cell{Value: string(f.Cell), StyleID: w.link}, f.Found, excelize.Cell{Value: f.Expected, StyleID: w.wrap},
			excelize.Cell{Value: f.Message, StyleID: w.wrap}, excelize.Cell{Value: f.Source, StyleID: w.wrap},
		})
		if err != nil {
			return err
		}
	}
	return sw.Flush()
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

// rules writes the Regole sheet: for each pack used, its identity, the
// reading and interpretations of the run, and every threshold with the
// value used and its source.
func (w *writer) rules() error {
	sw, err := w.newSheet(SheetRules, map[string]float64{"A": 28, "B": 60, "C": 14, "D": 22, "E": 70}, nil)
	if err != nil {
		return err
	}
	if err := w.headerRow(sw, "Voce", "Descrizione", "Valore", "Origine", "Fonte"); err != nil {
		return err
	}
	row := 2
	put := func(vals ...interface{}) error {
		err := sw.SetRow(cell("A", row), vals)
		row++
		return err
	}
	ids := make([]string, 0, len(w.a.Scorers))
	for id := range w.a.Scorers {
		ids = append(ids, string(id))
	}
	sort.Strings(ids)
	for _, id := range ids {
		sc := w.a.Scorers[compute.PackID(id)]
		p := sc.Pack()
		rows := [][]interface{}{
			{"Pacchetto di regole", p.Title, string(p.ID), "versione " + p.Version, p.Source.Act + " – " + p.Source.Annex},
			{"Impronta del pacchetto", "SHA-256 del file delle regole", p.Digest(), "", ""},
			{"Lettura", sc.Reading().Label(), string(sc.Reading()), "", readingDescription(p, sc.Reading())},
			{"Correzione per area", p.AreaCorrection.Explanation, "S = " + p.AreaCorrection.Formula, "solo con " + p.AreaCorrection.NCode + " e media generale", p.AreaCorrection.Citation + ". " + p.AreaCorrection.NoteNotSupplied},
		}
		for _, in := range p.Interpretations {
			choice := sc.Interpretations()[in.ID]
			rows = append(rows, []interface{}{"Interpretazione " + in.ID, in.Topic, choice, originOf(choice == in.Default), in.Choices[choice]})
		}
		for _, e := range p.Errata {
			rows = append(rows, []interface{}{"Errata " + e.ID, e.Description, strings.Join(e.Functions, ", "), "stampato: " + e.Printed, "coerente: " + e.Coherent})
		}
		for _, r := range rows {
			if err := put(r...); err != nil {
				return err
			}
		}
		for _, a := range p.Articulations {
			if err := put("Articolazione "+strconv.Itoa(a.Number), a.Name, "R = "+a.Result.Formula, a.Function+", peso "+itNum(a.Weight), a.Result.Explanation+" ("+a.Citation+")"); err != nil {
				return err
			}
			for _, iv := range a.ArticulationFunction().Intervals {
				rd := sc.Reading()
				formula, expl := iv.Printed, iv.Explanation
				origin := "come stampata"
				if iv.Coherent != "" && rd == compute.ReadingCoherent {
					formula, origin = iv.Coherent, "errata "+iv.Erratum+" (lettura coerente)"
				} else if iv.ExplanationPrinted != "" && rd == compute.ReadingLiteral {
					expl = iv.ExplanationPrinted
				}
				if iv.Unprinted {
					origin = "non stampata"
				}
				text := expl
				if iv.Note != "" {
					text += " " + iv.Note
				}
				if err := put("  "+a.Function+": "+iv.When, text, "P = "+formula, origin, a.ArticulationFunction().Citation); err != nil {
					return err
				}
			}
		}
		overridden := map[string]compute.Override{}
		for _, o := range sc.Overridden() {
			overridden[o.Code] = o
		}
		for _, def := range p.ThresholdDefs() {
			var val interface{} = "non fornito"
			origin := "il decreto non lo fissa"
			if o, ok := overridden[def.Code]; ok {
				val, origin = o.Value, "foglio Soglie"
				if cr, ok := w.a.ThresholdCells[def.Code]; ok {
					origin += " (" + string(cr) + ")"
				}
			} else if def.Default != nil {
				val, origin = *def.Default, "valore del decreto"
			}
			note := def.Citation
			if def.Note != "" {
				note += ". " + def.Note
			}
			if err := put("Soglia "+def.Code, def.Label, val, origin, note); err != nil {
				return err
			}
		}
		if err := put(); err != nil {
			return err
		}
	}
	return sw.Flush()
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
func (w *writer) stamp() error {
	sw, err := w.newSheet(SheetStamp, map[string]float64{"A": 30, "B": 80}, nil)
	if err != nil {
		return err
	}
	if err := w.headerRow(sw, "Voce", "Valore"); err != nil {
		return err
	}
	rows := [][]interface{}{
		{"File verificato", w.a.Input.FileName},
		{"SHA-256 del file verificato", w.a.Input.SHA256},
		{"Lettura del decreto", readingLabel(w.a.Reading) + " (" + string(w.a.Reading) + ")"},
		{"Versione di auditor", w.opt.Version},
	}
	ids := make([]string, 0, len(w.a.Scorers))
	for id := range w.a.Scorers {
		ids = append(ids, string(id))
	}
	sort.Strings(ids)
	for _, id := range ids {
		p := w.a.Scorers[compute.PackID(id)].Pack()
		rows = append(rows, []interface{}{"Pacchetto di regole", fmt.Sprintf("%s versione %s (SHA-256 %s)", p.ID, p.Version, p.Digest())})
	}
	rows = append(rows, []interface{}{"Nota", "I fogli " + strings.Join(ProductSheets(), ", ") + " sono scritti da auditor; gli altri fogli sono quelli del file verificato, invariati. I punteggi sono formule sulle celle dei dati: modificando un dato, Excel ricalcola."})
	for i, r := range rows {
		if err := sw.SetRow(cell("A", i+2), r); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// mark records the product's sheets in a workbook-level defined name.
func (w *writer) mark() error {
	return w.f.SetDefinedName(&excelize.DefinedName{
		Name:     markerName,
		RefersTo: `"` + strings.Join(ProductSheets(), ";") + `"`,
		Comment:  "Fogli aggiunti da auditor: sostituiti a ogni nuova verifica.",
	})
}
