package compute

import "math"

// Change is one quantity whose value differs under the other reading.
type Change struct {
	Quantity    string   `json:"quantity"` // "P2", "punti2", "indicatore1", "totale", "fascia"
	Label       string   `json:"label"`
	This        *float64 `json:"this"`  // under the run's reading
	Other       *float64 `json:"other"` // under the other reading
	Delta       *float64 `json:"delta,omitempty"`
	Branch      string   `json:"branch,omitempty"`
	OtherBranch string   `json:"other_branch,omitempty"`
	Band        string   `json:"band,omitempty"`
	BandAlt     string   `json:"other_band,omitempty"`
}

// Sensitivity is, for one course, every articulation score, indicator and
// total that changes under the other reading, with both values.
type Sensitivity struct {
	Code    string   `json:"code"`
	Reading Reading  `json:"reading"`
	Other   Reading  `json:"other_reading"`
	Changes []Change `json:"changes"`
}

// sensitivityEps is the difference below which two values are the same
// number computed along different paths.
const sensitivityEps = 1e-9

// Sensitivity scores the course under the other reading and lists what
// changes. The result under the run's reading is returned too, so callers
// score once.
func (sc *Scorer) Sensitivity(c Course) (*CourseResult, Sensitivity) {
	this := sc.Score(c)
	other := sc.WithReading(sc.reading.Other()).Score(c)
	return this, Compare(this, other)
}

// Compare lists the differences between two results of the same course.
func Compare(this, other *CourseResult) Sensitivity {
	s := Sensitivity{Code: this.Code, Reading: this.Reading, Other: other.Reading}
	for i := range this.Articulations {
		if i >= len(other.Articulations) {
			break
		}
		a, b := &this.Articulations[i], &other.Articulations[i]
		if differ(a.Score, b.Score) {
			s.Changes = append(s.Changes, change("P"+itoa(a.Number), a.Name, a.Score, b.Score, a.Branch, b.Branch))
			s.Changes = append(s.Changes, change("punti"+itoa(a.Number), say(txtLabelPointsOf, "name", a.Name), a.Points, b.Points, "", ""))
		}
	}
	for i := range this.Indicators {
		if i >= len(other.Indicators) {
			break
		}
		a, b := &this.Indicators[i], &other.Indicators[i]
		if differ(a.Points, b.Points) {
			s.Changes = append(s.Changes, change(a.Trace.Quantity, a.Name, a.Points, b.Points, "", ""))
		}
	}
	if differ(this.Total, other.Total) {
		ch := change("totale", txtLabelTotal, this.Total, other.Total, "", "")
		if this.Band != nil {
			ch.Band = this.Band.Code
		}
		if other.Band != nil {
			ch.BandAlt = other.Band.Code
		}
		s.Changes = append(s.Changes, ch)
	}
	return s
}

func differ(a, b *float64) bool {
	if a == nil || b == nil {
		return (a == nil) != (b == nil)
	}
	return math.Abs(*a-*b) > sensitivityEps
}

func change(q, label string, a, b *float64, br, obr string) Change {
	c := Change{Quantity: q, Label: label, This: a, Other: b, Branch: br, OtherBranch: obr}
	if a != nil && b != nil {
		c.Delta = f64(*b - *a)
	}
	return c
}
