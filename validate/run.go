package validate

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/its-academy/auditor/compute"
	"github.com/its-academy/auditor/findings"
)

// ErrOptions is the kind of the error Run returns for invalid options (an
// unknown reading, pack or interpretation); test it with errors.Is.
var ErrOptions = errors.New("opzioni dell'audit non valide")

// Run validates and scores a workbook read into in, with the packs of reg.
// It reports every problem at once as findings and returns an error only
// for invalid options. It never panics on any Input.
//
// A course with any error finding gets no total: when it could be scored its
// CourseResult is kept (the articulations are useful) with Total, Band and
// TotalTrace nil. Scored courses carry their sensitivity to the other reading.
func Run(in *Input, reg *compute.Registry, opt Options) (*Audit, error) {
	return RunContext(context.Background(), in, reg, opt)
}

// RunContext is Run stopping early once ctx is done: it checks ctx before
// each course and returns ctx's error, with no audit.
func RunContext(ctx context.Context, in *Input, reg *compute.Registry, opt Options) (*Audit, error) {
	if in == nil {
		in = &Input{}
	}
	if reg == nil {
		reg = &compute.Registry{}
	}
	r := &runner{ctx: ctx, in: in, reg: reg, opt: opt, scorers: map[compute.PackID]*compute.Scorer{}, femaleMissing: map[string]*femaleGroup{},
		fields: CourseFields()}
	if err := r.checkOptions(); err != nil {
		return nil, err
	}
	r.audit = &Audit{
		Input: in, Reading: r.opt.Reading, Options: r.opt,
		Overrides: map[string]float64{}, ThresholdCells: map[string]CellRef{}, ThresholdOrigin: map[string]ThresholdOrigin{},
		WhatIf:  opt.WorkbookThresholds,
		Scorers: map[compute.PackID]*compute.Scorer{},
	}
	if len(r.candidates) > 0 {
		// The candidates accepted the options (checkOptions).
		r.audit.Reading, r.audit.Errata, _ = r.candidates[0].ResolveErrata(r.opt.Reading, r.opt.Errata)
	}
	r.readThresholds()
	if err := r.buildScorers(); err != nil {
		return nil, err
	}
	r.checkFoundation()
	r.courses()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r.femaleFindings()
	sortFindings(r.audit.Findings)
	return r.audit, nil
}

type runner struct {
	ctx        context.Context
	in         *Input
	reg        *compute.Registry
	opt        Options
	audit      *Audit
	candidates []*compute.Pack // the packs a course may get
	scorers    map[compute.PackID]*compute.Scorer

	supplied    map[string]float64 // Soglie values, parsed
	soglieCells map[string]CellRef // every known Soglie code → its value cell

	femaleMissing map[string]*femaleGroup

	fields []Field // CourseFields(), once
}

// femaleGroup gathers the courses whose female indicator misses the same
// Soglie values, reported once for the workbook.
type femaleGroup struct {
	codes   []string
	courses []string
}

// checkOptions verifies the reading, the forced pack and the
// interpretation choices, and lists the packs a course may get.
func (r *runner) checkOptions() error {
	if r.opt.Reading != "" {
		rd, err := compute.ParseReading(string(r.opt.Reading))
		if err != nil {
			return fmt.Errorf("%w: %v", ErrOptions, err)
		}
		r.opt.Reading = rd
	}
	if r.opt.Pack != "" {
		p, ok := r.reg.Get(r.opt.Pack)
		if !ok {
			var ids []string
			for _, p := range r.reg.Packs() {
				ids = append(ids, string(p.ID))
			}
			return fmt.Errorf("%w: pacchetto di regole «%s» sconosciuto (disponibili: %s)", ErrOptions, r.opt.Pack, strings.Join(ids, ", "))
		}
		r.candidates = []*compute.Pack{p}
	} else {
		r.candidates = r.reg.Packs()
	}
	ids := slices.Sorted(maps.Keys(r.opt.Interpretations))
	for _, id := range ids {
		known := false
		for _, p := range r.candidates {
			known = known || packHasInterpretation(p, id)
		}
		if !known {
			return fmt.Errorf("%w: interpretazione «%s» sconosciuta", ErrOptions, id)
		}
	}
	codes := slices.Sorted(maps.Keys(r.opt.Thresholds))
	for _, code := range codes {
		known := false
		for _, p := range r.candidates {
			_, ok := p.Threshold(code)
			known = known || ok
		}
		if !known {
			return fmt.Errorf("%w: soglia «%s» sconosciuta: usare i codici del foglio Soglie (S1…S13, occupati_<area>, tasso_<area>, …)", ErrOptions, code)
		}
	}
	for _, p := range r.candidates {
		o := compute.Options{Reading: r.opt.Reading, Errata: r.opt.Errata, Interpretations: r.interpretationsFor(p), Overrides: r.auditorThresholds(p)}
		if _, err := compute.NewScorer(p, o); err != nil {
			return fmt.Errorf("%w: %v", ErrOptions, err)
		}
	}
	return nil
}

func packHasInterpretation(p *compute.Pack, id string) bool {
	for _, in := range p.Interpretations {
		if in.ID == id {
			return true
		}
	}
	return false
}

// interpretationsFor keeps the choices the pack knows.
func (r *runner) interpretationsFor(p *compute.Pack) map[string]string {
	out := map[string]string{}
	for id, c := range r.opt.Interpretations {
		if packHasInterpretation(p, id) {
			out[id] = c
		}
	}
	return out
}

// thresholdKnown reports whether any loaded pack defines the code.
func (r *runner) thresholdKnown(code string) (*compute.ThresholdDef, bool) {
	for _, p := range r.reg.Packs() {
		if d, ok := p.Threshold(code); ok {
			return d, true
		}
	}
	return nil, false
}

// readThresholds parses the Soglie sheet: codes, values and their cells.
func (r *runner) readThresholds() {
	r.supplied = map[string]float64{}
	r.soglieCells = map[string]CellRef{}
	type first struct {
		row  int
		cell CellRef
	}
	seen := map[string]first{}
	for _, tr := range r.in.Thresholds {
		code := strings.TrimSpace(tr.Code)
		codeCell := CellRef(SheetThresholds + "!A" + strconv.Itoa(tr.Row))
		valueCell := tr.Value.Cell
		if valueCell == "" {
			valueCell = CellRef(SheetThresholds + "!C" + strconv.Itoa(tr.Row))
		}
		if code == "" {
			continue
		}
		if f, dup := seen[code]; dup {
			r.addWorkbook(newFinding(RuleThresholdDuplicate, codeCell, "found", code, "first_row", strconv.Itoa(f.row), "first_cell", string(f.cell)))
			continue
		}
		seen[code] = first{tr.Row, codeCell}
		def, known := r.thresholdKnown(code)
		if !known {
			r.addWorkbook(newFinding(RuleThresholdUnknown, codeCell, "found", code))
			continue
		}
		r.soglieCells[code] = valueCell
		v, st, iss := parseEntry(KindNumber, tr.Value)
		label := "soglia " + code
		if def.Label != "" {
			label = code + " – " + def.Label
		}
		for _, is := range iss {
			if severityOf(is.rule) == compute.SeverityError {
				is.args = append(is.args, "extra", fallbackText(def))
			}
			r.addWorkbook(r.issueFinding(is, valueCell, label, "", "", srcSoglie))
		}
		if st == parsedOK && tr.Value.Percent {
			// The thresholds are percentages already: 51,6% is stored as
			// 0.516, which the formulas over the cell would read.
			r.addWorkbook(newFinding(RuleThresholdPercent, valueCell, "label", label, "shown", fmtNum(v.Num*100), "found", fmtNum(v.Num), "expected", fmtNum(v.Num*100), "fallback", fallbackText(def), "source", srcSoglie+"; "+def.Citation))
			delete(r.soglieCells, code)
			continue
		}
		if st == parsedOK {
			r.supplied[code] = v.Num
		}
	}
}

func fallbackText(def *compute.ThresholdDef) string {
	if def != nil && def.Default != nil {
		return findings.Say(findings.PhraseFallbackDefault, "default", fmtNum(*def.Default), "citation", def.Citation)
	}
	return findings.Say(findings.PhraseFallbackNone)
}

// buildScorers creates a scorer per candidate pack. The thresholds in force
// are the pack's and those the auditor supplied (Options.Thresholds). A
// Soglie value that differs from the one in force is a violation on its
// cell and is ignored; in a what-if run (Options.WorkbookThresholds) it is
// applied and reported as a warning. A Soglie value the pack refuses (out
// of range, not an integer…) is an error on its cell and is not used.
func (r *runner) buildScorers() error {
	reported := map[string]bool{}
	for _, p := range r.candidates {
		auditor := r.auditorThresholds(p)
		ov := map[string]float64{}
		for code, v := range auditor {
			ov[code] = v
		}
		fromSheet := map[string]bool{}
		if r.opt.WorkbookThresholds {
			for code, v := range r.supplied {
				if inForce, ok := valueInForce(p, auditor, code); ok && (inForce == nil || math.Abs(*inForce-v) > 1e-9) {
					ov[code], fromSheet[code] = v, true
				}
			}
		}
		o := compute.Options{Reading: r.opt.Reading, Errata: r.opt.Errata, Interpretations: r.interpretationsFor(p), Overrides: ov}
		sc, err := compute.NewScorer(p, o)
		for tries := 0; err != nil && tries < 2; tries++ {
			var oe *compute.OptionsError
			if !errors.As(err, &oe) {
				return fmt.Errorf("%w: %v", ErrOptions, err)
			}
			for _, pr := range oe.Problems {
				code := pr.Quantity
				if code == "" || !fromSheet[code] {
					return fmt.Errorf("%w: %v", ErrOptions, err)
				}
				delete(ov, code)
				delete(fromSheet, code)
				if v, ok := auditor[code]; ok {
					ov[code] = v
				}
				if reported[code] {
					continue
				}
				reported[code] = true
				def, _ := p.Threshold(code)
				r.addWorkbook(newFinding(RuleThresholdInvalid, r.soglieCells[code], "detail", pr.Msg, "fallback", fallbackText(def), "found", fmtNum(r.supplied[code]), "source", srcSoglie+"; "+def.Citation))
			}
			sc, err = compute.NewScorer(p, o)
		}
		if err != nil {
			return fmt.Errorf("%w: %v", ErrOptions, err)
		}
		r.scorers[p.ID] = sc
		for code, v := range ov {
			if _, done := r.audit.Overrides[code]; !done {
				r.audit.Overrides[code] = v
			}
			origin := OriginAuditor
			if fromSheet[code] {
				origin = OriginWorkbook
				r.audit.ThresholdCells[code] = r.soglieCells[code]
			}
			r.audit.ThresholdOrigin[code] = origin
		}
		r.sheetDifferences(p, auditor, fromSheet, reported)
	}
	return nil
}

// auditorThresholds returns the auditor's thresholds the pack knows.
func (r *runner) auditorThresholds(p *compute.Pack) map[string]float64 {
	out := map[string]float64{}
	for code, v := range r.opt.Thresholds {
		if _, ok := p.Threshold(code); ok {
			out[code] = v
		}
	}
	return out
}

// valueInForce is a threshold's value without the Soglie sheet: the
// auditor's, else the pack's default (nil when neither gives one); ok is
// false for a code the pack does not know.
func valueInForce(p *compute.Pack, auditor map[string]float64, code string) (*float64, bool) {
	def, ok := p.Threshold(code)
	if !ok {
		return nil, false
	}
	if v, ok := auditor[code]; ok {
		return &v, true
	}
	return def.Default, true
}

// sheetDifferences reports every Soglie value that differs from the value
// in force without the sheet (the auditor's, else the pack's): a violation,
// the value ignored; in a what-if run a warning, the value applied.
func (r *runner) sheetDifferences(p *compute.Pack, auditor map[string]float64, applied map[string]bool, reported map[string]bool) {
	codes := slices.Sorted(maps.Keys(r.supplied))
	for _, code := range codes {
		def, ok := p.Threshold(code)
		if !ok || reported[code] {
			continue
		}
		found := r.supplied[code]
		inForce, _ := valueInForce(p, auditor, code)
		source := def.Citation
		if _, ok := auditor[code]; ok {
			source = findings.Say(findings.PhraseSourceAuditor)
		}
		if inForce != nil && math.Abs(*inForce-found) <= 1e-9 {
			continue
		}
		reported[code] = true
		label := code
		if def.Label != "" {
			label = code + " – " + def.Label
		}
		applies, expected := findings.Say(findings.PhraseNotInForce), findings.Say(findings.PhraseNoValue)
		if inForce != nil {
			applies, expected = findings.Say(findings.PhraseInForce, "value", fmtNum(*inForce), "source", source), fmtNum(*inForce)
		}
		kv := []string{"label", label, "found", fmtNum(found), "applied", applies, "expected", expected, "source", srcSoglie + "; " + def.Citation}
		if applied[code] {
			kv = append(kv, "severity", string(compute.SeverityWarning), "extra", findings.Say(findings.PhraseWhatIfApplied))
		} else {
			kv = append(kv, "extra", findings.Say(findings.PhraseSheetIgnored))
		}
		r.addWorkbook(newFinding(RuleThresholdUsed, r.soglieCells[code], kv...))
	}
}

// checkFoundation checks the Fondazione sheet (workbook-level findings).
func (r *runner) checkFoundation() {
	for _, f := range FoundationFields() {
		e, present := r.in.Foundation[f.Code]
		cell := e.Cell
		if cell == "" && present {
			cell = CellRef(SheetFoundation)
		}
		if !present {
			if f.Required {
				r.addWorkbook(Finding{
					Rule: RuleRequired, Severity: severityOf(RuleRequired), Field: f.Code, Source: f.Source,
					Message: composeMessage("", findings.Say(findings.PhraseRequiredRow, "sheet", SheetFoundation, "code", string(f.Code), "label", f.Label), f.Source),
				})
			}
			continue
		}
		v, ok, fs := r.checkField(f, e, cell, "")
		for _, x := range fs {
			r.addWorkbook(x)
		}
		if ok && f.Code == "template_versione" && v.Text != TemplateVersion {
			r.addWorkbook(newFinding(RuleTemplateVersion, cell, "found", v.Text, "expected", TemplateVersion))
		}
	}
}

// formatRules are the rules about how a cell is written: their source is the
// workbook's layout, not the field's legal definition.
var formatRules = map[compute.RuleID]bool{
	RuleNoCache: true, RuleCellError: true, RuleNotNumber: true, RulePercent: true, RulePercentFormat: true,
	RuleAmbiguousNumber: true, RuleNotDate: true, RuleBool: true,
}

// sheetSource cites the layout of the sheet a cell is on.
func sheetSource(cell CellRef) string {
	switch sheet, _, _ := splitCell(cell); sheet {
	case SheetFoundation:
		return srcFoundation
	case SheetThresholds:
		return srcSoglie
	}
	return srcWorkbook
}

// issueFinding turns a parse or tag issue into a finding on a cell.
func (r *runner) issueFinding(is issue, cell CellRef, label string, field compute.FieldCode, course string, source string) Finding {
	if formatRules[is.rule] {
		source = sheetSource(cell)
	}
	kv := append([]string{"label", label, "source", source}, is.args...)
	f := newFinding(is.rule, cell, kv...)
	f.Field, f.Course = field, course
	return f
}

// checkField parses one cell and applies the field's rules: presence, type,
// the single-field rule of the table if any, else the validator tag.
func (r *runner) checkField(f Field, e Entry, cell CellRef, course string) (value, bool, []Finding) {
	v, st, iss := parseEntry(f.Kind, e)
	var out []Finding
	for _, is := range iss {
		if f.Kind == KindText && !f.Required && severityOf(is.rule) == compute.SeverityError {
			// A broken cell in a descriptive field (the title) is to be
			// fixed, but no figure depends on it: it does not block a score.
			is.args = append(is.args, "extra", findings.Say(findings.PhraseOptionalText), "severity", string(compute.SeverityWarning))
		}
		out = append(out, r.issueFinding(is, cell, f.Label, f.Code, course, f.Source))
	}
	switch st {
	case parsedBlank:
		if f.Required {
			out = append(out, r.issueFinding(issue{RuleRequired, nil}, cell, f.Label, f.Code, course, f.Source))
		}
		return v, false, out
	case parsedBad:
		return v, false, out
	}
	if e.Percent && e.Type == EntryNumber && f.Kind != KindText && f.Kind != KindCode && f.Kind != KindArea && f.Kind != KindDate {
		// Excel shows 0,76 formatted as a percentage as 76%: which one
		// was meant cannot be told, so neither is used.
		is := issue{RulePercentFormat, []string{"shown", fmtNum(v.Num * 100), "found", fmtNum(v.Num)}}
		return v, false, append(out, r.issueFinding(is, cell, f.Label, f.Code, course, f.Source))
	}
	if rule := singleFieldRule(f.Code); rule != nil {
		env := valuesEnv{string(f.Code): v.Num}
		if holds, ok := rule.holds(env); ok && !holds {
			x := rule.finding(env, map[compute.FieldCode]CellRef{f.Code: cell})
			x.Course = course
			return v, false, append(out, x)
		}
	}
	if is := checkTag(f, v); is != nil {
		return v, false, append(out, r.issueFinding(*is, cell, f.Label, f.Code, course, f.Source))
	}
	return v, true, out
}

// courseState is one course while it is being checked.
type courseState struct {
	ca      *CourseAudit
	row     CourseRow
	parsed  map[compute.FieldCode]value
	eqf     int
	ended   time.Time
	hasDate bool
}

var courseFieldSet = func() map[compute.FieldCode]Field {
	m := map[compute.FieldCode]Field{}
	for _, f := range CourseFields() {
		m[f.Code] = f
	}
	return m
}()

// cellOf returns a field's cell on the course's row: the entry's cell, or
// the field's column on that row, or the row's code cell, or column A.
func (r *runner) cellOf(cs *courseState, code compute.FieldCode) CellRef {
	if e, ok := cs.row.Entries[code]; ok && e.Cell != "" {
		return e.Cell
	}
	if c, ok := r.in.Columns[code]; ok && c.Letter != "" {
		return CellRef(SheetCourses + "!" + c.Letter + strconv.Itoa(cs.row.Row))
	}
	if code != "codice_percorso" {
		return r.cellOf(cs, "codice_percorso")
	}
	return CellRef(SheetCourses + "!A" + strconv.Itoa(cs.row.Row))
}

func (r *runner) courses() {
	rows := append([]CourseRow(nil), r.in.Courses...)
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Row < rows[j].Row })
	var kept []CourseRow
	for _, row := range rows {
		if !blankRow(row) {
			kept = append(kept, row)
		}
	}
	states := make([]*courseState, len(kept))
	stopped := func() bool { return r.ctx.Err() != nil }
	inParallel(len(kept), func(i int) {
		if !stopped() {
			states[i] = r.parseCourse(kept[i])
		}
	})
	if stopped() {
		return
	}
	r.attachReaderFindings(states)
	r.duplicates(states)
	// Each course is checked and scored on its own, on every core; what
	// gathers findings across courses (the female indicator's missing
	// Soglie values) then runs in order.
	inParallel(len(states), func(i int) {
		if !stopped() {
			r.checkCourse(states[i])
		}
	})
	if stopped() {
		return
	}
	for _, cs := range states {
		r.finishCourse(cs)
	}
	inParallel(len(states), func(i int) {
		if !stopped() {
			r.sensitivity(states[i])
			sortFindings(states[i].ca.Findings)
		}
	})
	if stopped() {
		return
	}
	r.audit.Courses = make([]CourseAudit, 0, len(states))
	for _, cs := range states {
		r.audit.Courses = append(r.audit.Courses, *cs.ca)
	}
	// Keep only the scorers some course used.
	for _, c := range r.audit.Courses {
		if c.Pack != nil {
			r.audit.Scorers[c.Pack.ID] = r.scorers[c.Pack.ID]
		}
	}
}

// inParallel calls fn(0) … fn(n-1) on every core, in contiguous batches.
// A panic in fn is raised again in the caller, as if fn had run there.
func inParallel(n int, fn func(int)) {
	workers := min(runtime.GOMAXPROCS(0), n/16+1)
	if workers <= 1 {
		for i := 0; i < n; i++ {
			fn(i)
		}
		return
	}
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		caught any
	)
	per := (n + workers - 1) / workers
	for from := 0; from < n; from += per {
		to := min(from+per, n)
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if p := recover(); p != nil {
					mu.Lock()
					caught = p
					mu.Unlock()
				}
			}()
			for i := from; i < to; i++ {
				fn(i)
			}
		}()
	}
	wg.Wait()
	if caught != nil {
		panic(caught)
	}
}

func blankRow(row CourseRow) bool {
	for _, e := range row.Entries {
		if !e.Blank() && !(e.Type == EntryText && strings.TrimSpace(e.Text) == "" && e.Formula == "") {
			return false
		}
	}
	return true
}

// parseCourse parses and checks every field of a row on its own.
func (r *runner) parseCourse(row CourseRow) *courseState {
	n := len(r.fields)
	cs := &courseState{
		row: row, parsed: make(map[compute.FieldCode]value, n),
		ca: &CourseAudit{
			Row: row.Row, Values: make(map[compute.FieldCode]float64, n), Cells: make(map[compute.FieldCode]CellRef, n),
			TextNumbers: map[compute.FieldCode]bool{},
		},
	}
	if e, ok := row.Entries["codice_percorso"]; ok {
		cs.ca.Code = strings.TrimSpace(e.Text)
	}
	for _, f := range r.fields {
		cell := r.cellOf(cs, f.Code)
		cs.ca.Cells[f.Code] = cell
		v, ok, fs := r.checkField(f, row.Entries[f.Code], cell, cs.ca.Code)
		cs.ca.Findings = append(cs.ca.Findings, fs...)
		if !ok {
			continue
		}
		cs.parsed[f.Code] = v
		switch f.Kind {
		case KindCount, KindHours, KindRating, KindEQF, KindYear, KindNumber:
			cs.ca.Values[f.Code] = v.Num
			if v.FromText {
				cs.ca.TextNumbers[f.Code] = true
			}
		}
		switch f.Code {
		case "livello_eqf":
			cs.eqf = int(v.Num)
			cs.ca.EQF = cs.eqf
		case "data_fine":
			cs.ended, cs.hasDate = v.Date, true
			cs.ca.Ended = v.Date
		}
	}
	return cs
}

// attachReaderFindings gives each finding of the reader to the course of its
// row (or code); the others are workbook-level.
func (r *runner) attachReaderFindings(states []*courseState) {
	for _, f := range r.in.Findings {
		sheet, _, row := splitCell(f.Cell)
		var target *courseState
		for _, cs := range states {
			if sheet == SheetCourses && row == cs.row.Row {
				target = cs
				break
			}
		}
		if target == nil && f.Course != "" {
			n := 0
			for _, cs := range states {
				if cs.ca.Code == f.Course {
					target = cs
					n++
				}
			}
			if n != 1 {
				target = nil
			}
		}
		if target == nil {
			r.addWorkbook(f)
			continue
		}
		if f.Course == "" {
			f.Course = target.ca.Code
		}
		target.ca.Findings = append(target.ca.Findings, f)
	}
}

// duplicates reports every course whose code repeats an earlier one (codes
// compare without case and surrounding spaces).
func (r *runner) duplicates(states []*courseState) {
	first := map[string]*courseState{}
	for _, cs := range states {
		v, ok := cs.parsed["codice_percorso"]
		if !ok {
			continue
		}
		key := strings.ToLower(v.Text)
		f, dup := first[key]
		if !dup {
			first[key] = cs
			continue
		}
		x := newFinding(RuleDuplicateCode, cs.ca.Cells["codice_percorso"], "found", v.Text,
			"first_row", strconv.Itoa(f.row.Row), "first_cell", string(f.ca.Cells["codice_percorso"]))
		x.Field, x.Course = "codice_percorso", cs.ca.Code
		cs.ca.Findings = append(cs.ca.Findings, x)
	}
}

// checkCourse runs the checks that need the whole course: the pack, the
// area, the relations between fields, the scoring and the legal constraints.
func (r *runner) checkCourse(cs *courseState) {
	ca := cs.ca
	add := func(f Finding) {
		if f.Course == "" {
			f.Course = ca.Code
		}
		ca.Findings = append(ca.Findings, f)
	}

	pack := r.choosePack(cs, add)
	ca.Pack = pack

	// Area.
	if v, ok := cs.parsed["area_tecnologica"]; ok {
		packs := r.candidates
		if pack != nil {
			packs = []*compute.Pack{pack}
		}
		if name, ok := findArea(v.Text, packs); ok {
			ca.Area = name
		} else {
			names := areaNames(packs)
			sugg := ""
			if s := closestArea(v.Text, names); s != "" {
				sugg = " (forse «" + s + "»?)"
			}
			f := newFinding(RuleUnknownArea, ca.Cells["area_tecnologica"], "found", v.Text, "suggestion", sugg, "count", strconv.Itoa(len(names)), "expected", strings.Join(names, "; "))
			f.Field = "area_tecnologica"
			add(f)
		}
	}

	// Relations between fields.
	env := make(valuesEnv, len(ca.Values)+len(r.fields))
	for k, v := range ca.Values {
		env[string(k)] = v
	}
	for i := range crossRules {
		rule := &crossRules[i]
		if len(rule.cond.Vars()) == 1 {
			continue // checked with the field
		}
		if holds, ok := rule.holds(env); ok && !holds {
			add(rule.finding(env, ca.Cells))
		}
	}

	if pack == nil {
		return
	}

	// Scoring.
	sc := r.scorers[pack.ID]
	if sc == nil {
		return
	}
	// The other reading is scored only for a course that keeps its total
	// (see otherReading): the comparison of a blocked course is dropped.
	blocked := false
	for _, f := range ca.Findings {
		blocked = blocked || f.Severity == compute.SeverityError
	}
	res := sc.Score(compute.Course{Code: ca.Code, Area: ca.Area, Values: ca.Values, Blocked: blocked})
	ca.Result = res

	errCells := map[CellRef]bool{}
	for _, f := range ca.Findings {
		if f.Severity == compute.SeverityError {
			errCells[f.Cell] = true
		}
	}
	for _, p := range res.Problems {
		cell := r.problemCell(cs, pack, res, p)
		if p.Severity == compute.SeverityError && errCells[cell] {
			continue // the same cell's finding above already says what is wrong
		}
		src := p.Citation
		if src == "" {
			src = pack.Source.Short
		}
		field := p.Field
		if _, ok := courseFieldSet[field]; !ok {
			field = ""
		}
		found := p.Shown
		if found == "" {
			found = valueText(p.Value)
		}
		add(Finding{
			Rule: p.Rule, Severity: p.Severity, Cell: cell, Field: field, Source: src,
			Found: found, Expected: p.Expected, Message: composeMessage(cell, p.Text(fieldLabel), src),
		})
	}
}

// fieldLabel is the workbook's label of a field, for compute's messages.
func fieldLabel(code compute.FieldCode) string {
	if f, ok := courseFieldSet[code]; ok {
		return f.Label
	}
	return ""
}

// finishCourse ends the check of a course, in the order of the courses:
// the female indicator, whose missing values are gathered across courses.
// Whether the course has a total was decided by compute (Course.Blocked
// and its own problems, legal constraints included).
func (r *runner) finishCourse(cs *courseState) {
	ca := cs.ca
	res, pack := ca.Result, ca.Pack
	if res == nil || pack == nil {
		return
	}
	add := func(f Finding) {
		if f.Course == "" {
			f.Course = ca.Code
		}
		ca.Findings = append(ca.Findings, f)
	}
	r.femaleFinding(cs, pack, res, add)
}

// sensitivity scores a course that keeps its total under each single
// alternative choice of the run (compute.Scorer.Sensitivity).
func (r *runner) sensitivity(cs *courseState) {
	ca := cs.ca
	if ca.Result == nil || ca.Result.Total == nil || ca.Pack == nil {
		return
	}
	if sc := r.scorers[ca.Pack.ID]; sc != nil {
		ca.Sensitivity = sc.Sensitivity(compute.Course{Code: ca.Code, Area: ca.Area, Values: ca.Values}, ca.Result)
	}
}

func valueText(v *float64) string {
	if v == nil {
		return ""
	}
	return fmtNum(*v)
}

// choosePack chooses the course's rule pack: the forced one, or by EQF level
// and end date (I-4). It reports why no pack applies.
func (r *runner) choosePack(cs *courseState, add func(Finding)) *compute.Pack {
	ca := cs.ca
	if cs.eqf == 0 {
		return nil // livello_eqf missing or invalid: already reported
	}
	eqfCell, dateCell := ca.Cells["livello_eqf"], ca.Cells["data_fine"]
	eqfText := strconv.Itoa(cs.eqf)
	var forEQF []*compute.Pack
	for _, p := range r.reg.Packs() {
		if p.Applies.EQF == cs.eqf {
			forEQF = append(forEQF, p)
		}
	}
	if r.opt.Pack != "" {
		p := r.candidates[0]
		if p.Applies.EQF != cs.eqf {
			if len(forEQF) == 0 && cs.eqf == 6 {
				add(newFinding(RuleEQF6, eqfCell, "found", eqfText))
			} else {
				add(newFinding(RuleForcedPackEQF, eqfCell, "found", eqfText, "pack", string(p.ID), "pack_eqf", strconv.Itoa(p.Applies.EQF), "eqf", eqfText))
			}
			return nil
		}
		if cs.hasDate && !p.AppliesTo(cs.eqf, cs.ended) {
			add(newFinding(RuleForcedPack, dateCell, "value", fmtDate(cs.ended), "found", fmtDate(cs.ended), "pack", string(p.ID), "reason", outsideReason(p, cs.ended)))
		}
		return p
	}
	if len(forEQF) == 0 {
		if cs.eqf == 6 {
			add(newFinding(RuleEQF6, eqfCell, "found", eqfText))
		} else {
			add(newFinding(RuleNoPack, eqfCell, "eqf", eqfText, "ended", "", "found", eqfText))
		}
		return nil
	}
	if !cs.hasDate {
		return nil // data_fine missing or invalid: already reported
	}
	p, err := r.reg.ForCourse(cs.eqf, cs.ended)
	if err == nil {
		return p
	}
	var earliest time.Time
	for _, q := range forEQF {
		if from, err := time.Parse(time.DateOnly, q.Applies.EndedFrom); err == nil && (earliest.IsZero() || from.Before(earliest)) {
			earliest = from
		}
	}
	if !earliest.IsZero() && cs.ended.Before(earliest) {
		add(newFinding(RuleCU2015, dateCell, "value", fmtDate(cs.ended), "found", fmtDate(cs.ended), "from", fmtDate(earliest)))
	} else {
		add(newFinding(RuleNoPack, dateCell, "eqf", eqfText, "ended", findings.Say(findings.PhraseEndedOn, "date", fmtDate(cs.ended)), "found", fmtDate(cs.ended)))
	}
	return nil
}

// outsideReason says why a pack does not cover a course's end date.
func outsideReason(p *compute.Pack, ended time.Time) string {
	if from, err := time.Parse(time.DateOnly, p.Applies.EndedFrom); err == nil && ended.Before(from) {
		return findings.Say(findings.PhrasePackFrom, "date", fmtDate(from))
	}
	if to, err := time.Parse(time.DateOnly, p.Applies.EndedTo); err == nil && ended.After(to) {
		return findings.Say(findings.PhrasePackTo, "date", fmtDate(to))
	}
	return findings.Say(findings.PhrasePackOther)
}

// problemCell finds the cell of a compute problem: its field's cell (a
// course field or a Soglie code), the Soglie cell of an articulation's
// threshold, the first input of the articulation, or the row's code cell.
func (r *runner) problemCell(cs *courseState, p *compute.Pack, res *compute.CourseResult, pr compute.Problem) CellRef {
	if pr.Field != "" {
		if _, ok := courseFieldSet[pr.Field]; ok {
			return r.cellOf(cs, pr.Field)
		}
		if c, ok := r.soglieCells[string(pr.Field)]; ok {
			return c
		}
	}
	if n, ok := compute.ResultNumber(pr.Quantity); ok {
		if pr.Rule == compute.RuleThresholdRange {
			if a, ok := p.Articulation(n); ok {
				code := a.Threshold.Code
				if a.Threshold.Area != "" {
					if area, ok := p.AreaByName(cs.ca.Area); ok {
						code = a.Threshold.Area + "_" + area.Key
					}
				}
				if c, ok := r.soglieCells[code]; ok {
					return c
				}
			}
		}
		for _, a := range res.Articulations {
			if a.Number == n && len(a.Fields) > 0 {
				return r.cellOf(cs, a.Fields[0])
			}
		}
	}
	return r.cellOf(cs, "codice_percorso")
}

// femaleFinding reports a female indicator that cannot be computed: on the
// course when its own data are the cause, once for the workbook when only
// the area means of Soglie are missing (the decree does not publish them).
func (r *runner) femaleFinding(cs *courseState, p *compute.Pack, res *compute.CourseResult, add func(Finding)) {
	fp := res.Female.FemaleProblem()
	if fp == nil {
		return
	}
	onlyThresholds := res.Female.Result != nil && len(res.Female.Missing) > 0
	for _, m := range res.Female.Missing {
		if _, ok := p.Threshold(m); !ok {
			onlyThresholds = false
		}
	}
	if onlyThresholds {
		codes := append([]string(nil), res.Female.Missing...)
		sort.Strings(codes)
		key := strings.Join(codes, ",")
		g := r.femaleMissing[key]
		if g == nil {
			g = &femaleGroup{codes: codes}
			r.femaleMissing[key] = g
		}
		name := cs.ca.Code
		if name == "" {
			name = "riga " + strconv.Itoa(cs.row.Row)
		}
		g.courses = append(g.courses, name)
		return
	}
	cell := r.cellOf(cs, "codice_percorso")
	for _, m := range res.Female.Missing {
		if _, ok := courseFieldSet[compute.FieldCode(m)]; ok {
			cell = r.cellOf(cs, compute.FieldCode(m))
			break
		}
	}
	for _, f := range cs.ca.Findings {
		if f.Cell == cell && f.Severity == compute.SeverityError {
			return // the error on that cell already explains it
		}
	}
	add(Finding{Rule: fp.Rule, Severity: fp.Severity, Cell: cell, Source: fp.Citation, Message: composeMessage(cell, fp.Message, fp.Citation)})
}

func (r *runner) femaleFindings() {
	keys := slices.Sorted(maps.Keys(r.femaleMissing))
	for _, k := range keys {
		g := r.femaleMissing[k]
		list := g.courses
		more := ""
		if len(list) > 10 {
			more = " e altri " + strconv.Itoa(len(list)-10)
			list = list[:10]
		}
		courses := "il percorso " + list[0]
		if len(g.courses) > 1 {
			courses = "i percorsi " + strings.Join(list, ", ") + more
		}
		var cell CellRef
		for _, c := range g.codes {
			if x, ok := r.soglieCells[c]; ok {
				cell = x
				break
			}
		}
		r.addWorkbook(newFinding(RuleFemaleThresholds, cell, "courses", courses, "codes", strings.Join(g.codes, ", "), "expected", strings.Join(g.codes, ", ")))
	}
}

func (r *runner) addWorkbook(f Finding) { r.audit.Findings = append(r.audit.Findings, f) }

// splitCell splits "Sheet!AB12" into sheet, column number (A = 1) and row.
// Missing parts are empty or 0.
func splitCell(c CellRef) (sheet string, col, row int) {
	s := string(c)
	if i := strings.LastIndexByte(s, '!'); i >= 0 {
		sheet, s = strings.Trim(s[:i], "'"), s[i+1:]
	}
	i := 0
	for i < len(s) && (s[i] >= 'A' && s[i] <= 'Z' || s[i] >= 'a' && s[i] <= 'z' || s[i] == '$') {
		if s[i] != '$' && col < 1<<20 {
			col = col*26 + int((s[i]|0x20)-'a'+1)
		}
		i++
	}
	n, err := strconv.Atoi(strings.TrimPrefix(s[i:], "$"))
	if err == nil && n > 0 {
		row = n
	}
	return sheet, col, row
}

var sheetRank = map[string]int{SheetFoundation: 0, SheetCourses: 1, SheetThresholds: 2}

// sortFindings orders findings by sheet, row, column, rule and message.
func sortFindings(fs []Finding) {
	type key struct {
		rank, row, col int
		sheet          string
	}
	keyOf := func(f Finding) key {
		sh, col, row := splitCell(f.Cell)
		rank, ok := sheetRank[sh]
		if !ok {
			rank = 3
		}
		if f.Cell == "" {
			rank = -1
		}
		return key{rank, row, col, sh}
	}
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := keyOf(fs[i]), keyOf(fs[j])
		return cmp.Or(cmp.Compare(a.rank, b.rank), cmp.Compare(a.sheet, b.sheet), cmp.Compare(a.row, b.row), cmp.Compare(a.col, b.col),
			cmp.Compare(fs[i].Cell, fs[j].Cell), cmp.Compare(fs[i].Rule, fs[j].Rule), cmp.Compare(fs[i].Message, fs[j].Message)) < 0
	})
}
