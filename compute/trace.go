package compute

import (
	"errors"
	"strings"
)

// Reading names a reading of the decree's printed text: for every erratum
// (RULES.md, E-1…E-4) whether the printed or the corrected formula applies.
// Readings are defined by the rule pack (ReadingDef), not by code.
type Reading string

// The readings of the DM 30/11/2023 pack. Other packs may define others.
const (
	ReadingTables   Reading = "tables"
	ReadingCoherent Reading = "coherent"
	ReadingLiteral  Reading = "literal"
)

// ParseReading normalises a reading's name, accepting the Italian names
// ("tabelle", "coerente", "letterale"). Whether the pack defines the
// reading is checked by NewScorer and Pack.ResolveErrata.
func ParseReading(s string) (Reading, error) {
	switch v := strings.ToLower(strings.TrimSpace(s)); v {
	case "":
		return "", &Error{Kind: ErrReading, Msg: say(txtReadingUnknown, "reading", s, "known", "tables, coherent, literal")}
	case "tabelle":
		return ReadingTables, nil
	case "coerente":
		return ReadingCoherent, nil
	case "letterale":
		return ReadingLiteral, nil
	default:
		return Reading(v), nil
	}
}

// ErratumForm is how a run reads one erratum: the formula as printed, or
// the corrected (coherent) one.
type ErratumForm string

// The two forms of an erratum.
const (
	FormPrinted  ErratumForm = "printed"
	FormCoherent ErratumForm = "coherent"
)

// Label is the Italian name of the form.
func (f ErratumForm) Label() string {
	if f == FormCoherent {
		return "coerente"
	}
	return "come stampata"
}

// Errata is, for each erratum of a pack, the form a run applies.
type Errata map[string]ErratumForm

// ParseErratumChoice reads "E-2=printed" (or the Italian "E-2=stampata",
// "E-2=coerente") into the erratum's id and form.
func ParseErratumChoice(s string) (string, ErratumForm, error) {
	id, form, ok := strings.Cut(strings.TrimSpace(s), "=")
	id = strings.ToUpper(strings.TrimSpace(id))
	if ok && id != "" {
		switch strings.ToLower(strings.TrimSpace(form)) {
		case "printed", "stampata", "stampato":
			return id, FormPrinted, nil
		case "coherent", "coerente":
			return id, FormCoherent, nil
		}
	}
	return "", "", &Error{Kind: ErrReading, Msg: say(txtErratumChoice, "found", s)}
}

// Sentinel kinds of compute errors; test them with errors.Is.
var (
	ErrNotFinite      = errors.New("value not finite")
	ErrOutOfDomain    = errors.New("result outside the function's domain")
	ErrMissingValue   = errors.New("missing value")
	ErrThresholdRange = errors.New("threshold outside its admissible range")
	ErrNoThreshold    = errors.New("function has no threshold parameter")
	ErrReading        = errors.New("unknown reading")
	ErrZeroDenom      = errors.New("zero denominator")
	ErrUnknownCode    = errors.New("unknown code")
	ErrUnknownArea    = errors.New("unknown technological area")
)

// Error is a compute error: a sentinel kind, what it concerns, and an
// Italian message for the user.
type Error struct {
	Kind     error
	Quantity string    // e.g. "R2", "S14", "P5"
	Field    FieldCode // input field concerned, if any
	Msg      string    // Italian, for users
}

func (e *Error) Error() string { return e.Msg }

// Unwrap returns the sentinel kind.
func (e *Error) Unwrap() error { return e.Kind }

// BindingText names a value that entered a computation and where it came
// from: an input field, an earlier quantity or a threshold code. It is fixed
// by the rule pack and shared by every course.
type BindingText struct {
	Symbol string    `json:"symbol"`
	Field  FieldCode `json:"field,omitempty"` // the input field it was read from
	From   string    `json:"from,omitempty"`  // the quantity or threshold code it came from
}

// Binding is one value that entered a computation. In JSON the text fields
// appear at the top level.
type Binding struct {
	*BindingText
	Value float64 `json:"value"`
}

// bind builds a binding with text of its own, for values outside the
// precomputed ones.
func bind(symbol string, v float64, field FieldCode, from string) Binding {
	return Binding{BindingText: &BindingText{Symbol: symbol, Field: field, From: from}, Value: v}
}

// ThresholdUse records the threshold a score used and where it came from.
type ThresholdUse struct {
	Code       string          `json:"code"`
	Value      float64         `json:"value"`
	Source     ThresholdSource `json:"source"`
	Default    *float64        `json:"default,omitempty"`
	Citation   string          `json:"citation"`
	Correction *Correction     `json:"correction,omitempty"`
	Note       string          `json:"note,omitempty"`

	bind *BindingText // "S" from Code
}

// ThresholdSource says whether a threshold is the pack's default, a value
// supplied for the run, or the area correction of footnote 3.
type ThresholdSource string

// Threshold sources.
const (
	SourceDefault   ThresholdSource = "default"
	SourceOverride  ThresholdSource = "override"
	SourceCorrected ThresholdSource = "corrected"
)

// Correction records the footnote-3 correction of an area threshold.
type Correction struct {
	Formula string    `json:"formula"`
	Inputs  []Binding `json:"inputs"`
}

// TraceText is the part of a trace that the rule pack fixes: what the
// quantity is, its formula in symbols and in Italian words, the branch and
// the legal source. It is built once per pack and shared by every course.
type TraceText struct {
	Quantity    string      `json:"quantity"`
	Label       string      `json:"label"`
	Formula     string      `json:"formula"`
	Explanation string      `json:"explanation"`
	Branch      string      `json:"branch,omitempty"`
	Erratum     string      `json:"erratum,omitempty"`      // the erratum of this branch, if any
	Form        ErratumForm `json:"erratum_form,omitempty"` // how the run reads it
	Citation    string      `json:"citation"`
}

// Trace explains one computed number: what it is, the formula in symbols and
// in Italian words, the branch that applied, the values that entered it and
// where they came from, the threshold, the reading and the legal source.
// In JSON the text fields appear at the top level of the trace.
//
// The text, the binding texts, the notes and the threshold record may be
// shared with other results of the same run: treat results as read-only.
type Trace struct {
	*TraceText
	Value     float64       `json:"value"`
	Inputs    []Binding     `json:"inputs,omitempty"`
	Threshold *ThresholdUse `json:"threshold,omitempty"`
	Unclamped *float64      `json:"unclamped,omitempty"`
	Notes     []string      `json:"notes,omitempty"`
}

var prettyOps = strings.NewReplacer(" * ", " × ", " - ", " − ", "*", "×")

// pretty renders a pack expression for people: × and − instead of * and -.
func pretty(src string) string { return prettyOps.Replace(src) }
