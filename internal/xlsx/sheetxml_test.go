package xlsx

import "testing"

// TestWrappedLines: the estimate of wrapped lines, by hand: a column of
// width 10 holds 10 characters a line (10·1.1 − 1).
func TestWrappedLines(t *testing.T) {
	for _, c := range []struct {
		text  string
		width float64
		want  int
	}{
		{"", 10, 1},
		{"breve", 10, 1},
		{"dieci cara", 10, 1},          // 10 characters: one line
		{"dieci cara x", 10, 2},        // the 12th character wraps
		{"uno due tre quattro", 10, 3}, // «uno due tre» and «tre quattro» are 11: «uno due» | «tre» | «quattro»
		{"a\nb\nc", 40, 3},
		{"abcdefghijklmnopqrstuvwxy", 10, 3}, // 25 letters without a space: 10 + 10 + 5
	} {
		if got := WrappedLines(c.text, c.width); got != c.want {
			t.Errorf("WrappedLines(%q, %v) = %d, want %d", c.text, c.width, got, c.want)
		}
	}
}
