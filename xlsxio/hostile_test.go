package xlsxio

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/its-academy/auditor/compute"
	"github.com/its-academy/auditor/internal/xlsx"
	"github.com/its-academy/auditor/testkit"
	"github.com/its-academy/auditor/validate"
	"github.com/xuri/excelize/v2"
)

// TestDamagedStructuralPartsRefused: an empty or unparsable styles, theme
// or workbook part is refused as damaged by Open (excelize would take it
// for an empty structure and dereference nil when the copy is written),
// and what Open accepts WriteAudit writes without panicking.
func TestDamagedStructuralPartsRefused(t *testing.T) {
	base := testkit.Testdata(t, "esempio-fondazione.xlsx")
	const ns = `xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"`
	tests := []struct {
		name, part, content string
		want                string // in the message
	}{
		{"empty styles", "xl/styles.xml", "", "«xl/styles.xml» è vuota"},
		{"blank styles", "xl/styles.xml", "<?xml version=\"1.0\"?>\n  ", "«xl/styles.xml» è vuota"},
		{"truncated styles", "xl/styles.xml", `<styleSheet ` + ns + `><numFmts count="1">`, "«xl/styles.xml» è illeggibile"},
		{"mismatched styles", "xl/styles.xml", `<styleSheet ` + ns + `><fonts></numFmts></styleSheet>`, "«xl/styles.xml» è illeggibile"},
		{"two roots", "xl/styles.xml", `<styleSheet ` + ns + `/><styleSheet ` + ns + `/>`, "«xl/styles.xml» è illeggibile"},
		{"styles not a stylesheet", "xl/styles.xml", `<worksheet ` + ns + `/>`, "«xl/styles.xml» non ha il contenuto atteso"},
		{"empty theme", "xl/theme/theme1.xml", "", "«xl/theme/theme1.xml» è vuota"},
		{"empty workbook", "xl/workbook.xml", "", "«xl/workbook.xml» è vuota"},
		{"truncated workbook", "xl/workbook.xml", `<workbook ` + ns + `><sheets>`, "«xl/workbook.xml» è illeggibile"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := testkit.ReplaceParts(t, base, map[string][]byte{tt.part: []byte(tt.content)})
			_, err := Open(data, "fondazione.xlsx", DefaultLimits())
			var oe *OpenError
			if !errors.As(err, &oe) || !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Open: %v, want a damaged workbook", err)
			}
			if !strings.Contains(oe.Msg, tt.want) || !strings.HasPrefix(oe.Msg, "«fondazione.xlsx» ") {
				t.Errorf("message %q, want %q", oe.Msg, tt.want)
			}
		})
	}
}

// TestMinimalStylesWrittenOrRefused: a styles part that is well-formed
// but holds no fonts, fills or cell formats (excelize dereferences nil on
// it) gives a damaged-workbook error from WriteAudit, never a panic.
func TestMinimalStylesWrittenOrRefused(t *testing.T) {
	base := testkit.Testdata(t, "esempio-fondazione.xlsx")
	data := testkit.ReplaceParts(t, base, map[string][]byte{"xl/styles.xml": []byte(`<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>`)})
	wb, err := Open(data, "fondazione.xlsx", DefaultLimits())
	if err != nil {
		if !errors.Is(err, ErrCorrupt) {
			t.Fatalf("Open: %v", err)
		}
		return
	}
	a := validated(t, wb, validate.Options{})
	out, err := WriteAudit(data, a, WriteOptions{Version: "test"})
	if err != nil && !errors.Is(err, ErrCorrupt) {
		t.Fatalf("WriteAudit: %v, want a copy or a damaged workbook", err)
	}
	if err == nil {
		if _, err := Open(out, "copia.xlsx", DefaultLimits()); err != nil {
			t.Fatalf("the copy cannot be read again: %v", err)
		}
	}
}

// TestEmptySheetPartRefused: an empty Percorsi part (or shared strings
// part) is a damaged workbook, not a sheet without its columns.
func TestEmptySheetPartRefused(t *testing.T) {
	base := testkit.Testdata(t, "esempio-fondazione.xlsx")
	tests := []struct{ part, want string }{
		{sheetPartOf(t, base, validate.SheetCourses), "il foglio «Percorsi» non può essere letto"},
		{sheetPartOf(t, base, validate.SheetFoundation), "il foglio «Fondazione» non può essere letto"},
		{"xl/sharedStrings.xml", "«xl/sharedStrings.xml» è illeggibile"},
	}
	for _, tt := range tests {
		t.Run(tt.part, func(t *testing.T) {
			data := testkit.ReplaceParts(t, base, map[string][]byte{tt.part: nil})
			_, err := Open(data, "fondazione.xlsx", DefaultLimits())
			var oe *OpenError
			if !errors.As(err, &oe) || !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Open: %v, want a damaged workbook", err)
			}
			if !strings.Contains(oe.Msg, tt.want) {
				t.Errorf("message %q, want %q", oe.Msg, tt.want)
			}
		})
	}
}

// TestPercentFormattedCourseCell: a number formatted as a percentage in
// Percorsi (Excel shows 76%, the cell holds 0.76) is a finding on its cell
// saying what is shown, what is stored and what to write; it is not used.
func TestPercentFormattedCourseCell(t *testing.T) {
	f := testkit.OpenWorkbook(t, testkit.Testdata(t, "esempio-fondazione.xlsx"))
	codes, err := f.GetRows(validate.SheetCourses)
	if err != nil || len(codes) < 3 {
		t.Fatalf("rows: %v", err)
	}
	col := slices.Index(codes[1], "soddisfazione")
	if col < 0 {
		t.Fatal("no soddisfazione column")
	}
	ref, _ := excelize.CoordinatesToCellName(col+1, 3)
	pct, err := f.NewStyle(&excelize.Style{NumFmt: 9}) // 0%
	if err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellFloat(validate.SheetCourses, ref, 0.76, -1, 64); err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellStyle(validate.SheetCourses, ref, ref, pct); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	a, _ := audit(t, buf.Bytes(), validate.Options{})
	cell := validate.CellRef(validate.SheetCourses + "!" + ref)
	var found *validate.Finding
	for i := range a.Courses {
		for j, fi := range a.Courses[i].Findings {
			if fi.Cell == cell && fi.Rule == validate.RulePercentFormat {
				found = &a.Courses[i].Findings[j]
			}
		}
		if a.Courses[i].Row == 3 && a.Courses[i].Result != nil {
			for _, ar := range a.Courses[i].Result.Articulations {
				if ar.Number == 16 && ar.Result != nil && *ar.Result == 0.76 {
					t.Errorf("soddisfazione read as 0.76: R16 = %v", *ar.Result)
				}
			}
		}
	}
	if found == nil {
		t.Fatalf("no %s finding on %s", validate.RulePercentFormat, cell)
	}
	if found.Severity != compute.SeverityError {
		t.Errorf("severity %s", found.Severity)
	}
	for _, want := range []string{"Excel mostra 76%", "contiene 0,76", "formato Numero"} {
		if !strings.Contains(found.Message, want) {
			t.Errorf("message %q lacks %q", found.Message, want)
		}
	}
}

// TestForgedMarkerDoesNotReplaceUserSheet: a user's sheet «Esito» with a
// defined name auditor_fogli_prodotto naming it is not the product's: the
// audit refuses it as sheet_name_taken instead of replacing it. A real
// audited copy is still audited again.
func TestForgedMarkerDoesNotReplaceUserSheet(t *testing.T) {
	example := testkit.Testdata(t, "esempio-fondazione.xlsx")
	_, copy1 := audit(t, example, validate.Options{})
	forge := func(base []byte, edit func(f *excelize.File)) []byte {
		f := testkit.OpenWorkbook(t, base)
		edit(f)
		var buf bytes.Buffer
		if err := f.Write(&buf); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	userSheet := func(f *excelize.File, name string, head ...any) {
		if _, err := f.NewSheet(name); err != nil {
			t.Fatal(err)
		}
		if err := f.SetSheetRow(name, "A1", &head); err != nil {
			t.Fatal(err)
		}
		if err := f.SetCellValue(name, "A2", "dati dell'utente"); err != nil {
			t.Fatal(err)
		}
	}
	marker := func(f *excelize.File, sheets string) {
		if err := f.SetDefinedName(&excelize.DefinedName{Name: markerName, RefersTo: `"` + sheets + `"`}); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name  string
		data  []byte
		taken bool
	}{
		{"marker naming a user's sheet", forge(example, func(f *excelize.File) {
			userSheet(f, SheetOutcome, "Note", "Valori")
			marker(f, SheetOutcome)
		}), true},
		{"marker and the product's header, no stamp", forge(example, func(f *excelize.File) {
			userSheet(f, SheetOutcome, "Codice percorso", "Titolo")
			marker(f, SheetOutcome)
		}), true},
		{"user's Timbro with a marker", forge(example, func(f *excelize.File) {
			userSheet(f, SheetStamp, "Voce", "Valore")
			marker(f, SheetStamp)
		}), true},
		{"user's sheet beside a real audit", forge(copy1, func(f *excelize.File) {
			if err := f.DeleteSheet(SheetFindings); err != nil {
				t.Fatal(err)
			}
			userSheet(f, SheetFindings, "Le mie note", "")
		}), true},
		{"an audited copy", copy1, false},
	}
	reg, err := compute.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wb := mustOpen(t, tt.data, "fondazione.xlsx")
			a, err := validate.Run(wb.Input, reg, validate.Options{})
			if err != nil {
				t.Fatal(err)
			}
			_, err = WriteAudit(tt.data, a, WriteOptions{Version: "test"})
			if tt.taken != errors.Is(err, ErrSheetNameTaken) || (!tt.taken && err != nil) {
				t.Fatalf("WriteAudit: %v, want taken %v", err, tt.taken)
			}
		})
	}
}

// TestSheetNamesExcelForbids: a sheet name Excel forbids (a leading or
// trailing apostrophe, a reserved character, too long) is refused at the
// first audit with an Italian message, since the copy could not be
// audited again; an apostrophe inside a name is audited twice.
func TestSheetNamesExcelForbids(t *testing.T) {
	base := testkit.Testdata(t, "esempio-fondazione.xlsx")
	wbXML := string(partOf(t, base, "xl/workbook.xml"))
	rename := func(name string) []byte {
		return testkit.ReplaceParts(t, base, map[string][]byte{"xl/workbook.xml": []byte(replaceOnce(t, wbXML, `name="Istruzioni"`, `name="`+name+`"`))})
	}
	tests := []struct{ name, want string }{
		{"'Istruzioni", "inizia o finisce con un apostrofo"},
		{"Istruzioni'", "inizia o finisce con un apostrofo"},
		{"Istru:zioni", "contiene uno dei caratteri"},
		{"Istruzioni per la compilazione 2024", "supera 31 caratteri"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Open(rename(tt.name), "fondazione.xlsx", DefaultLimits())
			var oe *OpenError
			if !errors.As(err, &oe) || !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Open: %v, want a refusal", err)
			}
			if !strings.Contains(oe.Msg, "«"+tt.name+"»") || !strings.Contains(oe.Msg, tt.want) {
				t.Errorf("message %q", oe.Msg)
			}
		})
	}
	t.Run("apostrophe inside", func(t *testing.T) {
		_, copy1 := audit(t, rename("L'istruzione"), validate.Options{})
		audit(t, copy1, validate.Options{})
	})
}

// TestMoreFindingsThanLinks: a workbook of 3,000 sparse course rows (only
// the course code filled) has more findings than a sheet can hold links
// (65,530): the copy is written, the first findings with links, the rest
// with the cell as text, and a note says so.
func TestMoreFindingsThanLinks(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a workbook of 3,000 rows")
	}
	edited := testkit.EditWorkbook(t, templateBytes(t), func(f *excelize.File) error {
		codes, err := f.GetRows(validate.SheetCourses)
		if err != nil {
			t.Fatal(err)
		}
		col := slices.Index(codes[1], "codice_percorso")
		if col < 0 {
			t.Fatal("no codice_percorso column")
		}
		const rows = 3000
		for r := 3; r < 3+rows; r++ {
			ref, _ := excelize.CoordinatesToCellName(col+1, r)
			if err := f.SetCellStr(validate.SheetCourses, ref, fmt.Sprintf("P-%04d", r)); err != nil {
				t.Fatal(err)
			}
		}
		return nil
	})
	a, out := audit(t, edited, validate.Options{})
	n := len(a.Findings)
	for _, c := range a.Courses {
		n += len(c.Findings)
	}
	if n <= maxFindingLinks+1 {
		t.Fatalf("only %d findings: the workbook does not test the limit", n)
	}
	g := testkit.OpenWorkbook(t, out)
	// Row 2 is the first finding, with a link; row maxFindingLinks+2 the
	// first without.
	if ok, _, err := g.GetCellHyperLink(SheetFindings, "D2"); err != nil || !ok {
		t.Errorf("D2: link %v, %v", ok, err)
	}
	last := fmt.Sprintf("D%d", maxFindingLinks+2)
	if ok, _, _ := g.GetCellHyperLink(SheetFindings, last); ok {
		t.Errorf("%s has a link beyond the limit", last)
	}
	if v, _ := g.GetCellValue(SheetFindings, last); !strings.Contains(v, "!") {
		t.Errorf("%s = %q, want the cell as text", last, v)
	}
	note, _ := g.GetCellValue(SheetFindings, fmt.Sprintf("G%d", n+3))
	if !strings.Contains(note, fmt.Sprintf("I rilievi sono %d", n)) {
		t.Errorf("note %q", note)
	}
}

// TestReauditByteStable: auditing an audited copy again, three times,
// gives the same parts apart from the stamp and the audited file's SHA-256
// in the product sheets' page footers (no conditional styles, shared
// strings or charts piling up), and the user's parts keep their original
// bytes at every audit.
func TestReauditByteStable(t *testing.T) {
	orig := testkit.Testdata(t, "esempio-fondazione.xlsx")
	copies := [][]byte{orig}
	for range 4 {
		_, out := audit(t, copies[len(copies)-1], validate.Options{})
		copies = append(copies, out)
	}
	stampPart := func(data []byte) string {
		p, err := xlsx.OpenPackage(context.Background(), data, "copia.xlsx", DefaultLimits())
		if err != nil {
			t.Fatal(err)
		}
		return p.SheetParts(SheetStamp)[0]
	}
	// copies[1] is the first audit; copies[2..4] audit an audited copy.
	hash := func(data []byte) []byte {
		sum := sha256.Sum256(data)
		return []byte(hex.EncodeToString(sum[:]))
	}
	for i := 3; i < len(copies); i++ {
		a, b := zipParts(t, copies[i-1]), zipParts(t, copies[i])
		for name := range a {
			a[name] = bytes.ReplaceAll(a[name], hash(copies[i-2]), []byte("SHA"))
		}
		for name := range b {
			b[name] = bytes.ReplaceAll(b[name], hash(copies[i-1]), []byte("SHA"))
		}
		stamp := stampPart(copies[i])
		if len(a) != len(b) {
			t.Errorf("audit %d: %d parts, then %d", i, len(a), len(b))
		}
		for name, pa := range a {
			if name == stamp {
				continue
			}
			if pb, ok := b[name]; !ok || !bytes.Equal(pa, pb) {
				t.Errorf("audit %d: part %s changed (%d → %d bytes)", i, name, len(pa), len(pb))
			}
		}
	}
	// The user's parts: every part of the original but those the audit
	// must extend (the package's lists, the styles, the shared strings).
	extended := map[string]bool{"[Content_Types].xml": true, "xl/workbook.xml": true, "xl/_rels/workbook.xml.rels": true, "xl/styles.xml": true, "xl/sharedStrings.xml": true, "docProps/app.xml": true}
	user := zipParts(t, orig)
	for i := 1; i < len(copies); i++ {
		parts := zipParts(t, copies[i])
		for name, want := range user {
			want, _ = xlsx.Deselect(want) // the copy opens on Esito: no user's sheet is selected
			if !extended[name] && !bytes.Equal(parts[name], want) {
				t.Errorf("audit %d: the user's part %s changed", i, name)
			}
		}
		// The user's shared strings keep their bytes; the product's follow.
		sst, got := user["xl/sharedStrings.xml"], parts["xl/sharedStrings.xml"]
		from, to := bytes.Index(sst, []byte("<si>")), bytes.LastIndex(sst, []byte("</si>"))
		if from < 0 || !bytes.Contains(got, sst[from:to]) {
			t.Errorf("audit %d: the user's shared strings were rewritten", i)
		}
	}
}

// TestBidiControlsStripped: a file name with a right-to-left override
// (U+202E) or other direction controls is shown without them.
func TestBidiControlsStripped(t *testing.T) {
	for _, name := range []string{"fattura\u202Exslx.exe", "a\u2066b\u2069c\u200F.xlsx", "riga\nnuova\u202D.xlsx"} {
		_, err := Open([]byte("testo"), name, DefaultLimits())
		var oe *OpenError
		if !errors.As(err, &oe) {
			t.Fatalf("%q: %v", name, err)
		}
		if strings.IndexFunc(oe.Msg, func(r rune) bool { return IsBidiControl(r) || r == '\n' }) >= 0 {
			t.Errorf("%q: message %q keeps a control", name, oe.Msg)
		}
	}
}

// TestStructuralBudgets: a huge attribute or too many defined names in
// the workbook part are refused by a budget before excelize decodes them.
func TestStructuralBudgets(t *testing.T) {
	base := testkit.Testdata(t, "esempio-fondazione.xlsx")
	wbXML := string(partOf(t, base, "xl/workbook.xml"))
	var names strings.Builder
	for i := range xlsx.MaxDefinedNames + 1 {
		fmt.Fprintf(&names, `<definedName name="n%d">Elenchi!$A$1</definedName>`, i)
	}
	tests := []struct{ name, xml, want string }{
		{"2 MB attribute", replaceOnce(t, wbXML, `<workbookPr `, `<workbookPr codeName="`+strings.Repeat("A", 2<<20)+`" `), "attributi di oltre 1 MB"},
		{"10,001 defined names", replaceOnce(t, wbXML, `<definedNames>`, `<definedNames>`+names.String()), "più di 10000 nomi"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Open(testkit.ReplaceParts(t, base, map[string][]byte{"xl/workbook.xml": []byte(tt.xml)}), "fondazione.xlsx", DefaultLimits())
			var oe *OpenError
			if !errors.As(err, &oe) || !errors.Is(err, ErrTooLarge) || !strings.Contains(oe.Msg, tt.want) {
				t.Fatalf("Open: %v, want too large with %q", err, tt.want)
			}
		})
	}
}

// TestHiddenCourseRowFinding: a course on a hidden row is audited, with
// an info finding on the row, so that what is counted can be seen.
func TestHiddenCourseRowFinding(t *testing.T) {
	edited := testkit.EditWorkbook(t, testkit.Testdata(t, "esempio-fondazione.xlsx"), func(f *excelize.File) error {
		if err := f.SetRowVisible(validate.SheetCourses, 4, false); err != nil {
			t.Fatal(err)
		}
		return nil
	})
	wb := mustOpen(t, edited, "fondazione.xlsx")
	var hidden []string
	for _, fi := range wb.Input.Findings {
		if fi.Rule == RuleHiddenRow {
			hidden = append(hidden, string(fi.Cell))
			if fi.Severity != compute.SeverityInfo || !strings.Contains(fi.Message, "la riga 4 del foglio Percorsi è nascosta") {
				t.Errorf("finding %+v", fi)
			}
		}
	}
	if len(hidden) != 1 || hidden[0] != "Percorsi!A4" {
		t.Errorf("hidden-row findings on %v, want Percorsi!A4", hidden)
	}
	if len(wb.Input.Courses) != 10 {
		t.Errorf("%d courses, want the example's 10", len(wb.Input.Courses))
	}
}
