package xlsx

import (
	"strings"
)

// FormulaTemplate is a formula rendered once with markers for its
// variables: compute renders a rule as a formula by inserting what the
// resolver returns for each variable, verbatim, so rendering once with
// markers and putting each course's cells in their place gives the same
// text as rendering it for every course, at a fraction of the cost.
type FormulaTemplate struct {
	lits []string // len(vars)+1 literal pieces, escaped for XML
	vars []int    // each variable's index in names
	// names are the distinct variables, resolved once per formula.
	names []string
}

const templateMark = "\x00"

func NewFormulaTemplate(render func(func(string) string) string) *FormulaTemplate {
	f := render(func(name string) string { return templateMark + name + templateMark })
	parts := strings.Split(f, templateMark)
	t := &FormulaTemplate{}
	for i, p := range parts {
		if i%2 == 0 {
			t.lits = append(t.lits, string(AppendCellText(nil, p)))
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

// AppendXML appends the formula with ref's value for each variable,
// escaped for XML; scratch is working space, returned for reuse.
func (t *FormulaTemplate) AppendXML(b, scratch []byte, ref func(string) string) ([]byte, []byte) {
	var small [8]int
	ends := small[:0]
	if len(t.names) > len(small) {
		ends = make([]int, 0, len(t.names))
	}
	scratch = scratch[:0]
	for _, n := range t.names {
		scratch = AppendCellText(scratch, ref(n))
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
