package xlsxio

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/its-academy/auditor/compute"
	"github.com/its-academy/auditor/internal/xlsx"
	"github.com/its-academy/auditor/testkit"
	"github.com/its-academy/auditor/validate"
	"github.com/xuri/excelize/v2"
)

// foreignDir holds workbooks written by other tools (see its README.md).
const foreignDir = "../testdata/foreign"

// officialFixture describes an official workbook built by the tests with excelize.
type officialFixture struct {
	version  any      // template_versione value; nil: no such row
	codes    []string // Percorsi codes row, in column order
	courses  map[int]map[string]any
	noSheet  string // an official sheet to leave out
	date1904 bool
	// noCache lists Percorsi cells that get a formula without a cached
	// value (SetCellFormula writes none), after the sheet is written.
	noCache map[string]string
}

// fullCodes returns every course code in template order.
func fullCodes() []string {
	var out []string
	for _, f := range validate.CourseFields() {
		out = append(out, string(f.Code))
	}
	return out
}

// movedCodes puts a few codes first, with an extra column and a code typed
// with spaces and capitals, and the others after in reverse order.
func movedCodes() []string {
	first := []string{"titolo", "note_interne", "codice_percorso", " Livello_EQF ", "area_tecnologica", "data_fine"}
	out := slices.Clone(first)
	rest := fullCodes()
	slices.Reverse(rest)
	for _, c := range rest {
		if !slices.ContainsFunc(first, func(s string) bool { return normCode(s) == c }) {
			out = append(out, c)
		}
	}
	return out
}

// letterOf returns the column letter of a code in a codes row.
func letterOf(t testing.TB, codes []string, code string) string {
	t.Helper()
	for i, c := range codes {
		if normCode(c) == code {
			l, err := excelize.ColumnNumberToName(i + 1)
			if err != nil {
				t.Fatal(err)
			}
			return l
		}
	}
	t.Fatalf("code %s not in codes row", code)
	return ""
}

// styles used by the fixtures, created in each file.
type fixtureStyles struct{ date, customDate, notDate int }

func newStyles(t testing.TB, f *excelize.File) fixtureStyles {
	t.Helper()
	custom := "dd/mm/yyyy"
	notDate := `0.0 "days"`
	var s fixtureStyles
	var err error
	if s.date, err = f.NewStyle(&excelize.Style{NumFmt: 14}); err != nil {
		t.Fatal(err)
	}
	if s.customDate, err = f.NewStyle(&excelize.Style{CustomNumFmt: &custom}); err != nil {
		t.Fatal(err)
	}
	if s.notDate, err = f.NewStyle(&excelize.Style{CustomNumFmt: &notDate}); err != nil {
		t.Fatal(err)
	}
	return s
}

// addOfficialSheets writes the three official sheets into f.
func addOfficialSheets(t testing.TB, f *excelize.File, fx officialFixture) {
	t.Helper()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	if fx.noSheet != validate.SheetFoundation {
		_, err := f.NewSheet(validate.SheetFoundation)
		must(err)
		rows := [][]any{
			{"codice", "voce", "valore"},
			{"fondazione_codice", "Codice della Fondazione", "ITS-LOM-01"},
			{"fondazione_nome", "Denominazione", "Fondazione ITS Prova"},
			{" REGIONE ", "Regione", "Lombardia"},
			{"nota_libera", "Altro", "ignorato"},
			{"anno_monitoraggio", "Anno", 2025},
		}
		if fx.version != nil {
			rows = append(rows, []any{"template_versione", "Versione del modello", fx.version})
		}
		for i, r := range rows {
			must(f.SetSheetRow(validate.SheetFoundation, "A"+strconv.Itoa(i+1), &r))
		}
	}
	if fx.noSheet != validate.SheetCourses {
		_, err := f.NewSheet(validate.SheetCourses)
		must(err)
		sw, err := f.NewStreamWriter(validate.SheetCourses)
		must(err)
		labels := map[string]string{}
		for _, fl := range validate.CourseFields() {
			labels[string(fl.Code)] = fl.Label
		}
		var head, codes []any
		for _, c := range fx.codes {
			head = append(head, labels[normCode(c)])
			codes = append(codes, c)
		}
		must(sw.SetRow("A1", head))
		must(sw.SetRow("A2", codes))
		var rows []int
		for r := range fx.courses {
			rows = append(rows, r)
		}
		slices.Sort(rows)
		for _, r := range rows {
			vals := make([]any, len(fx.codes))
			for i, c := range fx.codes {
				vals[i] = fx.courses[r][normCode(c)]
			}
			must(sw.SetRow("A"+strconv.Itoa(r), vals))
		}
		must(sw.Flush())
	}
	if fx.noSheet != validate.SheetThresholds {
		_, err := f.NewSheet(validate.SheetThresholds)
		must(err)
		rows := [][]any{
			{"codice", "voce", "valore", "fonte"},
			{"S1", "Soglia articolazione 1", 51.6, "DM 30/11/2023, Tab. 3"},
			{},
			{"occupati_meccanica", "Occupati, area meccanica", "60,0", "DM 30/11/2023, Tab. 4"},
			{" S3 ", "Soglia articolazione 3", nil, ""},
			{"S6", "Soglia articolazione 6", 0.516, ""}, // built-in percent format
			{"S8", "Soglia articolazione 8", 0.25, ""},  // custom percent format
			{"S9", "Soglia articolazione 9", 12.5, ""},  // a literal "%": not scaled
			{"S10", "Soglia articolazione 10", 7.5, ""}, // an escaped \%: not scaled
		}
		for i, r := range rows {
			must(f.SetSheetRow(validate.SheetThresholds, "A"+strconv.Itoa(i+1), &r))
		}
		for cell, format := range map[string]string{"C6": "", "C7": "0.0%", "C8": `0.0"%"`, "C9": `0.0\%`} {
			st := &excelize.Style{NumFmt: 10}
			if format != "" {
				st = &excelize.Style{CustomNumFmt: &format}
			}
			id, err := f.NewStyle(st)
			must(err)
			must(f.SetCellStyle(validate.SheetThresholds, cell, cell, id))
		}
	}
	if fx.date1904 {
		yes := true
		must(f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &yes}))
	}
}

// buildOfficial returns the bytes of a workbook made from a fixture.
func buildOfficial(t testing.TB, fx officialFixture) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	addOfficialSheets(t, f, fx)
	if err := f.DeleteSheet("Sheet1"); err != nil {
		t.Fatal(err)
	}
	return finish(t, f, fx)
}

// finish saves f and adds the formulas without cached value.
func finish(t testing.TB, f *excelize.File, fx officialFixture) []byte {
	t.Helper()
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	if len(fx.noCache) == 0 {
		return buf.Bytes()
	}
	g, err := excelize.OpenReader(buf)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	for cell, formula := range fx.noCache {
		if err := g.SetCellFormula(validate.SheetCourses, cell, formula); err != nil {
			t.Fatal(err)
		}
	}
	out, err := g.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// patchZip rewrites one part of a zip with edit, which must change it.
func patchZip(t testing.TB, data []byte, part string, edit func(string) string) []byte {
	t.Helper()
	files := testkit.Unzip(t, data)
	i := slices.IndexFunc(files, func(f testkit.File) bool { return f.Name == part })
	if i < 0 {
		t.Fatalf("no part %s", part)
	}
	s := edit(string(files[i].Data))
	if s == string(files[i].Data) {
		t.Fatalf("patch of %s changed nothing", part)
	}
	files[i].Data = []byte(s)
	return testkit.Zip(t, files)
}

// replaceOnce replaces old, which must occur in s.
func replaceOnce(t testing.TB, s, old, new string) string {
	t.Helper()
	if !strings.Contains(s, old) {
		t.Fatalf("%q not found in the part", old)
	}
	return strings.Replace(s, old, new, 1)
}

// sheetPartOf returns the part of an official sheet in a workbook built by
// build (excelize numbers them in creation order).
func sheetPartOf(t testing.TB, data []byte, sheet string) string {
	t.Helper()
	o, err := xlsx.OpenPackage(context.Background(), data, "prova.xlsx", DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	p := o.SheetParts(sheet)
	if len(p) != 1 {
		t.Fatalf("parts for %s: %v", sheet, p)
	}
	return p[0]
}

// mainFixture is the reference workbook: columns moved, an extra column,
// blank rows, numbers as numbers and as text, dates as serials and as
// text, formulas with and without cached value, formula errors.
// mainWorkbook is the workbook of mainFixture (beside excelize's Sheet1).
func mainWorkbook(tb testing.TB) []byte {
	tb.Helper()
	g := excelize.NewFile()
	defer g.Close()
	fx := mainFixture(tb, newStyles(tb, g))
	addOfficialSheets(tb, g, fx)
	return finish(tb, g, fx)
}

func mainFixture(t testing.TB, st fixtureStyles) officialFixture {
	codes := movedCodes()
	col := func(code string) string { return letterOf(t, codes, code) }
	return officialFixture{
		version: validate.TemplateVersion,
		codes:   codes,
		courses: map[int]map[string]any{
			3: {
				"codice_percorso": "P-01", "titolo": "Tecnico della mobilità", "livello_eqf": 5,
				"area_tecnologica": "Mobilità sostenibile", "data_fine": excelize.Cell{StyleID: st.date, Value: 45657},
				"domande_iscrizione": 40, "partecipanti_selezione": "35,5", "ore_totali": 1800.5,
				"iscritti":      excelize.Cell{Formula: col("domande_iscrizione") + "3/2", Value: 20},
				"soddisfazione": excelize.Cell{StyleID: st.notDate, Value: 8.25},
				"note_interne":  "colonna in più",
			},
			// row 4 is absent; row 5 fills only the extra column; row 6
			// only spaces: all three are skipped.
			5: {"note_interne": "solo note"},
			6: {"titolo": "   "},
			7: {
				"codice_percorso": "P-02", "livello_eqf": "5", "data_fine": "31/12/2024",
				"ore_totali":     excelize.Cell{Formula: "1/0", Value: "#DIV/0!"},
				"ore_stage":      excelize.Cell{Formula: "NA()", Value: "#N/A"}, // patched to t="e"
				"ore_teoria":     excelize.Cell{Formula: `""`, Value: ""},       // a cached empty string (t="str")
				"iscritte":       true,
				"ore_estero":     "ISO",
				"imprese_totali": excelize.Cell{StyleID: st.customDate, Value: 45291.5},
			},
		},
		noCache: map[string]string{col("iscritti") + "7": col("domande_iscrizione") + "7*2"},
	}
}

func TestOpenReadsOfficialWorkbook(t *testing.T) {
	f := excelize.NewFile()
	st := newStyles(t, f)
	fx := mainFixture(t, st)
	addOfficialSheets(t, f, fx)
	if err := f.DeleteSheet("Sheet1"); err != nil {
		t.Fatal(err)
	}
	data := finish(t, f, fx)
	f.Close()
	col := func(code string) string { return letterOf(t, fx.codes, code) }
	part := sheetPartOf(t, data, validate.SheetCourses)
	data = patchZip(t, data, part, func(s string) string {
		// A cached error as Excel writes it (t="e"), and a t="d" ISO date.
		s = replaceOnce(t, s, `<c r="`+col("ore_stage")+`7" t="str">`, `<c r="`+col("ore_stage")+`7" t="e">`)
		s = replaceOnce(t, s, `<c r="`+col("ore_estero")+`7" t="inlineStr"><is><t>ISO</t></is></c>`,
			`<c r="`+col("ore_estero")+`7" t="d"><v>2024-12-31T12:00:00Z</v></c>`)
		// A cached empty string as Excel writes it: excelize omits <v>.
		return replaceOnce(t, s, `<f>&#34;&#34;</f></c>`, `<f>&#34;&#34;</f><v></v></c>`)
	})
	orig := bytes.Clone(data)

	wb := mustOpen(t, data, "fondazione.xlsx")
	in := wb.Input
	if !bytes.Equal(data, orig) {
		t.Error("Open modified its input")
	}
	if in.FileName != "fondazione.xlsx" || len(in.SHA256) != 64 {
		t.Errorf("FileName %q SHA256 %q", in.FileName, in.SHA256)
	}
	if len(in.Findings) != 0 {
		t.Errorf("findings: %+v", in.Findings)
	}

	// Fondazione: five codes, unknown ones ignored, code matched ignoring
	// spaces and case.
	wantFound := map[compute.FieldCode]validate.Entry{
		"fondazione_codice": {Cell: "Fondazione!C2", Type: validate.EntryText, Text: "ITS-LOM-01"},
		"fondazione_nome":   {Cell: "Fondazione!C3", Type: validate.EntryText, Text: "Fondazione ITS Prova"},
		"regione":           {Cell: "Fondazione!C4", Type: validate.EntryText, Text: "Lombardia"},
		"anno_monitoraggio": {Cell: "Fondazione!C6", Type: validate.EntryNumber, Text: "2025"},
		"template_versione": {Cell: "Fondazione!C7", Type: validate.EntryText, Text: validate.TemplateVersion},
	}
	if len(in.Foundation) != len(wantFound) {
		t.Errorf("Foundation has %d entries, want %d: %+v", len(in.Foundation), len(wantFound), in.Foundation)
	}
	for code, want := range wantFound {
		if got := in.Foundation[code]; got != want {
			t.Errorf("Foundation[%s] = %+v, want %+v", code, got, want)
		}
	}

	// Percorsi: every known column found where it was moved; the extra
	// column is listed as unknown.
	if len(in.Columns) != len(validate.CourseFields()) {
		t.Errorf("Columns: %d, want %d", len(in.Columns), len(validate.CourseFields()))
	}
	for _, code := range []string{"titolo", "codice_percorso", "livello_eqf", "soddisfazione"} {
		l := col(code)
		want := validate.Column{Letter: l, Code: validate.CellRef("Percorsi!" + l + "2")}
		if got := in.Columns[compute.FieldCode(code)]; got != want {
			t.Errorf("Columns[%s] = %+v, want %+v", code, got, want)
		}
	}
	if want := []validate.CellRef{validate.CellRef("Percorsi!" + col("note_interne") + "2")}; !slices.Equal(in.Unknown, want) {
		t.Errorf("Unknown = %v, want %v", in.Unknown, want)
	}
	var rows []int
	for _, c := range in.Courses {
		rows = append(rows, c.Row)
	}
	if !slices.Equal(rows, []int{3, 7}) {
		t.Fatalf("course rows %v, want [3 7]", rows)
	}
	for _, c := range in.Courses {
		if len(c.Entries) != len(validate.CourseFields()) {
			t.Errorf("row %d: %d entries, want one per column", c.Row, len(c.Entries))
		}
	}
	ref := func(code string, row int) validate.CellRef {
		return validate.CellRef(fmt.Sprintf("Percorsi!%s%d", col(code), row))
	}
	tests := []struct {
		name string
		row  int
		code string
		want validate.Entry
	}{
		{"text", 3, "codice_percorso", validate.Entry{Type: validate.EntryText, Text: "P-01"}},
		{"number", 3, "livello_eqf", validate.Entry{Type: validate.EntryNumber, Text: "5"}},
		{"decimal number", 3, "ore_totali", validate.Entry{Type: validate.EntryNumber, Text: "1800.5"}},
		{"number typed as text", 3, "partecipanti_selezione", validate.Entry{Type: validate.EntryText, Text: "35,5"}},
		{"date format gives the serial", 3, "data_fine", validate.Entry{Type: validate.EntryNumber, Text: "45657", Date: true}},
		{"quoted d and y are not a date", 3, "soddisfazione", validate.Entry{Type: validate.EntryNumber, Text: "8.25"}},
		{"formula with cached value", 3, "iscritti", validate.Entry{Type: validate.EntryNumber, Text: "20", Formula: col("domande_iscrizione") + "3/2"}},
		{"blank cell", 3, "ore_stage", validate.Entry{}},
		{"number as text", 7, "livello_eqf", validate.Entry{Type: validate.EntryText, Text: "5"}},
		{"date as text", 7, "data_fine", validate.Entry{Type: validate.EntryText, Text: "31/12/2024"}},
		{"formula without cached value", 7, "iscritti", validate.Entry{Formula: col("domande_iscrizione") + "7*2", NoCache: true}},
		{"cached error as text", 7, "ore_totali", validate.Entry{Type: validate.EntryError, Text: "#DIV/0!", Formula: "1/0"}},
		{"cached error t=e", 7, "ore_stage", validate.Entry{Type: validate.EntryError, Text: "#N/A", Formula: "NA()"}},
		{"cached empty string", 7, "ore_teoria", validate.Entry{Type: validate.EntryText, Text: "", Formula: `""`}},
		{"boolean", 7, "iscritte", validate.Entry{Type: validate.EntryBool, Text: "1"}},
		{"ISO date t=d", 7, "ore_estero", validate.Entry{Type: validate.EntryNumber, Text: "45657.5", Date: true}},
		{"custom date format", 7, "imprese_totali", validate.Entry{Type: validate.EntryNumber, Text: "45291.5", Date: true}},
	}
	byRow := map[int]validate.CourseRow{}
	for _, c := range in.Courses {
		byRow[c.Row] = c
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.want.Cell = ref(tc.code, tc.row)
			if got := byRow[tc.row].Entries[compute.FieldCode(tc.code)]; got != tc.want {
				t.Errorf("got %+v\nwant %+v", got, tc.want)
			}
		})
	}

	// Soglie: rows from 2 with a code, in sheet order.
	wantThr := []validate.ThresholdRow{
		{Row: 2, Code: "S1", Value: validate.Entry{Cell: "Soglie!C2", Type: validate.EntryNumber, Text: "51.6"}, Source: "DM 30/11/2023, Tab. 3"},
		{Row: 4, Code: "occupati_meccanica", Value: validate.Entry{Cell: "Soglie!C4", Type: validate.EntryText, Text: "60,0"}, Source: "DM 30/11/2023, Tab. 4"},
		{Row: 5, Code: "S3", Value: validate.Entry{Cell: "Soglie!C5"}},
		{Row: 6, Code: "S6", Value: validate.Entry{Cell: "Soglie!C6", Type: validate.EntryNumber, Text: "0.516", Percent: true}},
		{Row: 7, Code: "S8", Value: validate.Entry{Cell: "Soglie!C7", Type: validate.EntryNumber, Text: "0.25", Percent: true}},
		{Row: 8, Code: "S9", Value: validate.Entry{Cell: "Soglie!C8", Type: validate.EntryNumber, Text: "12.5"}},
		{Row: 9, Code: "S10", Value: validate.Entry{Cell: "Soglie!C9", Type: validate.EntryNumber, Text: "7.5"}},
	}
	if !slices.Equal(in.Thresholds, wantThr) {
		t.Errorf("Thresholds = %+v\nwant %+v", in.Thresholds, wantThr)
	}
}

func TestOpenMissingRequiredColumnIsAFinding(t *testing.T) {
	codes := slices.DeleteFunc(fullCodes(), func(c string) bool { return c == "data_fine" || c == "titolo" })
	data := buildOfficial(t, officialFixture{
		version: validate.TemplateVersion,
		codes:   codes,
		courses: map[int]map[string]any{3: {"codice_percorso": "P-01", "iscritti": 25}},
	})
	wb := mustOpen(t, data, "senza-data.xlsx")
	in := wb.Input
	if len(in.Findings) != 1 {
		t.Fatalf("findings %+v, want one (titolo is optional)", in.Findings)
	}
	got := in.Findings[0]
	if got.Rule != RuleMissingColumn || got.Severity != compute.SeverityError || got.Cell != "Percorsi!A2" ||
		got.Field != "data_fine" || got.Source != "docs/modello.md" {
		t.Errorf("finding %+v", got)
	}
	for _, want := range []string{"data_fine", "Data di fine percorso", "Manca la colonna"} {
		if !strings.Contains(got.Message, want) {
			t.Errorf("message %q lacks %q", got.Message, want)
		}
	}
	if _, ok := in.Columns["data_fine"]; ok {
		t.Error("data_fine column reported as found")
	}
	if len(in.Courses) != 1 || in.Courses[0].Entries["iscritti"].Text != "25" {
		t.Errorf("reading did not go on: %+v", in.Courses)
	}
}

func TestOpenDuplicateColumnIsAWarning(t *testing.T) {
	codes := append(fullCodes(), "ISCRITTI")
	data := buildOfficial(t, officialFixture{
		version: validate.TemplateVersion,
		codes:   codes,
		courses: map[int]map[string]any{3: {"codice_percorso": "P-01", "iscritti": 25}},
	})
	wb := mustOpen(t, data, "doppia.xlsx")
	if f := wb.Input.Findings; len(f) != 1 || f[0].Rule != RuleDuplicateColumn || f[0].Severity != compute.SeverityWarning {
		t.Errorf("findings %+v", f)
	}
	if c := wb.Input.Columns["iscritti"]; c.Letter != letterOf(t, fullCodes(), "iscritti") {
		t.Errorf("the first column must be used, got %+v", c)
	}
}

func TestOpenDuplicateFoundationFieldIsAWarning(t *testing.T) {
	data := buildOfficial(t, officialFixture{version: validate.TemplateVersion, codes: fullCodes()})
	edited := testkit.EditWorkbook(t, data, func(f *excelize.File) error {
		// anno_monitoraggio is on row 6 of the fixture; a second one below.
		row := []any{"anno_monitoraggio", "Anno", 2024}
		if err := f.SetSheetRow(validate.SheetFoundation, "A20", &row); err != nil {
			t.Fatal(err)
		}
		return nil
	})
	wb := mustOpen(t, edited, "doppia.xlsx")
	fs := wb.Input.Findings
	if len(fs) != 1 || fs[0].Rule != RuleDuplicateField || fs[0].Severity != compute.SeverityWarning || fs[0].Cell != "Fondazione!A20" ||
		!strings.Contains(fs[0].Message, "compare già alla riga 6 (Fondazione!A6)") {
		t.Errorf("findings %+v", fs)
	}
	if got := wb.Input.Foundation["anno_monitoraggio"]; got.Text != "2025" || got.Cell != "Fondazione!C6" {
		t.Errorf("the first row must be used, got %+v", got)
	}
}

func TestOpenDate1904(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	st := newStyles(t, f)
	fx := officialFixture{
		version: validate.TemplateVersion, codes: fullCodes(), date1904: true,
		courses: map[int]map[string]any{3: {"codice_percorso": "P-01", "data_fine": excelize.Cell{StyleID: st.date, Value: 45657 - 1462}, "iscritti": 25}},
	}
	addOfficialSheets(t, f, fx)
	wb := mustOpen(t, finish(t, f, fx), "mac.xlsx")
	in := wb.Input
	if e := in.Courses[0].Entries["data_fine"]; e.Text != "45657" || !e.Date {
		t.Errorf("1904 date = %+v, want serial 45657 of the 1900 system", e)
	}
	if e := in.Courses[0].Entries["iscritti"]; e.Text != "25" {
		t.Errorf("a number that is not a date must not move: %+v", e)
	}
	if len(in.Findings) != 1 || in.Findings[0].Rule != RuleDate1904 || in.Findings[0].Severity != compute.SeverityInfo {
		t.Errorf("findings %+v", in.Findings)
	}
}

func TestOpenOfficialSheetsInForeignWorkbook(t *testing.T) {
	f, err := excelize.OpenFile(filepath.Join(foreignDir, "excelize-Book1.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fx := officialFixture{version: validate.TemplateVersion, codes: fullCodes(),
		courses: map[int]map[string]any{3: {"codice_percorso": "P-01"}, 4: {"codice_percorso": "P-02"}}}
	addOfficialSheets(t, f, fx)
	wb := mustOpen(t, finish(t, f, fx), "Book1.xlsx")
	if n := len(wb.Input.Courses); n != 2 {
		t.Errorf("%d courses, want 2", n)
	}
	if got := len(wb.Input.Foundation); got != 5 {
		t.Errorf("Fondazione read %d codes among the foreign sheets, want 5", got)
	}
}

// --- rejections ----------------------------------------------------------

// zipOf builds a zip with the given entries, in order.
func zipOf(t testing.TB, entries ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := 0; i+1 < len(entries); i += 2 {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: entries[i], Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(w, entries[i+1]); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// fakeOLE builds a compound file header and one directory sector holding
// a root entry and the given streams.
func fakeOLE(streams ...string) []byte {
	d := make([]byte, 1024)
	copy(d, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1})
	binary.LittleEndian.PutUint16(d[0x1A:], 3)      // major version
	binary.LittleEndian.PutUint16(d[0x1C:], 0xFFFE) // byte order
	binary.LittleEndian.PutUint16(d[0x1E:], 9)      // 512-byte sectors
	entry := func(i int, name string, typ byte) {
		e := d[512+128*i : 512+128*(i+1)]
		u := utf16.Encode([]rune(name))
		for j, c := range u {
			binary.LittleEndian.PutUint16(e[2*j:], c)
		}
		binary.LittleEndian.PutUint16(e[64:], uint16(2*len(u)+2))
		e[66] = typ
	}
	entry(0, "Root Entry", 5)
	for i, s := range streams {
		entry(i+1, s, 2)
	}
	return d
}

var (
	bombOnce sync.Once
	bomb     []byte
)

// zipBomb is an xlsx-looking zip with one worksheet of 1 GiB of zeros,
// written streaming: about 1.3 MB.
func zipBomb(t testing.TB) []byte {
	bombOnce.Do(func() {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
			return flate.NewWriter(w, flate.BestSpeed)
		})
		w, err := zw.Create("[Content_Types].xml")
		if err == nil {
			_, err = io.WriteString(w, `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`)
		}
		if err == nil {
			w, err = zw.Create("xl/worksheets/sheet1.xml")
		}
		zeros := make([]byte, 1<<20)
		for i := 0; err == nil && i < 1024; i++ {
			_, err = w.Write(zeros)
		}
		if err == nil {
			err = zw.Close()
		}
		if err != nil {
			panic(err)
		}
		bomb = buf.Bytes()
	})
	return bomb
}

// lyingZip replaces a part by a deflate stream much longer than the size
// the zip declares for it.
func lyingZip(t testing.TB, data []byte, part string) []byte {
	t.Helper()
	b := partOf(t, data, part)
	return testkit.Rezip(t, data, func(zw *zip.Writer, e *zip.File) (bool, error) {
		if e.Name != part {
			return false, nil
		}
		var comp bytes.Buffer
		fw, _ := flate.NewWriter(&comp, flate.BestSpeed)
		fw.Write(b)
		spaces := bytes.Repeat([]byte(" "), 1<<20)
		for range 64 {
			fw.Write(spaces)
		}
		fw.Close()
		w, err := zw.CreateRaw(&zip.FileHeader{Name: part, Method: zip.Deflate,
			CRC32: crc32.ChecksumIEEE(b), CompressedSize64: uint64(comp.Len()), UncompressedSize64: uint64(len(b))})
		if err != nil {
			return true, err
		}
		_, err = w.Write(comp.Bytes())
		return true, err
	}, nil)
}

func readForeign(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(foreignDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestOpenRejects(t *testing.T) {
	valid := buildOfficial(t, officialFixture{version: validate.TemplateVersion, codes: fullCodes(),
		courses: map[int]map[string]any{3: {"codice_percorso": "P-01"}}})
	coursesPart := sheetPartOf(t, valid, validate.SheetCourses)
	sparse := patchZip(t, valid, coursesPart, func(s string) string {
		var b strings.Builder
		for r := 100; r < 300; r++ {
			fmt.Fprintf(&b, `<row r="%d"><c r="XFD%d" s="0"/></row>`, r, r)
		}
		return strings.Replace(s, "</sheetData>", b.String()+"</sheetData>", 1)
	})
	// A twin of Percorsi differing only in case, holding a sparse bomb:
	// excelize would load either.
	twin := func(t *testing.T) []byte {
		f := excelize.NewFile()
		defer f.Close()
		addOfficialSheets(t, f, officialFixture{version: validate.TemplateVersion, codes: fullCodes()})
		if _, err := f.NewSheet("Gemello"); err != nil {
			t.Fatal(err)
		}
		data := finish(t, f, officialFixture{})
		data = patchZip(t, data, sheetPartOf(t, data, "Gemello"), func(s string) string {
			var b strings.Builder
			for r := 1; r < 300; r++ {
				fmt.Fprintf(&b, `<row r="%d"><c r="XFD%d" s="0"/></row>`, r, r)
			}
			if strings.Contains(s, "<sheetData/>") {
				return strings.Replace(s, "<sheetData/>", "<sheetData>"+b.String()+"</sheetData>", 1)
			}
			return replaceOnce(t, s, "<sheetData></sheetData>", "<sheetData>"+b.String()+"</sheetData>")
		})
		return patchZip(t, data, "xl/workbook.xml", func(s string) string {
			return replaceOnce(t, s, `name="Gemello"`, `name="PERCORSI"`)
		})
	}
	manyStrings := patchZip(t, valid, "xl/styles.xml", func(s string) string {
		return strings.Replace(s, "</styleSheet>", strings.Repeat("<extLst/>", 200_000)+"</styleSheet>", 1)
	})

	tests := []struct {
		name    string
		file    string
		data    func(t *testing.T) []byte
		lim     Limits
		kind    error
		want    string // Italian fragment of the message
		maxTime time.Duration
		// inflate: the refusal must come from the declared sizes, without
		// inflating the entries.
		inflate bool
	}{
		{"empty", "vuoto.xlsx", func(*testing.T) []byte { return nil }, Limits{}, ErrNotXLSX, "è vuoto", 0, false},
		{"plain text", "percorsi.csv", func(*testing.T) []byte { return []byte("codice_percorso;titolo\nP-01;Tecnico\n") }, Limits{}, ErrNotXLSX, "file di testo", 0, false},
		{"pdf", "report.pdf", func(*testing.T) []byte { return []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n") }, Limits{}, ErrNotXLSX, "documento PDF", 0, false},
		{"html disguised as xls", "export.xls", func(*testing.T) []byte { return []byte("<html><body><table><tr><td>1</td></tr></table></body></html>") }, Limits{}, ErrNotXLSX, "pagina HTML", 0, false},
		{"spreadsheetml 2003", "vecchio.xml", func(*testing.T) []byte {
			return []byte(`<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"></Workbook>`)
		}, Limits{}, ErrLegacyFormat, "XML 2003", 0, false},
		{"encrypted xlsx", "protetto.xlsx", func(t *testing.T) []byte { return readForeign(t, "excelize-encryptAES.xlsx") }, Limits{}, ErrEncrypted, "protetto da password", 0, false},
		{"fake encrypted ole", "protetto2.xlsx", func(*testing.T) []byte { return fakeOLE("EncryptionInfo", "EncryptedPackage") }, Limits{}, ErrEncrypted, "password", 0, false},
		{"fake legacy xls", "vecchio.xls", func(*testing.T) []byte { return fakeOLE("Workbook") }, Limits{}, ErrLegacyFormat, "Excel 97-2003 (.xls)", 0, false},
		{"bare ole header", "vecchio2.xls", func(*testing.T) []byte { return []byte{0xD0, 0xCF, 0x11, 0xE0} }, Limits{}, ErrLegacyFormat, "salvarlo come .xlsx", 0, false},
		{"ods", "foglio.ods", func(t *testing.T) []byte {
			return zipOf(t, "mimetype", "application/vnd.oasis.opendocument.spreadsheet", "content.xml", "<office:document-content/>")
		}, Limits{}, ErrLegacyFormat, "file ODS: salvarlo come .xlsx", 0, false},
		{"odt", "lettera.odt", func(t *testing.T) []byte {
			return zipOf(t, "mimetype", "application/vnd.oasis.opendocument.text", "content.xml", "<office:document-content/>")
		}, Limits{}, ErrNotXLSX, "OpenDocument", 0, false},
		{"xlsb", "binario.xlsb", func(t *testing.T) []byte {
			return zipOf(t, "[Content_Types].xml", "<Types/>", "xl/workbook.bin", "\x83\x01")
		}, Limits{}, ErrLegacyFormat, ".xlsb", 0, false},
		{"plain zip", "archivio.zip", func(t *testing.T) []byte { return zipOf(t, "leggimi.txt", "ciao") }, Limits{}, ErrNotXLSX, "archivio zip ma non una cartella di lavoro", 0, false},
		{"truncated xlsx", "troncato.xlsx", func(*testing.T) []byte { return valid[:len(valid)/2] }, Limits{}, ErrCorrupt, "danneggiato", 0, false},
		{"malformed xml part", "rotto.xlsx", func(t *testing.T) []byte {
			return patchZip(t, valid, "xl/workbook.xml", func(s string) string { return strings.Replace(s, "<sheets>", "<sheets><<", 1) })
		}, Limits{}, ErrCorrupt, "danneggiato", 0, false},
		{"excelize BadWorkbook: no sheet listed", "BadWorkbook.xlsx", func(t *testing.T) []byte { return readForeign(t, "excelize-BadWorkbook.xlsx") }, Limits{}, ErrCorrupt, "non elenca alcun foglio", 0, false},
		{"word document", "lettera.docx", func(t *testing.T) []byte {
			return zipOf(t, "[Content_Types].xml", "<Types/>",
				"_rels/.rels", `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`,
				"word/document.xml", `<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body/></w:document>`)
		}, Limits{}, ErrNotXLSX, "documento Office", 0, false},
		{"zip bomb", "bomba.xlsx", func(t *testing.T) []byte { return zipBomb(t) }, Limits{}, ErrTooLarge, "1025 MB, oltre il limite di 200 MB", time.Second, true},
		{"part larger than declared", "bugiardo.xlsx", func(t *testing.T) []byte { return lyingZip(t, valid, "xl/styles.xml") }, Limits{}, ErrCorrupt, "danneggiato", time.Second, true},
		{"xml part above UnzipXMLSize", "stili.xlsx", func(*testing.T) []byte { return valid }, Limits{UnzipXMLSize: 1024}, ErrTooLarge, "KB, oltre il limite di 1 KB", 0, true},
		{"sparse cells bomb", "sparso.xlsx", func(*testing.T) []byte { return sparse }, Limits{}, ErrTooLarge, "troppo esteso (raggiunge la riga", time.Second, true},
		{"official sheet with a case twin", "gemello.xlsx", twin, Limits{}, ErrCorrupt, "più fogli di nome «Percorsi»", time.Second, false},
		{"element bomb", "elementi.xlsx", func(*testing.T) []byte { return manyStrings }, Limits{MaxCells: 100_000}, ErrTooLarge, "troppi elementi (oltre 100000)", 2 * time.Second, false},
		{"cells above MaxCells", "grande.xlsx", func(t *testing.T) []byte { return thousandCourses(t) }, Limits{MaxCells: 50_000}, ErrTooLarge, "oltre 50000 celle", 0, false},
		{"missing sheet", "senza-soglie.xlsx", func(t *testing.T) []byte {
			return buildOfficial(t, officialFixture{version: validate.TemplateVersion, codes: fullCodes(), noSheet: validate.SheetThresholds})
		}, Limits{}, ErrMissingSheet, "non contiene il foglio «Soglie»", 0, false},
		{"wrong template version", "vecchio-modello.xlsx", func(t *testing.T) []byte {
			return buildOfficial(t, officialFixture{version: "2023.1", codes: fullCodes()})
		}, Limits{}, ErrTemplateVersion, "«2023.1» (Fondazione!C7), ma è attesa la «" + validate.TemplateVersion + "»", 0, false},
		{"template version missing", "senza-versione.xlsx", func(t *testing.T) []byte {
			return buildOfficial(t, officialFixture{codes: fullCodes()})
		}, Limits{}, ErrTemplateVersion, "non indica la versione del modello", 0, false},
		{"template version blank", "versione-vuota.xlsx", func(t *testing.T) []byte {
			return buildOfficial(t, officialFixture{version: " ", codes: fullCodes()})
		}, Limits{}, ErrTemplateVersion, "non indica la versione del modello (foglio Fondazione, Fondazione!C7)", 0, false},
	}
	kinds := []error{ErrNotXLSX, ErrEncrypted, ErrCorrupt, ErrLegacyFormat, ErrMissingSheet, ErrTemplateVersion, ErrTooLarge}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data := tc.data(t)
			lim := DefaultLimits()
			if tc.lim.UnzipXMLSize != 0 {
				lim.UnzipXMLSize = tc.lim.UnzipXMLSize
			}
			if tc.lim.MaxCells != 0 {
				lim.MaxCells = tc.lim.MaxCells
			}
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			wb, err := Open(data, tc.file, lim)
			elapsed := time.Since(start)
			runtime.ReadMemStats(&after)
			if err == nil {
				wb.Close()
				t.Fatal("Open accepted the file")
			}
			var oe *OpenError
			if !errors.As(err, &oe) {
				t.Fatalf("error %T %v is not an *OpenError", err, err)
			}
			if tc.kind != nil && !errors.Is(err, tc.kind) {
				t.Errorf("kind %v, want %v (%s)", oe.Kind, tc.kind, oe.Msg)
			}
			if !slices.ContainsFunc(kinds, func(k error) bool { return errors.Is(err, k) }) {
				t.Errorf("kind %v is not one of the sentinels", oe.Kind)
			}
			if strings.ContainsAny(oe.Msg, "\n\r") || !strings.HasPrefix(oe.Msg, "«"+tc.file+"» ") {
				t.Errorf("message is not one line naming the file: %q", oe.Msg)
			}
			if !strings.Contains(oe.Msg, tc.want) {
				t.Errorf("message %q lacks %q", oe.Msg, tc.want)
			}
			if tc.maxTime > 0 && elapsed > tc.maxTime {
				t.Errorf("refused in %v, want under %v", elapsed, tc.maxTime)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; tc.inflate && alloc > 32<<20 {
				t.Errorf("allocated %d MB refusing it: it was inflated", alloc>>20)
			}
			t.Logf("%v in %v: %s", oe.Kind, elapsed.Round(time.Millisecond), oe.Msg)
		})
	}
}

func TestOpenForeignWorkbooksLackOfficialSheets(t *testing.T) {
	names, err := filepath.Glob(filepath.Join(foreignDir, "*.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range names {
		base := filepath.Base(p)
		if strings.Contains(base, "encryptAES") || strings.Contains(base, "BadWorkbook") {
			continue // see TestOpenRejects
		}
		n++
		t.Run(base, func(t *testing.T) {
			wb, err := Open(readForeign(t, base), base, DefaultLimits())
			if err == nil {
				wb.Close()
				t.Fatal("Open accepted a workbook without the official sheets")
			}
			if !errors.Is(err, ErrMissingSheet) {
				t.Fatalf("error %v, want ErrMissingSheet", err)
			}
			for _, s := range []string{"«Fondazione»", "«Percorsi»", "«Soglie»"} {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("message %q does not name %s", err, s)
				}
			}
		})
	}
	if n < 5 {
		t.Fatalf("only %d foreign workbooks found in %s", n, foreignDir)
	}
}

// thousandCourses is a realistic large workbook: 1,000 courses, every
// field filled.
func thousandCourses(t testing.TB) []byte {
	courses := map[int]map[string]any{}
	for i := range 1000 {
		c := map[string]any{}
		for j, code := range fullCodes() {
			c[code] = i + j
		}
		c["codice_percorso"] = fmt.Sprintf("P-%04d", i)
		c["area_tecnologica"] = "Mobilità sostenibile"
		c["titolo"] = "Tecnico superiore"
		courses[3+i] = c
	}
	return buildOfficial(t, officialFixture{version: validate.TemplateVersion, codes: fullCodes(), courses: courses})
}

func TestOpenThousandCoursesIsFast(t *testing.T) {
	data := thousandCourses(t)
	start := time.Now()
	wb, err := Open(data, "grande.xlsx", DefaultLimits())
	elapsed := time.Since(start)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer wb.Close()
	if n := len(wb.Input.Courses); n != 1000 {
		t.Fatalf("%d courses, want 1000", n)
	}
	if e := wb.Input.Courses[999].Entries["codice_percorso"]; e.Text != "P-0999" || e.Cell != "Percorsi!A1002" {
		t.Errorf("last course %+v", e)
	}
	t.Logf("1,000 courses (%d KB) read in %v", len(data)>>10, elapsed)
	if elapsed > 5*time.Second {
		t.Errorf("reading 1,000 courses took %v", elapsed)
	}
}

func TestOpenLargeSheetAndZeroLimits(t *testing.T) {
	data := thousandCourses(t)
	// Percorsi (about 1 MB of XML) is above UnzipXMLSize: the reader reads
	// it all the same (write_memory_test.go checks that it writes no
	// temporary file) ...
	lim := Limits{UnzipSize: 8 << 20, UnzipXMLSize: 64 << 10}
	wb, err := Open(data, "grande.xlsx", lim)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if n := len(wb.Input.Courses); n != 1000 {
		t.Errorf("%d courses, want 1000", n)
	}
	if err := wb.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	// ... unless everything must stay in memory.
	lim.InMemory = true
	_, err = Open(data, "grande.xlsx", lim)
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "oltre il limite di 64 KB") {
		t.Errorf("InMemory with a worksheet above UnzipXMLSize: %v, want ErrTooLarge", err)
	}
	// The zero Limits means the defaults, never "unlimited".
	if got := (Limits{}).WithDefaults(); got != DefaultLimits() {
		t.Errorf("Limits{} = %+v, want the defaults", got)
	}
	if got := (Limits{InMemory: true}).WithDefaults(); !got.InMemory || got.UnzipSize != DefaultLimits().UnzipSize {
		t.Errorf("Limits{InMemory} = %+v, want the defaults in memory", got)
	}
	if _, err := Open(zipBomb(t), "bomba.xlsx", Limits{}); !errors.Is(err, ErrTooLarge) {
		t.Errorf("zip bomb with zero Limits: %v", err)
	}
}

func BenchmarkOpenThousandCourses(b *testing.B) {
	data := thousandCourses(b)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		wb := mustOpen(b, data, "grande.xlsx")
		wb.Close()
	}
}

// --- helpers -------------------------------------------------------------

// FuzzOpen: no input may make Open panic, and every refusal is an
// *OpenError of a known kind with a one-line message.
func FuzzOpen(f *testing.F) {
	f.Add(buildOfficial(f, officialFixture{version: validate.TemplateVersion, codes: movedCodes(),
		courses: map[int]map[string]any{3: {"codice_percorso": "P-01", "iscritti": 20, "data_fine": "31/12/2024"}}}))
	names, _ := filepath.Glob(filepath.Join(foreignDir, "*.xlsx"))
	for _, p := range names {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("%PDF-1.4"))
	f.Add(fakeOLE("EncryptionInfo"))
	f.Add(zipOf(f, "mimetype", "application/vnd.oasis.opendocument.spreadsheet"))
	kinds := []error{ErrNotXLSX, ErrEncrypted, ErrCorrupt, ErrLegacyFormat, ErrMissingSheet, ErrTemplateVersion, ErrTooLarge}
	lim := Limits{UnzipSize: 16 << 20, UnzipXMLSize: 4 << 20, MaxCells: 200_000}
	f.Fuzz(func(t *testing.T, data []byte) {
		wb, err := Open(data, "fuzz.xlsx", lim)
		if err == nil {
			if wb.Input == nil {
				t.Fatal("nil result without error")
			}
			wb.Close()
			return
		}
		var oe *OpenError
		if !errors.As(err, &oe) || !slices.ContainsFunc(kinds, func(k error) bool { return errors.Is(err, k) }) {
			t.Fatalf("unexpected error %T: %v", err, err)
		}
		if strings.ContainsAny(oe.Msg, "\n\r") {
			t.Fatalf("message on several lines: %q", oe.Msg)
		}
	})
}

// partOf returns the content of one part of a zip.
func partOf(t testing.TB, data []byte, name string) []byte {
	t.Helper()
	for _, f := range testkit.Unzip(t, data) {
		if f.Name == name {
			return f.Data
		}
	}
	t.Fatalf("no part %s", name)
	return nil
}

// FuzzSheetParts fuzzes the XML of the Percorsi sheet and of the styles
// inside a well-formed package, where excelize's cell API (shared
// formulas, styles, row padding) reads them: Open must never panic.
func FuzzSheetParts(f *testing.F) {
	base := mainWorkbook(f)
	sheet := sheetPartOf(f, base, validate.SheetCourses)
	f.Add(partOf(f, base, sheet), partOf(f, base, "xl/styles.xml"))
	f.Add([]byte(`<worksheet><sheetData><row r="2"><c r="A2" t="s"><v>99</v></c></row>`+
		`<row r="3"><c r="A3"><f t="shared" ref="A3:A9" si="0">B3+1</f><v>1</v></c></row>`+
		`<row r="4"><c r="A4"><f t="shared" si="0"/></c><c r="B4" s="7"><v>4</v></c></row></sheetData></worksheet>`),
		[]byte(`<styleSheet><numFmts count="1"><numFmt numFmtId="200" formatCode="dd/mm"/></numFmts>`+
			`<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="200" fontId="99" fillId="-1"/></cellXfs></styleSheet>`))
	lim := Limits{UnzipSize: 16 << 20, UnzipXMLSize: 4 << 20, MaxCells: 200_000}
	f.Fuzz(func(t *testing.T, sheetXML, stylesXML []byte) {
		data := testkit.ReplaceParts(t, base, map[string][]byte{sheet: sheetXML, "xl/styles.xml": stylesXML})
		wb, err := Open(data, "fuzz.xlsx", lim)
		if err == nil {
			wb.Close()
			return
		}
		var oe *OpenError
		if !errors.As(err, &oe) {
			t.Fatalf("unexpected error %T: %v", err, err)
		}
	})
}

// TestOpenContextStops checks that a cancelled context stops the read with
// the context's error.
func TestOpenContextStops(t *testing.T) {
	data := mainWorkbook(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if wb, err := OpenContext(ctx, data, "f.xlsx", DefaultLimits()); !errors.Is(err, context.Canceled) || wb != nil {
		t.Errorf("cancelled read: %v, %v", wb, err)
	}
	if _, err := OpenContext(context.Background(), data, "f.xlsx", DefaultLimits()); err != nil {
		t.Errorf("live read: %v", err)
	}
}
