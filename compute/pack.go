package compute

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

// PackID names a rule pack, such as "dm-2023-11-30-eqf5".
type PackID string

// FieldCode is the stable code of an input field of the official workbook
// (WORKBOOK.md), such as "iscritti".
type FieldCode string

// ErrPack is the kind of every error found in a rule pack file.
var ErrPack = errors.New("pacchetto di regole non valido")

//go:embed packs/*.json
var embeddedPacks embed.FS

// Pack is a rule pack: the indicators, articulations, thresholds and
// transformation functions of one decree, as data with citations. Packs are
// JSON files; the fields below mirror the file one to one.
type Pack struct {
	ID              PackID           `json:"id"`
	Version         string           `json:"version"`
	Title           string           `json:"title"`
	Source          PackSource       `json:"source"`
	Applies         Applicability    `json:"applies"`
	Scale           Scale            `json:"scale"`
	InputLimit      float64          `json:"input_limit"`
	InputLimitNote  string           `json:"input_limit_note"`
	Readings        []ReadingDef     `json:"readings"`
	Errata          []Erratum        `json:"errata"`
	Interpretations []Interpretation `json:"interpretations"`
	Indicators      []Indicator      `json:"indicators"`
	Zeroing         []ZeroingRule    `json:"zeroing"`
	Thresholds      []ThresholdDef   `json:"thresholds"`
	Areas           AreaTable        `json:"areas"`
	AreaCorrection  AreaCorrection   `json:"area_correction"`
	Articulations   []Articulation   `json:"articulations"`
	Functions       []*Function      `json:"functions"`
	Female          *FemaleIndicator `json:"female_indicator"`
	Total           TotalDef         `json:"total"`
	Bands           Bands            `json:"bands"`
	Constraints     []LegalRule      `json:"legal_constraints"`
	// Foundation is the foundation-level rule over several years (CU
	// 17/12/2015 art. 4 c.3); nil when the pack has none. See foundation.go.
	Foundation *FoundationRule `json:"foundation_rule,omitempty"`

	// Filled at load time.
	functionByID   map[string]*Function
	thresholdByKey map[string]*ThresholdDef
	zeroing        []compiledZeroing
	bands          []compiledBand
	areaCorrection *Expr
	constraints    []*Cond
	digest         string
	raw            []byte
	totalText      *TraceText
	bindingsCap    int            // bindings one course's traces need
	symbols        []string       // variables of result formulas and zeroing conditions, by slot
	slotOf         map[string]int // name → slot
}

// PackSource names the legal act a pack transcribes.
type PackSource struct {
	Act   string `json:"act"`
	Annex string `json:"annex"`
	Short string `json:"short"`
	Seed  string `json:"seed"`
}

// Applicability says which courses a pack is for (interpretation I-4).
type Applicability struct {
	EQF       int    `json:"eqf"`
	EndedFrom string `json:"ended_from"`
	EndedTo   string `json:"ended_to,omitempty"`
	Citation  string `json:"citation"`
	Note      string `json:"note"`
}

// Scale is the range of every transformed score.
type Scale struct {
	Min      float64 `json:"min"`
	Max      float64 `json:"max"`
	Citation string  `json:"citation"`
	Note     string  `json:"note"`
}

// ReadingDef describes one reading of the printed text: for every erratum
// of the pack, the form it applies.
type ReadingDef struct {
	ID          Reading `json:"id"`
	Default     bool    `json:"default"`
	Label       string  `json:"label"`
	Description string  `json:"description"`
	Errata      Errata  `json:"errata"`
}

// Erratum records where the printed text and the decree's tables disagree.
type Erratum struct {
	ID          string   `json:"id"`
	Functions   []string `json:"functions"`
	Printed     string   `json:"printed"`
	Coherent    string   `json:"coherent"`
	Description string   `json:"description"`
}

// Interpretation is a point the text leaves open, with its default choice,
// its source and why the default was chosen.
type Interpretation struct {
	ID       string            `json:"id"`
	Topic    string            `json:"topic"`
	Scope    Scope             `json:"scope"`
	Default  string            `json:"default"`
	Choices  map[string]string `json:"choices"`
	Citation string            `json:"citation"`
	Why      string            `json:"why"`
}

// Scope is what an interpretation's choice can change.
type Scope string

// The scopes of interpretations.
const (
	ScopeCourse     Scope = "course"     // a course's scores and total
	ScopeFindings   Scope = "findings"   // the findings only (legal minimums)
	ScopeFoundation Scope = "foundation" // the foundation rule over several years
)

// Indicator is one of the indicators of Tab. 1.
type Indicator struct {
	Number   int     `json:"number"`
	Name     string  `json:"name"`
	Weight   float64 `json:"weight"`
	Citation string  `json:"citation"`

	text *TraceText
	bind *BindingText // its points, as an input of the total
	size int          // number of its articulations
}

// ZeroingRule sets an indicator's points to zero when its condition holds;
// with Articulations, only those articulations' points. With Choice, the
// rule applies only when its interpretation has that choice (I-7: the
// whole indicator or one articulation).
type ZeroingRule struct {
	Indicator      int    `json:"indicator"`
	Articulations  []int  `json:"articulations,omitempty"`
	When           string `json:"when"`
	Citation       string `json:"citation"`
	Interpretation string `json:"interpretation"`
	Choice         string `json:"choice,omitempty"`
	Explanation    string `json:"explanation"`
}

type compiledZeroing struct {
	rule    *ZeroingRule
	cond    *Cond
	text    *TraceText         // the indicator's
	artText map[int]*TraceText // for articulation scope: each articulation's points
}

// zeroes reports whether the rule sets articulation n's points to zero.
func (z *compiledZeroing) zeroes(n int) bool {
	for _, a := range z.rule.Articulations {
		if a == n {
			return true
		}
	}
	return false
}

// ThresholdDef is a threshold or parameter a run may override (sheet Soglie).
type ThresholdDef struct {
	Code     string   `json:"code"`
	Label    string   `json:"label"`
	Default  *float64 `json:"default,omitempty"`
	Integer  bool     `json:"integer,omitempty"`
	Min      *float64 `json:"min,omitempty"`
	Max      *float64 `json:"max,omitempty"`
	Citation string   `json:"citation"`
	Note     string   `json:"note,omitempty"`
}

// AreaTable is Tab. 4: per technological area, the means used as thresholds
// of the employment articulations. Each declared column is a number in every
// row; the threshold codes are <column>_<area key>.
type AreaTable struct {
	Citation         string       `json:"citation"`
	Columns          []AreaColumn `json:"columns"`
	FemaleMeanPrefix string       `json:"female_mean_code_prefix"`
	Rows             []Area       `json:"rows"`
}

// AreaColumn is one column of the area table.
type AreaColumn struct {
	Key   string `json:"key"`
	Label string `json:"label"`
}

// Area is one row of Tab. 4: its key, its Italian name, and its value in
// every column.
type Area struct {
	Key    string
	Name   string
	Values map[string]float64
}

// UnmarshalJSON reads {"key": …, "name": …, "<column>": number, …}.
func (a *Area) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	a.Values = map[string]float64{}
	for k, v := range raw {
		var err error
		switch k {
		case "key":
			err = json.Unmarshal(v, &a.Key)
		case "name":
			err = json.Unmarshal(v, &a.Name)
		default:
			var x float64
			err = json.Unmarshal(v, &x)
			a.Values[k] = x
		}
		if err != nil {
			return fmt.Errorf("area %s: %v", k, err)
		}
	}
	return nil
}

// MarshalJSON writes the same flat form.
func (a Area) MarshalJSON() ([]byte, error) {
	m := map[string]any{"key": a.Key, "name": a.Name}
	for k, v := range a.Values {
		m[k] = v
	}
	return json.Marshal(m)
}

// column returns the area's value in the named column.
func (a *Area) column(name string) (float64, bool) {
	v, ok := a.Values[name]
	return v, ok
}

// hasColumn reports whether the table declares the column.
func (t *AreaTable) hasColumn(name string) bool {
	for _, c := range t.Columns {
		if c.Key == name {
			return true
		}
	}
	return false
}

// AreaCorrection is the correction of footnote 3.
type AreaCorrection struct {
	Formula      string            `json:"formula"`
	Variables    map[string]string `json:"variables"`
	NCode        string            `json:"n_code"`
	GeneralCodes map[string]string `json:"general_codes"`
	Citation     string            `json:"citation"`
	Explanation  string            `json:"explanation"`
	// Notes written on a threshold when the correction does not apply.
	NoteNotSupplied string `json:"note_not_supplied"`
	NotePartial     string `json:"note_partial"` // {missing}: the code not supplied
}

// Articulation is one of the 16 articulations of Tab. 2.
type Articulation struct {
	Number        int         `json:"number"`
	Indicator     int         `json:"indicator"`
	Weight        float64     `json:"weight"`
	Function      string      `json:"function"`
	Threshold     ThresholdOf `json:"threshold"`
	Name          string      `json:"name"`
	Result        ResultDef   `json:"result"`
	Citation      string      `json:"citation"`
	ThresholdNote string      `json:"threshold_note,omitempty"`

	fn  *Function
	txt articulationText
}

// articulationText is the static text of an articulation's traces, built
// once at load so that scoring a course formats nothing.
type articulationText struct {
	r, p, pts string          // quantity names: R1, P1, punti1
	rSlot     int             // slot of R in the pack's symbol table
	pByBranch [][2]*TraceText // [interval][formIndex]
	points    *TraceText
	// Bindings: R into P, weight and P into points, points into the indicator.
	bindR, bindWeight, bindP, bindPoints *BindingText
}

// formIndex is 0 when the interval's coherent formula applies under the
// errata, 1 when the printed one does (always, for intervals without an
// erratum): the index of its texts and notes.
func (iv *Interval) formIndex(s errataSet) int {
	if iv.coherent != nil && s.has(iv.bit) {
		return 0
	}
	return 1
}

// ThresholdOf says where an articulation's threshold comes from: a code of
// the threshold list, a column of the area table, or nothing (the function
// has its thresholds built in).
type ThresholdOf struct {
	Code string // e.g. "S1"
	Area string // e.g. "occupati"
}

// UnmarshalJSON accepts null, a code string, or {"area": column}.
func (t *ThresholdOf) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		*t = ThresholdOf{}
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &t.Code)
	}
	var v struct {
		Area string `json:"area"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	t.Area = v.Area
	return nil
}

// MarshalJSON writes the same three forms.
func (t ThresholdOf) MarshalJSON() ([]byte, error) {
	switch {
	case t.Code != "":
		return json.Marshal(t.Code)
	case t.Area != "":
		return json.Marshal(map[string]string{"area": t.Area})
	}
	return []byte("null"), nil
}

// None reports whether the articulation has no threshold parameter.
func (t ThresholdOf) None() bool { return t.Code == "" && t.Area == "" }

// ResultDef is how an articulation's result R is computed from the inputs.
type ResultDef struct {
	Formula      string        `json:"formula"`
	Unit         string        `json:"unit"`
	Denominator  string        `json:"denominator,omitempty"`
	ZeroDenom    string        `json:"zero_denominator,omitempty"`
	ZeroNote     string        `json:"zero_denominator_note,omitempty"`
	Explanation  string        `json:"explanation"`
	Note         string        `json:"note,omitempty"`
	Alternatives []ResultAlter `json:"alternatives,omitempty"`

	expr   *Expr
	text   *TraceText
	fields []FieldCode
	refs   []varRef
}

// varRef is a variable of a result formula with its slot and provenance.
type varRef struct {
	name  string
	slot  int
	field FieldCode // set when the variable is an input field
	from  string    // set when it is an earlier result or a threshold code
	text  *BindingText
}

// ResultAlter is another formula for R selected by an interpretation.
type ResultAlter struct {
	Interpretation string `json:"interpretation"`
	Choice         string `json:"choice"`
	Formula        string `json:"formula"`
	Explanation    string `json:"explanation"`

	expr   *Expr
	text   *TraceText
	fields []FieldCode
	refs   []varRef
}

// Function is a transformation function R → P: ordered intervals, the first
// whose condition holds applies.
type Function struct {
	ID             string       `json:"id"`
	Citation       string       `json:"citation"`
	Domain         Domain       `json:"domain"`
	ThresholdRange *Range       `json:"threshold_range,omitempty"`
	Intervals      []*Interval  `json:"intervals"`
	DecreeTable    *DecreeTable `json:"decree_table,omitempty"`
	uses           map[string]bool
	upper          float64 // Domain.Max, or the pack's input limit when unbounded
}

// Domain is the range of results a function accepts.
type Domain struct {
	Min float64  `json:"min"`
	Max *float64 `json:"max,omitempty"`
}

// Range is an open interval (above, below) for a threshold.
type Range struct {
	Above float64 `json:"above"`
	Below float64 `json:"below"`
}

// Interval is one printed branch of a function.
type Interval struct {
	When               string `json:"when"`
	Printed            string `json:"printed"`
	Coherent           string `json:"coherent,omitempty"`
	Erratum            string `json:"erratum,omitempty"`
	Unprinted          bool   `json:"unprinted,omitempty"`
	Explanation        string `json:"explanation"`
	ExplanationPrinted string `json:"explanation_printed,omitempty"`
	Note               string `json:"note,omitempty"`

	cond         *Cond
	printed      *Expr
	coherent     *Expr
	printedText  string // "P = …" for people, precomputed
	coherentText string
	erratumNote  string
	bit          uint64      // the erratum's bit in an errataSet; 0 without erratum
	notes        [2][]string // static trace notes by formIndex; len == cap
}

// DecreeTable is a worked "Risultato → Punteggio" table printed in the decree.
type DecreeTable struct {
	ImpliedThreshold *float64           `json:"implied_threshold,omitempty"`
	Tolerance        float64            `json:"tolerance"`
	Exceptions       []TableException   `json:"exceptions,omitempty"`
	Expected         map[Reading]string `json:"expected"`
	Note             string             `json:"note,omitempty"`
	Rows             [][2]float64       `json:"rows"`
}

// TableException widens the tolerance of one row of a decree table.
type TableException struct {
	Result    float64 `json:"result"`
	Tolerance float64 `json:"tolerance"`
	Note      string  `json:"note"`
}

// FemaleIndicator is part B of the decree.
type FemaleIndicator struct {
	Name      string            `json:"name"`
	Citation  string            `json:"citation"`
	Note      string            `json:"note"`
	Result    FemaleResult      `json:"result"`
	Variables map[string]string `json:"variables"`
	Bindings  map[string]string `json:"bindings"`
	Cases     []*FemaleCase     `json:"cases"`
}

// FemaleResult is the course result of the female-students indicator.
type FemaleResult struct {
	Formula      string   `json:"formula"`
	Unit         string   `json:"unit"`
	Denominators []string `json:"denominators"`
	Explanation  string   `json:"explanation"`

	expr *Expr
	text *TraceText
}

// FemaleCase is one of the two functions of part B, chosen by the area mean.
type FemaleCase struct {
	When        string      `json:"when"`
	Threshold   string      `json:"threshold,omitempty"`
	Requires    string      `json:"requires,omitempty"`
	Explanation string      `json:"explanation"`
	Intervals   []*Interval `json:"intervals"`

	cond      *Cond
	threshold *Expr
	requires  *Cond
}

// TotalDef is how the course total is explained and cited.
type TotalDef struct {
	Citation    string `json:"citation"`
	Explanation string `json:"explanation"`
}

// Bands are the outcome bands of a course total (I-5).
type Bands struct {
	Citation string `json:"citation"`
	Rows     []Band `json:"rows"`
}

// Band is one outcome band.
type Band struct {
	Code  string `json:"code"`
	When  string `json:"when"`
	Label string `json:"label"`
}

type compiledBand struct {
	band   *Band
	cond   *Cond
	result *BandResult // shared by every result in this band; read-only
}

// LegalRule is a legal constraint the validator reports when it does not
// hold. With Choice, it applies only when its interpretation has that choice
// (I-9: the decree's minimums or the law's).
type LegalRule struct {
	ID             string `json:"id"`
	Severity       string `json:"severity"`
	Field          string `json:"field"`
	Quantity       string `json:"quantity,omitempty"`
	Holds          string `json:"holds"`
	Citation       string `json:"citation"`
	Message        string `json:"message"`
	Interpretation string `json:"interpretation,omitempty"`
	Choice         string `json:"choice,omitempty"`
	// Summary says what the rule asks, for the field's description in the
	// template: «almeno il 30% delle ore totali».
	Summary string `json:"summary"`
}

// DefaultConstraints lists the legal constraints that apply under the
// pack's default interpretation choices.
func (p *Pack) DefaultConstraints() []*LegalRule {
	var out []*LegalRule
	for i := range p.Constraints {
		lr := &p.Constraints[i]
		if lr.Choice != "" {
			def := ""
			for _, in := range p.Interpretations {
				if in.ID == lr.Interpretation {
					def = in.Default
				}
			}
			if lr.Choice != def {
				continue
			}
		}
		out = append(out, lr)
	}
	return out
}

// Constraint is a legal constraint of a run with its parsed condition.
type Constraint struct {
	Rule *LegalRule
	Cond *Cond
}

// Constraints lists the legal constraints that apply under the run's
// interpretation choices, parsed once when the pack was loaded.
func (sc *Scorer) Constraints() []Constraint {
	var out []Constraint
	for i := range sc.pack.Constraints {
		lr := &sc.pack.Constraints[i]
		if lr.Choice != "" && sc.interp[lr.Interpretation] != lr.Choice {
			continue
		}
		out = append(out, Constraint{Rule: lr, Cond: sc.pack.constraints[i]})
	}
	return out
}

// ParsePack reads and checks a rule pack file.
func ParsePack(data []byte) (*Pack, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var p Pack
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("%w: %s", ErrPack, decodeText(err))
	}
	if err := p.compile(); err != nil {
		return nil, fmt.Errorf("%w %s: %v", ErrPack, p.ID, err)
	}
	p.digest = sha256Hex(data)
	p.raw = append([]byte(nil), data...)
	return &p, nil
}

// decodeText says in Italian what is wrong with a pack file's JSON, with
// the position or the field's path.
func decodeText(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("JSON non valido al byte %d: %v", se.Offset, se)
	case errors.As(err, &te):
		return fmt.Sprintf("%s: valore di tipo %s, atteso %s", te.Field, te.Value, te.Type)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return "campo " + strings.TrimPrefix(err.Error(), "json: unknown field ") + " sconosciuto"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "file vuoto o troncato"
	}
	return err.Error()
}

// Raw returns the pack file exactly as loaded.
func (p *Pack) Raw() []byte { return p.raw }

// Digest is the SHA-256 of the pack file, for the stamp of a run.
func (p *Pack) Digest() string { return p.digest }

// Function returns the function with the given id.
func (p *Pack) Function(id string) (*Function, bool) {
	f, ok := p.functionByID[id]
	return f, ok
}

// Articulation returns the articulation with the given number.
func (p *Pack) Articulation(n int) (*Articulation, bool) {
	for i := range p.Articulations {
		if p.Articulations[i].Number == n {
			return &p.Articulations[i], true
		}
	}
	return nil, false
}

// Threshold returns the definition of a threshold code, including the
// generated area codes (occupati_<key>, tasso_<key>, femminile_media_<key>).
func (p *Pack) Threshold(code string) (*ThresholdDef, bool) {
	t, ok := p.thresholdByKey[code]
	return t, ok
}

// ThresholdRange returns the open range a threshold code must lie in to be
// admissible for the function that uses it (the Tab. 3 codes, and the area
// columns of Tab. 4), and that function's id.
func (p *Pack) ThresholdRange(code string) (*Range, string, bool) {
	for i := range p.Articulations {
		a := &p.Articulations[i]
		uses := a.Threshold.Code == code
		if a.Threshold.Area != "" && strings.HasPrefix(code, a.Threshold.Area+"_") {
			_, uses = p.thresholdByKey[code]
		}
		if uses && a.fn.ThresholdRange != nil {
			return a.fn.ThresholdRange, a.fn.ID, true
		}
	}
	return nil, "", false
}

// ThresholdDefs lists every threshold a run may override, in sheet order.
func (p *Pack) ThresholdDefs() []*ThresholdDef {
	out := make([]*ThresholdDef, 0, len(p.thresholdByKey))
	for i := range p.Thresholds {
		out = append(out, p.thresholdByKey[p.Thresholds[i].Code])
	}
	for _, col := range p.Areas.Columns {
		for _, a := range p.Areas.Rows {
			out = append(out, p.thresholdByKey[col.Key+"_"+a.Key])
		}
	}
	if p.Female != nil {
		for _, a := range p.Areas.Rows {
			out = append(out, p.thresholdByKey[p.Areas.FemaleMeanPrefix+a.Key])
		}
	}
	return out
}

// AreaByName finds an area by its exact Italian name or by its key.
func (p *Pack) AreaByName(s string) (*Area, bool) {
	s = strings.TrimSpace(s)
	for i := range p.Areas.Rows {
		a := &p.Areas.Rows[i]
		if a.Name == s || a.Key == s {
			return a, true
		}
	}
	return nil, false
}

// Indicator returns the indicator with the given number.
func (p *Pack) Indicator(n int) (*Indicator, bool) {
	for i := range p.Indicators {
		if p.Indicators[i].Number == n {
			return &p.Indicators[i], true
		}
	}
	return nil, false
}

// Erratum returns the erratum with the given id.
func (p *Pack) Erratum(id string) (*Erratum, bool) {
	for i := range p.Errata {
		if p.Errata[i].ID == id {
			return &p.Errata[i], true
		}
	}
	return nil, false
}

// DefaultReading is the reading a run uses when none is asked for.
func (p *Pack) DefaultReading() Reading {
	for _, r := range p.Readings {
		if r.Default {
			return r.ID
		}
	}
	return p.Readings[0].ID // the loader requires one default
}

// AppliesTo reports whether the pack covers a course of the given EQF level
// that ended on the given day.
func (p *Pack) AppliesTo(eqf int, ended time.Time) bool {
	if eqf != p.Applies.EQF {
		return false
	}
	if from, err := time.Parse(time.DateOnly, p.Applies.EndedFrom); err == nil && ended.Before(from) {
		return false
	}
	if p.Applies.EndedTo != "" {
		if to, err := time.Parse(time.DateOnly, p.Applies.EndedTo); err == nil && ended.After(to) {
			return false
		}
	}
	return true
}

func f64(v float64) *float64 { return &v }

// compile parses every expression and checks the pack's internal consistency:
// weights, references between parts, and that every variable is known.
func (p *Pack) compile() error {
	var errs []error
	bad := func(path, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", path, fmt.Sprintf(format, args...)))
	}

	if p.ID == "" || p.Version == "" {
		bad("id, version", "sono obbligatori")
	}
	if p.Total.Citation == "" {
		bad("total.citation", "è obbligatoria")
	}
	if p.Scale.Max <= p.Scale.Min {
		bad("scale", "max deve essere maggiore di min")
	}
	if !(p.InputLimit > 0) {
		bad("input_limit", "deve essere positivo")
	}
	if _, err := time.Parse(time.DateOnly, p.Applies.EndedFrom); err != nil {
		bad("applies.ended_from", "data non valida (aaaa-mm-gg): %v", err)
	}
	if len(p.Errata) > maxErrata {
		bad("errata", "al massimo %d errata", maxErrata)
	}
	errataIDs := map[string]bool{}
	for i, e := range p.Errata {
		if e.ID == "" || errataIDs[e.ID] {
			bad(fmt.Sprintf("errata[%d].id", i), "%q mancante o ripetuto", e.ID)
		}
		errataIDs[e.ID] = true
	}
	interpIDs := map[string]bool{}
	for i, in := range p.Interpretations {
		if in.ID == "" || interpIDs[in.ID] {
			bad(fmt.Sprintf("interpretations[%d].id", i), "%q mancante o ripetuto", in.ID)
		}
		interpIDs[in.ID] = true
		if _, ok := in.Choices[in.Default]; !ok {
			bad(fmt.Sprintf("interpretations[%d].default", i), "%q non è tra le scelte di %s", in.Default, in.ID)
		}
		switch in.Scope {
		case ScopeCourse, ScopeFindings, ScopeFoundation:
		default:
			bad(fmt.Sprintf("interpretations[%d].scope", i), "deve essere course, findings o foundation (%s)", in.ID)
		}
		if in.Citation == "" || in.Why == "" {
			bad(fmt.Sprintf("interpretations[%d]", i), "citation e why sono obbligatori (%s)", in.ID)
		}
	}
	readings := map[Reading]bool{}
	defaults := 0
	for ri, r := range p.Readings {
		if r.ID == "" || readings[r.ID] {
			bad(fmt.Sprintf("readings[%d].id", ri), "%q mancante o ripetuto", r.ID)
		}
		readings[r.ID] = true
		if r.Default {
			defaults++
		}
		for id, f := range r.Errata {
			if !errataIDs[id] {
				bad(fmt.Sprintf("readings[%d].errata.%s", ri, id), "errata sconosciuta nella lettura %s", r.ID)
			}
			if f != FormPrinted && f != FormCoherent {
				bad(fmt.Sprintf("readings[%d].errata.%s", ri, id), "deve essere %q o %q", FormPrinted, FormCoherent)
			}
		}
		for id := range errataIDs {
			if _, ok := r.Errata[id]; !ok {
				bad(fmt.Sprintf("readings[%d].errata", ri), "manca la forma dell'errata %s nella lettura %s", id, r.ID)
			}
		}
	}
	if len(p.Readings) == 0 || defaults != 1 {
		bad("readings", "serve almeno una lettura, e una sola predefinita")
	}

	// Thresholds, including the generated per-area codes.
	p.thresholdByKey = map[string]*ThresholdDef{}
	addThreshold := func(t *ThresholdDef) {
		if _, dup := p.thresholdByKey[t.Code]; dup {
			bad("thresholds", "soglia %s definita due volte", t.Code)
		}
		p.thresholdByKey[t.Code] = t
	}
	for i := range p.Thresholds {
		addThreshold(&p.Thresholds[i])
	}
	areaKeys := map[string]bool{}
	for _, a := range p.Areas.Rows {
		if a.Key == "" || a.Name == "" || areaKeys[a.Key] {
			bad("areas.rows", "chiave %q mancante o ripetuta", a.Key)
		}
		areaKeys[a.Key] = true
		if len(a.Values) != len(p.Areas.Columns) {
			bad("areas.rows", "area %s: %d valori per %d colonne dichiarate", a.Key, len(a.Values), len(p.Areas.Columns))
		}
		for _, col := range p.Areas.Columns {
			v, ok := a.column(col.Key)
			if !ok {
				bad("areas.rows", "area %s: manca il valore della colonna %s", a.Key, col.Key)
			}
			addThreshold(&ThresholdDef{
				Code:     col.Key + "_" + a.Key,
				Label:    say(txtAreaThresholdLabel, "area", a.Name, "column", col.Label),
				Default:  f64(v),
				Min:      f64(0),
				Citation: p.Areas.Citation + ", " + a.Name,
			})
		}
		if p.Female != nil {
			addThreshold(&ThresholdDef{
				Code:     p.Areas.FemaleMeanPrefix + a.Key,
				Label:    say(txtFemaleMeanLabel, "area", a.Name),
				Min:      f64(0),
				Max:      f64(100),
				Citation: p.Female.Citation,
				Note:     txtFemaleMeanNote,
			})
		}
	}

	// Functions.
	p.functionByID = map[string]*Function{}
	for fi, f := range p.Functions {
		if _, dup := p.functionByID[f.ID]; dup {
			bad(fmt.Sprintf("functions[%d].id", fi), "funzione %s definita due volte", f.ID)
		}
		p.functionByID[f.ID] = f
		f.upper = p.InputLimit
		if f.Domain.Max != nil {
			f.upper = *f.Domain.Max
		}
		if len(f.Intervals) == 0 {
			bad(fmt.Sprintf("functions[%d].intervals", fi), "la funzione %s non ha intervalli", f.ID)
		}
		f.uses = map[string]bool{}
		for i, iv := range f.Intervals {
			if err := iv.compile(); err != nil {
				bad(fmt.Sprintf("functions[%d].intervals[%d]", fi, i), "%s: %v", f.ID, err)
				continue
			}
			for _, v := range iv.vars() {
				if v != "R" && v != "S" {
					bad(fmt.Sprintf("functions[%d].intervals[%d]", fi, i), "%s: variabile %q sconosciuta (solo R e S)", f.ID, v)
				}
				f.uses[v] = true
			}
			if iv.Erratum != "" {
				if _, ok := p.Erratum(iv.Erratum); !ok {
					bad(fmt.Sprintf("functions[%d].intervals[%d].erratum", fi, i), "%s: errata %s sconosciuta", f.ID, iv.Erratum)
				}
				for k, e := range p.Errata {
					if e.ID == iv.Erratum {
						iv.bit = 1 << uint(k)
					}
				}
			}
		}
		if f.uses["S"] != (f.ThresholdRange != nil) {
			bad(fmt.Sprintf("functions[%d].threshold_range", fi), "%s: serve se e solo se la funzione usa S", f.ID)
		}
		if t := f.DecreeTable; t != nil {
			if f.uses["S"] && t.ImpliedThreshold == nil {
				bad(fmt.Sprintf("functions[%d].decree_table.implied_threshold", fi), "%s: obbligatoria per una funzione con soglia", f.ID)
			}
			for _, r := range p.Readings {
				switch t.Expected[r.ID] {
				case StatusFull, StatusBelowThreshold, StatusNo:
				default:
					bad(fmt.Sprintf("functions[%d].decree_table.expected.%s", fi, r.ID), "%s: deve essere full, below_threshold o no", f.ID)
				}
			}
		}
	}

	// Indicators and articulations: references and weights.
	indSum := 0.0
	indWeights := map[int]float64{}
	for _, ind := range p.Indicators {
		indSum += ind.Weight
		indWeights[ind.Number] = 0
	}
	if math.Abs(indSum-(p.Scale.Max-p.Scale.Min)) > 1e-9 {
		bad("indicators[].weight", "i pesi sommano a %g, non a %g", indSum, p.Scale.Max-p.Scale.Min)
	}
	seen := map[int]bool{}
	for i := range p.Articulations {
		a := &p.Articulations[i]
		if seen[a.Number] {
			bad(fmt.Sprintf("articulations[%d].number", i), "articolazione %d definita due volte", a.Number)
		}
		seen[a.Number] = true
		if _, ok := indWeights[a.Indicator]; !ok {
			bad(fmt.Sprintf("articulations[%d].indicator", i), "indicatore %d sconosciuto", a.Indicator)
		}
		indWeights[a.Indicator] += a.Weight
		var err error
		if a.Result.expr, err = ParseExpr(a.Result.Formula); err != nil {
			bad(fmt.Sprintf("articulations[%d].result.formula", i), "%v", err)
		}
		f, ok := p.functionByID[a.Function]
		if !ok {
			bad(fmt.Sprintf("articulations[%d].function", i), "funzione %q sconosciuta", a.Function)
			continue
		}
		a.fn = f
		if a.Threshold.None() == f.uses["S"] {
			bad(fmt.Sprintf("articulations[%d].threshold", i), "la funzione %s e la soglia %v non concordano", f.ID, a.Threshold)
		}
		if a.Threshold.Code != "" {
			if _, ok := p.thresholdByKey[a.Threshold.Code]; !ok {
				bad(fmt.Sprintf("articulations[%d].threshold", i), "soglia %s sconosciuta", a.Threshold.Code)
			}
		}
		if a.Threshold.Area != "" {
			if !p.Areas.hasColumn(a.Threshold.Area) {
				bad(fmt.Sprintf("articulations[%d].threshold.area", i), "colonna %q sconosciuta", a.Threshold.Area)
			}
			if _, ok := p.AreaCorrection.GeneralCodes[a.Threshold.Area]; !ok {
				bad("area_correction.general_codes", "manca il codice della media generale per la colonna %q", a.Threshold.Area)
			}
		}
		for j := range a.Result.Alternatives {
			alt := &a.Result.Alternatives[j]
			if alt.expr, err = ParseExpr(alt.Formula); err != nil {
				bad(fmt.Sprintf("articulations[%d].result.alternatives[%d]", i, j), "%v", err)
			}
			if !p.hasChoice(alt.Interpretation, alt.Choice) {
				bad(fmt.Sprintf("articulations[%d].result.alternatives[%d]", i, j), "scelta %s=%s sconosciuta", alt.Interpretation, alt.Choice)
			}
		}
		switch a.Result.ZeroDenom {
		case "", "error", "zero":
		default:
			bad(fmt.Sprintf("articulations[%d].result.zero_denominator", i), "deve essere error o zero")
		}
	}
	sort.Slice(p.Articulations, func(i, j int) bool { return p.Articulations[i].Number < p.Articulations[j].Number })
	for i, a := range p.Articulations {
		if a.Number != i+1 {
			bad("articulations[].number", "le articolazioni vanno numerate da 1 a %d senza salti: manca la %d", len(p.Articulations), i+1)
			break
		}
	}
	for _, ind := range p.Indicators {
		if math.Abs(indWeights[ind.Number]-ind.Weight) > 1e-9 {
			bad("articulations[].weight", "le articolazioni dell'indicatore %d pesano %g, l'indicatore %g", ind.Number, indWeights[ind.Number], ind.Weight)
		}
	}
	// Result formulas may use fields, earlier results and threshold codes;
	// a name that is none of these must be a field code, checked by the
	// caller's inputs. Earlier results only: no cycles.
	for i := range p.Articulations {
		a := &p.Articulations[i]
		if a.Result.expr == nil {
			continue
		}
		exprs := []*Expr{a.Result.expr}
		for _, alt := range a.Result.Alternatives {
			exprs = append(exprs, alt.expr)
		}
		for _, e := range exprs {
			if e == nil {
				continue
			}
			for _, v := range e.Vars() {
				if n, ok := resultNumber(v); ok && n >= a.Number {
					bad(fmt.Sprintf("articulations[%d].result", i), "usa R%d, che non è calcolato prima", n)
				}
			}
		}
		if a.Result.Denominator != "" && !contains(a.Result.expr.Vars(), a.Result.Denominator) {
			bad(fmt.Sprintf("articulations[%d].result.denominator", i), "%s non compare nella formula", a.Result.Denominator)
		}
	}

	// Zeroing, bands, constraints, area correction, female indicator.
	for i := range p.Zeroing {
		z := &p.Zeroing[i]
		c, err := ParseCond(z.When)
		if err != nil {
			bad(fmt.Sprintf("zeroing[%d].when", i), "%v", err)
			continue
		}
		if _, ok := indWeights[z.Indicator]; !ok {
			bad(fmt.Sprintf("zeroing[%d].indicator", i), "indicatore %d sconosciuto", z.Indicator)
		}
		if z.Choice != "" && !p.hasChoice(z.Interpretation, z.Choice) {
			bad(fmt.Sprintf("zeroing[%d].choice", i), "scelta %s=%s sconosciuta", z.Interpretation, z.Choice)
		}
		for _, n := range z.Articulations {
			a, ok := p.Articulation(n)
			if !ok || a.Indicator != z.Indicator {
				bad(fmt.Sprintf("zeroing[%d].articulations", i), "l'articolazione %d non è dell'indicatore %d", n, z.Indicator)
			}
		}
		p.zeroing = append(p.zeroing, compiledZeroing{rule: z, cond: c})
	}
	for i := range p.Bands.Rows {
		b := &p.Bands.Rows[i]
		c, err := ParseCond(b.When)
		if err != nil {
			bad(fmt.Sprintf("bands.rows[%d].when", i), "%v", err)
			continue
		}
		for _, v := range c.Vars() {
			if v != "T" {
				bad(fmt.Sprintf("bands.rows[%d].when", i), "vi può comparire solo T (il totale del percorso)")
			}
		}
		p.bands = append(p.bands, compiledBand{band: b, cond: c, result: &BandResult{Code: b.Code, Label: b.Label, Rule: b.When, Citation: p.Bands.Citation}})
	}
	for i := range p.Constraints {
		lr := &p.Constraints[i]
		c, err := ParseCond(lr.Holds)
		if err != nil {
			bad(fmt.Sprintf("legal_constraints[%d].holds", i), "%v", err)
		}
		if lr.Summary == "" {
			bad(fmt.Sprintf("legal_constraints[%d].summary", i), "è obbligatorio: dice in breve cosa chiede la regola")
		}
		if lr.Choice != "" && !p.hasChoice(lr.Interpretation, lr.Choice) {
			bad(fmt.Sprintf("legal_constraints[%d].choice", i), "scelta %s=%s sconosciuta", lr.Interpretation, lr.Choice)
		}
		switch Severity(lr.Severity) {
		case SeverityError, SeverityViolation, SeverityWarning, SeverityInfo:
		default:
			bad(fmt.Sprintf("legal_constraints[%d].severity", i), "gravità %q sconosciuta (error, violation, warning o info)", lr.Severity)
		}
		p.constraints = append(p.constraints, c)
	}
	if p.AreaCorrection.Formula != "" {
		e, err := ParseExpr(p.AreaCorrection.Formula)
		if err != nil {
			bad("area_correction.formula", "%v", err)
		} else {
			for _, v := range e.Vars() {
				if v != "A" && v != "N" && v != "G" {
					bad("area_correction.formula", "variabile %q sconosciuta (solo A, N, G)", v)
				}
			}
		}
		p.areaCorrection = e
		if _, ok := p.thresholdByKey[p.AreaCorrection.NCode]; !ok {
			bad("area_correction.n_code", "codice %s sconosciuto", p.AreaCorrection.NCode)
		}
		for _, code := range p.AreaCorrection.GeneralCodes {
			if _, ok := p.thresholdByKey[code]; !ok {
				bad("area_correction.general_codes", "codice %s sconosciuto", code)
			}
		}
	}
	if f := p.Female; f != nil {
		var err error
		if f.Result.expr, err = ParseExpr(f.Result.Formula); err != nil {
			bad("female_indicator.result.formula", "%v", err)
		}
		for sym, code := range f.Bindings {
			if _, ok := p.thresholdByKey[code]; !ok {
				bad("female_indicator.bindings."+sym, "soglia %s sconosciuta", code)
			}
		}
		for i, c := range f.Cases {
			if c.cond, err = ParseCond(c.When); err != nil {
				bad(fmt.Sprintf("female_indicator.cases[%d].when", i), "%v", err)
			}
			if c.Threshold != "" {
				if c.threshold, err = ParseExpr(c.Threshold); err != nil {
					bad(fmt.Sprintf("female_indicator.cases[%d].threshold", i), "%v", err)
				}
			}
			if c.Requires != "" {
				if c.requires, err = ParseCond(c.Requires); err != nil {
					bad(fmt.Sprintf("female_indicator.cases[%d].requires", i), "%v", err)
				}
			}
			allowed := map[string]bool{"R": true, "M": true, "S": true}
			for sym := range f.Bindings {
				allowed[sym] = true
			}
			check := func(what string, vars []string) {
				for _, v := range vars {
					if !allowed[v] {
						bad(fmt.Sprintf("female_indicator.cases[%d].%s", i, what), "variabile %q sconosciuta", v)
					}
				}
			}
			if c.cond != nil {
				check("when", c.cond.Vars())
			}
			if c.threshold != nil {
				check("threshold", c.threshold.Vars())
			}
			if c.requires != nil {
				check("requires", c.requires.Vars())
			}
			for j, iv := range c.Intervals {
				if err := iv.compile(); err != nil {
					bad(fmt.Sprintf("female_indicator.cases[%d].intervals[%d]", i, j), "%v", err)
					continue
				}
				check("interval", iv.vars())
			}
		}
	}
	if p.Foundation != nil {
		for _, err := range p.Foundation.check(p) {
			bad("foundation_rule", "%v", err)
		}
	}
	if len(errs) == 0 {
		p.checkCoverage(bad)
	}
	if len(errs) == 0 {
		p.buildTexts()
		p.resolveSlots()
		return nil
	}
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = e.Error()
	}
	return errors.New(strings.Join(msgs, "; "))
}

// coverageSteps is how many results are tried across a function's domain.
const coverageSteps = 1000

// checkCoverage checks that every function gives a score for every result
// of its domain (no gap between intervals, no value outside the scale under
// a corrected form), at a middle threshold and at its range's ends, on a
// grid of results and at every number its conditions name.
func (p *Pack) checkCoverage(bad func(path, format string, args ...any)) {
	for fi, f := range p.Functions {
		var thresholds []*float64
		if f.ThresholdRange != nil {
			lo, hi := f.ThresholdRange.Above, f.ThresholdRange.Below
			for _, t := range []float64{0.01, 0.5, 0.99} {
				thresholds = append(thresholds, f64(lo+(hi-lo)*t))
			}
		} else {
			thresholds = []*float64{nil}
		}
		// Every erratum corrected: the coherent forms must cover the domain
		// (the printed ones are the decree's, gaps and all, and clamped).
		all := errataSet(math.MaxUint64)
	grid:
		for _, s := range thresholds {
			rs := []float64{f.Domain.Min, f.upper}
			for k := 1; k < coverageSteps; k++ {
				rs = append(rs, f.Domain.Min+(f.upper-f.Domain.Min)*float64(k)/coverageSteps)
			}
			if s != nil {
				rs = append(rs, *s)
			}
			for _, r := range rs {
				if _, err := f.eval(r, s, all, p.Scale); err != nil {
					at := ""
					if s != nil {
						at = fmt.Sprintf(" con S = %g", *s)
					}
					bad(fmt.Sprintf("functions[%d].intervals", fi), "%s: nessun intervallo dà un punteggio per R = %g%s (%v)", f.ID, r, at, err)
					break grid
				}
			}
		}
	}
}

// resolveSlots gives every variable of the course-level formulas (results,
// alternatives, zeroing conditions) a slot, so a course's values are a flat
// vector rather than a map.
func (p *Pack) resolveSlots() {
	p.slotOf = map[string]int{}
	for i := range p.Articulations {
		a := &p.Articulations[i]
		resolve(a.Result.expr.root, p.slotOf, &p.symbols)
		for j := range a.Result.Alternatives {
			resolve(a.Result.Alternatives[j].expr.root, p.slotOf, &p.symbols)
		}
		if _, ok := p.slotOf[a.txt.r]; !ok { // every result has a slot, used or not
			p.slotOf[a.txt.r] = len(p.symbols)
			p.symbols = append(p.symbols, a.txt.r)
		}
		a.txt.rSlot = p.slotOf[a.txt.r]
	}
	for _, z := range p.zeroing {
		for _, t := range z.cond.terms {
			resolve(t, p.slotOf, &p.symbols)
		}
	}
	for _, c := range p.constraints {
		for _, t := range c.terms {
			resolve(t, p.slotOf, &p.symbols)
		}
	}
	refs := func(e *Expr) []varRef {
		var out []varRef
		for _, v := range e.Vars() {
			r := varRef{name: v, slot: p.slotOf[v]}
			if _, isR := resultNumber(v); isR || p.thresholdByKey[v] != nil {
				r.from = v
			} else {
				r.field = FieldCode(v)
			}
			r.text = &BindingText{Symbol: r.name, Field: r.field, From: r.from}
			out = append(out, r)
		}
		return out
	}
	for i := range p.Articulations {
		a := &p.Articulations[i]
		a.Result.refs = refs(a.Result.expr)
		for j := range a.Result.Alternatives {
			a.Result.Alternatives[j].refs = refs(a.Result.Alternatives[j].expr)
		}
	}
}

// buildTexts prepares the static text of traces and the input fields of
// each result formula.
func (p *Pack) buildTexts() {
	top := num(p.Scale.Max)
	fieldsOf := func(e *Expr) []FieldCode {
		var out []FieldCode
		for _, v := range e.Vars() {
			if _, isR := resultNumber(v); !isR && p.thresholdByKey[v] == nil {
				out = append(out, FieldCode(v))
			}
		}
		return out
	}
	for i := range p.Articulations {
		a := &p.Articulations[i]
		n := itoa(a.Number)
		a.txt = articulationText{r: "R" + n, p: "P" + n, pts: "punti" + n}
		a.txt.bindR = &BindingText{Symbol: "R", From: a.txt.r}
		a.txt.bindWeight = &BindingText{Symbol: "peso", From: a.Citation}
		a.txt.bindP = &BindingText{Symbol: "P", From: a.txt.p}
		a.txt.bindPoints = &BindingText{Symbol: a.txt.pts, From: a.txt.pts}
		a.Result.text = &TraceText{Quantity: a.txt.r, Label: a.Name, Formula: a.txt.r + " = " + pretty(a.Result.Formula), Explanation: a.Result.Explanation, Citation: a.Citation}
		a.Result.fields = fieldsOf(a.Result.expr)
		for j := range a.Result.Alternatives {
			alt := &a.Result.Alternatives[j]
			alt.text = &TraceText{Quantity: a.txt.r, Label: a.Name, Formula: a.txt.r + " = " + pretty(alt.Formula), Explanation: alt.Explanation, Citation: a.Citation}
			alt.fields = fieldsOf(alt.expr)
		}
		for _, iv := range a.fn.Intervals {
			var texts [2]*TraceText
			for k, form := range []ErratumForm{FormCoherent, FormPrinted} {
				t := &TraceText{
					Quantity: a.txt.p, Label: say(txtLabelP, "n", n),
					Formula: iv.formulaTextIn(k), Explanation: iv.explanationIn(k),
					Branch: iv.When, Citation: a.fn.Citation,
				}
				if iv.Erratum != "" {
					t.Erratum, t.Form = iv.Erratum, form
				}
				texts[k] = t
			}
			a.txt.pByBranch = append(a.txt.pByBranch, texts)
		}
		a.txt.points = &TraceText{
			Quantity: a.txt.pts, Label: say(txtLabelPoints, "n", n),
			Formula:     say(txtFormulaPoints, "max", top),
			Explanation: say(txtExplainPoints, "n", n, "weight", num(a.Weight), "max", top),
			Citation:    a.Citation + " (peso)",
		}
	}
	p.bindingsCap = len(p.Indicators) + len(p.Articulations) // total, indicators
	for _, a := range p.Articulations {
		most := len(a.Result.expr.Vars())
		for _, alt := range a.Result.Alternatives {
			most = max(most, len(alt.expr.Vars()))
		}
		p.bindingsCap += most + 4 // R inputs, P (R, S), points (weight, P)
	}
	for _, f := range p.Functions {
		for _, iv := range f.Intervals {
			if e, ok := p.Erratum(iv.Erratum); ok {
				iv.erratumNote = say(txtErratumNote, "id", e.ID, "printed", e.Printed)
			}
			for k := range iv.notes {
				var notes []string
				if k == 0 && iv.coherent != nil {
					notes = append(notes, iv.erratumNote)
				}
				if iv.Note != "" {
					notes = append(notes, iv.Note)
				}
				iv.notes[k] = notes[:len(notes):len(notes)]
			}
		}
	}
	for i := range p.Indicators {
		ind := &p.Indicators[i]
		var nums []string
		for _, a := range p.Articulations {
			if a.Indicator == ind.Number {
				nums = append(nums, itoa(a.Number))
			}
		}
		ind.size = len(nums)
		ind.bind = &BindingText{Symbol: ind.Name, From: "indicatore" + itoa(ind.Number)}
		ind.text = &TraceText{
			Quantity: "indicatore" + itoa(ind.Number), Label: say(txtLabelIndicator, "name", ind.Name),
			Formula:     say(txtFormulaIndicator, "list", strings.Join(nums, ", ")),
			Explanation: say(txtExplainIndicator, "weight", num(ind.Weight)),
			Citation:    ind.Citation,
		}
		for j := range p.zeroing {
			z := &p.zeroing[j]
			if z.rule.Indicator == ind.Number && len(z.rule.Articulations) == 0 {
				z.text = &TraceText{
					Quantity: ind.text.Quantity, Label: ind.text.Label,
					Formula: "0 (azzeramento: " + z.rule.When + ")", Explanation: z.rule.Explanation, Citation: z.rule.Citation,
				}
			}
		}
	}
	for j := range p.zeroing {
		z := &p.zeroing[j]
		z.artText = map[int]*TraceText{}
		for _, n := range z.rule.Articulations {
			a, _ := p.Articulation(n)
			z.artText[n] = &TraceText{
				Quantity: a.txt.pts, Label: a.txt.points.Label,
				Formula: "0 (azzeramento: " + z.rule.When + ")", Explanation: z.rule.Explanation, Citation: z.rule.Citation,
			}
		}
	}
	if f := p.Female; f != nil {
		f.Result.text = &TraceText{Quantity: "R_studentesse", Label: f.Name, Formula: "R = " + pretty(f.Result.Formula), Explanation: f.Result.Explanation, Citation: f.Citation}
	}
	p.totalText = &TraceText{
		Quantity: "totale", Label: txtLabelTotal,
		Formula:     say(txtFormulaTotal, "count", itoa(len(p.Indicators))),
		Explanation: p.Total.Explanation,
		Citation:    p.Total.Citation,
	}
}

func (p *Pack) hasChoice(interp, choice string) bool {
	for _, in := range p.Interpretations {
		if in.ID == interp {
			_, ok := in.Choices[choice]
			return ok
		}
	}
	return false
}

func (iv *Interval) compile() error {
	var err error
	if iv.cond, err = ParseCond(iv.When); err != nil {
		return err
	}
	if iv.printed, err = ParseExpr(iv.Printed); err != nil {
		return err
	}
	iv.printedText = "P = " + pretty(iv.Printed)
	if iv.Coherent != "" {
		if iv.coherent, err = ParseExpr(iv.Coherent); err != nil {
			return err
		}
		if iv.Erratum == "" {
			return fmt.Errorf("a coherent formula needs the erratum that justifies it")
		}
		iv.coherentText = "P = " + pretty(iv.Coherent)
	}
	return nil
}

// formulaTextIn returns the formula of the form (formIndex), for people.
func (iv *Interval) formulaTextIn(k int) string {
	if k == 0 && iv.coherent != nil {
		return iv.coherentText
	}
	return iv.printedText
}

func (iv *Interval) vars() []string {
	vs := append([]string{}, iv.cond.Vars()...)
	vs = append(vs, iv.printed.Vars()...)
	if iv.coherent != nil {
		vs = append(vs, iv.coherent.Vars()...)
	}
	return vs
}

// formula returns the expression the errata apply on this interval.
func (iv *Interval) formula(s errataSet) *Expr {
	if iv.formIndex(s) == 0 {
		return iv.coherent
	}
	return iv.printed
}

// explanationIn returns the Italian explanation of the form (formIndex).
func (iv *Interval) explanationIn(k int) string {
	if k == 1 && iv.ExplanationPrinted != "" {
		return iv.ExplanationPrinted
	}
	return iv.Explanation
}

// FormulaUnder returns the formula (as written in the pack) and its
// Italian explanation under the run's errata, and the erratum's form when
// the interval has one.
func (iv *Interval) FormulaUnder(e Errata) (formula, explanation string, form ErratumForm) {
	k := 1
	if iv.coherent != nil && e[iv.Erratum] == FormCoherent {
		k = 0
	}
	formula = iv.Printed
	if k == 0 {
		formula = iv.Coherent
	}
	if iv.Erratum != "" {
		form = FormPrinted
		if k == 0 {
			form = FormCoherent
		}
	}
	return formula, iv.explanationIn(k), form
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// ResultNumber parses an articulation's result name, "R14", into 14: the
// one parser of these names, for every package.
func ResultNumber(name string) (int, bool) { return resultNumber(name) }

// EarlierResults lists the articulations whose results the articulation's
// result formula reads (R15 = R14 / diplomati reads 14), under any
// interpretation, parsed once when the pack was loaded.
func (a *Articulation) EarlierResults() []int {
	var out []int
	seen := map[int]bool{}
	exprs := []*Expr{a.Result.expr}
	for _, alt := range a.Result.Alternatives {
		exprs = append(exprs, alt.expr)
	}
	for _, e := range exprs {
		for _, v := range e.Vars() {
			if n, ok := resultNumber(v); ok && !seen[n] {
				seen[n] = true
				out = append(out, n)
			}
		}
	}
	return out
}

// resultNumber parses "R14" into 14.
func resultNumber(name string) (int, bool) {
	if len(name) < 2 || name[0] != 'R' {
		return 0, false
	}
	n := 0
	for _, c := range name[1:] {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func itoa(n int) string { return strconv.Itoa(n) }

// Registry holds the packs a run can choose from.
type Registry struct {
	packs []*Pack
}

// LoadEmbedded returns the registry of the packs built into the binary.
func LoadEmbedded() (*Registry, error) {
	return LoadFS(embeddedPacks, "packs")
}

// LoadFS reads every *.json pack in dir of fsys.
func LoadFS(fsys fs.FS, dir string) (*Registry, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("reading rule packs: %w", err)
	}
	reg := &Registry{}
	for _, e := range entries {
		if e.IsDir() || path.Ext(e.Name()) != ".json" {
			continue
		}
		data, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("reading rule pack %s: %w", e.Name(), err)
		}
		p, err := ParsePack(data)
		if err != nil {
			return nil, fmt.Errorf("rule pack %s: %w", e.Name(), err)
		}
		if err := reg.Add(p); err != nil {
			return nil, err
		}
	}
	return reg, nil
}

// Add puts a pack in the registry; ids must be unique.
func (r *Registry) Add(p *Pack) error {
	if _, ok := r.Get(p.ID); ok {
		return fmt.Errorf("%w: pack %s loaded twice", ErrPack, p.ID)
	}
	r.packs = append(r.packs, p)
	sort.Slice(r.packs, func(i, j int) bool { return r.packs[i].ID < r.packs[j].ID })
	return nil
}

// Get returns the pack with the given id.
func (r *Registry) Get(id PackID) (*Pack, bool) {
	for _, p := range r.packs {
		if p.ID == id {
			return p, true
		}
	}
	return nil, false
}

// Packs lists the loaded packs by id.
func (r *Registry) Packs() []*Pack { return r.packs }

// ErrNoPack is returned when no loaded pack covers a course.
var ErrNoPack = errors.New("no rule pack")

// ForCourse chooses the pack for a course by EQF level and end date (I-4).
func (r *Registry) ForCourse(eqf int, ended time.Time) (*Pack, error) {
	for _, p := range r.packs {
		if p.AppliesTo(eqf, ended) {
			return p, nil
		}
	}
	return nil, fmt.Errorf("%w for EQF %d courses ended on %s", ErrNoPack, eqf, ended.Format(time.DateOnly))
}

// FieldRef is an input field a pack reads, with the JSON path that names it.
type FieldRef struct {
	Path  string
	Field FieldCode
}

// FieldRefs lists every input field the pack's formulas and conditions
// read (results and their alternatives, zeroing, legal constraints, the
// female indicator), so that a loader can check them against the workbook's
// field catalogue.
func (p *Pack) FieldRefs() []FieldRef {
	var out []FieldRef
	add := func(path string, vars []string) {
		for _, v := range vars {
			if _, isR := resultNumber(v); isR || p.thresholdByKey[v] != nil {
				continue
			}
			out = append(out, FieldRef{Path: path, Field: FieldCode(v)})
		}
	}
	for i := range p.Articulations {
		a := &p.Articulations[i]
		add(fmt.Sprintf("articulations[%d].result.formula", i), a.Result.expr.Vars())
		for j := range a.Result.Alternatives {
			add(fmt.Sprintf("articulations[%d].result.alternatives[%d].formula", i, j), a.Result.Alternatives[j].expr.Vars())
		}
	}
	for i, z := range p.zeroing {
		add(fmt.Sprintf("zeroing[%d].when", i), z.cond.Vars())
	}
	for i, c := range p.constraints {
		add(fmt.Sprintf("legal_constraints[%d].holds", i), c.Vars())
		add(fmt.Sprintf("legal_constraints[%d].field", i), []string{p.Constraints[i].Field})
	}
	if p.Female != nil && p.Female.Result.expr != nil {
		add("female_indicator.result.formula", p.Female.Result.expr.Vars())
	}
	return out
}
