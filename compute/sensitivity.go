package compute

import (
	"math"
	"sort"
	"sync"
)

// Alternative is a course's total and band under one single alternative
// choice of the run: one erratum read the other way, or one interpretation
// given another of its choices, everything else as in the run.
type Alternative struct {
	Choice      string     `json:"choice"`      // the erratum or interpretation: "E-2", "I-7"
	Alternative string     `json:"alternative"` // its other form or choice: "coherent", "articolazione"
	Label       string     `json:"label"`       // in Italian
	Total       *float64   `json:"total"`       // nil when the course gets no total under it
	Delta       *float64   `json:"delta"`       // Total − the run's total
	Band        string     `json:"band"`        // band code under the alternative
	BandChanged bool       `json:"band_changed"`
	Changes     []PChanged `json:"changes,omitempty"` // articulations whose score changes
}

// PChanged is an articulation whose score differs under an alternative.
type PChanged struct {
	Number      int      `json:"number"`
	Score       *float64 `json:"score"`
	Alternative *float64 `json:"alternative"`
}

// Choice is one alternative a run can be compared with.
type Choice struct {
	ID, Alternative, Label string
}

// sensitivityEps is the difference below which two values are the same
// number computed along different paths.
const sensitivityEps = 1e-9

// Choices lists every single alternative of the run that can move a course
// total: each erratum read the other way, and each other choice of the
// interpretations whose scope is the course, in the pack's order.
func (sc *Scorer) Choices() []Choice {
	p := sc.pack
	var out []Choice
	for _, e := range p.Errata {
		other := sc.errata.Flip(e.ID)[e.ID]
		out = append(out, Choice{ID: e.ID, Alternative: string(other), Label: say(txtAltErratum, "id", e.ID, "form", other.Label())})
	}
	for _, in := range p.Interpretations {
		if in.Scope != ScopeCourse {
			continue
		}
		keys := make([]string, 0, len(in.Choices))
		for k := range in.Choices {
			if k != sc.interp[in.ID] {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			out = append(out, Choice{ID: in.ID, Alternative: k, Label: say(txtAltInterpretation, "id", in.ID, "topic", in.Topic, "choice", k)})
		}
	}
	return out
}

// With returns the scorer with one choice made the other way.
func (sc *Scorer) With(ch Choice) *Scorer {
	if _, ok := sc.pack.Erratum(ch.ID); ok {
		e := sc.errata.Flip(ch.ID)
		return sc.withErrata(e)
	}
	return sc.withInterpretation(ch.ID, ch.Alternative)
}

// Sensitivity scores a course under every single alternative of the run
// (Choices) and compares each with this, the run's result. It returns nil
// for a course without a total.
func (sc *Scorer) Sensitivity(c Course, this *CourseResult) []Alternative {
	if this == nil || this.Total == nil {
		return nil
	}
	// An erratum changes only the formula of its own branch, never which
	// branch applies: a course none of whose articulations took a branch
	// with that erratum scores the same under the other form.
	hit := map[string]bool{}
	for i := range this.Articulations {
		if pt := this.Articulations[i].ScoreTrace(); pt != nil && pt.Erratum != "" {
			hit[pt.Erratum] = true
		}
	}
	choices, scorers := sc.alternatives()
	// Only the comparison of each alternative result is kept: one result
	// and its arena serve them all.
	var other *CourseResult
	var ar *arena
	out := make([]Alternative, 0, len(choices))
	for i, ch := range choices {
		if _, isErratum := sc.pack.Erratum(ch.ID); isErratum && !hit[ch.ID] {
			out = append(out, Compare(ch, this, this))
			continue
		}
		if other == nil {
			other, ar = sc.pack.newResult()
		} else {
			ar.reset()
		}
		scorers[i].scoreInto(c, other, ar)
		out = append(out, Compare(ch, this, other))
	}
	return out
}

// alternatives are the run's single alternatives (Choices) and a scorer
// for each, made once per scorer: every course compares with the same.
type alternatives struct {
	once    sync.Once
	choices []Choice
	scorers []*Scorer
}

// alternatives returns the run's choices and their scorers.
func (sc *Scorer) alternatives() ([]Choice, []*Scorer) {
	build := func() ([]Choice, []*Scorer) {
		choices := sc.Choices()
		scorers := make([]*Scorer, len(choices))
		for i, ch := range choices {
			scorers[i] = sc.With(ch)
		}
		return choices, scorers
	}
	if sc.alts == nil {
		return build()
	}
	sc.alts.once.Do(func() { sc.alts.choices, sc.alts.scorers = build() })
	return sc.alts.choices, sc.alts.scorers
}

// Compare describes other, the result under an alternative, against this.
func Compare(ch Choice, this, other *CourseResult) Alternative {
	// Nothing of other is kept: Sensitivity scores the next alternative
	// into the same result.
	a := Alternative{Choice: ch.ID, Alternative: ch.Alternative, Label: ch.Label, Total: copyOf(other.Total)}
	if other.Total != nil && this.Total != nil {
		a.Delta = f64(*other.Total - *this.Total)
		if math.Abs(*a.Delta) <= sensitivityEps {
			a.Delta = f64(0)
		}
	}
	if other.Band != nil {
		a.Band = other.Band.Code
	}
	thisBand := ""
	if this.Band != nil {
		thisBand = this.Band.Code
	}
	a.BandChanged = a.Band != thisBand
	for i := range this.Articulations {
		if i >= len(other.Articulations) {
			break
		}
		x, y := &this.Articulations[i], &other.Articulations[i]
		if differ(x.Score, y.Score) {
			a.Changes = append(a.Changes, PChanged{Number: x.Number, Score: x.Score, Alternative: copyOf(y.Score)})
		}
	}
	return a
}

// copyOf is a pointer to a copy of *v, nil for nil.
func copyOf(v *float64) *float64 {
	if v == nil {
		return nil
	}
	return f64(*v)
}

func differ(a, b *float64) bool {
	if a == nil || b == nil {
		return (a == nil) != (b == nil)
	}
	return math.Abs(*a-*b) > sensitivityEps
}
