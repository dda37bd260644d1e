package compute

import (
	"fmt"
	"math"
	"strings"
)

// FemaleOutcome is the female-students indicator of part B: computed when
// its area inputs are supplied, otherwise "not computable" with the missing
// inputs named. It never falls back to a made-up default.
type FemaleOutcome struct {
	Computable bool     `json:"computable"`
	Result     *float64 `json:"result"`
	Score      *float64 `json:"score"`
	Branch     string   `json:"branch,omitempty"`
	Missing    []string `json:"missing,omitempty"`
	Reason     string   `json:"reason,omitempty"`
	Traces     []Trace  `json:"traces,omitempty"`
	Citation   string   `json:"citation"`
}

func (sc *Scorer) female(c Course, area *Area, areaOK bool) FemaleOutcome {
	fi := sc.pack.Female
	if fi == nil {
		return FemaleOutcome{Reason: "il pacchetto di regole non prevede l'indicatore"}
	}
	out := FemaleOutcome{Citation: fi.Citation}
	var missing, reasons []string

	// The course result.
	env := &courseEnv{sc: sc, values: c.Values}
	rt := Trace{Quantity: "R_studentesse", Label: fi.Name, Formula: "R = " + pretty(fi.Result.Formula), Explanation: fi.Result.Explanation, Citation: fi.Citation}
	rOK := true
	for _, v := range fi.Result.expr.Vars() {
		x, ok := env.values[FieldCode(v)]
		if !ok || math.IsNaN(x) || math.IsInf(x, 0) || x < 0 {
			missing = append(missing, v)
			rOK = false
			continue
		}
		rt.Inputs = append(rt.Inputs, Binding{Symbol: v, Value: x, Field: FieldCode(v)})
	}
	if rOK {
		for _, d := range fi.Result.Denominators {
			if env.values[FieldCode(d)] == 0 {
				reasons = append(reasons, fmt.Sprintf("«%s» vale 0, la percentuale non è definita", d))
				rOK = false
			}
		}
	}
	var r float64
	if rOK {
		var err error
		r, err = fi.Result.expr.Eval(env)
		if err != nil || math.IsNaN(r) || math.IsInf(r, 0) {
			reasons = append(reasons, "risultato non definito")
			rOK = false
		}
		rt.Value = r
	}

	// The area parameters.
	fenv := varsEnv{}
	var params []Binding
	if !areaOK {
		reasons = append(reasons, "area tecnologica sconosciuta")
	} else {
		code := sc.pack.Areas.FemaleMeanPrefix + area.Key
		if m, _, ok := sc.threshold(code); ok {
			fenv.set("M", m)
			params = append(params, Binding{Symbol: "M", Value: m, From: code})
		} else {
			missing = append(missing, code)
		}
	}
	m, haveM := fenv.Get("M")
	var cs *FemaleCase
	if haveM {
		for _, c := range fi.Cases {
			if ok, _ := c.cond.Holds(&fenv); ok {
				cs = c
				break
			}
		}
		if cs != nil && cs.threshold != nil {
			for _, sym := range cs.threshold.Vars() {
				if sym == "M" {
					continue
				}
				code := fi.Bindings[sym]
				if v, _, ok := sc.threshold(code); ok {
					fenv.set(sym, v)
					params = append(params, Binding{Symbol: sym, Value: v, From: code})
				} else {
					missing = append(missing, code)
				}
			}
		}
	}
	if len(missing) > 0 || len(reasons) > 0 || cs == nil || !rOK {
		out.Missing = missing
		if len(missing) > 0 {
			reasons = append([]string{"mancano " + strings.Join(missing, ", ")}, reasons...)
		}
		if haveM && cs == nil {
			reasons = append(reasons, fmt.Sprintf("nessun caso della parte B si applica a MediaArea = %s", num(m)))
		}
		out.Reason = strings.Join(reasons, "; ")
		if rOK {
			out.Result = f64(r)
			out.Traces = []Trace{rt}
		}
		return out
	}

	st := Trace{Quantity: "P_studentesse", Label: fi.Name, Citation: fi.Citation, Reading: sc.reading}
	if cs.threshold != nil {
		s, err := cs.threshold.Eval(&fenv)
		if err != nil || math.IsNaN(s) || math.IsInf(s, 0) {
			out.Reason = "soglia non calcolabile"
			return out
		}
		fenv.set("S", s)
		params = append(params, Binding{Symbol: "S", Value: s})
		st.Notes = append(st.Notes, fmt.Sprintf("S = %s = %s", pretty(cs.Threshold), num(s)))
		if cs.requires != nil {
			if ok, _ := cs.requires.Holds(&fenv); !ok {
				out.Result = f64(r)
				out.Traces = []Trace{rt}
				out.Reason = fmt.Sprintf("la soglia S = %s non soddisfa %s (MediaGenerale maggiore della MediaArea?)", num(s), cs.Requires)
				return out
			}
		}
	}
	fenv.set("R", r)
	ev, err := evalIntervals(Evaluation{Function: "studentesse", Result: r, Reading: sc.reading}, cs.Intervals, &fenv, sc.reading, sc.pack.Scale)
	if err != nil {
		out.Result = f64(r)
		out.Reason = err.Error()
		return out
	}
	st.Value, st.Formula, st.Branch, st.Explanation = ev.Score, ev.Formula, ev.Branch, cs.Explanation+" "+ev.Explanation
	st.Inputs = append([]Binding{{Symbol: "R", Value: r, From: "R_studentesse"}}, params...)
	if ev.Note != "" {
		st.Notes = append(st.Notes, ev.Note)
	}
	out.Computable, out.Result, out.Score, out.Branch = true, f64(r), f64(ev.Score), ev.Branch
	out.Traces = []Trace{rt, st}
	return out
}

// FemaleProblem turns a not-computable outcome into an info problem.
func (o FemaleOutcome) FemaleProblem() *Problem {
	if o.Computable || o.Reason == "" {
		return nil
	}
	p := newProblem(RuleFemaleNotComp, "", "", nil, o.Citation, map[string]string{"detail": o.Reason + "."})
	return &p
}
