// Package validate owns the findings of an audit: it parses the values read
// from the official workbook (numbers typed as text, Italian decimal commas,
// dates), checks every field, cross-field and legal rule, runs the scoring of
// compute, and reports every problem with its cell, rule and legal source,
// in Italian. It imports no workbook library: xlsxio fills an Input.
package validate

import "github.com/its-academy/auditor/compute"

// CellRef names a cell as Sheet!A1.
type CellRef string

// EntryType is the type of value a cell holds, as the workbook stores it.
type EntryType int

// Entry types.
const (
	EntryEmpty EntryType = iota
	EntryNumber
	EntryText
	EntryBool
	EntryError // a formula error such as #DIV/0!
)

// Entry is one cell as the workbook shows it.
type Entry struct {
	Cell CellRef
	Type EntryType
	// Text is the stored value: for numbers the plain decimal form ("35.5",
	// or a date's serial number), for formulas the cached result, for text
	// the text itself.
	Text string
	// Date is set when the cell is formatted as a date, so a serial number
	// is a day rather than a quantity.
	Date bool
	// Percent is set when the cell is formatted as a percentage: Excel
	// shows 51,6% for the stored 0.516.
	Percent bool
	// Formula is the cell's formula, if any; NoCache is true when the
	// formula has no cached result (the value is then unknown, not empty).
	Formula string
	NoCache bool
}

// Blank reports whether the cell holds nothing.
func (e Entry) Blank() bool { return e.Type == EntryEmpty && e.Formula == "" }

// Column is where a field code was found on the Percorsi sheet.
type Column struct {
	Letter string  // e.g. "H"
	Code   CellRef // the cell of the code in the codes row
}

// CourseRow is one course: its row and its cells by field code.
type CourseRow struct {
	Row     int
	Entries map[compute.FieldCode]Entry
}

// ThresholdRow is one row of the Soglie sheet.
type ThresholdRow struct {
	Row    int
	Code   string
	Value  Entry
	Source string
}

// Input is what the workbook layer reads from the official workbook: every
// value with its cell, nothing interpreted yet.
type Input struct {
	FileName string
	SHA256   string
	// Foundation holds the Fondazione sheet by code (column A → column C).
	Foundation map[compute.FieldCode]Entry
	// Columns is where each known code was found on Percorsi; Unknown lists
	// the codes row's other non-empty cells (extra columns are allowed).
	Columns map[compute.FieldCode]Column
	Unknown []CellRef
	Courses []CourseRow
	// Thresholds are the rows of Soglie in sheet order.
	Thresholds []ThresholdRow
	// Findings are problems found while reading (e.g. a required column
	// missing from the codes row); reading goes on after them.
	Findings []Finding
}

// Finding is one problem found in a workbook: the rule, its severity, the
// cell, the value found, what is expected, the legal source, and an Italian
// message saying what to fix.
type Finding struct {
	Rule     compute.RuleID    `json:"rule"`
	Severity compute.Severity  `json:"severity"`
	Cell     CellRef           `json:"cell,omitempty"`
	Course   string            `json:"course,omitempty"`
	Field    compute.FieldCode `json:"field,omitempty"`
	Found    string            `json:"found,omitempty"`
	Expected string            `json:"expected,omitempty"`
	Message  string            `json:"message"`
	Source   string            `json:"source,omitempty"`
}
