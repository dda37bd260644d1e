package verbale

import (
	"math"
	"strconv"
	"strings"
	"unicode"
)

// Num formats a number the Italian way (decimal comma, no thousands
// separator): with prec decimals, or, when prec < 0, with at most 4
// decimals and no trailing zeros. Non-finite values print as «—».
func Num(v float64, prec int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "—"
	}
	var s string
	if prec < 0 {
		s = strconv.FormatFloat(v, 'f', 4, 64)
		if strings.Contains(s, ".") {
			s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
		}
	} else {
		s = strconv.FormatFloat(v, 'f', prec, 64)
	}
	if s == "-0" || strings.HasPrefix(s, "-0") && strings.Trim(s, "-0.") == "" {
		s = strings.TrimPrefix(s, "-")
	}
	s = strings.Replace(s, ".", ",", 1)
	if strings.HasPrefix(s, "-") {
		s = "−" + s[1:]
	}
	return s
}

// NumPtr formats an optional number; nil prints as «—».
func NumPtr(v *float64, prec int) string {
	if v == nil {
		return "—"
	}
	return Num(*v, prec)
}

// Substitute writes a trace's formula with its inputs' values in place of
// their symbols and the result at the end: «P = 60 × R^1.3 / S^1.3» with
// R = 16.1 and S = 19.1 becomes «P = 60 × 16,1^1,3 / 19,1^1,3 = 48,05».
// Only the right-hand side of the first «=» is substituted; numbers in it
// take the decimal comma. A formula in words (no symbol known) is returned
// with the result appended.
func Substitute(formula string, values map[string]float64, result float64, prec int) string {
	lhs, rhs, ok := strings.Cut(formula, "=")
	if !ok {
		lhs, rhs = "", formula
	}
	var b strings.Builder
	rs := []rune(rhs)
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case r == '_' || unicode.IsLetter(r):
			j := i
			for j < len(rs) && (rs[j] == '_' || unicode.IsLetter(rs[j]) || unicode.IsDigit(rs[j])) {
				j++
			}
			word := string(rs[i:j])
			if v, ok := values[word]; ok {
				b.WriteString(Num(v, -1))
			} else {
				b.WriteString(word)
			}
			i = j
		case unicode.IsDigit(r):
			j := i
			for j < len(rs) && (unicode.IsDigit(rs[j]) || rs[j] == '.') {
				j++
			}
			b.WriteString(strings.Replace(string(rs[i:j]), ".", ",", 1))
			i = j
		default:
			b.WriteRune(r)
			i++
		}
	}
	out := strings.TrimSpace(b.String())
	if lhs != "" {
		out = strings.TrimSpace(lhs) + " = " + out
	}
	return out + " = " + Num(result, prec)
}
