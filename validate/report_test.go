package validate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/its-academy/auditor/compute"
)

func equalJSON(t testing.TB, a, b any) bool {
	t.Helper()
	x, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	y, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Equal(x, y)
}

func keysOf(t *testing.T, m any, where string) []string {
	t.Helper()
	obj, ok := m.(map[string]any)
	if !ok {
		t.Fatalf("%s is not an object: %T", where, m)
	}
	var ks []string
	for k := range obj {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func wantKeys(t *testing.T, m any, where string, keys ...string) {
	t.Helper()
	sort.Strings(keys)
	if got := keysOf(t, m, where); !reflect.DeepEqual(got, keys) {
		t.Errorf("%s keys = %v, want %v", where, got, keys)
	}
}

func sampleReport(t *testing.T) Report {
	in := input(
		row(3, cleanCourse()),
		row(4, with(map[compute.FieldCode]Entry{"codice_percorso": text("MEC-EQF6"), "livello_eqf": num("6")})),
		row(5, with(map[compute.FieldCode]Entry{"codice_percorso": text("MEC-BAD"), "ore_stage": num("3000")})),
	)
	return run(t, in, Options{Thresholds: map[string]float64{"S2": 70}}).Report("1.2.3", "")
}

// The report has exactly the keys of WORKBOOK.md, plus the documented extras
// (sensitivity, total_trace and band_detail of a scored course, indicator and traces of an
// articulation, number and trace of an indicator, and
// computable/missing/reason of a female indicator that is not computable).
func TestReportKeys(t *testing.T) {
	rep := sampleReport(t)
	data, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	wantKeys(t, doc, "report", "file_sha256", "rule_pack", "rule_pack_sha256", "reading", "errata", "interpretations", "thresholds", "workbook_thresholds", "version", "courses", "findings", "texts", "foundation", "region", "year")
	wantKeys(t, doc["texts"], "texts", "traces", "inputs", "thresholds", "notes")
	errata, _ := doc["errata"].(map[string]any)
	if errata["E-1"] != "coherent" || errata["E-2"] != "printed" || len(doc["rule_pack_sha256"].(string)) != 64 {
		t.Errorf("errata %v, pack SHA-256 %v", doc["errata"], doc["rule_pack_sha256"])
	}
	if doc["file_sha256"] != "abc123" || doc["rule_pack"] != "dm-2023-11-30-eqf5" || doc["reading"] != "tables" || doc["version"] != "1.2.3" {
		t.Errorf("stamp: %v %v %v %v", doc["file_sha256"], doc["rule_pack"], doc["reading"], doc["version"])
	}
	courses := doc["courses"].([]any)
	if len(courses) != 3 {
		t.Fatalf("%d courses", len(courses))
	}
	for i, c := range courses {
		cm := c.(map[string]any)
		courseKeys := []string{"code", "row", "rule_pack", "total", "band", "articulations", "indicators", "female_indicator", "findings", "sensitivity"}
		if cm["total"] != nil {
			courseKeys = append(courseKeys, "total_trace", "band_detail")
		}
		wantKeys(t, c, "course", courseKeys...)
		for _, a := range cm["articulations"].([]any) {
			wantKeys(t, a, "articulation", "number", "result", "threshold", "score", "weight", "points", "branch", "cells", "indicator", "traces")
		}
		for _, ind := range cm["indicators"].([]any) {
			wantKeys(t, ind, "indicator", "number", "name", "weight", "points", "zeroed", "trace")
		}
		for _, f := range cm["findings"].([]any) {
			wantKeys(t, f, "finding", "rule", "severity", "cell", "message")
		}
		fem := cm["female_indicator"].(map[string]any)
		if fem["computable"] == false {
			wantKeys(t, fem, "female_indicator", "result", "score", "computable", "missing", "reason")
		} else {
			wantKeys(t, fem, "female_indicator", "result", "score")
		}
		switch i {
		case 0: // scored
			if _, ok := cm["total"].(float64); !ok || cm["band"] != "miglioramento" || cm["sensitivity"] == nil || len(cm["articulations"].([]any)) != 16 || len(cm["indicators"].([]any)) != 6 {
				t.Errorf("scored course: total %v band %v", cm["total"], cm["band"])
			}
		case 1: // EQF VI: no pack, no total
			if cm["total"] != nil || cm["rule_pack"] != nil || cm["band"] != nil || len(cm["articulations"].([]any)) != 0 {
				t.Errorf("EQF VI course: %v", cm)
			}
		case 2: // inconsistent: articulations kept, total null
			if cm["total"] != nil || cm["band"] != nil || cm["sensitivity"] != nil || len(cm["articulations"].([]any)) != 16 {
				t.Errorf("inconsistent course: total %v band %v", cm["total"], cm["band"])
			}
		}
		if cm["total"] == nil {
			hasError := false
			for _, f := range cm["findings"].([]any) {
				fm := f.(map[string]any)
				hasError = hasError || (fm["severity"] == "error" && fm["cell"] != nil && fm["cell"] != "")
			}
			if !hasError {
				t.Errorf("course %v has a null total and no error finding naming a cell", cm["code"])
			}
		}
	}
	for _, f := range doc["findings"].([]any) {
		wantKeys(t, f, "workbook finding", "rule", "severity", "cell", "message")
	}
}

// Numbers are plain JSON numbers at full precision: the total read back is
// the very float64 computed.
func TestReportRoundTrip(t *testing.T) {
	rep := sampleReport(t)
	data, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	var back Report
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&back); err != nil {
		t.Fatal(err)
	}
	again, err := json.Marshal(back)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, again) {
		t.Error("report changes through a JSON round trip")
	}
	if *back.Courses[0].Total != *rep.Courses[0].Total {
		t.Errorf("total %v read back as %v", *rep.Courses[0].Total, *back.Courses[0].Total)
	}
	if strings.Contains(string(data), `"total":"`) {
		t.Error("a number written as a string")
	}
}

func TestReportArticulationCells(t *testing.T) {
	rep := sampleReport(t)
	arts := rep.Courses[0].Articulations
	want := map[int][]CellRef{
		1:  {"Percorsi!G3"},
		2:  {"Percorsi!G3", "Percorsi!F3"},
		5:  {"Percorsi!L3", "Percorsi!K3"},
		6:  {"Percorsi!N3", "Percorsi!O3", "Percorsi!M3"},
		15: {"Percorsi!AB3", "Percorsi!AC3", "Percorsi!AD3", "Percorsi!Y3"}, // R15 = R14 / diplomati
		16: {"Percorsi!AE3"},
	}
	for n, cells := range want {
		if got := arts[n-1].Cells; !reflect.DeepEqual(got, cells) {
			t.Errorf("articulation %d cells = %v, want %v", n, got, cells)
		}
	}
	if a := arts[1]; a.Number != 2 || a.Result == nil || *a.Result != 80 || a.Threshold == nil || *a.Threshold != 70 || a.Branch == "" || len(a.Traces) != 3 {
		t.Errorf("articulation 2 = %+v", a)
	}
	// The traces explain the numbers (the compute traces, with the cells'
	// fields among their inputs).
	tr := arts[1].Traces[0]
	if tr.TraceText == nil || tr.Quantity != "R2" || len(tr.Inputs) != 2 || tr.Inputs[0].Field != "partecipanti_selezione" {
		t.Errorf("R2 trace = %+v", tr)
	}
	// Each input read from the workbook names its cell.
	if in := tr.Inputs[0]; in.Cell == nil || *in.Cell != "Percorsi!G3" {
		t.Errorf("R2's first input cell = %v, want Percorsi!G3", in.Cell)
	}
	if in := tr.Inputs[1]; in.Cell == nil || *in.Cell != "Percorsi!F3" {
		t.Errorf("R2's second input cell = %v, want Percorsi!F3", in.Cell)
	}
	// P2 reads R2 and S2, neither of which is a cell of Percorsi.
	for _, in := range arts[1].Traces[1].Inputs {
		if in.Cell != nil {
			t.Errorf("P2 input %s has cell %s", in.Symbol, *in.Cell)
		}
	}
	if arts[1].Indicator != 1 || arts[15].Indicator != 6 {
		t.Errorf("indicators of articulations 2 and 16 = %d, %d, want 1 and 6", arts[1].Indicator, arts[15].Indicator)
	}
	c := rep.Courses[0]
	if c.TotalTrace == nil || c.TotalTrace.Value != *c.Total || len(c.TotalTrace.Inputs) == 0 {
		t.Errorf("total trace = %+v", c.TotalTrace)
	}
	for i, ind := range c.Indicators {
		if ind.Number != i+1 || ind.Trace == nil || ind.Trace.Value != *ind.Points {
			t.Errorf("indicator %d = %+v", i+1, ind)
		}
	}
	// An inconsistent course keeps its articulations with their cells.
	if got := rep.Courses[2].Articulations[4].Cells; !reflect.DeepEqual(got, []CellRef{"Percorsi!L5", "Percorsi!K5"}) {
		t.Errorf("inconsistent course art. 5 cells = %v", got)
	}
}

func TestReportPackWhenNoneUsed(t *testing.T) {
	a := run(t, input(row(3, with(map[compute.FieldCode]Entry{"livello_eqf": num("6")}))), Options{})
	rep := a.Report("v", "")
	if rep.RulePack != "" || rep.Courses[0].RulePack != nil {
		t.Errorf("rule pack %q / %v with no course scored", rep.RulePack, rep.Courses[0].RulePack)
	}
	if rep := a.Report("v", "dm-2023-11-30-eqf5"); rep.RulePack != "dm-2023-11-30-eqf5" {
		t.Error("the pack given by the caller is not reported")
	}
}

// TestCompactReportCarriesEngineValues reads the JSON report as a client
// does (generic JSON, texts looked up by id) and checks every trace of
// every course against the engine's own results: each text, value, input,
// threshold and note the engine produced is in the report.
func TestCompactReportCarriesEngineValues(t *testing.T) {
	in := input(
		row(3, cleanCourse()),
		row(4, with(map[compute.FieldCode]Entry{"codice_percorso": text("B"), "iscritti": num("12"), "soddisfazione": num("9")})),
		row(5, with(map[compute.FieldCode]Entry{"codice_percorso": text("C"), "ore_stage": num("3000")})),
		row(6, with(map[compute.FieldCode]Entry{"codice_percorso": text("D"), "area_tecnologica": text("Sistema moda"), "diplomati": num("15")})),
	)
	in.Thresholds = []ThresholdRow{soglia(3, "S2", num("70"))}
	a := run(t, in, Options{})
	data, err := json.Marshal(a.Report("v", ""))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Courses []struct {
			Code          string
			TotalTrace    map[string]any `json:"total_trace"`
			Articulations []struct {
				Traces []map[string]any
			}
			Indicators []struct {
				Trace map[string]any
			}
		}
		Texts struct {
			Traces     map[string]map[string]any
			Inputs     map[string]map[string]any
			Thresholds map[string]map[string]any
			Notes      map[string]string
		}
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	str := func(m map[string]any, k string) string { s, _ := m[k].(string); return s }
	check := func(where string, got map[string]any, want compute.Trace) {
		t.Helper()
		text := doc.Texts.Traces[str(got, "text")]
		if text == nil {
			t.Errorf("%s: text %q not in texts", where, str(got, "text"))
			return
		}
		w := want.TraceText
		for k, v := range map[string]string{"quantity": w.Quantity, "label": w.Label, "formula": w.Formula, "explanation": w.Explanation,
			"branch": w.Branch, "erratum_form": string(w.Form), "erratum": w.Erratum, "citation": w.Citation} {
			if str(text, k) != v {
				t.Errorf("%s: %s = %q, want %q", where, k, str(text, k), v)
			}
		}
		if got["value"] != want.Value {
			t.Errorf("%s: value %v, want %v", where, got["value"], want.Value)
		}
		inputs, _ := got["inputs"].([]any)
		if len(inputs) != len(want.Inputs) {
			t.Fatalf("%s: %d inputs, want %d", where, len(inputs), len(want.Inputs))
		}
		for i, wi := range want.Inputs {
			gi := inputs[i].(map[string]any)
			bt := doc.Texts.Inputs[str(gi, "text")]
			if gi["value"] != wi.Value || str(bt, "symbol") != wi.Symbol || str(bt, "field") != string(wi.Field) || str(bt, "from") != wi.From {
				t.Errorf("%s: input %d = %v %v, want %+v %v", where, i, gi, bt, *wi.BindingText, wi.Value)
			}
		}
		if wt := want.Threshold; wt != nil {
			gt, _ := got["threshold"].(map[string]any)
			tt := doc.Texts.Thresholds[str(gt, "text")]
			if gt == nil || tt == nil || gt["value"] != wt.Value || str(gt, "source") != string(wt.Source) || str(tt, "code") != wt.Code ||
				str(tt, "citation") != wt.Citation || str(tt, "note") != wt.Note || (wt.Default != nil) != (tt["default"] != nil) ||
				(wt.Default != nil && tt["default"] != *wt.Default) {
				t.Errorf("%s: threshold %v %v, want %+v", where, gt, tt, *wt)
			}
		} else if got["threshold"] != nil {
			t.Errorf("%s: a threshold the engine did not use", where)
		}
		if (want.Unclamped == nil) != (got["unclamped"] == nil) || (want.Unclamped != nil && got["unclamped"] != *want.Unclamped) {
			t.Errorf("%s: unclamped %v, want %v", where, got["unclamped"], want.Unclamped)
		}
		notes, _ := got["notes"].([]any)
		if len(notes) != len(want.Notes) {
			t.Fatalf("%s: %d notes, want %d", where, len(notes), len(want.Notes))
		}
		for i, n := range want.Notes {
			if doc.Texts.Notes[notes[i].(string)] != n {
				t.Errorf("%s: note %d = %q, want %q", where, i, doc.Texts.Notes[notes[i].(string)], n)
			}
		}
	}
	traces := 0
	for ci, c := range a.Courses {
		gc := doc.Courses[ci]
		if c.Result == nil {
			continue
		}
		if c.Result.TotalTrace != nil {
			check(c.Code+" total", gc.TotalTrace, *c.Result.TotalTrace)
			traces++
		}
		for ai, ar := range c.Result.Articulations {
			for ti, tr := range ar.Traces {
				check(fmt.Sprintf("%s R%d trace %d", c.Code, ar.Number, ti), gc.Articulations[ai].Traces[ti], tr)
				traces++
			}
		}
		for ii, ir := range c.Result.Indicators {
			if ir.Trace.TraceText != nil {
				check(fmt.Sprintf("%s indicator %d", c.Code, ir.Number), gc.Indicators[ii].Trace, ir.Trace)
				traces++
			}
		}
	}
	// 4 courses: 3 with results (16 articulations × 3 traces, 6
	// indicators); 2 of them scored with a total.
	if traces < 3*(16*2+6) {
		t.Errorf("only %d traces checked", traces)
	}
	// Read back in Go, Resolve gives the texts back.
	var back Report
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	back.Resolve()
	want := a.Report("v", "")
	for ci := range want.Courses {
		for ai := range want.Courses[ci].Articulations {
			for ti, tr := range want.Courses[ci].Articulations[ai].Traces {
				g := back.Courses[ci].Articulations[ai].Traces[ti]
				if *g.TraceText != *tr.TraceText || !reflect.DeepEqual(g.Notes, tr.Notes) || (tr.Threshold != nil && g.Threshold.Citation != tr.Threshold.Citation) {
					t.Errorf("resolved trace %d/%d/%d differs", ci, ai, ti)
				}
			}
		}
	}
}

// TestReportWhoAndWhen: the report says who was audited (the Fondazione
// sheet's code, name, region and year) and when, in UTC RFC 3339, and the
// replay record keeps that time.
func TestReportWhoAndWhen(t *testing.T) {
	rome := time.FixedZone("CET", 3600)
	a := run(t, input(CourseRow{Row: 3, Entries: cleanCourse()}), Options{AuditedAt: time.Date(2026, 3, 2, 10, 30, 5, 0, rome)})
	b, err := json.Marshal(a.Report("test", ""))
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"foundation": map[string]any{"code": "ITS-LOM-01", "name": "Fondazione ITS Meccatronica"},
		"region":     "Lombardia", "year": 2025.0, "audited_at": "2026-03-02T09:30:05Z",
	}
	for k, v := range want {
		if !reflect.DeepEqual(got[k], v) {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	rp := a.Replay("test")
	if rp.AuditedAt != "2026-03-02T09:30:05Z" || !rp.Options().AuditedAt.Equal(a.Options.AuditedAt) {
		t.Errorf("replay record %q → %v", rp.AuditedAt, rp.Options().AuditedAt)
	}
	// Without a time, the report says none.
	if rep := run(t, input(CourseRow{Row: 3, Entries: cleanCourse()}), Options{}).Report("test", ""); rep.AuditedAt != "" {
		t.Errorf("audited_at %q without a time", rep.AuditedAt)
	}
}
