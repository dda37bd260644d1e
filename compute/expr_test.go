package compute

import (
	"errors"
	"math"
	"testing"
)

type mapEnv map[string]float64

func (m mapEnv) Get(name string) (float64, bool) { v, ok := m[name]; return v, ok }

func TestParseExprEvaluates(t *testing.T) {
	env := mapEnv{"R": 30, "S": 20, "iscritti": 25}
	tests := []struct {
		src  string
		want float64
	}{
		{"1 + 2 * 3", 7},
		{"(1 + 2) * 3", 9},
		{"2 ^ 3 ^ 2", 512}, // right-associative: 2^(3^2)
		{"-2 ^ 2", -4},     // unary minus binds looser than ^
		{"10 - 4 - 3", 3},  // left-associative
		{"12 / 3 / 2", 2},
		{"60 * R / S", 90},
		{"60 + 40 * (R - S)^0.5 / (100 - S)^0.5", 60 + 40*math.Sqrt(10.0/80)},
		{"R × 2 − S · 1", 40}, // the typographic operators of the decree
		{"iscritti", 25},
		{".5 * 4", 2},
		{"0 ^ 0.8", 0},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			e, err := ParseExpr(tt.src)
			if err != nil {
				t.Fatalf("ParseExpr: %v", err)
			}
			got, err := e.Eval(env)
			if err != nil {
				t.Fatalf("Eval: %v", err)
			}
			if math.Abs(got-tt.want) > 1e-12 {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestParseExprRejects(t *testing.T) {
	for _, src := range []string{"", "1 +", "(1 + 2", "1 2", "R $ 2", "1..2", "* 3", "R < 2", ")"} {
		t.Run(src, func(t *testing.T) {
			if _, err := ParseExpr(src); !errors.Is(err, ErrExpr) {
				t.Errorf("ParseExpr(%q) error = %v, want ErrExpr", src, err)
			}
		})
	}
}

func TestExprVarsAndMissing(t *testing.T) {
	e, err := ParseExpr("(ore_fuori_regione * 0.5 + ore_estero * 1) / ore_attivita_totali * 100 + ore_estero")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"ore_fuori_regione", "ore_estero", "ore_attivita_totali"}
	if got := e.Vars(); len(got) != len(want) || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("Vars = %v, want %v", got, want)
	}
	if _, err := e.Eval(mapEnv{}); !errors.Is(err, ErrMissingValue) {
		t.Errorf("Eval without values: %v, want ErrMissingValue", err)
	}
}

func TestParseCond(t *testing.T) {
	tests := []struct {
		src  string
		R, S float64
		want bool
	}{
		{"20 ≤ R < S", 20, 50, true},
		{"20 ≤ R < S", 50, 50, false},
		{"20 <= R < S", 19.999, 50, false},
		{"S ≤ R ≤ 100", 100, 50, true},
		{"R ≥ S", 50, 50, true},
		{"R >= S", 49, 50, false},
		{"R > 100", 100, 0, false},
		{"0 ≤ R ≤ 10", 10, 0, true},
		{"45 < R ≤ 50", 45, 0, false},
	}
	for _, tt := range tests {
		c, err := ParseCond(tt.src)
		if err != nil {
			t.Fatalf("ParseCond(%q): %v", tt.src, err)
		}
		got, err := c.Holds(mapEnv{"R": tt.R, "S": tt.S})
		if err != nil {
			t.Fatal(err)
		}
		if got != tt.want {
			t.Errorf("%q with R=%v S=%v: got %v, want %v", tt.src, tt.R, tt.S, got, tt.want)
		}
	}
	for _, bad := range []string{"R", "R <", "< R", "R < S extra"} {
		if _, err := ParseCond(bad); err == nil {
			t.Errorf("ParseCond(%q) accepted", bad)
		}
	}
}

func TestSay(t *testing.T) {
	tests := []struct {
		text string
		kv   []string
		want string
	}{
		{"nessun segnaposto", nil, "nessun segnaposto"},
		{"soglia {code} = {value}", []string{"code", "S2", "value", "80,1"}, "soglia S2 = 80,1"},
		{"{a}{a}", []string{"a", "x"}, "xx"},
		{"manca {b}", []string{"a", "x"}, "manca {b}"}, // left for tests to spot
		{"aperta {a", []string{"a", "x"}, "aperta {a"},
		{"«{field}»", []string{"field", "iscritti"}, "«iscritti»"},
	}
	for _, tt := range tests {
		if got := say(tt.text, tt.kv...); got != tt.want {
			t.Errorf("say(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}
