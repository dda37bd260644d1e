// Package summary owns the data model of the regional summary that package
// batch builds: every course of every foundation, the aggregates per
// foundation and year, the files that could not be audited, the score
// distribution, the foundation rule's verdicts, the sensitivity to the
// alternative choices and the stamp, with its JSON form (documented in
// package batch). It reads and writes no file: the workbook adapter
// (xlsxio) renders it as the summary workbook and reads its course rows
// back; the verbale renders it as a PDF. It imports only compute, for the
// names of the rules' choices and the foundation rule.
package summary

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/its-academy/auditor/compute"
)

// Format names this version of the summary: the JSON form's "format" and
// the value of the marker the summary workbook carries.
const Format = "riepilogo-1"

// Kinds of an input file of a batch.
const (
	KindWorkbook = "workbook" // an official workbook (or anything the reader will refuse)
	KindAudited  = "audited"  // an audited copy written by auditor
	KindSummary  = "summary"  // a summary workbook written by auditor
	KindSkipped  = "skipped"  // a file the caller left out on purpose
)

// Summary is the regional summary of a batch audit: every course of every
// foundation, the aggregates per foundation and year, the files that could
// not be audited, the score distribution, the foundation rule of CU 2015
// art. 4 c.3 and the stamp. Package batch builds it; xlsxio.WriteSummary
// renders it; xlsxio.ReadSummary reads the course rows back. The json tags are the JSON
// form of the summary (documented in package batch).
type Summary struct {
	Format          string            `json:"format"` // Format
	Version         string            `json:"version"`
	Reading         compute.Reading   `json:"reading"`
	Errata          compute.Errata    `json:"errata"`
	Interpretations map[string]string `json:"interpretations"`
	WhatIf          bool              `json:"workbook_thresholds"`
	Packs           []Pack            `json:"rule_packs"`
	// Sensitivity is, for each single alternative choice, how many courses
	// audited now change band, and which foundations the three-year rule
	// would flag under it.
	Sensitivity []Choice `json:"sensitivity"`
	// Indicators are the names of the indicators, in pack order; every
	// course's Indicators are aligned with them.
	Indicators   []string     `json:"indicators"`
	Inputs       []Input      `json:"inputs"`
	Courses      []Course     `json:"courses"`
	Foundations  []Foundation `json:"foundations"`
	Excluded     []Excluded   `json:"excluded"`
	Distribution Distribution `json:"distribution"`
	// Rule is the foundation rule applied (nil when no pack has one);
	// Verdicts its outcome per foundation.
	Rule     *compute.FoundationRule `json:"foundation_rule"`
	Verdicts []Verdict               `json:"foundation_verdicts"`
	Notes    []string                `json:"notes"`
}

// Choice is one alternative choice across the region: the scored
// courses audited now that were compared, how many change band, and the
// foundations the three-year rule flags under it (for the choices of the
// rule itself, I-8; for the others the rule is not recomputed and
// Flagged is nil).
type Choice struct {
	Choice      string   `json:"choice"`
	Alternative string   `json:"alternative"`
	Label       string   `json:"label"`
	Courses     int      `json:"courses"`
	BandChanges int      `json:"band_changes"`
	Flagged     []string `json:"flagged_foundations"`
}

// Pack is a rule pack used by the batch, with its SHA-256.
type Pack struct {
	ID     compute.PackID `json:"id"`
	SHA256 string         `json:"sha256"`
}

// Input is one input file: its name, SHA-256, kind (KindWorkbook,
// KindSummary, or KindSkipped for a file the caller left out) and status
// ("verificato", "letto", "escluso", "saltato").
type Input struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
	Kind   string `json:"kind"`
	Status string `json:"status"`
}

// Counts are findings by severity.
type Counts struct {
	Error     int `json:"error"`
	Violation int `json:"violation"`
	Warning   int `json:"warning"`
	Info      int `json:"info"`
}

// Course is one course row. Total, Band and the indicator points are
// empty when the course was not scored (Note says why). File is the
// workbook it came from; Link the relative path of its audited copy (a
// hyperlink in the workbook); From the earlier summary it was read from,
// empty when it was audited in this batch.
type Course struct {
	FoundationCode string     `json:"foundation_code"`
	FoundationName string     `json:"foundation_name"`
	Region         string     `json:"region"`
	Year           int        `json:"year"` // anno_monitoraggio; 0 when missing or invalid
	Code           string     `json:"code"`
	Title          string     `json:"title"`
	Area           string     `json:"area"`
	Total          *float64   `json:"total"`
	Band           string     `json:"band"`
	Indicators     []*float64 `json:"indicators"`
	Findings       Counts     `json:"findings"`
	Note           string     `json:"note"`
	File           string     `json:"file"`
	Row            int        `json:"row"` // the course's row in its workbook; 0 when unknown
	Link           string     `json:"link"`
	From           string     `json:"from"`
}

// Foundation aggregates one foundation in one year. Share is the
// percentage of scored courses whose total is below the rule's bar (nil
// when none was scored); unscored courses are not in it. Violations and
// Errors count course and workbook-level findings.
type Foundation struct {
	Code       string   `json:"foundation_code"`
	Name       string   `json:"foundation_name"`
	Year       int      `json:"year"`
	Courses    int      `json:"courses"`
	Scored     int      `json:"scored"`
	Below      int      `json:"below"`
	Mean       *float64 `json:"mean"`
	Share      *float64 `json:"share"`
	Violations int      `json:"violations"`
	Errors     int      `json:"errors"`
	Flagged    bool     `json:"flagged"`
}

// Excluded is a file that was not audited, with the one Italian line
// that says why. Skipped is true for a file the caller left out on purpose
// (an audited copy or a summary found in a folder).
type Excluded struct {
	Name    string `json:"name"`
	Reason  string `json:"reason"`
	Skipped bool   `json:"skipped"`
}

// Distribution counts scored courses per 10-point bucket and year:
// Counts[i][j] is the count of bucket i in Years[j] (year 0: not given).
type Distribution struct {
	Buckets []string `json:"buckets"` // "0–10", …, "90–100" (100 in the last)
	Years   []int    `json:"years"`
	Counts  [][]int  `json:"counts"`
}

// Verdict is the foundation rule applied to one foundation.
type Verdict struct {
	compute.FoundationVerdict
	Name string `json:"foundation_name"`
}

// JSON is the JSON form of the summary, indented, without HTML escaping
// (the Italian messages keep their «>»).
func (s *Summary) JSON() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		return nil, fmt.Errorf("summary JSON: %w", err)
	}
	return buf.Bytes(), nil
}
