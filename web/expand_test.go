package web

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/its-academy/auditor/compute"
	"github.com/its-academy/auditor/pipeline"
	"github.com/its-academy/auditor/testkit"
	"github.com/its-academy/auditor/validate"
)

// expandScript runs the page's expandReport on a compact report and
// prints, per course, what it gives back by id and by reference.
const expandScript = `
import { readFileSync } from 'node:fs';
import { expandReport } from './report.js';
const report = expandReport(JSON.parse(readFileSync(process.argv[2], 'utf8')));
const out = report.courses.map((c) => ({
  articulations: c.articulations.map((a) => ({ indicator: a.indicator, traces: a.traces })),
  indicators: c.indicators.filter((i) => i.trace).map((i) => i.trace),
  total_trace: c.total_trace ?? null,
  band_detail: c.band_detail ?? null,
  sensitivity: c.sensitivity ?? null,
}));
process.stdout.write(JSON.stringify(out));
`

// engineCourse is a course as the engine computed it, in the form
// expandReport must give: compute.Trace's JSON with each input's cell.
type engineCourse struct {
	Articulations []engineArticulation  `json:"articulations"`
	Indicators    []any                 `json:"indicators"`
	TotalTrace    any                   `json:"total_trace"`
	BandDetail    *compute.BandResult   `json:"band_detail"`
	Sensitivity   []compute.Alternative `json:"sensitivity"`
}

type engineArticulation struct {
	Indicator int   `json:"indicator"`
	Traces    []any `json:"traces"`
}

// engineTrace is a compute trace as JSON, each input read from a field
// with the "cell" it was read from.
func engineTrace(t *testing.T, c *validate.CourseAudit, tr compute.Trace) any {
	t.Helper()
	data, err := json.Marshal(tr)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	if inputs, ok := m["inputs"].([]any); ok {
		for i, b := range tr.Inputs {
			if b.Field != "" && c.Cells[b.Field] != "" {
				inputs[i].(map[string]any)["cell"] = string(c.Cells[b.Field])
			}
		}
	}
	return m
}

func engineCourses(t *testing.T, a *validate.Audit) []engineCourse {
	t.Helper()
	out := make([]engineCourse, len(a.Courses))
	for i := range a.Courses {
		c := &a.Courses[i]
		ec := engineCourse{Articulations: []engineArticulation{}, Indicators: []any{}, Sensitivity: c.Sensitivity}
		if res := c.Result; res != nil {
			for _, ar := range res.Articulations {
				ea := engineArticulation{Indicator: ar.Indicator, Traces: []any{}}
				for _, tr := range ar.Traces {
					ea.Traces = append(ea.Traces, engineTrace(t, c, tr))
				}
				ec.Articulations = append(ec.Articulations, ea)
			}
			for _, ir := range res.Indicators {
				if ir.Trace.TraceText != nil {
					ec.Indicators = append(ec.Indicators, engineTrace(t, c, ir.Trace))
				}
			}
			if res.TotalTrace != nil {
				ec.TotalTrace = engineTrace(t, c, *res.TotalTrace)
			}
			if res.Total != nil {
				ec.BandDetail = res.Band
			}
		}
		out[i] = ec
	}
	return out
}

// TestExpandReportGivesEngineValues runs the page's expandReport (the
// upload page and the task pane render from what it gives) on compact
// reports and checks every trace, articulation indicator, band detail and
// sensitivity list against the engine's own values.
func TestExpandReportGivesEngineValues(t *testing.T) {
	node := testkit.Program(t, testkit.BrowserEnv, "node", "nodejs")
	dir := t.TempDir()
	// report.js and the modules it imports, as ES modules for node.
	for _, name := range []string{"report.js", "bands.js", "chart.js"} {
		src, err := os.ReadFile(filepath.Join("static", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), src, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "package.json"), []byte(`{"type": "module"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(dir, "expand.mjs")
	if err := os.WriteFile(script, []byte(expandScript), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		file string
		opts validate.Options
	}{
		{"esempio-fondazione.xlsx", validate.Options{}},
		{"esempio-fondazione.xlsx", validate.Options{Thresholds: map[string]float64{"S2": 70, "correzione_n": 5, "media_generale_occupati": 15, "media_generale_tasso": 70}}},
		{"esempio-casi-limite.xlsx", validate.Options{Reading: compute.ReadingLiteral}},
		{"esempio-incoerente.xlsx", validate.Options{}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			res, err := pipeline.Run(context.Background(), testkit.Testdata(t, tc.file), tc.file, pipeline.Options{Validate: tc.opts, Version: "test"})
			if err != nil {
				t.Fatal(err)
			}
			a := res.Audit
			rep, err := json.Marshal(res.Report())
			if err != nil {
				t.Fatal(err)
			}
			in := filepath.Join(dir, "report.json")
			if err := os.WriteFile(in, rep, 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := testkit.Command(t, 30*time.Second, node, script, in)
			cmd.Dir = dir
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("node: %v", err)
			}
			var got, want any
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatal(err)
			}
			w, err := json.Marshal(engineCourses(t, a))
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(w, &want); err != nil {
				t.Fatal(err)
			}
			gotCourses, wantCourses := got.([]any), want.([]any)
			if len(gotCourses) != len(wantCourses) || len(wantCourses) == 0 {
				t.Fatalf("%d courses expanded, want %d", len(gotCourses), len(wantCourses))
			}
			for i := range wantCourses {
				if !reflect.DeepEqual(gotCourses[i], wantCourses[i]) {
					g, _ := json.Marshal(gotCourses[i])
					w, _ := json.Marshal(wantCourses[i])
					t.Errorf("course %s: expandReport differs from the engine:\n got %.2500s\nwant %.2500s", a.Courses[i].Code, g, w)
				}
			}
		})
	}
}
