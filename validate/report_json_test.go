package validate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"testing"

	"github.com/its-academy/auditor/compute"
)

// stdJSON is encoding/json's form of v, HTML characters not escaped.
func stdJSON(t *testing.T, v any) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// reportCourses are the compacted courses of an audit's report.
func reportCourses(t *testing.T, in *Input, opt Options) []ReportCourse {
	t.Helper()
	return run(t, in, opt).Report("v", "").Courses
}

// The course encoder writes every course byte for byte as encoding/json
// does: the courses of audits (scored, unscored, EQF VI, with findings and
// sensitivity, a what-if run), and courses given every optional field,
// odd strings and numbers at the edges of the exponent form.
func TestCourseJSON(t *testing.T) {
	var courses []ReportCourse
	many := []CourseRow{row(3, cleanCourse())}
	for i := range 12 {
		e := map[compute.FieldCode]Entry{"codice_percorso": text(fmt.Sprintf("MEC-%02d", i))}
		switch i % 4 {
		case 1:
			e["ore_stage"] = num("3000")
		case 2:
			e["livello_eqf"] = num("6")
		case 3:
			e["iscritti"] = num("12")
		}
		many = append(many, row(4+i, with(e)))
	}
	courses = append(courses, reportCourses(t, input(many...), Options{Thresholds: map[string]float64{"S2": 70}})...)
	courses = append(courses, reportCourses(t, input(many...), Options{Reading: compute.ReadingLiteral, Interpretations: map[string]string{"I-7": "articolazione"}})...)
	if len(courses) < 20 {
		t.Fatalf("%d courses", len(courses))
	}
	// Every optional field, on a copy of a scored course.
	var scored *ReportCourse
	for i := range courses {
		if courses[i].Total != nil && len(courses[i].SensitivityValues) > 0 {
			scored = &courses[i]
			break
		}
	}
	if scored == nil {
		t.Fatal("no scored course with sensitivity")
	}
	odd := *scored
	odd.Code = "a\"b\\c\n\t\r\b\f\x01\x1f\x7f<>&\u2028\u2029é\xff€"
	odd.WhatIf = true
	odd.BandText = "adeguato~2"
	odd.RulePack = nil
	odd.Band = nil
	odd.Articulations = append([]ReportArticulation(nil), scored.Articulations...)
	seven, tiny, huge, neg := 7, 1e-7, 1e21, -0.000001
	odd.Articulations[0].IndicatorValue = &seven
	odd.Articulations[0].Zeroed = true
	odd.Articulations[0].Cells = nil
	odd.Articulations[0].Result = &tiny
	odd.Articulations[0].Score = &huge
	odd.Articulations[0].Weight = 1e-6
	odd.Articulations[1].Traces = append([]ReportTrace(nil), scored.Articulations[1].Traces...)
	tr := &odd.Articulations[1].Traces[0]
	tr.OwnValue, tr.Unclamped = &neg, &huge
	tr.InputValues = []*float64{nil, &tiny, nil}
	tr.InputCells = []CellRef{"Percorsi!G3", "", "Soglie!C4"}
	tr.ThresholdValue = &ReportThreshold{Value: &tiny, Source: compute.ThresholdSource("override"),
		Correction: &compute.Correction{Formula: "S × 0,5 < 1", Inputs: []compute.Binding{{Value: 0.5}}}}
	odd.Articulations[2].Traces = nil
	odd.Indicators = append([]ReportIndicator(nil), scored.Indicators...)
	odd.Indicators[0].Trace = nil
	odd.Indicators[1].Zeroed = true
	cell := CellRef("Percorsi!A3")
	odd.Findings = []ReportFinding{{Rule: "X", Severity: "error", Cell: &cell, Message: "«>» & <"}, {Rule: "Y", Severity: "info", Message: ""}}
	yes, band := true, "critico"
	odd.SensitivityValues = []ReportAlternative{{ID: "E-2=coherent", Total: &tiny, Delta: &neg, Band: &band, BandChanged: &yes,
		Changes: []ReportChange{{Number: 2, Score: &huge, Alternative: nil}, {Number: 3, Alternative: &tiny}}}, {ID: "I-7=x"}}
	odd.TotalTrace = tr
	empty := ReportCourse{Code: ""}
	courses = append(courses, odd, empty)

	cj := newCourseJSON()
	for i := range courses {
		got, err := cj.course(&courses[i])
		if err != nil {
			t.Fatalf("course %d: %v", i, err)
		}
		if want := stdJSON(t, &courses[i]); !bytes.Equal(got, want) {
			t.Errorf("course %d (%q):\n got %s\nwant %s", i, courses[i].Code, got, want)
		}
	}
	nan := math.NaN()
	bad := empty
	bad.Total = &nan
	if _, err := cj.course(&bad); err == nil {
		t.Error("a NaN total is written")
	}
}

// The texts encoder writes a report's texts byte for byte as
// encoding/json does: those of audits, and texts with absent maps and
// values, odd strings and indicator numbers whose decimal order is not
// their numeric one (encoding/json sorts a map's keys as strings).
func TestTextsJSON(t *testing.T) {
	var all []*ReportTexts
	for _, opt := range []Options{{}, {Reading: compute.ReadingLiteral, Interpretations: map[string]string{"I-7": "articolazione"}}} {
		rows := []CourseRow{row(3, cleanCourse()), row(4, with(map[compute.FieldCode]Entry{"codice_percorso": text("B"), "ore_stage": num("3000")}))}
		all = append(all, run(t, input(rows...), opt).Report("v", "").Texts)
	}
	if len(all[0].Traces) == 0 || len(all[0].Inputs) == 0 {
		t.Fatal("no texts in the audit's report")
	}
	d := 12.5
	odd := &ReportTexts{
		Traces: map[string]*ReportTraceText{"P2~2": {TraceText: compute.TraceText{Quantity: "P2", Label: "«>» & <", Formula: "a\u2028b",
			Branch: "R ≥ S", Erratum: "E-2", Form: "coherent", Citation: "x\"y"}, Of: "score", Inputs: []string{"i1", "i2"}, InputsOf: []string{"", "weight"},
			Threshold: "S2", Notes: []string{"n1"}}, "R1": {}, "nil": nil},
		Inputs:     map[string]*compute.BindingText{"i1": {Symbol: "D", Field: "iscritti", From: "R14"}, "i2": {Symbol: "x"}, "i3": nil},
		Thresholds: map[string]*ReportThresholdText{"S2": {Code: "S2", Default: &d, Citation: "Tab. 3", Note: "n"}, "S3": {Code: "S3"}, "S4": nil},
		Notes:      map[string]string{"n2": "b", "n1": "a\n"},
		Choices:    map[string]*ReportChoiceText{"E-2=coherent": {Choice: "E-2", Alternative: "coherent", Label: "l"}, "z": nil},
		Bands:      nil,
		Indicators: map[compute.PackID]map[int]int{"p": {2: 1, 10: 3, 1: 1}, "q": nil, "r": {}},
	}
	all = append(all, odd, &ReportTexts{}, nil)
	cj := newCourseJSON()
	for i, tx := range all {
		if got, want := cj.texts(tx), stdJSON(t, tx); !bytes.Equal(got, want) {
			t.Errorf("texts %d:\n got %s\nwant %s", i, got, want)
		}
	}
}
