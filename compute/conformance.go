package compute

import (
	"math"
)

// Reproduction statuses of a decree table under one reading.
const (
	StatusFull           = "full"            // every row within tolerance
	StatusBelowThreshold = "below_threshold" // every row with R < S, not the others
	StatusNo             = "no"              // neither
)

// ConformanceRow is one row of a decree table next to the computed values.
type ConformanceRow struct {
	Result    float64             `json:"result"`
	Decree    float64             `json:"decree"`
	Tolerance float64             `json:"tolerance"`
	Computed  map[Reading]float64 `json:"computed"`
	Branch    map[Reading]string  `json:"branch"`
	Match     map[Reading]bool    `json:"match"`
}

// FunctionConformance compares one function with its worked table.
type FunctionConformance struct {
	Function  string             `json:"function"`
	Threshold *float64           `json:"threshold"`
	Rows      []ConformanceRow   `json:"rows"`
	Status    map[Reading]string `json:"status"`
	Expected  map[Reading]string `json:"expected"`
	AsStated  bool               `json:"as_stated"` // status equals what RULES.md states
	Note      string             `json:"note,omitempty"`
	Citation  string             `json:"citation"`
}

// Conformance evaluates every function that has a worked table in the decree
// at the table's implied threshold, under every reading of the pack, rounding to one
// decimal as the decree prints, and classifies how the table is reproduced.
func (p *Pack) Conformance() ([]FunctionConformance, error) {
	var out []FunctionConformance
	for _, f := range p.Functions {
		t := f.DecreeTable
		if t == nil {
			continue
		}
		fc := FunctionConformance{
			Function: f.ID, Threshold: t.ImpliedThreshold, Expected: t.Expected,
			Status: map[Reading]string{}, Note: t.Note, Citation: f.Citation,
		}
		allOK, belowOK := map[Reading]bool{}, map[Reading]bool{}
		for _, rd := range p.Readings {
			allOK[rd.ID], belowOK[rd.ID] = true, true
		}
		for _, row := range t.Rows {
			r, want := row[0], row[1]
			cr := ConformanceRow{
				Result: r, Decree: want, Tolerance: t.tolerance(r),
				Computed: map[Reading]float64{}, Branch: map[Reading]string{}, Match: map[Reading]bool{},
			}
			var s *float64
			if f.UsesThreshold() {
				s = t.ImpliedThreshold
			}
			for _, def := range p.Readings {
				rd := def.ID
				ev, err := f.Eval(p, r, s, def.Errata)
				if err != nil {
					return nil, err
				}
				got := math.Round(ev.Score*10) / 10
				ok := math.Abs(got-want) <= cr.Tolerance+1e-9
				cr.Computed[rd], cr.Branch[rd], cr.Match[rd] = ev.Score, ev.Branch, ok
				if !ok {
					allOK[rd] = false
					if s == nil || r < *s {
						belowOK[rd] = false
					}
				}
			}
			fc.Rows = append(fc.Rows, cr)
		}
		fc.AsStated = true
		for _, def := range p.Readings {
			rd := def.ID
			switch {
			case allOK[rd]:
				fc.Status[rd] = StatusFull
			case f.UsesThreshold() && belowOK[rd]:
				fc.Status[rd] = StatusBelowThreshold
			default:
				fc.Status[rd] = StatusNo
			}
			if fc.Status[rd] != t.Expected[rd] {
				fc.AsStated = false
			}
		}
		out = append(out, fc)
	}
	return out, nil
}

func (t *DecreeTable) tolerance(r float64) float64 {
	for _, e := range t.Exceptions {
		if e.Result == r {
			return e.Tolerance
		}
	}
	return t.Tolerance
}
