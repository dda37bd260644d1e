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
// with its value and who set it) and "workbook_thresholds" (a what-if run);
// per course "sensitivity" (the total and band under each single
// alternative choice: each erratum flipped, each other choice of the
// interpretations that can move a total; null when the course has no total), "total_trace" (how the total adds up) and "band_detail"
// (the band's label, rule and source); per articulation
// "indicator" (its Tab. 1 indicator's number) and "traces" (the compute
// traces explaining R, P and points, each input with the "cell" it was read
// from when it came from the workbook); per indicator "number" and
// "trace"; and in "female_indicator" "computable", "missing" and "reason"
// when the indicator cannot be computed.
//
// The report is compact: what depends only on the rule pack is written
// once, in "texts", keyed by id, and each course's traces carry only their
// values, the ids of their texts and the cells (see ReportTexts).
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
	Sensitivity   []compute.Alternative `json:"sensitivity"`
	WhatIf        bool                  `json:"workbook_thresholds,omitempty"`
	TotalTrace    *ReportTrace          `json:"total_trace,omitempty"`
	BandDetail    *compute.BandResult   `json:"band_detail,omitempty"`
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
	Indicator int           `json:"indicator"`
	Zeroed    bool          `json:"zeroed,omitempty"`
	Traces    []ReportTrace `json:"traces"`
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
// from. In JSON its texts are written once for the whole report, in
// ReportTexts, and the trace carries their ids:
//
//	{"text": "P2", "value": 63.0,
//	 "inputs": [{"text": "i7", "value": 80.9}, {"text": "i8", "value": 80.1}],
//	 "threshold": {"text": "S2", "value": 80.1, "source": "override"},
//	 "unclamped": …, "notes": ["n1"]}
//
// In Go, a trace built by Audit.Report also points at its texts
// (TraceText, Threshold, Notes); one read back from JSON has only the ids
// until Report.Resolve is called.
type ReportTrace struct {
	*compute.TraceText `json:"-"`
	Text               string                `json:"text"`
	Value              float64               `json:"value"`
	Inputs             []ReportBinding       `json:"inputs,omitempty"`
	Threshold          *compute.ThresholdUse `json:"-"`
	ThresholdValue     *ReportThreshold      `json:"threshold,omitempty"`
	Unclamped          *float64              `json:"unclamped,omitempty"`
	Notes              []string              `json:"-"`
	NoteIDs            []string              `json:"notes,omitempty"`
}

// ReportBinding is one value that entered a computation, with the cell of
// the workbook it was read from (nil for results and thresholds); its
// text (symbol, field, origin) is in ReportTexts.Inputs under Text.
type ReportBinding struct {
	*compute.BindingText `json:"-"`
	Text                 string   `json:"text"`
	Value                float64  `json:"value"`
	Cell                 *CellRef `json:"cell,omitempty"`
}

// ReportThreshold is the threshold a score used: its value and where the
// value came from for this course; the code, default, citation and note
// are in ReportTexts.Thresholds under Text.
type ReportThreshold struct {
	Text       string                  `json:"text"`
	Value      float64                 `json:"value"`
	Source     compute.ThresholdSource `json:"source"`
	Correction *compute.Correction     `json:"correction,omitempty"`
}

// ReportTexts are the texts of a report's traces that depend only on the
// rule pack, each written once and keyed by id: a trace's text (quantity,
// label, formula in symbols and words, explanation, branch, reading,
// erratum, citation) by its quantity ("R2", "P2", "punti2", and "P2~2"
// for the same quantity's other branch or pack); an input's text (symbol,
// field, origin) by "i1", "i2", …; a threshold's (code, default, citation,
// note) by its code; a note by "n1", "n2", …. Ids are given in the order
// of first use, so the same audit gives the same report.
type ReportTexts struct {
	Traces     map[string]*compute.TraceText   `json:"traces"`
	Inputs     map[string]*compute.BindingText `json:"inputs"`
	Thresholds map[string]*ReportThresholdText `json:"thresholds"`
	Notes      map[string]string               `json:"notes"`
}

// ReportThresholdText is what a rule pack fixes of a threshold.
type ReportThresholdText struct {
	Code     string   `json:"code"`
	Default  *float64 `json:"default,omitempty"`
	Citation string   `json:"citation"`
	Note     string   `json:"note,omitempty"`
}

// textTable gives the ids of a report's texts.
type textTable struct {
	texts      *ReportTexts
	traces     map[compute.TraceText]string
	inputs     map[compute.BindingText]string
	thresholds map[ReportThresholdText]string
	defaults   map[float64]*float64
	notes      map[string]string
}

func newTextTable() *textTable {
	return &textTable{
		texts: &ReportTexts{Traces: map[string]*compute.TraceText{}, Inputs: map[string]*compute.BindingText{},
			Thresholds: map[string]*ReportThresholdText{}, Notes: map[string]string{}},
		traces: map[compute.TraceText]string{}, inputs: map[compute.BindingText]string{},
		thresholds: map[ReportThresholdText]string{}, defaults: map[float64]*float64{}, notes: map[string]string{},
	}
}

// variantID is base, or base~2, base~3, … when base is taken.
func variantID[V any](taken map[string]V, base string) string {
	if _, ok := taken[base]; !ok {
		return base
	}
	for i := 2; ; i++ {
		if id := base + "~" + strconv.Itoa(i); !hasKey(taken, id) {
			return id
		}
	}
}

func hasKey[V any](m map[string]V, k string) bool {
	_, ok := m[k]
	return ok
}

func (tt *textTable) trace(t *compute.TraceText) string {
	if t == nil {
		return ""
	}
	if id, ok := tt.traces[*t]; ok {
		return id
	}
	id := variantID(tt.texts.Traces, t.Quantity)
	tt.traces[*t] = id
	tt.texts.Traces[id] = t
	return id
}

func (tt *textTable) input(b *compute.BindingText) string {
	if b == nil {
		return ""
	}
	if id, ok := tt.inputs[*b]; ok {
		return id
	}
	id := "i" + strconv.Itoa(len(tt.inputs)+1)
	tt.inputs[*b] = id
	tt.texts.Inputs[id] = b
	return id
}

func (tt *textTable) threshold(u *compute.ThresholdUse) *ReportThreshold {
	if u == nil {
		return nil
	}
	key := ReportThresholdText{Code: u.Code, Citation: u.Citation, Note: u.Note}
	if u.Default != nil {
		d, ok := tt.defaults[*u.Default]
		if !ok {
			v := *u.Default
			d = &v
			tt.defaults[v] = d
		}
		key.Default = d
	}
	id, ok := tt.thresholds[key]
	if !ok {
		id = variantID(tt.texts.Thresholds, u.Code)
		tt.thresholds[key] = id
		text := key
		tt.texts.Thresholds[id] = &text
	}
	return &ReportThreshold{Text: id, Value: u.Value, Source: u.Source, Correction: u.Correction}
}

func (tt *textTable) note(n string) string {
	if id, ok := tt.notes[n]; ok {
		return id
	}
	id := "n" + strconv.Itoa(len(tt.notes)+1)
	tt.notes[n] = id
	tt.texts.Notes[id] = n
	return id
}

// reportTrace adds the cells of the course's input fields to a trace and
// gives its texts their ids.
func (c *CourseAudit) reportTrace(t compute.Trace, tt *textTable) ReportTrace {
	rt := ReportTrace{TraceText: t.TraceText, Text: tt.trace(t.TraceText), Value: t.Value, Threshold: t.Threshold,
		ThresholdValue: tt.threshold(t.Threshold), Unclamped: t.Unclamped, Notes: t.Notes}
	if len(t.Notes) > 0 {
		rt.NoteIDs = make([]string, len(t.Notes))
		for i, n := range t.Notes {
			rt.NoteIDs[i] = tt.note(n)
		}
	}
	if len(t.Inputs) > 0 {
		rt.Inputs = make([]ReportBinding, len(t.Inputs))
		for i, b := range t.Inputs {
			rt.Inputs[i] = ReportBinding{BindingText: b.BindingText, Text: tt.input(b.BindingText), Value: b.Value}
			if b.BindingText != nil && b.Field != "" {
				if cell, ok := c.Cells[b.Field]; ok && cell != "" {
					rt.Inputs[i].Cell = &cell
				}
			}
		}
	}
	return rt
}

// Resolve points the traces of a report read back from JSON at their
// texts (TraceText, BindingText, Threshold, Notes), as Audit.Report builds
// them. Ids missing from the texts are left unresolved.
func (r *Report) Resolve() {
	if r.Texts == nil {
		return
	}
	resolve := func(t *ReportTrace) {
		if t == nil {
			return
		}
		t.TraceText = r.Texts.Traces[t.Text]
		for i := range t.Inputs {
			t.Inputs[i].BindingText = r.Texts.Inputs[t.Inputs[i].Text]
		}
		if th := t.ThresholdValue; th != nil {
			u := &compute.ThresholdUse{Value: th.Value, Source: th.Source, Correction: th.Correction}
			if text := r.Texts.Thresholds[th.Text]; text != nil {
				u.Code, u.Default, u.Citation, u.Note = text.Code, text.Default, text.Citation, text.Note
			}
			t.Threshold = u
		}
		t.Notes = nil
		for _, id := range t.NoteIDs {
			t.Notes = append(t.Notes, r.Texts.Notes[id])
		}
	}
	for ci := range r.Courses {
		c := &r.Courses[ci]
		resolve(c.TotalTrace)
		for ai := range c.Articulations {
			for ti := range c.Articulations[ai].Traces {
				resolve(&c.Articulations[ai].Traces[ti])
			}
		}
		for ii := range c.Indicators {
			resolve(c.Indicators[ii].Trace)
		}
	}
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
	tt := newTextTable()
	for i := range a.Courses {
		rc := a.Courses[i].report(tt)
		rc.WhatIf = a.WhatIf
		rep.Courses = append(rep.Courses, rc)
	}
	rep.Texts = tt.texts
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

func (c *CourseAudit) report(tt *textTable) ReportCourse {
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
		t := c.reportTrace(*res.TotalTrace, tt)
		rc.TotalTrace = &t
	}
	for _, ar := range res.Articulations {
		traces := make([]ReportTrace, len(ar.Traces))
		for i, t := range ar.Traces {
			traces[i] = c.reportTrace(t, tt)
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
			t := c.reportTrace(ir.Trace, tt)
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
