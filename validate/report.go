package validate

import (
	"strconv"
	"strings"
	"time"

	"github.com/its-academy/auditor/compute"
)

// Report is the JSON report of an audit (WORKBOOK.md, «JSON report»): the
// keys below are a contract. Numbers are plain JSON numbers at full
// precision; a course that could not be scored has "total": null and at
// least one finding of severity error naming its cell.
//
// Beyond the contract's keys (extra keys are allowed): at the top
// "foundation" ({"code", "name"}), "region", "year" (null when the
// Fondazione sheet has no whole year) and "audited_at" (RFC 3339, UTC),
// "interpretations" (every choice of the run), "thresholds" (every threshold
// with its value and who set it), "workbook_thresholds" (a what-if run),
// "texts" and "columns" (below); per course "sensitivity" (the total and
// band under each single alternative choice: each erratum flipped, each
// other choice of the interpretations that can move a total; null when the
// course has no total), "total_trace" (how the total adds up) and
// "band_detail" (the band's label, rule and source, in texts.bands); per
// articulation "indicator" (its Tab. 1 indicator's number, in
// texts.indicators) and "traces" (the compute traces explaining R, P and
// points, each input with the cell it was read from when it came from the
// workbook); per indicator "number" and "trace"; and in "female_indicator"
// "computable", "missing" and "reason" when the indicator cannot be
// computed.
//
// The report is compact: what depends only on the rule pack is written
// once, in "texts", keyed by id; each course carries only its values, and
// a trace's values that repeat a number of its course are given by
// reference (see ReportTrace, ReportTexts, ReportAlternative). The Go
// values built by Audit.Report have everything; Resolve gives a report
// read back from JSON the same.
type Report struct {
	FileSHA256      string            `json:"file_sha256"`
	RulePack        compute.PackID    `json:"rule_pack"`
	RulePackSHA256  string            `json:"rule_pack_sha256"`
	Reading         compute.Reading   `json:"reading"`
	Errata          compute.Errata    `json:"errata"`
	Interpretations map[string]string `json:"interpretations"`
	Thresholds      []RunThreshold    `json:"thresholds"`
	WhatIf          bool              `json:"workbook_thresholds"`
	Version         string            `json:"version"`
	Courses         []ReportCourse    `json:"courses"`
	Findings        []ReportFinding   `json:"findings"`
	Texts           *ReportTexts      `json:"texts,omitempty"`
	// Columns gives, by field, the sheet and column of the cells its values
	// were read from ("Percorsi!G"): a trace's input from that field is in
	// that column, on its course's row.
	Columns map[compute.FieldCode]string `json:"columns,omitempty"`
	// Who was audited, as the Fondazione sheet says ("" or null when the
	// sheet does not), and when (RFC 3339, UTC; omitted when not stated).
	Foundation ReportFoundation `json:"foundation"`
	Region     string           `json:"region"`
	Year       *int             `json:"year"`
	AuditedAt  string           `json:"audited_at,omitempty"`
}

// ReportFoundation is the audited foundation: its code and name.
type ReportFoundation struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// RunThreshold is a threshold of the run: its value and who set it
// ("decreto": the pack; "auditor"; "foglio_soglie": the audited workbook, in
// a what-if run, with its cell).
type RunThreshold struct {
	Code     string   `json:"code"`
	Value    *float64 `json:"value"`
	Source   string   `json:"source"`
	Citation string   `json:"citation"`
	Cell     *CellRef `json:"cell,omitempty"`
}

// Threshold sources in the report.
const (
	SourcePack     = "decreto"
	SourceAuditor  = "auditor"
	SourceWorkbook = "foglio_soglie"
)

// ReportCourse is one course of the report. RulePack is null when no pack
// applies (EQF VI, course ended before the pack, level or date missing).
type ReportCourse struct {
	Code          string                `json:"code"`
	Row           int                   `json:"row"`
	RulePack      *compute.PackID       `json:"rule_pack"`
	Total         *float64              `json:"total"`
	Band          *string               `json:"band"`
	Articulations []ReportArticulation  `json:"articulations"`
	Indicators    []ReportIndicator     `json:"indicators"`
	Female        ReportFemale          `json:"female_indicator"`
	Findings      []ReportFinding       `json:"findings"`
	Sensitivity   []compute.Alternative `json:"-"`
	WhatIf        bool                  `json:"workbook_thresholds,omitempty"`
	TotalTrace    *ReportTrace          `json:"total_trace,omitempty"`
	BandDetail    *compute.BandResult   `json:"-"`

	// In JSON, Sensitivity is written as SensitivityValues (null when the
	// course has no total) and BandDetail is ReportTexts.Bands[Band], or
	// the id in BandText when that is another.
	SensitivityValues []ReportAlternative `json:"sensitivity"`
	BandText          string              `json:"band_detail,omitempty"`
}

// ReportArticulation is one articulation: R, S, P, weight, points (null
// when not computed), the branch of the function, and the cells of the
// input fields the result came from (through earlier results too: R15
// lists the cells of R14's inputs).
type ReportArticulation struct {
	Number    int           `json:"number"`
	Result    *float64      `json:"result"`
	Threshold *float64      `json:"threshold"`
	Score     *float64      `json:"score"`
	Weight    float64       `json:"weight"`
	Points    *float64      `json:"points"`
	Branch    string        `json:"branch"`
	Cells     []CellRef     `json:"cells"`
	Indicator int           `json:"-"`
	Zeroed    bool          `json:"zeroed,omitempty"`
	Traces    []ReportTrace `json:"traces"`

	// In JSON, Indicator is omitted when it is the pack's
	// (ReportTexts.Indicators).
	IndicatorValue *int `json:"indicator,omitempty"`
}

// ReportIndicator is one indicator of Tab. 1.
type ReportIndicator struct {
	Number int          `json:"number"`
	Name   string       `json:"name"`
	Weight float64      `json:"weight"`
	Points *float64     `json:"points"`
	Zeroed bool         `json:"zeroed"`
	Trace  *ReportTrace `json:"trace,omitempty"`
}

// ReportTrace is a compute trace whose inputs name the cell they were read
// from. In Go, a trace built by Audit.Report has every field (TraceText,
// Value, Inputs, Threshold, Notes); one read back from JSON has them once
// Report.Resolve is called.
//
// In JSON a trace is compact (see ReportTexts): its text, the texts of its
// inputs, threshold and notes are in the report's texts under the trace's
// "text" id, and the trace carries only what that text does not fix:
//
//	{"text": "P2", "inputs": [null, 80.1], "threshold": {"source": "override"}}
//
// "value" is omitted when it is the number of its owner the text names in
// "of" (an articulation's result, score or points, an indicator's points,
// the course's total). "inputs" lists the inputs' values in the text's
// order, null for a value given by reference: the owner's number named in
// the text's "inputs_of", else the course's value of the input's "from"
// (the value of the course's trace of that quantity, or of its threshold of
// that code); it is omitted when every value is null. An input read from a
// field of the workbook is in the cell of that field's column (the
// report's "columns") on the course's row, unless "cells" lists every
// input's cell ("" for none). "threshold" gives the threshold's "value"
// when it is not the articulation's threshold, its "source" when not
// "default" and the "correction"; it is omitted when it has none of them.
type ReportTrace struct {
	*compute.TraceText `json:"-"`
	Value              float64               `json:"-"`
	Inputs             []ReportBinding       `json:"-"`
	Threshold          *compute.ThresholdUse `json:"-"`
	Notes              []string              `json:"-"`

	Text           string           `json:"text"`
	OwnValue       *float64         `json:"value,omitempty"`
	InputValues    []*float64       `json:"inputs,omitempty"`
	InputCells     []CellRef        `json:"cells,omitempty"`
	ThresholdValue *ReportThreshold `json:"threshold,omitempty"`
	Unclamped      *float64         `json:"unclamped,omitempty"`
}

// ReportBinding is one value that entered a computation, with the cell of
// the workbook it was read from (nil for results and thresholds). In JSON
// its text is in ReportTexts.Inputs and its value in its trace's "inputs".
type ReportBinding struct {
	*compute.BindingText
	Value float64
	Cell  *CellRef
}

// ReportThreshold is what a trace's threshold has of its own in JSON: its
// value when it is not the articulation's threshold, its source when not
// "default", and the correction of footnote 3.
type ReportThreshold struct {
	Value      *float64                `json:"value,omitempty"`
	Source     compute.ThresholdSource `json:"source,omitempty"`
	Correction *compute.Correction     `json:"correction,omitempty"`
}

// ReportTexts are the texts of a report that depend only on the rule pack,
// each written once and keyed by id, given in the order of first use, so
// the same audit gives the same report:
//   - traces: a trace's text (quantity, label, formula in symbols and words,
//     explanation, branch, reading, erratum, citation), what number of its
//     owner it explains ("of"), the ids of its inputs' texts, of its
//     threshold's and of its notes, by its quantity ("R2", "P2", "punti2",
//     and "P2~2" for another branch, pack or set of inputs);
//   - inputs: an input's text (symbol, field, origin), by "i1", "i2", …;
//   - thresholds: a threshold's (code, default, citation, note), by code;
//   - notes: a note, by "n1", "n2", …;
//   - choices: an alternative choice of the sensitivity list (choice,
//     alternative, label), by "choice=alternative" ("E-2=coherent");
//   - bands: a band (code, label, rule, citation), by its code;
//   - indicators: the Tab. 1 indicator of each articulation, by pack and
//     articulation number (an articulation's "indicator" is written only
//     when it is not its pack's).
type ReportTexts struct {
	Traces     map[string]*ReportTraceText     `json:"traces"`
	Inputs     map[string]*compute.BindingText `json:"inputs"`
	Thresholds map[string]*ReportThresholdText `json:"thresholds"`
	Notes      map[string]string               `json:"notes"`
	Choices    map[string]*ReportChoiceText    `json:"choices"`
	Bands      map[string]*compute.BandResult  `json:"bands"`
	Indicators map[compute.PackID]map[int]int  `json:"indicators"`
}

// ReportTraceText is the text of a trace with the ids of its inputs',
// threshold's and notes' texts. Of names the number of the trace's owner
// that the trace explains, when there is one: "result", "score" or
// "points" of an articulation, "points" of an indicator, "total".
// InputsOf names, for each input, the number of the owner the input
// repeats ("weight": the articulation's weight), "" for the others.
type ReportTraceText struct {
	compute.TraceText
	Of        string   `json:"of,omitempty"`
	Inputs    []string `json:"inputs,omitempty"`
	InputsOf  []string `json:"inputs_of,omitempty"`
	Threshold string   `json:"threshold,omitempty"`
	Notes     []string `json:"notes,omitempty"`
}

// ReportThresholdText is what a rule pack fixes of a threshold.
type ReportThresholdText struct {
	Code     string   `json:"code"`
	Default  *float64 `json:"default,omitempty"`
	Citation string   `json:"citation"`
	Note     string   `json:"note,omitempty"`
}

// ReportChoiceText is an alternative choice of the sensitivity list.
type ReportChoiceText struct {
	Choice      string `json:"choice"`
	Alternative string `json:"alternative"`
	Label       string `json:"label"`
}

// ReportAlternative is a course's total under one alternative choice
// (compute.Alternative) as JSON carries it: the choice's id in
// ReportTexts.Choices, the total, and what cannot be told from the course:
// "delta" when it is not total − the course's total, "band" when not the
// course's band, "band_changed" when not band ≠ the course's band; each
// change's "score" when not the score of the course's articulation.
type ReportAlternative struct {
	ID          string         `json:"id"`
	Total       *float64       `json:"total"`
	Delta       *float64       `json:"delta,omitempty"`
	Band        *string        `json:"band,omitempty"`
	BandChanged *bool          `json:"band_changed,omitempty"`
	Changes     []ReportChange `json:"changes,omitempty"`
}

// ReportChange is an articulation whose score differs under an
// alternative.
type ReportChange struct {
	Number      int      `json:"number"`
	Score       *float64 `json:"score,omitempty"`
	Alternative *float64 `json:"alternative"`
}

// ReportFemale is the female-students indicator (part B). Computable,
// Missing and Reason appear only when it cannot be computed.
type ReportFemale struct {
	Result     *float64  `json:"result"`
	Score      *float64  `json:"score"`
	Computable *bool     `json:"computable,omitempty"`
	Missing    *[]string `json:"missing,omitempty"`
	Reason     string    `json:"reason,omitempty"`
}

// ReportFinding is a finding as the report shows it. Cell is null for the
// rare workbook-level finding that has no cell (a row missing from
// Fondazione).
type ReportFinding struct {
	Rule     compute.RuleID   `json:"rule"`
	Severity compute.Severity `json:"severity"`
	Cell     *CellRef         `json:"cell"`
	Message  string           `json:"message"`
}

// Report builds the JSON report. pack is the rule pack named at the top of
// the report; when empty, the forced pack of the run, or the single pack
// used by the courses.
func (a *Audit) Report(version string, pack compute.PackID) Report {
	rep := a.reportHead(version, pack)
	for i := range a.Courses {
		rep.Courses = append(rep.Courses, a.reportCourse(i))
	}
	rep.compact()
	return rep
}

// reportCourse is the report of the i-th course, before compact.
func (a *Audit) reportCourse(i int) ReportCourse {
	rc := a.Courses[i].report()
	rc.WhatIf = a.WhatIf
	return rc
}

// reportHead is the report without its courses, texts and columns.
func (a *Audit) reportHead(version string, pack compute.PackID) Report {
	rep := Report{Reading: a.Reading, Errata: a.Errata, WhatIf: a.WhatIf, Version: version, RulePack: pack, Courses: []ReportCourse{}, Findings: reportFindings(a.Findings)}
	if a.Input != nil {
		rep.FileSHA256 = a.Input.SHA256
		text := func(code compute.FieldCode) string { return strings.TrimSpace(a.Input.Foundation[code].Text) }
		rep.Foundation = ReportFoundation{Code: text("fondazione_codice"), Name: text("fondazione_nome")}
		rep.Region = text("regione")
		if y, err := strconv.Atoi(text("anno_monitoraggio")); err == nil {
			rep.Year = &y
		}
	}
	if !a.Options.AuditedAt.IsZero() {
		rep.AuditedAt = a.Options.AuditedAt.UTC().Format(time.RFC3339)
	}
	if rep.RulePack == "" {
		rep.RulePack = a.Options.Pack
	}
	if rep.RulePack == "" {
		if len(a.Scorers) == 1 {
			for id := range a.Scorers {
				rep.RulePack = id
			}
		}
	}
	if sc := a.Scorers[rep.RulePack]; sc != nil {
		rep.RulePackSHA256 = sc.Pack().Digest()
		rep.Errata = sc.Errata()
		rep.Interpretations = sc.Interpretations()
		rep.Thresholds = a.reportThresholds(sc)
	}
	return rep
}

// reportThresholds lists the run's thresholds with who set them.
func (a *Audit) reportThresholds(sc *compute.Scorer) []RunThreshold {
	tvs := sc.Thresholds()
	out := make([]RunThreshold, 0, len(tvs))
	for _, tv := range tvs {
		rt := RunThreshold{Code: tv.Code, Value: tv.Value, Source: SourcePack, Citation: tv.Citation}
		if tv.Source == compute.SourceOverride {
			switch a.ThresholdOrigin[tv.Code] {
			case OriginWorkbook:
				rt.Source = SourceWorkbook
				if c, ok := a.ThresholdCells[tv.Code]; ok {
					rt.Cell = &c
				}
			default:
				rt.Source = SourceAuditor
			}
		}
		out = append(out, rt)
	}
	return out
}

func reportFindings(fs []Finding) []ReportFinding {
	out := make([]ReportFinding, 0, len(fs))
	for _, f := range fs {
		rf := ReportFinding{Rule: f.Rule, Severity: f.Severity, Message: f.Message}
		if f.Cell != "" {
			c := f.Cell
			rf.Cell = &c
		}
		out = append(out, rf)
	}
	return out
}

func (c *CourseAudit) report() ReportCourse {
	rc := ReportCourse{
		Code: c.Code, Row: c.Row,
		Articulations: []ReportArticulation{}, Indicators: []ReportIndicator{},
		Findings: reportFindings(c.Findings), Sensitivity: c.Sensitivity,
	}
	if c.Pack != nil {
		id := c.Pack.ID
		rc.RulePack = &id
	}
	res := c.Result
	if res == nil {
		no := false
		rc.Female = ReportFemale{Computable: &no, Missing: &[]string{}, Reason: "percorso non valutato"}
		return rc
	}
	rc.Total = res.Total
	if res.Total != nil && res.Band != nil {
		b := res.Band.Code
		rc.Band = &b
		rc.BandDetail = res.Band
	}
	if res.TotalTrace != nil {
		t := c.reportTrace(*res.TotalTrace)
		rc.TotalTrace = &t
	}
	for _, ar := range res.Articulations {
		traces := make([]ReportTrace, len(ar.Traces))
		for i, t := range ar.Traces {
			traces[i] = c.reportTrace(t)
		}
		rc.Articulations = append(rc.Articulations, ReportArticulation{
			Number: ar.Number, Result: ar.Result, Threshold: ar.Threshold, Score: ar.Score,
			Weight: ar.Weight, Points: ar.Points, Branch: ar.Branch, Indicator: ar.Indicator, Zeroed: ar.Zeroed,
			Cells: c.articulationCells(res, ar.Number, map[int]bool{}), Traces: traces,
		})
	}
	for _, ir := range res.Indicators {
		ri := ReportIndicator{Number: ir.Number, Name: ir.Name, Weight: ir.Weight, Points: ir.Points, Zeroed: ir.Zeroed}
		if ir.Trace.TraceText != nil {
			t := c.reportTrace(ir.Trace)
			ri.Trace = &t
		}
		rc.Indicators = append(rc.Indicators, ri)
	}
	f := res.Female
	rc.Female = ReportFemale{Result: f.Result, Score: f.Score}
	if !f.Computable {
		no := false
		missing := append([]string{}, f.Missing...)
		rc.Female.Computable, rc.Female.Missing, rc.Female.Reason = &no, &missing, f.Reason
		rc.Female.Score = nil
	}
	return rc
}

// articulationCells lists the cells of the input fields an articulation's
// result came from, following earlier results (R15 = R14 / diplomati).
func (c *CourseAudit) articulationCells(res *compute.CourseResult, n int, seen map[int]bool) []CellRef {
	out := []CellRef{}
	if seen[n] {
		return out
	}
	seen[n] = true
	var ar *compute.ArticulationResult
	for i := range res.Articulations {
		if res.Articulations[i].Number == n {
			ar = &res.Articulations[i]
		}
	}
	if ar == nil {
		return out
	}
	has := map[CellRef]bool{}
	addCell := func(cell CellRef) {
		if cell != "" && !has[cell] {
			has[cell] = true
			out = append(out, cell)
		}
	}
	// Earlier results the formula reads: from the result's trace when it was
	// computed, else from the pack's formula.
	var refs []int
	if rt := ar.ResultTrace(); rt != nil {
		for _, b := range rt.Inputs {
			if b.BindingText != nil {
				if k, ok := compute.ResultNumber(b.From); ok && b.Field == "" {
					refs = append(refs, k)
				}
			}
		}
	} else if c.Pack != nil {
		if a, ok := c.Pack.Articulation(n); ok {
			refs = a.EarlierResults()
		}
	}
	for _, k := range refs {
		for _, cell := range c.articulationCells(res, k, seen) {
			addCell(cell)
		}
	}
	for _, f := range ar.Fields {
		addCell(c.Cells[f])
	}
	return out
}
