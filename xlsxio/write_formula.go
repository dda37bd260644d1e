package xlsxio

import (
	"github.com/its-academy/auditor/internal/xlsx"

	"github.com/its-academy/auditor/compute"
)

// formulaKey names a cached template: a scorer's articulation formula.
type formulaKey struct {
	sc   *compute.Scorer
	art  int
	kind byte // 'R' result, 'P' score, 'W' points
}

// template returns the cached template of a formula, rendering it once.
func (w *writer) template(k formulaKey, render func(compute.Resolver) string) *xlsx.FormulaTemplate {
	if t, ok := w.templates[k]; ok {
		return t
	}
	if w.templates == nil {
		w.templates = map[formulaKey]*xlsx.FormulaTemplate{}
	}
	t := xlsx.NewFormulaTemplate(func(r func(string) string) string { return render(r) })
	w.templates[k] = t
	return t
}
