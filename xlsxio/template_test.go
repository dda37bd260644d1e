package xlsxio

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/its-academy/auditor/compute"
	"github.com/its-academy/auditor/validate"
	"github.com/xuri/excelize/v2"
)

// committedTemplate is the generated workbook committed in the repository.
var committedTemplate = filepath.Join("..", "templates", "official-workbook.xlsx")

const regenerate = "go run ./cmd/auditor template -o templates/official-workbook.xlsx"

func templatePack(t testing.TB) *compute.Pack {
	t.Helper()
	reg, err := compute.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	p, ok := reg.Get("dm-2023-11-30-eqf5")
	if !ok {
		t.Fatal("pack dm-2023-11-30-eqf5 not embedded")
	}
	return p
}

// templateBytes builds the template and serialises it.
func templateBytes(t testing.TB) []byte {
	t.Helper()
	f, err := Template(templatePack(t))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// openTemplate builds the template and reopens it from its bytes, as a user
// or the reader would see it.
func openTemplate(t testing.TB) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(templateBytes(t)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Close() })
	return f
}

func cellValue(t testing.TB, f *excelize.File, sheet, cell string) string {
	t.Helper()
	v, err := f.GetCellValue(sheet, cell, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func cellStyle(t testing.TB, f *excelize.File, sheet, cell string) *excelize.Style {
	t.Helper()
	id, err := f.GetCellStyle(sheet, cell)
	if err != nil {
		t.Fatal(err)
	}
	s, err := f.GetStyle(id)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func fillOf(s *excelize.Style) string {
	if len(s.Fill.Color) == 0 {
		return ""
	}
	c := strings.ToUpper(s.Fill.Color[0])
	if len(c) == 8 { // ARGB
		c = c[2:]
	}
	return c
}

// validationsBySqref indexes a sheet's data validations by range.
func validationsBySqref(t testing.TB, f *excelize.File, sheet string) map[string]*excelize.DataValidation {
	t.Helper()
	dvs, err := f.GetDataValidations(sheet)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]*excelize.DataValidation{}
	for _, dv := range dvs {
		if _, dup := m[dv.Sqref]; dup {
			t.Errorf("%s: two data validations on %s", sheet, dv.Sqref)
		}
		m[dv.Sqref] = dv
	}
	return m
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// checkMessages checks Excel's limits and that the texts are there.
func checkMessages(t *testing.T, where string, dv *excelize.DataValidation, wantError bool) {
	t.Helper()
	if !dv.ShowInputMessage || deref(dv.PromptTitle) == "" || deref(dv.Prompt) == "" {
		t.Errorf("%s: no input message", where)
	}
	if n := templateUnits(deref(dv.PromptTitle)); n > dvTitleMax {
		t.Errorf("%s: prompt title %q has %d units, Excel allows %d", where, deref(dv.PromptTitle), n, dvTitleMax)
	}
	if n := templateUnits(deref(dv.Prompt)); n > dvPromptMax {
		t.Errorf("%s: prompt has %d units, Excel allows %d", where, n, dvPromptMax)
	}
	if !wantError {
		return
	}
	if !dv.ShowErrorMessage || deref(dv.Error) == "" || deref(dv.ErrorStyle) != "stop" {
		t.Errorf("%s: no stop error message", where)
	}
	if deref(dv.ErrorTitle) != "Valore non ammesso" && deref(dv.ErrorTitle) != "Codice da non modificare" && deref(dv.ErrorTitle) != "Non modificare" {
		t.Errorf("%s: error title %q", where, deref(dv.ErrorTitle))
	}
	if n := templateUnits(deref(dv.Error)); n > dvErrorMax {
		t.Errorf("%s: error has %d units, limit %d", where, n, dvErrorMax)
	}
}

func TestTemplateSheets(t *testing.T) {
	f := openTemplate(t)
	want := []string{"Istruzioni", "Fondazione", "Percorsi", "Soglie", "Elenchi"}
	if got := f.GetSheetList(); !reflect.DeepEqual(got, want) {
		t.Fatalf("sheets %v, want %v", got, want)
	}
	for _, tt := range []struct {
		sheet   string
		visible bool
	}{{"Istruzioni", true}, {"Fondazione", true}, {"Percorsi", true}, {"Soglie", true}, {"Elenchi", false}} {
		if v, err := f.GetSheetVisible(tt.sheet); err != nil || v != tt.visible {
			t.Errorf("%s visible = %v (%v), want %v", tt.sheet, v, err, tt.visible)
		}
	}
	if i := f.GetActiveSheetIndex(); i != 0 {
		t.Errorf("active sheet %d, want Istruzioni", i)
	}
	props, err := f.GetDocProps()
	if err != nil {
		t.Fatal(err)
	}
	if props.Created != templateCreated || props.Modified != templateCreated || props.Language != "it-IT" {
		t.Errorf("document properties not fixed: %+v", props)
	}
}

func TestTemplateDeterministic(t *testing.T) {
	a, b := templateBytes(t), templateBytes(t)
	if !bytes.Equal(a, b) {
		t.Error("two builds of the template differ")
	}
}

func TestTemplateNilPack(t *testing.T) {
	if _, err := Template(nil); err == nil {
		t.Error("Template(nil) succeeded")
	}
}

func TestTemplateInstructions(t *testing.T) {
	f := openTemplate(t)
	rows, err := f.GetRows("Istruzioni")
	if err != nil {
		t.Fatal(err)
	}
	var all []string
	for _, r := range rows {
		all = append(all, strings.Join(r, " "))
	}
	text := strings.Join(all, "\n")
	for _, want := range []string{
		"Fondazione", "Percorsi", "Soglie", // how to fill each sheet
		"Significato dei colori", "Celle gialle", // colours
		"non vanno modificati",           // codes rows
		"aggiunge i propri fogli",        // the product's sheets
		"DM 30/11/2023", "CU 17/12/2015", // legal sources
		"VI livello EQF", "non esiste ancora un pacchetto di regole",
		validate.TemplateVersion,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("Istruzioni lacks %q", want)
		}
	}
	for _, a := range templatePack(t).Areas.Rows {
		if !strings.Contains(text, a.Key) || !strings.Contains(text, a.Name) {
			t.Errorf("Istruzioni lacks area %s (%s)", a.Key, a.Name)
		}
	}
}

func TestTemplateFoundation(t *testing.T) {
	f := openTemplate(t)
	const sh = "Fondazione"
	inputFill := fillOf(cellStyle(t, f, sh, "C2"))
	if inputFill != colorInputFill {
		t.Errorf("C2 fill %q, want the input colour %s", inputFill, colorInputFill)
	}
	for i, fd := range validate.FoundationFields() {
		r := strconv.Itoa(i + 2)
		if got := cellValue(t, f, sh, "A"+r); got != string(fd.Code) {
			t.Errorf("A%s = %q, want %q", r, got, fd.Code)
		}
		if got := cellValue(t, f, sh, "B"+r); got != fd.Label {
			t.Errorf("B%s = %q, want %q", r, got, fd.Label)
		}
		value, style := cellValue(t, f, sh, "C"+r), cellStyle(t, f, sh, "C"+r)
		if fd.Code == "template_versione" {
			if value != validate.TemplateVersion {
				t.Errorf("template_versione = %q, want %q", value, validate.TemplateVersion)
			}
			if fillOf(style) == inputFill || fillOf(style) != colorLockedFill {
				t.Errorf("template_versione fill %q: want the locked colour %s", fillOf(style), colorLockedFill)
			}
			continue
		}
		if value != "" || fillOf(style) != inputFill {
			t.Errorf("C%s (%s) = %q, fill %q: want empty input cell", r, fd.Code, value, fillOf(style))
		}
	}
	dvs := validationsBySqref(t, f, sh)
	if dv := dvs["C5"]; dv == nil || dv.Type != "whole" || dv.Formula1 != "2010" || dv.Formula2 != "2100" {
		t.Errorf("anno_monitoraggio validation %+v", dv)
	}
	if dv := dvs["C6"]; dv == nil || dv.Type != "custom" || dv.Formula1 != `C6="`+validate.TemplateVersion+`"` {
		t.Errorf("template_versione validation %+v", dv)
	}
	for ref, dv := range dvs {
		checkMessages(t, sh+"!"+ref, dv, dv.Type != "")
	}
	if p, _ := f.GetPanes(sh); !p.Freeze || p.YSplit != 1 || p.XSplit != 0 {
		t.Errorf("Fondazione panes %+v", p)
	}
}

func TestTemplateCourses(t *testing.T) {
	f := openTemplate(t)
	const sh = "Percorsi"
	fields := validate.CourseFields()
	rows, err := f.GetRows(sh)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 {
		t.Fatalf("Percorsi has %d rows with values, want 2 (labels, codes)", len(rows))
	}
	var labels, codes []string
	for _, fd := range fields {
		labels, codes = append(labels, fd.Label), append(codes, string(fd.Code))
	}
	if !reflect.DeepEqual(rows[0], labels) {
		t.Errorf("row 1 %q, want the labels %q", rows[0], labels)
	}
	if !reflect.DeepEqual(rows[1], codes) {
		t.Errorf("row 2 %q, want the codes %q", rows[1], codes)
	}

	if dim, _ := f.GetSheetDimension(sh); dim != fmt.Sprintf("A1:AE%d", TemplateFirstCourseRow+TemplateStyledRows-1) {
		t.Errorf("dimension %q", dim)
	}
	panes, err := f.GetPanes(sh)
	if err != nil {
		t.Fatal(err)
	}
	if !panes.Freeze || panes.XSplit != 1 || panes.YSplit != 2 || panes.TopLeftCell != "B3" {
		t.Errorf("panes %+v, want frozen after column A and row 2", panes)
	}

	comments, err := f.GetComments(sh)
	if err != nil {
		t.Fatal(err)
	}
	byCell := map[string]string{}
	for _, c := range comments {
		var b strings.Builder
		b.WriteString(c.Text)
		for _, r := range c.Paragraph {
			b.WriteString(r.Text)
		}
		byCell[c.Cell] = b.String()
	}
	if len(byCell) != len(fields) {
		t.Errorf("%d comments, want one per column (%d)", len(byCell), len(fields))
	}

	last := TemplateFirstCourseRow + TemplateStyledRows - 1
	for i, fd := range fields {
		col := templateColumn(i + 1)
		note := byCell[col+"1"]
		if !strings.Contains(note, fd.Definition) || !strings.Contains(note, "Fonte: "+fd.Source) {
			t.Errorf("%s1 (%s): comment %q lacks definition or source", col, fd.Code, note)
		}
		head, code := cellStyle(t, f, sh, col+"1"), cellStyle(t, f, sh, col+"2")
		if fillOf(head) != colorHeaderFill || !head.Font.Bold || fillOf(code) != colorCodeFill || fillOf(head) == fillOf(code) {
			t.Errorf("%s: header fill %q, codes fill %q", col, fillOf(head), fillOf(code))
		}
		for _, r := range []int{TemplateFirstCourseRow, last} {
			if s := cellStyle(t, f, sh, col+strconv.Itoa(r)); fillOf(s) != colorInputFill || len(s.Border) != 4 {
				t.Errorf("%s%d: fill %q borders %d, want input styling", col, r, fillOf(s), len(s.Border))
			}
		}
		if s := cellStyle(t, f, sh, col+strconv.Itoa(last+1)); fillOf(s) == colorInputFill {
			t.Errorf("%s%d: input styling beyond the prepared rows", col, last+1)
		}
		if w, _ := f.GetColWidth(sh, col); w < 10 {
			t.Errorf("column %s width %v", col, w)
		}
		if fd.Kind == validate.KindDate {
			if s := cellStyle(t, f, sh, col+"3"); s.CustomNumFmt == nil || *s.CustomNumFmt != "dd/mm/yyyy" {
				t.Errorf("%s3: date format %v", col, s.CustomNumFmt)
			}
			id, err := f.GetColStyle(sh, col)
			if err != nil {
				t.Fatal(err)
			}
			if s, _ := f.GetStyle(id); s == nil || s.CustomNumFmt == nil || *s.CustomNumFmt != "dd/mm/yyyy" {
				t.Errorf("column %s: no dd/mm/yyyy column format", col)
			}
		}
	}
}

func TestTemplateCourseValidations(t *testing.T) {
	f := openTemplate(t)
	const sh = "Percorsi"
	dvs := validationsBySqref(t, f, sh)
	column := map[compute.FieldCode]string{}
	for i, fd := range validate.CourseFields() {
		column[fd.Code] = templateColumn(i + 1)
	}
	rangeOf := func(code compute.FieldCode) string {
		c := column[code]
		return fmt.Sprintf("%s3:%s1000", c, c)
	}
	tests := []struct {
		code              compute.FieldCode
		typ, op           string
		formula1, formul2 string
		prompt            string // a word the input message must contain
	}{
		{"codice_percorso", "custom", "", "COUNTIF($A$3:$A$1000,A3)=1", "", "unico"},
		{"titolo", "", "", "", "", "Testo"},
		{"area_tecnologica", "list", "", TemplateAreaListName, "", "elenco"},
		{"livello_eqf", "list", "", `"5,6"`, "", "pacchetto di regole"},
		{"data_fine", "date", "between", "36526", "73415", "gg/mm/aaaa"},
		{"domande_iscrizione", "whole", "greaterThanOrEqual", "0", "", "intero"},
		{"iscritti", "whole", "greaterThanOrEqual", "0", "", "intero"},
		{"iscritte", "whole", "greaterThanOrEqual", "0", "", "intero"},
		{"ore_totali", "decimal", "greaterThan", "0", "", "maggiore di 0"},
		{"ore_stage", "decimal", "greaterThanOrEqual", "0", "", "decimali"},
		{"ore_docenti_totali", "decimal", "greaterThan", "0", "", "maggiore di 0"},
		{"imprese_totali", "whole", "greaterThanOrEqual", "0", "", "intero"},
		{"diplomati", "whole", "greaterThanOrEqual", "0", "", "intero"},
		{"soddisfazione", "decimal", "between", "0", "10", "da 0 a 10"},
	}
	for _, tt := range tests {
		t.Run(string(tt.code), func(t *testing.T) {
			dv := dvs[rangeOf(tt.code)]
			if dv == nil {
				t.Fatalf("no data validation on %s", rangeOf(tt.code))
			}
			if dv.Type != tt.typ || dv.Operator != tt.op || dv.Formula1 != tt.formula1 || dv.Formula2 != tt.formul2 {
				t.Errorf("got type %q op %q formulas %q %q, want %q %q %q %q",
					dv.Type, dv.Operator, dv.Formula1, dv.Formula2, tt.typ, tt.op, tt.formula1, tt.formul2)
			}
			if !strings.Contains(deref(dv.Prompt), tt.prompt) {
				t.Errorf("input message %q lacks %q", deref(dv.Prompt), tt.prompt)
			}
		})
	}
	// Every column: one validation on the input rows, one guarding the code;
	// every KindCount and KindHours column has its range.
	for _, fd := range validate.CourseFields() {
		dv := dvs[rangeOf(fd.Code)]
		if dv == nil {
			t.Errorf("%s: no validation on %s", fd.Code, rangeOf(fd.Code))
			continue
		}
		checkMessages(t, string(fd.Code), dv, dv.Type != "")
		switch fd.Kind {
		case validate.KindCount:
			if dv.Type != "whole" || dv.Formula1 != "0" {
				t.Errorf("%s: count validation %s %s %s", fd.Code, dv.Type, dv.Operator, dv.Formula1)
			}
		case validate.KindHours:
			if dv.Type != "decimal" || dv.Formula1 != "0" {
				t.Errorf("%s: hours validation %s %s %s", fd.Code, dv.Type, dv.Operator, dv.Formula1)
			}
		}
		code := column[fd.Code] + "2"
		guard := dvs[code]
		if guard == nil || guard.Type != "custom" || guard.Formula1 != fmt.Sprintf(`%s="%s"`, code, fd.Code) {
			t.Errorf("%s: codes cell %s not guarded: %+v", fd.Code, code, guard)
			continue
		}
		if !guard.ShowErrorMessage || !strings.Contains(deref(guard.Error), "non modificarli") {
			t.Errorf("%s: guard message %q", fd.Code, deref(guard.Error))
		}
	}
	if want := 2 * len(validate.CourseFields()); len(dvs) != want {
		t.Errorf("%d validations on Percorsi, want %d", len(dvs), want)
	}
}

// TestTemplateAreaDropdown resolves the dropdown's source: the names must be
// the pack's, exactly and in order.
func TestTemplateAreaDropdown(t *testing.T) {
	f := openTemplate(t)
	var refersTo string
	for _, dn := range f.GetDefinedName() {
		if dn.Name == TemplateAreaListName {
			refersTo = dn.RefersTo
		}
	}
	sheet, rng, ok := strings.Cut(strings.TrimPrefix(refersTo, "="), "!")
	if !ok {
		t.Fatalf("defined name %s = %q", TemplateAreaListName, refersTo)
	}
	from, to, _ := strings.Cut(strings.ReplaceAll(rng, "$", ""), ":")
	c1, r1, err1 := excelize.CellNameToCoordinates(from)
	c2, r2, err2 := excelize.CellNameToCoordinates(to)
	if err1 != nil || err2 != nil || c1 != c2 {
		t.Fatalf("range %q", rng)
	}
	var got []string
	for r := r1; r <= r2; r++ {
		got = append(got, cellValue(t, f, sheet, templateCell(c1, r)))
	}
	var want []string
	for _, a := range templatePack(t).Areas.Rows {
		want = append(want, a.Name)
	}
	if len(want) != 10 || !reflect.DeepEqual(got, want) {
		t.Errorf("dropdown list %q, want the pack's areas %q", got, want)
	}
}

// TestTemplateSoglieProtected: the Soglie sheet is protected without a
// password, a guard against slips that Istruzioni explains.
func TestTemplateSoglieProtected(t *testing.T) {
	f := openTemplate(t)
	prot, err := f.GetSheetProtection(validate.SheetThresholds)
	if err != nil {
		t.Fatalf("Soglie is not protected: %v", err)
	}
	if prot.Password != "" || prot.AlgorithmName != "" {
		t.Errorf("Soglie protection has a password: %+v", prot)
	}
}

func TestTemplateThresholds(t *testing.T) {
	f := openTemplate(t)
	const sh = "Soglie"
	p := templatePack(t)
	rows, err := f.GetRows(sh)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"Codice", "Descrizione", "Valore", "Fonte", "Nota"}; !reflect.DeepEqual(rows[0], want) {
		t.Errorf("header %q, want %q", rows[0], want)
	}
	defs := p.ThresholdDefs()
	if len(rows) != len(defs)+1 {
		t.Fatalf("%d rows, want header + %d thresholds", len(rows), len(defs))
	}
	dvs := validationsBySqref(t, f, sh)
	for i, d := range defs {
		r := strconv.Itoa(i + 2)
		if got := cellValue(t, f, sh, "A"+r); got != d.Code {
			t.Errorf("A%s = %q, want %q", r, got, d.Code)
		}
		if got := cellValue(t, f, sh, "B"+r); got != d.Label {
			t.Errorf("B%s = %q, want %q", r, got, d.Label)
		}
		if got := cellValue(t, f, sh, "D"+r); got != d.Citation {
			t.Errorf("D%s = %q, want %q", r, got, d.Citation)
		}
		if got := cellValue(t, f, sh, "E"+r); got != d.Note {
			t.Errorf("E%s = %q, want %q", r, got, d.Note)
		}
		got := cellValue(t, f, sh, "C"+r)
		switch {
		case d.Default == nil && got != "":
			t.Errorf("%s: C%s = %q, want empty (the decree gives no value)", d.Code, r, got)
		case d.Default != nil:
			if v, err := strconv.ParseFloat(got, 64); err != nil || v != *d.Default {
				t.Errorf("%s: C%s = %q, want %v", d.Code, r, got, *d.Default)
			}
		}
		if fillOf(cellStyle(t, f, sh, "C"+r)) != colorLockedFill {
			t.Errorf("%s: C%s not styled as pre-filled and locked (Soglie is a reference, issue 9)", d.Code, r)
		}
		dv := dvs["C"+r]
		_, _, hasRange := p.ThresholdRange(d.Code)
		if (d.Min != nil || d.Max != nil || d.Integer || hasRange) != (dv != nil) {
			t.Errorf("%s: validation %+v for min %v max %v integer %v range %v", d.Code, dv, d.Min, d.Max, d.Integer, hasRange)
		}
		if dv != nil {
			checkMessages(t, d.Code, dv, true)
		}
	}

	// The admissible open ranges of the functions (RULES.md §2): S1 of f1
	// lies in (20, 100), S12 of f12 in (0, 25), the tasso of f15 in (30, 100),
	// the occupati of f14 in (0, 25).
	rowOf := map[string]string{}
	for i, d := range defs {
		rowOf[d.Code] = strconv.Itoa(i + 2)
	}
	for code, bounds := range map[string][2]string{
		"S1": {"20", "100"}, "S12": {"0", "25"}, "tasso_meccanica": {"30", "100"}, "occupati_moda": {"0", "25"},
	} {
		c := "C" + rowOf[code]
		want := "AND(ISNUMBER(" + c + ")," + c + ">" + bounds[0] + "," + c + "<" + bounds[1] + ")"
		if dv := dvs[c]; dv == nil || dv.Type != "custom" || dv.Formula1 != want {
			t.Errorf("%s (%s): validation %+v, want custom %s", code, c, dv, want)
		}
	}

	// Spot checks against the decree (Tab. 3, Tab. 4, nota 3, parte B).
	value := map[string]string{}
	row := map[string]string{}
	for i, r := range rows[1:] {
		value[r[0]] = cellValue(t, f, sh, "C"+strconv.Itoa(i+2))
		row[r[0]] = strconv.Itoa(i + 2)
	}
	for _, tt := range []struct{ code, want string }{
		{"S1", "51.6"}, {"S2", "80.1"}, {"S4", "11"}, {"S13", "77.1"},
		{"occupati_meccanica", "19.1"}, {"tasso_meccanica", "85.7"},
		{"femminile_correzione", "0.2"},
		{"correzione_n", ""}, {"media_generale_occupati", ""}, {"media_generale_tasso", ""},
		{"femminile_media_generale", ""}, {"femminile_media_moda", ""},
	} {
		if got, ok := value[tt.code]; !ok || got != tt.want {
			t.Errorf("%s = %q (present %v), want %q", tt.code, got, ok, tt.want)
		}
	}
	if dv := dvs["C"+row["correzione_n"]]; dv == nil || dv.Type != "whole" || dv.Operator != "between" || dv.Formula1 != "1" || dv.Formula2 != "9" {
		t.Errorf("correzione_n validation %+v, want whole 1–9", dv)
	}
	if dv := dvs["C"+row["media_generale_tasso"]]; dv == nil || dv.Type != "decimal" || dv.Formula1 != "0" || dv.Formula2 != "100" {
		t.Errorf("media_generale_tasso validation %+v, want decimal 0–100", dv)
	}
	if dv := dvs["C"+row["media_generale_occupati"]]; dv == nil || dv.Operator != "greaterThanOrEqual" || dv.Formula1 != "0" {
		t.Errorf("media_generale_occupati validation %+v, want ≥ 0", dv)
	}
}

// TestTemplateCommittedFile fails when templates/official-workbook.xlsx
// differs in content from what Template generates.
func TestTemplateCommittedFile(t *testing.T) {
	committed, err := excelize.OpenFile(committedTemplate)
	if err != nil {
		t.Fatalf("cannot open the committed template %s: %v\nregenerate it with: %s", committedTemplate, err, regenerate)
	}
	defer committed.Close()
	want, got := templateSnapshot(t, openTemplate(t)), templateSnapshot(t, committed)
	keys := map[string]bool{}
	for k := range want {
		keys[k] = true
	}
	for k := range got {
		keys[k] = true
	}
	var diffs []string
	for k := range keys {
		if want[k] != got[k] {
			diffs = append(diffs, fmt.Sprintf("%s:\n\tcommitted %s\n\tgenerated %s", k, orNone(got[k]), orNone(want[k])))
		}
	}
	if len(diffs) == 0 {
		return
	}
	sort.Strings(diffs)
	more := ""
	if len(diffs) > 15 {
		more = fmt.Sprintf("\n… and %d more", len(diffs)-15)
		diffs = diffs[:15]
	}
	t.Errorf("%s differs from Template() in %d places:\n%s%s\nregenerate it with: %s",
		committedTemplate, len(diffs), strings.Join(diffs, "\n"), more, regenerate)
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// templateSnapshot lists what a person or a reader can see of a workbook:
// sheets and their order, visibility, every cell's value, formula, type and
// style (as a style, not as an id), column widths and formats, row heights,
// merged cells, panes, sheet views, data validations, comments, defined
// names and document properties. Zip bytes are not compared.
func templateSnapshot(t *testing.T, f *excelize.File) map[string]string {
	t.Helper()
	m := map[string]string{}
	put := func(key string, v any) {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		m[key] = string(b)
	}
	styles := map[int]*excelize.Style{}
	style := func(id int) *excelize.Style {
		if s, ok := styles[id]; ok {
			return s
		}
		s, err := f.GetStyle(id)
		if err != nil {
			t.Fatalf("style %d: %v", id, err)
		}
		styles[id] = s
		return s
	}
	check := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	put("sheets", f.GetSheetList())
	put("active sheet", f.GetActiveSheetIndex())
	put("defined names", f.GetDefinedName())
	props, err := f.GetDocProps()
	check(err)
	put("document properties", props)
	for _, sh := range f.GetSheetList() {
		visible, err := f.GetSheetVisible(sh)
		check(err)
		put(sh+" visible", visible)
		panes, err := f.GetPanes(sh)
		check(err)
		put(sh+" panes", panes)
		view, err := f.GetSheetView(sh, 0)
		check(err)
		put(sh+" view", view)
		sprops, err := f.GetSheetProps(sh)
		check(err)
		put(sh+" properties", sprops)
		dim, err := f.GetSheetDimension(sh)
		check(err)
		put(sh+" dimension", dim)
		merged, err := f.GetMergeCells(sh)
		check(err)
		put(sh+" merged cells", merged)
		dvs, err := f.GetDataValidations(sh)
		check(err)
		for i, dv := range dvs {
			put(fmt.Sprintf("%s data validation %d", sh, i+1), dv)
		}
		comments, err := f.GetComments(sh)
		check(err)
		for _, c := range comments {
			put(sh+"!"+c.Cell+" comment", c)
		}

		// Extent: the last row element and the last column with cells.
		rows, err := f.Rows(sh)
		check(err)
		nRows := 0
		for rows.Next() {
			nRows++
		}
		check(rows.Close())
		cols, err := f.GetCols(sh)
		check(err)
		nCols := len(cols)
		put(sh+" extent", [2]int{nRows, nCols})
		for c := 1; c <= nCols+2; c++ {
			col := templateColumn(c)
			w, err := f.GetColWidth(sh, col)
			check(err)
			put(sh+" column "+col+" width", w)
			id, err := f.GetColStyle(sh, col)
			check(err)
			put(sh+" column "+col+" style", style(id))
		}
		for r := 1; r <= nRows+2; r++ {
			h, err := f.GetRowHeight(sh, r)
			check(err)
			put(fmt.Sprintf("%s row %d height", sh, r), h)
			for c := 1; c <= nCols+2; c++ {
				cell := templateCell(c, r)
				v, err := f.GetCellValue(sh, cell, excelize.Options{RawCellValue: true})
				check(err)
				formula, err := f.GetCellFormula(sh, cell)
				check(err)
				typ, err := f.GetCellType(sh, cell)
				check(err)
				id, err := f.GetCellStyle(sh, cell)
				check(err)
				if v == "" && formula == "" && id == 0 {
					continue
				}
				put(sh+"!"+cell, struct {
					Value, Formula string
					Type           excelize.CellType
					Style          *excelize.Style
				}{v, formula, typ, style(id)})
			}
		}
	}
	return m
}

// TestTemplateSnapshotSeesChanges makes sure the committed-file check is not
// blind: a changed value, style, validation or width shows up.
func TestTemplateSnapshotSeesChanges(t *testing.T) {
	base := templateSnapshot(t, openTemplate(t))
	tests := []struct {
		name   string
		change func(f *excelize.File) error
	}{
		{"value", func(f *excelize.File) error { return f.SetCellValue("Soglie", "C2", 50) }},
		{"style", func(f *excelize.File) error {
			id, err := f.NewStyle(&excelize.Style{Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FF0000"}}})
			if err != nil {
				return err
			}
			return f.SetCellStyle("Percorsi", "C50", "C50", id)
		}},
		{"validation", func(f *excelize.File) error { return f.DeleteDataValidation("Percorsi", "E3:E1000") }},
		{"width", func(f *excelize.File) error { return f.SetColWidth("Percorsi", "B", "B", 5) }},
		{"comment", func(f *excelize.File) error { return f.DeleteComment("Percorsi", "A1") }},
		{"panes", func(f *excelize.File) error { return f.SetPanes("Percorsi", &excelize.Panes{}) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := openTemplate(t)
			if err := tt.change(f); err != nil {
				t.Fatal(err)
			}
			if reflect.DeepEqual(templateSnapshot(t, f), base) {
				t.Error("snapshot did not change")
			}
		})
	}
}

// TestTemplateThresholdOrder checks that the threshold rows follow the
// pack: every code of ThresholdDefs appears once, in order.
func TestTemplateThresholdOrder(t *testing.T) {
	f := openTemplate(t)
	cols, err := f.GetCols("Soglie")
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, d := range templatePack(t).ThresholdDefs() {
		want = append(want, d.Code)
	}
	if got := cols[0][1:]; !reflect.DeepEqual(got, want) {
		t.Errorf("Soglie codes %q, want %q", got, want)
	}
}

// TestTemplateLegalFiguresFromPack: the legal figures a field's note states
// come from the pack's legal constraints (their summary), under the
// default interpretations, not from the field catalogue.
func TestTemplateLegalFiguresFromPack(t *testing.T) {
	f := openTemplate(t)
	comments, err := f.GetComments(validate.SheetCourses)
	if err != nil {
		t.Fatal(err)
	}
	p := templatePack(t)
	want := map[compute.FieldCode][]string{}
	for _, lr := range p.DefaultConstraints() {
		want[compute.FieldCode(lr.Field)] = append(want[compute.FieldCode(lr.Field)], lr.Summary)
	}
	if len(want) != 3 {
		t.Fatalf("default constraints concern %d fields, want iscritti, ore_stage, ore_docenti_mondo_lavoro", len(want))
	}
	for _, c := range comments {
		text := ""
		for _, r := range c.Paragraph {
			text += r.Text
		}
		for code, sums := range want {
			if !strings.Contains(text, "Codice: "+string(code)) {
				continue
			}
			for _, s := range sums {
				if !strings.Contains(text, s) {
					t.Errorf("%s: note lacks %q: %q", code, s, text)
				}
			}
			delete(want, code)
		}
		if strings.Contains(text, "60%") {
			t.Errorf("a note states the alternative I-9 figure: %q", text)
		}
	}
	if len(want) != 0 {
		t.Errorf("no note for %v", want)
	}
}
