package verbale

import (
	"fmt"
	"strings"
	"time"
)

// severityLabel is the Italian name of a severity.
func severityLabel(s string) string {
	switch s {
	case "error":
		return "errore"
	case "violation":
		return "violazione di legge"
	case "warning":
		return "avviso"
	case "info":
		return "informazione"
	}
	return s
}

// When formats the audit's date and time in UTC.
func When(t time.Time) string {
	return t.UTC().Format("02/01/2006 15:04:05") + " UTC"
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}

// Header is the text at the top of every page of a verbale.
func (d *Doc) Header() string {
	who := strings.TrimSpace(d.Foundation.Code + " " + d.Foundation.Name)
	if who == "" {
		who = "fondazione non indicata"
	}
	return fmt.Sprintf("Verbale di verifica · %s · file %s · SHA-256 %s", who, d.FileName, d.FileSHA256)
}

// Render writes the verbale of one audit as PDF.
func Render(d Doc) ([]byte, error) {
	w, err := newWriter("Verbale di verifica – auditor "+d.Version, d.Header(), d.When)
	if err != nil {
		return nil, err
	}
	w.color(colTitle)
	w.para("Verbale di verifica", 18, true, 0)
	w.color(colMuted)
	w.para("Verifica del file di monitoraggio dei percorsi ITS Academy e punteggio secondo le regole indicate sotto.", 9, false, 0)
	w.color(colText)
	w.gap(3)

	w.heading("Chi", 12)
	w.field("Fondazione", orDash(strings.TrimSpace(d.Foundation.Code+" – "+d.Foundation.Name)))
	w.field("Regione", orDash(d.Foundation.Region))
	w.field("Anno di monitoraggio", orDash(d.Foundation.Year))
	w.field("File verificato", orDash(d.FileName))
	w.field("SHA-256 del file", orDash(d.FileSHA256))
	w.gap(2)
	w.heading("Quando", 12)
	w.field("Data e ora della verifica", When(d.When))
	w.gap(2)
	w.heading("Come", 12)
	w.field("Prodotto", "auditor "+d.Version)
	for _, p := range d.Packs {
		w.field("Pacchetto di regole", fmt.Sprintf("%s versione %s – %s", p.ID, p.Version, p.Title))
		w.field("SHA-256 del pacchetto", p.SHA256)
	}
	w.field("Lettura del decreto", d.Reading.Value+" ("+d.Reading.ID+")")
	w.field("Errata e interpretazioni", "elencati in «Metodo», con le soglie usate e le loro fonti")
	w.gap(2)

	w.heading("Esito", 12)
	rows := [][]string{}
	for _, c := range d.Courses {
		cnt := map[string]int{}
		for _, f := range c.Findings {
			cnt[f.Severity]++
		}
		rows = append(rows, []string{c.Code, orDash(c.Title), NumPtr(c.Total, 2), orDash(c.Band),
			fmt.Sprint(cnt["error"]), fmt.Sprint(cnt["violation"]), fmt.Sprint(cnt["warning"])})
	}
	w.table([]column{{"Percorso", 28, false}, {"Titolo", 62, false}, {"Punteggio", 20, true}, {"Fascia", 25, false},
		{"Errori", 15, true}, {"Violazioni", 15, true}, {"Avvisi", 15, true}}, rows, 8.5)

	// The findings that matter: errors and violations, then warnings.
	var key []Finding
	for _, f := range d.Findings {
		if severityRank(f.Severity) <= 2 {
			key = append(key, f)
		}
	}
	for _, c := range d.Courses {
		for _, f := range c.Findings {
			if severityRank(f.Severity) <= 2 {
				if f.Course == "" {
					f.Course = c.Code
				}
				key = append(key, f)
			}
		}
	}
	sortFindings(key)
	w.heading("Rilievi principali (errori, violazioni di legge, avvisi)", 11)
	if len(key) == 0 {
		w.para("Nessun errore, violazione di legge o avviso.", 9, false, 0)
	} else {
		rows = rows[:0]
		for _, f := range key {
			rows = append(rows, []string{severityLabel(f.Severity), orDash(f.Course), orDash(f.Cell), f.Message})
		}
		w.table([]column{{"Gravità", 24, false}, {"Percorso", 24, false}, {"Cella", 26, false}, {"Rilievo", 106, false}}, rows, 8)
	}

	// Method: errata, interpretations, thresholds.
	w.newPage()
	w.heading("Metodo", 14)
	if d.Reading.Description != "" {
		w.field("Lettura", d.Reading.Value+": "+d.Reading.Description)
	}
	w.gap(1)
	w.heading("Errata applicati", 11)
	for _, e := range d.Errata {
		w.para(e.ID+" – "+e.Value, 9, true, 0)
		w.para(e.Description, 8.5, false, 4)
		w.gap(1)
	}
	w.heading("Interpretazioni", 11)
	for _, in := range d.Interpretations {
		w.para(in.ID+" – "+in.Value, 9, true, 0)
		w.para(in.Description, 8.5, false, 4)
		w.gap(1)
	}
	w.heading("Soglie usate e loro fonti", 11)
	rows = rows[:0]
	for _, t := range d.Thresholds {
		src := t.Source + "; " + t.Citation
		if t.Note != "" {
			src += ". " + t.Note
		}
		rows = append(rows, []string{t.Code, orDash(t.Label), Num(t.Value, -1), src})
	}
	w.table([]column{{"Codice", 34, false}, {"Soglia", 46, false}, {"Valore", 16, true}, {"Fonte", 84, false}}, rows, 7.5)

	for i := range d.Courses {
		renderCourse(w, &d.Courses[i])
	}
	if len(d.Findings) > 0 {
		w.newPage()
		w.heading("Rilievi sul file (non legati a un percorso)", 14)
		renderFindings(w, d.Findings)
	}
	return w.finish()
}

func renderCourse(w *writer, c *Course) {
	w.newPage()
	w.gp.AddOutline("Percorso " + c.Code)
	w.heading("Percorso "+c.Code, 14)
	if c.Title != "" {
		w.field("Titolo", c.Title)
	}
	w.field("Riga del foglio Percorsi", fmt.Sprint(c.Row))
	w.field("Area tecnologica", orDash(c.Area))
	w.field("Pacchetto di regole", orDash(c.Pack))
	w.field("Punteggio", NumPtr(c.Total, 2))
	band := orDash(c.Band)
	if c.BandLabel != "" {
		band += " – " + c.BandLabel + " (" + c.BandRule + "; " + c.BandCitation + ")"
	}
	w.field("Fascia", band)
	if c.Female != "" {
		w.field("Indicatore femminile", c.Female)
	}
	w.gap(2)
	if len(c.Indicators) > 0 {
		rows := [][]string{}
		for _, in := range c.Indicators {
			pts := NumPtr(in.Points, 3)
			if in.Zeroed {
				pts += " (azzerato)"
			}
			rows = append(rows, []string{fmt.Sprint(in.Number), in.Name, Num(in.Weight, -1), pts})
		}
		w.table([]column{{"Indicatore", 20, false}, {"Nome", 100, false}, {"Peso", 25, true}, {"Punti", 35, true}}, rows, 8.5)
	}
	if len(c.Articulations) > 0 {
		w.heading("Articolazioni", 11)
		rows := [][]string{}
		for _, a := range c.Articulations {
			rows = append(rows, []string{fmt.Sprint(a.Number), a.Name, NumPtr(a.R, 2), NumPtr(a.S, 2), NumPtr(a.P, 2), Num(a.Weight, -1), NumPtr(a.Points, 3)})
		}
		w.table([]column{{"N.", 10, false}, {"Articolazione", 80, false}, {"R", 18, true}, {"S", 18, true}, {"P", 18, true}, {"Peso", 14, true}, {"Punti", 22, true}}, rows, 8)
		w.heading("Calcolo di ogni articolazione", 11)
		for _, a := range c.Articulations {
			renderArticulation(w, &a)
		}
	}
	if len(c.Sensitivity) > 0 {
		w.heading("Sensibilità alle scelte di lettura del decreto", 11)
		w.para("Il totale del percorso con ciascuna alternativa, una alla volta, a parità di ogni altra scelta.", 8.5, false, 4)
		rows := [][]string{}
		for _, alt := range c.Sensitivity {
			var arts []string
			for _, ch := range alt.Changes {
				arts = append(arts, fmt.Sprintf("%s %s→%s", ch.Quantity, NumPtr(ch.This, 2), NumPtr(ch.Other, 2)))
			}
			rows = append(rows, []string{alt.Label, NumPtr(alt.Total, 2), NumPtr(alt.Delta, 2), orDash(alt.Band), orDash(strings.Join(arts, "; "))})
		}
		w.table([]column{{"Alternativa", 70, false}, {"Totale", 20, true}, {"Differenza", 22, true}, {"Fascia", 24, false}, {"Punteggi che cambiano", 44, false}}, rows, 8)
	}
	w.heading("Rilievi del percorso "+c.Code, 11)
	renderFindings(w, c.Findings)
}

func renderArticulation(w *writer, a *Articulation) {
	w.ensure(50)
	w.color(colTitle)
	title := fmt.Sprintf("Articolazione %d – %s (indicatore %d)", a.Number, a.Name, a.Indicator)
	w.para(title, 9.5, true, 0)
	w.color(colText)
	w.para(fmt.Sprintf("R = %s · S = %s · P = %s · peso %s · punti %s · ramo: %s",
		NumPtr(a.R, 2), NumPtr(a.S, 2), NumPtr(a.P, 2), Num(a.Weight, -1), NumPtr(a.Points, 3), orDash(a.Branch)), 8.5, true, 3)
	for _, s := range a.Steps {
		f := s.Formula
		if !strings.HasPrefix(f, s.Quantity+" ") {
			f = s.Quantity + ": " + f
		}
		w.para(f, 8.5, false, 3)
		w.para(s.Substituted, 8.5, false, 8)
		w.color(colMuted)
		w.para("Fonte: "+s.Citation, 8, false, 8)
		for _, n := range s.Notes {
			w.para("Nota: "+n, 8, false, 8)
		}
		w.color(colText)
	}
	if a.SSource != "" {
		w.para("Soglia S: "+a.SSource, 8.5, false, 3)
	}
	w.para("Celle: "+orDash(strings.Join(a.Cells, ", ")), 8.5, false, 3)
	w.gap(2)
}

func renderFindings(w *writer, fs []Finding) {
	if len(fs) == 0 {
		w.para("Nessun rilievo.", 9, false, 0)
		return
	}
	rows := [][]string{}
	for _, f := range fs {
		rows = append(rows, []string{severityLabel(f.Severity) + "\n" + f.Rule, orDash(f.Cell), orDash(f.Found), orDash(f.Expected), orDash(f.Source), f.Message})
	}
	w.table([]column{{"Gravità e regola", 28, false}, {"Cella", 22, false}, {"Valore trovato", 22, false}, {"Atteso", 30, false}, {"Fonte", 30, false}, {"Rilievo", 48, false}}, rows, 7.5)
}

// Header is the text at the top of every page of a batch verbale.
func (d *SummaryDoc) Header() string {
	return fmt.Sprintf("Riepilogo regionale · %d file · %d percorsi · verifica del %s", len(d.Inputs), len(d.Courses), When(d.When))
}

// RenderSummary writes the verbale of a batch (the regional summary).
func RenderSummary(d SummaryDoc) ([]byte, error) {
	w, err := newWriter("Riepilogo regionale – auditor "+d.Version, d.Header(), d.When)
	if err != nil {
		return nil, err
	}
	w.color(colTitle)
	w.para("Verbale di verifica – riepilogo regionale", 18, true, 0)
	w.color(colText)
	w.gap(3)
	w.heading("Quando e come", 12)
	w.field("Data e ora della verifica", When(d.When))
	w.field("Prodotto", "auditor "+d.Version)
	for _, p := range d.Packs {
		w.field("Pacchetto di regole", strings.TrimSpace(fmt.Sprintf("%s %s", p.ID, p.Version)))
		w.field("SHA-256 del pacchetto", p.SHA256)
	}
	w.field("Lettura del decreto", d.Reading.Value+" ("+d.Reading.ID+")")
	for _, in := range d.Interpretations {
		w.field("Interpretazione "+in.ID, in.Value)
	}
	w.gap(2)
	w.heading("File verificati", 12)
	rows := [][]string{}
	for _, in := range d.Inputs {
		rows = append(rows, []string{in.Name, in.Status, orDash(in.SHA256)})
	}
	w.table([]column{{"File", 60, false}, {"Stato", 20, false}, {"SHA-256", 100, false}}, rows, 7.5)
	if len(d.Excluded) > 0 {
		w.heading("File non verificati", 12)
		rows = rows[:0]
		for _, e := range d.Excluded {
			rows = append(rows, []string{e.Name, e.Reason})
		}
		w.table([]column{{"File", 60, false}, {"Motivo", 120, false}}, rows, 8)
	}
	w.heading("Regola dei tre anni", 12)
	if d.Rule != "" {
		w.para(d.Rule, 8.5, false, 0)
		w.gap(1)
	}
	rows = rows[:0]
	for _, v := range d.Verdicts {
		flag := "no"
		if v.Flagged {
			flag = "SÌ"
		}
		rows = append(rows, []string{strings.TrimSpace(v.Foundation + " " + v.Name), flag, v.Explanation})
	}
	w.table([]column{{"Fondazione", 45, false}, {"Segnalata", 18, false}, {"Motivazione", 117, false}}, rows, 8)
	w.heading("Fondazioni per anno", 12)
	rows = rows[:0]
	for _, f := range d.Foundations {
		rows = append(rows, []string{strings.TrimSpace(f.Code + " " + f.Name), f.Year, fmt.Sprint(f.Courses), fmt.Sprint(f.Scored),
			fmt.Sprint(f.Below), NumPtr(f.Mean, 2), NumPtr(f.Share, 1), fmt.Sprint(f.Errors), fmt.Sprint(f.Violations)})
	}
	w.table([]column{{"Fondazione", 50, false}, {"Anno", 14, false}, {"Percorsi", 16, true}, {"Con punteggio", 18, true}, {"Sotto soglia", 18, true},
		{"Media", 16, true}, {"% sotto", 16, true}, {"Errori", 16, true}, {"Violazioni", 16, true}}, rows, 7.5)
	w.heading("Percorsi", 12)
	rows = rows[:0]
	for _, c := range d.Courses {
		rows = append(rows, []string{c.Foundation, c.Year, c.Code, NumPtr(c.Total, 2), orDash(c.Band),
			fmt.Sprint(c.Errors), fmt.Sprint(c.Violations), fmt.Sprint(c.Warnings), c.Note})
	}
	w.table([]column{{"Fondazione", 38, false}, {"Anno", 12, false}, {"Percorso", 24, false}, {"Punteggio", 17, true}, {"Fascia", 20, false},
		{"Errori", 12, true}, {"Violaz.", 13, true}, {"Avvisi", 12, true}, {"Note", 32, false}}, rows, 7.5)
	for _, n := range d.Notes {
		w.para(n, 8, false, 0)
	}
	return w.finish()
}
