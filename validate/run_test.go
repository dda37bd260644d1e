package validate

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/its-academy/auditor/compute"
)

func findingsOf(fs []Finding, rule compute.RuleID) []Finding {
	var out []Finding
	for _, f := range fs {
		if f.Rule == rule {
			out = append(out, f)
		}
	}
	return out
}

func bySeverity(fs []Finding, s compute.Severity) []Finding {
	var out []Finding
	for _, f := range fs {
		if f.Severity == s {
			out = append(out, f)
		}
	}
	return out
}

// one runs a single course at row 3 and returns its audit.
func one(t *testing.T, entries map[compute.FieldCode]Entry, opt Options) (*Audit, CourseAudit) {
	t.Helper()
	a := run(t, input(row(3, entries)), opt)
	if len(a.Courses) != 1 {
		t.Fatalf("%d courses, want 1", len(a.Courses))
	}
	return a, a.Courses[0]
}

func TestCleanCourseScores(t *testing.T) {
	a, c := one(t, cleanCourse(), Options{})
	for _, f := range c.Findings {
		if f.Severity != compute.SeverityInfo {
			t.Errorf("unexpected finding %s %s: %s", f.Severity, f.Rule, f.Message)
		}
	}
	for _, f := range a.Findings {
		if f.Severity != compute.SeverityInfo {
			t.Errorf("unexpected workbook finding %s %s: %s", f.Severity, f.Rule, f.Message)
		}
	}
	if !c.Scored() || c.Result.Band == nil || c.Result.TotalTrace == nil {
		t.Fatalf("clean course not scored: %+v", c.Result)
	}
	if len(c.Sensitivity) == 0 || c.Sensitivity[0].Choice != "E-1" || c.Sensitivity[0].Alternative != "printed" {
		t.Errorf("sensitivity = %+v, want E-1 printed first", c.Sensitivity)
	}
	if c.Pack == nil || c.Pack.ID != "dm-2023-11-30-eqf5" || c.EQF != 5 || !c.Ended.Equal(day(2024, 12, 31)) {
		t.Errorf("pack %v, EQF %d, ended %v", c.Pack, c.EQF, c.Ended)
	}
	if c.Area != "Sistema meccanica" || c.Code != "MEC-01" || c.Row != 3 {
		t.Errorf("area %q code %q row %d", c.Area, c.Code, c.Row)
	}
	if c.Values["ore_stage"] != 700 || c.Cells["ore_stage"] != "Percorsi!L3" {
		t.Errorf("ore_stage = %v at %s", c.Values["ore_stage"], c.Cells["ore_stage"])
	}
	if a.Reading != compute.ReadingTables || a.Errata["E-2"] != compute.FormPrinted || a.Scorers["dm-2023-11-30-eqf5"] == nil {
		t.Errorf("reading %s, scorers %v", a.Reading, a.Scorers)
	}
	if a.HasSeverity(compute.SeverityError) {
		t.Error("HasSeverity(error) on a clean workbook")
	}
}

func TestCrossFieldRules(t *testing.T) {
	tests := []struct {
		rule    compute.RuleID
		changes map[compute.FieldCode]Entry
		cell    CellRef
		message string // the whole message, in Italian
	}{
		{"DAT-PARTECIPANTI-GT-DOMANDE", map[compute.FieldCode]Entry{"partecipanti_selezione": num("60")}, "Percorsi!G3",
			"Percorsi!G3: soggetti che hanno sostenuto la selezione 60 più delle domande di iscrizione 50 (F3). Chi sostiene la prova ha presentato domanda: correggere uno dei due valori. Fonte: docs/modello.md; DM 30/11/2023, All. tecnico, Tab. 2, articolazioni 1 e 2."},
		{"DAT-FUORI-REGIONE-GT-ISCRITTI", map[compute.FieldCode]Entry{"iscritti_fuori_regione": num("26")}, "Percorsi!I3",
			"Percorsi!I3: iscritti residenti fuori regione 26 più degli iscritti all'avvio 25 (H3). Correggere uno dei due valori. Fonte: docs/modello.md; DM 30/11/2023, All. tecnico, Tab. 2, articolazione 4."},
		{"DAT-ISCRITTE-GT-ISCRITTI", map[compute.FieldCode]Entry{"iscritte": num("30")}, "Percorsi!J3",
			"Percorsi!J3: studentesse iscritte 30 più degli iscritti all'avvio 25 (H3). Correggere uno dei due valori. Fonte: docs/modello.md; DM 30/11/2023, All. tecnico, parte B."},
		{"DAT-STAGE-GT-TOTALE", map[compute.FieldCode]Entry{"ore_stage": num("1250"), "ore_totali": num("1000")}, "Percorsi!L3",
			"Percorsi!L3: ore di stage 1.250 maggiori delle ore totali 1.000 (K3). Correggere uno dei due valori. Fonte: docs/modello.md; DM 30/11/2023, All. tecnico, Tab. 2, articolazione 5."},
		{"DAT-ORE-FUORI-ESTERO-GT-ATTIVITA", map[compute.FieldCode]Entry{"ore_fuori_regione": num("300"), "ore_estero": num("150,5")}, "Percorsi!O3",
			"Percorsi!O3: ore fuori regione 300 (N3) più ore all'estero 150,5 fanno 450,5, più delle ore totali di stage e altre attività 400 (M3). Le une e le altre sono parte del totale: correggere i valori. Fonte: docs/modello.md; DM 30/11/2023, All. tecnico, Tab. 2, articolazione 6."},
		{"DAT-DOCENTI-MONDO-GT-TOTALE", map[compute.FieldCode]Entry{"ore_docenti_mondo_lavoro": num("1100")}, "Percorsi!Q3",
			"Percorsi!Q3: ore dei docenti dal mondo del lavoro 1.100 maggiori delle ore totali di docenza 1.000 (P3). Correggere uno dei due valori. Fonte: docs/modello.md; DM 30/11/2023, All. tecnico, Tab. 2, articolazione 7."},
		{"DAT-LABORATORI-GT-TEORIA", map[compute.FieldCode]Entry{"ore_laboratori": num("1000.5")}, "Percorsi!S3",
			"Percorsi!S3: ore in laboratori 1.000,5 maggiori delle ore totali di teoria 1.000 (R3). Correggere uno dei due valori. Fonte: docs/modello.md; DM 30/11/2023, All. tecnico, Tab. 2, articolazione 8."},
		{"DAT-DIGITALI-GT-ITS", map[compute.FieldCode]Entry{"ore_lab_digitali_its": num("1200")}, "Percorsi!U3",
			"Percorsi!U3: ore per competenze digitali nei laboratori ITS 1.200 maggiori delle ore svolte presso l'ITS Academy 1.000 (T3). Correggere uno dei due valori. Fonte: docs/modello.md; DM 30/11/2023, All. tecnico, Tab. 2, articolazione 9."},
		{"DAT-IMPRESE-PROGETTAZIONE-GT-TOTALE", map[compute.FieldCode]Entry{"imprese_progettazione": num("11")}, "Percorsi!W3",
			"Percorsi!W3: imprese che hanno contribuito alla progettazione 11 più delle imprese coinvolte 10 (V3). Correggere uno dei due valori. Fonte: docs/modello.md; DM 30/11/2023, All. tecnico, Tab. 2, articolazione 10."},
		{"DAT-APPRENDISTATO-GT-ISCRITTI", map[compute.FieldCode]Entry{"iscritti_apprendistato": num("26")}, "Percorsi!X3",
			"Percorsi!X3: iscritti con apprendistato di III livello 26 più degli iscritti all'avvio 25 (H3). Correggere uno dei due valori. Fonte: docs/modello.md; DM 30/11/2023, All. tecnico, Tab. 2, articolazione 11."},
		{"DAT-DIPLOMATE-GT-DIPLOMATI", map[compute.FieldCode]Entry{"diplomate": num("21")}, "Percorsi!Z3",
			"Percorsi!Z3: studentesse diplomate 21 più dei diplomati 20 (Y3). Correggere uno dei due valori. Fonte: docs/modello.md; DM 30/11/2023, All. tecnico, parte B."},
		{"DAT-DIPLOMATI-CERTIFICATI-GT-ISCRITTI", map[compute.FieldCode]Entry{"certificati": num("6")}, "Percorsi!AA3",
			"Percorsi!AA3: diplomati 20 (Y3) più certificati 6 fanno 26, più degli iscritti all'avvio 25 (H3). Correggere i valori. Fonte: docs/modello.md; DM 30/11/2023, All. tecnico, Tab. 2, articolazione 13."},
		{"DAT-OCCUPATI-GT-DIPLOMATI", map[compute.FieldCode]Entry{"iscritti_universita": num("2")}, "Percorsi!AD3",
			"Percorsi!AD3: occupati coerenti 14 (AB3), occupati non coerenti 5 (AC3) e iscritti all'università 2 fanno 21, più dei diplomati 20 (Y3). Si contano solo i diplomati: correggere i valori. Fonte: docs/modello.md; DM 30/11/2023, All. tecnico, Tab. 2, articolazione 14."},
		{"DAT-SODDISFAZIONE-RANGE", map[compute.FieldCode]Entry{"soddisfazione": text("10,5")}, "Percorsi!AE3",
			"Percorsi!AE3: soddisfazione media 10,5 fuori dalla scala da 0 a 10 del questionario INDIRE. Inserire la media delle valutazioni (da 0 a 10). Fonte: docs/modello.md; DM 30/11/2023, All. tecnico, Tab. 2, articolazione 16."},
		{"DAT-SODDISFAZIONE-RANGE", map[compute.FieldCode]Entry{"soddisfazione": num("-1")}, "Percorsi!AE3",
			"Percorsi!AE3: soddisfazione media -1 fuori dalla scala da 0 a 10 del questionario INDIRE. Inserire la media delle valutazioni (da 0 a 10). Fonte: docs/modello.md; DM 30/11/2023, All. tecnico, Tab. 2, articolazione 16."},
	}
	covered := map[compute.RuleID]bool{}
	for _, tt := range tests {
		covered[tt.rule] = true
		t.Run(string(tt.rule), func(t *testing.T) {
			_, c := one(t, with(tt.changes), Options{})
			fs := findingsOf(c.Findings, tt.rule)
			if len(fs) != 1 {
				t.Fatalf("%d findings %s, want 1; all: %+v", len(fs), tt.rule, c.Findings)
			}
			f := fs[0]
			if f.Cell != tt.cell || f.Severity != compute.SeverityError || f.Course != "MEC-01" {
				t.Errorf("cell %s severity %s course %q; want %s error MEC-01", f.Cell, f.Severity, f.Course, tt.cell)
			}
			if f.Message != tt.message {
				t.Errorf("message\n got %s\nwant %s", f.Message, tt.message)
			}
			if errs := bySeverity(c.Findings, compute.SeverityError); len(errs) != 1 {
				t.Errorf("%d errors, want only %s: %+v", len(errs), tt.rule, errs)
			}
			if c.Scored() || c.Sensitivity != nil {
				t.Error("a course with inconsistent data has a total or a sensitivity")
			}
			if c.Result == nil || len(c.Result.Articulations) != 16 {
				t.Error("the articulations of a course that could be scored are kept")
			}
		})
	}
	for _, r := range CrossRules() {
		if !covered[r.ID] {
			t.Errorf("rule %s has no test", r.ID)
		}
	}
}

// Sums of decimal hours that equal their total up to floating-point
// rounding are not a violation.
func TestCrossRuleRoundingTolerance(t *testing.T) {
	_, c := one(t, with(map[compute.FieldCode]Entry{
		"ore_attivita_totali": num("0.3"), "ore_fuori_regione": num("0.1"), "ore_estero": num("0.2"),
	}), Options{})
	if fs := findingsOf(c.Findings, "DAT-ORE-FUORI-ESTERO-GT-ATTIVITA"); len(fs) != 0 {
		t.Errorf("0,1 + 0,2 ≤ 0,3 reported: %v", fs[0].Message)
	}
}

func TestTextNumbers(t *testing.T) {
	a, c := one(t, with(map[compute.FieldCode]Entry{
		"ore_totali": text("2.000"), "ore_stage": text(" 700,0 "), "ore_teoria": text("1.000,0"),
		"soddisfazione": text("6.5"), "iscritti": text("25"),
	}), Options{})
	if !c.Scored() {
		t.Fatalf("not scored: %+v", c.Findings)
	}
	want := map[compute.FieldCode]float64{"ore_totali": 2000, "ore_stage": 700, "ore_teoria": 1000, "soddisfazione": 6.5, "iscritti": 25}
	for k, v := range want {
		if c.Values[k] != v || !c.TextNumbers[k] {
			t.Errorf("%s = %v (text %v), want %v typed as text", k, c.Values[k], c.TextNumbers[k], v)
		}
	}
	if c.TextNumbers["ore_its"] {
		t.Error("a stored number marked as text")
	}
	// "2.000" is read as two thousand, with a warning saying so.
	w := findingsOf(c.Findings, RuleAmbiguousNumber)
	if len(w) != 1 || w[0].Cell != "Percorsi!K3" || w[0].Severity != compute.SeverityWarning ||
		!strings.Contains(w[0].Message, "«2.000» è stato letto come 2.000") {
		t.Errorf("ambiguous warning = %+v", w)
	}
	_ = a
}

func TestNumberErrors(t *testing.T) {
	tests := []struct {
		field   compute.FieldCode
		entry   Entry
		rule    compute.RuleID
		message string
	}{
		{"iscritti", text("35,5"), RuleNotInteger, "Percorsi!H3: «Studenti iscritti all'avvio» vale 35,5, ma deve essere un numero intero. Correggere il valore. Fonte: DM 30/11/2023, All. tecnico, Tab. 2, articolazione 3."},
		{"ore_stage", text("35%"), RulePercent, "Percorsi!L3: «Ore di stage» contiene «35%»: in questo campo non si inseriscono percentuali. Inserire un numero di ore; le percentuali le calcola il programma. Fonte: docs/modello.md (tracciato del foglio Percorsi)."},
		{"ore_stage", text("settecento"), RuleNotNumber, "Percorsi!L3: «Ore di stage» contiene «settecento», che non è un numero. Inserire un numero di ore (per esempio 1.200 o 35,5). Fonte: docs/modello.md (tracciato del foglio Percorsi)."},
		{"ore_totali", num("0"), RuleMin, "Percorsi!K3: «Ore totali del percorso» vale 0; deve essere maggiore di 0. Correggere il valore. Fonte: DM 30/11/2023, All. tecnico, Tab. 2, articolazione 5."},
		{"imprese_totali", num("-2"), RuleMin, "Percorsi!V3: «Imprese coinvolte» vale -2; deve essere maggiore o uguale a 0. Correggere il valore. Fonte: DM 30/11/2023, All. tecnico, Tab. 2, articolazione 10."},
		{"livello_eqf", num("4"), RuleOneOf, "Percorsi!D3: «Livello EQF» vale 4; valori ammessi: 5 o 6. Correggere il valore. Fonte: Legge 99/2022, art. 5 c. 1."},
		{"ore_its", Entry{Type: EntryError, Text: "#DIV/0!", Formula: "=T2/0"}, RuleCellError, "Percorsi!T3: la cella contiene l'errore #DIV/0! (formula =T2/0): il valore di «Ore svolte presso l'ITS Academy» non è disponibile. Correggere la formula o inserire il valore. Fonte: docs/modello.md (tracciato del foglio Percorsi)."},
		{"diplomati", Entry{Type: EntryBool, Text: "1"}, RuleBool, "Percorsi!Y3: «Diplomati» contiene il valore logico VERO. Inserire un numero intero di persone o imprese. Fonte: docs/modello.md (tracciato del foglio Percorsi)."},
		{"ore_teoria", Entry{}, RuleRequired, "Percorsi!R3: manca «Ore totali di teoria», dato obbligatorio. Inserire il valore (0 se il dato è zero). Fonte: DM 30/11/2023, All. tecnico, Tab. 2, articolazione 8."},
	}
	for _, tt := range tests {
		t.Run(string(tt.field)+"/"+string(tt.rule), func(t *testing.T) {
			_, c := one(t, with(map[compute.FieldCode]Entry{tt.field: tt.entry}), Options{})
			fs := findingsOf(c.Findings, tt.rule)
			if len(fs) != 1 {
				t.Fatalf("findings %s: %+v", tt.rule, c.Findings)
			}
			if fs[0].Message != tt.message {
				t.Errorf("message\n got %s\nwant %s", fs[0].Message, tt.message)
			}
			if fs[0].Field != tt.field {
				t.Errorf("field %s, want %s", fs[0].Field, tt.field)
			}
			// One error for the cell: compute's own complaint about the
			// same missing or zero value is not repeated.
			var onCell []Finding
			for _, f := range bySeverity(c.Findings, compute.SeverityError) {
				if f.Cell == fs[0].Cell {
					onCell = append(onCell, f)
				}
			}
			if len(onCell) != 1 {
				t.Errorf("%d errors on %s: %+v", len(onCell), fs[0].Cell, onCell)
			}
			if c.Scored() {
				t.Error("scored with an error")
			}
		})
	}
}

func TestDates(t *testing.T) {
	tests := []struct {
		name  string
		entry Entry
		rule  compute.RuleID // "" when the date is fine
	}{
		{"serial formatted as date", Entry{Type: EntryNumber, Text: "45657", Date: true}, ""},
		{"serial not formatted", num("45657"), ""},
		{"serial with time", Entry{Type: EntryNumber, Text: "45657.5", Date: true}, ""},
		{"text gg/mm/aaaa", text("31/12/2024"), ""},
		{"text g/m/aaaa", text("1/1/2024"), ""},
		{"a year", num("2024"), RuleNotDate},
		{"two-digit year", text("31/12/24"), RuleNotDate},
		{"no such day", text("31/02/2024"), RuleNotDate},
		{"implausible", Entry{Type: EntryNumber, Text: "100", Date: true}, RuleDateRange},
		{"missing", Entry{}, RuleRequired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, c := one(t, with(map[compute.FieldCode]Entry{"data_fine": tt.entry}), Options{})
			if tt.rule == "" {
				if !c.Scored() {
					t.Fatalf("not scored: %+v", c.Findings)
				}
				return
			}
			fs := findingsOf(c.Findings, tt.rule)
			if len(fs) != 1 || fs[0].Cell != "Percorsi!E3" {
				t.Fatalf("findings %s on E3: %+v", tt.rule, c.Findings)
			}
			if c.Result != nil || c.Pack != nil {
				t.Error("a course without an end date got a pack")
			}
		})
	}
}

func TestFormulaWithoutCachedValue(t *testing.T) {
	_, c := one(t, with(map[compute.FieldCode]Entry{
		"ore_stage": {Type: EntryNumber, Formula: "K3*0.35", NoCache: true},
	}), Options{})
	fs := findingsOf(c.Findings, RuleNoCache)
	if len(fs) != 1 {
		t.Fatalf("findings: %+v", c.Findings)
	}
	want := "Percorsi!L3: la formula in Percorsi!L3 non ha un valore calcolato: aprire il file in Excel, ricalcolare e salvare (formula: =K3*0.35). Fonte: docs/modello.md (tracciato del foglio Percorsi)."
	if fs[0].Message != want || fs[0].Severity != compute.SeverityError {
		t.Errorf("got %s %s\nwant %s", fs[0].Severity, fs[0].Message, want)
	}
	if len(bySeverity(c.Findings, compute.SeverityError)) != 1 {
		t.Errorf("the unknown value is reported more than once: %+v", c.Findings)
	}
	if _, guessed := c.Values["ore_stage"]; guessed || c.Scored() {
		t.Error("a value was guessed for a formula without cached value")
	}
	// The legal constraints on R5 are not evaluated on an unknown value.
	if len(findingsOf(c.Findings, "LEG-STAGE-MIN")) != 0 {
		t.Error("LEG-STAGE-MIN evaluated without ore_stage")
	}
}

func TestDuplicateCodes(t *testing.T) {
	a := run(t, input(
		row(3, cleanCourse()),
		row(4, with(map[compute.FieldCode]Entry{"codice_percorso": text("INF-02")})),
		row(5, with(map[compute.FieldCode]Entry{"codice_percorso": text(" mec-01 ")})),
		row(7, cleanCourse()),
	), Options{})
	if len(a.Courses) != 4 {
		t.Fatalf("%d courses", len(a.Courses))
	}
	for i, want := range []CellRef{"", "", "Percorsi!A5", "Percorsi!A7"} {
		c := a.Courses[i]
		fs := findingsOf(c.Findings, RuleDuplicateCode)
		if want == "" {
			if len(fs) != 0 || !c.Scored() {
				t.Errorf("row %d: duplicate %+v, scored %v", c.Row, fs, c.Scored())
			}
			continue
		}
		if len(fs) != 1 || fs[0].Cell != want || c.Scored() {
			t.Fatalf("row %d: %+v", c.Row, fs)
		}
		if !strings.Contains(fs[0].Message, "già usato alla riga 3 (Percorsi!A3)") {
			t.Errorf("message does not name the first occurrence: %s", fs[0].Message)
		}
	}
}

func TestUnknownArea(t *testing.T) {
	tests := []struct {
		typed, suggestion string
	}{
		{"Sistema mecanica", "Sistema meccanica"},
		{"sistema meccanica", "Sistema meccanica"},
		{"Agroalimentare", "Sistema agro-alimentare"},
		{"Mobilita sostenibile", "Mobilità sostenibile"},
		{"Tecnologie dell'informazione", "Tecnologie dell'informazione e della comunicazione"},
		{"Astronautica", ""},
	}
	for _, tt := range tests {
		t.Run(tt.typed, func(t *testing.T) {
			_, c := one(t, with(map[compute.FieldCode]Entry{"area_tecnologica": text(tt.typed)}), Options{})
			fs := findingsOf(c.Findings, RuleUnknownArea)
			if len(fs) != 1 || fs[0].Cell != "Percorsi!C3" || fs[0].Severity != compute.SeverityError {
				t.Fatalf("findings: %+v", c.Findings)
			}
			msg := fs[0].Message
			if !strings.Contains(msg, "area tecnologica «"+tt.typed+"» sconosciuta") || !strings.Contains(msg, "uno dei 10 nomi della Tab. 4") {
				t.Errorf("message: %s", msg)
			}
			if tt.suggestion != "" && !strings.Contains(msg, "(forse «"+tt.suggestion+"»?)") {
				t.Errorf("no suggestion %q: %s", tt.suggestion, msg)
			}
			if tt.suggestion == "" && strings.Contains(msg, "forse") {
				t.Errorf("unexpected suggestion: %s", msg)
			}
			if len(bySeverity(c.Findings, compute.SeverityError)) != 1 {
				t.Errorf("compute's unknown-area problem repeated: %+v", c.Findings)
			}
			if c.Scored() {
				t.Error("scored with an unknown area")
			}
		})
	}
	// The area key of the pack is accepted too.
	if _, c := one(t, with(map[compute.FieldCode]Entry{"area_tecnologica": text("ict")}), Options{}); !c.Scored() || c.Area != "Tecnologie dell'informazione e della comunicazione" {
		t.Errorf("area key not accepted: %q %+v", c.Area, c.Findings)
	}
}

func TestEQFVI(t *testing.T) {
	for _, opt := range []Options{{}, {Pack: "dm-2023-11-30-eqf5"}} {
		_, c := one(t, with(map[compute.FieldCode]Entry{"livello_eqf": text("VI")}), opt)
		fs := findingsOf(c.Findings, RuleEQF6)
		if len(fs) != 1 || fs[0].Cell != "Percorsi!D3" || fs[0].Severity != compute.SeverityError {
			t.Fatalf("pack %q: findings %+v", opt.Pack, c.Findings)
		}
		if !strings.Contains(fs[0].Message, "nessun pacchetto di regole per l'EQF VI (DM 4/12/2023: tabelle non pubblicate)") {
			t.Errorf("message: %s", fs[0].Message)
		}
		if c.Result != nil || c.Pack != nil || c.Sensitivity != nil {
			t.Errorf("pack %q: an EQF VI course was scored with the V rules", opt.Pack)
		}
	}
}

func TestCourseEndedBefore2024(t *testing.T) {
	entries := with(map[compute.FieldCode]Entry{"data_fine": text("31/12/2023")})
	_, c := one(t, entries, Options{})
	fs := findingsOf(c.Findings, RuleCU2015)
	if len(fs) != 1 || fs[0].Cell != "Percorsi!E3" || fs[0].Severity != compute.SeverityError {
		t.Fatalf("findings %+v", c.Findings)
	}
	for _, s := range []string{"terminato il 31/12/2023, prima del 1/1/2024", "CU 17/12/2015", "non si può calcolare un punteggio", "non riceve punteggio"} {
		if !strings.Contains(fs[0].Message, s) {
			t.Errorf("message lacks %q: %s", s, fs[0].Message)
		}
	}
	if c.Result != nil || c.Pack != nil {
		t.Error("a pre-2024 course was scored with DM 2023")
	}

	// Forcing the pack scores it, and says the score is not the lawful one.
	_, c = one(t, entries, Options{Pack: "dm-2023-11-30-eqf5"})
	if !c.Scored() {
		t.Fatalf("forced pack: not scored: %+v", c.Findings)
	}
	w := findingsOf(c.Findings, RuleForcedPack)
	if len(w) != 1 || w[0].Severity != compute.SeverityWarning || w[0].Cell != "Percorsi!E3" ||
		!strings.Contains(w[0].Message, "si applica ai percorsi terminati dal 1/1/2024") {
		t.Errorf("forced-pack warning: %+v", w)
	}
}

func TestLegalConstraints(t *testing.T) {
	tests := []struct {
		name    string
		changes map[compute.FieldCode]Entry
		want    map[compute.RuleID]compute.Severity
		cell    CellRef
		message string // of the first rule in want order below
		first   compute.RuleID
	}{
		{"iscritti sotto 20", map[compute.FieldCode]Entry{"iscritti": num("19"), "diplomati": num("15"), "diplomate": num("3"),
			"occupati_coerenti": num("10"), "occupati_non_coerenti": num("4")},
			map[compute.RuleID]compute.Severity{"LEG-ISCRITTI-MIN": compute.SeverityViolation}, "Percorsi!H3",
			"Percorsi!H3: Iscritti all'avvio: 19; il minimo è 20. L'Attrattività è azzerata (interpretazione I-7). Fonte: DPCM 25/01/2008, all. C, art. 3 (minimo di 20 iscritti, richiamato dalla CU 17/12/2015); DM 30/11/2023, All. tecnico, Tab. 2, articolazione 3 (azzeramento).", "LEG-ISCRITTI-MIN"},
		{"stage sotto 30%", map[compute.FieldCode]Entry{"ore_stage": num("500")},
			map[compute.RuleID]compute.Severity{"LEG-STAGE-MIN": compute.SeverityViolation, "LEG-STAGE-OBIETTIVO": compute.SeverityWarning}, "Percorsi!L3",
			"Percorsi!L3: Ore di stage pari al 25% delle ore totali; la legge chiede almeno il 30%. Fonte: DM 30/11/2023, All. tecnico, «Funzioni di trasformazione e valori soglia» (almeno il 30% di ore di stage).", "LEG-STAGE-MIN"},
		{"stage sotto l'obiettivo", map[compute.FieldCode]Entry{"ore_stage": num("660")},
			map[compute.RuleID]compute.Severity{"LEG-STAGE-OBIETTIVO": compute.SeverityWarning}, "Percorsi!L3",
			"Percorsi!L3: Ore di stage pari al 33% delle ore totali; l'obiettivo di legge è il 35% entro tre anni. Fonte: DM 30/11/2023, All. tecnico, «Funzioni di trasformazione e valori soglia» (obiettivo del 35% entro tre anni).", "LEG-STAGE-OBIETTIVO"},
		{"docenti dal mondo del lavoro sotto 50%", map[compute.FieldCode]Entry{"ore_docenti_mondo_lavoro": num("333")},
			map[compute.RuleID]compute.Severity{"LEG-DOCENTI-MONDO-LAVORO-MIN": compute.SeverityViolation}, "Percorsi!Q3",
			"Percorsi!Q3: Ore dei docenti del mondo del lavoro pari al 33,3% delle ore di docenza; la legge chiede almeno il 50%. Fonte: DM 30/11/2023, All. tecnico, «Funzioni di trasformazione e valori soglia» (non meno del 50% delle ore da docenti del mondo del lavoro).", "LEG-DOCENTI-MONDO-LAVORO-MIN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, c := one(t, with(tt.changes), Options{})
			got := map[compute.RuleID]compute.Severity{}
			for _, f := range c.Findings {
				if strings.HasPrefix(string(f.Rule), "LEG-") {
					got[f.Rule] = f.Severity
					if f.Cell != tt.cell {
						t.Errorf("%s on %s, want %s", f.Rule, f.Cell, tt.cell)
					}
				}
			}
			if len(got) != len(tt.want) {
				t.Errorf("legal findings %v, want %v", got, tt.want)
			}
			for r, s := range tt.want {
				if got[r] != s {
					t.Errorf("%s severity %q, want %q", r, got[r], s)
				}
			}
			if f := findingsOf(c.Findings, tt.first); len(f) != 1 || f[0].Message != tt.message {
				t.Errorf("message\n got %+v\nwant %s", f, tt.message)
			}
			// The law's consequences are in the score, which is computed.
			if !c.Scored() || len(bySeverity(c.Findings, compute.SeverityError)) != 0 {
				t.Errorf("a legal breach blocked the score: %+v", c.Findings)
			}
			if !a.HasSeverity(compute.SeverityViolation) && tt.want["LEG-STAGE-OBIETTIVO"] == "" {
				t.Error("HasSeverity(violation) false")
			}
		})
	}
	_, c := one(t, with(map[compute.FieldCode]Entry{"iscritti": num("19"), "diplomati": num("15"), "diplomate": num("3"),
		"occupati_coerenti": num("10"), "occupati_non_coerenti": num("4")}), Options{})
	if !c.Result.Indicators[0].Zeroed || *c.Result.Indicators[0].Points != 0 {
		t.Error("Attrattività not zeroed below 20 enrolled")
	}
}

func soglia(rowN int, code string, v Entry) ThresholdRow {
	v.Cell = CellRef("Soglie!C" + strconv.Itoa(rowN))
	return ThresholdRow{Row: rowN, Code: code, Value: v}
}

// soglieRows is a Soglie sheet tilted by the audited party.
func soglieRows() []ThresholdRow {
	return []ThresholdRow{
		soglia(2, "S1", num("51.6")),          // the value in force: nothing to say
		soglia(3, "S2", text("70,5")),         // lowered
		soglia(4, "S4", text("undici")),       // not a number
		soglia(5, "S3", num("150")),           // out of its admissible range
		soglia(6, "S99", num("1")),            // unknown code
		soglia(7, "S2", num("60")),            // repeated code
		soglia(8, "correzione_n", num("2.5")), // N must be an integer
		soglia(9, "media_generale_tasso", Entry{}),
		soglia(10, "tasso_meccanica", num("80")),
		soglia(11, "S6", Entry{Cell: "Soglie!C11", Type: EntryNumber, Text: "0.516", Percent: true}), // 51,6% typed in a percent cell
	}
}

type wantFinding struct {
	rule     compute.RuleID
	cell     CellRef
	severity compute.Severity
	contains string
}

func checkFindings(t *testing.T, fs []Finding, wants []wantFinding) {
	t.Helper()
	for _, w := range wants {
		found := false
		for _, f := range fs {
			if f.Rule == w.rule && f.Cell == w.cell && f.Severity == w.severity && strings.Contains(f.Message, w.contains) {
				found = true
			}
		}
		if !found {
			t.Errorf("no %s %s on %s containing %q; findings:", w.severity, w.rule, w.cell, w.contains)
			for _, f := range fs {
				t.Logf("  %s %s %s %s", f.Severity, f.Rule, f.Cell, f.Message)
			}
		}
	}
}

// TestSoglieIgnored: the thresholds are the pack's; every Soglie value that
// differs is a violation on its cell and is ignored (issue 9, RULES.md §1).
func TestSoglieIgnored(t *testing.T) {
	in := input(row(3, cleanCourse()))
	in.Thresholds = soglieRows()
	a := run(t, in, Options{})
	if len(a.Overrides) != 0 || len(a.ThresholdCells) != 0 || a.WhatIf {
		t.Errorf("overrides %v, cells %v, what-if %v: the sheet must not set thresholds", a.Overrides, a.ThresholdCells, a.WhatIf)
	}
	checkFindings(t, a.Findings, []wantFinding{
		{RuleThresholdUsed, "Soglie!C3", compute.SeverityViolation, "Soglie!C3: «S2 – Soglia art. 2 – partecipazione alla prova di selezione (%)» vale 70,5 nel foglio Soglie; il valore in vigore è 80,1 (DM 30/11/2023, All. tecnico, Tab. 3, articolazione 2). Il valore del foglio è ignorato"},
		{RuleThresholdUsed, "Soglie!C5", compute.SeverityViolation, "vale 150 nel foglio Soglie; il valore in vigore è 25,6"},
		{RuleThresholdUsed, "Soglie!C10", compute.SeverityViolation, "vale 80 nel foglio Soglie; il valore in vigore è 85,7"},
		{RuleThresholdUsed, "Soglie!C8", compute.SeverityViolation, "il decreto non lo fissa e l'auditor non l'ha fornito"},
		{RuleNotNumber, "Soglie!C4", compute.SeverityError, "contiene «undici», che non è un numero"},
		{RuleThresholdUnknown, "Soglie!A6", compute.SeverityWarning, "codice soglia «S99» sconosciuto"},
		{RuleThresholdPercent, "Soglie!C11", compute.SeverityError, "è in formato percentuale: Excel mostra 51,6% ma la cella contiene 0,516"},
		{RuleThresholdDuplicate, "Soglie!A7", compute.SeverityError, "compare già alla riga 3 (Soglie!A3)"},
	})
	for _, f := range a.Findings {
		if f.Cell == "Soglie!C2" {
			t.Errorf("the value in force is reported: %s", f.Message)
		}
	}
	c := a.Courses[0]
	if !c.Scored() {
		t.Fatalf("course not scored: %+v", c.Findings)
	}
	for i, want := range map[int]float64{1: 80.1, 2: 25.6, 14: 85.7} {
		if s := c.Result.Articulations[i].Threshold; s == nil || *s != want {
			t.Errorf("S%d used = %v, want the pack's %v", i+1, s, want)
		}
	}
	if len(c.Result.Overridden) != 0 {
		t.Errorf("overrides recorded in the result: %+v", c.Result.Overridden)
	}
	if !a.HasSeverity(compute.SeverityViolation) {
		t.Error("a tilted Soglie sheet must make --strict fail")
	}
}

// TestSoglieWhatIf: with WorkbookThresholds the sheet's admissible values
// apply, each reported as a warning; inadmissible ones are errors and the
// value in force applies.
func TestSoglieWhatIf(t *testing.T) {
	in := input(row(3, cleanCourse()))
	in.Thresholds = soglieRows()
	a := run(t, in, Options{WorkbookThresholds: true})
	if !a.WhatIf || a.Overrides["S2"] != 70.5 || a.Overrides["tasso_meccanica"] != 80 || len(a.Overrides) != 2 {
		t.Errorf("what-if %v, overrides = %v", a.WhatIf, a.Overrides)
	}
	if a.ThresholdCells["S2"] != "Soglie!C3" || a.ThresholdCells["tasso_meccanica"] != "Soglie!C10" || a.ThresholdOrigin["S2"] != OriginWorkbook {
		t.Errorf("cells %v, origin %v", a.ThresholdCells, a.ThresholdOrigin)
	}
	checkFindings(t, a.Findings, []wantFinding{
		{RuleThresholdUsed, "Soglie!C3", compute.SeverityWarning, "vale 70,5 nel foglio Soglie; il valore in vigore è 80,1"},
		{RuleThresholdUsed, "Soglie!C3", compute.SeverityWarning, "Simulazione (--workbook-thresholds)"},
		{RuleThresholdUsed, "Soglie!C10", compute.SeverityWarning, "vale 80 nel foglio Soglie"},
		{RuleThresholdInvalid, "Soglie!C5", compute.SeverityError, "Soglie!C5: soglia S3 = 150:"},
		{RuleThresholdInvalid, "Soglie!C5", compute.SeverityError, "Il valore non è stato usato: per questa esecuzione vale il predefinito 25,6"},
		{RuleThresholdInvalid, "Soglie!C8", compute.SeverityError, "soglia correzione_n = 2,5: deve essere un numero intero"},
	})
	c := a.Courses[0]
	if s := c.Result.Articulations[1].Threshold; s == nil || *s != 70.5 {
		t.Errorf("S2 used = %v, want 70.5", s)
	}
	if s := c.Result.Articulations[14].Threshold; s == nil || *s != 80 {
		t.Errorf("S15 (tasso_meccanica) used = %v, want 80", s)
	}
	rep := a.Report("test", "")
	if !rep.WhatIf || !rep.Courses[0].WhatIf {
		t.Error("the report does not say the run is a what-if")
	}
}

// TestAuditorThresholds: the auditor's values apply, a Soglie value equal to
// them is not reported, one equal to the decree's is (it differs from the
// value in force); unknown codes and inadmissible values are refused.
func TestAuditorThresholds(t *testing.T) {
	in := input(row(3, cleanCourse()))
	in.Thresholds = []ThresholdRow{soglia(2, "S1", num("50.2")), soglia(3, "S2", num("80.1"))}
	a := run(t, in, Options{Thresholds: map[string]float64{"S1": 50.2, "S2": 75}})
	if s := a.Courses[0].Result.Articulations[0].Threshold; s == nil || *s != 50.2 {
		t.Errorf("S1 used = %v, want the auditor's 50.2", s)
	}
	if a.ThresholdOrigin["S1"] != OriginAuditor || len(a.ThresholdCells) != 0 {
		t.Errorf("origin %v, cells %v", a.ThresholdOrigin, a.ThresholdCells)
	}
	if fs := findingsOf(a.Findings, RuleThresholdUsed); len(fs) != 1 || fs[0].Cell != "Soglie!C3" || !strings.Contains(fs[0].Message, "il valore in vigore è 75 (soglie fornite dall'auditor") {
		t.Errorf("findings %+v, want one on Soglie!C3 naming the auditor's 75", fs)
	}
	rep := a.Report("test", "")
	for _, th := range rep.Thresholds {
		if th.Code == "S1" && (th.Source != SourceAuditor || *th.Value != 50.2) {
			t.Errorf("report threshold %+v", th)
		}
		if th.Code == "S3" && (th.Source != SourcePack || *th.Value != 25.6) {
			t.Errorf("report threshold %+v", th)
		}
	}
	reg, _ := compute.LoadEmbedded()
	for _, bad := range []map[string]float64{{"S77": 1}, {"S1": 150}, {"correzione_n": 2.5}} {
		if _, err := Run(in, reg, Options{Thresholds: bad}); !errors.Is(err, ErrOptions) {
			t.Errorf("thresholds %v: err %v, want ErrOptions", bad, err)
		}
	}
}

// A female-indicator mean supplied by the auditor makes the indicator
// computable for the area; without it a single workbook-level info names
// what is missing.
func TestFemaleIndicatorInputs(t *testing.T) {
	a := run(t, input(row(3, cleanCourse()), row(4, with(map[compute.FieldCode]Entry{"codice_percorso": text("MEC-02")}))), Options{})
	fs := findingsOf(a.Findings, RuleFemaleThresholds)
	if len(fs) != 1 || !strings.Contains(fs[0].Message, "i percorsi MEC-01, MEC-02: mancano femminile_media_meccanica") {
		t.Errorf("female info: %+v", fs)
	}
	a = run(t, input(row(3, cleanCourse())), Options{Thresholds: map[string]float64{"femminile_media_meccanica": 20}})
	if f := a.Courses[0].Result.Female; !f.Computable || f.Score == nil {
		t.Errorf("female indicator not computed: %+v", f)
	}
}

func TestComputeProblemsMappedToCells(t *testing.T) {
	t.Run("zero denominator", func(t *testing.T) {
		_, c := one(t, with(map[compute.FieldCode]Entry{"domande_iscrizione": num("0"), "partecipanti_selezione": num("0")}), Options{})
		fs := findingsOf(c.Findings, compute.RuleZeroDenominator)
		if len(fs) != 1 || fs[0].Cell != "Percorsi!F3" || fs[0].Severity != compute.SeverityError {
			t.Fatalf("findings: %+v", c.Findings)
		}
		if !strings.HasPrefix(fs[0].Message, "Percorsi!F3: «Domande di iscrizione alla selezione» (domande_iscrizione) vale 0 ma è il denominatore di R2") ||
			!strings.HasSuffix(fs[0].Message, "Fonte: DM 30/11/2023, All. tecnico, Tab. 2, articolazione 2.") {
			t.Errorf("message: %s", fs[0].Message)
		}
		if c.Scored() || c.Result == nil || c.Result.Articulations[2].Score == nil {
			t.Error("want no total, but the other articulations kept")
		}
	})
	t.Run("no graduates", func(t *testing.T) {
		_, c := one(t, with(map[compute.FieldCode]Entry{"diplomati": num("0"), "diplomate": num("0"),
			"occupati_coerenti": num("0"), "occupati_non_coerenti": num("0"), "iscritti_universita": num("0")}), Options{})
		fs := findingsOf(c.Findings, compute.RuleZeroGraduates)
		if len(fs) != 1 || fs[0].Cell != "Percorsi!Y3" || fs[0].Severity != compute.SeverityWarning {
			t.Fatalf("findings: %+v", c.Findings)
		}
		if !c.Scored() {
			t.Error("0 graduates blocks the score; I-6 says R15 = 0 with a warning")
		}
	})
	t.Run("implausible value", func(t *testing.T) {
		_, c := one(t, with(map[compute.FieldCode]Entry{"imprese_totali": num("2000000"), "imprese_progettazione": num("2")}), Options{})
		fs := findingsOf(c.Findings, compute.RuleTooLarge)
		if len(fs) != 1 || fs[0].Cell != "Percorsi!V3" {
			t.Fatalf("findings: %+v", c.Findings)
		}
		if c.Scored() {
			t.Error("scored")
		}
	})
}

// Five independent errors on one row give five findings, all at once.
func TestAllProblemsAtOnce(t *testing.T) {
	_, c := one(t, with(map[compute.FieldCode]Entry{
		"ore_stage":             text("tanti"), // VAL-NON-NUMERO
		"iscritti":              text("35,5"),  // VAL-NON-INTERO
		"soddisfazione":         num("12"),     // DAT-SODDISFAZIONE-RANGE
		"imprese_progettazione": num("20"),     // DAT-IMPRESE-PROGETTAZIONE-GT-TOTALE
		"area_tecnologica":      text("Marte"), // VAL-AREA-SCONOSCIUTA
	}), Options{})
	errs := bySeverity(c.Findings, compute.SeverityError)
	want := map[compute.RuleID]CellRef{
		RuleNotNumber: "Percorsi!L3", RuleNotInteger: "Percorsi!H3", "DAT-SODDISFAZIONE-RANGE": "Percorsi!AE3",
		"DAT-IMPRESE-PROGETTAZIONE-GT-TOTALE": "Percorsi!W3", RuleUnknownArea: "Percorsi!C3",
	}
	if len(errs) != len(want) {
		t.Errorf("%d errors, want %d:", len(errs), len(want))
		for _, f := range errs {
			t.Logf("  %s %s %s", f.Rule, f.Cell, f.Message)
		}
	}
	for _, f := range errs {
		if want[f.Rule] != f.Cell {
			t.Errorf("unexpected %s on %s", f.Rule, f.Cell)
		}
	}
	if c.Scored() {
		t.Error("scored")
	}
	// Sorted by row, then cell (column order), then rule.
	for i := 1; i < len(c.Findings); i++ {
		_, ca, _ := splitCell(c.Findings[i-1].Cell)
		_, cb, _ := splitCell(c.Findings[i].Cell)
		if ca > cb {
			t.Errorf("findings not in column order: %s before %s", c.Findings[i-1].Cell, c.Findings[i].Cell)
		}
	}
}

func TestFoundation(t *testing.T) {
	in := input(row(3, cleanCourse()))
	delete(in.Foundation, "regione")
	in.Foundation["anno_monitoraggio"] = Entry{Type: EntryNumber, Text: "1990", Cell: "Fondazione!C5"}
	in.Foundation["template_versione"] = Entry{Type: EntryText, Text: "2023.9", Cell: "Fondazione!C6"}
	in.Foundation["fondazione_nome"] = Entry{Type: EntryText, Text: "  ", Cell: "Fondazione!C3"}
	a := run(t, in, Options{})
	want := []struct {
		rule compute.RuleID
		cell CellRef
	}{
		{RuleRequired, ""}, {RuleRequired, "Fondazione!C3"}, {RuleMin, "Fondazione!C5"}, {RuleTemplateVersion, "Fondazione!C6"},
	}
	for _, w := range want {
		if fs := findingsOf(a.Findings, w.rule); len(fs) == 0 || !hasCell(fs, w.cell) {
			t.Errorf("no %s on %q: %+v", w.rule, w.cell, a.Findings)
		}
	}
	if fs := findingsOf(a.Findings, RuleMin); len(fs) == 1 && !strings.Contains(fs[0].Message, "«Anno di monitoraggio» vale 1990; deve essere maggiore o uguale a 2010") {
		t.Errorf("year message: %s", fs[0].Message)
	}
	if !a.Courses[0].Scored() {
		t.Error("a Fondazione problem blocked a course's score")
	}
}

func hasCell(fs []Finding, c CellRef) bool {
	for _, f := range fs {
		if f.Cell == c {
			return true
		}
	}
	return false
}

// A broken cell in the title is a warning: no figure depends on it.
func TestBrokenTitleDoesNotBlockTheScore(t *testing.T) {
	_, c := one(t, with(map[compute.FieldCode]Entry{"titolo": {Type: EntryError, Text: "#REF!", Formula: "Foglio2!A1"}}), Options{})
	fs := findingsOf(c.Findings, RuleCellError)
	want := "Percorsi!B3: la cella contiene l'errore #REF! (formula =Foglio2!A1): il valore di «Titolo del percorso» non è disponibile. Correggere la formula o inserire il valore. Il campo è solo descrittivo: il punteggio non ne dipende. Fonte: docs/modello.md (tracciato del foglio Percorsi)."
	if len(fs) != 1 || fs[0].Severity != compute.SeverityWarning || fs[0].Message != want {
		t.Errorf("findings: %+v", c.Findings)
	}
	if !c.Scored() {
		t.Error("a broken title blocked the score")
	}
}

func TestReaderFindingsGoToTheirCourse(t *testing.T) {
	in := input(row(3, cleanCourse()), row(4, with(map[compute.FieldCode]Entry{"codice_percorso": text("MEC-02")})))
	in.Findings = []Finding{
		{Rule: "XLS-CELLA-UNITA", Severity: compute.SeverityError, Cell: "Percorsi!C4", Message: "Percorsi!C4: cella unita."},
		{Rule: "XLS-COLONNA-EXTRA", Severity: compute.SeverityInfo, Cell: "Percorsi!AF2", Message: "colonna aggiunta"},
	}
	a := run(t, in, Options{})
	if !a.Courses[0].Scored() || a.Courses[1].Scored() {
		t.Error("the reader's error on row 4 must block MEC-02 only")
	}
	if len(findingsOf(a.Courses[1].Findings, "XLS-CELLA-UNITA")) != 1 || len(findingsOf(a.Findings, "XLS-COLONNA-EXTRA")) != 1 {
		t.Errorf("reader findings misplaced: %+v / %+v", a.Courses[1].Findings, a.Findings)
	}
}

func TestMissingColumn(t *testing.T) {
	in := input(row(3, with(map[compute.FieldCode]Entry{"ore_stage": {}})))
	delete(in.Columns, "ore_stage")
	a := run(t, in, Options{})
	c := a.Courses[0]
	fs := findingsOf(c.Findings, RuleRequired)
	if len(fs) != 1 || fs[0].Cell != "Percorsi!A3" || fs[0].Field != "ore_stage" {
		t.Errorf("a field without its column is reported on the row's code cell: %+v", c.Findings)
	}
}

func TestOptions(t *testing.T) {
	reg := registry(t)
	in := input(row(3, cleanCourse()))
	for _, opt := range []Options{
		{Reading: "storta"},
		{Pack: "dm-2099"},
		{Interpretations: map[string]string{"I-9": "x"}},
		{Interpretations: map[string]string{"I-2": "boh"}},
	} {
		if _, err := Run(in, reg, opt); !errors.Is(err, ErrOptions) {
			t.Errorf("%+v: error %v, want ErrOptions", opt, err)
		}
	}
	for _, opt := range []Options{
		{Reading: "letterale"},
		{Reading: compute.ReadingLiteral, Interpretations: map[string]string{"I-2": "soglia_diplomati"}},
		{Pack: "dm-2023-11-30-eqf5"},
	} {
		a, err := Run(in, reg, opt)
		if err != nil {
			t.Fatalf("%+v: %v", opt, err)
		}
		if !a.Courses[0].Scored() {
			t.Errorf("%+v: not scored", opt)
		}
	}
	a, _ := Run(in, reg, Options{Reading: "letterale"})
	if a.Reading != compute.ReadingLiteral || a.Errata["E-1"] != compute.FormPrinted || a.Courses[0].Sensitivity[0].Alternative != "coherent" {
		t.Errorf("reading %s", a.Reading)
	}
}

func TestNilInputs(t *testing.T) {
	a, err := Run(nil, nil, Options{})
	if err != nil || a == nil {
		t.Fatalf("Run(nil, nil) = %v, %v", a, err)
	}
	if fs := findingsOf(a.Findings, RuleRequired); len(fs) != len(FoundationFields()) || len(a.Courses) != 0 {
		t.Errorf("empty input: %d required-value findings, %d courses", len(fs), len(a.Courses))
	} else if want := "nel foglio Fondazione manca la riga con codice «anno_monitoraggio» (Anno di monitoraggio), dato obbligatorio. Aggiungere il codice nella colonna A e il valore nella colonna C. Fonte: docs/modello.md (foglio Fondazione)."; fs[0].Message != want {
		t.Errorf("message: %s", fs[0].Message)
	}
	// Without packs a course gets an error, not a score.
	a, err = Run(input(row(3, cleanCourse())), nil, Options{})
	if err != nil || a.Courses[0].Scored() || len(findingsOf(a.Courses[0].Findings, RuleNoPack)) != 1 {
		t.Errorf("no registry: %v %+v", err, a.Courses[0].Findings)
	}
}

func TestDeterministic(t *testing.T) {
	mk := func() *Input {
		in := input(
			row(5, with(map[compute.FieldCode]Entry{"codice_percorso": text("B"), "ore_stage": num("5000"), "iscritti": num("3")})),
			row(3, with(map[compute.FieldCode]Entry{"codice_percorso": text("A"), "soddisfazione": num("11"), "area_tecnologica": text("x")})),
		)
		in.Thresholds = []ThresholdRow{soglia(3, "S2", num("70")), soglia(4, "S9", num("1000")), soglia(5, "zzz", num("1"))}
		return in
	}
	first := run(t, mk(), Options{}).Report("v", "")
	for i := 0; i < 5; i++ {
		if got := run(t, mk(), Options{}).Report("v", ""); !equalJSON(t, first, got) {
			t.Fatal("two runs on the same input differ")
		}
	}
	if first.Courses[0].Code != "A" || first.Courses[1].Code != "B" {
		t.Error("courses not in row order")
	}
}

// TestProblemTextNamesFields: compute's problems are rendered once, with
// the workbook's label of their field (no message parsed again).
func TestProblemTextNamesFields(t *testing.T) {
	_, c := one(t, with(map[compute.FieldCode]Entry{"domande_iscrizione": num("0"), "partecipanti_selezione": num("0")}), Options{})
	var res *compute.Problem
	for i, p := range c.Result.Problems {
		if p.Rule == compute.RuleZeroDenominator {
			res = &c.Result.Problems[i]
		}
	}
	if res == nil {
		t.Fatal("no zero-denominator problem")
	}
	if !strings.HasPrefix(res.Message, "«domande_iscrizione» vale 0") {
		t.Errorf("compute's own message %q", res.Message)
	}
	if got := res.Text(fieldLabel); !strings.HasPrefix(got, "«Domande di iscrizione alla selezione» (domande_iscrizione) vale 0 ma è il denominatore di R2") {
		t.Errorf("Text = %q", got)
	}
	if got := res.Text(func(compute.FieldCode) string { return "" }); got != res.Message {
		t.Errorf("without a label: %q", got)
	}
}

// TestLegalMinimumsI9: a course with 55% of teaching hours from the world of
// work (550/1000) and 33% of stage hours (660/2000). Under the decree's text
// (default) only the 35% goal is missed (warning); under L. 99/2022 art. 5
// (60% and 35%) both minimums are violations, and no goal warning.
func TestLegalMinimumsI9(t *testing.T) {
	changes := with(map[compute.FieldCode]Entry{"ore_docenti_mondo_lavoro": num("550"), "ore_stage": num("660")})
	legal := func(o Options) map[compute.RuleID]Finding {
		_, c := one(t, changes, o)
		got := map[compute.RuleID]Finding{}
		for _, f := range c.Findings {
			if strings.HasPrefix(string(f.Rule), "LEG-") {
				got[f.Rule] = f
			}
		}
		return got
	}
	dec := legal(Options{})
	if len(dec) != 1 || dec["LEG-STAGE-OBIETTIVO"].Severity != compute.SeverityWarning {
		t.Errorf("decreto: %+v", dec)
	}
	law := legal(Options{Interpretations: map[string]string{"I-9": "legge_99_2022"}})
	if len(law) != 2 || law["LEG-STAGE-MIN"].Severity != compute.SeverityViolation || law["LEG-DOCENTI-MONDO-LAVORO-MIN"].Severity != compute.SeverityViolation {
		t.Fatalf("legge_99_2022: %+v", law)
	}
	if m := law["LEG-DOCENTI-MONDO-LAVORO-MIN"].Message; !strings.Contains(m, "55%") || !strings.Contains(m, "almeno il 60%") || !strings.Contains(m, "non è tra i testi allegati") {
		t.Errorf("message %q must show the value, the law's 60%% and that the law is not among the texts", m)
	}
	if law["LEG-STAGE-MIN"].Expected != "R5 ≥ 35" {
		t.Errorf("expected %q", law["LEG-STAGE-MIN"].Expected)
	}
}

// TestCheckPackFields: the embedded pack reads only workbook fields; a pack
// whose formula names a field the workbook lacks is refused with its path.
func TestCheckPackFields(t *testing.T) {
	reg, _ := compute.LoadEmbedded()
	p, _ := reg.Get("dm-2023-11-30-eqf5")
	if err := CheckPack(p); err != nil {
		t.Fatalf("embedded pack: %v", err)
	}
	raw := strings.Replace(string(p.Raw()), `"formula": "partecipanti_selezione / domande_iscrizione * 100"`, `"formula": "partecipanti_selezione / domande_iscrizione * 100 + sconosciuto"`, 1)
	q, err := compute.ParsePack([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	err = CheckPack(q)
	if !errors.Is(err, compute.ErrPack) || !strings.Contains(err.Error(), "articulations[1].result.formula: campo «sconosciuto» sconosciuto") {
		t.Errorf("err %v", err)
	}
}

// TestRunContextStops checks that a cancelled context stops the run before
// any course is scored, and that a live one changes nothing.
func TestRunContextStops(t *testing.T) {
	reg := registry(t)
	in := input(row(3, cleanCourse()), row(4, cleanCourse()))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if a, err := RunContext(ctx, in, reg, Options{}); !errors.Is(err, context.Canceled) || a != nil {
		t.Errorf("cancelled run: %v, %v", a, err)
	}
	a, err := RunContext(context.Background(), in, reg, Options{})
	if err != nil || len(a.Courses) != 2 {
		t.Fatalf("live run: %v", err)
	}
	if !equalJSON(t, a.Report("v", ""), run(t, in, Options{}).Report("v", "")) {
		t.Error("RunContext and Run differ")
	}
}
