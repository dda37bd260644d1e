package compute

import (
	"errors"
	"fmt"
	"math"
	"sync"
	"testing"
)

// Properties of the transformation functions f1–f16 (RULES.md §2), checked
// over dense grids of results, both readings, the Tab. 3/Tab. 4 default
// thresholds and a few other admissible thresholds.

// propFunc describes one function as RULES.md states it, independently of
// the pack: its domain, its admissible thresholds and an interval-by-interval
// transcription of the printed text (the reference).
type propFunc struct {
	id         string
	art        int       // articulation using the function
	domainMax  float64   // +Inf when the pack gives no maximum
	thrAbove   float64   // open threshold range (thrAbove, thrBelow); unused without S
	thrBelow   float64   //
	thresholds []float64 // default first; nil for f5, f7, f16
	top        float64   // where the coherent reading reaches 100 (0: no such check)
	// breakpoints returns the interval endpoints for threshold s.
	breakpoints func(s float64) []float64
	ref         []refInterval
}

// refInterval is one interval of the reference transcription.
type refInterval struct {
	holds    func(r, s float64) bool
	coherent func(r, s float64) float64
	literal  func(r, s float64) float64 // nil: same as coherent (no erratum)
}

func (iv refInterval) formula(rd Reading) func(r, s float64) float64 {
	if rd == ReadingLiteral && iv.literal != nil {
		return iv.literal
	}
	return iv.coherent
}

// evaluate returns the first reference interval that holds and its raw value.
func (pf *propFunc) evaluate(r, s float64, rd Reading) (int, float64) {
	for i, iv := range pf.ref {
		if iv.holds(r, s) {
			return i, iv.formula(rd)(r, s)
		}
	}
	return -1, math.NaN()
}

func (pf *propFunc) hasThreshold() bool { return pf.thresholds != nil }

func (pf *propFunc) inDomain(r float64) bool { return r >= 0 && r <= pf.domainMax }

func refConst(v float64) func(r, s float64) float64 {
	return func(float64, float64) float64 { return v }
}

// Shared shapes of RULES.md.
var (
	// f4, f10: 0≤R<S → 10+50·R/S; S≤R≤100 → 60+40·(R−S)^0.4/(100−S)^0.4
	refLinear10 = []refInterval{
		{holds: func(r, s float64) bool { return 0 <= r && r < s }, coherent: func(r, s float64) float64 { return 10 + 50*r/s }},
		{holds: func(r, s float64) bool { return s <= r && r <= 100 }, coherent: func(r, s float64) float64 { return 60 + 40*math.Pow(r-s, 0.4)/math.Pow(100-s, 0.4) }},
	}
	// f8, f9: R<S → 60·R^0.7/S^0.7; S≤R≤100 → 60+40·(R−S)^0.7/(100−S)^0.7
	refPow07 = []refInterval{
		{holds: func(r, s float64) bool { return r < s }, coherent: func(r, s float64) float64 { return 60 * math.Pow(r, 0.7) / math.Pow(s, 0.7) }},
		{holds: func(r, s float64) bool { return s <= r && r <= 100 }, coherent: func(r, s float64) float64 { return 60 + 40*math.Pow(r-s, 0.7)/math.Pow(100-s, 0.7) }},
	}
	// f12 and f14 below the threshold: 60·R^1.3/S^1.3
	refBelow13 = refInterval{holds: func(r, s float64) bool { return 0 <= r && r < s }, coherent: func(r, s float64) float64 { return 60 * math.Pow(r, 1.3) / math.Pow(s, 1.3) }}
)

func bpS(fixed ...float64) func(s float64) []float64 {
	return func(s float64) []float64 { return append([]float64{s}, fixed...) }
}

func bpFixed(fixed ...float64) func(float64) []float64 {
	return func(float64) []float64 { return fixed }
}

// propFuncs: thresholds are the Tab. 3 default (Tab. 4 extremes for f14,
// f15), then values spread over the admissible range.
var propFuncs = []*propFunc{
	{
		id: "f1", art: 1, domainMax: math.Inf(1), thrAbove: 20, thrBelow: 100, thresholds: []float64{51.6, 25, 60, 95}, top: 100,
		breakpoints: bpS(20, 100),
		ref: []refInterval{
			{holds: func(r, s float64) bool { return r < 20 }, coherent: refConst(0)},
			{holds: func(r, s float64) bool { return 20 <= r && r < s },
				coherent: func(r, s float64) float64 { return 10 + 50*math.Pow(r-20, 1.3)/math.Pow(s-20, 1.3) },
				literal:  func(r, s float64) float64 { return 10 + 50*math.Pow(r-20, 1.3)/math.Pow(20, 1.3) }},
			{holds: func(r, s float64) bool { return s <= r && r <= 100 }, coherent: func(r, s float64) float64 { return 60 + 40*math.Pow(r-s, 0.5)/math.Pow(100-s, 0.5) }},
			{holds: func(r, s float64) bool { return r > 100 }, coherent: refConst(100)},
		},
	},
	{
		id: "f2", art: 2, domainMax: 100, thrAbove: 0, thrBelow: 100, thresholds: []float64{80.1, 5, 50, 95}, top: 100,
		breakpoints: bpS(),
		ref: []refInterval{
			{holds: func(r, s float64) bool { return r < s }, coherent: func(r, s float64) float64 { return 60 * math.Pow(r, 1.5) / math.Pow(s, 1.5) }},
			{holds: func(r, s float64) bool { return r >= s },
				coherent: func(r, s float64) float64 { return 60 + 40*math.Pow(r-s, 0.8)/math.Pow(100-s, 0.8) },
				literal:  func(r, s float64) float64 { return 60 + 40*math.Pow(r-s, 0.8)/math.Pow(s, 0.8) }},
		},
	},
	{
		id: "f3", art: 3, domainMax: math.Inf(1), thrAbove: 0, thrBelow: 100, thresholds: []float64{25.6, 5, 50, 95}, top: 100,
		breakpoints: bpS(100),
		ref: []refInterval{
			{holds: func(r, s float64) bool { return 0 <= r && r < s },
				coherent: func(r, s float64) float64 { return 60 * math.Pow(r, 1.5) / math.Pow(s, 1.5) },
				literal:  func(r, s float64) float64 { return 60 * math.Pow(r, 1.5) / math.Pow(20, 1.5) }},
			{holds: func(r, s float64) bool { return s <= r && r <= 100 }, coherent: func(r, s float64) float64 { return 60 + 40*math.Pow(r-s, 0.8)/math.Pow(100-s, 0.8) }},
			{holds: func(r, s float64) bool { return r > 100 }, coherent: refConst(100)},
		},
	},
	{
		id: "f4", art: 4, domainMax: 100, thrAbove: 0, thrBelow: 100, thresholds: []float64{11, 5, 50, 95}, top: 100,
		breakpoints: bpS(), ref: refLinear10,
	},
	{
		id: "f5", art: 5, domainMax: 100,
		breakpoints: bpFixed(31.5, 35, 40, 45, 50),
		ref: []refInterval{
			{holds: func(r, s float64) bool { return r < 31.5 }, coherent: refConst(0)},
			{holds: func(r, s float64) bool { return 31.5 <= r && r < 35 }, coherent: func(r, s float64) float64 { return 50 + 10*math.Pow(r-31.5, 0.7)/math.Pow(3.5, 0.7) }},
			{holds: func(r, s float64) bool { return 35 <= r && r <= 40 }, coherent: func(r, s float64) float64 { return 60 + 40*math.Pow(r-35, 0.7)/math.Pow(5, 0.7) }},
			{holds: func(r, s float64) bool { return 40 <= r && r <= 45 }, coherent: refConst(100)},
			{holds: func(r, s float64) bool { return 45 < r && r <= 50 }, coherent: func(r, s float64) float64 { return 100 - 30*math.Pow(r-45, 0.7)/math.Pow(5, 0.7) }},
			{holds: func(r, s float64) bool { return r > 50 }, coherent: refConst(70)},
		},
	},
	{
		id: "f6", art: 6, domainMax: 100, thrAbove: 0, thrBelow: 100, thresholds: []float64{25.3, 5, 50, 95}, top: 100,
		breakpoints: bpS(),
		ref: []refInterval{
			{holds: func(r, s float64) bool { return r < s }, coherent: func(r, s float64) float64 { return 60 * math.Pow(r, 1.5) / math.Pow(s, 1.5) }},
			{holds: func(r, s float64) bool { return s <= r }, coherent: func(r, s float64) float64 { return 60 + 40*math.Pow(r-s, 0.8)/math.Pow(100-s, 0.8) }},
		},
	},
	{
		id: "f7", art: 7, domainMax: 100,
		breakpoints: bpFixed(50, 60, 100),
		ref: []refInterval{
			{holds: func(r, s float64) bool { return r < 50 }, coherent: refConst(0)},
			{holds: func(r, s float64) bool { return 50 <= r && r < 60 }, coherent: func(r, s float64) float64 { return 60 + 40*math.Pow(r-50, 0.7)/math.Pow(10, 0.7) }},
			{holds: func(r, s float64) bool { return 60 <= r && r <= 100 }, coherent: func(r, s float64) float64 { return 100 - 50*math.Pow(r-60, 1.2)/math.Pow(40, 1.2) }},
		},
	},
	{
		id: "f8", art: 8, domainMax: 100, thrAbove: 0, thrBelow: 100, thresholds: []float64{27.4, 5, 50, 95}, top: 100,
		breakpoints: bpS(100), ref: refPow07,
	},
	{
		id: "f9", art: 9, domainMax: 100, thrAbove: 0, thrBelow: 100, thresholds: []float64{33.7, 5, 50, 95}, top: 100,
		breakpoints: bpS(100), ref: refPow07,
	},
	{
		id: "f10", art: 10, domainMax: 100, thrAbove: 0, thrBelow: 100, thresholds: []float64{10, 5, 50, 95}, top: 100,
		breakpoints: bpS(), ref: refLinear10,
	},
	{
		id: "f11", art: 11, domainMax: 100, thrAbove: 0, thrBelow: 100, thresholds: []float64{4.7, 1, 50, 95}, top: 100,
		breakpoints: bpS(100),
		ref: []refInterval{
			{holds: func(r, s float64) bool { return 0 <= r && r < s }, coherent: func(r, s float64) float64 { return 60 * r / s }},
			{holds: func(r, s float64) bool { return s <= r && r <= 100 }, coherent: func(r, s float64) float64 { return 60 + 40*math.Pow(r-s, 0.4)/math.Pow(100-s, 0.4) }},
		},
	},
	{
		id: "f12", art: 12, domainMax: math.Inf(1), thrAbove: 0, thrBelow: 25, thresholds: []float64{19.4, 5, 12.5, 24}, top: 25,
		breakpoints: bpS(25),
		ref: []refInterval{
			refBelow13,
			{holds: func(r, s float64) bool { return s <= r && r <= 25 }, coherent: func(r, s float64) float64 { return 60 + 40*math.Pow(r-s, 0.6)/math.Pow(25-s, 0.6) }},
			{holds: func(r, s float64) bool { return r >= 25 }, coherent: refConst(100)},
		},
	},
	{
		id: "f13", art: 13, domainMax: 100, thrAbove: 0, thrBelow: 100, thresholds: []float64{77.1, 5, 50, 95}, top: 100,
		breakpoints: bpS(),
		ref: []refInterval{
			{holds: func(r, s float64) bool { return r < s }, coherent: func(r, s float64) float64 { return 60 * math.Pow(r, 1.4) / math.Pow(s, 1.4) }},
			{holds: func(r, s float64) bool { return r >= s },
				coherent: func(r, s float64) float64 { return 60 + 40*math.Pow(r-s, 0.8)/math.Pow(100-s, 0.8) },
				literal:  func(r, s float64) float64 { return 60 + 40*math.Pow(r-s, 0.8)/math.Pow(s, 0.8) }},
		},
	},
	{
		// Tab. 4 «occupati» extremes 13.0 (agro-alimentare) and 19.1 (meccanica).
		id: "f14", art: 14, domainMax: math.Inf(1), thrAbove: 0, thrBelow: 25, thresholds: []float64{13.0, 19.1, 5, 24}, top: 25,
		breakpoints: bpS(25),
		ref: []refInterval{
			refBelow13,
			// RULES.md: at R = 25 the printed intervals overlap; take 100.
			{holds: func(r, s float64) bool { return s <= r && r < 25 },
				coherent: func(r, s float64) float64 { return 60 + 40*math.Pow(r-s, 0.6)/math.Pow(25-s, 0.6) },
				literal:  func(r, s float64) float64 { return 60 + 40*math.Pow(r-s, 0.6)/math.Pow(100-s, 0.6) }},
			{holds: func(r, s float64) bool { return r >= 25 }, coherent: refConst(100)},
		},
	},
	{
		// Tab. 4 «tasso» extremes 63.9 (agro-alimentare) and 85.7 (meccanica).
		id: "f15", art: 15, domainMax: math.Inf(1), thrAbove: 30, thrBelow: 100, thresholds: []float64{63.9, 85.7, 35, 50, 95}, top: 100,
		breakpoints: bpS(30, 100),
		ref: []refInterval{
			{holds: func(r, s float64) bool { return r < 30 }, coherent: refConst(0)},
			{holds: func(r, s float64) bool { return 30 <= r && r < s }, coherent: func(r, s float64) float64 { return 60 * math.Pow(r-30, 1.6) / math.Pow(s-30, 1.6) }},
			{holds: func(r, s float64) bool { return s <= r && r <= 100 }, coherent: func(r, s float64) float64 { return 60 + 40*math.Pow(r-s, 0.9)/math.Pow(100-s, 0.9) }},
			// Not printed: needed by the I-2 alternative, where R may exceed 100.
			{holds: func(r, s float64) bool { return r > 100 }, coherent: refConst(100)},
		},
	},
	{
		id: "f16", art: 16, domainMax: 10, top: 10,
		breakpoints: bpFixed(0, 10),
		ref: []refInterval{
			{holds: func(r, s float64) bool { return 0 <= r && r <= 10 }, coherent: func(r, s float64) float64 { return 10 * r }},
		},
	},
}

// legalSteps are the jumps the law itself prints (minimums below which the
// score is 0); they are not errata and hold under both readings.
var legalSteps = []struct {
	fn          string
	at          float64
	below, from float64
}{
	{"f1", 20, 0, 10},   // fewer than 20 candidates → 0; 20 → 10
	{"f5", 31.5, 0, 50}, // stage below 31.5% → 0; 31.5% → 50
	{"f7", 50, 0, 60},   // below the legal 50% → 0; 50% → 60
}

func isLegalStep(fn string, b float64) bool {
	for _, st := range legalSteps {
		if st.fn == fn && st.at == b {
			return true
		}
	}
	return false
}

var propReadings = []Reading{ReadingCoherent, ReadingLiteral}

// propGrid returns the dense grid of results for a function: 0..100 step
// 0.01 (0..10 step 0.01 for f16), and for unbounded domains 100.1..1000
// step 0.1. Points are i/100 so that decimal thresholds are hit exactly.
func propGrid(pf *propFunc) []float64 {
	hi := 100.0
	if pf.domainMax < hi {
		hi = pf.domainMax
	}
	n := int(math.Round(hi * 100))
	g := make([]float64, 0, n+1+9000)
	for i := 0; i <= n; i++ {
		g = append(g, float64(i)/100)
	}
	if math.IsInf(pf.domainMax, 1) {
		for j := 1001; j <= 10000; j++ {
			g = append(g, float64(j)/10)
		}
	}
	return g
}

// propThresholds returns the thresholds to try: a nil entry for functions
// without S.
func propThresholds(pf *propFunc) []*float64 {
	if !pf.hasThreshold() {
		return []*float64{nil}
	}
	out := make([]*float64, len(pf.thresholds))
	for i, s := range pf.thresholds {
		out[i] = fptr(s)
	}
	return out
}

func sName(s *float64) string {
	if s == nil {
		return "noS"
	}
	return "S=" + fmtNum(*s)
}

func sVal(s *float64) float64 {
	if s == nil {
		return math.NaN()
	}
	return *s
}

// mustEval evaluates and fails the test on error.
func mustEval(t *testing.T, f *Function, r float64, s *float64, rd Reading, scale Scale) Evaluation {
	t.Helper()
	ev, err := evalUnder(t, f, r, s, rd)
	if err != nil {
		t.Fatalf("%s %s R=%v %s: unexpected error: %v", f.ID, sName(s), r, rd, err)
	}
	return ev
}

// TestFunctionsPropertyDomains checks the domains and threshold ranges the
// grids below rely on, and that the table covers every function of the pack.
func TestFunctionsPropertyDomains(t *testing.T) {
	p := testPack(t)
	if len(p.Functions) != len(propFuncs) {
		t.Errorf("pack has %d functions, the property table %d", len(p.Functions), len(propFuncs))
	}
	for _, pf := range propFuncs {
		t.Run(pf.id, func(t *testing.T) {
			f := testFunction(t, p, pf.id)
			if f.Domain.Min != 0 {
				t.Errorf("domain min = %v, want 0", f.Domain.Min)
			}
			switch {
			case math.IsInf(pf.domainMax, 1) && f.Domain.Max != nil:
				t.Errorf("domain max = %v, want none", *f.Domain.Max)
			case !math.IsInf(pf.domainMax, 1) && (f.Domain.Max == nil || *f.Domain.Max != pf.domainMax):
				t.Errorf("domain max = %v, want %v", f.Domain.Max, pf.domainMax)
			}
			if f.UsesThreshold() != pf.hasThreshold() {
				t.Fatalf("UsesThreshold = %v, want %v", f.UsesThreshold(), pf.hasThreshold())
			}
			if pf.hasThreshold() {
				if f.ThresholdRange == nil || f.ThresholdRange.Above != pf.thrAbove || f.ThresholdRange.Below != pf.thrBelow {
					t.Errorf("threshold range = %+v, want (%v, %v)", f.ThresholdRange, pf.thrAbove, pf.thrBelow)
				}
				for _, s := range pf.thresholds {
					if !(s > pf.thrAbove && s < pf.thrBelow) {
						t.Errorf("test threshold %v is not admissible", s)
					}
				}
			}
			if len(f.Intervals) != len(pf.ref) {
				t.Errorf("%d intervals, reference has %d", len(f.Intervals), len(pf.ref))
			}
			a, ok := p.Articulation(pf.art)
			if !ok || a.Function != pf.id {
				t.Errorf("articulation %d does not use %s", pf.art, pf.id)
			}
		})
	}
}

// TestFunctionsPropertyGrid: over the dense grid, for every threshold and
// both readings,
//   - no error, P finite and within [0,100];
//   - the interval used is the first one whose pack condition holds (so the
//     interval list covers the domain) and the first one of the RULES.md
//     transcription;
//   - P equals the RULES.md transcription, clamped to the scale;
//   - Unclamped is set only when the raw value left [0,100] (never, beyond
//     rounding, under the coherent reading);
//   - the two readings differ only on the intervals that carry an erratum.
func TestFunctionsPropertyGrid(t *testing.T) {
	p := testPack(t)
	for _, pf := range propFuncs {
		f := testFunction(t, p, pf.id)
		grid := propGrid(pf)
		for _, s := range propThresholds(pf) {
			t.Run(pf.id+"/"+sName(s), func(t *testing.T) {
				env := varsEnv{}
				if s != nil {
					env.set("S", *s)
				}
				failures := 0
				fail := func(format string, args ...any) {
					t.Helper()
					failures++
					if failures <= 10 {
						t.Errorf(format, args...)
					}
				}
				for _, r := range grid {
					env.set("R", r)
					first := -1
					for i, iv := range f.Intervals {
						ok, err := iv.cond.Holds(&env)
						if err != nil {
							t.Fatalf("R=%v: condition %q: %v", r, iv.When, err)
						}
						if ok {
							first = i
							break
						}
					}
					if first < 0 {
						fail("R=%v: no interval covers the result", r)
						continue
					}
					var scores [2]float64
					for k, rd := range propReadings {
						ev := mustEval(t, f, r, s, rd, p.Scale)
						if math.IsNaN(ev.Score) || math.IsInf(ev.Score, 0) || ev.Score < 0 || ev.Score > 100 {
							fail("%s R=%v: Score %v not finite in [0,100]", rd, r, ev.Score)
						}
						if ev.Interval != first || ev.Branch != f.Intervals[first].When {
							fail("%s R=%v: interval %d %q, first matching is %d %q", rd, r, ev.Interval, ev.Branch, first, f.Intervals[first].When)
						}
						refIdx, raw := pf.evaluate(r, sVal(s), rd)
						if refIdx != ev.Interval {
							fail("%s R=%v: interval %d %q, RULES.md transcription gives %d", rd, r, ev.Interval, ev.Branch, refIdx)
						}
						want := math.Min(math.Max(raw, 0), 100)
						if math.Abs(ev.Score-want) > 1e-9 {
							fail("%s R=%v: Score %.12g, RULES.md transcription gives %.12g", rd, r, ev.Score, want)
						}
						switch {
						case ev.Unclamped == nil && (raw < -1e-9 || raw > 100+1e-9):
							fail("%s R=%v: raw %.12g left the scale but Unclamped is nil", rd, r, raw)
						case ev.Unclamped != nil && *ev.Unclamped >= 0 && *ev.Unclamped <= 100:
							fail("%s R=%v: Unclamped %.12g set although within the scale", rd, r, *ev.Unclamped)
						case ev.Unclamped != nil && rd == ReadingCoherent && (*ev.Unclamped < -1e-9 || *ev.Unclamped > 100+1e-9):
							fail("coherent R=%v: raw value %.12g outside the scale", r, *ev.Unclamped)
						}
						scores[k] = ev.Score
					}
					if f.Intervals[first].Erratum == "" && scores[0] != scores[1] {
						fail("R=%v: interval %q has no erratum but readings differ: %v vs %v", r, f.Intervals[first].When, scores[0], scores[1])
					}
				}
				if failures > 10 {
					t.Errorf("... %d failures in all", failures)
				}
			})
		}
	}
}

// holderJump measures whether the function jumps at b on one side (dir = ±1).
// A power branch (R−b)^α with α < 1 is continuous but steep: at h = 1e-9 it
// can differ from P(b) by more than 1e-5 (f4 with S = 11: 40·(1e-9/89)^0.4 ≈
// 1.7e-3). So: the side is continuous when |P(b±1e-9) − P(b)| < 1e-5, or
// when shrinking h a thousandfold (1e-12) shrinks the difference at least
// five times and leaves it below 1e-3 (α ≥ 0.4 gives a factor ≥ 1/0.063);
// a jump of size J keeps the difference near J at every h.
func holderJump(t *testing.T, pf *propFunc, f *Function, s *float64, rd Reading, scale Scale, b, dir float64) (bool, float64) {
	t.Helper()
	if !pf.inDomain(b + dir*1e-9) {
		return false, 0
	}
	v0 := mustEval(t, f, b, s, rd, scale).Score
	d9 := math.Abs(mustEval(t, f, b+dir*1e-9, s, rd, scale).Score - v0)
	if d9 < 1e-5 {
		return false, d9
	}
	d12 := math.Abs(mustEval(t, f, b+dir*1e-12, s, rd, scale).Score - v0)
	if d12 < 1e-3 && d12 < d9/5 {
		return false, d9
	}
	return true, d12
}

// TestFunctionsPropertyContinuity: under the coherent reading every function
// is continuous at every breakpoint (fixed endpoints and S), except the legal
// steps, whose jumps are checked exactly.
func TestFunctionsPropertyContinuity(t *testing.T) {
	p := testPack(t)
	for _, pf := range propFuncs {
		f := testFunction(t, p, pf.id)
		for _, s := range propThresholds(pf) {
			for _, b := range pf.breakpoints(sVal(s)) {
				if isLegalStep(pf.id, b) {
					continue
				}
				t.Run(fmt.Sprintf("%s/%s/b=%s", pf.id, sName(s), fmtNum(b)), func(t *testing.T) {
					for _, dir := range []float64{-1, 1} {
						if jump, d := holderJump(t, pf, f, s, ReadingCoherent, p.Scale, b, dir); jump {
							t.Errorf("coherent reading jumps at R=%v (side %+v): |ΔP| = %.6g", b, dir, d)
						}
					}
				})
			}
		}
	}
	for _, st := range legalSteps {
		pf := propByID(t, st.fn)
		f := testFunction(t, p, st.fn)
		for _, rd := range propReadings {
			t.Run(fmt.Sprintf("%s/legal step at %v/%s", st.fn, st.at, rd), func(t *testing.T) {
				s := propThresholds(pf)[0]
				below := mustEval(t, f, st.at-1e-9, s, rd, p.Scale).Score
				at := mustEval(t, f, st.at, s, rd, p.Scale).Score
				if below != st.below || at != st.from {
					t.Errorf("P(%v−1e-9) = %v, P(%v) = %v; want %v then %v", st.at, below, st.at, at, st.below, st.from)
				}
			})
		}
	}
}

// TestFunctionsPropertyLiteralJumps: the errata that the coherent reading
// removes are real jumps of the literal reading (E-4 f1 at S, E-3 f3 at S,
// E-2 f14 at 25), at the default thresholds.
func TestFunctionsPropertyLiteralJumps(t *testing.T) {
	p := testPack(t)
	for _, c := range []struct {
		fn string
		at func(s float64) float64
	}{
		{"f1", func(s float64) float64 { return s }},
		{"f3", func(s float64) float64 { return s }},
		{"f14", func(float64) float64 { return 25 }},
	} {
		pf := propByID(t, c.fn)
		f := testFunction(t, p, c.fn)
		for _, s := range propThresholds(pf) {
			b := c.at(*s)
			t.Run(fmt.Sprintf("%s/%s/b=%s", c.fn, sName(s), fmtNum(b)), func(t *testing.T) {
				if jump, _ := holderJump(t, pf, f, s, ReadingLiteral, p.Scale, b, -1); !jump {
					t.Errorf("literal reading does not jump at R=%v", b)
				}
			})
		}
	}
}

func propByID(t *testing.T, id string) *propFunc {
	t.Helper()
	for _, pf := range propFuncs {
		if pf.id == id {
			return pf
		}
	}
	t.Fatalf("no property entry for %s", id)
	return nil
}

// TestFunctionsPropertyMonotonic: under the coherent reading, f1–f4, f6,
// f8–f16 never decrease over the domain; f5 rises up to 45 and falls after;
// f7 rises on [50,60] and falls on [60,100].
func TestFunctionsPropertyMonotonic(t *testing.T) {
	p := testPack(t)
	type segment struct {
		lo, hi float64
		dir    float64 // +1 non-decreasing, −1 non-increasing
	}
	shapes := map[string][]segment{
		"f5": {{0, 45, 1}, {45, 100, -1}},
		"f7": {{50, 60, 1}, {60, 100, -1}},
	}
	const eps = 1e-9
	for _, pf := range propFuncs {
		f := testFunction(t, p, pf.id)
		segs, ok := shapes[pf.id]
		if !ok {
			segs = []segment{{0, math.Inf(1), 1}}
		}
		grid := propGrid(pf)
		for _, s := range propThresholds(pf) {
			t.Run(pf.id+"/"+sName(s), func(t *testing.T) {
				for _, sg := range segs {
					prev, prevR := math.NaN(), math.NaN()
					for _, r := range grid {
						if r < sg.lo || r > sg.hi {
							continue
						}
						v := mustEval(t, f, r, s, ReadingCoherent, p.Scale).Score
						if !math.IsNaN(prev) && sg.dir*(v-prev) < -eps {
							t.Fatalf("not monotonic (dir %+v) on [%v,%v]: P(%v) = %.9g, P(%v) = %.9g", sg.dir, sg.lo, sg.hi, prevR, prev, r, v)
						}
						prev, prevR = v, r
					}
				}
			})
		}
	}
}

// TestFunctionsPropertyAnchors: every thresholded function gives exactly 60
// at R = S (both readings: the erratum formulas too are 60 there), and under
// the coherent reading 100 at the top of its range (100; 25 for f12, f14; 10
// for f16). For f5 and f7 the law's own anchors: 60 at 35 and 100 on [40,45];
// 100 at 60 and 50 at 100.
func TestFunctionsPropertyAnchors(t *testing.T) {
	p := testPack(t)
	for _, pf := range propFuncs {
		f := testFunction(t, p, pf.id)
		for _, s := range propThresholds(pf) {
			t.Run(pf.id+"/"+sName(s), func(t *testing.T) {
				if s != nil {
					for _, rd := range propReadings {
						ev := mustEval(t, f, *s, s, rd, p.Scale)
						if ev.Score != 60 {
							t.Errorf("%s: P(S) = %.17g, want exactly 60", rd, ev.Score)
						}
						// R = S falls in the interval that starts at S.
						if idx, _ := pf.evaluate(*s, *s, rd); ev.Interval != idx {
							t.Errorf("%s: at R = S interval %d %q, want %d", rd, ev.Interval, ev.Branch, idx)
						}
					}
				}
				if pf.top > 0 {
					ev := mustEval(t, f, pf.top, s, ReadingCoherent, p.Scale)
					if math.Abs(ev.Score-100) > 1e-9 {
						t.Errorf("coherent: P(%v) = %.17g, want 100", pf.top, ev.Score)
					}
				}
			})
		}
	}
	anchors := []struct {
		fn   string
		r    float64
		want float64
	}{
		{"f5", 35, 60}, {"f5", 40, 100}, {"f5", 42.5, 100}, {"f5", 45, 100}, {"f5", 50, 70},
		{"f7", 50, 60}, {"f7", 60, 100}, {"f7", 100, 50},
	}
	for _, a := range anchors {
		f := testFunction(t, p, a.fn)
		for _, rd := range propReadings {
			t.Run(fmt.Sprintf("%s/%s/R=%v", a.fn, rd, a.r), func(t *testing.T) {
				if got := mustEval(t, f, a.r, nil, rd, p.Scale).Score; math.Abs(got-a.want) > 1e-9 {
					t.Errorf("P(%v) = %.17g, want %v", a.r, got, a.want)
				}
			})
		}
	}
}

// TestFunctionsPropertyDefaultThreshold: p.Eval with s = nil is f.Eval with
// the Tab. 3 default, for every articulation with a pack-wide threshold.
func TestFunctionsPropertyDefaultThreshold(t *testing.T) {
	p := testPack(t)
	for _, pf := range propFuncs {
		if pf.art == 14 || pf.art == 15 {
			continue // per-area thresholds: no pack default
		}
		f := testFunction(t, p, pf.id)
		s := propThresholds(pf)[0]
		t.Run(fmt.Sprintf("art%d/%s", pf.art, sName(s)), func(t *testing.T) {
			for _, r := range []float64{0, 5, 12.3, 25, 33.3, 50, 66.6, 75, 99.9, 100} {
				if !pf.inDomain(r) {
					continue
				}
				for _, rd := range propReadings {
					got, err := p.Eval(pf.art, r, nil, errataOf(p, rd))
					if err != nil {
						t.Fatalf("p.Eval(%d, %v): %v", pf.art, r, err)
					}
					want := mustEval(t, f, r, s, rd, p.Scale)
					if got.Score != want.Score || got.Interval != want.Interval {
						t.Errorf("%s R=%v: p.Eval gives %v (interval %d), f.Eval with default gives %v (interval %d)",
							rd, r, got.Score, got.Interval, want.Score, want.Interval)
					}
				}
			}
		})
	}
}

var (
	fuzzPackOnce sync.Once
	fuzzPack     *Pack
	fuzzPackErr  error
)

func loadFuzzPack(f *testing.F) *Pack {
	f.Helper()
	fuzzPackOnce.Do(func() {
		reg, err := LoadEmbedded()
		if err != nil {
			fuzzPackErr = err
			return
		}
		p, ok := reg.Get(testPackID)
		if !ok {
			fuzzPackErr = errors.New("pack not embedded")
			return
		}
		fuzzPack = p
	})
	if fuzzPackErr != nil {
		f.Fatal(fuzzPackErr)
	}
	return fuzzPack
}

// FuzzFunctionEval drives p.Eval with arbitrary inputs: it never panics; a
// score is always finite and within [0,100]; a non-finite or negative result,
// an unknown articulation, or a threshold given to an articulation without
// one is always an error.
func FuzzFunctionEval(f *testing.F) {
	p := loadFuzzPack(f)
	f.Add(uint8(1), 51.5, 51.6, true, true)
	f.Add(uint8(1), 20.0, 0.0, false, false)
	f.Add(uint8(2), 100.0, 80.1, true, true)
	f.Add(uint8(2), 100.0, 1e-300, true, true)
	f.Add(uint8(3), 99.0, 99.99, true, true)
	f.Add(uint8(5), 31.5, 0.0, false, false)
	f.Add(uint8(5), 40.0, 35.0, true, false)
	f.Add(uint8(7), 50.0, 0.0, false, true)
	f.Add(uint8(12), 1e308, 19.4, true, false)
	f.Add(uint8(13), 100.0, 77.1, true, true)
	f.Add(uint8(14), 24.999, 15.0, true, true)
	f.Add(uint8(14), 10.0, 0.0, false, false)
	f.Add(uint8(15), 30.0, 30.0000001, true, false)
	f.Add(uint8(16), 10.5, 0.0, false, false)
	f.Add(uint8(0), 1.0, 1.0, false, false)
	f.Add(uint8(17), 1.0, 1.0, true, true)
	f.Add(uint8(4), math.NaN(), 11.0, true, false)
	f.Add(uint8(6), math.Inf(1), 25.3, true, false)
	f.Add(uint8(8), math.Inf(-1), 0.0, false, false)
	f.Add(uint8(9), -1.0, 33.7, true, false)
	f.Add(uint8(10), math.Copysign(0, -1), 10.0, true, true)
	f.Add(uint8(11), 5e-324, math.Float64frombits(1), true, true)
	f.Add(uint8(12), 24.0, math.NaN(), true, true)

	noThreshold := map[uint8]bool{5: true, 7: true, 16: true}
	f.Fuzz(func(t *testing.T, art uint8, r, s float64, useS, literal bool) {
		rd := ReadingCoherent
		if literal {
			rd = ReadingLiteral
		}
		var sp *float64
		if useS {
			sp = &s
		}
		ev, err := p.Eval(int(art), r, sp, errataOf(p, rd))
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Errorf("error %v is %T, want *Error", err, err)
			}
		}
		mustFail := math.IsNaN(r) || math.IsInf(r, 0) || r < 0 || art < 1 || art > 16 || (useS && noThreshold[art])
		if mustFail && err == nil {
			t.Fatalf("p.Eval(%d, %v, %v, %s) = %v, want an error", art, r, sp, rd, ev.Score)
		}
		if err == nil {
			if math.IsNaN(ev.Score) || math.IsInf(ev.Score, 0) || ev.Score < 0 || ev.Score > 100 {
				t.Fatalf("p.Eval(%d, %v, %v, %s): Score %v not finite in [0,100]", art, r, sp, rd, ev.Score)
			}
			if ev.Branch == "" || ev.Interval < 0 {
				t.Fatalf("p.Eval(%d, %v, %v, %s): no branch (%q, %d)", art, r, sp, rd, ev.Branch, ev.Interval)
			}
		}
	})
}
