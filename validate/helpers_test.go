package validate

import (
	"strconv"
	"testing"

	"github.com/its-academy/auditor/compute"
)

// colLetter returns the column letters of a 0-based index: 0 → A, 26 → AA.
func colLetter(i int) string {
	s := ""
	for i++; i > 0; i = (i - 1) / 26 {
		s = string(rune('A'+(i-1)%26)) + s
	}
	return s
}

// testColumns places the course fields in template order, from column A.
func testColumns() map[compute.FieldCode]Column {
	cols := map[compute.FieldCode]Column{}
	for i, f := range CourseFields() {
		cols[f.Code] = Column{Letter: colLetter(i), Code: CellRef(SheetCourses + "!" + colLetter(i) + "2")}
	}
	return cols
}

func cellAt(code compute.FieldCode, row int) CellRef {
	return CellRef(SheetCourses + "!" + testColumns()[code].Letter + strconv.Itoa(row))
}

// cleanCourse is a course whose every figure is consistent and lawful (the
// course of compute's tests whose results sit on the Tab. 3 thresholds once
// they are rounded): it scores with no error, violation or warning.
func cleanCourse() map[compute.FieldCode]Entry {
	num := func(s string) Entry { return Entry{Type: EntryNumber, Text: s} }
	return map[compute.FieldCode]Entry{
		"codice_percorso":    {Type: EntryText, Text: "MEC-01"},
		"titolo":             {Type: EntryText, Text: "Tecnico superiore per l'automazione"},
		"area_tecnologica":   {Type: EntryText, Text: "Sistema meccanica"},
		"livello_eqf":        num("5"),
		"data_fine":          {Type: EntryNumber, Text: "45657", Date: true},
		"domande_iscrizione": num("50"), "partecipanti_selezione": num("40"), "iscritti": num("25"),
		"iscritti_fuori_regione": num("3"), "iscritte": num("5"),
		"ore_totali": num("2000"), "ore_stage": num("700"),
		"ore_attivita_totali": num("400"), "ore_fuori_regione": num("100"), "ore_estero": num("50"),
		"ore_docenti_totali": num("1000"), "ore_docenti_mondo_lavoro": num("500"),
		"ore_teoria": num("1000"), "ore_laboratori": num("250"),
		"ore_its": num("1000"), "ore_lab_digitali_its": num("400"),
		"imprese_totali": num("10"), "imprese_progettazione": num("2"),
		"iscritti_apprendistato": num("1"),
		"diplomati":              num("20"), "diplomate": num("4"), "certificati": num("0"),
		"occupati_coerenti": num("14"), "occupati_non_coerenti": num("5"), "iscritti_universita": num("1"),
		"soddisfazione": num("6"),
	}
}

// row builds a course row, giving every entry its cell.
func row(n int, entries map[compute.FieldCode]Entry) CourseRow {
	out := CourseRow{Row: n, Entries: map[compute.FieldCode]Entry{}}
	for code, e := range entries {
		if e.Cell == "" {
			e.Cell = cellAt(code, n)
		}
		out.Entries[code] = e
	}
	return out
}

// with returns the clean course with some entries changed (or removed with
// a zero Entry).
func with(changes map[compute.FieldCode]Entry) map[compute.FieldCode]Entry {
	c := cleanCourse()
	for k, v := range changes {
		if v == (Entry{}) {
			delete(c, k)
			continue
		}
		c[k] = v
	}
	return c
}

func foundation() map[compute.FieldCode]Entry {
	txt := func(row int, s string) Entry {
		return Entry{Type: EntryText, Text: s, Cell: CellRef(SheetFoundation + "!C" + strconv.Itoa(row))}
	}
	return map[compute.FieldCode]Entry{
		"fondazione_codice": txt(2, "ITS-LOM-01"),
		"fondazione_nome":   txt(3, "Fondazione ITS Meccatronica"),
		"regione":           txt(4, "Lombardia"),
		"anno_monitoraggio": {Type: EntryNumber, Text: "2025", Cell: SheetFoundation + "!C5"},
		"template_versione": txt(6, TemplateVersion),
	}
}

func input(rows ...CourseRow) *Input {
	return &Input{
		FileName: "test.xlsx", SHA256: "abc123", Foundation: foundation(),
		Columns: testColumns(), Courses: rows,
	}
}

func registry(t testing.TB) *compute.Registry {
	t.Helper()
	reg, err := compute.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

func run(t testing.TB, in *Input, opt Options) *Audit {
	t.Helper()
	a, err := Run(in, registry(t), opt)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return a
}

func num(s string) Entry  { return Entry{Type: EntryNumber, Text: s} }
func text(s string) Entry { return Entry{Type: EntryText, Text: s} }
