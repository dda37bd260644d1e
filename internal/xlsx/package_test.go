package xlsx

import (
	"strings"
	"testing"
)

func TestReadDisplayNameIsOneLine(t *testing.T) {
	for in, want := range map[string]string{
		"":                       "senza nome",
		"a\nb.xlsx":              "a b.xlsx",
		"x\u2028y\r\n":           "x y",
		"bad\xffutf8.xlsx":       "bad utf8.xlsx",
		strings.Repeat("é", 200): strings.Repeat("é", 120) + "…",
	} {
		if got := DisplayName(in); got != want {
			t.Errorf("DisplayName(%q) = %q, want %q", in, got, want)
		}
	}
}
