package xlsxio

import (
	"github.com/its-academy/auditor/internal/xlsx"
	"strings"

	"github.com/its-academy/auditor/compute"
)

// formulaTemplate is a formula rendered once with markers for its
// variables: compute renders a rule as a formula by inserting what the
// resolver returns for each variable, verbatim, so rendering once with
// markers and putting each course's cells in their place gives the same
// text as rendering it for every course, at a fraction of the cost.
type formulaTemplate struct {
	lits []string // len(vars)+1 literal pieces, escaped for XML
	vars []int    // each variable's index in names
	// names are the distinct variables, resolved once per formula.
	names []string
}

const templateMark = "\x00"

func newFormulaTemplate(render func(compute.Resolver) string) *formulaTemplate {
	f := render(func(name string) string { return templateMark + name + templateMark })
	parts := strings.Split(f, templateMark)
	t := &formulaTemplate{}
	for i, p := range parts {
		if i%2 == 0 {
			t.lits = append(t.lits, string(xlsx.AppendCellText(nil, p)))
			continue
		}
		k := 0
		for k < len(t.names) && t.names[k] != p {
			k++
		}
		if k == len(t.names) {
			t.names = append(t.names, p)
		}
		t.vars = append(t.vars, k)
	}
	if len(t.lits) != len(t.vars)+1 { // a marker inside a name: cannot happen
		t.lits = append(t.lits, "")
	}
	return t
}

// appendXML appends the formula with ref's value for each variable,
// escaped for XML; scratch is working space, returned for reuse.
func (t *formulaTemplate) appendXML(b, scratch []byte, ref compute.Resolver) ([]byte, []byte) {
	var small [8]int
	ends := small[:0]
	if len(t.names) > len(small) {
		ends = make([]int, 0, len(t.names))
	}
	scratch = scratch[:0]
	for _, n := range t.names {
		scratch = xlsx.AppendCellText(scratch, ref(n))
		ends = append(ends, len(scratch))
	}
	for i, v := range t.vars {
		b = append(b, t.lits[i]...)
		from := 0
		if v > 0 {
			from = ends[v-1]
		}
		b = append(b, scratch[from:ends[v]]...)
	}
	return append(b, t.lits[len(t.lits)-1]...), scratch
}

// formulaKey names a cached template: a scorer's articulation formula.
type formulaKey struct {
	sc   *compute.Scorer
	art  int
	kind byte // 'R' result, 'P' score, 'W' points
}

// template returns the cached template of a formula, rendering it once.
func (w *writer) template(k formulaKey, render func(compute.Resolver) string) *formulaTemplate {
	if t, ok := w.templates[k]; ok {
		return t
	}
	if w.templates == nil {
		w.templates = map[formulaKey]*formulaTemplate{}
	}
	t := newFormulaTemplate(render)
	w.templates[k] = t
	return t
}
