package compute

import (
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
	env := mapValues(c.Values)
	rt := Trace{TraceText: fi.Result.text}
	rOK := true
	for _, v := range fi.Result.expr.Vars() {
		x, ok := c.Values[FieldCode(v)]
		if !ok || math.IsNaN(x) || math.IsInf(x, 0) || x < 0 {
			missing = append(missing, v)
			rOK = false
			continue
		}
		rt.Inputs = append(rt.Inputs, bind(v, x, FieldCode(v), ""))
	}
	if rOK {
		for _, d := range fi.Result.Denominators {
			if c.Values[FieldCode(d)] == 0 {
				reasons = append(reasons, say(txtFemaleZero, "field", d))
				rOK = false
			}
		}
	}
	var r float64
	if rOK {
		var err error
		r, err = fi.Result.expr.Eval(env)
		if err != nil || math.IsNaN(r) || math.IsInf(r, 0) {
			reasons = append(reasons, txtFemaleUndefined)
			rOK = false
		}
		rt.Value = r
	}

	// The area parameters.
	fenv := varsEnv{}
	var params []Binding
	if !areaOK {
		reasons = append(reasons, txtFemaleNoArea)
	} else {
		code := sc.pack.Areas.FemaleMeanPrefix + area.Key
		if m, _, ok := sc.threshold(code); ok {
			fenv.set("M", m)
			params = append(params, bind("M", m, "", code))
		} else {
			missing = append(missing, code)
		}
	}
	m, haveM := fenv.Get("M")
	var cs *FemaleCase
	if haveM {
		for _, c := range fi.Cases {
			if c.cond.holdsSmall(&fenv) {
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
					params = append(params, bind(sym, v, "", code))
				} else {
					missing = append(missing, code)
				}
			}
		}
	}
	if len(missing) > 0 || len(reasons) > 0 || cs == nil || !rOK {
		out.Missing = missing
		if len(missing) > 0 {
			reasons = append([]string{say(txtFemaleMissing, "codes", strings.Join(missing, ", "))}, reasons...)
		}
		if haveM && cs == nil {
			reasons = append(reasons, say(txtFemaleNoCase, "value", num(m)))
		}
		out.Reason = strings.Join(reasons, "; ")
		if rOK {
			out.Result = f64(r)
			out.Traces = []Trace{rt}
		}
		return out
	}

	st := Trace{}
	if cs.threshold != nil {
		s, err := cs.threshold.Eval(&fenv)
		if err != nil || math.IsNaN(s) || math.IsInf(s, 0) {
			out.Reason = txtFemaleNoThreshold
			return out
		}
		fenv.set("S", s)
		params = append(params, bind("S", s, "", ""))
		st.Notes = append(st.Notes, say(txtFemaleThresholdVal, "formula", pretty(cs.Threshold), "value", num(s)))
		if cs.requires != nil {
			if ok, _ := cs.requires.Holds(&fenv); !ok {
				out.Result = f64(r)
				out.Traces = []Trace{rt}
				out.Reason = say(txtFemaleRequires, "value", num(s), "rule", cs.Requires)
				return out
			}
		}
	}
	fenv.set("R", r)
	oc, err := evalIntervals(cs.Intervals, &fenv, sc.set, sc.pack.Scale)
	if err != nil {
		out.Result = f64(r)
		out.Reason = err.Error()
		return out
	}
	ev := oc.fill(Evaluation{Function: "studentesse", Result: r}, cs.Intervals, sc.set)
	st.TraceText = &TraceText{
		Quantity: "P_studentesse", Label: fi.Name, Formula: ev.Formula, Branch: ev.Branch,
		Explanation: cs.Explanation + " " + ev.Explanation, Citation: fi.Citation,
	}
	st.Value = ev.Score
	st.Inputs = append([]Binding{bind("R", r, "", "R_studentesse")}, params...)
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

// mapValues is an Env over a course's input map.
type mapValues map[FieldCode]float64

func (m mapValues) Get(name string) (float64, bool) {
	v, ok := m[FieldCode(name)]
	return v, ok
}
