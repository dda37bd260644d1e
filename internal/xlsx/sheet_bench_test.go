package xlsx

import (
	"fmt"
	"strings"
	"testing"
)

// templateSheet is a worksheet shaped like the official workbook's
// Percorsi: 31 columns, courses rows with numbers and shared strings,
// then formatted empty rows up to row 202 as excelize writes them.
func templateSheet(courses int) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
	for r := 1; r <= max(202, courses+2); r++ {
		fmt.Fprintf(&b, `<row r="%d">`, r)
		for c := 1; c <= 31; c++ {
			ref := ColumnName(c) + fmt.Sprint(r)
			switch {
			case r <= 2 || (r <= courses+2 && c <= 4):
				fmt.Fprintf(&b, `<c r="%s" s="6" t="s"><v>%d</v></c>`, ref, c)
			case r <= courses+2:
				fmt.Fprintf(&b, `<c r="%s" s="12"><v>%d.5</v></c>`, ref, r*c)
			default:
				fmt.Fprintf(&b, `<c r="%s" s="11"></c>`, ref)
			}
		}
		b.WriteString(`</row>`)
	}
	b.WriteString(`</sheetData></worksheet>`)
	return []byte(b.String())
}

// BenchmarkParseSheet parses a Percorsi-like sheet of 20 courses in 200
// formatted rows.
func BenchmarkParseSheet(b *testing.B) {
	d := templateSheet(20)
	b.SetBytes(int64(len(d)))
	b.ReportAllocs()
	for b.Loop() {
		if _, ok, err := ParseSheet(d, 1<<30); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}
