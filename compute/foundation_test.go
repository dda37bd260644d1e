package compute

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// yearOf builds n courses of one foundation in one year: below of them
// score 40, unscored have no total, the rest score 70.
func yearOf(foundation string, year, below, above, unscored int) []FoundationCourse {
	var out []FoundationCourse
	add := func(total *float64) {
		out = append(out, FoundationCourse{Foundation: foundation, Year: year, Code: fmt.Sprintf("%s-%d-%03d", foundation, year, len(out)), Total: total, File: fmt.Sprintf("%s-%d.xlsx", foundation, year)})
	}
	for i := 0; i < below; i++ {
		v := 40.0
		add(&v)
	}
	for i := 0; i < above; i++ {
		v := 70.0
		add(&v)
	}
	for i := 0; i < unscored; i++ {
		add(nil)
	}
	return out
}

func join(parts ...[]FoundationCourse) []FoundationCourse {
	var out []FoundationCourse
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func TestFoundationRuleFromPack(t *testing.T) {
	p := mustPack(t)
	r := p.Foundation
	if r == nil {
		t.Fatal("the DM 2023 pack carries no foundation_rule")
	}
	// CU 17/12/2015 art. 4 c.3, transcribed independently of the pack.
	if r.Years != 3 || r.Below != 50 || r.ShareAtLeast != 50 {
		t.Errorf("parameters %d years, below %g, share %g; CU 2015 art. 4 c.3 says 3, 50, 50", r.Years, r.Below, r.ShareAtLeast)
	}
	if !strings.Contains(r.Citation, "CU 17/12/2015, art. 4 c. 3") || r.RuleOf != "CU 17/12/2015" {
		t.Errorf("citation %q / rule_of %q", r.Citation, r.RuleOf)
	}
	reg, _ := LoadEmbedded()
	got, gp, err := reg.FoundationRuleFor("")
	if err != nil || got == nil || got.ID != r.ID || gp.ID != p.ID {
		t.Errorf("FoundationRuleFor: %v", err)
	}
	if _, _, err := reg.FoundationRuleFor("nessuno"); !errors.Is(err, ErrNoFoundationRule) {
		t.Errorf("unknown pack: %v", err)
	}
}

func TestFoundationRuleApply(t *testing.T) {
	r := mustPack(t).Foundation
	tests := []struct {
		name         string
		courses      []FoundationCourse
		flagged      bool
		flaggedYears []int
		causes       int
		explain      []string
	}{
		{"exactly 50% in three consecutive years", join(yearOf("A", 2023, 1, 1, 0), yearOf("A", 2024, 2, 2, 0), yearOf("A", 2025, 5, 5, 0)),
			true, []int{2023, 2024, 2025}, 8, []string{"Segnalata", "2023, 2024, 2025", "autorizzazione"}},
		{"49% in one year", join(yearOf("A", 2023, 50, 50, 0), yearOf("A", 2024, 49, 51, 0), yearOf("A", 2025, 50, 50, 0)),
			false, []int{}, 0, []string{"Non segnalata", "solo in 2023, 2025"}},
		{"gap year", join(yearOf("A", 2021, 3, 0, 0), yearOf("A", 2022, 3, 0, 0), yearOf("A", 2024, 3, 0, 0), yearOf("A", 2025, 3, 0, 0)),
			false, []int{}, 0, []string{"anni presenti 2021, 2022, 2024, 2025"}},
		{"two years only", join(yearOf("A", 2024, 3, 0, 0), yearOf("A", 2025, 3, 0, 0)),
			false, []int{}, 0, []string{"anni presenti 2024, 2025"}},
		// Unscored courses are out of the share: 1 below, 1 above, 5 unscored = 50%.
		{"unscored courses excluded from the share", join(yearOf("A", 2023, 1, 1, 5), yearOf("A", 2024, 1, 1, 5), yearOf("A", 2025, 1, 1, 5)),
			true, []int{2023, 2024, 2025}, 3, []string{"Segnalata"}},
		// A year with no scored course cannot meet the share.
		{"year with no scored course", join(yearOf("A", 2023, 2, 0, 0), yearOf("A", 2024, 0, 0, 4), yearOf("A", 2025, 2, 0, 0)),
			false, []int{}, 0, []string{"Nessun percorso con punteggio in 2024"}},
		{"four years, the run is the last three", join(yearOf("A", 2022, 0, 3, 0), yearOf("A", 2023, 2, 1, 0), yearOf("A", 2024, 2, 1, 0), yearOf("A", 2025, 2, 1, 0)),
			true, []int{2023, 2024, 2025}, 6, []string{"3 anni consecutivi"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vs := r.Apply(tt.courses, nil)
			if len(vs) != 1 {
				t.Fatalf("%d verdicts", len(vs))
			}
			v := vs[0]
			if v.Flagged != tt.flagged || !reflect.DeepEqual(v.FlaggedYears, tt.flaggedYears) || len(v.Causes) != tt.causes {
				t.Errorf("flagged %v years %v causes %d; want %v %v %d", v.Flagged, v.FlaggedYears, len(v.Causes), tt.flagged, tt.flaggedYears, tt.causes)
			}
			for _, c := range v.Causes {
				if c.Total == nil || *c.Total >= 50 {
					t.Errorf("cause %s has total %v", c.Code, c.Total)
				}
			}
			for _, s := range tt.explain {
				if !strings.Contains(v.Explanation, s) {
					t.Errorf("explanation %q lacks %q", v.Explanation, s)
				}
			}
			// Order of the input does not matter.
			shuffled := append([]FoundationCourse(nil), tt.courses...)
			rand.New(rand.NewPCG(1, 2)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
			if again := r.Apply(shuffled, nil); !reflect.DeepEqual(again, vs) {
				t.Error("the verdict depends on the order of the courses")
			}
		})
	}
}

func TestFoundationRuleSeveralFoundationsAndUnplaced(t *testing.T) {
	r := mustPack(t).Foundation
	courses := join(yearOf("B", 2025, 1, 0, 0), yearOf("A", 2025, 0, 1, 0), yearOf("", 2025, 1, 0, 0), yearOf("C", 0, 1, 0, 0))
	vs := r.Apply(courses, nil)
	if len(vs) != 2 || vs[0].Foundation != "A" || vs[1].Foundation != "B" {
		t.Fatalf("verdicts %+v", vs)
	}
	if vs[1].Years[0].Share == nil || *vs[1].Years[0].Share != 100 {
		t.Errorf("B share %v", vs[1].Years[0].Share)
	}
}

func TestFoundationRuleChecked(t *testing.T) {
	raw := string(mustPack(t).Raw())
	for _, tt := range []struct{ from, to, want string }{
		{`"years": 3,`, `"years": 0,`, "years"},
		{`"course_total_below": 50,`, `"course_total_below": 500,`, "course_total_below"},
		{`"share_at_least": 50,`, `"share_at_least": 0,`, "share_at_least"},
		{`"interpretation": "I-5",
    "label"`, `"interpretation": "I-99",
    "label"`, "I-99"},
	} {
		if !strings.Contains(raw, tt.from) {
			t.Fatalf("pack lacks %q", tt.from)
		}
		_, err := ParsePack([]byte(strings.Replace(raw, tt.from, tt.to, 1)))
		if !errors.Is(err, ErrPack) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v", tt.to, err)
		}
	}
}

// TestFoundationRulePooledI8 checks both choices of I-8 on a hand-made
// foundation. Per year: 2023 3 of 4 below 50 (75%), 2024 1 of 4 (25%),
// 2025 3 of 4 (75%): not every year meets 50%, so «per_anno» does not
// flag it. Over the three years together: 7 of 12 = 58.3% ≥ 50%, so
// «triennio» flags 2023–2025.
func TestFoundationRulePooledI8(t *testing.T) {
	r := mustPack(t).Foundation
	courses := join(yearOf("F", 2023, 3, 1, 0), yearOf("F", 2024, 1, 3, 0), yearOf("F", 2025, 3, 1, 0))
	perYear := r.Apply(courses, map[string]string{"I-8": "per_anno"})
	if perYear[0].Flagged || perYear[0].Pooled {
		t.Errorf("per_anno: %+v", perYear[0])
	}
	if def := r.Apply(courses, nil); !reflect.DeepEqual(def, perYear) {
		t.Error("the default is not per_anno")
	}
	pooled := r.Apply(courses, map[string]string{"I-8": "triennio"})
	v := pooled[0]
	if !v.Flagged || !v.Pooled || !reflect.DeepEqual(v.FlaggedYears, []int{2023, 2024, 2025}) || len(v.Causes) != 7 {
		t.Errorf("triennio: flagged %v years %v causes %d", v.Flagged, v.FlaggedYears, len(v.Causes))
	}
	if !strings.Contains(v.Explanation, "sull'insieme di 3 anni consecutivi") || !strings.Contains(v.Explanation, "I-8") {
		t.Errorf("explanation %q", v.Explanation)
	}
	// 5 of 12 = 41.7%: not flagged either way; a gap year breaks the window.
	low := join(yearOf("G", 2023, 2, 2, 0), yearOf("G", 2024, 1, 3, 0), yearOf("G", 2025, 2, 2, 0))
	gap := join(yearOf("H", 2021, 4, 0, 0), yearOf("H", 2022, 4, 0, 0), yearOf("H", 2024, 4, 0, 0))
	for _, v := range r.Apply(join(low, gap), map[string]string{"I-8": "triennio"}) {
		if v.Flagged {
			t.Errorf("%s flagged under triennio: %+v", v.Foundation, v)
		}
	}
}
