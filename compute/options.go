package compute

import (
	"maps"
	"math"
	"slices"
	"sort"
)

// Options are the choices of a run: the reading, the errata set on top of
// it, the interpretation choices and the threshold overrides (codes of the
// Soglie sheet).
type Options struct {
	Reading         Reading                // empty means the pack's default
	Errata          map[string]ErratumForm // e.g. {"E-2": "coherent"}, on top of the reading
	Interpretations map[string]string      // e.g. {"I-2": "soglia_diplomati"}; missing means default
	Overrides       map[string]float64     // threshold code → value for this run
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
	errata     Errata    // the form of every erratum, after the run's choices
	set        errataSet // errata compiled
	interp     map[string]string
	overrides  map[string]float64
	overridden []Override
	fields     []FieldCode // input fields the pack's results use, sorted
	fieldSlots []int       // their slots in the pack's symbol table

	// Resolved once per run, shared read-only by every course's result.
	template slotEnv          // threshold codes filled in, inputs and results empty
	thr      []thresholdEntry // by articulation index: code thresholds
	areaThr  [][]thresholdEntry
	// alts are the run's alternatives for Sensitivity, made at first use;
	// every constructor gives a scorer its own (nil: made at each use).
	alts *alternatives
}

// thresholdEntry is an articulation's threshold for the run, with the
// problem to report if it is not admissible for the function.
type thresholdEntry struct {
	use *ThresholdUse
	bad *Error
}

// OptionsError lists every problem found in a run's options.
type OptionsError struct {
	Problems []*Error
}

func (e *OptionsError) Error() string {
	if len(e.Problems) == 1 {
		return e.Problems[0].Msg
	}
	return say(txtMoreProblems, "first", e.Problems[0].Msg, "count", itoa(len(e.Problems)-1))
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
	sc := &Scorer{pack: p, interp: map[string]string{}, overrides: map[string]float64{}, alts: &alternatives{}}
	var probs []*Error
	var err error
	if sc.reading, sc.errata, err = p.ResolveErrata(o.Reading, o.Errata); err != nil {
		probs = append(probs, err.(*Error))
	}
	sc.set = p.set(sc.errata)
	for _, in := range p.Interpretations {
		sc.interp[in.ID] = in.Default
	}
	for id, choice := range o.Interpretations {
		if !p.hasChoice(id, choice) {
			probs = append(probs, &Error{Kind: ErrUnknownCode, Msg: say(txtChoiceUnknown, "id", id, "choice", choice)})
			continue
		}
		sc.interp[id] = choice
	}
	codes := slices.Sorted(maps.Keys(o.Overrides))
	for _, code := range codes {
		v := o.Overrides[code]
		def, ok := p.Threshold(code)
		if !ok {
			probs = append(probs, &Error{Kind: ErrUnknownCode, Quantity: code, Msg: say(txtThresholdUnknown, "code", code, "pack", string(p.ID))})
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
	for _, c := range p.constraints {
		for _, v := range c.Vars() {
			if _, isR := resultNumber(v); !isR {
				seen[FieldCode(v)] = true
			}
		}
	}
	for f := range seen {
		sc.fields = append(sc.fields, f)
	}
	sort.Slice(sc.fields, func(i, j int) bool { return sc.fields[i] < sc.fields[j] })
	for _, f := range sc.fields {
		sc.fieldSlots = append(sc.fieldSlots, p.slotOf[string(f)])
	}
	sc.resolveThresholds()
	return sc, nil
}

// resolveThresholds fills the slot template with the run's threshold values
// and resolves every articulation's threshold, per area where it depends on
// the area, so that scoring a course only looks them up.
func (sc *Scorer) resolveThresholds() {
	p := sc.pack
	n := len(p.symbols)
	sc.template = slotEnv{vals: make([]float64, n), have: make([]bool, n), slotOf: p.slotOf}
	for i, name := range p.symbols {
		if v, _, ok := sc.threshold(name); ok {
			sc.template.vals[i], sc.template.have[i] = v, true
		}
	}
	sc.thr = make([]thresholdEntry, len(p.Articulations))
	sc.areaThr = make([][]thresholdEntry, len(p.Articulations))
	for i := range p.Articulations {
		a := &p.Articulations[i]
		switch {
		case a.Threshold.Code != "":
			sc.thr[i] = sc.resolveThreshold(a, nil)
		case a.Threshold.Area != "":
			sc.areaThr[i] = make([]thresholdEntry, len(p.Areas.Rows))
			for j := range p.Areas.Rows {
				sc.areaThr[i][j] = sc.resolveThreshold(a, &p.Areas.Rows[j])
			}
		}
	}
}

// resolveThreshold resolves S for an articulation: a Tab. 3 code, or the
// area's Tab. 4 mean with the footnote-3 correction when N and the general
// mean are supplied; and checks S is admissible for the function.
func (sc *Scorer) resolveThreshold(a *Articulation, area *Area) thresholdEntry {
	p := sc.pack
	var tu *ThresholdUse
	if area == nil {
		def := p.thresholdByKey[a.Threshold.Code]
		v, src, _ := sc.threshold(def.Code)
		tu = &ThresholdUse{Code: def.Code, Value: v, Source: src, Default: def.Default, Citation: def.Citation}
	} else {
		code := a.Threshold.Area + "_" + area.Key
		def := p.thresholdByKey[code]
		mean, src, _ := sc.threshold(code)
		tu = &ThresholdUse{Code: code, Value: mean, Source: src, Default: def.Default, Citation: def.Citation}
		ac := p.AreaCorrection
		nVal, _, haveN := sc.threshold(ac.NCode)
		gCode := ac.GeneralCodes[a.Threshold.Area]
		gVal, _, haveG := sc.threshold(gCode)
		switch {
		case haveN && haveG:
			env := varsEnv{}
			env.set("A", mean)
			env.set("N", nVal)
			env.set("G", gVal)
			v, err := p.areaCorrection.Eval(&env)
			if err == nil && !math.IsNaN(v) && !math.IsInf(v, 0) {
				tu.Value, tu.Source = v, SourceCorrected
				tu.Citation = ac.Citation
				tu.Correction = &Correction{Formula: "S = " + pretty(ac.Formula), Inputs: []Binding{
					bind("A", mean, "", code),
					bind("N", nVal, "", ac.NCode),
					bind("G", gVal, "", gCode),
				}}
			}
		case haveN || haveG:
			missing := ac.NCode
			if haveN {
				missing = gCode
			}
			tu.Note = say(ac.NotePartial, "missing", missing)
		default:
			tu.Note = ac.NoteNotSupplied
		}
	}
	tu.bind = &BindingText{Symbol: "S", From: tu.Code}
	e := thresholdEntry{use: tu}
	if err := a.fn.checkThreshold(tu.Value); err != nil {
		e.bad = err.(*Error)
	}
	return e
}

// checkOverride verifies an override value: finite, in its declared range,
// integer when required, and admissible for the functions that use it.
func (p *Pack) checkOverride(def *ThresholdDef, v float64) *Error {
	msg := ""
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		msg = txtNotFinite
	case def.Min != nil && v < *def.Min:
		msg = say(txtBelowMin, "min", num(*def.Min))
	case def.Max != nil && v > *def.Max:
		msg = say(txtAboveMax, "max", num(*def.Max))
	case def.Integer && v != math.Trunc(v):
		msg = txtNotInteger
	}
	if msg == "" {
		for _, a := range p.Articulations {
			if a.Threshold.Code == def.Code {
				if err := a.fn.checkThreshold(v); err != nil {
					return &Error{Kind: ErrThresholdRange, Quantity: def.Code, Msg: say(txtThresholdInvalid, "code", def.Code, "value", num(v), "detail", err.(*Error).Msg)}
				}
			}
		}
		return nil
	}
	return &Error{Kind: ErrThresholdRange, Quantity: def.Code, Msg: say(txtThresholdInvalid, "code", def.Code, "value", num(v), "detail", msg)}
}

// Pack returns the scorer's pack.
func (sc *Scorer) Pack() *Pack { return sc.pack }

// Reading returns the reading the scorer applies.
func (sc *Scorer) Reading() Reading { return sc.reading }

// Errata returns the form of every erratum the scorer applies: the
// reading's, with the run's choices on top. Treat it as read-only.
func (sc *Scorer) Errata() Errata { return sc.errata }

// ErrataChanged lists the errata whose form differs from the reading's.
func (sc *Scorer) ErrataChanged() []string {
	def, _ := sc.pack.ReadingDef(sc.reading)
	var out []string
	for _, e := range sc.pack.Errata {
		if def.Errata[e.ID] != sc.errata[e.ID] {
			out = append(out, e.ID)
		}
	}
	return out
}

// Interpretations returns the effective interpretation choices.
func (sc *Scorer) Interpretations() map[string]string { return sc.interp }

// Overridden lists the thresholds whose run value differs from the pack's
// default, or that the pack leaves to the run (N, general means, …).
func (sc *Scorer) Overridden() []Override { return sc.overridden }

// Fields lists the input fields the pack's formulas read.
func (sc *Scorer) Fields() []FieldCode { return sc.fields }

// withErrata returns a scorer identical but for the errata.
func (sc *Scorer) withErrata(e Errata) *Scorer {
	c := *sc
	c.errata, c.set, c.alts = e, sc.pack.set(e), &alternatives{}
	return &c
}

// withInterpretation returns a scorer identical but for one choice.
func (sc *Scorer) withInterpretation(id, choice string) *Scorer {
	c := *sc
	c.alts = &alternatives{}
	c.interp = make(map[string]string, len(sc.interp))
	for k, v := range sc.interp {
		c.interp[k] = v
	}
	c.interp[id] = choice
	return &c
}

// ThresholdValue is a threshold of the run: its value (nil when neither
// the pack nor the run gives one) and whether it is the pack's default or
// the run's.
type ThresholdValue struct {
	Code     string          `json:"code"`
	Label    string          `json:"label"`
	Value    *float64        `json:"value"`
	Source   ThresholdSource `json:"source"`
	Citation string          `json:"citation"`
}

// Thresholds lists every threshold of the pack with its value for the run,
// in sheet order: enough, with the reading, errata and interpretations, to
// replay the run.
func (sc *Scorer) Thresholds() []ThresholdValue {
	defs := sc.pack.ThresholdDefs()
	out := make([]ThresholdValue, 0, len(defs))
	for _, def := range defs {
		tv := ThresholdValue{Code: def.Code, Label: def.Label, Citation: def.Citation}
		if v, src, ok := sc.threshold(def.Code); ok {
			tv.Value, tv.Source = f64(v), src
		}
		out = append(out, tv)
	}
	return out
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
