package compute

import (
	"errors"
	"math"
	"strings"
)

// Course is one course's figures, keyed by the field codes of WORKBOOK.md.
type Course struct {
	Code   string
	Area   string // Tab. 4 name (or the pack's area key)
	Values map[FieldCode]float64
	// Blocked is set by a caller that found an error in the course's data
	// before scoring (an inconsistent figure, a duplicate code…): the
	// course is scored but gets no total.
	Blocked bool
}

// CourseResult is the full scoring of one course.
type CourseResult struct {
	Code            string               `json:"code"`
	RulePack        PackID               `json:"rule_pack"`
	PackVersion     string               `json:"rule_pack_version"`
	Reading         Reading              `json:"reading"`
	Errata          Errata               `json:"errata"`
	Interpretations map[string]string    `json:"interpretations"`
	Area            string               `json:"area,omitempty"`
	Total           *float64             `json:"total"`
	Band            *BandResult          `json:"band"`
	TotalTrace      *Trace               `json:"total_trace,omitempty"`
	Articulations   []ArticulationResult `json:"articulations"`
	Indicators      []IndicatorResult    `json:"indicators"`
	Female          FemaleOutcome        `json:"female_indicator"`
	Problems        []Problem            `json:"problems"`
	Overridden      []Override           `json:"overridden"`
}

// ArticulationResult is R, S, P, weight and points of one articulation, with
// the traces that explain them. Result, Score and Points are nil when the
// articulation could not be computed (see the course's problems).
type ArticulationResult struct {
	Number    int         `json:"number"`
	Name      string      `json:"name"`
	Indicator int         `json:"indicator"`
	Function  string      `json:"function"`
	Result    *float64    `json:"result"`
	Threshold *float64    `json:"threshold"`
	Score     *float64    `json:"score"`
	Weight    float64     `json:"weight"`
	Points    *float64    `json:"points"`
	Branch    string      `json:"branch"`
	Zeroed    bool        `json:"zeroed,omitempty"` // its points set to 0 by a zeroing rule (I-7)
	Fields    []FieldCode `json:"fields"`
	Traces    []Trace     `json:"traces"`
}

// trace returns the articulation's trace of the quantity named prefix+n
// ("R", "P", "punti"), or nil when it was not computed.
func (a *ArticulationResult) trace(prefix string) *Trace {
	q := prefix + itoa(a.Number)
	for i := range a.Traces {
		if a.Traces[i].TraceText != nil && a.Traces[i].Quantity == q {
			return &a.Traces[i]
		}
	}
	return nil
}

// ResultTrace explains R, or is nil when R was not computed.
func (a *ArticulationResult) ResultTrace() *Trace { return a.trace("R") }

// ScoreTrace explains P (the function's branch, S), or is nil.
func (a *ArticulationResult) ScoreTrace() *Trace { return a.trace("P") }

// PointsTrace explains the points (weight × P / max, or a zeroing), or is nil.
func (a *ArticulationResult) PointsTrace() *Trace { return a.trace("punti") }

// IndicatorResult is the points of one indicator of Tab. 1.
type IndicatorResult struct {
	Number int      `json:"number"`
	Name   string   `json:"name"`
	Weight float64  `json:"weight"`
	Points *float64 `json:"points"`
	Zeroed bool     `json:"zeroed"`
	Trace  Trace    `json:"trace"`
}

// BandResult is the outcome band of a course total (I-5).
type BandResult struct {
	Code     string `json:"code"`
	Label    string `json:"label"`
	Rule     string `json:"rule"`
	Citation string `json:"citation"`
}

// Scored reports whether the course received a total.
func (cr *CourseResult) Scored() bool { return cr.Total != nil }

// Score computes every articulation, indicator, the total and the band of a
// course, and the female-students indicator. It never panics and never
// returns a non-finite number: problems in the data are reported in
// Problems, all at once, and a course with an error has a nil Total.
func (sc *Scorer) Score(c Course) *CourseResult {
	res, ar := sc.pack.newResult()
	sc.scoreInto(c, res, ar)
	return res
}

// newResult returns an empty result and an arena with room for one
// course of the pack.
func (p *Pack) newResult() (*CourseResult, *arena) {
	n := len(p.Articulations)
	return &CourseResult{Articulations: make([]ArticulationResult, 0, n)}, &arena{
		floats: make([]float64, 0, 5*n+len(p.Indicators)+1),
		binds:  make([]Binding, 0, p.bindingsCap),
		traces: make([]Trace, 0, 3*n),
	}
}

// reset empties an arena for another course, keeping its room: what the
// last course's result pointed into is overwritten.
func (a *arena) reset() {
	a.floats, a.binds, a.traces = a.floats[:0], a.binds[:0], a.traces[:0]
}

// scoreInto scores c into res, reusing its Articulations' room, with
// values, bindings and traces taken from ar.
func (sc *Scorer) scoreInto(c Course, res *CourseResult, ar *arena) {
	p := sc.pack
	*res = CourseResult{
		Code: c.Code, RulePack: p.ID, PackVersion: p.Version, Reading: sc.reading, Errata: sc.errata,
		Interpretations: sc.interp, Overridden: sc.overridden,
		Articulations: res.Articulations[:0],
	}
	env := sc.newEnv()
	sc.checkInputs(c, res, env)

	area, areaOK := p.AreaByName(c.Area)
	areaIdx := -1
	if areaOK {
		res.Area = area.Name
		areaIdx = area.index(p)
	}
	areaReported := false

	for i := range p.Articulations {
		a := &p.Articulations[i]
		res.Articulations = append(res.Articulations, ArticulationResult{Number: a.Number, Name: a.Name, Indicator: a.Indicator, Function: a.Function, Weight: a.Weight, Traces: ar.traceList(3)})
		out := &res.Articulations[i]
		rTrace, fields, ok := sc.result(a, env, res, ar)
		out.Fields = fields
		if ok {
			out.Result = ar.f(rTrace.Value)
			out.Traces = append(out.Traces, rTrace)
			env.vals[a.txt.rSlot], env.have[a.txt.rSlot] = rTrace.Value, true
		}
		var te thresholdEntry
		thrOK := true
		switch {
		case a.Threshold.Code != "":
			te = sc.thr[i]
		case a.Threshold.Area != "" && areaOK:
			te = sc.areaThr[i][areaIdx]
		case a.Threshold.Area != "":
			thrOK = false
			if !areaReported {
				areaReported = true
				res.Problems = append(res.Problems, newProblem(RuleUnknownArea, "area_tecnologica", "", nil, p.Areas.Citation, map[string]string{"value": c.Area}))
			}
		}
		if te.use != nil {
			out.Threshold = ar.f(te.use.Value)
		}
		if te.bad != nil {
			thrOK = false
			res.Problems = append(res.Problems, newProblem(RuleThresholdRange, "", a.txt.r, f64(te.use.Value), te.use.Citation, map[string]string{"detail": te.bad.Msg}))
		}
		if ok && thrOK {
			sc.score(a, out, rTrace.Value, te.use, res, ar)
		}
	}

	sc.indicators(res, env, ar)
	sc.legal(res, env)
	if !c.Blocked {
		sc.total(res, ar)
	}
	res.Female = sc.female(c, area, areaOK)
}

// newEnv returns a fresh variable vector with the run's thresholds filled in.
func (sc *Scorer) newEnv() *slotEnv {
	t := &sc.template
	n := len(t.vals)
	buf := make([]float64, n)
	have := make([]bool, n)
	copy(buf, t.vals)
	copy(have, t.have)
	return &slotEnv{vals: buf, have: have, slotOf: t.slotOf}
}

// index returns the area's position in the pack's Tab. 4.
func (a *Area) index(p *Pack) int {
	for i := range p.Areas.Rows {
		if &p.Areas.Rows[i] == a {
			return i
		}
	}
	return -1
}

// checkInputs copies the usable inputs into the variable vector and reports
// missing, non-finite, negative and implausible ones among the fields the
// pack reads. An unusable field stays without a value.
func (sc *Scorer) checkInputs(c Course, res *CourseResult, env *slotEnv) {
	for i, f := range sc.fields {
		v, ok := c.Values[f]
		switch {
		case !ok:
			res.Problems = append(res.Problems, newProblem(RuleMissingValue, f, sc.usersOf(f), nil, "", nil))
		case math.IsNaN(v) || math.IsInf(v, 0):
			res.Problems = append(res.Problems, newProblem(RuleNotFinite, f, "", nil, "", nil))
		case v < 0:
			res.Problems = append(res.Problems, newProblem(RuleNegative, f, "", f64(v), "", nil))
		case v > sc.pack.InputLimit:
			res.Problems = append(res.Problems, newProblem(RuleTooLarge, f, "", f64(v), "", map[string]string{"limit": num(sc.pack.InputLimit)}))
		default:
			slot := sc.fieldSlots[i]
			env.vals[slot], env.have[slot] = v, true
		}
	}
}

// usersOf names the articulations whose result reads field f.
func (sc *Scorer) usersOf(f FieldCode) string {
	var ns []string
	for _, a := range sc.pack.Articulations {
		if contains(a.Result.expr.Vars(), string(f)) {
			ns = append(ns, a.txt.r)
		}
	}
	if len(ns) == 0 {
		return "il calcolo"
	}
	return strings.Join(ns, ", ")
}

// resultDef returns the result formula under the run's interpretation
// choices, with its trace text, input fields and variables.
func (sc *Scorer) resultDef(a *Articulation) (*Expr, *TraceText, []FieldCode, []varRef) {
	for i := range a.Result.Alternatives {
		alt := &a.Result.Alternatives[i]
		if sc.interp[alt.Interpretation] == alt.Choice {
			return alt.expr, alt.text, alt.fields, alt.refs
		}
	}
	return a.Result.expr, a.Result.text, a.Result.fields, a.Result.refs
}

// result computes R of an articulation with its trace.
func (sc *Scorer) result(a *Articulation, env *slotEnv, res *CourseResult, ar *arena) (Trace, []FieldCode, bool) {
	q := a.txt.r
	expr, text, fields, refs := sc.resultDef(a)
	tr := Trace{TraceText: text, Inputs: ar.bindings(len(refs))}
	ok, denom := true, -1
	for _, r := range refs {
		tr.Inputs = append(tr.Inputs, Binding{BindingText: r.text, Value: env.vals[r.slot]})
		if r.name == a.Result.Denominator {
			denom = r.slot
		}
		if env.have[r.slot] {
			continue
		}
		ok = false
		if _, isR := resultNumber(r.name); !isR && r.field == "" {
			// A threshold code with no default that the run did not supply.
			res.Problems = append(res.Problems, newProblem(RuleMissingValue, FieldCode(r.name), q, nil, a.Citation, nil))
		}
	}
	if !ok {
		return tr, fields, false
	}
	if d := a.Result.Denominator; denom >= 0 {
		if env.vals[denom] == 0 {
			if a.Result.ZeroDenom == "zero" {
				tr.Value = 0
				pr := newProblem(RuleZeroGraduates, FieldCode(d), q, f64(0), a.Citation, map[string]string{"note": a.Result.ZeroNote})
				tr.Notes = append(tr.Notes, pr.Message)
				res.Problems = append(res.Problems, pr)
				return tr, fields, true
			}
			res.Problems = append(res.Problems, newProblem(RuleZeroDenominator, FieldCode(d), q, f64(0), a.Citation, map[string]string{"formula": pretty(expr.String())}))
			return tr, fields, false
		}
	}
	r, err := expr.Eval(env)
	if err != nil || math.IsNaN(r) || math.IsInf(r, 0) {
		// Inputs are finite, bounded and denominators non-zero, so this is
		// only reachable through a pack whose formula divides by a field it
		// does not declare as denominator.
		res.Problems = append(res.Problems, newProblem(RuleOutOfDomain, "", q, nil, a.Citation, map[string]string{"value": "non definito", "domain": "dei numeri finiti", "fields": strings.Join(fieldNames(tr.Inputs), ", ")}))
		return tr, fields, false
	}
	tr.Value = r
	return tr, fields, true
}

func fieldNames(bs []Binding) []string {
	var out []string
	for _, b := range bs {
		if b.Field != "" {
			out = append(out, string(b.Field))
		}
	}
	return out
}

// score applies the function and computes the points.
func (sc *Scorer) score(a *Articulation, out *ArticulationResult, r float64, thr *ThresholdUse, res *CourseResult, ar *arena) {
	p := sc.pack
	var s *float64
	if thr != nil {
		s = &thr.Value
	}
	c, err := a.fn.eval(r, s, sc.set, p.Scale)
	if err != nil {
		var ce *Error
		detail := err.Error()
		if errors.As(err, &ce) {
			detail = ce.Msg
		}
		res.Problems = append(res.Problems, newProblem(RuleOutOfDomain, "", a.txt.r, f64(r), a.Citation, map[string]string{
			"domain": a.fn.domainText(), "fields": strings.Join(fieldNames(out.Traces[0].Inputs), ", "), "detail": detail,
		}))
		return
	}
	ri := a.fn.Intervals[c.interval].formIndex(sc.set)
	text := a.txt.pByBranch[c.interval][ri]
	k := len(out.Traces)
	out.Traces = out.Traces[:k+2] // P and points, within the arena's room of 3
	pt, kt := &out.Traces[k], &out.Traces[k+1]
	pt.TraceText, pt.Value, pt.Threshold = text, c.score, thr
	pt.Inputs, pt.Notes = ar.bindings(2), a.fn.Intervals[c.interval].notes[ri]
	pt.Inputs = append(pt.Inputs, Binding{BindingText: a.txt.bindR, Value: r})
	if thr != nil {
		pt.Inputs = append(pt.Inputs, Binding{BindingText: thr.bind, Value: thr.Value})
	}
	if c.clamped {
		pt.Unclamped = ar.f(c.raw)
		pt.Notes = append(pt.Notes[:len(pt.Notes):len(pt.Notes)], say(txtClamped, "raw", num(c.raw), "min", num(p.Scale.Min), "max", num(p.Scale.Max), "score", num(c.score), "citation", p.Scale.Citation))
	}
	points := a.Weight * c.score / p.Scale.Max
	kt.TraceText, kt.Value, kt.Inputs = a.txt.points, points, ar.bindings(2)
	kt.Inputs = append(kt.Inputs, Binding{BindingText: a.txt.bindWeight, Value: a.Weight}, Binding{BindingText: a.txt.bindP, Value: c.score})
	out.Score, out.Points, out.Branch = ar.f(c.score), ar.f(points), text.Branch
}

// indicators sums articulation points per indicator and applies zeroing.
func (sc *Scorer) indicators(res *CourseResult, env *slotEnv, ar *arena) {
	p := sc.pack
	res.Indicators = make([]IndicatorResult, 0, len(p.Indicators))
	for i := range p.Indicators {
		ind := &p.Indicators[i]
		ir := IndicatorResult{Number: ind.Number, Name: ind.Name, Weight: ind.Weight}
		tr := Trace{TraceText: ind.text, Inputs: ar.bindings(ind.size)}
		sum, complete := 0.0, true
		for j := range res.Articulations {
			a := &res.Articulations[j]
			if a.Indicator != ind.Number {
				continue
			}
			if a.Points == nil {
				complete = false
				continue
			}
			sc.zeroArticulation(a, env, ar)
			sum += *a.Points
			tr.Inputs = append(tr.Inputs, Binding{BindingText: p.Articulations[j].txt.bindPoints, Value: *a.Points})
		}
		for i := range p.zeroing {
			z := &p.zeroing[i]
			if z.rule.Indicator != ind.Number || len(z.rule.Articulations) > 0 || !sc.applies(z) {
				continue
			}
			holds, err := z.cond.Holds(env)
			if err != nil || !holds {
				continue
			}
			ir.Zeroed = true
			tr.TraceText = z.text
			tr.Notes = append(tr.Notes, say(txtZeroedSum, "interpretation", z.rule.Interpretation, "sum", num(sum)))
			tr.Inputs = nil
			for _, v := range z.cond.Vars() {
				x, _ := env.Get(v)
				tr.Inputs = append(tr.Inputs, bind(v, x, FieldCode(v), ""))
			}
		}
		switch {
		case ir.Zeroed:
			ir.Points = ar.f(0)
		case complete:
			ir.Points = ar.f(sum)
		}
		if ir.Points != nil {
			tr.Value = *ir.Points
		}
		ir.Trace = tr
		res.Indicators = append(res.Indicators, ir)
	}
}

// legal reports the run's legal constraints that the course breaks, as
// problems of the pack's severity on the constraint's field: the value
// shown is the constraint's quantity (a result R, as a percentage with one
// decimal) or the field's value. A constraint whose inputs are unknown is
// skipped (another problem says why).
func (sc *Scorer) legal(res *CourseResult, env *slotEnv) {
	for _, c := range sc.Constraints() {
		holds, err := c.Cond.Holds(env)
		if err != nil || holds {
			continue
		}
		lr := c.Rule
		name := lr.Field
		if lr.Quantity != "" {
			name = lr.Quantity
		}
		v, ok := env.Get(name)
		if !ok {
			continue
		}
		shown := num(v)
		if lr.Quantity != "" {
			shown = num(math.Round(v*10) / 10)
		}
		res.Problems = append(res.Problems, Problem{
			Rule: RuleID(lr.ID), Severity: Severity(lr.Severity), Field: FieldCode(lr.Field), Quantity: lr.Quantity,
			Value: f64(v), Shown: shown, Expected: lr.Holds, Citation: lr.Citation,
			Message: say(lr.Message, "value", shown),
		})
	}
}

// applies reports whether a zeroing rule holds for the run's choices.
func (sc *Scorer) applies(z *compiledZeroing) bool {
	return z.rule.Choice == "" || sc.interp[z.rule.Interpretation] == z.rule.Choice
}

// zeroArticulation sets an articulation's points to zero when a zeroing
// rule of articulation scope applies and its condition holds (I-7).
func (sc *Scorer) zeroArticulation(a *ArticulationResult, env *slotEnv, ar *arena) {
	for i := range sc.pack.zeroing {
		z := &sc.pack.zeroing[i]
		if !z.zeroes(a.Number) || !sc.applies(z) {
			continue
		}
		if holds, err := z.cond.Holds(env); err != nil || !holds {
			continue
		}
		k := len(a.Traces) - 1 // the points trace
		pts := a.Traces[k]
		a.Traces[k] = Trace{TraceText: z.artText[a.Number], Value: 0, Notes: []string{say(txtZeroedSum, "interpretation", z.rule.Interpretation, "sum", num(pts.Value))}}
		for _, v := range z.cond.Vars() {
			x, _ := env.Get(v)
			a.Traces[k].Inputs = append(a.Traces[k].Inputs, bind(v, x, FieldCode(v), ""))
		}
		a.Points, a.Zeroed = ar.f(0), true
	}
}

// total sums the indicators and finds the band, unless an error blocks it.
func (sc *Scorer) total(res *CourseResult, ar *arena) {
	for _, pr := range res.Problems {
		if pr.Severity == SeverityError {
			return
		}
	}
	p := sc.pack
	t := 0.0
	tr := Trace{TraceText: p.totalText, Inputs: ar.bindings(len(res.Indicators))}
	for i, ir := range res.Indicators {
		if ir.Points == nil {
			return
		}
		t += *ir.Points
		tr.Inputs = append(tr.Inputs, Binding{BindingText: p.Indicators[i].bind, Value: *ir.Points})
	}
	tr.Value = t
	res.Total, res.TotalTrace = ar.f(t), &tr
	env := varsEnv{}
	env.set("T", t)
	for _, b := range p.bands {
		if b.cond.holdsSmall(&env) {
			res.Band = b.result
			break
		}
	}
}

// arena hands out the small values of one course's result from a few large
// allocations: pointers to floats, binding lists and trace lists. Chunks are
// never reallocated, so handed-out pointers and slices stay valid.
type arena struct {
	floats []float64
	binds  []Binding
	traces []Trace
}

func (a *arena) f(v float64) *float64 {
	if len(a.floats) == cap(a.floats) {
		a.floats = make([]float64, 0, 96)
	}
	a.floats = append(a.floats, v)
	return &a.floats[len(a.floats)-1]
}

// bindings returns an empty slice with room for n bindings.
func (a *arena) bindings(n int) []Binding { return carve(&a.binds, n, 128) }

// traceList returns an empty slice with room for n traces.
func (a *arena) traceList(n int) []Trace { return carve(&a.traces, n, 64) }

// carve takes an empty slice with room for n elements from the chunk,
// starting a new chunk (of at least min) when the current one is full.
// Appending to the result within n never touches its neighbours.
func carve[T any](chunk *[]T, n, min int) []T {
	if cap(*chunk)-len(*chunk) < n {
		*chunk = make([]T, 0, max(n, min))
	}
	l := len(*chunk)
	*chunk = (*chunk)[:l+n]
	return (*chunk)[l : l : l+n]
}
