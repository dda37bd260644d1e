package compute

import (
	"fmt"
	"sort"
)

// BandInterval is one band of a course total and the interval of totals it
// covers: From ≤ T < To, To included for the band that reaches the top of
// the scale.
type BandInterval struct {
	Code  string  `json:"code"`
	When  string  `json:"when"`
	Label string  `json:"label"`
	From  float64 `json:"from"`
	To    float64 `json:"to"`
}

// BandIntervals finds where each band applies on the scale from the bands'
// own conditions: the numbers the conditions name split the scale, and
// each piece belongs to the first band whose condition holds in its middle
// (as in scoring). It returns the bands some total reaches, in order of
// totals, and the cuts: the totals where the band changes.
func BandIntervals(b Bands, scale Scale) ([]BandInterval, []float64, error) {
	conds := make([]*Cond, len(b.Rows))
	bounds := []float64{scale.Min, scale.Max}
	for i, r := range b.Rows {
		c, err := ParseCond(r.When)
		if err != nil {
			return nil, nil, fmt.Errorf("band %s: %w", r.Code, err)
		}
		conds[i] = c
		for _, t := range c.terms {
			if v, ok := t.constant(); ok && v > scale.Min && v < scale.Max {
				bounds = append(bounds, v)
			}
		}
	}
	sort.Float64s(bounds)
	bandAt := func(t float64) int {
		env := varsEnv{}
		env.set("T", t)
		for i, c := range conds {
			if c.holdsSmall(&env) {
				return i
			}
		}
		return -1
	}
	var out []BandInterval
	var cuts []float64
	for k := 0; k+1 < len(bounds); k++ {
		lo, hi := bounds[k], bounds[k+1]
		if hi <= lo {
			continue
		}
		i := bandAt((lo + hi) / 2)
		if i < 0 {
			continue
		}
		if n := len(out); n > 0 && out[n-1].Code == b.Rows[i].Code && out[n-1].To == lo {
			out[n-1].To = hi
			continue
		}
		if len(out) > 0 {
			cuts = append(cuts, lo)
		}
		r := b.Rows[i]
		out = append(out, BandInterval{Code: r.Code, When: r.When, Label: r.Label, From: lo, To: hi})
	}
	return out, cuts, nil
}

// BandCuts returns the totals at which the band changes, in increasing
// order («T < 50», «50 ≤ T < 60», «T ≥ 60» give 50 and 60). The copy's
// chart and colours draw them; the pages get them from /api/info.
func (p *Pack) BandCuts() []float64 {
	_, cuts, _ := BandIntervals(p.Bands, p.Scale) // the loader parsed every band
	return cuts
}

// constant reports the value of an expression that names no variable.
func (n *node) constant() (float64, bool) {
	if n == nil {
		return 0, false
	}
	switch n.op {
	case opNum:
		return n.num, true
	case opVar:
		return 0, false
	}
	if _, ok := n.a.constant(); !ok {
		return 0, false
	}
	if n.b != nil {
		if _, ok := n.b.constant(); !ok {
			return 0, false
		}
	}
	v, err := n.eval(nil)
	return v, err == nil
}
