package verbale

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/its-academy/auditor/batch/summary"
	"github.com/its-academy/auditor/compute"
	"github.com/its-academy/auditor/validate"
)

// FromAudit fills the verbale of one audit. rep is a.Report(version, …),
// built by the caller so that the PDF and the JSON report show the same
// numbers; when is the audit's date and time.
//
// This is the one place that reads validate and compute.
func FromAudit(a *validate.Audit, rep validate.Report, when time.Time) Doc {
	d := Doc{
		FileSHA256: rep.FileSHA256, When: when.UTC(), Version: rep.Version,
		Reading: Choice{ID: string(rep.Reading), Value: string(rep.Reading)},
	}
	if a.Input != nil {
		d.FileName = a.Input.FileName
		text := func(code compute.FieldCode) string { return strings.TrimSpace(a.Input.Foundation[code].Text) }
		d.Foundation = Foundation{Code: text("fondazione_codice"), Name: text("fondazione_nome"), Region: text("regione"), Year: text("anno_monitoraggio")}
	}
	packs := packsOf(a)
	for _, p := range packs {
		d.Packs = append(d.Packs, Pack{ID: string(p.ID), Version: p.Version, Title: p.Title, SHA256: p.Digest()})
		if desc := readingDescription(p, rep.Reading); desc != "" && d.Reading.Description == "" {
			d.Reading.Value, d.Reading.Description = p.ReadingLabel(rep.Reading), desc
		}
	}
	if a.WhatIf {
		d.Reading.Description += " SIMULAZIONE: applicate le soglie del foglio Soglie del file (--workbook-thresholds); il risultato non vale come verifica."
	}
	d.Errata = errataOf(packs, rep.Errata)
	d.Interpretations = interpretationsOf(packs, a.Options.Interpretations)
	d.Findings = findingsOf(a.Findings)
	seen := map[string]bool{}
	for i := range rep.Courses {
		rc := &rep.Courses[i]
		var ca *validate.CourseAudit
		if i < len(a.Courses) && a.Courses[i].Code == rc.Code && a.Courses[i].Row == rc.Row {
			ca = &a.Courses[i]
		}
		d.Courses = append(d.Courses, courseOf(a, ca, rc))
		for _, t := range thresholdsOf(packs, rc) {
			key := fmt.Sprintf("%s=%g/%s", t.Code, t.Value, t.Source)
			if !seen[key] {
				seen[key] = true
				d.Thresholds = append(d.Thresholds, t)
			}
		}
	}
	return d
}

// packsOf lists the packs the audit used, by id.
func packsOf(a *validate.Audit) []*compute.Pack {
	ids := make([]string, 0, len(a.Scorers))
	for id := range a.Scorers {
		ids = append(ids, string(id))
	}
	sort.Strings(ids)
	out := make([]*compute.Pack, 0, len(ids))
	for _, id := range ids {
		if sc := a.Scorers[compute.PackID(id)]; sc != nil && sc.Pack() != nil {
			out = append(out, sc.Pack())
		}
	}
	return out
}

func readingDescription(p *compute.Pack, r compute.Reading) string {
	for _, d := range p.Readings {
		if d.ID == r {
			return d.Description
		}
	}
	return ""
}

// errataOf says which text of each erratum applies. Today the reading
// decides all of them (coherent: the tables' text; literal: the printed
// one), as the report records them (E-N → printed or coherent).
func errataOf(packs []*compute.Pack, applied compute.Errata) []Choice {
	var out []Choice
	done := map[string]bool{}
	for _, p := range packs {
		for _, e := range p.Errata {
			if done[e.ID] {
				continue
			}
			done[e.ID] = true
			c := Choice{ID: e.ID, Description: e.Description}
			if applied[e.ID] == compute.FormCoherent {
				c.Value = "forma coerente: " + e.Coherent
			} else {
				c.Value = "come stampata: " + e.Printed
			}
			out = append(out, c)
		}
	}
	return out
}

// interpretationsOf lists every interpretation with the choice of the run
// (the pack's default when the run made none).
func interpretationsOf(packs []*compute.Pack, chosen map[string]string) []Choice {
	var out []Choice
	done := map[string]bool{}
	for _, p := range packs {
		for _, in := range p.Interpretations {
			if done[in.ID] {
				continue
			}
			done[in.ID] = true
			v, how := in.Default, "scelta predefinita"
			if c, ok := chosen[in.ID]; ok && c != "" {
				v, how = c, "scelta per questa verifica"
			}
			desc := in.Choices[v]
			out = append(out, Choice{ID: in.ID, Value: v + " (" + how + ")", Description: in.Topic + ": " + desc})
		}
	}
	return out
}

// thresholdSource is the Italian name of a threshold's source.
func thresholdSource(s compute.ThresholdSource) string {
	switch s {
	case compute.SourceDefault:
		return "valore del pacchetto di regole"
	case compute.SourceOverride:
		return "valore fornito per la verifica"
	case compute.SourceCorrected:
		return "media dell'area corretta (Tab. 4, nota 3)"
	}
	return string(s)
}

func thresholdsOf(packs []*compute.Pack, rc *validate.ReportCourse) []Threshold {
	var out []Threshold
	for _, ar := range rc.Articulations {
		for _, t := range ar.Traces {
			if t.Threshold == nil {
				continue
			}
			u := t.Threshold
			th := Threshold{Code: u.Code, Value: u.Value, Source: thresholdSource(u.Source), Citation: u.Citation, Note: u.Note}
			if u.Default != nil && u.Source != compute.SourceDefault && *u.Default != u.Value {
				th.Source += fmt.Sprintf(" (predefinito %s)", Num(*u.Default, -1))
			}
			for _, p := range packs {
				if def, ok := p.Threshold(u.Code); ok {
					th.Label = def.Label
					break
				}
			}
			out = append(out, th)
		}
	}
	return out
}

func courseOf(a *validate.Audit, ca *validate.CourseAudit, rc *validate.ReportCourse) Course {
	c := Course{Code: rc.Code, Row: rc.Row, Total: rc.Total}
	if rc.RulePack != nil {
		c.Pack = string(*rc.RulePack)
	}
	if rc.Band != nil {
		c.Band = *rc.Band
	}
	if b := rc.BandDetail; b != nil {
		c.BandLabel, c.BandRule, c.BandCitation = b.Label, b.Rule, b.Citation
	}
	var pack *compute.Pack
	if ca != nil {
		c.Area = ca.Area
		pack = ca.Pack
		c.Findings = findingsOf(ca.Findings)
		c.Sensitivity = alternativesOf(ca)
	} else {
		c.Findings = reportFindings(rc.Findings)
	}
	if a.Input != nil {
		for _, r := range a.Input.Courses {
			if r.Row == rc.Row {
				c.Title = strings.TrimSpace(r.Entries["titolo"].Text)
				break
			}
		}
	}
	for _, ind := range rc.Indicators {
		c.Indicators = append(c.Indicators, Indicator{Number: ind.Number, Name: ind.Name, Weight: ind.Weight, Points: ind.Points, Zeroed: ind.Zeroed})
	}
	for _, ar := range rc.Articulations {
		c.Articulations = append(c.Articulations, articulationOf(pack, ar))
	}
	f := rc.Female
	switch {
	case f.Computable != nil && !*f.Computable:
		c.Female = "non calcolabile: " + f.Reason
		if f.Missing != nil && len(*f.Missing) > 0 {
			c.Female += " (mancano " + strings.Join(*f.Missing, ", ") + ")"
		}
	case f.Result != nil:
		c.Female = "R = " + Num(*f.Result, 2)
		if f.Score != nil {
			c.Female += ", P = " + Num(*f.Score, 2)
		}
	}
	return c
}

func articulationOf(p *compute.Pack, ar validate.ReportArticulation) Articulation {
	out := Articulation{
		Number: ar.Number, Indicator: ar.Indicator, R: ar.Result, S: ar.Threshold, P: ar.Score,
		Weight: ar.Weight, Points: ar.Points, Branch: ar.Branch,
	}
	if p != nil {
		if def, ok := p.Articulation(ar.Number); ok {
			out.Name = def.Name
		}
	}
	for _, c := range ar.Cells {
		out.Cells = append(out.Cells, string(c))
	}
	for _, t := range ar.Traces {
		if t.TraceText == nil {
			continue
		}
		if out.Name == "" && strings.HasPrefix(t.Quantity, "R") {
			out.Name = t.Label
		}
		st := Step{Quantity: t.Quantity, Formula: t.Formula, Citation: t.Citation, Notes: t.Notes}
		st.Substituted = Substitute(t.Formula, bindingValues(t.Inputs), t.Value, precisionOf(t.Quantity))
		out.Steps = append(out.Steps, st)
		if u := t.Threshold; u != nil {
			out.SSource = fmt.Sprintf("%s = %s, %s; %s", u.Code, Num(u.Value, -1), thresholdSource(u.Source), u.Citation)
			if u.Note != "" {
				out.SSource += ". " + u.Note
			}
		}
	}
	return out
}

// precisionOf is the number of decimals a quantity is shown with: points
// to 3, everything else to 2.
func precisionOf(q string) int {
	if strings.HasPrefix(q, "punti") {
		return 3
	}
	return 2
}

func bindingValues(bs []validate.ReportBinding) map[string]float64 {
	m := map[string]float64{}
	for _, b := range bs {
		if b.BindingText != nil {
			m[b.Symbol] = b.Value
		}
	}
	return m
}

// alternativesOf is the course under each single alternative choice of
// the run (each erratum the other way, each other interpretation).
func alternativesOf(ca *validate.CourseAudit) []Alternative {
	if ca.Result == nil || ca.Result.Total == nil {
		return nil
	}
	out := make([]Alternative, 0, len(ca.Sensitivity))
	for _, s := range ca.Sensitivity {
		alt := Alternative{Label: s.Label, Total: s.Total, Delta: s.Delta, Band: s.Band}
		for _, ch := range s.Changes {
			alt.Changes = append(alt.Changes, Change{Quantity: fmt.Sprintf("P%d", ch.Number), Label: fmt.Sprintf("articolazione %d", ch.Number), This: ch.Score, Other: ch.Alternative})
		}
		out = append(out, alt)
	}
	return out
}

func findingsOf(fs []validate.Finding) []Finding {
	out := make([]Finding, 0, len(fs))
	for _, f := range fs {
		out = append(out, Finding{
			Severity: string(f.Severity), Rule: string(f.Rule), Course: f.Course, Cell: string(f.Cell),
			Found: f.Found, Expected: f.Expected, Source: f.Source, Message: f.Message,
		})
	}
	sortFindings(out)
	return out
}

func reportFindings(fs []validate.ReportFinding) []Finding {
	out := make([]Finding, 0, len(fs))
	for _, f := range fs {
		rf := Finding{Severity: string(f.Severity), Rule: string(f.Rule), Message: f.Message}
		if f.Cell != nil {
			rf.Cell = string(*f.Cell)
		}
		out = append(out, rf)
	}
	sortFindings(out)
	return out
}

// severityRank orders findings: errors, violations, warnings, information.
func severityRank(s string) int {
	switch s {
	case string(compute.SeverityError):
		return 0
	case string(compute.SeverityViolation):
		return 1
	case string(compute.SeverityWarning):
		return 2
	}
	return 3
}

func sortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		return severityRank(fs[i].Severity) < severityRank(fs[j].Severity)
	})
}

// FromSummary fills the verbale of a batch from its summary.
func FromSummary(s *summary.Summary, when time.Time, reg *compute.Registry) SummaryDoc {
	d := SummaryDoc{When: when.UTC(), Version: s.Version, Reading: Choice{ID: string(s.Reading), Value: string(s.Reading)}, Notes: s.Notes}
	var packs []*compute.Pack
	for _, p := range s.Packs {
		sp := Pack{ID: string(p.ID), SHA256: p.SHA256}
		if reg != nil {
			if pk, ok := reg.Get(p.ID); ok {
				sp.Version, sp.Title = pk.Version, pk.Title
				packs = append(packs, pk)
			}
		}
		d.Packs = append(d.Packs, sp)
	}
	d.Interpretations = interpretationsOf(packs, s.Interpretations)
	for _, in := range s.Inputs {
		d.Inputs = append(d.Inputs, SummaryInput{Name: in.Name, SHA256: in.SHA256, Status: in.Status})
	}
	year := func(y int) string {
		if y <= 0 {
			return "—"
		}
		return fmt.Sprint(y)
	}
	for _, c := range s.Courses {
		d.Courses = append(d.Courses, SummaryCourse{
			Foundation: orDash(c.FoundationCode), Year: year(c.Year), Code: c.Code, Title: c.Title,
			Total: c.Total, Band: c.Band, Errors: c.Findings.Error, Violations: c.Findings.Violation, Warnings: c.Findings.Warning, Note: c.Note,
		})
	}
	for _, f := range s.Foundations {
		d.Foundations = append(d.Foundations, SummaryFoundation{
			Code: f.Code, Name: f.Name, Year: year(f.Year), Courses: f.Courses, Scored: f.Scored, Below: f.Below,
			Mean: f.Mean, Share: f.Share, Errors: f.Errors, Violations: f.Violations, Flagged: f.Flagged,
		})
	}
	if r := s.Rule; r != nil {
		d.Rule = fmt.Sprintf("%s (%s): %s", r.Label, r.Citation, r.Consequence)
	}
	for _, v := range s.Verdicts {
		d.Verdicts = append(d.Verdicts, SummaryVerdict{Foundation: v.Foundation, Name: v.Name, Explanation: v.Explanation, Flagged: v.Flagged})
	}
	for _, e := range s.Excluded {
		d.Excluded = append(d.Excluded, SummaryExcluded{Name: e.Name, Reason: e.Reason})
	}
	return d
}
