package compute

import (
	"fmt"
	"math"
)

// Evaluation is the outcome of one transformation function at one result.
type Evaluation struct {
	Function    string   `json:"function"`
	Result      float64  `json:"result"`
	Threshold   *float64 `json:"threshold"`
	Reading     Reading  `json:"reading"`
	Score       float64  `json:"score"`
	Branch      string   `json:"branch"`
	Interval    int      `json:"interval"` // 0-based index in the pack's list
	Formula     string   `json:"formula"`
	Explanation string   `json:"explanation"`
	Erratum     string   `json:"erratum,omitempty"`
	Unclamped   *float64 `json:"unclamped,omitempty"`
	Citation    string   `json:"citation"`
	Note        string   `json:"note,omitempty"`
}

// UsesThreshold reports whether the function takes a threshold S.
func (f *Function) UsesThreshold() bool { return f.uses["S"] }

// Eval applies the function to result r with threshold s (nil when the
// function has none) under the given reading, clamping to the pack's scale.
// Non-finite input, a result outside the domain, a missing or inadmissible
// threshold are errors, never scores.
func (f *Function) Eval(r float64, s *float64, reading Reading, scale Scale) (Evaluation, error) {
	ev := Evaluation{Function: f.ID, Result: r, Threshold: s, Reading: reading, Citation: f.Citation}
	if reading != ReadingCoherent && reading != ReadingLiteral {
		return ev, &Error{Kind: ErrReading, Msg: fmt.Sprintf("lettura %q sconosciuta", reading)}
	}
	if math.IsNaN(r) || math.IsInf(r, 0) {
		return ev, &Error{Kind: ErrNotFinite, Quantity: "R", Msg: fmt.Sprintf("funzione %s: il risultato R non è un numero finito (%v)", f.ID, r)}
	}
	if r < f.Domain.Min || (f.Domain.Max != nil && r > *f.Domain.Max) {
		return ev, &Error{Kind: ErrOutOfDomain, Quantity: "R", Msg: fmt.Sprintf("funzione %s: risultato R = %s fuori dal dominio %s", f.ID, num(r), f.domainText())}
	}
	env := varsEnv{}
	env.set("R", r)
	if f.UsesThreshold() {
		if s == nil {
			return ev, &Error{Kind: ErrMissingValue, Quantity: "S", Msg: fmt.Sprintf("funzione %s: manca la soglia S", f.ID)}
		}
		if err := f.checkThreshold(*s); err != nil {
			return ev, err
		}
		env.set("S", *s)
	} else if s != nil {
		return ev, &Error{Kind: ErrNoThreshold, Quantity: "S", Msg: fmt.Sprintf("funzione %s: non ha una soglia S (le sue soglie sono fissate per legge o assenti)", f.ID)}
	}
	return evalIntervals(ev, f.Intervals, &env, reading, scale)
}

// checkThreshold verifies a threshold lies in the open range where the
// function's formulas are defined and continuous.
func (f *Function) checkThreshold(s float64) error {
	rg := f.ThresholdRange
	if math.IsNaN(s) || math.IsInf(s, 0) || s <= rg.Above || s >= rg.Below {
		return &Error{Kind: ErrThresholdRange, Quantity: "S", Msg: fmt.Sprintf("funzione %s: soglia S = %s non ammessa (deve essere maggiore di %s e minore di %s)", f.ID, num(s), num(rg.Above), num(rg.Below))}
	}
	return nil
}

func (f *Function) domainText() string {
	if f.Domain.Max == nil {
		return fmt.Sprintf("[%s, +∞)", num(f.Domain.Min))
	}
	return fmt.Sprintf("[%s, %s]", num(f.Domain.Min), num(*f.Domain.Max))
}

// evalIntervals finds the first interval whose condition holds and evaluates
// its formula under the reading.
func evalIntervals(ev Evaluation, intervals []*Interval, env Env, reading Reading, scale Scale) (Evaluation, error) {
	for i, iv := range intervals {
		ok, err := iv.cond.Holds(env)
		if err != nil {
			return ev, err
		}
		if !ok {
			continue
		}
		expr := iv.formula(reading)
		p, err := expr.Eval(env)
		if err != nil {
			return ev, err
		}
		ev.Branch, ev.Interval = iv.When, i
		ev.Formula = "P = " + pretty(expr.String())
		ev.Explanation = iv.explanation(reading)
		ev.Note = iv.Note
		if expr == iv.coherent {
			ev.Erratum = iv.Erratum
		}
		if math.IsNaN(p) || math.IsInf(p, 0) {
			return ev, &Error{Kind: ErrNotFinite, Quantity: "P", Msg: fmt.Sprintf("ramo %s: il punteggio non è un numero finito", iv.When)}
		}
		if p < scale.Min || p > scale.Max {
			ev.Unclamped = f64(p)
			p = math.Min(math.Max(p, scale.Min), scale.Max)
		}
		ev.Score = p
		return ev, nil
	}
	return ev, &Error{Kind: ErrOutOfDomain, Quantity: "R", Msg: "nessun intervallo della funzione comprende il risultato"}
}

// Eval evaluates articulation n's function at result r. A nil threshold
// means the pack's default; articulations with a per-area threshold need it
// given explicitly.
func (p *Pack) Eval(n int, r float64, s *float64, reading Reading) (Evaluation, error) {
	a, ok := p.Articulation(n)
	if !ok {
		return Evaluation{}, &Error{Kind: ErrUnknownCode, Msg: fmt.Sprintf("articolazione %d inesistente nel pacchetto %s (1–%d)", n, p.ID, len(p.Articulations))}
	}
	if s == nil && a.Threshold.Code != "" {
		s = p.thresholdByKey[a.Threshold.Code].Default
	}
	if s == nil && a.Threshold.Area != "" {
		return Evaluation{}, &Error{Kind: ErrMissingValue, Quantity: "S", Msg: fmt.Sprintf("articolazione %d: la soglia dipende dall'area tecnologica (Tab. 4): indicarla", n)}
	}
	return a.fn.Eval(r, s, reading, p.Scale)
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
