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

// CourseFields lists the columns of the Percorsi sheet, in template order.
func CourseFields() []Field {
	return []Field{
		{Code: "codice_percorso", Label: "Codice percorso", Definition: "Identificativo del percorso, unico nel file.", Source: srcWorkbook, Kind: KindCode, Required: true, Tag: "required"},
		{Code: "titolo", Label: "Titolo del percorso", Definition: "Denominazione del percorso.", Source: srcWorkbook, Kind: KindText},
		{Code: "area_tecnologica", Label: "Area tecnologica", Definition: "Una delle dieci aree tecnologiche della Tab. 4 (scegliere dall'elenco).", Source: "DM 30/11/2023, All. tecnico, Tab. 4", Kind: KindArea, Required: true, Tag: "required"},
		{Code: "livello_eqf", Label: "Livello EQF", Definition: "5 (percorsi biennali) o 6 (percorsi triennali).", Source: "Legge 99/2022, art. 5 c. 1", Kind: KindEQF, Required: true, Tag: "required,oneof=5 6"},
		{Code: "data_fine", Label: "Data di fine percorso", Definition: "Data di conclusione del percorso (gg/mm/aaaa): sceglie il sistema di regole (DM 30/11/2023 per i percorsi terminati dal 1/1/2024).", Source: "DM 30/11/2023, art. 2", Kind: KindDate, Required: true, Tag: "required"},
		{Code: "domande_iscrizione", Label: "Domande di iscrizione alla selezione", Definition: "Numero di domande di iscrizione alle prove di selezione (denominatore dell'articolazione 2).", Source: srcTab2 + "2", Kind: KindCount, Required: true, Tag: "gte=0"},
		{Code: "partecipanti_selezione", Label: "Soggetti che hanno sostenuto la selezione", Definition: "Numero di soggetti che hanno sostenuto la prova di selezione (articolazioni 1 e 2).", Source: srcTab2 + "1", Kind: KindCount, Required: true, Tag: "gte=0"},
		{Code: "iscritti", Label: "Studenti iscritti all'avvio", Definition: "Studenti iscritti all'avvio delle attività formative (articolazione 3).", Source: srcTab2 + "3", Kind: KindCount, Required: true, Tag: "gte=0"},
		{Code: "iscritti_fuori_regione", Label: "Iscritti residenti fuori regione", Definition: "Iscritti residenti in una regione diversa da quella della sede del percorso (articolazione 4).", Source: srcTab2 + "4", Kind: KindCount, Required: true, Tag: "gte=0"},
		{Code: "iscritte", Label: "Studentesse iscritte", Definition: "Iscritte all'avvio (indicatore di valorizzazione delle studentesse).", Source: "DM 30/11/2023, All. tecnico, parte B", Kind: KindCount, Tag: "gte=0"},
		{Code: "ore_totali", Label: "Ore totali del percorso", Definition: "Ore complessive del percorso (denominatore dell'articolazione 5).", Source: srcTab2 + "5", Kind: KindHours, Required: true, Tag: "gt=0"},
		{Code: "ore_stage", Label: "Ore di stage", Definition: "Ore di stage (articolazione 5).", Source: srcTab2 + "5", Kind: KindHours, Required: true, Tag: "gte=0"},
		{Code: "ore_attivita_totali", Label: "Ore totali di stage e altre attività", Definition: "Ore totali svolte dai frequentanti in stage e altre attività formative (denominatore dell'articolazione 6).", Source: srcTab2 + "6", Kind: KindHours, Required: true, Tag: "gte=0"},
		{Code: "ore_fuori_regione", Label: "di cui fuori regione", Definition: "Ore di stage e altre attività svolte fuori regione, non all'estero (pesano 0,5).", Source: srcTab2 + "6", Kind: KindHours, Required: true, Tag: "gte=0"},
		{Code: "ore_estero", Label: "di cui all'estero", Definition: "Ore di stage e altre attività svolte all'estero (pesano 1).", Source: srcTab2 + "6", Kind: KindHours, Required: true, Tag: "gte=0"},
		{Code: "ore_docenti_totali", Label: "Ore totali di docenza", Definition: "Ore totali dei docenti (denominatore dell'articolazione 7).", Source: srcTab2 + "7", Kind: KindHours, Required: true, Tag: "gt=0"},
		{Code: "ore_docenti_mondo_lavoro", Label: "di cui docenti dal mondo del lavoro", Definition: "Ore dei docenti provenienti dal mondo del lavoro (articolazione 7).", Source: srcTab2 + "7", Kind: KindHours, Required: true, Tag: "gte=0"},
		{Code: "ore_teoria", Label: "Ore totali di teoria", Definition: "Ore totali di teoria (denominatore dell'articolazione 8).", Source: srcTab2 + "8", Kind: KindHours, Required: true, Tag: "gte=0"},
		{Code: "ore_laboratori", Label: "Ore in laboratori", Definition: "Ore sviluppate in laboratori di impresa, di ricerca e dell'ITS Academy (articolazione 8).", Source: srcTab2 + "8", Kind: KindHours, Required: true, Tag: "gte=0"},
		{Code: "ore_its", Label: "Ore svolte presso l'ITS Academy", Definition: "Ore sviluppate presso l'ITS Academy (denominatore dell'articolazione 9).", Source: srcTab2 + "9", Kind: KindHours, Required: true, Tag: "gte=0"},
		{Code: "ore_lab_digitali_its", Label: "di cui competenze digitali in laboratori ITS", Definition: "Ore nei laboratori dell'ITS Academy per lo sviluppo delle competenze digitali (articolazione 9).", Source: srcTab2 + "9", Kind: KindHours, Required: true, Tag: "gte=0"},
		{Code: "imprese_totali", Label: "Imprese coinvolte", Definition: "Numero totale di imprese (denominatore dell'articolazione 10).", Source: srcTab2 + "10", Kind: KindCount, Required: true, Tag: "gte=0"},
		{Code: "imprese_progettazione", Label: "di cui hanno contribuito alla progettazione", Definition: "Imprese, partner o no, che hanno contribuito alla progettazione del percorso (articolazione 10).", Source: srcTab2 + "10", Kind: KindCount, Required: true, Tag: "gte=0"},
		{Code: "iscritti_apprendistato", Label: "Iscritti con apprendistato di III livello", Definition: "Iscritti con contratto di apprendistato di alta formazione e ricerca (articolazione 11).", Source: srcTab2 + "11", Kind: KindCount, Required: true, Tag: "gte=0"},
		{Code: "diplomati", Label: "Diplomati", Definition: "Studenti che hanno superato l'esame finale (articolazioni 12, 13, 15).", Source: srcTab2 + "12", Kind: KindCount, Required: true, Tag: "gte=0"},
		{Code: "diplomate", Label: "Studentesse diplomate", Definition: "Diplomate (indicatore di valorizzazione delle studentesse).", Source: "DM 30/11/2023, All. tecnico, parte B", Kind: KindCount, Tag: "gte=0"},
		{Code: "certificati", Label: "Certificati (non diplomati)", Definition: "Studenti certificati che non hanno conseguito il diploma (pesano 0,3 nell'articolazione 13).", Source: srcTab2 + "13", Kind: KindCount, Required: true, Tag: "gte=0"},
		{Code: "occupati_coerenti", Label: "Occupati coerenti", Definition: "Diplomati occupati in un'attività coerente con il percorso al termine dell'anno solare successivo al diploma (pesano 1).", Source: srcTab2 + "14", Kind: KindCount, Required: true, Tag: "gte=0"},
		{Code: "occupati_non_coerenti", Label: "Occupati non coerenti", Definition: "Diplomati occupati in un'attività non coerente con il percorso (pesano 0,3).", Source: srcTab2 + "14", Kind: KindCount, Required: true, Tag: "gte=0"},
		{Code: "iscritti_universita", Label: "Iscritti all'università", Definition: "Diplomati iscritti all'università (pesano 0,5).", Source: srcTab2 + "14", Kind: KindCount, Required: true, Tag: "gte=0"},
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
