package validate

import (
	"time"

	"github.com/its-academy/auditor/compute"
)

// Options are the choices of an audit run.
type Options struct {
	Reading         compute.Reading                // empty: the pack's default
	Errata          map[string]compute.ErratumForm // errata set on top of the reading, e.g. {"E-2": "coherent"}
	Interpretations map[string]string              // e.g. {"I-2": "soglia_diplomati"}
	Pack            compute.PackID                 // force one pack for every course (I-4); empty: by EQF level and end date
	// Thresholds are the auditor's values for the run (threshold code →
	// value); codes unknown to every pack and inadmissible values are
	// refused as ErrOptions.
	Thresholds map[string]float64
	// WorkbookThresholds is the what-if mode: the audited workbook's Soglie
	// values are applied (each reported), and every output says so.
	WorkbookThresholds bool
	// AuditedAt is when the audit ran (shown in UTC; the zero time: not
	// stated). It is recorded in the replay record, so that auditor verify
	// writes the same date and time again.
	AuditedAt time.Time
}

// ThresholdOrigin says who supplied a threshold value that is not the pack's.
type ThresholdOrigin string

// Threshold origins.
const (
	OriginAuditor  ThresholdOrigin = "auditor"  // Options.Thresholds
	OriginWorkbook ThresholdOrigin = "workbook" // the Soglie sheet, in a what-if run
)

// Audit is the outcome of validating and scoring one workbook.
type Audit struct {
	Input   *Input
	Reading compute.Reading
	Errata  compute.Errata // the form of every erratum applied
	// Options are the options of the run, with the reading normalised.
	Options Options
	// Overrides are the threshold values in force that are not the pack's:
	// the auditor's and, in a what-if run, the Soglie sheet's; their origin
	// is in ThresholdOrigin. ThresholdCells maps the codes whose value was
	// taken from Soglie (what-if runs only) to their cell, which the
	// written formulas then reference.
	Overrides       map[string]float64
	ThresholdCells  map[string]CellRef
	ThresholdOrigin map[string]ThresholdOrigin // who supplied each code of Overrides
	// WhatIf is set when the Soglie values were applied (WorkbookThresholds).
	WhatIf bool
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
	Sensitivity []compute.Alternative // total and band under each single alternative choice
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

// Replay is what an audit needs to be run again identically: its options,
// the rule packs it used (with their SHA-256) and the identity of the file
// it audited. The stamp of an audited copy records it (auditor verify).
type Replay struct {
	Reading            compute.Reading                `json:"reading"`
	Errata             map[string]compute.ErratumForm `json:"errata"`
	Interpretations    map[string]string              `json:"interpretations,omitempty"`
	Pack               compute.PackID                 `json:"pack,omitempty"`
	Thresholds         map[string]float64             `json:"thresholds,omitempty"`
	WorkbookThresholds bool                           `json:"workbook_thresholds,omitempty"`
	RulePacks          map[compute.PackID]string      `json:"rule_packs"` // id → SHA-256
	FileName           string                         `json:"file_name"`
	FileSHA256         string                         `json:"file_sha256"`
	Version            string                         `json:"version"`
	AuditedAt          string                         `json:"audited_at,omitempty"` // RFC 3339, UTC
}

// Replay returns the audit's replay record.
func (a *Audit) Replay(version string) Replay {
	rp := Replay{
		Reading: a.Reading, Errata: map[string]compute.ErratumForm{},
		Interpretations: a.Options.Interpretations, Pack: a.Options.Pack,
		Thresholds: a.Options.Thresholds, WorkbookThresholds: a.Options.WorkbookThresholds,
		RulePacks: map[compute.PackID]string{}, Version: version,
	}
	for id, f := range a.Errata {
		rp.Errata[id] = f
	}
	for id, sc := range a.Scorers {
		rp.RulePacks[id] = sc.Pack().Digest()
	}
	if a.Input != nil {
		rp.FileName, rp.FileSHA256 = a.Input.FileName, a.Input.SHA256
	}
	if !a.Options.AuditedAt.IsZero() {
		rp.AuditedAt = a.Options.AuditedAt.UTC().Format(time.RFC3339)
	}
	return rp
}

// Options returns the options that replay the run, with its date and time
// (the zero time when the record has none or it is not RFC 3339).
func (rp Replay) Options() Options {
	at, _ := time.Parse(time.RFC3339, rp.AuditedAt)
	return Options{
		Reading: rp.Reading, Errata: rp.Errata, Interpretations: rp.Interpretations, Pack: rp.Pack,
		Thresholds: rp.Thresholds, WorkbookThresholds: rp.WorkbookThresholds, AuditedAt: at.UTC(),
	}
}

// AuditedAtText is the audit's date and time in UTC, Italian style
// («01/12/2026 10:45:07 UTC»); "" when not stated.
func (a *Audit) AuditedAtText() string {
	if a.Options.AuditedAt.IsZero() {
		return ""
	}
	return a.Options.AuditedAt.UTC().Format("02/01/2006 15:04:05") + " UTC"
}
