package compute

import (
	"fmt"
	"math"
)

// Evaluation is the outcome of one transformation function at one result.
type Evaluation struct {
	Function    string      `json:"function"`
	Result      float64     `json:"result"`
	Threshold   *float64    `json:"threshold"`
	Score       float64     `json:"score"`
	Branch      string      `json:"branch"`
	Interval    int         `json:"interval"` // 0-based index in the pack's list
	Formula     string      `json:"formula"`
	Explanation string      `json:"explanation"`
	Erratum     string      `json:"erratum,omitempty"`      // the branch's erratum, if any
	Form        ErratumForm `json:"erratum_form,omitempty"` // how it was read
	Unclamped   *float64    `json:"unclamped,omitempty"`
	Citation    string      `json:"citation"`
	Note        string      `json:"note,omitempty"`
}

// UsesThreshold reports whether the function takes a threshold S.
func (f *Function) UsesThreshold() bool { return f.uses["S"] }

// Eval applies the function to result r with threshold s (nil when the
// function has none) with the errata read as given (see Pack.ResolveErrata;
// an erratum missing from the map is read as printed), clamping to the
// pack's scale. Non-finite input, a result outside the domain, a missing or
// inadmissible threshold are errors, never scores.
func (f *Function) Eval(p *Pack, r float64, s *float64, e Errata) (Evaluation, error) {
	ev := Evaluation{Function: f.ID, Result: r, Threshold: s, Citation: f.Citation}
	set := p.set(e)
	c, err := f.eval(r, s, set, p.Scale)
	if err != nil {
		return ev, err
	}
	return c.fill(ev, f.Intervals, set), nil
}

// outcome is what evaluating a function yields, before any text is attached.
type outcome struct {
	score    float64
	interval int
	raw      float64 // the formula's value before clamping
	clamped  bool
}

// fill attaches the interval's text to an Evaluation.
func (c outcome) fill(ev Evaluation, intervals []*Interval, set errataSet) Evaluation {
	iv := intervals[c.interval]
	k := iv.formIndex(set)
	ev.Score, ev.Interval, ev.Branch = c.score, c.interval, iv.When
	ev.Formula, ev.Explanation, ev.Note = iv.formulaTextIn(k), iv.explanationIn(k), iv.Note
	if iv.Erratum != "" {
		ev.Erratum, ev.Form = iv.Erratum, FormPrinted
		if k == 0 {
			ev.Form = FormCoherent
		}
	}
	if c.clamped {
		ev.Unclamped = f64(c.raw)
	}
	return ev
}

// eval checks the arguments and evaluates the intervals.
func (f *Function) eval(r float64, s *float64, set errataSet, scale Scale) (outcome, error) {
	if math.IsNaN(r) || math.IsInf(r, 0) {
		return outcome{}, &Error{Kind: ErrNotFinite, Quantity: "R", Msg: say(txtRNotFinite, "function", f.ID)}
	}
	if r < f.Domain.Min || r > f.upper {
		return outcome{}, &Error{Kind: ErrOutOfDomain, Quantity: "R", Msg: say(txtROutOfDomain, "function", f.ID, "value", num(r), "domain", f.domainText())}
	}
	env := varsEnv{}
	env.set("R", r)
	if f.UsesThreshold() {
		if s == nil {
			return outcome{}, &Error{Kind: ErrMissingValue, Quantity: "S", Msg: say(txtSMissing, "function", f.ID)}
		}
		if err := f.checkThreshold(*s); err != nil {
			return outcome{}, err
		}
		env.set("S", *s)
	} else if s != nil {
		return outcome{}, &Error{Kind: ErrNoThreshold, Quantity: "S", Msg: say(txtSNotAllowed, "function", f.ID)}
	}
	return evalIntervals(f.Intervals, &env, set, scale)
}

// checkThreshold verifies a threshold lies in the open range where the
// function's formulas are defined and continuous.
func (f *Function) checkThreshold(s float64) error {
	rg := f.ThresholdRange
	if math.IsNaN(s) || math.IsInf(s, 0) || s <= rg.Above || s >= rg.Below {
		return &Error{Kind: ErrThresholdRange, Quantity: "S", Msg: say(txtSOutOfRange, "function", f.ID, "value", num(s), "above", num(rg.Above), "below", num(rg.Below))}
	}
	return nil
}

func (f *Function) domainText() string {
	return fmt.Sprintf("[%s, %s]", num(f.Domain.Min), num(f.upper))
}

// evalIntervals finds the first interval whose condition holds and evaluates
// its formula under the errata, clamping to the scale. Every variable the
// intervals use must be set in env (the pack loader checks which names a
// function may use).
func evalIntervals(intervals []*Interval, env *varsEnv, set errataSet, scale Scale) (outcome, error) {
	for i, iv := range intervals {
		if !iv.cond.holdsSmall(env) {
			continue
		}
		p := iv.formula(set).root.evalSmall(env)
		if math.IsNaN(p) || math.IsInf(p, 0) {
			return outcome{}, &Error{Kind: ErrNotFinite, Quantity: "P", Msg: say(txtPNotFinite, "branch", iv.When)}
		}
		c := outcome{score: p, interval: i, raw: p}
		if p < scale.Min || p > scale.Max {
			c.clamped = true
			c.score = math.Min(math.Max(p, scale.Min), scale.Max)
		}
		return c, nil
	}
	return outcome{}, &Error{Kind: ErrOutOfDomain, Quantity: "R", Msg: say(txtNoInterval, "value", num(env.valueOf("R")))}
}

// Eval evaluates articulation n's function at result r. A nil threshold
// means the pack's default; articulations with a per-area threshold need it
// given explicitly. The errata are read as e (see ResolveErrata).
func (p *Pack) Eval(n int, r float64, s *float64, e Errata) (Evaluation, error) {
	a, ok := p.Articulation(n)
	if !ok {
		return Evaluation{}, &Error{Kind: ErrUnknownCode, Msg: say(txtArticulationNone, "n", itoa(n), "pack", string(p.ID), "count", itoa(len(p.Articulations)))}
	}
	if s == nil && a.Threshold.Code != "" {
		s = p.thresholdByKey[a.Threshold.Code].Default
	}
	if s == nil && a.Threshold.Area != "" {
		return Evaluation{}, &Error{Kind: ErrMissingValue, Quantity: "S", Msg: say(txtAreaThreshold, "n", itoa(n), "citation", p.Areas.Citation)}
	}
	return a.fn.Eval(p, r, s, e)
}

// num formats a number for Italian messages: decimal comma, no trailing zeros.
func num(v float64) string {
	s := fmt.Sprintf("%.6g", v)
	if math.Abs(v) < 1e15 && v == math.Trunc(v) {
		s = fmt.Sprintf("%.0f", v)
	} else if math.Abs(v) >= 1e-4 && math.Abs(v) < 1e15 {
		s = trimZeros(fmt.Sprintf("%.6f", v))
	}
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			out = append(out, ',')
		} else {
			out = append(out, s[i])
		}
	}
	return string(out)
}

func trimZeros(s string) string {
	i := len(s)
	for i > 0 && s[i-1] == '0' {
		i--
	}
	if i > 0 && s[i-1] == '.' {
		i--
	}
	return s[:i]
}
