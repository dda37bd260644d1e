package validate

import (
	"time"

	"github.com/its-academy/auditor/compute"
)

// Options are the choices of an audit run.
type Options struct {
	Reading         compute.Reading   // empty: the pack's default
	Interpretations map[string]string // e.g. {"I-2": "soglia_diplomati"}
	Pack            compute.PackID    // force one pack for every course (I-4); empty: by EQF level and end date
}

// Audit is the outcome of validating and scoring one workbook.
type Audit struct {
	Input   *Input
	Reading compute.Reading
	// Options are the options of the run, with the reading normalised.
	Options Options
	// Overrides are the Soglie values that differ from the pack defaults or
	// that the pack leaves to the run; ThresholdCells maps every threshold
	// code read from Soglie to its value cell (formulas reference them).
	// Only codes whose Soglie value is used for the run are in
	// ThresholdCells: a blank value (the pack default applies) or an invalid
	// one (an error finding; the default applies) is not.
	Overrides      map[string]float64
	ThresholdCells map[string]CellRef
	// Scorers are the scorers used, by pack.
	Scorers  map[compute.PackID]*compute.Scorer
	Courses  []CourseAudit
	Findings []Finding // workbook-level: Fondazione, Soglie, structure
}

// CourseAudit is one course: its parsed values with their cells, the pack
// that applies, the scoring under the run's reading and the other, and every
// finding about it.
type CourseAudit struct {
	Code string
	Row  int
	// Values are the parsed numbers by field; Cells every field's cell;
	// TextNumbers the fields whose number was typed as text (the workbook's
	// formulas must convert them).
	Values      map[compute.FieldCode]float64
	Cells       map[compute.FieldCode]CellRef
	TextNumbers map[compute.FieldCode]bool
	Area        string                // the Tab. 4 name, when the area is known
	EQF         int                   // livello_eqf, 0 when missing or invalid
	Ended       time.Time             // data_fine, zero when missing or invalid
	Pack        *compute.Pack         // nil when no pack applies (EQF VI, unknown date…)
	Result      *compute.CourseResult // nil when the course could not be scored at all
	Sensitivity *compute.Sensitivity  // what changes under the other reading
	Findings    []Finding
}

// Scored reports whether the course received a total.
func (c *CourseAudit) Scored() bool { return c.Result != nil && c.Result.Total != nil }

// HasSeverity reports whether any finding of the course or of the workbook
// has the given severity.
func (a *Audit) HasSeverity(s compute.Severity) bool {
	for _, f := range a.Findings {
		if f.Severity == s {
			return true
		}
	}
	for _, c := range a.Courses {
		for _, f := range c.Findings {
			if f.Severity == s {
				return true
			}
		}
	}
	return false
}
