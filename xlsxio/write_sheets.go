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

// explanations writes the Spiegazioni sheet: one row per computed number,
// with its formula, branch, inputs and the cells they came from, threshold
// and legal source — the trace of compute, in Italian.
func (w *writer) explanations() error {
	sw, err := w.newSheet(SheetExplanations, map[string]float64{"A": 16, "B": 14, "C": 14, "D": 50, "E": 60, "F": 16, "G": 16, "H": 60, "I": 50, "J": 50, "K": 50}, nil)
	if err != nil {
		return err
	}
	if err := w.headerRow(sw, "Codice percorso", "Grandezza", "Valore", "Formula", "Spiegazione", "Ramo", "Lettura", "Valori usati (cella)", "Soglia e sua fonte", "Note", "Fonte"); err != nil {
		return err
	}
	row := 2
	put := func(c *validate.CourseAudit, t compute.Trace) error {
		vals := []interface{}{c.Code, t.Quantity, excelize.Cell{Value: t.Value, StyleID: w.num6}, t.Formula, excelize.Cell{Value: t.Explanation, StyleID: w.wrap}, t.Branch, readingLabel(t.Reading), excelize.Cell{Value: w.inputsText(c, t.Inputs), StyleID: w.wrap}, excelize.Cell{Value: thresholdText(t.Threshold), StyleID: w.wrap}, excelize.Cell{Value: strings.Join(t.Notes, " "), StyleID: w.wrap}, excelize.Cell{Value: t.Citation, StyleID: w.wrap}}
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
			for _, t := range ar.Traces {
				if err := put(c, t); err != nil {
					return err
				}
			}
		}
		for _, ir := range c.Result.Indicators {
			if err := put(c, ir.Trace); err != nil {
				return err
			}
		}
		if c.Result.TotalTrace != nil {
			if err := put(c, *c.Result.TotalTrace); err != nil {
				return err
			}
		}
		for _, t := range c.Result.Female.Traces {
			if err := put(c, t); err != nil {
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
				src += ", " + string(cr)
			}
		} else if cr, ok := w.a.ThresholdCells[b.From]; ok {
			src += ", " + string(cr)
		}
		parts = append(parts, fmt.Sprintf("%s = %s (%s)", b.Symbol, itNum(b.Value), src))
	}
	return strings.Join(parts, "; ")
}

func thresholdText(t *compute.ThresholdUse) string {
	if t == nil {
		return ""
	}
	src := map[compute.ThresholdSource]string{
		compute.SourceDefault: "valore del decreto", compute.SourceOverride: "valore del foglio Soglie diverso dal decreto",
		compute.SourceCorrected: "corretta con la nota 3", compute.SourceArgument: "indicata",
	}[t.Source]
	s := fmt.Sprintf("%s = %s (%s; %s)", t.Code, itNum(t.Value), src, t.Citation)
	if t.Note != "" {
		s += " " + t.Note
	}
	return s
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
			if err := put("Soglia "+def.Code, def.Label, val, origin, def.Citation); err != nil {
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
