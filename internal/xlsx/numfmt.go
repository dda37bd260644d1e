package xlsx

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// IsPercentFormatCode reports whether a custom number format scales by 100:
// a % outside quoted text, escapes and [brackets].
func IsPercentFormatCode(code string) bool {
	for i := 0; i < len(code); i++ {
		switch code[i] {
		case '"':
			for i++; i < len(code) && code[i] != '"'; i++ {
			}
		case '\\', '_', '*':
			i++
		case '[':
			for i++; i < len(code) && code[i] != ']'; i++ {
			}
		case '%':
			return true
		}
	}
	return false
}

// BuiltInNumFmt reports whether a number format id is built into Excel
// (or a language-dependent one), as excelize knows them: such an id means
// its built-in format even when styles.xml defines it.
func BuiltInNumFmt(id int) bool {
	return (0 <= id && id <= 4) || (9 <= id && id <= 22) || (37 <= id && id <= 49) ||
		(27 <= id && id <= 36) || (50 <= id && id <= 62) || (67 <= id && id <= 81)
}

// IsDateFormatCode reports whether a custom number format shows a date or
// time: a d, m or y token outside quoted text, escapes and [brackets] (an m
// with h or s and no d or y is minutes, a time only format).
func IsDateFormatCode(code string) bool {
	var b strings.Builder
	for i := 0; i < len(code); i++ {
		switch c := code[i]; c {
		case '"':
			for i++; i < len(code) && code[i] != '"'; i++ {
			}
		case '\\', '_', '*':
			i++ // the next character is literal, a width or a fill
		case '[':
			for i++; i < len(code) && code[i] != ']'; i++ {
			}
		default:
			b.WriteByte(c | 0x20) // lower case for ASCII letters
		}
	}
	t := b.String()
	if strings.ContainsAny(t, "dy") {
		return true
	}
	return strings.Contains(t, "m") && !strings.ContainsAny(t, "hs")
}

// PlainNumber returns a stored number in plain decimal form ("1E-3" →
// "0.001"); ok is false for anything that is not a finite decimal number.
func PlainNumber(v string) (string, bool) {
	v = strings.TrimSpace(v)
	if isCanonicalDecimal(v) {
		return v, true // what the conversion below would give back
	}
	if v == "" || strings.IndexFunc(v, func(r rune) bool { return !strings.ContainsRune("0123456789+-.eE", r) }) >= 0 {
		return "", false
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return "", false
	}
	return strconv.FormatFloat(f, 'f', -1, 64), true
}

// isCanonicalDecimal reports whether v is a decimal that formatting its
// float64 value gives back unchanged: an optional minus, no leading zero,
// no exponent, no trailing zero or point in the fraction, at most 15
// significant digits (which a float64 holds exactly enough for the
// shortest formatting to give them back), and not "-0".
func isCanonicalDecimal(v string) bool {
	i := 0
	if i < len(v) && v[i] == '-' {
		i++
	}
	start, digits, point := i, 0, -1
	for ; i < len(v); i++ {
		switch c := v[i]; {
		case '0' <= c && c <= '9':
			if digits > 0 || c != '0' {
				digits++
			}
		case c == '.' && point < 0:
			point = i
		default:
			return false
		}
	}
	switch {
	case i == start || digits > 15 || (digits == 0 && start > 0):
		return false
	case v[start] == '0' && len(v) > start+1 && v[start+1] != '.':
		return false // a leading zero
	case point >= 0 && (point == start || point == len(v)-1 || v[len(v)-1] == '0'):
		return false
	}
	return true
}

// Shift1904 converts a serial of the 1904 date system to the 1900 one.
func Shift1904(serial string) string {
	f, err := strconv.ParseFloat(serial, 64)
	if err != nil {
		return serial
	}
	return strconv.FormatFloat(f+1462, 'f', -1, 64)
}

// ISOSerial converts an ISO 8601 date (t="d" cells) to a 1900-system serial.
func ISOSerial(v string) (string, bool) {
	v = strings.TrimSpace(v)
	epoch := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04", "2006-01-02"} {
		t, err := time.Parse(layout, v)
		if err != nil {
			continue
		}
		t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
		if t.Before(time.Date(1900, 3, 1, 0, 0, 0, 0, time.UTC)) {
			return "", false // Excel's 1900 leap-year bug makes these ambiguous
		}
		days := t.Sub(epoch).Hours() / 24
		return strconv.FormatFloat(days, 'f', -1, 64), true
	}
	return "", false
}

// IsFormulaError reports whether a cached formula result is an Excel error.
func IsFormulaError(v string) bool {
	switch v {
	case "#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A",
		"#GETTING_DATA", "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!", "#PYTHON!":
		return true
	}
	return false
}
