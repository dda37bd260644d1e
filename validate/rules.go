package validate

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/go-playground/validator/v10"

	"github.com/its-academy/auditor/compute"
	"github.com/its-academy/auditor/findings"
)

// tagChecker applies the per-field rules (Field.Tag). It is safe for
// concurrent use and caches parsed tags.
var tagChecker = validator.New()

// checkTag applies a field's validator tag to its parsed value and returns
// the rule broken, in Italian, or nil. Presence is checked before (a blank
// cell of a required field is a RuleRequired finding): the value is passed
// by pointer so that "required" holds for a present zero.
func checkTag(f Field, v value) (iss *issue) {
	if f.Tag == "" {
		return nil
	}
	defer func() {
		// A tag that does not suit the value's type is a bug of the field
		// catalogue, not of the workbook; report it rather than panic.
		if r := recover(); r != nil {
			iss = &issue{RuleTag, []string{"value", displayValue(f, v), "expected", "«" + f.Tag + "» (" + fmt.Sprint(r) + ")"}}
		}
	}()
	var err error
	switch f.Kind {
	case KindCount, KindEQF, KindYear:
		x := int64(v.Num)
		err = tagChecker.Var(&x, f.Tag)
	case KindHours, KindRating:
		x := v.Num
		err = tagChecker.Var(&x, f.Tag)
	case KindDate:
		x := v.Date
		err = tagChecker.Var(&x, f.Tag)
	default:
		x := v.Text
		err = tagChecker.Var(&x, f.Tag)
	}
	if err == nil {
		return nil
	}
	errs, ok := err.(validator.ValidationErrors)
	if !ok || len(errs) == 0 {
		return &issue{RuleTag, []string{"value", displayValue(f, v), "expected", "«" + f.Tag + "»"}}
	}
	fe := errs[0]
	param := fmtParam(f.Kind, fe.Param())
	val := displayValue(f, v)
	switch fe.Tag() {
	case "required":
		return &issue{RuleRequired, nil}
	case "gte", "min":
		return &issue{RuleMin, []string{"value", val, "expected", "maggiore o uguale a " + param}}
	case "gt":
		return &issue{RuleMin, []string{"value", val, "expected", "maggiore di " + param}}
	case "lte", "max":
		return &issue{RuleMax, []string{"value", val, "expected", "minore o uguale a " + param}}
	case "lt":
		return &issue{RuleMax, []string{"value", val, "expected", "minore di " + param}}
	case "oneof":
		opts := strings.Fields(fe.Param())
		for i, o := range opts {
			opts[i] = fmtParam(f.Kind, o)
		}
		exp := strings.Join(opts, ", ")
		if n := len(opts); n > 1 {
			exp = strings.Join(opts[:n-1], ", ") + " o " + opts[n-1]
		}
		return &issue{RuleOneOf, []string{"value", val, "expected", exp}}
	}
	return &issue{RuleTag, []string{"value", val, "expected", "«" + fe.Tag() + "=" + fe.Param() + "»"}}
}

// fmtParam formats a tag parameter as a number for people.
func fmtParam(k Kind, p string) string {
	x, err := strconv.ParseFloat(p, 64)
	if err != nil {
		return p
	}
	if k == KindYear || k == KindEQF {
		return fmtPlain(x)
	}
	return fmtNum(x)
}

// displayValue formats a parsed value for a message.
func displayValue(f Field, v value) string {
	switch f.Kind {
	case KindYear, KindEQF:
		return fmtPlain(v.Num)
	case KindDate:
		return fmtDate(v.Date)
	case KindText, KindCode, KindArea:
		return "«" + v.Text + "»"
	}
	return fmtNum(v.Num)
}

// CrossRule is a rule of the WORKBOOK.md table between the fields of one
// course, as data: a condition over field codes (the language of the rule
// packs, parsed with compute.ParseCond), the fields involved (the finding
// names the cell of the first), and an Italian message template. In the
// template {<code>} is the value of a field, {<code>.cella} its cell
// without the sheet (L3), {somma} the value of Sum.
type CrossRule struct {
	ID    compute.RuleID
	Holds string
	Cells []compute.FieldCode
	Sum   string
	// Severity, Message and Source come from the findings catalogue.
	Severity compute.Severity
	Message  string
	Source   string

	cond  *compute.Cond
	sum   *compute.Expr
	terms []*compute.Expr // the sides of the chained comparison
	ops   []string
}

// crossRules are the relations of the table in docs/modello.md. Every one is an
// error: a course whose figures contradict each other is not scored.
var crossRules = mustCompileRules([]CrossRule{
	{ID: "DAT-PARTECIPANTI-GT-DOMANDE", Holds: "partecipanti_selezione ≤ domande_iscrizione",
		Cells: []compute.FieldCode{"partecipanti_selezione", "domande_iscrizione"}},
	{ID: "DAT-FUORI-REGIONE-GT-ISCRITTI", Holds: "iscritti_fuori_regione ≤ iscritti",
		Cells: []compute.FieldCode{"iscritti_fuori_regione", "iscritti"}},
	{ID: "DAT-ISCRITTE-GT-ISCRITTI", Holds: "iscritte ≤ iscritti",
		Cells: []compute.FieldCode{"iscritte", "iscritti"}},
	{ID: "DAT-STAGE-GT-TOTALE", Holds: "ore_stage ≤ ore_totali",
		Cells: []compute.FieldCode{"ore_stage", "ore_totali"}},
	{ID: "DAT-ORE-FUORI-ESTERO-GT-ATTIVITA", Holds: "ore_fuori_regione + ore_estero ≤ ore_attivita_totali",
		Cells: []compute.FieldCode{"ore_estero", "ore_fuori_regione", "ore_attivita_totali"}, Sum: "ore_fuori_regione + ore_estero"},
	{ID: "DAT-DOCENTI-MONDO-GT-TOTALE", Holds: "ore_docenti_mondo_lavoro ≤ ore_docenti_totali",
		Cells: []compute.FieldCode{"ore_docenti_mondo_lavoro", "ore_docenti_totali"}},
	{ID: "DAT-LABORATORI-GT-TEORIA", Holds: "ore_laboratori ≤ ore_teoria",
		Cells: []compute.FieldCode{"ore_laboratori", "ore_teoria"}},
	{ID: "DAT-DIGITALI-GT-ITS", Holds: "ore_lab_digitali_its ≤ ore_its",
		Cells: []compute.FieldCode{"ore_lab_digitali_its", "ore_its"}},
	{ID: "DAT-IMPRESE-PROGETTAZIONE-GT-TOTALE", Holds: "imprese_progettazione ≤ imprese_totali",
		Cells: []compute.FieldCode{"imprese_progettazione", "imprese_totali"}},
	{ID: "DAT-APPRENDISTATO-GT-ISCRITTI", Holds: "iscritti_apprendistato ≤ iscritti",
		Cells: []compute.FieldCode{"iscritti_apprendistato", "iscritti"}},
	{ID: "DAT-DIPLOMATE-GT-DIPLOMATI", Holds: "diplomate ≤ diplomati",
		Cells: []compute.FieldCode{"diplomate", "diplomati"}},
	{ID: "DAT-DIPLOMATI-CERTIFICATI-GT-ISCRITTI", Holds: "diplomati + certificati ≤ iscritti",
		Cells: []compute.FieldCode{"certificati", "diplomati", "iscritti"}, Sum: "diplomati + certificati"},
	{ID: "DAT-OCCUPATI-GT-DIPLOMATI", Holds: "occupati_coerenti + occupati_non_coerenti + iscritti_universita ≤ diplomati",
		Cells: []compute.FieldCode{"iscritti_universita", "occupati_coerenti", "occupati_non_coerenti", "diplomati"}, Sum: "occupati_coerenti + occupati_non_coerenti + iscritti_universita"},
	{ID: "DAT-SODDISFAZIONE-RANGE", Holds: "0 ≤ soddisfazione ≤ 10",
		Cells: []compute.FieldCode{"soddisfazione"}},
})

// CrossRules lists the relations checked between the fields of a course,
// for the rules sheet of the audited workbook. Treat as read-only.
func CrossRules() []CrossRule { return crossRules }

func mustCompileRules(rules []CrossRule) []CrossRule {
	for i := range rules {
		if err := rules[i].compile(); err != nil {
			panic(fmt.Sprintf("validate: rule %s: %v", rules[i].ID, err))
		}
	}
	return rules
}

func (r *CrossRule) compile() error {
	def, ok := findings.Lookup(r.ID)
	if !ok {
		return fmt.Errorf("not in the findings catalogue")
	}
	r.Severity, r.Message, r.Source = def.Severity, def.Template, def.Source
	var err error
	if r.cond, err = compute.ParseCond(r.Holds); err != nil {
		return err
	}
	if r.Sum != "" {
		if r.sum, err = compute.ParseExpr(r.Sum); err != nil {
			return err
		}
	}
	// The sides of the chain, for the check with a rounding tolerance.
	rest := r.Holds
	for {
		i, op := nextComparison(rest)
		if i < 0 {
			break
		}
		e, err := compute.ParseExpr(rest[:i])
		if err != nil {
			return err
		}
		r.terms = append(r.terms, e)
		r.ops = append(r.ops, op)
		rest = rest[i+len(op):]
	}
	e, err := compute.ParseExpr(rest)
	if err != nil {
		return err
	}
	r.terms = append(r.terms, e)
	vars := map[string]bool{}
	for _, v := range r.cond.Vars() {
		vars[v] = true
	}
	for _, c := range r.Cells {
		if !vars[string(c)] {
			return fmt.Errorf("cell field %s is not in the condition", c)
		}
	}
	if len(r.Cells) == 0 {
		return fmt.Errorf("no cells")
	}
	return nil
}

var comparisons = []string{"≤", "≥", "<=", ">=", "<", ">"}

func nextComparison(s string) (int, string) {
	best, op := -1, ""
	for _, c := range comparisons {
		if i := strings.Index(s, c); i >= 0 && (best < 0 || i < best || (i == best && len(c) > len(op))) {
			best, op = i, c
		}
	}
	return best, op
}

// valuesEnv is a compute.Env over parsed course values and results.
type valuesEnv map[string]float64

func (e valuesEnv) Get(name string) (float64, bool) {
	v, ok := e[name]
	return v, ok
}

// holds evaluates the rule. ok is false when a field is missing. A chain
// that fails only by a rounding error of the sum (0,1 + 0,2 ≤ 0,3) holds.
func (r *CrossRule) holds(env valuesEnv) (holds, ok bool) {
	for _, v := range r.cond.Vars() {
		if _, have := env[v]; !have {
			return false, false
		}
	}
	h, err := r.cond.Holds(env)
	if err != nil {
		return false, false
	}
	if h {
		return true, true
	}
	vals := make([]float64, len(r.terms))
	for i, t := range r.terms {
		x, err := t.Eval(env)
		if err != nil || math.IsNaN(x) {
			return false, true
		}
		vals[i] = x
	}
	for i, op := range r.ops {
		a, b := vals[i], vals[i+1]
		eps := 1e-9 * math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
		var ok bool
		switch op {
		case "≤", "<=", "<":
			ok = a <= b+eps
		default:
			ok = a+eps >= b
		}
		if !ok {
			return false, true
		}
	}
	return true, true
}

// finding builds the finding of a broken rule for a course.
func (r *CrossRule) finding(env valuesEnv, cells map[compute.FieldCode]CellRef) Finding {
	var kv, found []string
	for _, v := range r.cond.Vars() {
		x := env[v]
		kv = append(kv, v, fmtNum(x), v+".cella", shortCell(cells[compute.FieldCode(v)]))
		found = append(found, v+" = "+fmtNum(x))
	}
	if r.sum != nil {
		if s, err := r.sum.Eval(env); err == nil {
			kv = append(kv, "somma", fmtNum(s))
		}
	}
	cell := cells[r.Cells[0]]
	f := Finding{
		Rule: r.ID, Severity: r.Severity, Cell: cell, Field: r.Cells[0],
		Found: strings.Join(found, "; "), Expected: r.Holds, Source: r.Source,
	}
	f.Message = composeMessage(cell, say(r.Message, kv...), r.Source)
	return f
}

// singleFieldRule returns the table rule on this field alone, if any: it
// replaces the field's generic tag message (DAT-SODDISFAZIONE-RANGE).
func singleFieldRule(code compute.FieldCode) *CrossRule {
	for i := range crossRules {
		if len(crossRules[i].cond.Vars()) == 1 && crossRules[i].Cells[0] == code {
			return &crossRules[i]
		}
	}
	return nil
}

// normalizeName folds case, accents and punctuation: "Agro-alimentare" and
// "agroalimentare " compare close.
func normalizeName(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(s) {
		if f, ok := accentFold[r]; ok {
			r = f
		}
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
			space = false
		default:
			if !space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = true
		}
	}
	return strings.TrimSpace(b.String())
}

var accentFold = map[rune]rune{
	'à': 'a', 'á': 'a', 'â': 'a', 'è': 'e', 'é': 'e', 'ê': 'e', 'ì': 'i', 'í': 'i', 'î': 'i',
	'ò': 'o', 'ó': 'o', 'ô': 'o', 'ù': 'u', 'ú': 'u', 'û': 'u',
}

// closestArea suggests the area name nearest to what was typed: a name
// equal but for case, accents or punctuation, one containing the text (or
// contained in it), or one within an edit distance of half its length.
func closestArea(typed string, names []string) string {
	t := normalizeName(typed)
	if t == "" {
		return ""
	}
	best, bestD := "", math.MaxInt
	for _, n := range names {
		nn := normalizeName(n)
		if nn == t {
			return n
		}
		d := levenshtein(t, nn)
		ct, cn := strings.ReplaceAll(t, " ", ""), strings.ReplaceAll(nn, " ", "")
		if strings.Contains(cn, ct) || strings.Contains(ct, cn) {
			d = min(d, abs(len([]rune(cn))-len([]rune(ct)))/4)
		}
		if d < bestD || (d == bestD && n < best) {
			best, bestD = n, d
		}
	}
	if bestD <= max(3, len([]rune(t))/2) {
		return best
	}
	return ""
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 200 || len(rb) > 200 { // not a name: no suggestion worth the time
		return math.MaxInt / 2
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// areaNames lists the Tab. 4 names of the packs, without repeats, sorted.
func areaNames(packs []*compute.Pack) []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range packs {
		for _, a := range p.Areas.Rows {
			if !seen[a.Name] {
				seen[a.Name] = true
				out = append(out, a.Name)
			}
		}
	}
	sort.Strings(out)
	return out
}

// findArea matches an area by name or key in the packs.
func findArea(s string, packs []*compute.Pack) (string, bool) {
	for _, p := range packs {
		if a, ok := p.AreaByName(s); ok {
			return a.Name, true
		}
	}
	return "", false
}
