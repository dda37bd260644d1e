package xlsx

import (
	"strconv"
	"testing"
)

func TestReadDateFormatCode(t *testing.T) {
	tests := []struct {
		code string
		want bool
	}{
		{"dd/mm/yyyy", true},
		{"d-mmm-yy", true},
		{"[$-410]mmmm yyyy", true},
		{"mmm", true},
		{"dd/mm/yyyy;@", true},
		{"[h]:mm:ss", false},
		{"mm:ss", false},
		{"h:mm AM/PM", false},
		{"0.00", false},
		{"General", false},
		{`0.0 "days"`, false},
		{`#,##0\d`, false},
		{"[Red]#,##0", false},
		{`_-* #,##0.00 €_-`, false},
		{"yyyy-mm-dd hh:mm", true},
	}
	for _, tc := range tests {
		if got := IsDateFormatCode(tc.code); got != tc.want {
			t.Errorf("IsDateFormatCode(%q) = %v, want %v", tc.code, got, tc.want)
		}
	}
}

func TestReadPlainNumber(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"35.5", "35.5", true},
		{"1E-3", "0.001", true},
		{"45657", "45657", true},
		{" 7 ", "7", true},
		{"0.30000000000000004", "0.30000000000000004", true},
		{"35,5", "", false},
		{"0x10", "", false},
		{"Inf", "", false},
		{"1e999", "", false},
		{"", "", false},
	}
	for _, tc := range tests {
		if got, ok := PlainNumber(tc.in); got != tc.want || ok != tc.ok {
			t.Errorf("PlainNumber(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
	// The fast path for canonical decimals agrees with the conversion.
	for _, in := range []string{"0", "-0", "0.5", "-0.25", "12", "1.0", "01", "1.", ".5", "-", "123456789012345",
		"1234567890123456", "0.000000000000001", "99999999999999.9", "1e5", "45657.5", "100.10", "-0.0", "0.1"} {
		f, err := strconv.ParseFloat(in, 64)
		want, wantOK := strconv.FormatFloat(f, 'f', -1, 64), err == nil
		if got := isCanonicalDecimal(in); got && (!wantOK || want != in) {
			t.Errorf("isCanonicalDecimal(%q) but it formats as %q", in, want)
		}
		if got, ok := PlainNumber(in); ok != wantOK || (ok && got != want) {
			t.Errorf("PlainNumber(%q) = %q, %v; want %q, %v", in, got, ok, want, wantOK)
		}
	}
}

func TestReadPercentFormatCode(t *testing.T) {
	for _, tc := range []struct {
		code string
		want bool
	}{
		{"0%", true},
		{"0.00%", true},
		{"[Red]0.0%", true},
		{`#,##0.0%;[Red]-#,##0.0%`, true},
		{`0.0"%"`, false},
		{`0.0\%`, false},
		{`[$%-410]0.00`, false},
		{"General", false},
		{"dd/mm/yyyy", false},
	} {
		if got := IsPercentFormatCode(tc.code); got != tc.want {
			t.Errorf("IsPercentFormatCode(%q) = %v, want %v", tc.code, got, tc.want)
		}
	}
}
