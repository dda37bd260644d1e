package compute

import (
	"errors"
	"fmt"
	"github.com/its-academy/auditor/findings"
	"math"
	"reflect"
	"strings"
	"testing"
)

// atThreshold is a course in Sistema meccanica whose every result equals its
// threshold (with the thresholds overridden to round numbers in
// atThresholdOverrides), so that every P is 60 by construction of the
// functions and the total is Σ weight × 60 / 100 = 60.
//
//	R1 = 40 = S1        R2 = 40/50 = 80% = S2     R3 = 25 = S3      R4 = 3/25 = 12% = S4
//	R5 = 700/2000 = 35% (f5: 60)                  R6 = (100×0.5 + 50)/400 = 25% = S6
//	R7 = 500/1000 = 50% (f7: 60)                  R8 = 250/1000 = 25% = S8
//	R9 = 400/1000 = 40% = S9                      R10 = 2/10 = 20% = S10
//	R11 = 1/25 = 4% = S11                         R12 = 20 = S12
//	R13 = (20 + 0×0.3)/25 = 80% = S13             R14 = 14 + 5×0.3 + 1×0.5 = 16 = occupati_meccanica
//	R15 = 16/20 = 80% = tasso_meccanica           R16 = 6 (f16: 60)
func atThreshold() Course {
	return Course{Code: "SOGLIA", Area: "Sistema meccanica", Values: map[FieldCode]float64{
		"domande_iscrizione": 50, "partecipanti_selezione": 40, "iscritti": 25,
		"iscritti_fuori_regione": 3, "iscritte": 5,
		"ore_totali": 2000, "ore_stage": 700,
		"ore_attivita_totali": 400, "ore_fuori_regione": 100, "ore_estero": 50,
		"ore_docenti_totali": 1000, "ore_docenti_mondo_lavoro": 500,
		"ore_teoria": 1000, "ore_laboratori": 250,
		"ore_its": 1000, "ore_lab_digitali_its": 400,
		"imprese_totali": 10, "imprese_progettazione": 2,
		"iscritti_apprendistato": 1,
		"diplomati":              20, "diplomate": 4, "certificati": 0,
		"occupati_coerenti": 14, "occupati_non_coerenti": 5, "iscritti_universita": 1,
		"soddisfazione": 6,
	}}
}

func atThresholdOverrides() map[string]float64 {
	return map[string]float64{
		"S1": 40, "S2": 80, "S3": 25, "S4": 12, "S6": 25, "S8": 25, "S9": 40, "S10": 20,
		"S11": 4, "S12": 20, "S13": 80, "occupati_meccanica": 16, "tasso_meccanica": 80,
	}
}

func scorer(t testing.TB, o Options) *Scorer {
	t.Helper()
	sc, err := NewScorer(mustPack(t), o)
	if err != nil {
		t.Fatalf("NewScorer: %v", err)
	}
	return sc
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func problemsOf(res *CourseResult, rule RuleID) []Problem {
	var out []Problem
	for _, p := range res.Problems {
		if p.Rule == rule {
			out = append(out, p)
		}
	}
	return out
}

func TestScoreAtThresholdIsSixtyEverywhere(t *testing.T) {
	for _, rd := range []Reading{ReadingCoherent, ReadingLiteral} {
		t.Run(string(rd), func(t *testing.T) {
			res := scorer(t, Options{Reading: rd, Overrides: atThresholdOverrides()}).Score(atThreshold())
			if len(res.Problems) != 0 {
				t.Fatalf("problems: %+v", res.Problems)
			}
			for _, a := range res.Articulations {
				if a.Score == nil || !near(*a.Score, 60) {
					t.Errorf("P%d = %v, want 60 (branch %s)", a.Number, a.Score, a.Branch)
				}
				if a.Points == nil || !near(*a.Points, a.Weight*0.6) {
					t.Errorf("points%d = %v, want %v", a.Number, a.Points, a.Weight*0.6)
				}
			}
			for _, ind := range res.Indicators {
				if ind.Zeroed || ind.Points == nil || !near(*ind.Points, ind.Weight*0.6) {
					t.Errorf("indicator %d = %v (zeroed %v), want %v", ind.Number, ind.Points, ind.Zeroed, ind.Weight*0.6)
				}
			}
			if res.Total == nil || !near(*res.Total, 60) {
				t.Fatalf("total = %v, want 60", res.Total)
			}
			if res.Band == nil || res.Band.Code != "adeguato" {
				t.Errorf("band = %+v, want adeguato (T ≥ 60)", res.Band)
			}
			if res.Reading != rd {
				t.Errorf("result says reading %s, ran %s", res.Reading, rd)
			}
		})
	}
}

// TestZeroingAttrattivita: 16 enrolled (< 20). Thresholds moved so every P is
// still 60; Attrattività is zeroed, so T = 60 − 15 × 0.6 = 51 (band 50–60).
func TestZeroingAttrattivita(t *testing.T) {
	c := atThreshold()
	c.Values["iscritti"] = 16              // R3 = 16
	c.Values["iscritti_fuori_regione"] = 2 // R4 = 2/16 = 12.5%
	c.Values["iscritti_apprendistato"] = 1 // R11 = 1/16 = 6.25%
	c.Values["diplomati"] = 12             // R12 = 12; R13 = 12/16 = 75%
	c.Values["occupati_coerenti"] = 9      // R14 = 9 + 2×0.3 + 0 = 9.6
	c.Values["occupati_non_coerenti"] = 2  //
	c.Values["iscritti_universita"] = 0    // R15 = 9.6/12 = 80%
	c.Values["diplomate"] = 2
	o := atThresholdOverrides()
	o["S3"], o["S4"], o["S11"], o["S12"], o["S13"], o["occupati_meccanica"] = 16, 12.5, 6.25, 12, 75, 9.6
	res := scorer(t, Options{Overrides: o}).Score(c)
	// The one problem is the legal minimum of 20 enrolled, a violation on
	// iscritti: it does not block the total.
	if len(res.Problems) != 1 || res.Problems[0].Rule != "LEG-ISCRITTI-MIN" || res.Problems[0].Severity != SeverityViolation ||
		res.Problems[0].Field != "iscritti" || res.Problems[0].Shown != "16" || res.Problems[0].Expected != "iscritti ≥ 20" || res.Total == nil {
		t.Fatalf("problems: %+v", res.Problems)
	}
	for _, a := range res.Articulations {
		if !near(*a.Score, 60) {
			t.Errorf("P%d = %v, want 60", a.Number, *a.Score)
		}
	}
	ind := res.Indicators[0]
	if !ind.Zeroed || *ind.Points != 0 {
		t.Fatalf("Attrattività = %v zeroed=%v, want 0 zeroed", *ind.Points, ind.Zeroed)
	}
	if !strings.Contains(ind.Trace.Citation, "Tab. 2, articolazione 3") || len(ind.Trace.Inputs) != 1 || ind.Trace.Inputs[0].Field != "iscritti" {
		t.Errorf("zeroing trace = %+v", ind.Trace)
	}
	if !near(*res.Total, 51) || res.Band.Code != "miglioramento" {
		t.Errorf("total %v band %v, want 51 miglioramento", *res.Total, res.Band.Code)
	}
}

func TestZeroGraduatesGivesZeroR15WithWarning(t *testing.T) {
	c := atThreshold()
	for _, f := range []FieldCode{"diplomati", "diplomate", "occupati_coerenti", "occupati_non_coerenti", "iscritti_universita"} {
		c.Values[f] = 0
	}
	res := scorer(t, Options{Overrides: atThresholdOverrides()}).Score(c)
	w := problemsOf(res, RuleZeroGraduates)
	if len(w) != 1 || w[0].Severity != SeverityWarning || w[0].Field != "diplomati" {
		t.Fatalf("warnings = %+v", w)
	}
	a15 := res.Articulations[14]
	if *a15.Result != 0 || *a15.Score != 0 {
		t.Errorf("R15 = %v P15 = %v, want 0, 0", *a15.Result, *a15.Score)
	}
	if res.Total == nil {
		t.Fatal("a warning must not block the total")
	}
	if res.Female.Computable || !strings.Contains(res.Female.Reason, "diplomati") {
		t.Errorf("female indicator with 0 graduates: %+v", res.Female)
	}
}

func TestAllInputProblemsReportedAtOnce(t *testing.T) {
	c := atThreshold()
	c.Values["domande_iscrizione"] = 0  // zero denominator of R2
	c.Values["ore_its"] = 0             // zero denominator of R9
	c.Values["ore_teoria"] = math.NaN() // not a number
	c.Values["ore_estero"] = -3         // negative
	c.Values["imprese_totali"] = 1e12   // implausible
	delete(c.Values, "soddisfazione")   // missing
	c.Values["ore_stage"] = math.Inf(1) // not finite
	res := scorer(t, Options{}).Score(c)
	if res.Total != nil || res.Band != nil {
		t.Fatalf("total %v with errors in the data", *res.Total)
	}
	want := map[RuleID][]FieldCode{
		RuleZeroDenominator: {"domande_iscrizione", "ore_its"},
		RuleNotFinite:       {"ore_stage", "ore_teoria"},
		RuleNegative:        {"ore_estero"},
		RuleTooLarge:        {"imprese_totali"},
		RuleMissingValue:    {"soddisfazione"},
	}
	for rule, fields := range want {
		got := problemsOf(res, rule)
		if len(got) != len(fields) {
			t.Errorf("%s: %d problems %+v, want fields %v", rule, len(got), got, fields)
			continue
		}
		for i, f := range fields {
			if got[i].Field != f || got[i].Severity != SeverityError {
				t.Errorf("%s #%d = %s/%s, want %s/error", rule, i, got[i].Field, got[i].Severity, f)
			}
		}
	}
	for _, p := range res.Problems {
		if p.Message == "" || strings.Contains(p.Message, "{") {
			t.Errorf("message not filled: %q", p.Message)
		}
	}
	// Articulations that do not depend on bad fields are still computed.
	if res.Articulations[0].Score == nil || res.Articulations[2].Score == nil {
		t.Error("R1 and R3 should still be computed")
	}
	for _, n := range []int{2, 5, 6, 8, 9, 10, 16} {
		if res.Articulations[n-1].Score != nil {
			t.Errorf("P%d computed from unusable data", n)
		}
	}
}

func TestUnknownAreaBlocksOnlyAreaArticulations(t *testing.T) {
	c := atThreshold()
	c.Area = "Sistema spaziale"
	res := scorer(t, Options{}).Score(c)
	got := problemsOf(res, RuleUnknownArea)
	if len(got) != 1 || got[0].Field != "area_tecnologica" || !strings.Contains(got[0].Message, "Sistema spaziale") {
		t.Fatalf("problems %+v", res.Problems)
	}
	if res.Total != nil {
		t.Error("total computed without area thresholds")
	}
	if res.Articulations[13].Result == nil || res.Articulations[13].Score != nil {
		t.Error("R14 should be computed, P14 not")
	}
}

func TestInterpretationI2Alternative(t *testing.T) {
	// R15 = R14 / S12 × 100 = 16 / 19.4 × 100 = 82.474227 (S12 default 19.4);
	// P15 with S = 80: 60 + 40 × ((82.474227 − 80)/20)^0.9 = 66.098578.
	o := atThresholdOverrides()
	delete(o, "S12")
	res := scorer(t, Options{Overrides: o, Interpretations: map[string]string{"I-2": "soglia_diplomati"}}).Score(atThreshold())
	a := res.Articulations[14]
	if math.Abs(*a.Result-82.474227) > 1e-6 || math.Abs(*a.Score-66.098578) > 1e-6 {
		t.Errorf("R15 = %v, P15 = %v; want 82.474227, 66.098578", *a.Result, *a.Score)
	}
	if !strings.Contains(a.Traces[0].Formula, "S12") || a.Traces[0].Inputs[1].From != "S12" {
		t.Errorf("R15 trace %+v", a.Traces[0])
	}
	if res.Interpretations["I-2"] != "soglia_diplomati" {
		t.Errorf("result does not record the interpretation: %v", res.Interpretations)
	}
}

func TestAreaCorrectionOnlyWhenSupplied(t *testing.T) {
	c := atThreshold()
	// No overrides of the area means: S14 = 19.1 (Tab. 4, meccanica).
	res := scorer(t, Options{}).Score(c)
	thr := res.Articulations[13].Traces[1].Threshold
	if thr.Value != 19.1 || thr.Source != SourceDefault || thr.Correction != nil || !strings.Contains(thr.Note, "senza la correzione") {
		t.Errorf("uncorrected threshold %+v", thr)
	}
	// N = 5, general mean 15: S14 = 19.1 + 0.5 × (15 − 19.1) = 17.05.
	res = scorer(t, Options{Overrides: map[string]float64{"correzione_n": 5, "media_generale_occupati": 15}}).Score(c)
	thr = res.Articulations[13].Traces[1].Threshold
	if !near(thr.Value, 17.05) || thr.Source != SourceCorrected || thr.Correction == nil || len(thr.Correction.Inputs) != 3 {
		t.Errorf("corrected threshold %+v", thr)
	}
	// Only N: no correction, and the note says what is missing. S15 also
	// stays at its area mean since media_generale_tasso is absent.
	res = scorer(t, Options{Overrides: map[string]float64{"correzione_n": 5}}).Score(c)
	thr = res.Articulations[13].Traces[1].Threshold
	if thr.Value != 19.1 || !strings.Contains(thr.Note, "media_generale_occupati") {
		t.Errorf("half-supplied correction %+v", thr)
	}
	if v := *res.Articulations[14].Threshold; v != 85.7 {
		t.Errorf("S15 = %v, want 85.7", v)
	}
}

func TestOverridesRecordedAndChecked(t *testing.T) {
	sc := scorer(t, Options{Overrides: map[string]float64{"S2": 80.1, "S4": 12}})
	ov := sc.Overridden()
	if len(ov) != 1 || ov[0].Code != "S4" || ov[0].Value != 12 || *ov[0].Default != 11.0 {
		t.Errorf("overridden = %+v, want only S4 (S2 equals its default)", ov)
	}
	res := sc.Score(atThreshold())
	if len(res.Overridden) != 1 || res.Articulations[3].Traces[1].Threshold.Source != SourceOverride {
		t.Errorf("result does not record the override")
	}

	_, err := NewScorer(mustPack(t), Options{
		Reading:         "creative",
		Interpretations: map[string]string{"I-2": "whatever"},
		Overrides: map[string]float64{
			"S1": 10, "S99": 3, "correzione_n": 2.5, "S12": 25, "tasso_meccanica": math.NaN(),
		},
	})
	var oe *OptionsError
	if !errors.As(err, &oe) {
		t.Fatalf("error %v, want OptionsError", err)
	}
	if len(oe.Problems) != 7 {
		for _, p := range oe.Problems {
			t.Log(p.Msg)
		}
		t.Fatalf("%d problems, want 7 (reading, interpretation, 5 overrides)", len(oe.Problems))
	}
	if !errors.Is(err, ErrThresholdRange) || !errors.Is(err, ErrUnknownCode) || !errors.Is(err, ErrReading) {
		t.Error("sentinel kinds not reachable through errors.Is")
	}
}

func TestFemaleIndicator(t *testing.T) {
	tests := []struct {
		name       string
		overrides  map[string]float64
		iscritte   float64
		diplomate  float64
		computable bool
		score      float64
		missing    []string
	}{
		// R = (5/25 + 4/20)/2 × 100 = 20; M = 25 ≤ 50: P = 60 × 20/25 = 48.
		{"male area", map[string]float64{"femminile_media_meccanica": 25}, 5, 4, true, 48, nil},
		// R = (15/25 + 11/20)/2 × 100 = 57.5; M = 60 > 50, G = 30:
		// S = 60 + 0.2 × (30 − 60) = 54; P = 60 + 40 × (57.5 − 54)/(60 − 54) = 83.333…
		{"female area", map[string]float64{"femminile_media_meccanica": 60, "femminile_media_generale": 30}, 15, 11, true, 60 + 40*3.5/6, nil},
		{"no area mean", nil, 5, 4, false, 0, []string{"femminile_media_meccanica"}},
		{"female area without general mean", map[string]float64{"femminile_media_meccanica": 60}, 15, 11, false, 0, []string{"femminile_media_generale"}},
		// G > M makes S > M: the decree's function has no meaning there.
		{"general above area", map[string]float64{"femminile_media_meccanica": 60, "femminile_media_generale": 80}, 15, 11, false, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := atThreshold()
			c.Values["iscritte"], c.Values["diplomate"] = tt.iscritte, tt.diplomate
			f := scorer(t, Options{Overrides: tt.overrides}).Score(c).Female
			if f.Computable != tt.computable {
				t.Fatalf("computable = %v (%s), want %v", f.Computable, f.Reason, tt.computable)
			}
			if tt.computable && math.Abs(*f.Score-tt.score) > 1e-9 {
				t.Errorf("P = %v, want %v", *f.Score, tt.score)
			}
			if !tt.computable {
				if f.Score != nil || f.Reason == "" || f.FemaleProblem() == nil {
					t.Errorf("not computable must have no score and a reason: %+v", f)
				}
				for i, m := range tt.missing {
					if i >= len(f.Missing) || f.Missing[i] != m {
						t.Errorf("missing = %v, want %v", f.Missing, tt.missing)
					}
				}
			}
		})
	}
	// Missing course inputs are named too.
	c := atThreshold()
	delete(c.Values, "iscritte")
	f := scorer(t, Options{Overrides: map[string]float64{"femminile_media_meccanica": 25}}).Score(c).Female
	if f.Computable || len(f.Missing) != 1 || f.Missing[0] != "iscritte" {
		t.Errorf("missing iscritte: %+v", f)
	}
}

func TestSensitivityEachChoice(t *testing.T) {
	sc := scorer(t, Options{Overrides: atThresholdOverrides()})
	if sc.Reading() != ReadingTables {
		t.Fatalf("default reading %s, want tables", sc.Reading())
	}
	// R2 = 45/50 = 90% with S2 = 80: E-1 applies (coherent under tables).
	// coherent: 60 + 40 × (10/20)^0.8 = 82.973967; printed: 60 + 40 × (10/80)^0.8 = 67.578583.
	c := atThreshold()
	c.Values["partecipanti_selezione"] = 45
	res := sc.Score(c)
	alts := sc.Sensitivity(c, res)
	want := []struct{ choice, alt string }{
		{"E-1", "printed"}, {"E-2", "coherent"}, {"E-3", "printed"}, {"E-4", "printed"},
		{"I-2", "soglia_diplomati"}, {"I-7", "articolazione"},
	}
	if len(alts) != len(want) {
		t.Fatalf("alternatives %+v, want %v", alts, want)
	}
	for i, w := range want {
		if alts[i].Choice != w.choice || alts[i].Alternative != w.alt || alts[i].Label == "" {
			t.Errorf("alternative %d = %s=%s (%q), want %s=%s", i, alts[i].Choice, alts[i].Alternative, alts[i].Label, w.choice, w.alt)
		}
	}
	e1 := alts[0]
	if e1.Delta == nil || math.Abs(*e1.Delta-5*(67.578583-82.973967)/100) > 1e-5 {
		t.Errorf("E-1 delta %v, want 5 × (67.578583 − 82.973967) / 100", e1.Delta)
	}
	if len(e1.Changes) != 1 || e1.Changes[0].Number != 2 || math.Abs(*e1.Changes[0].Alternative-67.578583) > 1e-6 {
		t.Errorf("E-1 changes %+v, want P2 only", e1.Changes)
	}
	// Every other choice meets its threshold exactly (P = 60 in both forms),
	// R15 = VO / S12 = 16/20 equals VO / diplomati, and 25 enrolled zero nothing.
	for _, a := range alts[1:] {
		if a.Delta == nil || *a.Delta != 0 || len(a.Changes) != 0 || a.BandChanged {
			t.Errorf("%s=%s: delta %v, changes %+v", a.Choice, a.Alternative, a.Delta, a.Changes)
		}
	}
	if res.Articulations[1].Traces[1].Erratum != "E-1" || res.Articulations[1].Traces[1].Form != FormCoherent {
		t.Error("P2 trace does not name erratum E-1 read coherently")
	}
	if got := sc.Sensitivity(c, &CourseResult{}); got != nil {
		t.Errorf("a course without total has alternatives: %+v", got)
	}
}

// TestZeroingScopeI7 checks both choices of I-7 on a course with 19
// enrolled. Indicator 1 is 0 under the default; with «articolazione» only
// articulation 3 is zeroed and indicator 1 is points1 + points2 + points4:
// R1 = 40 = S1 → P1 = 60, 3 × 60 / 100 = 1.8; R2 = 40/50 = 80% = S2 → 60, 5 × 0.6 = 3;
// R4 = 3/19 = 15.789474% > S4 = 12 → P4 = 60 + 40 × (3.789474/88)^0.4
// = 60 + 40 × 0.284209 = 71.368377, 2 × 0.71368377 = 1.427368; sum 6.227368.
func TestZeroingScopeI7(t *testing.T) {
	c := atThreshold()
	c.Values["iscritti"], c.Values["diplomati"], c.Values["certificati"] = 19, 19, 0
	whole := scorer(t, Options{Overrides: atThresholdOverrides()}).Score(c)
	if !whole.Indicators[0].Zeroed || *whole.Indicators[0].Points != 0 || whole.Articulations[2].Zeroed {
		t.Errorf("default: indicator 1 %+v, articulation 3 zeroed %v", whole.Indicators[0], whole.Articulations[2].Zeroed)
	}
	one := scorer(t, Options{Overrides: atThresholdOverrides(), Interpretations: map[string]string{"I-7": "articolazione"}}).Score(c)
	a3 := one.Articulations[2]
	if !a3.Zeroed || *a3.Points != 0 || a3.Score == nil || *a3.Score == 0 {
		t.Errorf("articolazione: articulation 3 %+v (its P stays, its points are 0)", a3)
	}
	if k := a3.Traces[len(a3.Traces)-1]; k.Value != 0 || !strings.Contains(k.Formula, "azzeramento") || len(k.Notes) == 0 {
		t.Errorf("articulation 3 points trace %+v", k)
	}
	if one.Indicators[0].Zeroed || math.Abs(*one.Indicators[0].Points-6.227368) > 1e-5 {
		t.Errorf("articolazione: indicator 1 = %v (zeroed %v), want 6.227368", *one.Indicators[0].Points, one.Indicators[0].Zeroed)
	}
	if d := *one.Total - *whole.Total; math.Abs(d-6.227368) > 1e-5 {
		t.Errorf("totals differ by %v, want 6.227368", d)
	}
}

func TestTracesNameEveryInput(t *testing.T) {
	res := scorer(t, Options{}).Score(atThreshold())
	for _, a := range res.Articulations {
		if len(a.Traces) != 3 {
			t.Fatalf("articulation %d has %d traces, want R, P, points", a.Number, len(a.Traces))
		}
		r, p, k := a.Traces[0], a.Traces[1], a.Traces[2]
		if r.Quantity != "R"+itoa(a.Number) || r.Citation == "" || r.Formula == "" || r.Explanation == "" {
			t.Errorf("R trace %+v", r)
		}
		for _, b := range r.Inputs {
			if b.Field == "" && b.From == "" {
				t.Errorf("R%d input %s has no source", a.Number, b.Symbol)
			}
		}
		if len(a.Fields) == 0 {
			t.Errorf("articulation %d names no input field", a.Number)
		}
		if p.Branch == "" || !strings.Contains(p.Citation, "funzione "+itoa(a.Number)) || p.Explanation == "" {
			t.Errorf("P trace %+v", p)
		}
		if (p.Threshold == nil) != (a.Number == 5 || a.Number == 7 || a.Number == 16) {
			t.Errorf("P%d threshold %+v", a.Number, p.Threshold)
		}
		if p.Threshold != nil && (p.Threshold.Citation == "" || p.Threshold.Source == "") {
			t.Errorf("P%d threshold without source: %+v", a.Number, p.Threshold)
		}
		if !near(k.Value, a.Weight*p.Value/100) {
			t.Errorf("points trace %v != weight × P / 100", k.Value)
		}
	}
	sum := 0.0
	for _, b := range res.TotalTrace.Inputs {
		sum += b.Value
	}
	if !near(sum, *res.Total) || len(res.TotalTrace.Inputs) != 6 {
		t.Errorf("total trace inputs sum to %v, total %v", sum, *res.Total)
	}
}

func TestLiteralReadingClampsAndSays(t *testing.T) {
	// R1 = 51.5 just below S1 = 51.6: printed f1 gives 10 + 50 × (31.5/20)^1.3
	// = 10 + 50 × 1.8045 ≈ 100.2, above the scale.
	c := atThreshold()
	c.Values["partecipanti_selezione"] = 51.5
	c.Values["domande_iscrizione"] = 60
	res := scorer(t, Options{Reading: ReadingLiteral}).Score(c)
	p := res.Articulations[0].Traces[1]
	if p.Value != 100 || p.Unclamped == nil || *p.Unclamped <= 100 || len(p.Notes) == 0 {
		t.Errorf("P1 literal = %v (raw %v), notes %v", p.Value, p.Unclamped, p.Notes)
	}
}

// TestCatalogueTextsFilled checks that no message the package can produce
// leaves a placeholder unfilled.
func TestCatalogueTextsFilled(t *testing.T) {
	for _, rule := range []RuleID{RuleMissingValue, RuleNotFinite, RuleNegative, RuleTooLarge, RuleZeroDenominator,
		RuleZeroGraduates, RuleUnknownArea, RuleOutOfDomain, RuleThresholdRange, RuleFemaleNotComp} {
		if def, ok := findings.Lookup(rule); !ok || def.Severity == "" || def.Template == "" {
			t.Errorf("%s is not in the findings catalogue", rule)
		}
	}
	c := atThreshold()
	c.Values["domande_iscrizione"] = 0
	c.Values["diplomati"], c.Values["diplomate"] = 0, 0
	c.Values["occupati_coerenti"], c.Values["occupati_non_coerenti"], c.Values["iscritti_universita"] = 0, 0, 0
	c.Values["ore_estero"] = -1
	c.Values["imprese_totali"] = 1e9
	c.Values["ore_teoria"] = math.NaN()
	delete(c.Values, "soddisfazione")
	c.Area = "Nessuna"
	res := scorer(t, Options{Reading: ReadingLiteral}).Score(c)
	var texts []string
	for _, p := range res.Problems {
		texts = append(texts, p.Message)
	}
	texts = append(texts, res.Female.Reason)
	for _, a := range res.Articulations {
		for _, tr := range a.Traces {
			texts = append(texts, tr.Label, tr.Formula, tr.Explanation)
			texts = append(texts, tr.Notes...)
		}
	}
	if _, err := NewScorer(mustPack(t), Options{Overrides: map[string]float64{"S1": 10, "S2": 1e9, "correzione_n": 0.5, "S99": 1}}); err != nil {
		texts = append(texts, err.Error())
		for _, e := range err.(*OptionsError).Problems {
			texts = append(texts, e.Msg)
		}
	}
	for _, tx := range texts {
		if strings.ContainsAny(tx, "{}") {
			t.Errorf("unfilled placeholder: %q", tx)
		}
	}
	if len(texts) < 20 {
		t.Errorf("only %d texts checked", len(texts))
	}
}

// TestTotalDecidedOnce: a course the caller blocked, or one breaking a
// legal constraint of severity error, gets no total; its articulations are
// kept.
func TestTotalDecidedOnce(t *testing.T) {
	c := atThreshold()
	c.Blocked = true
	res := scorer(t, Options{}).Score(c)
	if res.Total != nil || res.Band != nil || res.TotalTrace != nil || res.Articulations[0].Score == nil {
		t.Errorf("blocked course: total %v", res.Total)
	}
	raw := strings.Replace(string(mustPack(t).Raw()), `"id": "LEG-ISCRITTI-MIN", "severity": "violation"`, `"id": "LEG-ISCRITTI-MIN", "severity": "error"`, 1)
	p, err := ParsePack([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	sc, _ := NewScorer(p, Options{})
	c = atThreshold()
	c.Values["iscritti"], c.Values["diplomati"] = 19, 19 // 19 graduates keep R13 ≤ 100
	if res := sc.Score(c); res.Total != nil || len(res.Problems) != 1 || res.Problems[0].Severity != SeverityError {
		t.Errorf("error-severity constraint: total %v, problems %+v", res.Total, res.Problems)
	}
}

// TestTracesByName: an articulation's traces are found by what they
// explain, not by position; R15 reads R14, R4 reads no earlier result.
func TestTracesByName(t *testing.T) {
	res := scorer(t, Options{}).Score(atThreshold())
	a := &res.Articulations[1]
	if a.ResultTrace().Quantity != "R2" || a.ScoreTrace().Quantity != "P2" || a.PointsTrace().Quantity != "punti2" {
		t.Errorf("traces %q %q %q", a.ResultTrace().Quantity, a.ScoreTrace().Quantity, a.PointsTrace().Quantity)
	}
	none := ArticulationResult{Number: 3}
	if none.ResultTrace() != nil || none.ScoreTrace() != nil || none.PointsTrace() != nil {
		t.Error("an articulation without traces returns some")
	}
	p := mustPack(t)
	a15, _ := p.Articulation(15)
	a4, _ := p.Articulation(4)
	if got := a15.EarlierResults(); len(got) != 1 || got[0] != 14 {
		t.Errorf("R15 reads %v, want [14]", got)
	}
	if got := a4.EarlierResults(); len(got) != 0 {
		t.Errorf("R4 reads %v", got)
	}
	if n, ok := ResultNumber("R14"); !ok || n != 14 {
		t.Error("ResultNumber(R14)")
	}
	if _, ok := ResultNumber("Rx"); ok {
		t.Error("ResultNumber(Rx)")
	}
}

// TestSensitivityShortcutExact: skipping the rescoring of an erratum no
// branch of the course uses gives exactly what rescoring gives.
func TestSensitivityShortcutExact(t *testing.T) {
	for _, rd := range []Reading{ReadingTables, ReadingCoherent, ReadingLiteral} {
		sc := scorer(t, Options{Reading: rd})
		for _, c := range []Course{atThreshold(), func() Course {
			c := atThreshold()
			c.Values["partecipanti_selezione"], c.Values["occupati_coerenti"] = 45, 16
			return c
		}()} {
			this := sc.Score(c)
			got := sc.Sensitivity(c, this)
			for i, ch := range sc.Choices() {
				want := Compare(ch, this, sc.With(ch).Score(c))
				if !reflect.DeepEqual(got[i], want) {
					t.Errorf("%s %s: %+v, rescoring gives %+v", rd, ch.ID, got[i], want)
				}
			}
		}
	}
}

// TestFemaleCorrectionFactorI10: the factor 0,N of part B is a threshold
// input (0.2 by default, «nel nostro esempio»), not a constant. Area with
// MediaArea M = 71 > 50, MediaGenerale G = 27.5, course R = (15/25 + 12/20)
// / 2 × 100 = 60.
// K = 0.2: S = 71 + 0.2 × (27.5 − 71) = 62.3; R < S: P = 60 × 60 / 62.3 = 57.78491.
// K = 0.5: S = 71 + 0.5 × (27.5 − 71) = 49.25; S ≤ R ≤ M:
// P = 60 + 40 × (60 − 49.25) / (71 − 49.25) = 60 + 40 × 0.494253 = 79.77011.
func TestFemaleCorrectionFactorI10(t *testing.T) {
	c := atThreshold()
	c.Area = "Sistema moda"
	c.Values["iscritte"], c.Values["diplomate"] = 15, 12
	for k, want := range map[float64]float64{0.2: 57.78491, 0.5: 79.77011} {
		o := map[string]float64{"femminile_media_moda": 71, "femminile_media_generale": 27.5}
		if k != 0.2 {
			o["femminile_correzione"] = k
		}
		f := scorer(t, Options{Overrides: o}).Score(c).Female
		if !f.Computable || f.Score == nil || math.Abs(*f.Score-want) > 1e-4 || math.Abs(*f.Result-60) > 1e-9 {
			t.Errorf("K = %v: %+v, want P = %v", k, f, want)
		}
	}
}

// Sensitivity scores every alternative into one reused result: each
// comparison must be the one a fresh score gives, for courses whose
// alternatives differ (changed articulations, an alternative without a
// total), and a course's comparisons must not change when the next
// course is compared.
func TestSensitivityReusedResultExact(t *testing.T) {
	sc := scorer(t, Options{Overrides: atThresholdOverrides()})
	var courses []Course
	for i := range 12 {
		c := atThreshold()
		c.Code = fmt.Sprintf("C%d", i)
		c.Values["partecipanti_selezione"] = float64(38 + i)
		c.Values["occupati_coerenti"] = float64(10 + i%7)
		c.Values["iscritti"] = float64(18 + 2*i) // below 20 zeroes under I-7's choices
		c.Values["ore_stage"] = float64(500 + 40*i)
		courses = append(courses, c)
	}
	type kept struct {
		c    Course
		this *CourseResult
		got  []Alternative
	}
	var all []kept
	changed := 0
	for _, c := range courses {
		this := sc.Score(c)
		got := sc.Sensitivity(c, this)
		all = append(all, kept{c, this, got})
		for _, a := range got {
			changed += len(a.Changes)
		}
	}
	if changed == 0 {
		t.Fatal("no alternative changes any articulation: the test proves nothing")
	}
	scored := 0
	for _, k := range all {
		if k.this.Total == nil {
			if k.got != nil {
				t.Errorf("%s has no total but alternatives %+v", k.c.Code, k.got)
			}
			continue
		}
		scored++
		chs := sc.Choices()
		if len(k.got) != len(chs) {
			t.Fatalf("%s: %d alternatives for %d choices", k.c.Code, len(k.got), len(chs))
		}
		for i, ch := range chs {
			if want := Compare(ch, k.this, sc.With(ch).Score(k.c)); !reflect.DeepEqual(k.got[i], want) {
				t.Errorf("%s %s=%s: kept %+v, fresh %+v", k.c.Code, ch.ID, ch.Alternative, k.got[i], want)
			}
		}
	}
	if scored < 6 {
		t.Fatalf("only %d courses scored", scored)
	}
}
