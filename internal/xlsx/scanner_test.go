package xlsx

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

// stdWellFormed is encoding/xml's verdict on a part: every raw token read,
// each end tag closing the element open, one root.
func stdWellFormed(doc string) bool {
	d := xml.NewDecoder(strings.NewReader(doc))
	var open []xml.Name
	roots := 0
	for {
		tok, err := d.RawToken()
		if errors.Is(err, io.EOF) {
			return len(open) == 0 && roots == 1
		}
		if err != nil {
			return false
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(open) == 0 {
				roots++
			}
			open = append(open, t.Name)
		case xml.EndElement:
			if len(open) == 0 || open[len(open)-1] != t.Name {
				return false
			}
			open = open[:len(open)-1]
		}
	}
}

// The scanner reads a start tag's attributes once: it accepts and refuses
// what encoding/xml does on the shapes a part can take, and gives each
// attribute's raw name and value.
func TestScannerAttributes(t *testing.T) {
	cases := []struct {
		doc   string
		attrs string // name=value|… of the root, when well-formed
	}{
		{`<a/>`, ``},
		{`<a></a>`, ``},
		{`<a b="1"/>`, `b=1`},
		{`<a b = '1' c="x y"  />`, `b=1|c=x y`},
		{"<a\n\tb=\"1\"\r\n>text</a>", `b=1`},
		{`<a x:b="&amp;&#x41;" xmlns:x="u"></a>`, `x:b=&amp;&#x41;|xmlns:x=u`},
		{`<a b='"'/>`, `b="`},
		{`<a b=1/>`, ``},
		{`<a b="1/>`, ``},
		{`<a b="1>`, ``},
		{`<a b="x<y"/>`, ``},
		{`<a b/>`, ``},
		{`<a ="1"/>`, ``},
		{`<a b="&bogus;"/>`, ``},
		{`<a b="&amp"/>`, ``},
		{`<a / >`, ``},
		{`<a b="1" /`, ``},
		{`<a><c></c></a>`, ``},
		{`<a><c ></c ></a>`, ``},
		{`<a><c></d></a>`, ``},
		{`<a><c></c></a><b/>`, ``},
		{`<a><c></a></c>`, ``},
		{`<1a/>`, ``},
		{`<a:b:c/>`, ``},
	}
	for _, c := range cases {
		var got []string
		err := walkTags([]byte(c.doc), func(s *xmlScanner) bool {
			if s.starts == 1 && !s.end && got == nil {
				got = []string{}
				for i := range s.attrList {
					n, v := s.attr(i)
					got = append(got, string(n)+"="+string(v))
				}
			}
			return true
		})
		want := stdWellFormed(c.doc)
		if (err == nil) != want {
			t.Errorf("%q: scanner error %v, encoding/xml well-formed %v", c.doc, err, want)
			continue
		}
		if err == nil && strings.Join(got, "|") != c.attrs {
			t.Errorf("%q: attributes %q, want %q", c.doc, strings.Join(got, "|"), c.attrs)
		}
	}
}

// An element closed at once ("<c …></c>") is read as the end tag would be:
// the same cells, rows and errors as with the end tag read by next.
func TestEndsAtOnce(t *testing.T) {
	sheet := `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` +
		`<row r="1"><c r="A1" s="2"></c><c r="B1" t="s"></c><c r="C1"><v>3</v></c><c r="D1" s="1"/></row>` +
		`<row r="2"><c r="A2"></c ></row></sheetData></worksheet>`
	sh, ok, err := ParseSheet([]byte(sheet), 1<<20)
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	var cells []string
	for _, n := range sh.Order {
		for _, c := range sh.Rows[n].Cells {
			cells = append(cells, ColumnName(int(c.Col))+string(rune('0'+n)))
		}
	}
	if got := strings.Join(cells, " "); got != "B1 C1" {
		t.Errorf("cells kept %q, want the typed B1 and the valued C1", got)
	}
	if len(sh.Order) != 2 {
		t.Errorf("rows %v, want 1 and 2", sh.Order)
	}
	bad := strings.Replace(sheet, `<c r="A1" s="2"></c>`, `<c r="A1" s="2"></d>`, 1)
	if _, _, err := ParseSheet([]byte(bad), 1<<20); err == nil {
		t.Error("a cell closed by another name is read")
	}
}

// sheetView is what a parsed sheet gives its readers: rows, cells with
// their values, formulas and styles, and the cost, or the outcome.
func sheetView(d []byte, budget int64) string {
	sh, ok, err := ParseSheet(d, budget)
	if err != nil {
		return "error: " + err.Error()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "ok=%v cost=%+v units=%d\n", ok, sh.Cost, sh.Cost.Units())
	for _, n := range sh.Order {
		r := sh.Rows[n]
		fmt.Fprintf(&b, "row %d hidden=%v:", n, r.Hidden)
		for i := range r.Cells {
			c := &r.Cells[i]
			v, verr := sh.Value(c, []string{"zero", "one"})
			f, ferr := sh.Formula(c, n)
			fmt.Fprintf(&b, " [%d t%d s%d %q %v %q %v]", c.Col, c.Type, sh.StyleOf(c, r), v, verr, f, ferr)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// The formatted empty cells excelize writes are read by a fast path: a
// sheet reads the same, at every budget, as the same sheet written so
// that only the general path can read it (its cells' attributes spaced
// differently), errors included.
func TestEmptyCellsFastPath(t *testing.T) {
	body := `<row r="1"><c r="A1" s="2"></c><c r="B1" t="s"><v>1</v></c><c r="C1" s="7"/><c r="D1"></c><c r="E1"><v>2.5</v></c></row>` +
		`<row r="2" hidden="1"><c r="A2" s="3"></c><c r="B2" s="3"></c><c r="C2"><f>A1*2</f><v>5</v></c><c r="XFD2" s="1"></c></row>` +
		`<row r="4"><c r="A4" s="3"></c></row><row r="5"></row><row r="6"><c r="B6" s="4"></c><c r="A7" s="4"></c></row>`
	tail := `</sheetData></worksheet>`
	head := `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cols><col min="1" max="3" style="9"/></cols><sheetData>`
	slow := func(x string) string {
		x = strings.ReplaceAll(x, `<c r="`, `<c  r="`)
		return strings.ReplaceAll(x, `<c  r="B1" t="s">`, `<c r="B1" t="s">`)
	}
	cases := []string{
		body,
		body + `<row r="8"><c r="A0" s="1"></c></row>`,
		body + `<row r="8"><c r="XFE8" s="1"></c></row>`,
		body + `<row r="1048577"><c r="A1048577" s="1"></c></row>`,
		body + `<row r="8"><c r="A8" s="99999999999"></c></row>`,
		body + `<row r="8"><c r="A8" s="1"></d></row>`,
		body + `<row r="8"><c r="A8" s="1"></c>`,
	}
	for i, doc := range cases {
		fast, general := head+doc+tail, head+slow(doc)+tail
		if fast == general {
			t.Fatalf("case %d: the variant is the same sheet", i)
		}
		for _, budget := range []int64{1, 3, 5, 8, 12, 20, 40, 1 << 20} {
			if a, b := sheetView([]byte(fast), budget), sheetView([]byte(general), budget); a != b {
				t.Errorf("case %d, budget %d:\nfast path:\n%s\ngeneral path:\n%s", i, budget, a, b)
			}
		}
	}
}
