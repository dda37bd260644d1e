package main

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/its-academy/auditor/compute"
)

func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := NewMain(&out, &errb).Run(context.Background(), args)
	return code, out.String(), errb.String()
}

func TestRulesEvalJSONContract(t *testing.T) {
	tests := []struct {
		args      []string
		score     float64
		threshold any
		branch    string
		reading   string
	}{
		// WORKBOOK.md/RULES.md: f2 literal tops out at about 73.1 for R = 100, S = 80.1.
		{[]string{"--articulation", "2", "--result", "100", "--threshold", "80.1", "--reading", "literal"}, 73.129, 80.1, "R ≥ S", "literal"},
		// Coherent: 100 at the top of the range.
		{[]string{"--articulation", "2", "--result", "100", "--threshold", "80.1"}, 100, 80.1, "R ≥ S", "tables"},
		// f5 has no threshold: JSON null. 35 ≤ R ≤ 40 at R = 35 gives 60.
		{[]string{"--articulation", "5", "--result", "35"}, 60, nil, "35 ≤ R ≤ 40", "tables"},
		// Default threshold from Tab. 3 (S4 = 11): 10 + 50 × 5.5/11 = 35. Italian comma accepted.
		{[]string{"--articulation", "4", "--result", "5,5"}, 35, 11.0, "0 ≤ R < S", "tables"},
		// Issue 9: f14 at R = 20, S = 14.4 gives the decree's table value 67.8
		// with no reading given (E-2 as printed: 60 + 40 × (5.6/85.6)^0.6 = 67.789)…
		{[]string{"--articulation", "14", "--result", "20", "--threshold", "14.4"}, 67.789, 14.4, "S ≤ R < 25", "tables"},
		// …and the (25 − S) value with E-2 set apart: 60 + 40 × (5.6/10.6)^0.6 = 87.277.
		{[]string{"--articulation", "14", "--result", "20", "--threshold", "14.4", "--erratum", "E-2=coherent"}, 87.277, 14.4, "S ≤ R < 25", "tables"},
		// The coherent reading reads E-2 corrected too.
		{[]string{"--articulation", "14", "--result", "20", "--threshold", "14.4", "--reading", "coherent"}, 87.277, 14.4, "S ≤ R < 25", "coherent"},
		// f16: 10 × R.
		{[]string{"--articulation", "16", "--result", "7.5", "--reading", "letterale"}, 75, nil, "0 ≤ R ≤ 10", "literal"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, out, errs := run(t, append([]string{"rules", "eval", "--json"}, tt.args...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			var got map[string]any
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("not JSON: %v\n%s", err, out)
			}
			keys := slices.Sorted(maps.Keys(got))
			if want := []string{"articulation", "branch", "reading", "result", "score", "threshold"}; !reflect.DeepEqual(keys, want) {
				t.Errorf("keys %v, WORKBOOK.md fixes %v", keys, want)
			}
			if math.Abs(got["score"].(float64)-tt.score) > 1e-3 {
				t.Errorf("score %v, want %v", got["score"], tt.score)
			}
			if got["threshold"] != tt.threshold || got["branch"] != tt.branch || got["reading"] != tt.reading {
				t.Errorf("threshold %v branch %v reading %v", got["threshold"], got["branch"], got["reading"])
			}
		})
	}
}

func TestRulesEvalReadable(t *testing.T) {
	code, out, _ := run(t, "rules", "eval", "--articulation", "1", "--result", "55")
	if code != 0 {
		t.Fatal(code)
	}
	for _, want := range []string{"Ramo", "S ≤ R ≤ 100", "funzione 1", "Soglia S", "51,6000", "lettura delle tabelle", "E-2 come stampata"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestRulesEvalErrorsExitTwo(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"rules", "eval"}, "--articulation"},
		{[]string{"rules", "eval", "--articulation", "17", "--result", "3"}, "articolazione 17"},
		{[]string{"rules", "eval", "--articulation", "2", "--result", "NaN"}, "non è un numero finito"},
		{[]string{"rules", "eval", "--articulation", "2", "--result", "-1"}, "fuori dal dominio"},
		{[]string{"rules", "eval", "--articulation", "12", "--result", "1e300"}, "fuori dal dominio"},
		{[]string{"rules", "eval", "--articulation", "2", "--result", "abc"}, "non è un numero"},
		{[]string{"rules", "eval", "--articulation", "1", "--result", "30", "--threshold", "15"}, "non ammessa"},
		{[]string{"rules", "eval", "--articulation", "5", "--result", "30", "--threshold", "35"}, "non ha una soglia"},
		{[]string{"rules", "eval", "--articulation", "14", "--result", "15"}, "area tecnologica"},
		{[]string{"rules", "eval", "--articulation", "2", "--result", "50", "--reading", "creativa"}, "lettura"},
		{[]string{"rules", "nope"}, "sconosciuto"},
		{[]string{"frobnicate"}, "sconosciuto"},
		{[]string{"rules", "show", "--pack", "dm-1999"}, "sconosciuto"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, out, errs := run(t, tt.args...)
			if code != exitCannotDo {
				t.Errorf("exit %d, want 2", code)
			}
			if out != "" {
				t.Errorf("wrote to stdout on error: %q", out)
			}
			if !strings.Contains(errs, tt.want) {
				t.Errorf("stderr %q lacks %q", errs, tt.want)
			}
		})
	}
}

func TestRulesConformance(t *testing.T) {
	code, out, errs := run(t, "rules", "conformance")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"f1 –", "f15 –", "Soglia implicita della tabella: 49,3", "non riprodotta", "riprodotta solo sotto la soglia", "Come atteso dal pacchetto di regole", "tables"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if strings.Contains(out, "DIVERSO") {
		t.Errorf("a function differs from RULES.md:\n%s", out)
	}
	code, out, _ = run(t, "rules", "conformance", "--json")
	var rep struct {
		Functions []compute.FunctionConformance `json:"functions"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &rep) != nil || len(rep.Functions) != 13 {
		t.Fatalf("conformance --json: exit %d, %d functions", code, len(rep.Functions))
	}
}

func TestRulesShow(t *testing.T) {
	code, out, _ := run(t, "rules", "show")
	if code != 0 {
		t.Fatal(code)
	}
	for _, want := range []string{"dm-2023-11-30-eqf5", "S1 = 51,6", "Sistema meccanica", "19,1", "85,7", "E-1", "I-6", "LEG-STAGE-MIN", "20 ≤ R < S", "iscritti < 20"} {
		if !strings.Contains(out, want) {
			t.Errorf("show lacks %q", want)
		}
	}
	code, out, _ = run(t, "rules", "show", "--json")
	data, err := os.ReadFile("../../compute/packs/dm-2023-11-30-eqf5.json")
	if err != nil {
		t.Fatal(err)
	}
	if code != 0 || out != string(data) {
		t.Error("show --json is not the pack file")
	}
}

func TestRulesScoreExample(t *testing.T) {
	code, out, errs := run(t, "rules", "score", "../../testdata/courses-example.json", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var rep struct {
		RulePack string `json:"rule_pack"`
		Reading  string `json:"reading"`
		Courses  []struct {
			Code        string                    `json:"code"`
			Total       *float64                  `json:"total"`
			Sensitivity []compute.Alternative     `json:"sensitivity"`
			Indicators  []compute.IndicatorResult `json:"indicators"`
			Female      compute.FemaleOutcome     `json:"female_indicator"`
		} `json:"courses"`
		Overridden []compute.Override `json:"overridden"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.RulePack != "dm-2023-11-30-eqf5" || rep.Reading != "tables" || len(rep.Courses) != 2 || len(rep.Overridden) != 3 {
		t.Fatalf("report header %+v", rep)
	}
	for _, c := range rep.Courses {
		if c.Total == nil || *c.Total < 0 || *c.Total > 100 || !c.Female.Computable {
			t.Errorf("course %s: total %v, female %+v", c.Code, c.Total, c.Female)
		}
		if len(c.Sensitivity) == 0 {
			t.Errorf("course %s: no sensitivity listed", c.Code)
		}
	}
	// The second course has 18 enrolled: Attrattività zeroed.
	if !rep.Courses[1].Indicators[0].Zeroed {
		t.Error("MODA course: Attrattività not zeroed")
	}

	code, out, _ = run(t, "rules", "score", "../../testdata/courses-example.json", "--traces", "--reading", "literal")
	if code != 0 || !strings.Contains(out, "lettura letterale") || !strings.Contains(out, "fonte: DM 30/11/2023") || !strings.Contains(out, "campo partecipanti_selezione") {
		t.Errorf("readable traces missing:\n%.2000s", out)
	}
}

func TestRulesScoreOptionErrors(t *testing.T) {
	dir := t.TempDir()
	thr := filepath.Join(dir, "soglie.json")
	if err := os.WriteFile(thr, []byte(`{"S1": 10, "S77": 4}`), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs := run(t, "rules", "score", "../../testdata/courses-example.json", "--thresholds", thr)
	if code != exitCannotDo || !strings.Contains(errs, "S1") {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
	code, _, errs = run(t, "rules", "score", "../../testdata/courses-example.json", "--interpretation", "I-2=boh")
	if code != exitCannotDo || !strings.Contains(errs, "I-2") {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
	code, _, errs = run(t, "rules", "score", filepath.Join(dir, "none.json"))
	if code != exitCannotDo || errs == "" {
		t.Errorf("missing file: exit %d", code)
	}
}

// TestPackFromFile: a pack given as a file is used without rebuilding.
func TestPackFromFile(t *testing.T) {
	data, err := os.ReadFile("../../compute/packs/dm-2023-11-30-eqf5.json")
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(data), `"id": "dm-2023-11-30-eqf5"`, `"id": "revisione-prova"`, 1)
	edited = strings.Replace(edited, `"default": 80.1`, `"default": 70`, 1)
	path := filepath.Join(t.TempDir(), "revisione.json")
	if err := os.WriteFile(path, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := run(t, "rules", "eval", "--pack", path, "--articulation", "2", "--result", "70", "--json")
	if code != 0 || !strings.Contains(out, `"score": 60`) || !strings.Contains(out, `"threshold": 70`) {
		t.Errorf("exit %d out %s err %s", code, out, errs)
	}
}
