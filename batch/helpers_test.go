package batch_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/its-academy/auditor/compute"
	"github.com/its-academy/auditor/testkit"
	"github.com/its-academy/auditor/xlsxio"
	"github.com/xuri/excelize/v2"
)

// good and poor are the figures of a course that scores well above 60 and
// of one that scores below 50 under the DM 2023 pack.
func good() map[string]any { return testkit.CourseFigures() }

func poor() map[string]any {
	v := good()
	for k, x := range map[string]any{
		"domande_iscrizione": 30, "partecipanti_selezione": 21, "iscritti": 20, "iscritti_fuori_regione": 0,
		"ore_fuori_regione": 0, "ore_estero": 0, "ore_laboratori": 60, "ore_lab_digitali_its": 20,
		"imprese_progettazione": 0, "iscritti_apprendistato": 0, "diplomati": 8, "diplomate": 1, "certificati": 0,
		"occupati_coerenti": 1, "occupati_non_coerenti": 1, "iscritti_universita": 0, "soddisfazione": 4,
	} {
		v[k] = x
	}
	return v
}

// unscorable has a zero denominator: an error finding, no total.
func unscorable() map[string]any {
	v := good()
	v["domande_iscrizione"], v["partecipanti_selezione"] = 0, 0
	return v
}

// wbCourse is one course row: code and figures.
type wbCourse struct {
	code   string
	values map[string]any
}

// workbook fills the official template with a foundation, a year and its
// courses (all EQF V, Sistema meccanica, ended 15/07 of the year).
func workbook(tb testing.TB, code, name string, year int, courses []wbCourse) []byte {
	tb.Helper()
	reg, err := compute.LoadEmbedded()
	if err != nil {
		tb.Fatal(err)
	}
	p, _ := reg.Get("dm-2023-11-30-eqf5")
	f, err := xlsxio.Template(p)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	must := func(err error) {
		tb.Helper()
		if err != nil {
			tb.Fatal(err)
		}
	}
	must(testkit.SetFields(f, "Fondazione", map[string]any{"fondazione_codice": code, "fondazione_nome": name, "regione": "Veneto", "anno_monitoraggio": year}))
	codes, err := f.GetRows("Percorsi")
	must(err)
	colOf := map[string]string{}
	for i, c := range codes[1] {
		col, _ := excelize.ColumnNumberToName(i + 1)
		colOf[c] = col
	}
	ended := excelSerial(year, 7, 15)
	for i, c := range courses {
		row := i + 3
		all := map[string]any{"codice_percorso": c.code, "titolo": "Percorso " + c.code, "area_tecnologica": "Sistema meccanica", "livello_eqf": 5, "data_fine": ended}
		for k, v := range c.values {
			all[k] = v
		}
		for k, v := range all {
			col, ok := colOf[k]
			if !ok {
				tb.Fatalf("no column %s", k)
			}
			must(f.SetCellValue("Percorsi", fmt.Sprintf("%s%d", col, row), v))
		}
	}
	var buf bytes.Buffer
	must(f.Write(&buf))
	return buf.Bytes()
}

// excelSerial is the Excel serial number of a date (1900 system).
func excelSerial(y, m, d int) int {
	// Days from 1899-12-30, computed with the civil calendar.
	days := func(y, m, d int) int {
		if m <= 2 {
			y--
			m += 12
		}
		return 365*y + y/4 - y/100 + y/400 + (153*(m-3)+2)/5 + d
	}
	return days(y, m, d) - days(1899, 12, 30)
}

// courses makes n courses: the first below of them poor, then unscored
// unscorable ones, the rest good.
func courses(prefix string, n, below, unscored int) []wbCourse {
	out := make([]wbCourse, n)
	for i := range out {
		v := good()
		switch {
		case i < below:
			v = poor()
		case i < below+unscored:
			v = unscorable()
		}
		out[i] = wbCourse{code: fmt.Sprintf("%s-%02d", prefix, i+1), values: v}
	}
	return out
}
