package compute

import "sort"

// BandCuts returns the totals at which the band changes, in increasing
// order: the constant bounds of the bands' conditions («T < 50», «50 ≤ T <
// 60», «T ≥ 60» give 50 and 60). The copy's chart and colours draw them.
func (p *Pack) BandCuts() []float64 {
	seen := map[float64]bool{}
	var cuts []float64
	for _, b := range p.bands {
		for _, t := range b.cond.terms {
			if v, ok := t.constant(); ok && !seen[v] {
				seen[v] = true
				cuts = append(cuts, v)
			}
		}
	}
	sort.Float64s(cuts)
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
