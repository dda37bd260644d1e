package xlsxio

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/its-academy/auditor/compute"
	"github.com/its-academy/auditor/testkit"
	"github.com/xuri/excelize/v2"
)

var update = flag.Bool("update", false, "regenerate the example workbooks in testdata/")

// exampleCourse is one row of an example workbook. Values are written as
// numbers unless they are strings (to test numbers and dates typed as text).
type exampleCourse struct {
	values map[string]any
}

func course(code, title, area string, eqf int, end string, v map[string]any) exampleCourse {
	m := map[string]any{"codice_percorso": code, "titolo": title, "area_tecnologica": area, "livello_eqf": eqf, "data_fine": end}
	for k, x := range v {
		m[k] = x
	}
	return exampleCourse{values: m}
}

// base returns the figures of an ordinary, consistent course; variants
// change a few of them.
func base(over map[string]any) map[string]any {
	v := testkit.CourseFigures()
	for k, x := range over {
		v[k] = x
	}
	return v
}

// exampleFoundation is the realistic example: a fictitious foundation with
// ten courses in seven areas, some of which breach a legal minimum or need a
// warning, and the female-students inputs for two areas.
func exampleFoundation() ([]exampleCourse, map[string]any) {
	courses := []exampleCourse{
		course("MEC-23-01", "Tecnico superiore per l'automazione industriale", "Sistema meccanica", 5, "15/07/2025", base(nil)),
		course("MEC-23-02", "Tecnico superiore per la manutenzione predittiva", "Sistema meccanica", 5, "30/06/2025", base(map[string]any{
			"domande_iscrizione": 92, "partecipanti_selezione": 80, "iscritti": 28, "diplomati": 24, "occupati_coerenti": 20, "occupati_non_coerenti": 1, "iscritti_universita": 2})),
		course("MEC-23-03", "Tecnico superiore per la meccatronica (serale)", "Sistema meccanica", 5, "31/10/2025", base(map[string]any{
			"iscritti": 18, "iscritti_fuori_regione": 0, "iscritte": 1, "diplomati": 14, "diplomate": 1, "certificati": 1,
			"occupati_coerenti": 11, "occupati_non_coerenti": 1, "iscritti_universita": 0})), // < 20 enrolled: Attrattività zeroed
		course("ICT-23-01", "Sviluppatore di applicazioni cloud", "Tecnologie dell'informazione e della comunicazione", 5, "31/07/2025", base(map[string]any{
			"ore_stage": "710,5", "iscritte": 6, "diplomate": 5})), // hours typed as text with a decimal comma
		course("ICT-23-02", "Esperto di sicurezza informatica", "Tecnologie dell'informazione e della comunicazione", 5, "30/09/2025", base(map[string]any{
			"ore_stage": 560, "ore_attivita_totali": 600})), // 28% internship: below the legal 30%
		course("MODA-23-01", "Tecnico superiore per il prodotto moda sostenibile", "Sistema moda", 5, "15/07/2025", base(map[string]any{
			"iscritte": 17, "diplomate": 14, "ore_docenti_mondo_lavoro": 580})), // 46.8% teaching from industry: below 50%
		course("AGRO-23-01", "Tecnico superiore per la qualità agroalimentare", "Sistema agro-alimentare", 5, "30/06/2025", base(map[string]any{
			"diplomati": 0, "diplomate": 0, "certificati": 6, "occupati_coerenti": 0, "occupati_non_coerenti": 0, "iscritti_universita": 0})), // no graduates (I-6)
		course("MOB-23-01", "Tecnico superiore per la logistica sostenibile", "Mobilità sostenibile", 5, "31/12/2024", base(map[string]any{
			"iscritti_apprendistato": 0, "imprese_progettazione": 1})),
		course("ENE-23-01", "Tecnico superiore per l'efficienza energetica degli edifici", "Efficienza energetica", 5, "15/07/2025", base(map[string]any{
			"soddisfazione": "8,1"})),
		course("TUR-24-01", "Tecnico superiore per il turismo digitale (triennale)", "Tecnologie innovative per i beni e le attività culturali - Turismo", 6, "31/07/2025", base(nil)), // EQF VI: no rule pack
	}
	// The Soglie sheet is left as the template has it: thresholds are the
	// auditor's (testdata/soglie-auditor.json supplies the female means).
	return courses, map[string]any{}
}

// exampleInconsistent has one problem of each kind the validator reports.
func exampleInconsistent() ([]exampleCourse, map[string]any) {
	courses := []exampleCourse{
		course("INC-01", "Stage oltre le ore totali", "Sistema casa", 5, "30/06/2025", base(map[string]any{"ore_stage": 2400})),
		course("INC-02", "Occupati oltre i diplomati", "Servizi alle imprese", 5, "30/06/2025", base(map[string]any{"occupati_coerenti": 30})),
		course("INC-02", "Codice ripetuto", "Servizi alle imprese", 5, "30/06/2025", base(nil)),
		course("INC-04", "Area inesistente", "Sistema meccanico", 5, "30/06/2025", base(nil)),
		course("INC-05", "Dato mancante e soddisfazione fuori scala", "Sistema casa", 5, "30/06/2025", base(map[string]any{"iscritti": nil, "soddisfazione": 11})),
		course("INC-06", "Domande pari a zero", "Sistema casa", 5, "30/06/2025", base(map[string]any{"domande_iscrizione": 0, "partecipanti_selezione": 0})),
		course("INC-07", "Percorso terminato nel 2023", "Sistema casa", 5, "30/06/2023", base(nil)),
		course("INC-08", "Persone non intere e data non valida", "Sistema casa", 5, "31/02/2025", base(map[string]any{"iscritti": 25.5})),
	}
	return courses, map[string]any{"S2": "abc"}
}

// exampleEdgeCases are valid courses written the ways people really fill
// the sheet; the reader must cope with each (see edgeCaseLayout).
func exampleEdgeCases() ([]exampleCourse, map[string]any) {
	courses := []exampleCourse{
		course("EDGE-01", "Numeri come testo con separatore delle migliaia", "Sistema casa", 5, "31/12/2024", base(map[string]any{
			"ore_totali": "2.000", "ore_stage": " 760,0 ", "soddisfazione": "7,25"})),
		course("EDGE-02", "Data scritta come testo", "Sistema casa", 5, "", base(map[string]any{"data_fine": "15/07/2025"})),
		course("EDGE-03", "Formula mai calcolata", "Sistema casa", 5, "15/07/2025", base(nil)),
		course("EDGE-04", "Riga dopo righe vuote", "Servizi alle imprese", 5, "15/07/2025", base(nil)),
	}
	return courses, nil
}

// edgeCaseLayout rearranges the filled sheet: an extra column of the user's
// own at C, blank rows between courses, a formula without a cached value.
func edgeCaseLayout(t *testing.T, f *excelize.File) {
	t.Helper()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.InsertCols("Percorsi", "C", 1))
	must(f.SetCellValue("Percorsi", "C1", "Note interne della Fondazione"))
	must(f.SetCellValue("Percorsi", "C2", "note_interne"))
	must(f.SetCellValue("Percorsi", "C3", "colonna aggiunta dall'utente: va ignorata"))
	must(f.InsertRows("Percorsi", 6, 2)) // two blank rows before EDGE-04
	// EDGE-03: iscritti as a formula that was never calculated.
	rows, err := f.GetRows("Percorsi")
	must(err)
	for i, code := range rows[1] {
		if code == "iscritti" {
			col, _ := excelize.ColumnNumberToName(i + 1)
			must(f.SetCellValue("Percorsi", col+"5", nil)) // no cached value left
			must(f.SetCellFormula("Percorsi", col+"5", "20+6"))
		}
	}
}

// buildExample fills the template with a foundation and its courses.
func buildExample(t *testing.T, name string, courses []exampleCourse, thresholds map[string]any, layout ...func(*testing.T, *excelize.File)) []byte {
	t.Helper()
	reg, err := compute.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	p, _ := reg.Get("dm-2023-11-30-eqf5")
	f, err := Template(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	setByCode := func(sheet string, codeCol, valueCol string, values map[string]any) {
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		for i, row := range rows {
			col, _ := excelize.ColumnNameToNumber(codeCol)
			if len(row) < col {
				continue
			}
			if v, ok := values[row[col-1]]; ok {
				if err := f.SetCellValue(sheet, fmt.Sprintf("%s%d", valueCol, i+1), v); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	setByCode("Fondazione", "A", "C", map[string]any{
		"fondazione_codice": "ITS-FT-001", "fondazione_nome": "Fondazione ITS Academy Nordest Tecnologie (" + name + ", dati fittizi)",
		"regione": "Veneto", "anno_monitoraggio": 2025,
	})
	setByCode("Soglie", "A", "C", thresholds)
	codes, err := f.GetRows("Percorsi")
	if err != nil || len(codes) < 2 {
		t.Fatalf("template Percorsi: %v", err)
	}
	colOf := map[string]string{}
	for i, code := range codes[1] {
		col, _ := excelize.ColumnNumberToName(i + 1)
		colOf[code] = col
	}
	for i, c := range courses {
		row := i + 3
		for code, v := range c.values {
			col, ok := colOf[code]
			if !ok {
				t.Fatalf("no column for %s", code)
			}
			ref := fmt.Sprintf("%s%d", col, row)
			if v == nil {
				continue
			}
			if s, ok := v.(string); ok && code == "data_fine" {
				var d, m, y int
				if _, err := fmt.Sscanf(s, "%d/%d/%d", &d, &m, &y); err == nil && validDate(d, m, y) {
					// A real date: its serial number in the date-formatted
					// column, as Excel stores it. Invalid dates stay text.
					if err := f.SetCellValue("Percorsi", ref, excelSerial(y, m, d)); err != nil {
						t.Fatal(err)
					}
					continue
				}
			}
			if err := f.SetCellValue("Percorsi", ref, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, l := range layout {
		l(t, f)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func validDate(d, m, y int) bool {
	days := []int{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}
	if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
		days[1] = 29
	}
	return m >= 1 && m <= 12 && d >= 1 && d <= days[m-1]
}

// excelSerial is the 1900-system serial number of a date after 1/3/1900.
func excelSerial(y, m, d int) int {
	// Days from 1899-12-30 (the 1900 system's effective epoch).
	a := (14 - m) / 12
	yy := y + 4800 - a
	mm := m + 12*a - 3
	jdn := d + (153*mm+2)/5 + 365*yy + yy/4 - yy/100 + yy/400 - 32045
	return jdn - 2415019
}

func TestExcelSerial(t *testing.T) {
	if got := excelSerial(2024, 12, 31); got != 45657 {
		t.Errorf("31/12/2024 = %d, want 45657", got)
	}
	if got := excelSerial(1900, 3, 1); got != 61 {
		t.Errorf("1/3/1900 = %d, want 61", got)
	}
}

// TestExampleWorkbooks regenerates (with -update) or checks the example
// workbooks in testdata/ against what the generator writes, cell by cell.
func TestExampleWorkbooks(t *testing.T) {
	examples := map[string]struct {
		gen    func() ([]exampleCourse, map[string]any)
		layout []func(*testing.T, *excelize.File)
	}{
		"esempio-fondazione.xlsx":  {exampleFoundation, nil},
		"esempio-incoerente.xlsx":  {exampleInconsistent, nil},
		"esempio-casi-limite.xlsx": {exampleEdgeCases, []func(*testing.T, *excelize.File){edgeCaseLayout}},
	}
	for name, ex := range examples {
		courses, thr := ex.gen()
		data := buildExample(t, strings.TrimSuffix(name, ".xlsx"), courses, thr, ex.layout...)
		path := filepath.Join("..", "testdata", name)
		if *update {
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		committed, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%s: %v (regenerate with go test ./xlsxio -run TestExampleWorkbooks -update)", name, err)
		}
		if diff := diffCells(t, committed, data); diff != "" {
			t.Errorf("%s differs from the generator (regenerate with go test ./xlsxio -run TestExampleWorkbooks -update): %s", name, diff)
		}
	}
}

// diffCells compares every sheet and cell value of two workbooks.
func diffCells(t *testing.T, a, b []byte) string {
	t.Helper()
	fa, err := excelize.OpenReader(bytes.NewReader(a))
	if err != nil {
		return err.Error()
	}
	defer fa.Close()
	fb, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		return err.Error()
	}
	defer fb.Close()
	if strings.Join(fa.GetSheetList(), ",") != strings.Join(fb.GetSheetList(), ",") {
		return fmt.Sprintf("sheets %v vs %v", fa.GetSheetList(), fb.GetSheetList())
	}
	for _, s := range fa.GetSheetList() {
		ra, _ := fa.GetRows(s, excelize.Options{RawCellValue: true})
		rb, _ := fb.GetRows(s, excelize.Options{RawCellValue: true})
		if fmt.Sprint(ra) != fmt.Sprint(rb) {
			return "sheet " + s + " cells differ"
		}
	}
	return ""
}
