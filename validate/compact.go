package validate

import (
	"math"
	"strconv"
	"strings"

	"github.com/its-academy/auditor/compute"
)

// The owner's numbers a trace can explain (ReportTraceText.Of).
const (
	ofResult = "result"
	ofScore  = "score"
	ofPoints = "points"
	ofTotal  = "total"
	ofWeight = "weight"
)

// reportTrace adds the cells of the course's input fields to a trace.
func (c *CourseAudit) reportTrace(t compute.Trace) ReportTrace {
	rt := ReportTrace{TraceText: t.TraceText, Value: t.Value, Threshold: t.Threshold, Unclamped: t.Unclamped, Notes: t.Notes}
	if len(t.Inputs) > 0 {
		rt.Inputs = make([]ReportBinding, len(t.Inputs))
		for i, b := range t.Inputs {
			rt.Inputs[i] = ReportBinding{BindingText: b.BindingText, Value: b.Value}
			if b.BindingText != nil && b.Field != "" {
				if cell, ok := c.Cells[b.Field]; ok && cell != "" {
					rt.Inputs[i].Cell = &cell
				}
			}
		}
	}
	return rt
}

// owner is what a trace belongs to: the numbers its "of" can name and the
// threshold a score trace's threshold repeats.
type owner struct {
	result, score, points, total *float64
	threshold, weight            *float64
	number                       int // the articulation's, 0 for others
	indicator                    bool
}

func (o owner) value(of string) *float64 {
	switch of {
	case ofResult:
		return o.result
	case ofScore:
		return o.score
	case ofPoints:
		return o.points
	case ofTotal:
		return o.total
	case ofWeight:
		return o.weight
	}
	return nil
}

// of names the number of its owner a trace explains, from its quantity.
func (o owner) of(quantity string) string {
	switch {
	case o.indicator:
		return ofPoints
	case o.number == 0:
		return ofTotal
	}
	n := strconv.Itoa(o.number)
	switch quantity {
	case "R" + n:
		return ofResult
	case "P" + n:
		return ofScore
	case "punti" + n:
		return ofPoints
	}
	return ""
}

// inputOf names the number of its owner an input repeats: the weight of an
// articulation.
func (o owner) inputOf(b *compute.BindingText) string {
	if o.number != 0 && !o.indicator && b != nil && b.Symbol == "peso" && b.Field == "" {
		return ofWeight
	}
	return ""
}

// ownedTrace is a trace of a course with its owner.
type ownedTrace struct {
	t *ReportTrace
	o owner
}

// courseTraces lists a course's traces with their owners, in the order
// the encoder and Resolve both follow.
func courseTraces(rc *ReportCourse, out []ownedTrace) []ownedTrace {
	out = out[:0]
	for ai := range rc.Articulations {
		a := &rc.Articulations[ai]
		o := owner{result: a.Result, score: a.Score, points: a.Points, threshold: a.Threshold, weight: &a.Weight, number: a.Number}
		for ti := range a.Traces {
			out = append(out, ownedTrace{&a.Traces[ti], o})
		}
	}
	for ii := range rc.Indicators {
		if ind := &rc.Indicators[ii]; ind.Trace != nil {
			out = append(out, ownedTrace{ind.Trace, owner{points: ind.Points, indicator: true}})
		}
	}
	if rc.TotalTrace != nil {
		out = append(out, ownedTrace{rc.TotalTrace, owner{total: rc.Total}})
	}
	return out
}

// sameNumber reports whether b holds exactly v (the same bits: JSON then
// writes the same digits).
func sameNumber(b *float64, v float64) bool {
	return b != nil && math.Float64bits(*b) == math.Float64bits(v)
}

func samePtr(a, b *float64) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return sameNumber(a, *b)
}

// valueTable is a course's values by quantity (its traces' values) and by
// threshold code (its traces' thresholds): what an input's "from" can name.
// A name given two different values has none.
type valueTable map[string]tableValue

type tableValue struct {
	v         float64
	ambiguous bool
}

func (vt valueTable) add(name string, v float64) {
	if name == "" {
		return
	}
	if old, ok := vt[name]; ok {
		if !old.ambiguous && math.Float64bits(old.v) != math.Float64bits(v) {
			vt[name] = tableValue{ambiguous: true}
		}
		return
	}
	vt[name] = tableValue{v: v}
}

// get is the value of a name, nil when the course has none.
func (vt valueTable) get(name string) *float64 {
	if tv, ok := vt[name]; ok && !tv.ambiguous {
		return &tv.v
	}
	return nil
}

// fill makes vt the table of a course's traces.
func (vt valueTable) fill(ts []ownedTrace) valueTable {
	clear(vt)
	for _, ot := range ts {
		if ot.t.TraceText != nil {
			vt.add(ot.t.Quantity, ot.t.Value)
		}
		if u := ot.t.Threshold; u != nil {
			vt.add(u.Code, u.Value)
		}
	}
	return vt
}

// cellIn splits a cell into its sheet and column and its row: "Percorsi!G3"
// → "Percorsi!G", 3.
func cellIn(cell CellRef) (string, int, bool) {
	s := string(cell)
	i := len(s)
	for i > 0 && s[i-1] >= '0' && s[i-1] <= '9' {
		i--
	}
	if i == 0 || i == len(s) || len(s)-i > 9 {
		return "", 0, false
	}
	row, err := strconv.Atoi(s[i:])
	if err != nil || strconv.Itoa(row) != s[i:] {
		return "", 0, false
	}
	return s[:i], row, true
}

// derivedCell is the cell an input of a field is in by the report's
// columns, on the course's row.
func derivedCell(columns map[compute.FieldCode]string, b *compute.BindingText, row int) (CellRef, bool) {
	if b == nil || b.Field == "" {
		return "", false
	}
	col, ok := columns[b.Field]
	if !ok {
		return "", false
	}
	return CellRef(col + strconv.Itoa(row)), true
}

// sameCell reports whether an input's cell is the one derivedCell gives.
func sameCell(b *ReportBinding, columns map[compute.FieldCode]string, row int) bool {
	if b.BindingText == nil || b.Field == "" {
		return b.Cell == nil
	}
	col, ok := columns[b.Field]
	if !ok || b.Cell == nil {
		return !ok && b.Cell == nil
	}
	tail, ok := strings.CutPrefix(string(*b.Cell), col)
	if !ok || tail == "" || tail[0] == '0' || len(tail) > 9 {
		return false
	}
	n := 0
	for i := 0; i < len(tail); i++ {
		if tail[i] < '0' || tail[i] > '9' {
			return false
		}
		n = n*10 + int(tail[i]-'0')
	}
	return n == row
}

// encoder gives a report's texts their ids and writes each course's
// compact JSON fields.
type encoder struct {
	texts      *ReportTexts
	columns    map[compute.FieldCode]string
	traces     map[traceKey]string
	inputs     map[compute.BindingText]string
	thresholds map[ReportThresholdText]string
	defaults   map[float64]*float64
	notes      map[string]string
	choices    map[ReportChoiceText]string
	bands      map[compute.BandResult]string
	// known gives the id of a trace's text by the identity of its parts
	// (the engine shares them between courses), before traceText's key.
	known map[fastKey]string
	ts    []ownedTrace
	vt    valueTable
}

// maxFastInputs is the most inputs a fastKey holds.
const maxFastInputs = 8

// fastKey identifies a trace's text by its parts' addresses; the parts
// are read-only, so the same addresses mean the same text.
type fastKey struct {
	text      *compute.TraceText
	of        string
	inputs    [maxFastInputs]*compute.BindingText
	n         int
	threshold *compute.ThresholdUse // the run's, shared by its courses
	notes     *string
	nnotes    int
}

type traceKey struct {
	text                                   compute.TraceText
	of, inputs, inputsOf, threshold, notes string
}

func newEncoder() *encoder {
	return &encoder{
		texts: &ReportTexts{Traces: map[string]*ReportTraceText{}, Inputs: map[string]*compute.BindingText{},
			Thresholds: map[string]*ReportThresholdText{}, Notes: map[string]string{},
			Choices: map[string]*ReportChoiceText{}, Bands: map[string]*compute.BandResult{},
			Indicators: map[compute.PackID]map[int]int{}},
		columns: map[compute.FieldCode]string{},
		traces:  map[traceKey]string{}, inputs: map[compute.BindingText]string{},
		thresholds: map[ReportThresholdText]string{}, defaults: map[float64]*float64{}, notes: map[string]string{},
		choices: map[ReportChoiceText]string{}, bands: map[compute.BandResult]string{},
		known: map[fastKey]string{}, vt: valueTable{},
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

func (e *encoder) input(b *compute.BindingText) string {
	if b == nil {
		b = &compute.BindingText{}
	}
	if id, ok := e.inputs[*b]; ok {
		return id
	}
	id := "i" + strconv.Itoa(len(e.inputs)+1)
	e.inputs[*b] = id
	e.texts.Inputs[id] = b
	return id
}

func (e *encoder) threshold(u *compute.ThresholdUse) string {
	key := ReportThresholdText{Code: u.Code, Citation: u.Citation, Note: u.Note}
	if u.Default != nil {
		key.Default = e.canonical(*u.Default)
	}
	id, ok := e.thresholds[key]
	if !ok {
		id = variantID(e.texts.Thresholds, u.Code)
		e.thresholds[key] = id
		text := key
		e.texts.Thresholds[id] = &text
	}
	return id
}

func (e *encoder) note(n string) string {
	if id, ok := e.notes[n]; ok {
		return id
	}
	id := "n" + strconv.Itoa(len(e.notes)+1)
	e.notes[n] = id
	e.texts.Notes[id] = n
	return id
}

// traceText gives the id of a trace's text with its inputs', threshold's
// and notes' ids.
func (e *encoder) traceText(t *ReportTrace, o owner, of string) string {
	fast := len(t.Inputs) <= maxFastInputs
	var fk fastKey
	if fast {
		fk = fastKey{text: t.TraceText, of: of, n: len(t.Inputs), nnotes: len(t.Notes)}
		for i, b := range t.Inputs {
			fk.inputs[i] = b.BindingText
		}
		fk.threshold = t.Threshold
		if len(t.Notes) > 0 {
			fk.notes = &t.Notes[0]
		}
		if id, ok := e.known[fk]; ok {
			return id
		}
	}
	id := e.slowTraceText(t, o, of)
	if fast {
		e.known[fk] = id
	}
	return id
}

// canonical is the one pointer the encoder uses for a default value.
func (e *encoder) canonical(v float64) *float64 {
	d, ok := e.defaults[v]
	if !ok {
		d = &v
		e.defaults[v] = d
	}
	return d
}

func (e *encoder) slowTraceText(t *ReportTrace, o owner, of string) string {
	text := ReportTraceText{TraceText: *t.TraceText, Of: of}
	for i, b := range t.Inputs {
		text.Inputs = append(text.Inputs, e.input(b.BindingText))
		if in := o.inputOf(b.BindingText); in != "" {
			if text.InputsOf == nil {
				text.InputsOf = make([]string, len(t.Inputs))
			}
			text.InputsOf[i] = in
		}
	}
	if t.Threshold != nil {
		text.Threshold = e.threshold(t.Threshold)
	}
	for _, n := range t.Notes {
		text.Notes = append(text.Notes, e.note(n))
	}
	key := traceKey{text: text.TraceText, of: of, inputs: strings.Join(text.Inputs, ","), inputsOf: strings.Join(text.InputsOf, ","),
		threshold: text.Threshold, notes: strings.Join(text.Notes, ",")}
	if id, ok := e.traces[key]; ok {
		return id
	}
	id := variantID(e.texts.Traces, text.Quantity)
	e.traces[key] = id
	e.texts.Traces[id] = &text
	return id
}

// addColumns records the column of every cell the courses' traces read.
// The first course to use a field gives its column; an input elsewhere is
// written with its cells.
func (e *encoder) addColumns(rc *ReportCourse) {
	e.ts = courseTraces(rc, e.ts)
	for _, ot := range e.ts {
		for _, b := range ot.t.Inputs {
			if b.BindingText == nil || b.Field == "" || b.Cell == nil {
				continue
			}
			if _, ok := e.columns[b.Field]; ok {
				continue
			}
			if col, row, ok := cellIn(*b.Cell); ok && row == rc.Row {
				e.columns[b.Field] = col
			}
		}
	}
}

// compact writes the texts, the columns and every course's compact JSON
// fields from the report's Go values.
func (r *Report) compact() {
	enc := newEncoder()
	for i := range r.Courses {
		enc.course(&r.Courses[i])
	}
	r.Texts, r.Columns = enc.texts, enc.columns
}

// course writes the compact JSON fields of a course whose Go fields are
// set, the courses before it written already. The first course to use a
// field gives its column (addColumns): a later course can only check its
// cells against a column that an earlier one, or itself, gave.
func (e *encoder) course(rc *ReportCourse) {
	e.addColumns(rc)
	e.ts = courseTraces(rc, e.ts)
	ts := e.ts
	for _, ot := range ts {
		t := ot.t
		if t.TraceText == nil { // not made by the engine: its value at least
			v := t.Value
			t.OwnValue = &v
			continue
		}
		of := ot.o.of(t.Quantity)
		t.Text = e.traceText(t, ot.o, of)
		t.OwnValue = nil
		if own := ot.o.value(of); !sameNumber(own, t.Value) {
			v := t.Value
			t.OwnValue = &v
		}
		t.ThresholdValue = nil
		if u := t.Threshold; u != nil {
			th := ReportThreshold{Correction: u.Correction}
			if !sameNumber(ot.o.threshold, u.Value) {
				v := u.Value
				th.Value = &v
			}
			if u.Source != compute.SourceDefault {
				th.Source = u.Source
			}
			if th.Value != nil || th.Source != "" || th.Correction != nil {
				t.ThresholdValue = &th
			}
		}
	}
	vt := e.vt.fill(ts)
	for _, ot := range ts {
		t := ot.t
		if t.TraceText == nil {
			continue
		}
		t.InputValues, t.InputCells = nil, nil
		cellsDiffer := false
		for i := range t.Inputs {
			b := &t.Inputs[i]
			var ref *float64
			if in := ot.o.inputOf(b.BindingText); in != "" {
				ref = ot.o.value(in)
			} else if b.BindingText != nil {
				ref = vt.get(b.From)
			}
			if b.BindingText == nil || !sameNumber(ref, b.Value) {
				if t.InputValues == nil {
					t.InputValues = make([]*float64, len(t.Inputs))
				}
				t.InputValues[i] = &b.Value
			}
			if !cellsDiffer {
				cellsDiffer = !sameCell(b, e.columns, rc.Row)
			}
		}
		if cellsDiffer {
			t.InputCells = make([]CellRef, len(t.Inputs))
			for i, b := range t.Inputs {
				if b.Cell != nil {
					t.InputCells[i] = *b.Cell
				}
			}
		}
	}
	var indicators map[int]int
	if rc.RulePack != nil {
		indicators = e.texts.Indicators[*rc.RulePack]
		if indicators == nil {
			indicators = map[int]int{}
			e.texts.Indicators[*rc.RulePack] = indicators
		}
	}
	for ai := range rc.Articulations {
		a := &rc.Articulations[ai]
		a.IndicatorValue = nil
		if indicators != nil {
			if v, ok := indicators[a.Number]; !ok {
				indicators[a.Number] = a.Indicator
				continue
			} else if v == a.Indicator {
				continue
			}
		}
		v := a.Indicator
		a.IndicatorValue = &v
	}
	rc.BandText = ""
	if rc.BandDetail != nil && rc.Band != nil {
		b := *rc.BandDetail
		id, ok := e.bands[b]
		if !ok {
			id = variantID(e.texts.Bands, b.Code)
			e.bands[b] = id
			e.texts.Bands[id] = &b
		}
		if id != *rc.Band {
			rc.BandText = id
		}
	}
	rc.SensitivityValues = nil
	if rc.Sensitivity != nil {
		rc.SensitivityValues = make([]ReportAlternative, len(rc.Sensitivity))
		for i, a := range rc.Sensitivity {
			rc.SensitivityValues[i] = e.alternative(rc, a)
		}
	}
}

// courseBand is a course's band code, "" when it has none.
func courseBand(rc *ReportCourse) string {
	if rc.Band == nil {
		return ""
	}
	return *rc.Band
}

// deltaOf is an alternative's delta as it follows from the totals.
func deltaOf(total, courseTotal *float64) *float64 {
	if total == nil || courseTotal == nil {
		return nil
	}
	d := *total - *courseTotal
	return &d
}

// articulationScore is the score of a course's articulation n.
func articulationScore(rc *ReportCourse, n int) *float64 {
	for i := range rc.Articulations {
		if rc.Articulations[i].Number == n {
			return rc.Articulations[i].Score
		}
	}
	return nil
}

func (e *encoder) alternative(rc *ReportCourse, a compute.Alternative) ReportAlternative {
	key := ReportChoiceText{Choice: a.Choice, Alternative: a.Alternative, Label: a.Label}
	id, ok := e.choices[key]
	if !ok {
		id = variantID(e.texts.Choices, a.Choice+"="+a.Alternative)
		e.choices[key] = id
		text := key
		e.texts.Choices[id] = &text
	}
	out := ReportAlternative{ID: id, Total: a.Total}
	if !samePtr(a.Delta, deltaOf(a.Total, rc.Total)) {
		out.Delta = a.Delta
	}
	band := courseBand(rc)
	if a.Band != band {
		b := a.Band
		out.Band = &b
	}
	if a.BandChanged != (a.Band != band) {
		bc := a.BandChanged
		out.BandChanged = &bc
	}
	for _, ch := range a.Changes {
		c := ReportChange{Number: ch.Number, Alternative: ch.Alternative}
		if !samePtr(ch.Score, articulationScore(rc, ch.Number)) {
			c.Score = ch.Score
		}
		out.Changes = append(out.Changes, c)
	}
	return out
}

// Resolve gives a report read back from JSON the Go values Audit.Report
// builds: each trace's texts (TraceText, BindingText, Threshold, Notes),
// the values given by reference, the inputs' cells, each course's
// Sensitivity and BandDetail. Ids missing from the texts are left
// unresolved.
func (r *Report) Resolve() {
	if r.Texts == nil {
		return
	}
	for ci := range r.Courses {
		r.resolveCourse(&r.Courses[ci])
	}
}

func (r *Report) resolveCourse(rc *ReportCourse) {
	ts := courseTraces(rc, nil)
	texts := make([]*ReportTraceText, len(ts))
	for i, ot := range ts {
		t := ot.t
		text := r.Texts.Traces[t.Text]
		texts[i] = text
		if t.OwnValue != nil {
			t.Value = *t.OwnValue
		}
		if text == nil {
			continue
		}
		tt := text.TraceText
		t.TraceText = &tt
		if v := ot.o.value(text.Of); t.OwnValue == nil && v != nil {
			t.Value = *v
		}
		t.Threshold = nil
		if text.Threshold != "" {
			u := &compute.ThresholdUse{Source: compute.SourceDefault}
			if th := r.Texts.Thresholds[text.Threshold]; th != nil {
				u.Code, u.Default, u.Citation, u.Note = th.Code, th.Default, th.Citation, th.Note
			}
			if ot.o.threshold != nil {
				u.Value = *ot.o.threshold
			}
			if th := t.ThresholdValue; th != nil {
				if th.Value != nil {
					u.Value = *th.Value
				}
				if th.Source != "" {
					u.Source = th.Source
				}
				u.Correction = th.Correction
			}
			t.Threshold = u
		}
		t.Notes = nil
		for _, id := range text.Notes {
			t.Notes = append(t.Notes, r.Texts.Notes[id])
		}
	}
	vt := valueTable{}.fill(ts)
	for i, ot := range ts {
		t, text := ot.t, texts[i]
		if text == nil {
			continue
		}
		t.Inputs = make([]ReportBinding, len(text.Inputs))
		for k, id := range text.Inputs {
			b := ReportBinding{BindingText: r.Texts.Inputs[id]}
			if k < len(t.InputValues) && t.InputValues[k] != nil {
				b.Value = *t.InputValues[k]
			} else if k < len(text.InputsOf) && text.InputsOf[k] != "" {
				if v := ot.o.value(text.InputsOf[k]); v != nil {
					b.Value = *v
				}
			} else if b.BindingText != nil {
				if v := vt.get(b.From); v != nil {
					b.Value = *v
				}
			}
			if t.InputCells != nil {
				if k < len(t.InputCells) && t.InputCells[k] != "" {
					c := t.InputCells[k]
					b.Cell = &c
				}
			} else if c, ok := derivedCell(r.Columns, b.BindingText, rc.Row); ok {
				b.Cell = &c
			}
			t.Inputs[k] = b
		}
		if len(t.Inputs) == 0 {
			t.Inputs = nil
		}
	}
	for ai := range rc.Articulations {
		a := &rc.Articulations[ai]
		if a.IndicatorValue != nil {
			a.Indicator = *a.IndicatorValue
		} else if rc.RulePack != nil {
			a.Indicator = r.Texts.Indicators[*rc.RulePack][a.Number]
		}
	}
	rc.BandDetail = nil
	if rc.Band != nil {
		id := rc.BandText
		if id == "" {
			id = *rc.Band
		}
		if b := r.Texts.Bands[id]; b != nil {
			bd := *b
			rc.BandDetail = &bd
		}
	}
	rc.Sensitivity = nil
	if rc.SensitivityValues != nil {
		rc.Sensitivity = make([]compute.Alternative, len(rc.SensitivityValues))
		band := courseBand(rc)
		for i, ra := range rc.SensitivityValues {
			a := compute.Alternative{Total: ra.Total, Delta: ra.Delta, Band: band}
			if text := r.Texts.Choices[ra.ID]; text != nil {
				a.Choice, a.Alternative, a.Label = text.Choice, text.Alternative, text.Label
			}
			if ra.Delta == nil {
				a.Delta = deltaOf(ra.Total, rc.Total)
			}
			if ra.Band != nil {
				a.Band = *ra.Band
			}
			a.BandChanged = a.Band != band
			if ra.BandChanged != nil {
				a.BandChanged = *ra.BandChanged
			}
			for _, ch := range ra.Changes {
				pc := compute.PChanged{Number: ch.Number, Score: ch.Score, Alternative: ch.Alternative}
				if ch.Score == nil {
					pc.Score = articulationScore(rc, ch.Number)
				}
				a.Changes = append(a.Changes, pc)
			}
			rc.Sensitivity[i] = a
		}
	}
}
