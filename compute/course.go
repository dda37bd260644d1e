package compute

import (
	"errors"
	"fmt"
	"math"
	"strings"
)

// Course is one course's figures, keyed by the field codes of WORKBOOK.md.
type Course struct {
	Code   string
	Area   string // Tab. 4 name (or the pack's area key)
	Values map[FieldCode]float64
}

// CourseResult is the full scoring of one course.
type CourseResult struct {
	Code            string               `json:"code"`
	RulePack        PackID               `json:"rule_pack"`
	PackVersion     string               `json:"rule_pack_version"`
	Reading         Reading              `json:"reading"`
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
	Fields    []FieldCode `json:"fields"`
	Traces    []Trace     `json:"traces"`
}

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

// courseEnv resolves the variables of result formulas: earlier results
// (R1…), threshold codes (S12…) and the course's input fields.
type courseEnv struct {
	sc      *Scorer
	values  map[FieldCode]float64
	results [64]float64
	have    [64]bool
}

func (e *courseEnv) Get(name string) (float64, bool) {
	if n, ok := resultNumber(name); ok {
		if n < len(e.have) && e.have[n] {
			return e.results[n], true
		}
		return 0, false
	}
	if v, _, ok := e.sc.threshold(name); ok {
		return v, true
	}
	v, ok := e.values[FieldCode(name)]
	return v, ok
}

// Score computes every articulation, indicator, the total and the band of a
// course, and the female-students indicator. It never panics and never
// returns a non-finite number: problems in the data are reported in
// Problems, all at once, and a course with an error has a nil Total.
func (sc *Scorer) Score(c Course) *CourseResult {
	p := sc.pack
	res := &CourseResult{
		Code: c.Code, RulePack: p.ID, PackVersion: p.Version, Reading: sc.reading,
		Interpretations: sc.interp, Overridden: sc.overridden,
		Articulations: make([]ArticulationResult, 0, len(p.Articulations)),
	}
	env := &courseEnv{sc: sc, values: c.Values}
	bad := sc.checkInputs(c, res)

	area, areaOK := p.AreaByName(c.Area)
	if areaOK {
		res.Area = area.Name
	}
	areaReported := false

	for i := range p.Articulations {
		a := &p.Articulations[i]
		ar := ArticulationResult{Number: a.Number, Name: a.Name, Indicator: a.Indicator, Function: a.Function, Weight: a.Weight}
		rTrace, ok := sc.result(a, env, bad, res)
		ar.Fields = fieldsOf(rTrace.Inputs)
		if ok {
			ar.Result = f64(rTrace.Value)
			ar.Traces = append(ar.Traces, rTrace)
			env.results[a.Number], env.have[a.Number] = rTrace.Value, true
		}
		var thr *ThresholdUse
		thrOK := true
		if !a.Threshold.None() {
			if a.Threshold.Area != "" && !areaOK {
				thrOK = false
				if !areaReported {
					areaReported = true
					res.Problems = append(res.Problems, newProblem(RuleUnknownArea, "area_tecnologica", "", nil, p.Areas.Citation, map[string]string{"value": c.Area}))
				}
			} else {
				thr, thrOK = sc.articulationThreshold(a, area, res)
			}
			if thr != nil {
				ar.Threshold = f64(thr.Value)
			}
		}
		if ok && thrOK {
			sc.score(a, &ar, rTrace.Value, thr, res)
		}
		res.Articulations = append(res.Articulations, ar)
	}

	sc.indicators(res, env)
	sc.total(res)
	res.Female = sc.female(c, area, areaOK)
	return res
}

// checkInputs reports missing, non-finite, negative and implausible inputs
// among the fields the pack reads; it returns the set of unusable fields.
func (sc *Scorer) checkInputs(c Course, res *CourseResult) map[FieldCode]bool {
	bad := map[FieldCode]bool{}
	for _, f := range sc.fields {
		v, ok := c.Values[f]
		var pr *Problem
		switch {
		case !ok:
			pb := newProblem(RuleMissingValue, f, sc.usersOf(f), nil, "", nil)
			pr = &pb
		case math.IsNaN(v) || math.IsInf(v, 0):
			pb := newProblem(RuleNotFinite, f, "", nil, "", nil)
			pr = &pb
		case v < 0:
			pb := newProblem(RuleNegative, f, "", f64(v), "", nil)
			pr = &pb
		case v > sc.pack.InputLimit:
			pb := newProblem(RuleTooLarge, f, "", f64(v), "", map[string]string{"limit": num(sc.pack.InputLimit)})
			pr = &pb
		}
		if pr != nil {
			bad[f] = true
			res.Problems = append(res.Problems, *pr)
		}
	}
	return bad
}

// usersOf names the articulations whose result reads field f.
func (sc *Scorer) usersOf(f FieldCode) string {
	var ns []string
	for _, a := range sc.pack.Articulations {
		if contains(a.Result.expr.Vars(), string(f)) {
			ns = append(ns, "R"+itoa(a.Number))
		}
	}
	if len(ns) == 0 {
		return "il calcolo"
	}
	return strings.Join(ns, ", ")
}

// resultExpr returns the result formula and explanation under the run's
// interpretation choices.
func (sc *Scorer) resultExpr(a *Articulation) (*Expr, string) {
	for _, alt := range a.Result.Alternatives {
		if sc.interp[alt.Interpretation] == alt.Choice {
			return alt.expr, alt.Explanation + " [" + alt.Interpretation + "]"
		}
	}
	return a.Result.expr, a.Result.Explanation
}

// result computes R of an articulation with its trace.
func (sc *Scorer) result(a *Articulation, env *courseEnv, bad map[FieldCode]bool, res *CourseResult) (Trace, bool) {
	q := "R" + itoa(a.Number)
	expr, expl := sc.resultExpr(a)
	tr := Trace{
		Quantity: q, Label: a.Name, Formula: q + " = " + pretty(expr.String()),
		Explanation: expl, Citation: a.Citation,
	}
	ok := true
	for _, v := range expr.Vars() {
		x, have := env.Get(v)
		b := Binding{Symbol: v, Value: x}
		switch {
		case isResult(v):
			b.From = v
		case sc.isThreshold(v):
			b.From = v
		default:
			b.Field = FieldCode(v)
			if bad[b.Field] {
				ok = false
			}
		}
		if !have {
			ok = false
		}
		tr.Inputs = append(tr.Inputs, b)
	}
	if !ok {
		return tr, false
	}
	if d := a.Result.Denominator; d != "" && contains(expr.Vars(), d) {
		if x, _ := env.Get(d); x == 0 {
			if a.Result.ZeroDenom == "zero" {
				tr.Value = 0
				tr.Notes = append(tr.Notes, fmt.Sprintf("«%s» = 0: %s posto a 0 (RULES.md I-6).", d, q))
				res.Problems = append(res.Problems, newProblem(RuleZeroGraduates, FieldCode(d), q, f64(0), a.Citation, nil))
				return tr, true
			}
			res.Problems = append(res.Problems, newProblem(RuleZeroDenominator, FieldCode(d), q, f64(0), a.Citation, map[string]string{"formula": pretty(expr.String())}))
			return tr, false
		}
	}
	r, err := expr.Eval(env)
	if err != nil || math.IsNaN(r) || math.IsInf(r, 0) {
		// Inputs are finite, bounded and denominators non-zero, so this is
		// only reachable through a pack whose formula divides by a field it
		// does not declare as denominator: report it on the first field.
		res.Problems = append(res.Problems, newProblem(RuleOutOfDomain, "", q, nil, a.Citation, map[string]string{"value": "non definito", "domain": "dei numeri finiti", "fields": strings.Join(fieldNames(tr.Inputs), ", ")}))
		return tr, false
	}
	tr.Value = r
	return tr, true
}

func isResult(name string) bool { _, ok := resultNumber(name); return ok }

func (sc *Scorer) isThreshold(name string) bool {
	_, ok := sc.pack.thresholdByKey[name]
	return ok
}

func fieldsOf(bs []Binding) []FieldCode {
	var out []FieldCode
	for _, b := range bs {
		if b.Field != "" {
			out = append(out, b.Field)
		}
	}
	return out
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

// articulationThreshold resolves S for an articulation: a Tab. 3 code, or the
// area's Tab. 4 mean with the footnote-3 correction when N and the general
// mean are supplied. It checks S is admissible for the function.
func (sc *Scorer) articulationThreshold(a *Articulation, area *Area, res *CourseResult) (*ThresholdUse, bool) {
	p := sc.pack
	var tu *ThresholdUse
	if a.Threshold.Code != "" {
		def := p.thresholdByKey[a.Threshold.Code]
		v, src, _ := sc.threshold(def.Code)
		tu = &ThresholdUse{Code: def.Code, Value: v, Source: src, Default: def.Default, Citation: def.Citation}
	} else {
		code := a.Threshold.Area + "_" + area.Key
		def := p.thresholdByKey[code]
		mean, src, _ := sc.threshold(code)
		tu = &ThresholdUse{Code: code, Value: mean, Source: src, Default: def.Default, Citation: def.Citation}
		ac := p.AreaCorrection
		nVal, _, haveN := sc.threshold(ac.NCode)
		gCode := ac.GeneralCodes[a.Threshold.Area]
		gVal, _, haveG := sc.threshold(gCode)
		switch {
		case haveN && haveG:
			env := varsEnv{}
			env.set("A", mean)
			env.set("N", nVal)
			env.set("G", gVal)
			v, err := p.areaCorrection.Eval(&env)
			if err == nil && !math.IsNaN(v) && !math.IsInf(v, 0) {
				tu.Value, tu.Source = v, SourceCorrected
				tu.Citation = ac.Citation
				tu.Correction = &Correction{Formula: "S = " + pretty(ac.Formula), Inputs: []Binding{
					{Symbol: "A", Value: mean, From: code},
					{Symbol: "N", Value: nVal, From: ac.NCode},
					{Symbol: "G", Value: gVal, From: gCode},
				}}
			}
		case haveN || haveG:
			missing := ac.NCode
			if haveN {
				missing = gCode
			}
			tu.Note = fmt.Sprintf("Correzione della nota 3 non applicata: manca %s. Soglia = media dell'area (I-3).", missing)
		default:
			tu.Note = "Soglia = media dell'area della Tab. 4, senza la correzione della nota 3 (N e media generale non forniti; I-3)."
		}
	}
	if err := a.fn.checkThreshold(tu.Value); err != nil {
		res.Problems = append(res.Problems, newProblem(RuleThresholdRange, "", "R"+itoa(a.Number), f64(tu.Value), tu.Citation, map[string]string{"detail": err.(*Error).Msg}))
		return tu, false
	}
	return tu, true
}

// score applies the function and computes the points.
func (sc *Scorer) score(a *Articulation, ar *ArticulationResult, r float64, thr *ThresholdUse, res *CourseResult) {
	p := sc.pack
	q := itoa(a.Number)
	var s *float64
	if thr != nil {
		s = f64(thr.Value)
	}
	ev, err := a.fn.Eval(r, s, sc.reading, p.Scale)
	if err != nil {
		var ce *Error
		detail := err.Error()
		if errors.As(err, &ce) {
			detail = ce.Msg
		}
		res.Problems = append(res.Problems, newProblem(RuleOutOfDomain, "", "R"+q, f64(r), a.Citation, map[string]string{
			"domain": a.fn.domainText(), "fields": strings.Join(fieldNames(ar.Traces[0].Inputs), ", "), "detail": detail,
		}))
		return
	}
	pt := Trace{
		Quantity: "P" + q, Label: "Punteggio dell'articolazione " + q, Value: ev.Score,
		Formula: ev.Formula, Explanation: ev.Explanation, Branch: ev.Branch,
		Reading: sc.reading, Erratum: ev.Erratum, Threshold: thr, Citation: ev.Citation,
		Inputs:    []Binding{{Symbol: "R", Value: r, From: "R" + q}},
		Unclamped: ev.Unclamped,
	}
	if thr != nil {
		pt.Inputs = append(pt.Inputs, Binding{Symbol: "S", Value: thr.Value, From: thr.Code})
	}
	if ev.Erratum != "" {
		e, _ := p.Erratum(ev.Erratum)
		pt.Notes = append(pt.Notes, fmt.Sprintf("Errata %s (lettura coerente): stampato %s.", e.ID, e.Printed))
	}
	if ev.Unclamped != nil {
		pt.Notes = append(pt.Notes, fmt.Sprintf("La formula dà %s, fuori dalla scala %s–%s: riportato a %s (%s).", num(*ev.Unclamped), num(p.Scale.Min), num(p.Scale.Max), num(ev.Score), p.Scale.Citation))
	}
	if ev.Note != "" {
		pt.Notes = append(pt.Notes, ev.Note)
	}
	points := a.Weight * ev.Score / p.Scale.Max
	kt := Trace{
		Quantity: "punti" + q, Label: "Punti dell'articolazione " + q, Value: points,
		Formula:     fmt.Sprintf("punti = peso × P / %s", num(p.Scale.Max)),
		Explanation: fmt.Sprintf("Il punteggio P%s pesato con il peso dell'articolazione (%s su %s).", q, num(a.Weight), num(p.Scale.Max)),
		Inputs:      []Binding{{Symbol: "peso", Value: a.Weight, From: "Tab. 2"}, {Symbol: "P", Value: ev.Score, From: "P" + q}},
		Citation:    a.Citation + " (peso)",
	}
	ar.Score, ar.Points, ar.Branch = f64(ev.Score), f64(points), ev.Branch
	ar.Traces = append(ar.Traces, pt, kt)
}

// indicators sums articulation points per indicator and applies zeroing.
func (sc *Scorer) indicators(res *CourseResult, env *courseEnv) {
	p := sc.pack
	for _, ind := range p.Indicators {
		ir := IndicatorResult{Number: ind.Number, Name: ind.Name, Weight: ind.Weight}
		tr := Trace{
			Quantity: "indicatore" + itoa(ind.Number), Label: "Punti dell'indicatore " + ind.Name,
			Citation: ind.Citation,
		}
		sum, complete := 0.0, true
		var nums []string
		for _, ar := range res.Articulations {
			if ar.Indicator != ind.Number {
				continue
			}
			nums = append(nums, itoa(ar.Number))
			if ar.Points == nil {
				complete = false
				continue
			}
			sum += *ar.Points
			tr.Inputs = append(tr.Inputs, Binding{Symbol: "punti" + itoa(ar.Number), Value: *ar.Points, From: "punti" + itoa(ar.Number)})
		}
		tr.Formula = "somma dei punti delle articolazioni " + strings.Join(nums, ", ")
		tr.Explanation = fmt.Sprintf("Somma dei punti delle articolazioni dell'indicatore (massimo %s).", num(ind.Weight))
		for _, z := range p.zeroing {
			if z.rule.Indicator != ind.Number {
				continue
			}
			holds, err := z.cond.Holds(env)
			if err != nil || !holds {
				continue
			}
			ir.Zeroed = true
			tr.Formula = "0 (azzeramento: " + z.rule.When + ")"
			tr.Explanation = z.rule.Explanation
			tr.Citation = z.rule.Citation
			tr.Notes = append(tr.Notes, fmt.Sprintf("Interpretazione %s. Somma delle articolazioni senza azzeramento: %s.", z.rule.Interpretation, num(sum)))
			for _, v := range z.cond.Vars() {
				x, _ := env.Get(v)
				tr.Inputs = append(tr.Inputs, Binding{Symbol: v, Value: x, Field: FieldCode(v)})
			}
		}
		switch {
		case ir.Zeroed:
			ir.Points = f64(0)
		case complete:
			ir.Points = f64(sum)
		}
		if ir.Points != nil {
			tr.Value = *ir.Points
		}
		ir.Trace = tr
		res.Indicators = append(res.Indicators, ir)
	}
}

// total sums the indicators and finds the band, unless an error blocks it.
func (sc *Scorer) total(res *CourseResult) {
	for _, pr := range res.Problems {
		if pr.Severity == SeverityError {
			return
		}
	}
	p := sc.pack
	t := 0.0
	tr := Trace{
		Quantity: "totale", Label: "Punteggio del percorso", Formula: "T = somma dei punti dei 6 indicatori",
		Explanation: "Somma dei punti degli indicatori (pesi della Tab. 1, totale 100).", Reading: sc.reading,
		Citation: p.Source.Short + ", All. tecnico, Tab. 1 e Tab. 2",
	}
	for _, ir := range res.Indicators {
		if ir.Points == nil {
			return
		}
		t += *ir.Points
		tr.Inputs = append(tr.Inputs, Binding{Symbol: ir.Name, Value: *ir.Points, From: ir.Trace.Quantity})
	}
	tr.Formula = fmt.Sprintf("T = somma dei punti dei %d indicatori", len(res.Indicators))
	tr.Value = t
	res.Total, res.TotalTrace = f64(t), &tr
	env := varsEnv{}
	env.set("T", t)
	for _, b := range p.bands {
		if ok, _ := b.cond.Holds(&env); ok {
			res.Band = &BandResult{Code: b.band.Code, Label: b.band.Label, Rule: b.band.When, Citation: p.Bands.Citation}
			break
		}
	}
}
