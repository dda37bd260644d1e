package validate

import (
	"bytes"
	"encoding/json"
	"math"
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
// (texts and columns; sensitivity and total_trace of a scored course, traces
// of an articulation, number and trace of an indicator, and
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
	wantKeys(t, doc, "report", "file_sha256", "rule_pack", "rule_pack_sha256", "reading", "errata", "interpretations", "thresholds", "workbook_thresholds", "version", "courses", "findings", "texts", "columns", "foundation", "region", "year")
	wantKeys(t, doc["texts"], "texts", "traces", "inputs", "thresholds", "notes", "choices", "bands", "indicators")
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
			// band_detail is the band's text, in texts.bands.
			courseKeys = append(courseKeys, "total_trace")
		}
		wantKeys(t, c, "course", courseKeys...)
		for _, a := range cm["articulations"].([]any) {
			// indicator is the pack's, in texts.indicators.
			wantKeys(t, a, "articulation", "number", "result", "threshold", "score", "weight", "points", "branch", "cells", "traces")
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
	back := decodeReport(t, rep)
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

// traceView is everything a trace says, texts and values, in one
// comparable form: the engine's compute.Trace with each input's cell.
type traceView struct {
	Text      compute.TraceText
	Value     float64
	Inputs    []inputView
	Threshold *compute.ThresholdUse
	Unclamped *float64
	Notes     []string
}

type inputView struct {
	Text  compute.BindingText
	Value float64
	Cell  CellRef
}

// courseView is what a course's compact report gives by reference or by
// id: its traces, each articulation's indicator, the sensitivity list and
// the band's detail.
type courseView struct {
	Traces      []traceView
	Indicators  []int
	Sensitivity []compute.Alternative
	Band        *compute.BandResult
}

// engineView is a course as the engine computed it.
func engineView(c *CourseAudit) courseView {
	var v courseView
	res := c.Result
	if res == nil {
		return v
	}
	add := func(t compute.Trace) {
		tv := traceView{Text: *t.TraceText, Value: t.Value, Threshold: t.Threshold, Unclamped: t.Unclamped, Notes: t.Notes}
		for _, b := range t.Inputs {
			iv := inputView{Text: *b.BindingText, Value: b.Value}
			if b.Field != "" {
				iv.Cell = c.Cells[b.Field]
			}
			tv.Inputs = append(tv.Inputs, iv)
		}
		v.Traces = append(v.Traces, tv)
	}
	for _, ar := range res.Articulations {
		for _, t := range ar.Traces {
			add(t)
		}
		v.Indicators = append(v.Indicators, ar.Indicator)
	}
	for _, ir := range res.Indicators {
		if ir.Trace.TraceText != nil {
			add(ir.Trace)
		}
	}
	if res.TotalTrace != nil {
		add(*res.TotalTrace)
	}
	v.Sensitivity = c.Sensitivity
	if res.Total != nil {
		v.Band = res.Band
	}
	return v
}

// reportView is a course as a report's Go values give it.
func reportView(rc *ReportCourse) courseView {
	var v courseView
	add := func(t *ReportTrace) {
		if t == nil {
			return
		}
		tv := traceView{Value: t.Value, Threshold: t.Threshold, Unclamped: t.Unclamped, Notes: t.Notes}
		if t.TraceText != nil {
			tv.Text = *t.TraceText
		}
		for _, b := range t.Inputs {
			iv := inputView{Value: b.Value}
			if b.BindingText != nil {
				iv.Text = *b.BindingText
			}
			if b.Cell != nil {
				iv.Cell = *b.Cell
			}
			tv.Inputs = append(tv.Inputs, iv)
		}
		v.Traces = append(v.Traces, tv)
	}
	for ai := range rc.Articulations {
		for ti := range rc.Articulations[ai].Traces {
			add(&rc.Articulations[ai].Traces[ti])
		}
		v.Indicators = append(v.Indicators, rc.Articulations[ai].Indicator)
	}
	for ii := range rc.Indicators {
		add(rc.Indicators[ii].Trace)
	}
	add(rc.TotalTrace)
	v.Sensitivity = rc.Sensitivity
	v.Band = rc.BandDetail
	return v
}

// viewJSON writes a view as JSON: numbers in their shortest exact form,
// so that two views are equal when every number has the same bits.
func viewJSON(t *testing.T, v courseView) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// decodeReport is a report encoded and decoded again, refusing keys the
// Report type does not have.
func decodeReport(t *testing.T, rep Report) Report {
	t.Helper()
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
	return back
}

// readBack is a report as a client of the JSON gets it, resolved.
func readBack(t *testing.T, rep Report) Report {
	t.Helper()
	back := decodeReport(t, rep)
	back.Resolve()
	return back
}

// TestCompactReportCarriesEngineValues reads the compact JSON report back
// (texts by id, values by reference, cells by column) and checks every
// course against the engine's own results: each trace's text, value,
// inputs with their texts, values and cells, threshold and notes; each
// articulation's indicator; the sensitivity list with its labels; the
// band's detail.
func TestCompactReportCarriesEngineValues(t *testing.T) {
	courses := []CourseRow{
		row(3, cleanCourse()),
		row(4, with(map[compute.FieldCode]Entry{"codice_percorso": text("B"), "iscritti": num("12"), "soddisfazione": num("9")})),
		row(5, with(map[compute.FieldCode]Entry{"codice_percorso": text("C"), "ore_stage": num("3000")})),
		row(6, with(map[compute.FieldCode]Entry{"codice_percorso": text("D"), "area_tecnologica": text("Sistema moda"), "diplomati": num("15")})),
		row(7, with(map[compute.FieldCode]Entry{"codice_percorso": text("E"), "livello_eqf": num("6")})),
		row(8, with(map[compute.FieldCode]Entry{"codice_percorso": text("F"), "diplomati": num("0"), "diplomate": num("0"), "occupati_coerenti": num("0"),
			"occupati_non_coerenti": num("0"), "iscritti_universita": num("0")})),
		row(9, with(map[compute.FieldCode]Entry{"codice_percorso": text("G"), "partecipanti_selezione": num("20")})),
	}
	tests := []struct {
		name       string
		thresholds []ThresholdRow
		opts       Options
	}{
		{"pack thresholds, a Soglie value that differs", []ThresholdRow{soglia(3, "S2", num("70"))}, Options{}},
		{"auditor thresholds and the area correction", nil,
			Options{Thresholds: map[string]float64{"S2": 70, "correzione_n": 5, "media_generale_occupati": 15, "media_generale_tasso": 70}}},
		{"workbook thresholds (what-if)", []ThresholdRow{soglia(3, "S2", num("70"))}, Options{WorkbookThresholds: true}},
		{"literal reading", nil, Options{Reading: compute.ReadingLiteral}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := input(courses...)
			in.Thresholds = tc.thresholds
			a := run(t, in, tc.opts)
			back := readBack(t, a.Report("v", ""))
			traces, sources := 0, map[compute.ThresholdSource]bool{}
			for ci := range a.Courses {
				want := engineView(&a.Courses[ci])
				got := reportView(&back.Courses[ci])
				if g, w := viewJSON(t, got), viewJSON(t, want); g != w {
					t.Errorf("course %s read back differs from the engine's:\n got %.3000s\nwant %.3000s", a.Courses[ci].Code, g, w)
				}
				traces += len(want.Traces)
				for _, tr := range want.Traces {
					if tr.Threshold != nil {
						sources[tr.Threshold.Source] = true
					}
				}
			}
			// 7 courses: 5 computed (16 articulations × 3 traces, 6
			// indicators, a total for those scored).
			if traces < 5*(16*3+6) {
				t.Errorf("only %d traces checked", traces)
			}
			if tc.opts.Thresholds != nil && (!sources[compute.SourceOverride] || !sources[compute.SourceCorrected]) {
				t.Errorf("threshold sources checked: %v", sources)
			}
		})
	}
}

// TestCompactReportWritesWhatIsNotDerivable: a value that is not the one
// its reference names, a cell not in its field's column, a missing cell, a
// delta or band that does not follow from the totals are written out, and
// read back as they were.
func TestCompactReportWritesWhatIsNotDerivable(t *testing.T) {
	in := input(row(3, cleanCourse()), row(4, with(map[compute.FieldCode]Entry{"codice_percorso": text("B"), "iscritti": num("12")})))
	rep := run(t, in, Options{}).Report("v", "")
	c := &rep.Courses[0]
	a2 := &c.Articulations[1]
	// R2's first input from another cell, its second without one.
	moved := CellRef("Percorsi!G99")
	a2.Traces[0].Inputs[0].Cell = &moved
	a2.Traces[0].Inputs[1].Cell = nil
	// P2's R input is not R2's value; the score trace is not the score.
	a2.Traces[1].Inputs[0].Value += 1
	a2.Traces[1].Value = math.Copysign(0, -1)
	// The threshold is not the articulation's, with another source.
	th := *a2.Traces[1].Threshold
	th.Value, th.Source = 12.5, compute.SourceOverride
	a2.Traces[1].Threshold = &th
	// The points trace's weight is not the articulation's.
	a2.Traces[2].Inputs[0].Value = 4
	// An indicator other than the pack's (which the first course gives).
	rep.Courses[1].Articulations[1].Indicator = 6
	// The total trace's input is not the indicator's points.
	c.TotalTrace.Inputs[0].Value = 1e-300
	// Sensitivity: a delta not the difference, a band change that does not
	// follow, a score that is not the articulation's.
	alts := append([]compute.Alternative(nil), c.Sensitivity...)
	d := 0.0
	alts[0].Delta = &d
	alts[0].BandChanged = !alts[0].BandChanged
	alts[1].Band = "escluso"
	alts[1].BandChanged = true
	x := 1.0
	alts[2].Changes = []compute.PChanged{{Number: 3, Score: &x, Alternative: nil}}
	c.Sensitivity = alts
	want := viewJSON(t, reportView(c))
	rep.compact()
	data, err := json.Marshal(rep.Courses[0])
	if err != nil {
		t.Fatal(err)
	}
	second, err := json.Marshal(rep.Courses[1])
	if err != nil {
		t.Fatal(err)
	}
	data = append(data, second...)
	// R2's value is not P2's R input, S2's not the threshold, P2's not the
	// points' P: each is written.
	for _, s := range []string{`"cells":["Percorsi!G99",""]`, `"inputs":[81,80.1]`, `"value":-0`, `"threshold":{"value":12.5,"source":"override"}`,
		`"inputs":[4,59.88`, `"indicator":6`, `1e-300`, `"delta":0,"band_changed":`, `"total":57.63075773794771,"band":"escluso"}`, `"changes":[{"number":3,"score":1,"alternative":null}]`} {
		if !strings.Contains(string(data), s) {
			t.Errorf("compact course lacks %s:\n%s", s, data[bytes.Index(data, []byte(`"sensitivity"`)):])
		}
	}
	back := readBack(t, rep)
	if got := viewJSON(t, reportView(&back.Courses[0])); got != want {
		t.Errorf("read back differs:\n got %.3000s\nwant %.3000s", got, want)
	}
	// The other course keeps its values by reference.
	if got, w := viewJSON(t, reportView(&back.Courses[1])), viewJSON(t, reportView(&rep.Courses[1])); got != w {
		t.Errorf("second course read back differs:\n got %.2000s\nwant %.2000s", got, w)
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
