package xlsx

import (
	"fmt"
	"strings"
	"testing"
)

func TestReadDecodeText(t *testing.T) {
	tests := []struct{ raw, want string }{
		{"plain", "plain"},
		{"a &lt; b &amp;&amp; c &gt; d &quot;&apos;", `a < b && c > d "'`},
		{"&#65;&#x42;&#x20AC;", "AB€"},
		{"x<![CDATA[<&>]]>y", "x<&>y"},
		{"a<!-- no -->b<?pi?>c", "abc"},
		{"one\r\ntwo\rthree", "one\ntwo\nthree"},
		{"bad\xffutf8", "bad\uFFFDutf8"},
	}
	for _, tc := range tests {
		got, err := decodeText([]byte(tc.raw))
		if err != nil || got != tc.want {
			t.Errorf("decodeText(%q) = %q, %v; want %q", tc.raw, got, err, tc.want)
		}
	}
	for _, bad := range []string{"&nbsp;", "&#xD800;", "a &amp", "<![CDATA[x"} {
		if _, err := decodeText([]byte(bad)); err == nil {
			t.Errorf("decodeText(%q) accepted", bad)
		}
	}
}

func TestReadSharedStrings(t *testing.T) {
	sst := `<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="4"><si><t>plain</t></si><si/>` +
		`<si><r><rPr><b/></rPr><t>rich </t></r><r><t xml:space="preserve">text</t></r><rPh><t>ignored</t></rPh></si>` +
		`<si><t>a_x000D_b_x005F_x0041_</t></si></sst>`
	got, units, ok, err := ParseSST([]byte(sst), 1000)
	want := []string{"plain", "", "rich text", "a\rb_x0041_"}
	if err != nil || !ok || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("ParseSST = %q, %v, %v; want %q", got, ok, err, want)
	}
	if units < 10 {
		t.Errorf("%d units charged", units)
	}
	if _, _, ok, _ := ParseSST([]byte(sst), 5); ok {
		t.Error("the budget is not enforced")
	}
	const root = `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`
	for _, bad := range []string{root + `<si><t>x</si></sst>`, root + `<si><t>x</t></si>`, root + `<si><t a="1>x</t></si></sst>`,
		root + `<si><t>a]]>b</t></si></sst>`, root + `<si><t>&#x1;</t></si></sst>`, root + `<si><9t>x</9t></si></sst>`,
		root + `<si><t a="<">x</t></si></sst>`, root + `<si><t a>x</t></si></sst>`, `<sst><si><t>x</t></si></sst>`,
		`<sst xmlns="http://example.com/other"><si><t>x</t></si></sst>`} {
		if _, _, _, err := ParseSST([]byte(bad), 1000); err == nil {
			t.Errorf("ParseSST(%q) accepted", bad)
		}
	}
	if err := CheckChars([]byte("ok\t\n\r è")); err != nil {
		t.Errorf("CheckChars: %v", err)
	}
	for _, bad := range []string{"nul\x00", "bell\x07", "bad\xff", "\xef\xbf\xbe"} {
		if CheckChars([]byte(bad)) == nil {
			t.Errorf("CheckChars(%q) accepted", bad)
		}
	}
}

func TestReadShiftFormula(t *testing.T) {
	tests := []struct {
		f          string
		dCol, dRow int
		want       string
	}{
		{"B3+1", 0, 4, "B7+1"},
		{"$B3+B$3+$B$3", 1, 1, "$B4+C$3+$B$3"},
		{"SUM(A1:B2)*LOG10(C3)", 1, 0, "SUM(B1:C2)*LOG10(D3)"},
		{`IF(A1="A1",'Sheet A1'!A1,Percorsi!H3)`, 0, 2, `IF(A3="A1",'Sheet A1'!A3,Percorsi!H5)`},
		{"A1-1", 0, -1, "#REF!-1"},
		{"TRUE+xa1+ABCD1+A1B", 0, 1, "TRUE+XA2+ABCD1+A1B"},
	}
	for _, tc := range tests {
		if got := shiftFormula(tc.f, tc.dCol, tc.dRow); got != tc.want {
			t.Errorf("shiftFormula(%q, %d, %d) = %q, want %q", tc.f, tc.dCol, tc.dRow, got, tc.want)
		}
	}
}

func TestWriteCellText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{`a<b>&"c'`, `a&lt;b&gt;&amp;"c'`},
		{"line\r\nnext\ttab", "line&#xD;\nnext\ttab"},
		{"bell\x07", "bell_x0007_"},
		{"_x0041_ and _x12", "_x005F_x0041_ and _x12"},
		{"bad\xff", "bad\uFFFD"},
		{"è€", "è€"},
	}
	for _, tc := range tests {
		if got := string(AppendCellText(nil, tc.in)); got != tc.want {
			t.Errorf("AppendCellText(%q) = %q, want %q", tc.in, got, tc.want)
		}
		// What is written reads back as it was (but for invalid UTF-8).
		if strings.Contains(tc.in, "\xff") {
			continue
		}
		back, err := decodeText(AppendCellText(nil, tc.in))
		if err != nil || bstrUnmarshal(back) != tc.in {
			t.Errorf("%q reads back as %q, %v", tc.in, bstrUnmarshal(back), err)
		}
	}
	long := strings.Repeat("é", maxCellChars+10)
	if got := string(AppendCellText(nil, long)); got != strings.Repeat("é", maxCellChars) {
		t.Errorf("a long text is cut to %d characters", len([]rune(got)))
	}
}
