package compute

import (
	"strconv"
	"strings"
)

// Spreadsheet formulas of a run: the same rules the engine applies, written
// so that Excel or LibreOffice recompute the same numbers from the cells.
// The caller places the cells and resolves names to references.

func fnum(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// ResultFormula is the formula of an articulation's result R under the run's
// interpretation choices, with the zero-denominator rule of the pack (I-6):
// a denominator marked "zero" gives R = 0 instead of a division by zero.
func (sc *Scorer) ResultFormula(a *Articulation, ref Resolver) string {
	expr, _, _, _ := sc.resultDef(a)
	body := expr.RenderSpreadsheet(ref)
	if d := a.Result.Denominator; d != "" && a.Result.ZeroDenom == "zero" && contains(expr.Vars(), d) {
		return "IF(" + ref(d) + "=0,0," + body + ")"
	}
	return body
}

// ScoreFormula is the formula of an articulation's score P: the function's
// intervals as nested IFs, in order, under the run's errata, brought back
// to the scale when an erratum of the function is read as printed (the
// coherent forms never leave it). R and S resolve to the cells of the result
// and the threshold.
func (sc *Scorer) ScoreFormula(a *Articulation, ref Resolver) string {
	return intervalsFormula(a.fn.Intervals, sc.set, sc.pack.Scale, ref)
}

func intervalsFormula(intervals []*Interval, set errataSet, scale Scale, ref Resolver) string {
	var b strings.Builder
	clamp := false
	for _, iv := range intervals {
		b.WriteString("IF(")
		b.WriteString(iv.cond.RenderSpreadsheet(ref))
		b.WriteByte(',')
		b.WriteString(iv.formula(set).RenderSpreadsheet(ref))
		b.WriteByte(',')
		clamp = clamp || (iv.coherent != nil && iv.formIndex(set) == 1)
	}
	b.WriteString("NA()")
	b.WriteString(strings.Repeat(")", len(intervals)))
	if clamp {
		return "MIN(MAX(" + b.String() + "," + fnum(scale.Min) + ")," + fnum(scale.Max) + ")"
	}
	return b.String()
}

// PointsFormula is weight × P / scale maximum.
func (sc *Scorer) PointsFormula(weightRef, scoreRef string) string {
	return weightRef + "*" + scoreRef + "/" + fnum(sc.pack.Scale.Max)
}

// ArticulationPointsFormula is an articulation's points: weight × P / scale
// maximum, or 0 where a zeroing rule of articulation scope applies to the
// run and its condition holds. Names in the condition resolve through ref.
func (sc *Scorer) ArticulationPointsFormula(a *Articulation, weightRef, scoreRef string, ref Resolver) string {
	f := sc.PointsFormula(weightRef, scoreRef)
	for i := range sc.pack.zeroing {
		z := &sc.pack.zeroing[i]
		if z.zeroes(a.Number) && sc.applies(z) {
			f = "IF(" + z.cond.RenderSpreadsheet(ref) + ",0," + f + ")"
		}
	}
	return f
}

// IndicatorFormula sums the points of an indicator's articulations and
// applies the pack's zeroing rules for the whole indicator.
func (sc *Scorer) IndicatorFormula(ind *Indicator, pointRefs []string, ref Resolver) string {
	sum := "SUM(" + strings.Join(pointRefs, ",") + ")"
	for i := range sc.pack.zeroing {
		z := &sc.pack.zeroing[i]
		if z.rule.Indicator == ind.Number && len(z.rule.Articulations) == 0 && sc.applies(z) {
			sum = "IF(" + z.cond.RenderSpreadsheet(ref) + ",0," + sum + ")"
		}
	}
	return sum
}

// BandFormula gives the band code of the total in the cell totalRef.
func (sc *Scorer) BandFormula(totalRef string) string {
	ref := func(string) string { return totalRef }
	var b strings.Builder
	for _, band := range sc.pack.bands {
		b.WriteString("IF(")
		b.WriteString(band.cond.RenderSpreadsheet(ref))
		b.WriteString(",\"")
		b.WriteString(strings.ReplaceAll(band.band.Code, `"`, `""`))
		b.WriteString("\",")
	}
	b.WriteString("NA()")
	b.WriteString(strings.Repeat(")", len(sc.pack.bands)))
	return b.String()
}

// ThresholdFormula is the formula of a threshold the run used: the cell of
// its code, or for a corrected area threshold the correction of footnote 3
// over the cells of the area mean, N and the general mean. cell resolves a
// threshold code to its cell; it returns "" when the code has no cell, and
// the value is then written as a number.
func (sc *Scorer) ThresholdFormula(tu *ThresholdUse, cell func(code string) string) string {
	at := func(code string, v float64) string {
		if c := cell(code); c != "" {
			return c
		}
		return fnum(v)
	}
	if tu.Correction == nil {
		return at(tu.Code, tu.Value)
	}
	vals := map[string]string{}
	for _, b := range tu.Correction.Inputs {
		vals[b.Symbol] = at(b.From, b.Value)
	}
	return sc.pack.areaCorrection.RenderSpreadsheet(func(name string) string { return vals[name] })
}

// ArticulationFunction returns the function of an articulation.
func (a *Articulation) ArticulationFunction() *Function { return a.fn }
