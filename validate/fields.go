package validate

import (
	"strings"

	"github.com/its-academy/auditor/compute"
	"github.com/its-academy/auditor/findings"
)

// Kind is the type of value a field holds.
type Kind int

// Field kinds.
const (
	KindText   Kind = iota // free text
	KindCode               // identifier (course code)
	KindArea               // one of the technological areas of the pack (dropdown)
	KindEQF                // 5 or 6 (dropdown)
	KindDate               // Excel date or gg/mm/aaaa text
	KindCount              // whole number ≥ 0 (people, companies)
	KindHours              // number ≥ 0 (hours; decimals allowed)
	KindRating             // number 0–10
	KindYear               // a year, e.g. 2025
	KindNumber             // any number, decimals allowed (Soglie values)
)

// Field describes one input of the official workbook: its stable code
// (WORKBOOK.md), the Italian label and definition shown to people, its legal
// source and the per-field rule checked with validator/v10.
type Field struct {
	Code       compute.FieldCode
	Label      string // column header / row label, Italian
	Definition string // cell note on the header, Italian
	Source     string // legal source of the definition
	Kind       Kind
	Required   bool
	Tag        string // validator/v10 tag for the parsed value
}

const (
	srcTab2       = "DM 30/11/2023, All. tecnico, Tab. 2, articolazione "
	srcWorkbook   = findings.SrcWorkbook
	srcFoundation = "docs/modello.md (foglio Fondazione)"
)

// figure is a required figure of a course (a count or hours, ≥ 0) that
// articulation art of Tab. 2 uses.
func figure(code compute.FieldCode, label, definition string, kind Kind, art string) Field {
	return Field{Code: code, Label: label, Definition: definition, Source: srcTab2 + art, Kind: kind, Required: true, Tag: "gte=0"}
}

// CourseFields lists the columns of the Percorsi sheet, in template order.
func CourseFields() []Field {
	return []Field{
		{Code: "codice_percorso", Label: "Codice percorso", Definition: "Identificativo del percorso, unico nel file.", Source: srcWorkbook, Kind: KindCode, Required: true, Tag: "required"},
		{Code: "titolo", Label: "Titolo del percorso", Definition: "Denominazione del percorso.", Source: srcWorkbook, Kind: KindText},
		{Code: "area_tecnologica", Label: "Area tecnologica", Definition: "Una delle dieci aree tecnologiche della Tab. 4 (scegliere dall'elenco).", Source: "DM 30/11/2023, All. tecnico, Tab. 4", Kind: KindArea, Required: true, Tag: "required"},
		{Code: "livello_eqf", Label: "Livello EQF", Definition: "5 (percorsi biennali) o 6 (percorsi triennali).", Source: "Legge 99/2022, art. 5 c. 1", Kind: KindEQF, Required: true, Tag: "required,oneof=5 6"},
		{Code: "data_fine", Label: "Data di fine percorso", Definition: "Data di conclusione del percorso (gg/mm/aaaa): sceglie il sistema di regole (DM 30/11/2023 per i percorsi terminati dal 1/1/2024).", Source: "DM 30/11/2023, art. 2", Kind: KindDate, Required: true, Tag: "required"},
		figure("domande_iscrizione", "Domande di iscrizione alla selezione", "Numero di domande di iscrizione alle prove di selezione (denominatore dell'articolazione 2).", KindCount, "2"),
		figure("partecipanti_selezione", "Soggetti che hanno sostenuto la selezione", "Numero di soggetti che hanno sostenuto la prova di selezione (articolazioni 1 e 2).", KindCount, "1"),
		figure("iscritti", "Studenti iscritti all'avvio", "Studenti iscritti all'avvio delle attività formative (articolazione 3).", KindCount, "3"),
		figure("iscritti_fuori_regione", "Iscritti residenti fuori regione", "Iscritti residenti in una regione diversa da quella della sede del percorso (articolazione 4).", KindCount, "4"),
		{Code: "iscritte", Label: "Studentesse iscritte", Definition: "Iscritte all'avvio (indicatore di valorizzazione delle studentesse).", Source: "DM 30/11/2023, All. tecnico, parte B", Kind: KindCount, Tag: "gte=0"},
		{Code: "ore_totali", Label: "Ore totali del percorso", Definition: "Ore complessive del percorso (denominatore dell'articolazione 5).", Source: srcTab2 + "5", Kind: KindHours, Required: true, Tag: "gt=0"},
		figure("ore_stage", "Ore di stage", "Ore di stage (articolazione 5).", KindHours, "5"),
		figure("ore_attivita_totali", "Ore totali di stage e altre attività", "Ore totali svolte dai frequentanti in stage e altre attività formative (denominatore dell'articolazione 6).", KindHours, "6"),
		figure("ore_fuori_regione", "di cui fuori regione", "Ore di stage e altre attività svolte fuori regione, non all'estero (pesano 0,5).", KindHours, "6"),
		figure("ore_estero", "di cui all'estero", "Ore di stage e altre attività svolte all'estero (pesano 1).", KindHours, "6"),
		{Code: "ore_docenti_totali", Label: "Ore totali di docenza", Definition: "Ore totali dei docenti (denominatore dell'articolazione 7).", Source: srcTab2 + "7", Kind: KindHours, Required: true, Tag: "gt=0"},
		figure("ore_docenti_mondo_lavoro", "di cui docenti dal mondo del lavoro", "Ore dei docenti provenienti dal mondo del lavoro (articolazione 7).", KindHours, "7"),
		figure("ore_teoria", "Ore totali di teoria", "Ore totali di teoria (denominatore dell'articolazione 8).", KindHours, "8"),
		figure("ore_laboratori", "Ore in laboratori", "Ore sviluppate in laboratori di impresa, di ricerca e dell'ITS Academy (articolazione 8).", KindHours, "8"),
		figure("ore_its", "Ore svolte presso l'ITS Academy", "Ore sviluppate presso l'ITS Academy (denominatore dell'articolazione 9).", KindHours, "9"),
		figure("ore_lab_digitali_its", "di cui competenze digitali in laboratori ITS", "Ore nei laboratori dell'ITS Academy per lo sviluppo delle competenze digitali (articolazione 9).", KindHours, "9"),
		figure("imprese_totali", "Imprese coinvolte", "Numero totale di imprese (denominatore dell'articolazione 10).", KindCount, "10"),
		figure("imprese_progettazione", "di cui hanno contribuito alla progettazione", "Imprese, partner o no, che hanno contribuito alla progettazione del percorso (articolazione 10).", KindCount, "10"),
		figure("iscritti_apprendistato", "Iscritti con apprendistato di III livello", "Iscritti con contratto di apprendistato di alta formazione e ricerca (articolazione 11).", KindCount, "11"),
		figure("diplomati", "Diplomati", "Studenti che hanno superato l'esame finale (articolazioni 12, 13, 15).", KindCount, "12"),
		{Code: "diplomate", Label: "Studentesse diplomate", Definition: "Diplomate (indicatore di valorizzazione delle studentesse).", Source: "DM 30/11/2023, All. tecnico, parte B", Kind: KindCount, Tag: "gte=0"},
		figure("certificati", "Certificati (non diplomati)", "Studenti certificati che non hanno conseguito il diploma (pesano 0,3 nell'articolazione 13).", KindCount, "13"),
		figure("occupati_coerenti", "Occupati coerenti", "Diplomati occupati in un'attività coerente con il percorso al termine dell'anno solare successivo al diploma (pesano 1).", KindCount, "14"),
		figure("occupati_non_coerenti", "Occupati non coerenti", "Diplomati occupati in un'attività non coerente con il percorso (pesano 0,3).", KindCount, "14"),
		figure("iscritti_universita", "Iscritti all'università", "Diplomati iscritti all'università (pesano 0,5).", KindCount, "14"),
		{Code: "soddisfazione", Label: "Soddisfazione media (0–10)", Definition: "Valutazione media degli studenti nel questionario INDIRE su didattica, tutoraggio, stage e accompagnamento al lavoro.", Source: srcTab2 + "16", Kind: KindRating, Required: true, Tag: "gte=0,lte=10"},
	}
}

// FieldRules says what the pack's legal constraints ask of a field, under
// the pack's default interpretations: «Per legge: almeno 20 iscritti
// all'avvio; …», or "" when none concerns it. The legal figures are the
// pack's, never written here.
func FieldRules(p *compute.Pack, code compute.FieldCode) string {
	var parts []string
	for _, lr := range p.DefaultConstraints() {
		if compute.FieldCode(lr.Field) == code {
			parts = append(parts, lr.Summary)
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "Per legge: " + strings.Join(parts, "; ") + "."
}

// FoundationFields lists the rows of the Fondazione sheet.
func FoundationFields() []Field {
	return []Field{
		{Code: "fondazione_codice", Label: "Codice della Fondazione", Definition: "Codice identificativo della Fondazione ITS Academy.", Source: srcFoundation, Kind: KindCode, Required: true, Tag: "required"},
		{Code: "fondazione_nome", Label: "Denominazione della Fondazione", Definition: "Nome della Fondazione ITS Academy.", Source: srcFoundation, Kind: KindText, Required: true, Tag: "required"},
		{Code: "regione", Label: "Regione", Definition: "Regione sede della Fondazione.", Source: srcFoundation, Kind: KindText, Required: true, Tag: "required"},
		{Code: "anno_monitoraggio", Label: "Anno di monitoraggio", Definition: "Anno a cui si riferisce la rilevazione.", Source: srcFoundation, Kind: KindYear, Required: true, Tag: "required,gte=2010,lte=2100"},
		{Code: "template_versione", Label: "Versione del modello", Definition: "Versione del modello ufficiale: non modificare.", Source: srcFoundation, Kind: KindText, Required: true, Tag: "required"},
	}
}

// TemplateVersion is the version of the official workbook this product
// writes and reads; the reader refuses others.
const TemplateVersion = "2024.1"

// Sheet names of the official workbook (WORKBOOK.md).
const (
	SheetFoundation = "Fondazione"
	SheetCourses    = "Percorsi"
	SheetThresholds = "Soglie"
)
