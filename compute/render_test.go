package compute

import "testing"

func TestRenderSpreadsheet(t *testing.T) {
	ref := func(name string) string {
		return map[string]string{"R": "F3", "S": "G3", "iscritti": "Percorsi!H3"}[name]
	}
	tests := []struct{ src, want string }{
		{"60 * R^1.5 / S^1.5", "60*((F3)^1.5)/((G3)^1.5)"},
		{"60 + 40 * (R - S)^0.8 / (100 - S)^0.8", "60+40*((F3-G3)^0.8)/((100-G3)^0.8)"},
		{"10 + 50 * R / S", "10+50*F3/G3"},
		{"-2^2", "(0-(2^2))"},    // pack: -(2^2) = -4; Excel would read -2^2 as 4
		{"2^3^2", "(2^((3^2)))"}, // pack: right-associative
		{"10 - (4 - 3)", "10-(4-3)"},
		{"12 / (3 * 2)", "12/(3*2)"},
		{"(1 + 2) * 3", "(1+2)*3"},
		{"iscritti * 0.3", "Percorsi!H3*0.3"},
		{"R * 10", "F3*10"},
	}
	for _, tt := range tests {
		e, err := ParseExpr(tt.src)
		if err != nil {
			t.Fatal(err)
		}
		if got := e.RenderSpreadsheet(ref); got != tt.want {
			t.Errorf("%q → %q, want %q", tt.src, got, tt.want)
		}
	}
	c, _ := ParseCond("20 ≤ R < S")
	if got := c.RenderSpreadsheet(ref); got != "AND(20<=F3,F3<G3)" {
		t.Errorf("cond → %q", got)
	}
}
