package xlsxio

import (
	"errors"
	"fmt"
	"html"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/its-academy/auditor/compute"
	"github.com/its-academy/auditor/validate"
	"github.com/xuri/excelize/v2"
)

// Layout of the blank official workbook. The names fixed by WORKBOOK.md
// (Fondazione, Percorsi, Soglie and the codes) come from package validate;
// the rest is the product's design.
const (
	// TemplateSheetInstructions is the first sheet: how to fill the file.
	TemplateSheetInstructions = "Istruzioni"
	// TemplateSheetLists is the hidden sheet holding the dropdown lists.
	TemplateSheetLists = "Elenchi"
	// TemplateAreaListName is the defined name of the list of areas, the
	// source of the area_tecnologica dropdown.
	TemplateAreaListName = "AreeTecnologiche"

	// TemplateFirstCourseRow is the first input row of Percorsi (row 1
	// holds the labels, row 2 the codes).
	TemplateFirstCourseRow = 3
	// TemplateStyledRows is how many course rows are prepared with the
	// input styling.
	TemplateStyledRows = 200
	// TemplateLastValidatedRow is the last course row with data validation.
	TemplateLastValidatedRow = 1000
)

// Bounds of the date validation on Percorsi (gg/mm/aaaa).
var (
	templateMinDate = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	templateMaxDate = time.Date(2100, 12, 31, 0, 0, 0, 0, time.UTC)
)

// templateCreated is the fixed creation and modification date written in
// the document properties, so that the same code writes the same file.
const templateCreated = "2024-01-01T00:00:00Z"

// Excel limits of the data validation texts (UTF-16 units).
const (
	dvTitleMax  = 32
	dvPromptMax = 255
	dvErrorMax  = 225
)

// Template builds the blank official workbook for a pack: the sheets
// Istruzioni, Fondazione, Percorsi and Soglie (WORKBOOK.md) and a hidden
// sheet Elenchi with the list of the technological areas. The result depends
// only on the pack and on the field catalogue of package validate.
func Template(p *compute.Pack) (*excelize.File, error) {
	if p == nil {
		return nil, errors.New("template: no rule pack")
	}
	if len(p.Areas.Rows) == 0 {
		return nil, fmt.Errorf("template: rule pack %s has no technological areas", p.ID)
	}
	f := excelize.NewFile()
	t := &templateBuilder{f: f, p: p}
	if err := t.build(); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("template: %w", err)
	}
	return f, nil
}

// templateBuilder holds the file being built and its styles.
type templateBuilder struct {
	f  *excelize.File
	p  *compute.Pack
	st templateStyles
}

// templateStyles are the style ids of the workbook, created in a fixed order.
type templateStyles struct {
	title, subtitle, section, text, small int
	header, code, label, note             int
	locked                                int
	input                                 map[templateFormat]int // input cells, by number format
	column                                map[templateFormat]int // whole-column format, no fill
}

// templateFormat is the number format of an input cell.
type templateFormat int

const (
	fmtGeneral templateFormat = iota
	fmtInteger
	fmtText
	fmtDate
)

// Colours of the workbook, explained in Istruzioni.
const (
	colorHeaderFill = "1F4E78" // dark blue: labels
	colorHeaderFont = "FFFFFF"
	colorCodeFill   = "D9D9D9" // grey: codes, not to be changed
	colorCodeFont   = "404040"
	colorInputFill  = "FFF2CC" // light yellow: to be filled
	colorLockedFill = "E2EFDA" // light green: pre-filled, not to be changed
	colorBorder     = "BFBFBF"
	colorSection    = "DDEBF7"
	colorTitle      = "1F4E78"
	colorNote       = "595959"
)

func (t *templateBuilder) build() error {
	if err := t.styles(); err != nil {
		return err
	}
	// NewFile starts with Sheet1: it becomes Istruzioni, the active sheet.
	if err := t.f.SetSheetName("Sheet1", TemplateSheetInstructions); err != nil {
		return err
	}
	for _, name := range []string{validate.SheetFoundation, validate.SheetCourses, validate.SheetThresholds, TemplateSheetLists} {
		if _, err := t.f.NewSheet(name); err != nil {
			return fmt.Errorf("sheet %s: %w", name, err)
		}
	}
	steps := []struct {
		name string
		fn   func() error
	}{
		{TemplateSheetLists, t.lists},
		{TemplateSheetInstructions, t.instructions},
		{validate.SheetFoundation, t.foundation},
		{validate.SheetCourses, t.courses},
		{validate.SheetThresholds, t.thresholds},
	}
	for _, s := range steps {
		if err := s.fn(); err != nil {
			return fmt.Errorf("sheet %s: %w", s.name, err)
		}
	}
	if err := t.f.SetSheetVisible(TemplateSheetLists, false); err != nil {
		return err
	}
	t.f.SetActiveSheet(0)
	return t.f.SetDocProps(&excelize.DocProperties{
		Title:          "Modello ufficiale – monitoraggio dei percorsi ITS Academy",
		Subject:        "Dati dei percorsi per gli indicatori del " + t.p.Source.Short,
		Creator:        "auditor",
		LastModifiedBy: "auditor",
		Description:    "Modello da compilare a mano; versione " + validate.TemplateVersion + ", pacchetto di regole " + string(t.p.ID) + ".",
		Keywords:       "ITS Academy; " + t.p.Source.Short + "; monitoraggio",
		Identifier:     "modello-ufficiale-" + validate.TemplateVersion,
		Category:       "Modello",
		Language:       "it-IT",
		Version:        validate.TemplateVersion,
		Created:        templateCreated,
		Modified:       templateCreated,
	})
}

func (t *templateBuilder) styles() error {
	border := func(color string) []excelize.Border {
		var b []excelize.Border
		for _, side := range []string{"left", "top", "right", "bottom"} {
			b = append(b, excelize.Border{Type: side, Color: color, Style: 1})
		}
		return b
	}
	fill := func(color string) excelize.Fill {
		return excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{color}}
	}
	top := &excelize.Alignment{Vertical: "top", WrapText: true}
	dateFmt := "dd/mm/yyyy"
	numFmt := map[templateFormat]int{fmtGeneral: 0, fmtInteger: 1, fmtText: 49}
	formats := []templateFormat{fmtGeneral, fmtInteger, fmtText, fmtDate}

	var err error
	add := func(dst *int, s *excelize.Style) {
		if err != nil {
			return
		}
		*dst, err = t.f.NewStyle(s)
	}
	st := &t.st
	add(&st.title, &excelize.Style{Font: &excelize.Font{Bold: true, Size: 16, Color: colorTitle}, Alignment: &excelize.Alignment{Vertical: "center"}})
	add(&st.subtitle, &excelize.Style{Font: &excelize.Font{Italic: true, Color: colorNote}, Alignment: top})
	add(&st.section, &excelize.Style{Font: &excelize.Font{Bold: true, Color: colorTitle}, Fill: fill(colorSection), Alignment: top})
	add(&st.text, &excelize.Style{Alignment: top})
	add(&st.small, &excelize.Style{Font: &excelize.Font{Size: 9, Color: colorNote}, Alignment: top})
	add(&st.header, &excelize.Style{
		Font:      &excelize.Font{Bold: true, Color: colorHeaderFont},
		Fill:      fill(colorHeaderFill),
		Border:    border(colorBorder),
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true},
	})
	add(&st.code, &excelize.Style{
		Font:       &excelize.Font{Family: "Consolas", Size: 9, Color: colorCodeFont},
		Fill:       fill(colorCodeFill),
		Border:     border(colorBorder),
		Alignment:  &excelize.Alignment{Vertical: "center"},
		Protection: &excelize.Protection{Locked: true},
		NumFmt:     49,
	})
	add(&st.label, &excelize.Style{Border: border(colorBorder), Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}})
	add(&st.note, &excelize.Style{Font: &excelize.Font{Size: 9, Color: colorNote}, Border: border(colorBorder), Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}})
	add(&st.locked, &excelize.Style{
		Font:       &excelize.Font{Bold: true, Color: colorCodeFont},
		Fill:       fill(colorLockedFill),
		Border:     border(colorBorder),
		Alignment:  &excelize.Alignment{Horizontal: "left", Vertical: "center"},
		Protection: &excelize.Protection{Locked: true},
		NumFmt:     49,
	})
	st.input = map[templateFormat]int{}
	st.column = map[templateFormat]int{}
	for _, k := range formats {
		in := &excelize.Style{Fill: fill(colorInputFill), Border: border(colorBorder), Alignment: &excelize.Alignment{Vertical: "center"}, Protection: &excelize.Protection{Locked: false}}
		col := &excelize.Style{}
		if k == fmtDate {
			in.CustomNumFmt, col.CustomNumFmt = &dateFmt, &dateFmt
		} else {
			in.NumFmt, col.NumFmt = numFmt[k], numFmt[k]
		}
		var a, b int
		add(&a, in)
		add(&b, col)
		st.input[k], st.column[k] = a, b
	}
	return err
}

// lists fills the hidden sheet Elenchi with the areas of the pack and
// defines the name the area dropdown refers to.
func (t *templateBuilder) lists() error {
	const sh = TemplateSheetLists
	w := &templateWriter{f: t.f, sheet: sh}
	w.set("A1", "Aree tecnologiche (Tab. 4)", t.st.header)
	w.set("B1", "Chiave usata nei codici di Soglie", t.st.header)
	for i, a := range t.p.Areas.Rows {
		w.set(templateCell(1, i+2), a.Name, t.st.text)
		w.set(templateCell(2, i+2), a.Key, t.st.code)
	}
	w.width("A", 70)
	w.width("B", 30)
	if err := w.done(); err != nil {
		return err
	}
	last := len(t.p.Areas.Rows) + 1
	return t.f.SetDefinedName(&excelize.DefinedName{
		Name:     TemplateAreaListName,
		RefersTo: fmt.Sprintf("%s!$A$2:$A$%d", sh, last),
		Comment:  "Elenco delle aree tecnologiche per il menu a discesa di Percorsi",
	})
}

// instructions writes the Istruzioni sheet: two columns, a heading or a
// colour sample in A and the text in B.
func (t *templateBuilder) instructions() error {
	const sh = TemplateSheetInstructions
	p := t.p
	w := &templateWriter{f: t.f, sheet: sh}
	w.width("A", 30)
	w.width("B", 110)
	row := 1
	w.set("A1", "Modello ufficiale per il monitoraggio dei percorsi ITS Academy", t.st.title)
	w.merge("A1", "B1")
	w.height(1, 30)
	row++
	w.set(templateCell(1, row), fmt.Sprintf("Versione del modello %s – pacchetto di regole «%s» (%s)", validate.TemplateVersion, p.Title, p.ID), t.st.subtitle)
	w.merge(templateCell(1, row), templateCell(2, row))
	row += 2

	para := func(head, text string) {
		w.set(templateCell(1, row), head, t.st.section)
		w.set(templateCell(2, row), text, t.st.text)
		row++
	}
	section := func(head string) {
		w.set(templateCell(1, row), head, t.st.section)
		w.set(templateCell(2, row), "", t.st.section)
		row++
	}

	para("A cosa serve",
		"Questo file raccoglie i dati dei percorsi ITS Academy di una Fondazione per il monitoraggio e la valutazione previsti dal "+p.Source.Short+
			" (indicatori di realizzazione e di risultato). Si compila a mano, un percorso per riga, e si sottopone al programma auditor, "+
			"che controlla i dati, calcola il punteggio di ogni percorso e ne spiega ogni passaggio con le fonti normative.")
	para("Foglio "+validate.SheetFoundation,
		"Una voce per riga: colonna A il codice (non modificarlo), colonna B la descrizione, colonna C il valore da inserire nelle celle gialle. "+
			"La versione del modello (template_versione) è già compilata: non modificarla, il programma rifiuta le versioni che non conosce.")
	para("Foglio "+validate.SheetCourses,
		"Riga 1: le intestazioni in italiano; il commento su ogni intestazione riporta la definizione del dato e la sua fonte. "+
			"Riga 2: i codici dei campi, con cui il programma riconosce le colonne. "+
			fmt.Sprintf("Dalla riga %d: un percorso per riga, nelle celle gialle; le righe vuote vengono ignorate. ", TemplateFirstCourseRow)+
			"Si possono aggiungere colonne proprie o spostare le colonne: il programma le ritrova dal codice in riga 2.")
	para("Come si compila",
		fmt.Sprintf("Area tecnologica e livello EQF si scelgono dal menu a discesa (le %d aree della Tab. 4, con il nome esatto). ", len(p.Areas.Rows))+
			"Le date si scrivono nel formato gg/mm/aaaa. I numeri di persone e di imprese sono interi; le ore possono avere decimali; "+
			"la soddisfazione media è un numero da 0 a 10. Selezionando una cella compare un messaggio con le indicazioni e un valore non ammesso viene rifiutato. "+
			"I dati incollati da altri file non passano da questi controlli: il programma li verifica comunque e segnala ogni problema con la sua cella.")
	para("Foglio "+validate.SheetThresholds,
		"Le soglie e i parametri delle regole, per consultazione: colonna A il codice, B la descrizione, C il valore, D la fonte, E una nota. "+
			"I valori sono quelli del "+p.Source.Short+" (Tab. 3 e Tab. 4). Le soglie le fissano il decreto e l'auditor che esegue la verifica, non la Fondazione: "+
			"un valore cambiato nella colonna C è segnalato come violazione sulla sua cella e non viene usato. "+
			"Il foglio è protetto senza password solo per evitare modifiche per errore. "+
			"Le celle vuote sono valori che il decreto non fissa (il parametro N della correzione per area, le medie generali, le medie per area dell'indicatore "+
			"sulle studentesse): li fornisce l'auditor; altrimenti si procede come indicato nella colonna E. "+
			"Una Fondazione che vuole provare altre soglie può chiedere una simulazione (auditor audit --workbook-thresholds): il risultato lo dichiara e non vale come verifica.")
	para("Letture del decreto",
		"Il decreto contiene quattro refusi nelle formule (errata E-1…E-4): per ciascuno la formula stampata e le tabelle di esempio del decreto non coincidono. "+
			"La verifica usa di regola la «lettura delle tabelle»: per ogni refuso la formula che la tabella di esempio del decreto conferma "+
			"(E-1, E-3, E-4 corretti; E-2 come stampato). Le altre letture sono la «coerente» (tutti corretti) e la «letterale» (tutto come stampato); "+
			"ogni refuso si può anche scegliere da solo. Dove il testo lascia aperta una scelta (interpretazioni I-1…I-10, per esempio se con meno di 20 iscritti "+
			"si azzera tutta l'Attrattività o solo l'articolazione 3) vale una scelta predefinita, motivata nel foglio Regole della copia verificata. "+
			"Il foglio Sensibilità della copia mostra il punteggio di ogni percorso con ciascuna alternativa.")
	para("Codici da non modificare",
		"I codici (riga 2 di "+validate.SheetCourses+", colonna A di "+validate.SheetFoundation+" e di "+validate.SheetThresholds+") sono le chiavi con cui il programma legge il file: "+
			"non vanno modificati, cancellati o tradotti. Lo stesso vale per il valore di template_versione.")
	para("Fogli aggiunti dal programma",
		"Quando il file viene verificato, auditor ne scrive una copia a cui aggiunge i propri fogli: l'esito di ogni percorso, i calcoli di ogni articolazione "+
			"come formule Excel collegate alle celle di input, le spiegazioni con i riferimenti normativi, le segnalazioni, le regole e le soglie usate e "+
			"l'impronta del file di partenza. I fogli di input restano come sono. Non serve preparare quei fogli a mano.")
	row++

	section("Significato dei colori")
	legend := []struct {
		sample string
		style  int
		text   string
	}{
		{"Da compilare", t.st.input[fmtGeneral], "Celle gialle: i dati da inserire."},
		{"Intestazione", t.st.header, "Celle blu: le intestazioni delle colonne."},
		{"codice", t.st.code, "Celle grigie: i codici dei campi, letti dal programma. Non modificarli."},
		{validate.TemplateVersion, t.st.locked, "Celle verdi: valori già compilati dal modello. Non modificarli."},
	}
	for _, l := range legend {
		w.set(templateCell(1, row), l.sample, l.style)
		w.set(templateCell(2, row), l.text, t.st.text)
		row++
	}
	row++

	section("Fonti normative")
	from, year := p.Applies.EndedFrom, p.Applies.EndedFrom
	if d, err := time.Parse(time.DateOnly, p.Applies.EndedFrom); err == nil {
		from, year = d.Format("2/1/2006"), strconv.Itoa(d.Year())
	}
	sources := []string{
		fmt.Sprintf("%s – %s, %s: si applica ai percorsi di %s livello EQF terminati dal %s. Fonte: %s.",
			p.Source.Short, p.Source.Act, p.Source.Annex, templateRoman(p.Applies.EQF), from, p.Applies.Citation),
		"Per i percorsi terminati prima del " + year + " vale il sistema di monitoraggio della Conferenza unificata del 17/12/2015 (CU 17/12/2015): auditor non ha un pacchetto di regole per questi percorsi e non li valuta.",
		"Legge 15 luglio 2022, n. 99 – Istituzione del Sistema terziario di istruzione tecnologica superiore: livelli EQF dei percorsi e indicatore sulle studentesse (art. 5 e art. 11).",
		"La fonte di ogni dato è nel commento sulla sua intestazione (foglio " + validate.SheetCourses + ") e nella colonna D di " + validate.SheetThresholds + ".",
	}
	for _, s := range sources {
		w.set(templateCell(1, row), "", t.st.text)
		w.set(templateCell(2, row), s, t.st.text)
		row++
	}
	row++

	section("Percorsi di VI livello EQF")
	w.set(templateCell(2, row), "Il livello EQF 6 (percorsi triennali) si può indicare, ma per questi percorsi non esiste ancora un pacchetto di regole: "+
		"il programma li segnala e non calcola il punteggio.", t.st.text)
	row += 2

	section("Aree tecnologiche e loro chiavi")
	w.set(templateCell(1, row), "Chiave", t.st.header)
	w.set(templateCell(2, row), "Area tecnologica (Tab. 4)", t.st.header)
	row++
	for _, a := range p.Areas.Rows {
		w.set(templateCell(1, row), a.Key, t.st.code)
		w.set(templateCell(2, row), a.Name, t.st.label)
		row++
	}
	w.set(templateCell(2, row), "Le chiavi compaiono nei codici del foglio "+validate.SheetThresholds+" (per esempio tasso_meccanica).", t.st.small)
	if err := w.done(); err != nil {
		return err
	}
	showGrid := false
	return t.f.SetSheetView(sh, 0, &excelize.ViewOptions{ShowGridLines: &showGrid})
}

// foundation writes Fondazione: a header row, then one field per row with
// A = code, B = label, C = value, D = the definition.
func (t *templateBuilder) foundation() error {
	const sh = validate.SheetFoundation
	w := &templateWriter{f: t.f, sheet: sh}
	w.width("A", 22)
	w.width("B", 36)
	w.width("C", 40)
	w.width("D", 70)
	for i, h := range []string{"Codice", "Descrizione", "Valore", "Indicazioni"} {
		w.set(templateCell(i+1, 1), h, t.st.header)
	}
	w.height(1, 22)
	for i, fd := range validate.FoundationFields() {
		r := i + 2
		value := templateCell(3, r)
		w.set(templateCell(1, r), string(fd.Code), t.st.code)
		w.set(templateCell(2, r), fd.Label, t.st.label)
		w.set(templateCell(4, r), fd.Definition, t.st.note)
		if fd.Code == "template_versione" {
			w.set(value, validate.TemplateVersion, t.st.locked)
			dv := excelize.NewDataValidation(false)
			dv.Sqref = value
			dv.Type = "custom"
			dv.Formula1 = fmt.Sprintf(`%s="%s"`, value, validate.TemplateVersion)
			dv.SetInput("Versione del modello", "Valore compilato dal modello: non modificarlo.")
			dv.SetError(excelize.DataValidationErrorStyleStop, "Non modificare", "La versione del modello è compilata dal modello e non va modificata: il programma rifiuta le versioni che non conosce.")
			w.validate(dv)
			continue
		}
		w.set(value, "", t.st.input[templateFieldFormat(fd.Kind)])
		dv, err := templateFieldValidation(fd, value, "")
		if err != nil {
			return err
		}
		w.validate(dv)
	}
	return t.finishProtected(w)
}

// courses writes Percorsi: labels, codes, the prepared input rows, the
// notes on the labels and the data validations.
func (t *templateBuilder) courses() error {
	const sh = validate.SheetCourses
	fields := validate.CourseFields()
	w := &templateWriter{f: t.f, sheet: sh}
	// Column formats first: SetColStyle restyles the cells already written.
	for i, fd := range fields {
		col := templateColumn(i + 1)
		if w.err == nil {
			w.err = t.f.SetColStyle(sh, col, t.st.column[templateFieldFormat(fd.Kind)])
		}
		w.width(col, templateFieldWidth(fd))
	}
	w.height(1, 62)
	lastStyled := TemplateFirstCourseRow + TemplateStyledRows - 1
	for i, fd := range fields {
		c := i + 1
		col := templateColumn(c)
		label, code := templateCell(c, 1), templateCell(c, 2)
		w.set(label, fd.Label, t.st.header)
		w.set(code, string(fd.Code), t.st.code)
		w.style(templateCell(c, TemplateFirstCourseRow), templateCell(c, lastStyled), t.st.input[templateFieldFormat(fd.Kind)])
		w.comment(excelize.Comment{
			Cell:   label,
			Author: "auditor",
			Paragraph: []excelize.RichTextRun{
				{Text: fd.Label + "\n", Font: &excelize.Font{Bold: true, Size: 9}},
				{Text: strings.TrimSpace(fd.Definition+" "+validate.FieldRules(t.p, fd.Code)) + "\n", Font: &excelize.Font{Size: 9}},
				{Text: "Fonte: " + fd.Source + "\n", Font: &excelize.Font{Italic: true, Size: 9}},
				{Text: "Codice: " + string(fd.Code), Font: &excelize.Font{Size: 9, Color: colorNote}},
			},
			Width:  320,
			Height: 140,
		})
		// The code cell refuses to be overwritten by typing.
		guard := excelize.NewDataValidation(false)
		guard.Sqref = code
		guard.Type = "custom"
		guard.Formula1 = fmt.Sprintf(`%s="%s"`, code, fd.Code)
		guard.SetError(excelize.DataValidationErrorStyleStop, "Codice da non modificare", "I codici della riga 2 servono al programma per riconoscere le colonne: non modificarli.")
		w.validate(guard)

		sqref := fmt.Sprintf("%s%d:%s%d", col, TemplateFirstCourseRow, col, TemplateLastValidatedRow)
		fd.Definition = strings.TrimSpace(fd.Definition + " " + validate.FieldRules(t.p, fd.Code))
		dv, err := templateFieldValidation(fd, sqref, col)
		if err != nil {
			return err
		}
		w.validate(dv)
	}
	if err := w.done(); err != nil {
		return err
	}
	return t.f.SetPanes(sh, templateFreeze(1, 2))
}

// finishProtected writes a one-field-per-row sheet (Fondazione, Soglie),
// freezes its header row and protects it: a guard against slips, not a
// security measure, with no password (the thresholds in force are the
// pack's and the auditor's whatever the sheet says; see Istruzioni).
func (t *templateBuilder) finishProtected(w *templateWriter) error {
	if err := w.done(); err != nil {
		return err
	}
	if err := t.f.SetPanes(w.sheet, templateFreeze(0, 1)); err != nil {
		return err
	}
	return t.f.ProtectSheet(w.sheet, &excelize.SheetProtectionOptions{
		SelectLockedCells: true, SelectUnlockedCells: true, FormatColumns: true, FormatRows: true,
	})
}

// thresholds writes Soglie: header, then one row per threshold of the pack
// with A = code, B = label, C = default (empty when the decree gives none),
// D = citation, E = note.
func (t *templateBuilder) thresholds() error {
	const sh = validate.SheetThresholds
	w := &templateWriter{f: t.f, sheet: sh}
	for i, h := range []string{"Codice", "Descrizione", "Valore", "Fonte", "Nota"} {
		w.set(templateCell(i+1, 1), h, t.st.header)
	}
	w.height(1, 22)
	w.width("A", 40)
	w.width("B", 62)
	w.width("C", 12)
	w.width("D", 50)
	w.width("E", 60)
	for i, d := range t.p.ThresholdDefs() {
		if d == nil {
			return fmt.Errorf("threshold %d of pack %s is undefined", i+1, t.p.ID)
		}
		r := i + 2
		value := templateCell(3, r)
		w.set(templateCell(1, r), d.Code, t.st.code)
		w.set(templateCell(2, r), d.Label, t.st.label)
		if d.Default != nil {
			w.set(value, *d.Default, t.st.locked)
		} else {
			w.set(value, "", t.st.locked)
		}
		w.set(templateCell(4, r), d.Citation, t.st.note)
		w.set(templateCell(5, r), d.Note, t.st.note)
		dv, err := templateThresholdValidation(t.p, d, value)
		if err != nil {
			return fmt.Errorf("threshold %s: %w", d.Code, err)
		}
		if dv != nil {
			w.validate(dv)
		}
	}
	return t.finishProtected(w)
}

// templateFieldValidation returns the data validation of a field's input
// cells (sqref), with Italian messages. col is the field's column on
// Percorsi, used by the uniqueness check of the course code; "" elsewhere.
func templateFieldValidation(fd validate.Field, sqref, col string) (*excelize.DataValidation, error) {
	dv := excelize.NewDataValidation(true)
	dv.Sqref = sqref
	var rule, after, title, wrong string
	var err error
	switch fd.Kind {
	case validate.KindArea:
		dv.SetSqrefDropList(TemplateAreaListName)
		title, wrong = "Area tecnologica", "Scegliere un'area tecnologica dall'elenco: il nome deve essere esatto."
	case validate.KindEQF:
		err = dv.SetDropList([]string{"5", "6"})
		after = "Per il VI livello EQF non c'è ancora un pacchetto di regole: il percorso non viene valutato."
		title, wrong = "Livello EQF", "Il livello EQF deve essere 5 oppure 6."
	case validate.KindDate:
		err = dv.SetRange(templateSerial(templateMinDate), templateSerial(templateMaxDate), excelize.DataValidationTypeDate, excelize.DataValidationOperatorBetween)
		span := fmt.Sprintf("tra il %s e il %s", templateMinDate.Format("02/01/2006"), templateMaxDate.Format("02/01/2006"))
		rule = "Data nel formato gg/mm/aaaa, " + span + "."
		title, wrong = "Data", "Inserire una data nel formato gg/mm/aaaa, "+span+"."
	case validate.KindCount, validate.KindHours, validate.KindRating, validate.KindYear, validate.KindNumber:
		typ, what := excelize.DataValidationTypeDecimal, "Numero (anche con decimali)"
		switch fd.Kind {
		case validate.KindCount:
			typ, what = excelize.DataValidationTypeWhole, "Numero intero"
		case validate.KindYear:
			typ, what = excelize.DataValidationTypeWhole, "Anno (numero intero)"
		}
		b, berr := templateTagBounds(fd.Tag)
		if berr != nil {
			return nil, fmt.Errorf("field %s: %w", fd.Code, berr)
		}
		var text string
		text, err = b.apply(dv, typ)
		rule = strings.TrimSpace(what+" "+text) + "."
		title, wrong = what, "Inserire: "+strings.ToLower(rule[:1])+rule[1:]
	case validate.KindCode:
		if col != "" {
			// Unique in the workbook (WORKBOOK.md): counted over the
			// validated rows when the value is typed.
			dv.Type = "custom"
			dv.Formula1 = fmt.Sprintf("COUNTIF($%s$%d:$%s$%d,%s%d)=1", col, TemplateFirstCourseRow, col, TemplateLastValidatedRow, col, TemplateFirstCourseRow)
			title, wrong = "Codice", "Questo codice è già usato in un'altra riga: ogni percorso deve avere un codice diverso."
			break
		}
		rule, title = "Testo.", "Codice"
	default: // KindText: only the input message
		rule, title = "Testo.", "Testo"
	}
	if err != nil {
		return nil, fmt.Errorf("field %s: %w", fd.Code, err)
	}
	if templateUnits(fd.Label) <= dvTitleMax {
		title = fd.Label
	}
	prompt := strings.TrimSpace(strings.Join([]string{rule, fd.Definition, after}, " "))
	if fd.Required {
		prompt = "Obbligatorio. " + prompt
	}
	dv.SetInput(templateClip(title, dvTitleMax), templateClip(prompt, dvPromptMax))
	if wrong != "" {
		dv.SetError(excelize.DataValidationErrorStyleStop, "Valore non ammesso", templateClip(wrong, dvErrorMax))
	}
	return dv, nil
}

// templateThresholdValidation returns the validation of a Soglie value from
// the threshold's Min, Max and Integer, or nil when it has none.
func templateThresholdValidation(p *compute.Pack, d *compute.ThresholdDef, cell string) (*excelize.DataValidation, error) {
	if rg, fn, ok := p.ThresholdRange(d.Code); ok {
		// The function's formulas need above < S < below: an open range,
		// which Excel's operators cannot express, hence a custom rule.
		dv := excelize.NewDataValidation(true)
		dv.Sqref = cell
		dv.Type = "custom"
		formula := fmt.Sprintf("AND(ISNUMBER(%s),%s>%s,%s<%s)", cell, cell, templateFormulaNumber(rg.Above), cell, templateFormulaNumber(rg.Below))
		dv.Formula1 = html.EscapeString(formula) // written as inner XML of <formula1>
		rule := fmt.Sprintf("numero maggiore di %s e minore di %s (soglia ammessa dalla funzione %s)", templateNumber(rg.Above), templateNumber(rg.Below), fn)
		dv.SetInput("Valore", templateClip("Soglia: "+rule+".", dvPromptMax))
		dv.SetError(excelize.DataValidationErrorStyleStop, "Valore non ammesso", templateClip("Inserire un "+rule+".", dvErrorMax))
		return dv, nil
	}
	if d.Min == nil && d.Max == nil && !d.Integer {
		return nil, nil
	}
	dv := excelize.NewDataValidation(true)
	dv.Sqref = cell
	typ, what := excelize.DataValidationTypeDecimal, "Numero"
	if d.Integer {
		typ, what = excelize.DataValidationTypeWhole, "Numero intero"
	}
	b := templateBounds{min: d.Min, max: d.Max}
	text, err := b.apply(dv, typ)
	if err != nil {
		return nil, err
	}
	rule := strings.TrimSpace(what + " " + text)
	msg := rule + "."
	if d.Default == nil {
		msg += " Il decreto non lo fissa: lasciare vuoto se non si dispone del valore."
	}
	dv.SetInput("Valore", templateClip(msg, dvPromptMax))
	dv.SetError(excelize.DataValidationErrorStyleStop, "Valore non ammesso", templateClip("Inserire: "+strings.ToLower(rule[:1])+rule[1:]+".", dvErrorMax))
	return dv, nil
}

// templateFormulaNumber writes a number for a formula (decimal point).
func templateFormulaNumber(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// templateBounds are the limits of a number: min/max inclusive unless
// strict (from the validator tags gt/gte/lte of the field catalogue).
type templateBounds struct {
	min, max *float64
	strict   bool // min excluded (gt)
}

// templateTagBounds reads gt=, gte= and lte= from a validator/v10 tag.
func templateTagBounds(tag string) (templateBounds, error) {
	var b templateBounds
	for _, part := range strings.Split(tag, ",") {
		name, val, ok := strings.Cut(part, "=")
		if !ok || (name != "gt" && name != "gte" && name != "lte") {
			continue
		}
		v, err := strconv.ParseFloat(val, 64)
		if err != nil {
			return b, fmt.Errorf("tag %q: %w", tag, err)
		}
		switch name {
		case "gt":
			b.min, b.strict = &v, true
		case "gte":
			b.min = &v
		case "lte":
			b.max = &v
		}
	}
	if b.strict && b.max != nil {
		return b, fmt.Errorf("tag %q: gt with lte has no data validation", tag)
	}
	return b, nil
}

// apply sets the range of dv and returns it in Italian ("da 0 a 10",
// "maggiore o uguale a 0").
func (b templateBounds) apply(dv *excelize.DataValidation, typ excelize.DataValidationType) (string, error) {
	const huge = 1e9
	switch {
	case b.min != nil && b.max != nil:
		return fmt.Sprintf("da %s a %s", templateNumber(*b.min), templateNumber(*b.max)),
			dv.SetRange(*b.min, *b.max, typ, excelize.DataValidationOperatorBetween)
	case b.min != nil && b.strict:
		return "maggiore di " + templateNumber(*b.min),
			dv.SetRange(*b.min, "", typ, excelize.DataValidationOperatorGreaterThan)
	case b.min != nil:
		return "maggiore o uguale a " + templateNumber(*b.min),
			dv.SetRange(*b.min, "", typ, excelize.DataValidationOperatorGreaterThanOrEqual)
	case b.max != nil:
		return "minore o uguale a " + templateNumber(*b.max),
			dv.SetRange(*b.max, "", typ, excelize.DataValidationOperatorLessThanOrEqual)
	}
	return "", dv.SetRange(-huge, huge, typ, excelize.DataValidationOperatorBetween)
}

// templateWriter writes cells of one sheet, keeps the first error and
// tracks the used range.
type templateWriter struct {
	f            *excelize.File
	sheet        string
	err          error
	maxCol, maxR int
}

// used extends the used range to a cell.
func (w *templateWriter) used(cell string) {
	c, r, err := excelize.CellNameToCoordinates(cell)
	if err != nil {
		w.err = err
		return
	}
	w.maxCol, w.maxR = max(w.maxCol, c), max(w.maxR, r)
}

// done records the used range as the sheet's dimension and returns the
// first error.
func (w *templateWriter) done() error {
	if w.err == nil && w.maxR > 0 {
		w.err = w.f.SetSheetDimension(w.sheet, "A1:"+templateCell(w.maxCol, w.maxR))
	}
	return w.err
}

func (w *templateWriter) set(cell string, v any, style int) {
	if w.err != nil {
		return
	}
	w.used(cell)
	if s, ok := v.(string); !ok || s != "" {
		if w.err = w.f.SetCellValue(w.sheet, cell, v); w.err != nil {
			return
		}
	}
	w.err = w.f.SetCellStyle(w.sheet, cell, cell, style)
}

func (w *templateWriter) style(from, to string, style int) {
	if w.err == nil {
		w.used(to)
		w.err = w.f.SetCellStyle(w.sheet, from, to, style)
	}
}

func (w *templateWriter) width(col string, width float64) {
	if w.err == nil {
		w.err = w.f.SetColWidth(w.sheet, col, col, width)
	}
}

func (w *templateWriter) height(row int, h float64) {
	if w.err == nil {
		w.err = w.f.SetRowHeight(w.sheet, row, h)
	}
}

func (w *templateWriter) merge(from, to string) {
	if w.err == nil {
		w.err = w.f.MergeCell(w.sheet, from, to)
	}
}

func (w *templateWriter) comment(c excelize.Comment) {
	if w.err == nil {
		w.err = w.f.AddComment(w.sheet, c)
	}
}

func (w *templateWriter) validate(dv *excelize.DataValidation) {
	if w.err == nil {
		w.err = w.f.AddDataValidation(w.sheet, dv)
	}
}

// templateFreeze freezes the first cols columns and rows rows.
func templateFreeze(cols, rows int) *excelize.Panes {
	pane := "bottomLeft"
	switch {
	case cols > 0 && rows > 0:
		pane = "bottomRight"
	case cols > 0:
		pane = "topRight"
	}
	top := templateCell(cols+1, rows+1)
	return &excelize.Panes{
		Freeze: true, XSplit: cols, YSplit: rows, TopLeftCell: top, ActivePane: pane,
		Selection: []excelize.Selection{{SQRef: top, ActiveCell: top, Pane: pane}},
	}
}

// templateFieldFormat is the number format of a field's input cells.
func templateFieldFormat(k validate.Kind) templateFormat {
	switch k {
	case validate.KindText, validate.KindCode, validate.KindArea:
		return fmtText
	case validate.KindDate:
		return fmtDate
	case validate.KindCount, validate.KindYear:
		return fmtInteger
	}
	return fmtGeneral
}

// templateFieldWidth is the width of a field's column on Percorsi.
func templateFieldWidth(fd validate.Field) float64 {
	switch fd.Kind {
	case validate.KindText:
		return 40
	case validate.KindArea:
		return 46
	case validate.KindCode:
		return 18
	case validate.KindEQF:
		return 10
	case validate.KindDate:
		return 14
	}
	return 16
}

// templateCell returns the A1 name of a cell; col and row are 1-based and
// always valid here.
func templateCell(col, row int) string {
	name, _ := excelize.CoordinatesToCellName(col, row)
	return name
}

// templateColumn returns the letters of a 1-based column.
func templateColumn(col int) string {
	name, _ := excelize.ColumnNumberToName(col)
	return name
}

// templateSerial is the Excel serial number of a date (1900 date system).
func templateSerial(d time.Time) int {
	return int(d.Sub(time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)).Hours() / 24)
}

// templateRoman writes an EQF level the way the decrees do (V, VI).
func templateRoman(level int) string {
	if r, ok := map[int]string{4: "IV", 5: "V", 6: "VI", 7: "VII", 8: "VIII"}[level]; ok {
		return r
	}
	return strconv.Itoa(level)
}

// templateNumber formats a number the Italian way (decimal comma).
func templateNumber(v float64) string {
	return strings.Replace(strconv.FormatFloat(v, 'f', -1, 64), ".", ",", 1)
}

// templateUnits counts UTF-16 units, the unit of Excel's length limits.
func templateUnits(s string) int { return len(utf16.Encode([]rune(s))) }

// templateClip shortens s to at most max UTF-16 units, ending with "…".
func templateClip(s string, max int) string {
	if templateUnits(s) <= max {
		return s
	}
	r := []rune(s)
	for len(r) > 0 && templateUnits(string(r))+1 > max {
		r = r[:len(r)-1]
	}
	return strings.TrimSpace(string(r)) + "…"
}
