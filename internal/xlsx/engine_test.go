package xlsx

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/its-academy/auditor/testkit"
	"github.com/xuri/excelize/v2"
)

// Parts of testWorkbook that excelize does not know: a custom XML part,
// stored, and a binary part compressed harder than the writer compresses.
const (
	foreignXML = "customXml/item1.xml"
	foreignBin = "xl/media/foreign.bin"
)

// testWorkbook makes a small workbook with excelize: sheet Dati with a
// header of shared strings, a number, a formula without a cached value, a
// date and a percentage, row 3 hidden; and two foreign parts.
func testWorkbook(t testing.TB) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.SetSheetName("Sheet1", "Dati"))
	must(f.SetCellStr("Dati", "A1", "Codice"))
	must(f.SetCellStr("Dati", "B1", "Valore"))
	must(f.SetCellStr("Dati", "A2", "P-01"))
	must(f.SetCellFloat("Dati", "B2", 42.5, -1, 64))
	must(f.SetCellStr("Dati", "A3", "P-02"))
	must(f.SetCellFormula("Dati", "B3", "B2*2"))
	date, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	must(err)
	percent, err := f.NewStyle(&excelize.Style{NumFmt: 10})
	must(err)
	must(f.SetCellInt("Dati", "C2", 45000))
	must(f.SetCellStyle("Dati", "C2", "C2", date))
	must(f.SetCellFloat("Dati", "D2", 0.25, -1, 64))
	must(f.SetCellStyle("Dati", "D2", "D2", percent))
	must(f.SetRowVisible("Dati", 3, false))
	buf, err := f.WriteToBuffer()
	must(err)
	bin := bytes.Repeat([]byte("foreign binary part\x00\x01\x02"), 200)
	var comp bytes.Buffer
	fw, _ := flate.NewWriter(&comp, flate.BestCompression)
	fw.Write(bin)
	fw.Close()
	hard := deflated(foreignBin, bin)
	hard.raw, hard.csize = comp.Bytes(), uint64(comp.Len())
	xml := []byte(`<?xml version="1.0" encoding="UTF-8"?>` + "\r\n" + `<root xmlns="urn:example">foreign &amp; kept</root>`)
	return withEntries(t, buf.Bytes(), hard, extraEntry{name: foreignXML, method: zip.Store, raw: xml, crc: crcOf(xml), size: uint64(len(xml)), csize: uint64(len(xml))})
}

func crcOf(b []byte) uint32 { return deflated("", b).crc }

// partOf returns the uncompressed bytes of a package part.
func partOf(t testing.TB, data []byte, name string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	for _, zf := range zr.File {
		if zf.Name == name {
			b, err := ReadPart(zf)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
	}
	t.Fatalf("no part %s", name)
	return nil
}

// rawEntries maps each entry of a package to its method and compressed
// bytes.
func rawEntries(t testing.TB, data []byte) map[string]string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, zf := range zr.File {
		r, err := zf.OpenRaw()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		out[zf.Name] = string(rune('0'+zf.Method)) + string(b)
	}
	return out
}

// captured has excelize save a package into a PartCapture, after edit (if
// not nil); ok is false when excelize refuses the package or panics on it.
func captured(t testing.TB, data []byte, lim Limits, edit func(*excelize.File)) (c *PartCapture, ok bool) {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: lim.UnzipSize, UnzipXMLSizeLimit: lim.UnzipXMLSize})
	if err != nil {
		return nil, false
	}
	defer f.Close()
	defer func() {
		if recover() != nil {
			c, ok = nil, false
		}
	}()
	if edit != nil {
		edit(f)
	}
	c = NewPartCapture()
	f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return c })
	if err := f.Write(io.Discard); err != nil {
		return nil, false
	}
	return c, true
}

// originals maps the entries of a package by name.
func originals(t testing.TB, data []byte) map[string]*zip.File {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	orig := map[string]*zip.File{}
	for _, zf := range zr.File {
		orig[zf.Name] = zf
	}
	return orig
}

// copyPackage copies a package as a writer does: excelize saves it, the
// parts it did not change are copied from the original as they were.
func copyPackage(t testing.TB, data []byte, lim Limits) ([]byte, bool) {
	t.Helper()
	c, ok := captured(t, data, lim, nil)
	if !ok {
		return nil, false
	}
	out, err := Assemble(data, originals(t, data), c, NewDeflater(), map[string]*DeflatedPart{})
	if err != nil {
		t.Fatal(err)
	}
	return out, true
}

// TestOpenPackageReadsSheet reads a workbook made by excelize: its sheets,
// shared strings, number formats, and one sheet's cells.
func TestOpenPackageReadsSheet(t *testing.T) {
	p, err := OpenPackage(context.Background(), testWorkbook(t), "prova.xlsx", DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Sheets) != 1 || p.Sheets[0].Name != "Dati" {
		t.Fatalf("sheets %+v, want Dati", p.Sheets)
	}
	parts := p.SheetParts("DATI") // names match ignoring case, as in Excel
	if len(parts) != 1 || parts[0] != "xl/worksheets/sheet1.xml" {
		t.Fatalf("parts of Dati: %v", parts)
	}
	d, err := ReadPart(p.Part(parts[0]))
	if err != nil {
		t.Fatal(err)
	}
	left := p.Left
	sh, ok, err := ParseSheet(d, left)
	if err != nil || !ok {
		t.Fatalf("ParseSheet: %v, %v", ok, err)
	}
	// The sheet's cost is charged to the budget, which it does not exceed.
	if u := sh.Cost.Units(); u <= 0 || u > left {
		t.Errorf("cost %d units", u)
	}
	tests := []struct {
		row, col int
		typ      uint8
		value    string
		formula  string
		numFmt   int
	}{
		{1, 1, CellShared, "Codice", "", 0},
		{2, 1, CellShared, "P-01", "", 0},
		{2, 2, CellNumber, "42.5", "", 0},
		{3, 2, CellFormula, "", "B2*2", 0}, // excelize types a formula t="str"
		{2, 3, CellNumber, "45000", "", 14},
		{2, 4, CellNumber, "0.25", "", 10},
	}
	for _, tt := range tests {
		c, r := sh.CellAt(tt.row, tt.col)
		if c == nil {
			t.Errorf("R%dC%d: no cell", tt.row, tt.col)
			continue
		}
		v, err := sh.Value(c, p.SST)
		if err != nil || v != tt.value || c.Type != tt.typ {
			t.Errorf("R%dC%d: %q (type %d), %v; want %q (type %d)", tt.row, tt.col, v, c.Type, err, tt.value, tt.typ)
		}
		if f, err := sh.Formula(c, tt.row); err != nil || f != tt.formula {
			t.Errorf("R%dC%d: formula %q, %v; want %q", tt.row, tt.col, f, err, tt.formula)
		}
		if s := sh.StyleOf(c, r); p.XfNumFmt[s] != tt.numFmt {
			t.Errorf("R%dC%d: number format %d, want %d", tt.row, tt.col, p.XfNumFmt[s], tt.numFmt)
		}
	}
	if !sh.Rows[3].Hidden || sh.Rows[2].Hidden {
		t.Errorf("hidden rows: 2 %v, 3 %v; want only 3", sh.Rows[2].Hidden, sh.Rows[3].Hidden)
	}
	if c, _ := sh.CellAt(9, 9); c != nil {
		t.Error("a cell where the sheet has none")
	}
}

// TestCopyKeepsForeignParts: a package copied through excelize keeps the
// parts excelize does not change, foreign ones included, with their
// compressed bytes; only what excelize rewrites is compressed again.
func TestCopyKeepsForeignParts(t *testing.T) {
	orig := testWorkbook(t)
	out, ok := copyPackage(t, orig, DefaultLimits())
	if !ok {
		t.Fatal("excelize refused the test workbook")
	}
	before, after := rawEntries(t, orig), rawEntries(t, out)
	for _, name := range []string{foreignXML, foreignBin, "xl/worksheets/sheet1.xml"} {
		if before[name] == "" || after[name] != before[name] {
			t.Errorf("%s: not copied as it was", name)
		}
	}
	if len(after) != len(before) {
		t.Errorf("%d entries, want %d", len(after), len(before))
	}
	if _, err := OpenPackage(context.Background(), out, "copia.xlsx", DefaultLimits()); err != nil {
		t.Fatalf("the copy cannot be opened: %v", err)
	}
}

// TestWriteSheetIntoCopy writes a new sheet's cells as XML into the part
// excelize saved for it (shared and inline texts, numbers, a formula, a
// link), and reads the copy back with excelize and with this package.
func TestWriteSheetIntoCopy(t *testing.T) {
	orig := testWorkbook(t)
	c, ok := captured(t, orig, DefaultLimits(), func(f *excelize.File) {
		if _, err := f.NewSheet("Nuovo"); err != nil {
			t.Fatal(err)
		}
	})
	if !ok {
		t.Fatal("excelize refused the test workbook")
	}
	paths, sstPath, err := SheetPaths(c)
	if err != nil || paths["Nuovo"] == "" || sstPath != "xl/sharedStrings.xml" {
		t.Fatalf("SheetPaths: %v, %q, %v", paths, sstPath, err)
	}
	name := paths["Nuovo"]
	head, tail, ok := SplitSheetData(c.Parts[name].Bytes())
	if !ok {
		t.Fatal("no sheetData")
	}
	sst, ok := NewSharedStrings(c.Parts[sstPath].Bytes())
	if !ok {
		t.Fatal("shared strings refused")
	}
	long := strings.Repeat("testo lungo, scritto in linea ", 3)
	d := NewDeflater()
	part := d.Part(name)
	x := NewSheetXML(part.Add, d.Buffer)
	x.SST = sst
	x.StartRow(1)
	x.Text(0, "Codice") // the original's item, reused
	x.Text(0, long)
	x.Num(0, 3.25)
	x.StartRow(2)
	x.Formula(0, "Dati!B2*2", 85)
	x.Link(0, "vai", "Dati!A1")
	x.Finish()
	if got := x.Dimension(); got != "A1:C2" {
		t.Errorf("dimension %s, want A1:C2", got)
	}
	part.Prepend(SetDimension(head, x.Dimension()))
	part.End(InsertLinks(tail, x.Links))
	c.Parts[sstPath] = bytes.NewBuffer(sst.Part(c.Parts[sstPath].Bytes()))
	out, err := Assemble(orig, originals(t, orig), c, d, map[string]*DeflatedPart{name: part})
	if err != nil {
		t.Fatal(err)
	}
	f := testkit.OpenWorkbook(t, out)
	for cell, want := range map[string]string{"A1": "Codice", "B1": long, "C1": "3.25", "A2": "85", "B2": "vai"} {
		if got, err := f.GetCellValue("Nuovo", cell); err != nil || got != want {
			t.Errorf("Nuovo!%s = %q, %v; want %q", cell, got, err, want)
		}
	}
	if got, _ := f.GetCellFormula("Nuovo", "A2"); got != "Dati!B2*2" {
		t.Errorf("formula %q", got)
	}
	if ok, target, _ := f.GetCellHyperLink("Nuovo", "B2"); !ok || target != "Dati!A1" {
		t.Errorf("link %v %q, want Dati!A1", ok, target)
	}
	if got, _ := f.GetCellValue("Dati", "A2"); got != "P-01" {
		t.Errorf("the original sheet reads %q", got)
	}
	// "Codice" was reused: the part holds one more item (the long text is
	// inline), and the original's items are where they were.
	p, err := OpenPackage(context.Background(), out, "copia.xlsx", DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	if len(p.SST) != 5 || p.SST[0] != "Codice" {
		t.Errorf("shared strings %q, want the original 5", p.SST)
	}
	if rawEntries(t, out)[foreignBin] != rawEntries(t, orig)[foreignBin] {
		t.Error("the foreign part was rewritten")
	}
}

// FuzzXMLScanner feeds any bytes to the scanner's readers: the shared
// strings, a worksheet (and each of its cells' values and formulas), the
// shared strings editor and text decoding. None panics, and the budget
// bounds what the shared strings reader charges.
func FuzzXMLScanner(f *testing.F) {
	f.Add([]byte(`<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>a</t></si><si><r><t>b</t></r><rPh><t>x</t></rPh></si></sst>`))
	f.Add([]byte(`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cols><col min="1" max="2" style="1"/></cols><sheetData>` +
		`<row r="1" hidden="1"><c r="A1" t="s"><v>0</v></c><c r="B1"><f t="shared" ref="B1:B2" si="0">A1*2</f><v>4</v></c></row>` +
		`<row r="2"><c r="B2"><f t="shared" si="0"/></c><c r="C2" t="inlineStr"><is><t>x&amp;y</t></is></c></row></sheetData></worksheet>`))
	f.Add([]byte(`<?xml version="1.0"?><!DOCTYPE x><a>&#x41;<![CDATA[<b>]]></a>`))
	const budget = 500
	f.Fuzz(func(t *testing.T, d []byte) {
		if len(d) > 1<<16 {
			return
		}
		items, units, ok, err := ParseSST(d, budget)
		if ok != (units <= budget) {
			t.Fatalf("ParseSST: ok %v with %d units of %d", ok, units, budget)
		}
		if sh, ok, err := ParseSheet(d, budget); err == nil && ok {
			for _, n := range sh.Order {
				for i := range sh.Rows[n].Cells {
					c := &sh.Rows[n].Cells[i]
					sh.Value(c, items)
					sh.Formula(c, n)
					sh.StyleOf(c, sh.Rows[n])
				}
			}
		}
		if ss, ok := NewSharedStrings(d); ok {
			ss.ID("nuovo")
			if err == nil {
				ss.Part(d)
			}
		}
		decodeText(d)
		CheckChars(d)
	})
}
