// Package verbale renders an audit as a PDF «verbale di verifica»: who was
// audited, when, how (product version, rule pack and its SHA-256, reading,
// errata, interpretations, thresholds and their sources), each course's
// total and band with the findings that matter, then per course every
// articulation with its formula and values, the sensitivity to the other
// readings and the findings with cell, value, expectation and source. Every
// page carries the foundation and the input file's SHA-256 in its header
// and «Pagina N di M» in its footer.
//
// The PDF is written from a small view model (Doc, SummaryDoc) that one
// adapter fills from the audit (FromAudit) or from a batch summary
// (FromSummary); the layout knows nothing of validate or compute. The font,
// Titillium Web, is embedded in the binary: no network and no external
// program at run time.
package verbale

import "time"

// Doc is the verbale of one audited workbook.
type Doc struct {
	Foundation Foundation
	FileName   string
	FileSHA256 string
	When       time.Time // the audit's date and time (shown in UTC)
	Version    string    // the product version
	Packs      []Pack
	Reading    Choice   // the reading of the decree's printed formulas
	Errata     []Choice // per erratum, the text applied
	// Interpretations are the choices on the points the text leaves open.
	Interpretations []Choice
	Thresholds      []Threshold
	Courses         []Course
	// Findings are the workbook-level findings (Fondazione, Soglie,
	// structure), not tied to a course.
	Findings []Finding
}

// Foundation is who was audited, as the Fondazione sheet says.
type Foundation struct {
	Code, Name, Region, Year string
}

// Pack is a rule pack used, with the SHA-256 of its file.
type Pack struct {
	ID, Version, Title, SHA256 string
}

// Choice is a choice made for the run: its id (E-1, I-2, coherent), the
// value chosen and a sentence that says what it means.
type Choice struct {
	ID, Value, Description string
}

// Threshold is a threshold used by the run.
type Threshold struct {
	Code     string
	Label    string
	Value    float64
	Source   string // Italian: where the value came from
	Citation string
	Note     string
}

// Course is one course of the verbale.
type Course struct {
	Code, Title, Area string
	Row               int
	Pack              string
	Total             *float64
	Band              string // band code, e.g. "adeguato"
	BandLabel         string // e.g. "Almeno 60: adeguato"
	BandRule          string
	BandCitation      string
	Indicators        []Indicator
	Articulations     []Articulation
	Female            string // the female-students indicator, one line
	Sensitivity       []Alternative
	Findings          []Finding
}

// Indicator is one indicator of Tab. 1 with its points.
type Indicator struct {
	Number int
	Name   string
	Weight float64
	Points *float64
	Zeroed bool
}

// Articulation is one articulation with everything needed to follow it.
type Articulation struct {
	Number    int
	Name      string
	Indicator int
	R, S, P   *float64
	Weight    float64
	Points    *float64
	Branch    string
	// Steps are the computations in order (R, P, points): the formula in
	// symbols, the same with the values substituted, and the source.
	Steps []Step
	// SSource says where S came from (default, supplied, corrected) and
	// cites it; empty when the function has no threshold.
	SSource string
	Cells   []string
}

// Step is one computation of a trace.
type Step struct {
	Quantity    string
	Formula     string // in symbols
	Substituted string // with the values, = result
	Citation    string
	Notes       []string
}

// Alternative is the course under another reading or erratum choice.
type Alternative struct {
	Label   string // e.g. «lettura letterale»
	Total   *float64
	Delta   *float64 // Total minus the run's total
	Band    string
	Changes []Change
}

// Change is one quantity that differs under an alternative.
type Change struct {
	Quantity, Label string
	This, Other     *float64
}

// Finding is one finding: severity, rule, cell, the value found, what is
// expected, the source, and the Italian message.
type Finding struct {
	Severity string // error, violation, warning, info
	Rule     string
	Course   string
	Cell     string
	Found    string
	Expected string
	Source   string
	Message  string
}

// SummaryDoc is the verbale of a batch: the regional summary.
type SummaryDoc struct {
	When            time.Time
	Version         string
	Reading         Choice
	Interpretations []Choice
	Packs           []Pack
	Inputs          []SummaryInput
	Courses         []SummaryCourse
	Foundations     []SummaryFoundation
	Rule            string // the foundation rule, one sentence; empty when none
	Verdicts        []SummaryVerdict
	Excluded        []SummaryExcluded
	Notes           []string
}

// SummaryInput is one input file of a batch.
type SummaryInput struct {
	Name, SHA256, Status string
}

// SummaryCourse is one course row of a batch; Foundation is the
// foundation's code (its name is in Foundations).
type SummaryCourse struct {
	Foundation, Year, Code, Title string
	Total                         *float64
	Band                          string
	Errors, Violations, Warnings  int
	Note                          string
}

// SummaryFoundation is one foundation in one year.
type SummaryFoundation struct {
	Code, Name, Year       string
	Courses, Scored, Below int
	Mean, Share            *float64
	Errors, Violations     int
	Flagged                bool
}

// SummaryVerdict is the foundation rule's outcome for one foundation.
type SummaryVerdict struct {
	Foundation, Name, Explanation string
	Flagged                       bool
}

// SummaryExcluded is a file that was not audited.
type SummaryExcluded struct {
	Name, Reason string
}
