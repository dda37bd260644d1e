package compute

import (
	"fmt"
	"math"
	"sort"
)

// Options are the choices of a run: the reading, the interpretation choices
// and the threshold overrides (codes of the Soglie sheet).
type Options struct {
	Reading         Reading            // empty means the pack's default
	Interpretations map[string]string  // e.g. {"I-2": "soglia_diplomati"}; missing means default
	Overrides       map[string]float64 // threshold code → value for this run
}

// Override records a threshold value supplied for the run.
type Override struct {
	Code    string   `json:"code"`
	Label   string   `json:"label"`
	Value   float64  `json:"value"`
	Default *float64 `json:"default"` // nil when the pack has no default (N, general means…)
}

// Scorer scores courses with one pack and one set of options, checked once.
type Scorer struct {
	pack       *Pack
	reading    Reading
	interp     map[string]string
	overrides  map[string]float64
	overridden []Override
	fields     []FieldCode // input fields the pack's results use, sorted
}

// OptionsError lists every problem found in a run's options.
type OptionsError struct {
	Problems []*Error
}

func (e *OptionsError) Error() string {
	if len(e.Problems) == 1 {
		return e.Problems[0].Msg
	}
	return fmt.Sprintf("%s (e altri %d problemi)", e.Problems[0].Msg, len(e.Problems)-1)
}

// Unwrap exposes the problems to errors.Is / errors.As.
func (e *OptionsError) Unwrap() []error {
	out := make([]error, len(e.Problems))
	for i, p := range e.Problems {
		out[i] = p
	}
	return out
}

// NewScorer checks the options against the pack: the reading exists, every
// interpretation choice exists, every override names a known code and lies in
// its admissible range. All problems are reported at once.
func NewScorer(p *Pack, o Options) (*Scorer, error) {
	sc := &Scorer{pack: p, reading: o.Reading, interp: map[string]string{}, overrides: map[string]float64{}}
	var probs []*Error
	if sc.reading == "" {
		sc.reading = p.DefaultReading()
	} else if sc.reading != ReadingCoherent && sc.reading != ReadingLiteral {
		probs = append(probs, &Error{Kind: ErrReading, Msg: fmt.Sprintf("lettura %q sconosciuta: usare coherent o literal", sc.reading)})
	}
	for _, in := range p.Interpretations {
		sc.interp[in.ID] = in.Default
	}
	for id, choice := range o.Interpretations {
		if !p.hasChoice(id, choice) {
			probs = append(probs, &Error{Kind: ErrUnknownCode, Msg: fmt.Sprintf("interpretazione %s: scelta %q sconosciuta", id, choice)})
			continue
		}
		sc.interp[id] = choice
	}
	codes := make([]string, 0, len(o.Overrides))
	for c := range o.Overrides {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	for _, code := range codes {
		v := o.Overrides[code]
		def, ok := p.Threshold(code)
		if !ok {
			probs = append(probs, &Error{Kind: ErrUnknownCode, Quantity: code, Msg: fmt.Sprintf("soglia %q sconosciuta nel pacchetto %s", code, p.ID)})
			continue
		}
		if err := p.checkOverride(def, v); err != nil {
			probs = append(probs, err)
			continue
		}
		sc.overrides[code] = v
		if def.Default == nil || *def.Default != v {
			sc.overridden = append(sc.overridden, Override{Code: code, Label: def.Label, Value: v, Default: def.Default})
		}
	}
	if len(probs) > 0 {
		return nil, &OptionsError{Problems: probs}
	}
	seen := map[FieldCode]bool{}
	for _, a := range p.Articulations {
		for _, v := range a.Result.expr.Vars() {
			if _, isR := resultNumber(v); isR {
				continue
			}
			if _, isT := p.thresholdByKey[v]; isT {
				continue
			}
			seen[FieldCode(v)] = true
		}
	}
	for _, z := range p.zeroing {
		for _, v := range z.cond.Vars() {
			seen[FieldCode(v)] = true
		}
	}
	for f := range seen {
		sc.fields = append(sc.fields, f)
	}
	sort.Slice(sc.fields, func(i, j int) bool { return sc.fields[i] < sc.fields[j] })
	return sc, nil
}

// checkOverride verifies an override value: finite, in its declared range,
// integer when required, and admissible for the functions that use it.
func (p *Pack) checkOverride(def *ThresholdDef, v float64) *Error {
	msg := ""
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		msg = "non è un numero finito"
	case def.Min != nil && v < *def.Min:
		msg = fmt.Sprintf("è minore del minimo %s", num(*def.Min))
	case def.Max != nil && v > *def.Max:
		msg = fmt.Sprintf("supera il massimo %s", num(*def.Max))
	case def.Integer && v != math.Trunc(v):
		msg = "deve essere un numero intero"
	}
	if msg == "" {
		for _, a := range p.Articulations {
			if a.Threshold.Code == def.Code {
				if err := a.fn.checkThreshold(v); err != nil {
					return &Error{Kind: ErrThresholdRange, Quantity: def.Code, Msg: fmt.Sprintf("soglia %s = %s: %s", def.Code, num(v), err.(*Error).Msg)}
				}
			}
		}
		return nil
	}
	return &Error{Kind: ErrThresholdRange, Quantity: def.Code, Msg: fmt.Sprintf("soglia %s = %s: %s", def.Code, num(v), msg)}
}

// Pack returns the scorer's pack.
func (sc *Scorer) Pack() *Pack { return sc.pack }

// Reading returns the reading the scorer applies.
func (sc *Scorer) Reading() Reading { return sc.reading }

// Interpretations returns the effective interpretation choices.
func (sc *Scorer) Interpretations() map[string]string { return sc.interp }

// Overridden lists the thresholds whose run value differs from the pack's
// default, or that the pack leaves to the run (N, general means, …).
func (sc *Scorer) Overridden() []Override { return sc.overridden }

// Fields lists the input fields the pack's formulas read.
func (sc *Scorer) Fields() []FieldCode { return sc.fields }

// WithReading returns a scorer identical but for the reading.
func (sc *Scorer) WithReading(r Reading) *Scorer {
	c := *sc
	c.reading = r
	return &c
}

// threshold returns the run value of a threshold code and its source.
func (sc *Scorer) threshold(code string) (float64, ThresholdSource, bool) {
	if v, ok := sc.overrides[code]; ok {
		return v, SourceOverride, true
	}
	def, ok := sc.pack.thresholdByKey[code]
	if !ok || def.Default == nil {
		return 0, "", false
	}
	return *def.Default, SourceDefault, true
}
