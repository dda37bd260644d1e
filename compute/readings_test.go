package compute

import (
	"errors"
	"math"
	"strings"
	"sync"
	"testing"
)

// sharedPack is the embedded pack, loaded once for helpers that evaluate
// functions in tight loops.
var sharedPack = sync.OnceValues(func() (*Pack, error) {
	reg, err := LoadEmbedded()
	if err != nil {
		return nil, err
	}
	p, _ := reg.Get(testPackID)
	return p, nil
})

// errataOf returns the errata of one of the pack's readings.
func errataOf(p *Pack, rd Reading) Errata {
	def, ok := p.ReadingDef(rd)
	if !ok {
		return Errata{}
	}
	return def.Errata
}

// evalUnder evaluates a function under a reading of the embedded pack.
func evalUnder(tb testing.TB, f *Function, r float64, s *float64, rd Reading) (Evaluation, error) {
	tb.Helper()
	p, err := sharedPack()
	if err != nil || p == nil {
		tb.Fatalf("LoadEmbedded: %v", err)
	}
	return f.Eval(p, r, s, errataOf(p, rd))
}

// TestReadingsAreData checks the three readings of the pack against RULES.md
// («Errata»): tables reads E-1, E-3, E-4 coherently and E-2 as printed;
// coherent all four corrected; literal all four as printed. tables is the
// default.
func TestReadingsAreData(t *testing.T) {
	p := testPack(t)
	if p.DefaultReading() != ReadingTables {
		t.Errorf("default reading %s, want tables", p.DefaultReading())
	}
	want := map[Reading]Errata{
		ReadingTables:   {"E-1": FormCoherent, "E-2": FormPrinted, "E-3": FormCoherent, "E-4": FormCoherent},
		ReadingCoherent: {"E-1": FormCoherent, "E-2": FormCoherent, "E-3": FormCoherent, "E-4": FormCoherent},
		ReadingLiteral:  {"E-1": FormPrinted, "E-2": FormPrinted, "E-3": FormPrinted, "E-4": FormPrinted},
	}
	for rd, w := range want {
		got, _ := p.ReadingDef(rd)
		if got == nil || len(got.Errata) != len(w) {
			t.Fatalf("reading %s: %+v", rd, got)
		}
		for id, f := range w {
			if got.Errata[id] != f {
				t.Errorf("reading %s: %s = %s, want %s", rd, id, got.Errata[id], f)
			}
		}
	}
}

// TestResolveErrata checks a single erratum set on top of a reading, and the
// refusals that name what the pack knows.
func TestResolveErrata(t *testing.T) {
	p := testPack(t)
	rd, e, err := p.ResolveErrata("", map[string]ErratumForm{"E-2": FormCoherent})
	if err != nil || rd != ReadingTables || e["E-2"] != FormCoherent || e["E-1"] != FormCoherent || e["E-3"] != FormCoherent {
		t.Errorf("tables + E-2=coherent: %s %v %v", rd, e, err)
	}
	if _, e, _ := p.ResolveErrata(ReadingLiteral, map[string]ErratumForm{"E-4": FormCoherent}); e["E-4"] != FormCoherent || e["E-1"] != FormPrinted {
		t.Errorf("literal + E-4=coherent: %v", e)
	}
	for _, tc := range []struct {
		rd   Reading
		over map[string]ErratumForm
		in   string
	}{
		{"strict", nil, "tables, coherent, literal"},
		{"", map[string]ErratumForm{"E-9": FormPrinted}, "E-1, E-2, E-3, E-4"},
		{"", map[string]ErratumForm{"E-1": "both"}, "E-1=both"},
	} {
		_, _, err := p.ResolveErrata(tc.rd, tc.over)
		if !errors.Is(err, ErrReading) || !strings.Contains(err.Error(), tc.in) {
			t.Errorf("%s %v: err %v, want ErrReading naming %q", tc.rd, tc.over, err, tc.in)
		}
	}
	for in, want := range map[string]ErratumForm{"E-2=printed": FormPrinted, "e-2=coerente": FormCoherent, " E-2 = stampata": FormPrinted} {
		id, f, err := ParseErratumChoice(in)
		if err != nil || id != "E-2" || f != want {
			t.Errorf("ParseErratumChoice(%q) = %s %s %v", in, id, f, err)
		}
	}
	for _, in := range []string{"E-2", "E-2=maybe", "=coherent"} {
		if _, _, err := ParseErratumChoice(in); err == nil {
			t.Errorf("ParseErratumChoice(%q) accepted", in)
		}
	}
}

// TestF14TablesReading is issue 9's check: articulation 14 at R = 20 with
// S = 14.4 gives the decree's table value 67.8 under the default reading
// (E-2 as printed: 60 + 40 × (5.6/85.6)^0.6 = 60 + 40 × 0.194728 = 67.7891),
// and the (25 − S) value under E-2=coherent:
// 60 + 40 × (5.6/10.6)^0.6 = 60 + 40 × 0.681914 = 87.2765.
func TestF14TablesReading(t *testing.T) {
	p := testPack(t)
	_, e, _ := p.ResolveErrata("", nil)
	ev, err := p.Eval(14, 20, fptr(14.4), e)
	if err != nil || math.Abs(ev.Score-67.8) > 0.05 || ev.Form != FormPrinted || ev.Erratum != "E-2" {
		t.Errorf("tables: %+v %v, want 67.8 (E-2 printed)", ev, err)
	}
	_, e, _ = p.ResolveErrata("", map[string]ErratumForm{"E-2": FormCoherent})
	ev, err = p.Eval(14, 20, fptr(14.4), e)
	if err != nil || math.Abs(ev.Score-87.2765) > 1e-3 || ev.Form != FormCoherent {
		t.Errorf("E-2=coherent: %+v %v, want 87.2765", ev, err)
	}
	ev, _ = p.Eval(14, 10, fptr(14.4), errataOf(p, ReadingTables))
	// Below S: 60 × (10/14.4)^1.3 = 60 × 0.622485 = 37.3491; the decree prints 37.2.
	if math.Abs(ev.Score-37.2) > 0.2 {
		t.Errorf("R = 10: %v, want the decree's 37.2", ev.Score)
	}
}
