package compute

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"testing"
)

// Hand-calculated checks of the transformation functions f1–f16 of
// DM 30/11/2023 (shared/spec/RULES.md §2 and errata E-1…E-4).
//
// Every expected number below was worked out from the formula printed in
// RULES.md, never by running the engine; the arithmetic is in the comment of
// each case. Powers were evaluated with a calculator and are quoted to at
// least six significant digits, so each expected score is exact to better
// than 1e-5; the comparison tolerance is handTol = 1e-4.
//
// Powers of 1/2 used throughout (x = 0.5):
//
//	0.5^0.4 = 0.757858   0.5^0.5 = 0.707107   0.5^0.6 = 0.659754
//	0.5^0.7 = 0.615572   0.5^0.8 = 0.574349   0.5^0.9 = 0.535887
//	0.5^1.2 = 0.435275   0.5^1.3 = 0.406126   0.5^1.4 = 0.378929
//	0.5^1.5 = 0.353553   0.5^1.6 = 0.329877

const handTol = 1e-4

const (
	coh = ReadingCoherent
	lit = ReadingLiteral
	// both marks a case whose interval carries no erratum: the printed
	// formula applies under either reading and the case runs under both.
	both Reading = ""
)

const testPackID = "dm-2023-11-30-eqf5"

// handWhen is the `when` text of every interval, as written in the pack, in
// the pack's order (RULES.md §2, with the pack's documented notes: f5's last
// interval printed «50 < R ≤ 100», f11's first printed «0 < R < S», f14's
// middle one printed «S ≤ R ≤ 25», f15's last one unprinted).
var handWhen = map[string][]string{
	"f1":  {"R < 20", "20 ≤ R < S", "S ≤ R ≤ 100", "R > 100"},
	"f2":  {"R < S", "R ≥ S"},
	"f3":  {"0 ≤ R < S", "S ≤ R ≤ 100", "R > 100"},
	"f4":  {"0 ≤ R < S", "S ≤ R ≤ 100"},
	"f5":  {"R < 31.5", "31.5 ≤ R < 35", "35 ≤ R ≤ 40", "40 ≤ R ≤ 45", "45 < R ≤ 50", "R > 50"},
	"f6":  {"R < S", "S ≤ R"},
	"f7":  {"R < 50", "50 ≤ R < 60", "60 ≤ R ≤ 100"},
	"f8":  {"R < S", "S ≤ R ≤ 100"},
	"f9":  {"R < S", "S ≤ R ≤ 100"},
	"f10": {"0 ≤ R < S", "S ≤ R ≤ 100"},
	"f11": {"0 ≤ R < S", "S ≤ R ≤ 100"},
	"f12": {"0 ≤ R < S", "S ≤ R ≤ 25", "R ≥ 25"},
	"f13": {"R < S", "R ≥ S"},
	"f14": {"0 ≤ R < S", "S ≤ R < 25", "R ≥ 25"},
	"f15": {"R < 30", "30 ≤ R < S", "S ≤ R ≤ 100", "R > 100"},
	"f16": {"0 ≤ R ≤ 10"},
}

// thresholdless are the functions whose thresholds are fixed by law inside
// the formulas (f5, f7) or that have none (f16).
var thresholdless = map[string]bool{"f5": true, "f7": true, "f16": true}

type handCase struct {
	name     string // for the tables that name their cases
	art      int    // for the tables that evaluate through the pack's articulation
	fn       string
	s        float64 // threshold S; ignored for f5, f7, f16
	r        float64
	reading  Reading // coh, lit, or both
	want     float64 // expected ev.Score
	interval int     // expected ev.Interval (0-based)
	erratum  string  // erratum carried by the interval; ev.Erratum must equal it under the coherent reading only
	raw      float64 // when clamped: the expected ev.Unclamped
	clamped  bool
}

var handCases = []handCase{
	// ---- f1 (S = 60): R<20 → 0; 20≤R<S → 10+50·(R−20)^1.3/(S−20)^1.3 [E-4, literal /20^1.3]; S≤R≤100 → 60+40·((R−S)/(100−S))^0.5; R>100 → 100
	{fn: "f1", s: 60, r: 0, reading: both, want: 0, interval: 0},                        // R < 20 → 0
	{fn: "f1", s: 60, r: 19.99, reading: both, want: 0, interval: 0},                    // R < 20 → 0
	{fn: "f1", s: 60, r: 20, reading: both, want: 10, interval: 1, erratum: "E-4"},      // 10 + 50·0^1.3 = 10 (either denominator)
	{fn: "f1", s: 60, r: 40, reading: coh, want: 30.30631, interval: 1, erratum: "E-4"}, // 10 + 50·(20/40)^1.3 = 10 + 50·0.406126 = 30.30631
	{fn: "f1", s: 60, r: 40, reading: lit, want: 60, interval: 1, erratum: "E-4"},       // 10 + 50·(20/20)^1.3 = 60
	{fn: "f1", s: 60, r: 30, reading: lit, want: 30.30631, interval: 1, erratum: "E-4"}, // 10 + 50·(10/20)^1.3 = 10 + 50·0.406126 = 30.30631
	{fn: "f1", s: 60, r: 59, reading: lit, want: 100, interval: 1, erratum: "E-4", clamped: true, raw: 129.12832},
	// ↑ 10 + 50·(39/20)^1.3 = 10 + 50·1.95^1.3 = 10 + 50·2.382566 = 129.12832 → clamped to 100
	{fn: "f1", s: 60, r: 60, reading: both, want: 60, interval: 2},          // R = S: 60 + 40·0^0.5 = 60
	{fn: "f1", s: 60, r: 70, reading: both, want: 80, interval: 2},          // 60 + 40·(10/40)^0.5 = 60 + 40·0.5 = 80
	{fn: "f1", s: 60, r: 100, reading: both, want: 100, interval: 2},        // 60 + 40·(40/40)^0.5 = 100
	{fn: "f1", s: 60, r: 100.000001, reading: both, want: 100, interval: 3}, // R > 100 → 100
	{fn: "f1", s: 60, r: 150, reading: both, want: 100, interval: 3},        // R > 100 → 100

	// ---- f2 (S = 60): R<S → 60·(R/S)^1.5; R≥S → 60+40·(R−S)^0.8/D^0.8, D = 100−S coherent, D = S literal [E-1]
	{fn: "f2", s: 60, r: 0, reading: both, want: 0, interval: 0},                         // 60·0 = 0
	{fn: "f2", s: 60, r: 15, reading: both, want: 7.5, interval: 0},                      // 60·(15/60)^1.5 = 60·0.125 = 7.5
	{fn: "f2", s: 60, r: 30, reading: both, want: 21.21320, interval: 0},                 // 60·(30/60)^1.5 = 60·0.353553 = 21.21320
	{fn: "f2", s: 60, r: 60, reading: both, want: 60, interval: 1, erratum: "E-1"},       // R = S: 60 + 40·0 = 60 (either D)
	{fn: "f2", s: 60, r: 80, reading: coh, want: 82.97397, interval: 1, erratum: "E-1"},  // 60 + 40·(20/40)^0.8 = 60 + 40·0.574349 = 82.97397
	{fn: "f2", s: 60, r: 80, reading: lit, want: 76.60975, interval: 1, erratum: "E-1"},  // 60 + 40·(20/60)^0.8 = 60 + 40·0.415244 = 76.60975
	{fn: "f2", s: 60, r: 100, reading: coh, want: 100, interval: 1, erratum: "E-1"},      // 60 + 40·(40/40)^0.8 = 100
	{fn: "f2", s: 60, r: 100, reading: lit, want: 88.91925, interval: 1, erratum: "E-1"}, // 60 + 40·(40/60)^0.8 = 60 + 40·0.722981 = 88.91925

	// ---- f3 (S = 36): 0≤R<S → 60·R^1.5/S^1.5 [E-3, literal /20^1.5]; S≤R≤100 → 60+40·((R−S)/(100−S))^0.8; R>100 → 100
	{fn: "f3", s: 36, r: 0, reading: both, want: 0, interval: 0, erratum: "E-3"},       // 60·0 = 0 (either denominator)
	{fn: "f3", s: 36, r: 9, reading: coh, want: 7.5, interval: 0, erratum: "E-3"},      // 60·(9/36)^1.5 = 60·0.125 = 7.5
	{fn: "f3", s: 36, r: 9, reading: lit, want: 18.11215, interval: 0, erratum: "E-3"}, // 60·(9/20)^1.5 = 60·0.45^1.5 = 60·0.301869 = 18.11215
	{fn: "f3", s: 36, r: 20, reading: lit, want: 60, interval: 0, erratum: "E-3"},      // 60·(20/20)^1.5 = 60 (below S already)
	{fn: "f3", s: 36, r: 36, reading: both, want: 60, interval: 1},                     // R = S: 60 + 0 = 60
	{fn: "f3", s: 36, r: 68, reading: both, want: 82.97397, interval: 1},               // 60 + 40·(32/64)^0.8 = 60 + 40·0.574349 = 82.97397
	{fn: "f3", s: 36, r: 100, reading: both, want: 100, interval: 1},                   // 60 + 40·(64/64)^0.8 = 100
	{fn: "f3", s: 36, r: 101, reading: both, want: 100, interval: 2},                   // R > 100 → 100

	// ---- f4 (S = 20): 0≤R<S → 10+50·R/S; S≤R≤100 → 60+40·((R−S)/(100−S))^0.4
	{fn: "f4", s: 20, r: 0, reading: both, want: 10, interval: 0},        // 10 + 0 = 10
	{fn: "f4", s: 20, r: 10, reading: both, want: 35, interval: 0},       // R = S/2: 10 + 50·0.5 = 35
	{fn: "f4", s: 20, r: 20, reading: both, want: 60, interval: 1},       // R = S: 60
	{fn: "f4", s: 20, r: 60, reading: both, want: 90.31433, interval: 1}, // 60 + 40·(40/80)^0.4 = 60 + 40·0.757858 = 90.31433
	{fn: "f4", s: 20, r: 100, reading: both, want: 100, interval: 1},     // 60 + 40·1 = 100

	// ---- f5 (no S): R<31.5 → 0; 31.5≤R<35 → 50+10·((R−31.5)/3.5)^0.7; 35≤R≤40 → 60+40·((R−35)/5)^0.7;
	//      40≤R≤45 → 100; 45<R≤50 → 100−30·((R−45)/5)^0.7; R>50 → 70
	{fn: "f5", r: 0, reading: both, want: 0, interval: 0},            // R < 31.5 → 0
	{fn: "f5", r: 31.49, reading: both, want: 0, interval: 0},        // R < 31.5 → 0
	{fn: "f5", r: 31.5, reading: both, want: 50, interval: 1},        // 50 + 10·0 = 50 (legal step 0 → 50)
	{fn: "f5", r: 33.25, reading: both, want: 56.15572, interval: 1}, // 50 + 10·(1.75/3.5)^0.7 = 50 + 10·0.615572 = 56.15572
	{fn: "f5", r: 35, reading: both, want: 60, interval: 2},          // 60 + 40·0 = 60
	{fn: "f5", r: 37.5, reading: both, want: 84.62289, interval: 2},  // 60 + 40·(2.5/5)^0.7 = 60 + 40·0.615572 = 84.62289
	{fn: "f5", r: 40, reading: both, want: 100, interval: 2},         // first match «35 ≤ R ≤ 40»: 60 + 40·(5/5)^0.7 = 100
	{fn: "f5", r: 42, reading: both, want: 100, interval: 3},         // 40 ≤ R ≤ 45 → 100
	{fn: "f5", r: 45, reading: both, want: 100, interval: 3},         // 40 ≤ R ≤ 45 → 100
	{fn: "f5", r: 47.5, reading: both, want: 81.53283, interval: 4},  // 100 − 30·(2.5/5)^0.7 = 100 − 30·0.615572 = 81.53283
	{fn: "f5", r: 50, reading: both, want: 70, interval: 4},          // 100 − 30·(5/5)^0.7 = 70
	{fn: "f5", r: 75, reading: both, want: 70, interval: 5},          // R > 50 → 70
	{fn: "f5", r: 100, reading: both, want: 70, interval: 5},         // R > 50 → 70

	// ---- f6 (S = 60): R<S → 60·(R/S)^1.5; S≤R → 60+40·((R−S)/(100−S))^0.8
	{fn: "f6", s: 60, r: 0, reading: both, want: 0, interval: 0},         // 0
	{fn: "f6", s: 60, r: 15, reading: both, want: 7.5, interval: 0},      // 60·(1/4)^1.5 = 60·0.125 = 7.5
	{fn: "f6", s: 60, r: 60, reading: both, want: 60, interval: 1},       // R = S: 60
	{fn: "f6", s: 60, r: 80, reading: both, want: 82.97397, interval: 1}, // 60 + 40·(20/40)^0.8 = 60 + 40·0.574349 = 82.97397
	{fn: "f6", s: 60, r: 100, reading: both, want: 100, interval: 1},     // 60 + 40·1 = 100

	// ---- f7 (no S): R<50 → 0; 50≤R<60 → 60+40·((R−50)/10)^0.7; 60≤R≤100 → 100−50·((R−60)/40)^1.2
	{fn: "f7", r: 0, reading: both, want: 0, interval: 0},         // R < 50 → 0
	{fn: "f7", r: 49.99, reading: both, want: 0, interval: 0},     // R < 50 → 0
	{fn: "f7", r: 50, reading: both, want: 60, interval: 1},       // 60 + 0 = 60 (legal step 0 → 60)
	{fn: "f7", r: 55, reading: both, want: 84.62289, interval: 1}, // 60 + 40·(5/10)^0.7 = 60 + 40·0.615572 = 84.62289
	{fn: "f7", r: 60, reading: both, want: 100, interval: 2},      // 100 − 50·0 = 100
	{fn: "f7", r: 80, reading: both, want: 78.23624, interval: 2}, // 100 − 50·(20/40)^1.2 = 100 − 50·0.435275 = 78.23624
	{fn: "f7", r: 100, reading: both, want: 50, interval: 2},      // 100 − 50·(40/40)^1.2 = 50

	// ---- f8 (S = 40): R<S → 60·(R/S)^0.7; S≤R≤100 → 60+40·((R−S)/(100−S))^0.7
	{fn: "f8", s: 40, r: 0, reading: both, want: 0, interval: 0},         // 0
	{fn: "f8", s: 40, r: 20, reading: both, want: 36.93433, interval: 0}, // 60·0.5^0.7 = 60·0.615572 = 36.93433
	{fn: "f8", s: 40, r: 40, reading: both, want: 60, interval: 1},       // R = S: 60
	{fn: "f8", s: 40, r: 70, reading: both, want: 84.62289, interval: 1}, // 60 + 40·(30/60)^0.7 = 60 + 40·0.615572 = 84.62289
	{fn: "f8", s: 40, r: 100, reading: both, want: 100, interval: 1},     // 60 + 40·1 = 100

	// ---- f9 (S = 20): same shape as f8
	{fn: "f9", s: 20, r: 0, reading: both, want: 0, interval: 0},         // 0
	{fn: "f9", s: 20, r: 10, reading: both, want: 36.93433, interval: 0}, // 60·(10/20)^0.7 = 60·0.615572 = 36.93433
	{fn: "f9", s: 20, r: 20, reading: both, want: 60, interval: 1},       // R = S: 60
	{fn: "f9", s: 20, r: 60, reading: both, want: 84.62289, interval: 1}, // 60 + 40·(40/80)^0.7 = 60 + 40·0.615572 = 84.62289
	{fn: "f9", s: 20, r: 100, reading: both, want: 100, interval: 1},     // 60 + 40·1 = 100

	// ---- f10 (S = 50): same shape as f4
	{fn: "f10", s: 50, r: 0, reading: both, want: 10, interval: 0},        // 10 + 0 = 10
	{fn: "f10", s: 50, r: 25, reading: both, want: 35, interval: 0},       // R = S/2: 10 + 50·0.5 = 35
	{fn: "f10", s: 50, r: 50, reading: both, want: 60, interval: 1},       // R = S: 60
	{fn: "f10", s: 50, r: 75, reading: both, want: 90.31433, interval: 1}, // 60 + 40·(25/50)^0.4 = 60 + 40·0.757858 = 90.31433
	{fn: "f10", s: 50, r: 100, reading: both, want: 100, interval: 1},     // 60 + 40·1 = 100

	// ---- f11 (S = 10): 0≤R<S → 60·R/S; S≤R≤100 → 60+40·((R−S)/(100−S))^0.4
	{fn: "f11", s: 10, r: 0, reading: both, want: 0, interval: 0},         // 0
	{fn: "f11", s: 10, r: 5, reading: both, want: 30, interval: 0},        // 60·5/10 = 30
	{fn: "f11", s: 10, r: 10, reading: both, want: 60, interval: 1},       // R = S: 60
	{fn: "f11", s: 10, r: 55, reading: both, want: 90.31433, interval: 1}, // 60 + 40·(45/90)^0.4 = 60 + 40·0.757858 = 90.31433
	{fn: "f11", s: 10, r: 100, reading: both, want: 100, interval: 1},     // 60 + 40·1 = 100

	// ---- f12 (S = 15): 0≤R<S → 60·(R/S)^1.3; S≤R≤25 → 60+40·((R−S)/(25−S))^0.6; R≥25 → 100
	{fn: "f12", s: 15, r: 0, reading: both, want: 0, interval: 0},          // 0
	{fn: "f12", s: 15, r: 7.5, reading: both, want: 24.36757, interval: 0}, // 60·0.5^1.3 = 60·0.406126 = 24.36757
	{fn: "f12", s: 15, r: 15, reading: both, want: 60, interval: 1},        // R = S: 60
	{fn: "f12", s: 15, r: 20, reading: both, want: 86.39016, interval: 1},  // 60 + 40·(5/10)^0.6 = 60 + 40·0.659754 = 86.39016
	{fn: "f12", s: 15, r: 25, reading: both, want: 100, interval: 1},       // first match «S ≤ R ≤ 25»: 60 + 40·(10/10)^0.6 = 100
	{fn: "f12", s: 15, r: 30, reading: both, want: 100, interval: 2},       // R ≥ 25 → 100
	{fn: "f12", s: 15, r: 1000, reading: both, want: 100, interval: 2},     // R ≥ 25 → 100

	// ---- f13 (S = 60): R<S → 60·(R/S)^1.4; R≥S → 60+40·(R−S)^0.8/D^0.8, D = 100−S coherent, D = S literal [E-1]
	{fn: "f13", s: 60, r: 0, reading: both, want: 0, interval: 0},                         // 0
	{fn: "f13", s: 60, r: 30, reading: both, want: 22.73575, interval: 0},                 // 60·0.5^1.4 = 60·0.378929 = 22.73575
	{fn: "f13", s: 60, r: 60, reading: both, want: 60, interval: 1, erratum: "E-1"},       // R = S: 60 (either D)
	{fn: "f13", s: 60, r: 80, reading: coh, want: 82.97397, interval: 1, erratum: "E-1"},  // 60 + 40·(20/40)^0.8 = 60 + 40·0.574349 = 82.97397
	{fn: "f13", s: 60, r: 80, reading: lit, want: 76.60975, interval: 1, erratum: "E-1"},  // 60 + 40·(20/60)^0.8 = 60 + 40·0.415244 = 76.60975
	{fn: "f13", s: 60, r: 100, reading: coh, want: 100, interval: 1, erratum: "E-1"},      // 60 + 40·(40/40)^0.8 = 100
	{fn: "f13", s: 60, r: 100, reading: lit, want: 88.91925, interval: 1, erratum: "E-1"}, // 60 + 40·(40/60)^0.8 = 60 + 40·0.722981 = 88.91925

	// ---- f14 (S = 15): 0≤R<S → 60·(R/S)^1.3; S≤R<25 → 60+40·(R−S)^0.6/(25−S)^0.6 [E-2, literal /(100−S)^0.6]; R≥25 → 100
	{fn: "f14", s: 15, r: 0, reading: both, want: 0, interval: 0},                            // 0
	{fn: "f14", s: 15, r: 7.5, reading: both, want: 24.36757, interval: 0},                   // 60·0.5^1.3 = 60·0.406126 = 24.36757
	{fn: "f14", s: 15, r: 15, reading: both, want: 60, interval: 1, erratum: "E-2"},          // R = S: 60 (either denominator)
	{fn: "f14", s: 15, r: 20, reading: coh, want: 86.39016, interval: 1, erratum: "E-2"},     // 60 + 40·(5/10)^0.6 = 60 + 40·0.659754 = 86.39016
	{fn: "f14", s: 15, r: 20, reading: lit, want: 67.30787, interval: 1, erratum: "E-2"},     // 60 + 40·(5/85)^0.6 = 60 + 40·0.182697 = 67.30787
	{fn: "f14", s: 15, r: 24.999, reading: lit, want: 71.07599, interval: 1, erratum: "E-2"}, // 60 + 40·(9.999/85)^0.6 = 60 + 40·0.276900 = 71.07599
	{fn: "f14", s: 15, r: 25, reading: both, want: 100, interval: 2},                         // R ≥ 25 → 100 (RULES.md: at 25 take 100)
	{fn: "f14", s: 15, r: 40, reading: both, want: 100, interval: 2},                         // R ≥ 25 → 100

	// ---- f15 (S = 70): R<30 → 0; 30≤R<S → 60·((R−30)/(S−30))^1.6; S≤R≤100 → 60+40·((R−S)/(100−S))^0.9; R>100 → 100
	{fn: "f15", s: 70, r: 0, reading: both, want: 0, interval: 0},         // R < 30 → 0
	{fn: "f15", s: 70, r: 29.99, reading: both, want: 0, interval: 0},     // R < 30 → 0
	{fn: "f15", s: 70, r: 30, reading: both, want: 0, interval: 1},        // 60·0^1.6 = 0
	{fn: "f15", s: 70, r: 50, reading: both, want: 19.79262, interval: 1}, // 60·(20/40)^1.6 = 60·0.329877 = 19.79262
	{fn: "f15", s: 70, r: 70, reading: both, want: 60, interval: 2},       // R = S: 60
	{fn: "f15", s: 70, r: 85, reading: both, want: 81.43547, interval: 2}, // 60 + 40·(15/30)^0.9 = 60 + 40·0.535887 = 81.43547
	{fn: "f15", s: 70, r: 100, reading: both, want: 100, interval: 2},     // 60 + 40·1 = 100
	{fn: "f15", s: 70, r: 120, reading: both, want: 100, interval: 3},     // R > 100 → 100

	// ---- f16 (no S): 0≤R≤10 → 10·R
	{fn: "f16", r: 0, reading: both, want: 0, interval: 0},    // 10·0 = 0
	{fn: "f16", r: 6, reading: both, want: 60, interval: 0},   // 10·6 = 60 (Tab. 3's «60» sufficiency)
	{fn: "f16", r: 7.3, reading: both, want: 73, interval: 0}, // 10·7.3 = 73
	{fn: "f16", r: 10, reading: both, want: 100, interval: 0}, // 10·10 = 100
}

// testPack loads the embedded DM 30/11/2023 pack.
func testPack(tb testing.TB) *Pack {
	tb.Helper()
	reg, err := LoadEmbedded()
	if err != nil {
		tb.Fatalf("LoadEmbedded: %v", err)
	}
	p, ok := reg.Get(testPackID)
	if !ok {
		tb.Fatalf("pack %s not embedded", testPackID)
	}
	return p
}

// testFunction returns function id of the pack.
func testFunction(tb testing.TB, p *Pack, id string) *Function {
	tb.Helper()
	f, ok := p.Function(id)
	if !ok {
		tb.Fatalf("function %s not in pack", id)
	}
	return f
}

func fptr(v float64) *float64 { return &v }

func fmtNum(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// readingsOf expands the `both` marker.
func readingsOf(r Reading) []Reading {
	if r == both {
		return []Reading{coh, lit}
	}
	return []Reading{r}
}

// checkEval compares an evaluation with the hand-computed expectation.
func checkEval(t *testing.T, ev Evaluation, fn string, reading Reading, want float64, interval int, erratum string) {
	t.Helper()
	if math.Abs(ev.Score-want) > handTol {
		t.Errorf("Score = %.6f, want %.6f (±%g)", ev.Score, want, handTol)
	}
	if ev.Interval != interval {
		t.Errorf("Interval = %d (%q), want %d (%q)", ev.Interval, ev.Branch, interval, handWhen[fn][interval])
	}
	if ev.Branch != handWhen[fn][interval] {
		t.Errorf("Branch = %q, want %q", ev.Branch, handWhen[fn][interval])
	}
	if ev.Erratum != erratum {
		t.Errorf("Erratum = %q, want %q", ev.Erratum, erratum)
	}
	var wantForm ErratumForm
	switch {
	case erratum != "" && reading == coh:
		wantForm = FormCoherent
	case erratum != "":
		wantForm = FormPrinted
	}
	if ev.Form != wantForm {
		t.Errorf("Form = %q, want %q", ev.Form, wantForm)
	}
}

func TestFunctionsHandWhenTexts(t *testing.T) {
	p := testPack(t)
	for id, whens := range handWhen {
		f := testFunction(t, p, id)
		if len(f.Intervals) != len(whens) {
			t.Errorf("%s: %d intervals in the pack, want %d", id, len(f.Intervals), len(whens))
			continue
		}
		for i, w := range whens {
			if f.Intervals[i].When != w {
				t.Errorf("%s interval %d: when = %q, want %q", id, i, f.Intervals[i].When, w)
			}
		}
	}
}

func TestFunctionsHand(t *testing.T) {
	p := testPack(t)
	covered := map[string]map[int]bool{}
	for _, tc := range handCases {
		f := testFunction(t, p, tc.fn)
		var s *float64
		sName := "noS"
		if !thresholdless[tc.fn] {
			s, sName = fptr(tc.s), "S="+fmtNum(tc.s)
		}
		for _, rd := range readingsOf(tc.reading) {
			name := fmt.Sprintf("%s/%s/%s/R=%s", tc.fn, rd, sName, fmtNum(tc.r))
			t.Run(name, func(t *testing.T) {
				ev, err := evalUnder(t, f, tc.r, s, rd)
				if err != nil {
					t.Fatalf("Eval: %v", err)
				}
				checkEval(t, ev, tc.fn, rd, tc.want, tc.interval, tc.erratum)
				checkClamp(t, ev, tc.clamped, tc.raw)
			})
			if covered[tc.fn+"/"+string(rd)] == nil {
				covered[tc.fn+"/"+string(rd)] = map[int]bool{}
			}
			covered[tc.fn+"/"+string(rd)][tc.interval] = true
		}
	}
	// Every interval of every function has at least one case under the
	// coherent reading, and every erratum interval one under the literal.
	for id, whens := range handWhen {
		f := testFunction(t, p, id)
		for i := range whens {
			if !covered[id+"/coherent"][i] {
				t.Errorf("%s interval %d (%s): no coherent case", id, i, whens[i])
			}
			if i < len(f.Intervals) && f.Intervals[i].Erratum != "" && !covered[id+"/literal"][i] {
				t.Errorf("%s interval %d (%s, %s): no literal case", id, i, whens[i], f.Intervals[i].Erratum)
			}
		}
	}
}

// TestFunctionsHandDefaultThresholds evaluates by articulation number with the
// Tab. 3 default threshold (s = nil).
func TestFunctionsHandDefaultThresholds(t *testing.T) {
	p := testPack(t)
	tests := []handCase{
		{art: 1, fn: "f1", r: 63.7, reading: both, want: 80, interval: 2},                         // S1 = 51.6: 60 + 40·(12.1/48.4)^0.5 = 60 + 40·0.5 = 80
		{art: 1, fn: "f1", r: 51.6, reading: both, want: 60, interval: 2},                         // R = S1: 60
		{art: 2, fn: "f2", r: 40.05, reading: both, want: 21.21320, interval: 0},                  // S2 = 80.1: 60·(40.05/80.1)^1.5 = 60·0.353553 = 21.21320
		{art: 2, fn: "f2", r: 100, reading: coh, want: 100, interval: 1, erratum: "E-1"},          // 60 + 40·(19.9/19.9)^0.8 = 100
		{art: 2, fn: "f2", r: 100, reading: lit, want: 73.12914, interval: 1, erratum: "E-1"},     // 60 + 40·(19.9/80.1)^0.8 = 60 + 40·0.328229 = 73.12914
		{art: 3, fn: "f3", r: 12.8, reading: coh, want: 21.21320, interval: 0, erratum: "E-3"},    // S3 = 25.6: 60·(12.8/25.6)^1.5 = 60·0.353553 = 21.21320
		{art: 3, fn: "f3", r: 12.8, reading: lit, want: 30.72, interval: 0, erratum: "E-3"},       // 60·(12.8/20)^1.5 = 60·0.64^1.5 = 60·0.512 = 30.72
		{art: 4, fn: "f4", r: 5.5, reading: both, want: 35, interval: 0},                          // S4 = 11: 10 + 50·5.5/11 = 35
		{art: 5, fn: "f5", r: 37.5, reading: both, want: 84.62289, interval: 2},                   // no S: 60 + 40·(2.5/5)^0.7 = 60 + 40·0.615572 = 84.62289
		{art: 6, fn: "f6", r: 62.65, reading: both, want: 82.97397, interval: 1},                  // S6 = 25.3: 60 + 40·(37.35/74.7)^0.8 = 60 + 40·0.574349 = 82.97397
		{art: 7, fn: "f7", r: 80, reading: both, want: 78.23624, interval: 2},                     // no S: 100 − 50·(20/40)^1.2 = 100 − 50·0.435275 = 78.23624
		{art: 8, fn: "f8", r: 13.7, reading: both, want: 36.93433, interval: 0},                   // S8 = 27.4: 60·(13.7/27.4)^0.7 = 60·0.615572 = 36.93433
		{art: 9, fn: "f9", r: 66.85, reading: both, want: 84.62289, interval: 1},                  // S9 = 33.7: 60 + 40·(33.15/66.3)^0.7 = 60 + 40·0.615572 = 84.62289
		{art: 10, fn: "f10", r: 55, reading: both, want: 90.31433, interval: 1},                   // S10 = 10: 60 + 40·(45/90)^0.4 = 60 + 40·0.757858 = 90.31433
		{art: 11, fn: "f11", r: 2.35, reading: both, want: 30, interval: 0},                       // S11 = 4.7: 60·2.35/4.7 = 30
		{art: 12, fn: "f12", r: 22.2, reading: both, want: 86.39016, interval: 1},                 // S12 = 19.4: 60 + 40·(2.8/5.6)^0.6 = 60 + 40·0.659754 = 86.39016
		{art: 13, fn: "f13", r: 38.55, reading: both, want: 22.73575, interval: 0},                // S13 = 77.1: 60·(38.55/77.1)^1.4 = 60·0.378929 = 22.73575
		{art: 13, fn: "f13", r: 88.55, reading: coh, want: 82.97397, interval: 1, erratum: "E-1"}, // 60 + 40·(11.45/22.9)^0.8 = 60 + 40·0.574349 = 82.97397
		{art: 13, fn: "f13", r: 88.55, reading: lit, want: 68.69883, interval: 1, erratum: "E-1"}, // 60 + 40·(11.45/77.1)^0.8 = 60 + 40·0.217471 = 68.69883
		{art: 16, fn: "f16", r: 7.3, reading: both, want: 73, interval: 0},                        // no S: 10·7.3 = 73
	}
	for _, tc := range tests {
		for _, rd := range readingsOf(tc.reading) {
			t.Run(fmt.Sprintf("art%d/%s/R=%s", tc.art, rd, fmtNum(tc.r)), func(t *testing.T) {
				ev, err := p.Eval(tc.art, tc.r, nil, errataOf(p, rd))
				if err != nil {
					t.Fatalf("Eval: %v", err)
				}
				if ev.Function != tc.fn {
					t.Errorf("Function = %q, want %q", ev.Function, tc.fn)
				}
				checkEval(t, ev, tc.fn, rd, tc.want, tc.interval, tc.erratum)
			})
		}
	}

	// Articulations 14 and 15 have per-area thresholds (Tab. 4): given
	// explicitly they evaluate, without one they are an error.
	areaTests := []handCase{
		{art: 14, fn: "f14", s: 13.0, r: 19, reading: coh, want: 86.39016, interval: 1, erratum: "E-2"}, // agro-alimentare 13.0: 60 + 40·(6/12)^0.6 = 60 + 40·0.659754 = 86.39016
		{art: 14, fn: "f14", s: 13.0, r: 19, reading: lit, want: 68.03969, interval: 1, erratum: "E-2"}, // 60 + 40·(6/87)^0.6 = 60 + 40·0.200992 = 68.03969
		{art: 15, fn: "f15", s: 63.9, r: 81.95, reading: both, want: 81.43547, interval: 2},             // agro-alimentare 63.9: 60 + 40·(18.05/36.1)^0.9 = 60 + 40·0.535887 = 81.43547
		{art: 15, fn: "f15", s: 63.9, r: 46.95, reading: both, want: 19.79262, interval: 1},             // 60·(16.95/33.9)^1.6 = 60·0.329877 = 19.79262
	}
	for _, tc := range areaTests {
		for _, rd := range readingsOf(tc.reading) {
			t.Run(fmt.Sprintf("art%d/%s/S=%s/R=%s", tc.art, rd, fmtNum(tc.s), fmtNum(tc.r)), func(t *testing.T) {
				ev, err := p.Eval(tc.art, tc.r, fptr(tc.s), errataOf(p, rd))
				if err != nil {
					t.Fatalf("Eval: %v", err)
				}
				checkEval(t, ev, tc.fn, rd, tc.want, tc.interval, tc.erratum)
			})
		}
		t.Run(fmt.Sprintf("art%d/no area threshold", tc.art), func(t *testing.T) {
			_, err := p.Eval(tc.art, tc.r, nil, errataOf(p, coh))
			if !errors.Is(err, ErrMissingValue) {
				t.Errorf("err = %v, want ErrMissingValue", err)
			}
		})
	}
}

// TestFunctionsHandLiteralDiscontinuities checks the printed discontinuities
// of RULES.md §2 (errata E-1…E-4) side by side with the coherent reading.
func TestFunctionsHandLiteralDiscontinuities(t *testing.T) {
	p := testPack(t)
	tests := []handCase{
		// E-1, f2 at S2 = 80.1: the printed S^0.8 tops out at 73.1.
		{name: "E-1 f2 top", fn: "f2", s: 80.1, r: 100, reading: lit, want: 73.12914, interval: 1, erratum: "E-1"}, // 60 + 40·(19.9/80.1)^0.8 = 60 + 40·0.328229 = 73.12914
		{name: "E-1 f2 top", fn: "f2", s: 80.1, r: 100, reading: coh, want: 100, interval: 1, erratum: "E-1"},      // 60 + 40·(19.9/19.9)^0.8 = 100
		// E-1, f13 at S13 = 77.1: literal stays below 100 at R = 100.
		{name: "E-1 f13 top", fn: "f13", s: 77.1, r: 100, reading: lit, want: 75.14554, interval: 1, erratum: "E-1"}, // 60 + 40·(22.9/77.1)^0.8 = 60 + 40·0.378639 = 75.14554
		{name: "E-1 f13 top", fn: "f13", s: 77.1, r: 100, reading: coh, want: 100, interval: 1, erratum: "E-1"},      // 60 + 40·(22.9/22.9)^0.8 = 100
		// E-4, f1 at S1 = 51.6: just below S the printed 20^1.3 passes 100.
		{name: "E-4 f1 below S", fn: "f1", s: 51.6, r: 51.5, reading: lit, want: 100, interval: 1, erratum: "E-4", clamped: true, raw: 100.24741}, // 10 + 50·(31.5/20)^1.3 = 10 + 50·1.804948 = 100.24741 → 100
		{name: "E-4 f1 below S", fn: "f1", s: 51.6, r: 51.5, reading: coh, want: 59.79440, interval: 1, erratum: "E-4"},                           // 10 + 50·(31.5/31.6)^1.3 = 10 + 50·0.995888 = 59.79440
		{name: "E-4 f1 at S", fn: "f1", s: 51.6, r: 51.6, reading: both, want: 60, interval: 2},                                                   // 60 + 40·0 = 60
		// E-2, f14 with S = 15: printed (100−S)^0.6 gives ≈71 just below 25, then 100 at 25.
		{name: "E-2 f14 below 25", fn: "f14", s: 15, r: 24.999, reading: lit, want: 71.07599, interval: 1, erratum: "E-2"}, // 60 + 40·(9.999/85)^0.6 = 60 + 40·0.276900 = 71.07599
		{name: "E-2 f14 below 25", fn: "f14", s: 15, r: 24.999, reading: coh, want: 99.99760, interval: 1, erratum: "E-2"}, // 60 + 40·(9.999/10)^0.6 = 60 + 40·0.999940 = 99.99760
		{name: "E-2 f14 at 25", fn: "f14", s: 15, r: 25, reading: both, want: 100, interval: 2},                            // R ≥ 25 → 100
		// E-3, f3 at S3 = 25.6: printed 20^1.5 exceeds 60 below S, then 60 at S.
		{name: "E-3 f3 below S", fn: "f3", s: 25.6, r: 25.5, reading: lit, want: 86.38066, interval: 0, erratum: "E-3"}, // 60·(25.5/20)^1.5 = 60·1.439678 = 86.38066
		{name: "E-3 f3 below S", fn: "f3", s: 25.6, r: 25.5, reading: coh, want: 59.64878, interval: 0, erratum: "E-3"}, // 60·(25.5/25.6)^1.5 = 60·0.994146 = 59.64878
		{name: "E-3 f3 at S", fn: "f3", s: 25.6, r: 25.6, reading: both, want: 60, interval: 1},                         // 60 + 0 = 60
	}
	for _, tc := range tests {
		f := testFunction(t, p, tc.fn)
		for _, rd := range readingsOf(tc.reading) {
			t.Run(fmt.Sprintf("%s/%s/S=%s/R=%s", tc.name, rd, fmtNum(tc.s), fmtNum(tc.r)), func(t *testing.T) {
				ev, err := evalUnder(t, f, tc.r, fptr(tc.s), rd)
				if err != nil {
					t.Fatalf("Eval: %v", err)
				}
				checkEval(t, ev, tc.fn, rd, tc.want, tc.interval, tc.erratum)
				checkClamp(t, ev, tc.clamped, tc.raw)
			})
		}
	}
}

func TestFunctionsHandErrors(t *testing.T) {
	p := testPack(t)
	nan, inf := math.NaN(), math.Inf(1)
	tests := []struct {
		name    string
		fn      string
		r       float64
		s       *float64
		reading Reading
		want    error
	}{
		{"NaN R", "f1", nan, fptr(51.6), coh, ErrNotFinite},
		{"+Inf R", "f1", inf, fptr(51.6), coh, ErrNotFinite},
		{"-Inf R", "f1", -inf, fptr(51.6), coh, ErrNotFinite},
		{"NaN R", "f2", nan, fptr(80.1), lit, ErrNotFinite},
		{"+Inf R (unbounded domain)", "f15", inf, fptr(70), coh, ErrNotFinite},
		{"NaN R", "f16", nan, nil, coh, ErrNotFinite},
		{"-Inf R", "f5", -inf, nil, coh, ErrNotFinite},
		{"negative R", "f1", -1, fptr(51.6), coh, ErrOutOfDomain},
		{"negative R", "f4", -0.01, fptr(11), coh, ErrOutOfDomain},
		{"negative R", "f12", -1e-9, fptr(19.4), lit, ErrOutOfDomain},
		{"negative R", "f16", -0.5, nil, coh, ErrOutOfDomain},
		{"R above 100", "f2", 100.5, fptr(80.1), coh, ErrOutOfDomain},
		{"R above 100", "f7", 100.5, nil, coh, ErrOutOfDomain},
		{"R above 100", "f13", 100.5, fptr(77.1), lit, ErrOutOfDomain},
		{"R above 10", "f16", 10.5, nil, coh, ErrOutOfDomain},
		{"S at lower bound", "f1", 50, fptr(20), coh, ErrThresholdRange},
		{"S at upper bound", "f1", 50, fptr(100), coh, ErrThresholdRange},
		{"S at upper bound", "f12", 10, fptr(25), coh, ErrThresholdRange},
		{"S at upper bound", "f14", 10, fptr(25), lit, ErrThresholdRange},
		{"S at lower bound", "f15", 50, fptr(30), coh, ErrThresholdRange},
		{"S zero", "f2", 50, fptr(0), coh, ErrThresholdRange},
		{"S NaN", "f6", 50, fptr(nan), coh, ErrThresholdRange},
		{"S +Inf", "f8", 50, fptr(inf), coh, ErrThresholdRange},
		{"S given", "f5", 40, fptr(35), coh, ErrNoThreshold},
		{"S given", "f7", 55, fptr(50), coh, ErrNoThreshold},
		{"S given", "f16", 7, fptr(6), coh, ErrNoThreshold},
		{"S missing", "f2", 50, nil, coh, ErrMissingValue},
		{"S missing", "f14", 10, nil, lit, ErrMissingValue},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s/%s/R=%s", tc.fn, tc.name, fmtNum(tc.r)), func(t *testing.T) {
			f := testFunction(t, p, tc.fn)
			_, err := evalUnder(t, f, tc.r, tc.s, tc.reading)
			checkErr(t, err, tc.want)
		})
	}

	artTests := []struct {
		name string
		art  int
		r    float64
		s    *float64
		want error
	}{
		{"articulation 0", 0, 50, nil, ErrUnknownCode},
		{"articulation 17", 17, 50, nil, ErrUnknownCode},
		{"articulation -1", -1, 50, nil, ErrUnknownCode},
		{"art 5 with S", 5, 40, fptr(35), ErrNoThreshold},
		{"art 16 with S", 16, 7, fptr(6), ErrNoThreshold},
		{"art 14 without area S", 14, 10, nil, ErrMissingValue},
		{"art 15 without area S", 15, 70, nil, ErrMissingValue},
		{"art 2 R above 100", 2, 100.5, nil, ErrOutOfDomain},
		{"art 16 R above 10", 16, 10.5, nil, ErrOutOfDomain},
		{"art 1 NaN", 1, math.NaN(), nil, ErrNotFinite},
		{"art 12 S out of range", 12, 10, fptr(25), ErrThresholdRange},
	}
	for _, tc := range artTests {
		t.Run("p.Eval/"+tc.name, func(t *testing.T) {
			_, err := p.Eval(tc.art, tc.r, tc.s, errataOf(p, coh))
			checkErr(t, err, tc.want)
		})
	}
}

// checkErr asserts err is a *Error wrapping the sentinel want.
func checkErr(t *testing.T, err, want error) {
	t.Helper()
	if err == nil {
		t.Fatalf("err = nil, want %v", want)
	}
	if !errors.Is(err, want) {
		t.Errorf("err = %v, want one wrapping %v", err, want)
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Errorf("err = %T, want *Error", err)
	}
}

// checkClamp checks Unclamped is set, with the raw value, exactly when the
// formula left the 0–100 scale.
func checkClamp(t *testing.T, ev Evaluation, clamped bool, raw float64) {
	t.Helper()
	switch {
	case clamped && ev.Unclamped == nil:
		t.Errorf("Unclamped = nil, want %.6f", raw)
	case clamped && math.Abs(*ev.Unclamped-raw) > handTol:
		t.Errorf("Unclamped = %.6f, want %.6f", *ev.Unclamped, raw)
	case !clamped && ev.Unclamped != nil:
		t.Errorf("Unclamped = %v, want nil (score within the scale)", *ev.Unclamped)
	}
}
