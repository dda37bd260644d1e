// Package findings is the one catalogue of the findings the product
// reports that are not the rule pack's (the pack's legal constraints carry
// their own texts, as rules): each rule's stable id, severity, Italian
// message template with named {placeholders} and default source, and the
// phrases that fill a template's arguments case by case. compute,
// validate and the workbook reader look their rules up here; other tools
// and tests match on the ids, which never change meaning.
//
// Prefixes: CMP- scoring (compute); VAL- one cell's value; DAT- relations
// between a course's fields; PKG- the choice of the rule pack; SOG- the
// Soglie sheet; STR- the workbook's structure, found while reading.
package findings

import (
	"maps"
	"slices"
	"strings"
)

// RuleID is the stable identifier of a finding's rule, such as
// "CMP-DENOMINATORE-ZERO". Other tools and tests match on it.
type RuleID string

// Severity of a problem or finding.
type Severity string

// Severities, from blocking to informative.
const (
	SeverityError     Severity = "error"     // blocks scoring the course
	SeverityViolation Severity = "violation" // legal breach, scored as the law says
	SeverityWarning   Severity = "warning"
	SeverityInfo      Severity = "info"
)

// Def is a rule of the catalogue: its severity, Italian template and the
// source cited by default ("" when the caller gives it, e.g. the field's).
type Def struct {
	Severity Severity
	Template string
	Source   string
}

// Sources cited by the catalogue's rules, shared with the code that cites
// them elsewhere.
const (
	SrcWorkbook   = "docs/modello.md (tracciato del foglio Percorsi)"
	SrcSoglie     = "docs/modello.md (foglio Soglie)"
	SrcDM2023Art2 = "DM 30/11/2023, art. 2; interpretazione I-4 (docs/regole.md)"
	SrcEQF6       = "DM 4/12/2023 (EQF VI): tabelle non pubblicate; docs/regole.md"
	SrcCU2015     = "DM 30/11/2023, art. 2; CU 17/12/2015, rep. 133/CU (funzioni dell'allegato del 5/8/2014 non disponibili); docs/regole.md §4"
	SrcFemale     = "DM 30/11/2023, All. tecnico, parte B"
	srcDAT        = "docs/modello.md; "
	srcRead       = "docs/modello.md"
	srcArt        = "DM 30/11/2023, All. tecnico, Tab. 2, articolazione "
	srcArts       = "DM 30/11/2023, All. tecnico, Tab. 2, articolazioni "
)

var catalogue = map[RuleID]Def{
	// compute: scoring.
	"CMP-VALORE-MANCANTE":             {SeverityError, "Manca il valore di {field}, necessario per {quantity}: inserirlo (0 se il dato è zero).", ""},
	"CMP-VALORE-NON-NUMERICO":         {SeverityError, "Il valore di {field} non è un numero: inserire un numero.", ""},
	"CMP-VALORE-NEGATIVO":             {SeverityError, "Il valore di {field} è {value}: deve essere maggiore o uguale a 0.", ""},
	"CMP-VALORE-FUORI-LIMITE":         {SeverityError, "Il valore di {field} è {value}: supera il limite di plausibilità {limit}; verificare il dato.", ""},
	"CMP-DENOMINATORE-ZERO":           {SeverityError, "{field} vale 0 ma è il denominatore di {quantity} ({formula}): il percorso non può ricevere punteggio. Inserire il valore corretto.", ""},
	"CMP-DIPLOMATI-ZERO":              {SeverityWarning, "{field} vale 0: {quantity} è posto a 0. {note}", ""},
	"CMP-AREA-SCONOSCIUTA":            {SeverityError, "Area tecnologica «{value}» sconosciuta: usare uno dei nomi della Tab. 4 del DM 30/11/2023.", ""},
	"CMP-RISULTATO-FUORI-DOMINIO":     {SeverityError, "{quantity} = {value} è fuori dall'intervallo ammesso {domain}: verificare i dati da cui è calcolato ({fields}).", ""},
	"CMP-SOGLIA-NON-AMMESSA":          {SeverityError, "La soglia di {quantity} vale {value}: {detail}", ""},
	"CMP-STUDENTESSE-NON-CALCOLABILE": {SeverityInfo, "Indicatore studentesse non calcolabile: {detail}", ""},

	// validate: values, pack choice, Soglie.
	"VAL-OBBLIGATORIO":               {SeverityError, "manca «{label}», dato obbligatorio. Inserire il valore (0 se il dato è zero).", ""},
	"VAL-NON-NUMERO":                 {SeverityError, "«{label}» contiene «{found}», che non è un numero. Inserire {expected}{example}.", ""},
	"VAL-PERCENTUALE":                {SeverityError, "«{label}» contiene «{found}»: in questo campo non si inseriscono percentuali. Inserire {expected}; le percentuali le calcola il programma.", ""},
	"VAL-FORMATO-PERCENTUALE":        {SeverityError, "«{label}» è in formato percentuale: Excel mostra {shown}% ma la cella contiene {found}, che è il valore letto. In questo campo non si inseriscono percentuali: scrivere il dato con il formato Numero ({shown} se è il valore inteso). Il valore non è stato usato.", ""},
	"VAL-NUMERO-AMBIGUO":             {SeverityWarning, "«{found}» è stato letto come {value} (il punto è inteso come separatore delle migliaia). Se si intendeva un numero con decimali, scriverlo con la virgola (per esempio {alternative}).", ""},
	"VAL-NON-INTERO":                 {SeverityError, "«{label}» vale {value}, ma deve essere un numero intero. Correggere il valore.", ""},
	"VAL-NUMERO-NON-PLAUSIBILE":      {SeverityError, "«{label}» vale {value}, un numero non plausibile. Verificare il dato.", ""},
	"VAL-DATA-NON-VALIDA":            {SeverityError, "«{label}» contiene «{found}», che non è una data. Inserire la data come gg/mm/aaaa (per esempio 31/12/2024) o come data di Excel.", ""},
	"VAL-DATA-NON-PLAUSIBILE":        {SeverityError, "«{label}» è il {value}, fuori dall'intervallo plausibile dal 1/1/2000 al 31/12/2100. Verificare la data.", ""},
	"VAL-FORMULA-SENZA-VALORE":       {SeverityError, "la formula in {cell} non ha un valore calcolato: aprire il file in Excel, ricalcolare e salvare (formula: ={formula}).", ""},
	"VAL-ERRORE-CELLA":               {SeverityError, "la cella contiene l'errore {found}{formula}: il valore di «{label}» non è disponibile. Correggere la formula o inserire il valore.", ""},
	"VAL-VALORE-LOGICO":              {SeverityError, "«{label}» contiene il valore logico {found}. Inserire {expected}.", ""},
	"VAL-MINIMO":                     {SeverityError, "«{label}» vale {value}; deve essere {expected}. Correggere il valore.", ""},
	"VAL-MASSIMO":                    {SeverityError, "«{label}» vale {value}; deve essere {expected}. Correggere il valore.", ""},
	"VAL-VALORE-NON-AMMESSO":         {SeverityError, "«{label}» vale {value}; valori ammessi: {expected}. Correggere il valore.", ""},
	"VAL-REGOLA":                     {SeverityError, "«{label}» vale {value} e non rispetta la regola {expected}. Correggere il valore.", ""},
	"VAL-CODICE-DUPLICATO":           {SeverityError, "il codice percorso «{found}» è già usato alla riga {first_row} ({first_cell}). Ogni percorso deve avere un codice diverso: correggere uno dei due. Il percorso non riceve punteggio finché il codice è duplicato.", SrcWorkbook},
	"VAL-AREA-SCONOSCIUTA":           {SeverityError, "area tecnologica «{found}» sconosciuta{suggestion}. Scegliere dall'elenco uno dei {count} nomi della Tab. 4.", "DM 30/11/2023, All. tecnico, Tab. 4"},
	"VAL-VERSIONE-MODELLO":           {SeverityError, "versione del modello «{found}»: questo programma legge la versione «{expected}». Ricopiare i dati nel modello ufficiale aggiornato (auditor template).", SrcWorkbook},
	"PKG-EQF-VI-SENZA-REGOLE":        {SeverityError, "livello EQF 6: nessun pacchetto di regole per l'EQF VI (DM 4/12/2023: tabelle non pubblicate). Il percorso non riceve punteggio: le regole dell'EQF V non si applicano ai percorsi di VI livello. Se il livello è errato, correggerlo.", SrcEQF6},
	"PKG-CU-2015-NON-CALCOLABILE":    {SeverityError, "percorso terminato il {value}, prima del {from}: il DM 30/11/2023 non si applica e vale il sistema della CU 17/12/2015, per il quale non si può calcolare un punteggio (le funzioni di trasformazione dell'allegato del 5/8/2014 non sono disponibili). Il percorso non riceve punteggio. Se la data è errata, correggerla; se è giusta, il percorso va valutato con il sistema CU 2015 (soglie a semaforo).", SrcCU2015},
	"PKG-NESSUN-PACCHETTO":           {SeverityError, "nessun pacchetto di regole caricato per un percorso di livello EQF {eqf}{ended}. Il percorso non riceve punteggio. Verificare livello EQF e data di fine.", SrcDM2023Art2},
	"PKG-PACCHETTO-FORZATO":          {SeverityWarning, "percorso terminato il {value}: secondo l'interpretazione I-4 il pacchetto {pack} non si applica ({reason}), ma è stato imposto per questa esecuzione e il punteggio è calcolato con esso, non con il sistema che si applica per legge.", SrcDM2023Art2},
	"PKG-PACCHETTO-FORZATO-EQF":      {SeverityError, "il pacchetto imposto per questa esecuzione ({pack}) è per l'EQF {pack_eqf}, il percorso è di livello EQF {eqf}: il percorso non riceve punteggio.", SrcDM2023Art2},
	"SOG-CODICE-SCONOSCIUTO":         {SeverityWarning, "codice soglia «{found}» sconosciuto: la riga è ignorata. Usare i codici del modello ufficiale (S1…S13, occupati_<area>, tasso_<area>, …).", SrcSoglie},
	"SOG-VALORE-NON-VALIDO":          {SeverityError, "{detail}. {fallback}", SrcSoglie},
	"SOG-FORMATO-PERCENTUALE":        {SeverityError, "«{label}» è in formato percentuale: Excel mostra {shown}% ma la cella contiene {found}, e le formule leggerebbero {found}. Scrivere {shown} con il formato Numero (le soglie sono già percentuali). {fallback}", SrcSoglie},
	"SOG-CODICE-DUPLICATO":           {SeverityError, "il codice soglia «{found}» compare già alla riga {first_row} ({first_cell}): vale la prima riga, questa è ignorata. Cancellare una delle due.", SrcSoglie},
	"SOG-VALORE-MODIFICATO":          {SeverityViolation, "«{label}» vale {found} nel foglio Soglie; {applied}.", SrcSoglie},
	"SOG-STUDENTESSE-MEDIE-MANCANTI": {SeverityInfo, "indicatore studentesse non calcolabile per {courses}: mancano {codes} (il decreto non pubblica le medie). Le fornisce l'auditor con --thresholds.", SrcFemale},

	// The workbook's structure, found while reading (xlsxio).
	"STR-COLONNA-MANCANTE":  {SeverityError, "Manca la colonna «{label}» (codice {code}) nella riga {row} dei codici del foglio {sheet}: aggiungerla o ripristinarla dal modello ufficiale; i valori di quel campo non possono essere letti.", srcRead},
	"STR-COLONNA-DUPLICATA": {SeverityWarning, "Il codice {code} («{label}») compare due volte nella riga {row} del foglio {sheet}: si usa la colonna {used}, la colonna {ignored} è ignorata; eliminare la colonna in più.", srcRead},
	"STR-VOCE-DUPLICATA":    {SeverityWarning, "{cell}: la voce {code} («{label}») compare già alla riga {first} ({first_cell}): vale la riga {first}, questa è ignorata; eliminare la riga in più.", srcRead},
	"STR-DATE-1904":         {SeverityInfo, "Il file usa il sistema di date 1904 (Excel per Mac): le date sono state convertite al sistema 1900 per il controllo.", srcRead},
	"STR-RIGA-NASCOSTA":     {SeverityInfo, "{cell}: la riga {row} del foglio {sheet} è nascosta: il percorso che contiene è verificato e conta come gli altri; mostrarla in Excel per controllarne i dati.", srcRead},

	// validate: relations between the fields of a course.
	"DAT-PARTECIPANTI-GT-DOMANDE":           {SeverityError, "soggetti che hanno sostenuto la selezione {partecipanti_selezione} più delle domande di iscrizione {domande_iscrizione} ({domande_iscrizione.cella}). Chi sostiene la prova ha presentato domanda: correggere uno dei due valori.", srcDAT + srcArts + "1 e 2"},
	"DAT-FUORI-REGIONE-GT-ISCRITTI":         {SeverityError, "iscritti residenti fuori regione {iscritti_fuori_regione} più degli iscritti all'avvio {iscritti} ({iscritti.cella}). Correggere uno dei due valori.", srcDAT + srcArt + "4"},
	"DAT-ISCRITTE-GT-ISCRITTI":              {SeverityError, "studentesse iscritte {iscritte} più degli iscritti all'avvio {iscritti} ({iscritti.cella}). Correggere uno dei due valori.", srcDAT + "DM 30/11/2023, All. tecnico, parte B"},
	"DAT-STAGE-GT-TOTALE":                   {SeverityError, "ore di stage {ore_stage} maggiori delle ore totali {ore_totali} ({ore_totali.cella}). Correggere uno dei due valori.", srcDAT + srcArt + "5"},
	"DAT-ORE-FUORI-ESTERO-GT-ATTIVITA":      {SeverityError, "ore fuori regione {ore_fuori_regione} ({ore_fuori_regione.cella}) più ore all'estero {ore_estero} fanno {somma}, più delle ore totali di stage e altre attività {ore_attivita_totali} ({ore_attivita_totali.cella}). Le une e le altre sono parte del totale: correggere i valori.", srcDAT + srcArt + "6"},
	"DAT-DOCENTI-MONDO-GT-TOTALE":           {SeverityError, "ore dei docenti dal mondo del lavoro {ore_docenti_mondo_lavoro} maggiori delle ore totali di docenza {ore_docenti_totali} ({ore_docenti_totali.cella}). Correggere uno dei due valori.", srcDAT + srcArt + "7"},
	"DAT-LABORATORI-GT-TEORIA":              {SeverityError, "ore in laboratori {ore_laboratori} maggiori delle ore totali di teoria {ore_teoria} ({ore_teoria.cella}). Correggere uno dei due valori.", srcDAT + srcArt + "8"},
	"DAT-DIGITALI-GT-ITS":                   {SeverityError, "ore per competenze digitali nei laboratori ITS {ore_lab_digitali_its} maggiori delle ore svolte presso l'ITS Academy {ore_its} ({ore_its.cella}). Correggere uno dei due valori.", srcDAT + srcArt + "9"},
	"DAT-IMPRESE-PROGETTAZIONE-GT-TOTALE":   {SeverityError, "imprese che hanno contribuito alla progettazione {imprese_progettazione} più delle imprese coinvolte {imprese_totali} ({imprese_totali.cella}). Correggere uno dei due valori.", srcDAT + srcArt + "10"},
	"DAT-APPRENDISTATO-GT-ISCRITTI":         {SeverityError, "iscritti con apprendistato di III livello {iscritti_apprendistato} più degli iscritti all'avvio {iscritti} ({iscritti.cella}). Correggere uno dei due valori.", srcDAT + srcArt + "11"},
	"DAT-DIPLOMATE-GT-DIPLOMATI":            {SeverityError, "studentesse diplomate {diplomate} più dei diplomati {diplomati} ({diplomati.cella}). Correggere uno dei due valori.", srcDAT + "DM 30/11/2023, All. tecnico, parte B"},
	"DAT-DIPLOMATI-CERTIFICATI-GT-ISCRITTI": {SeverityError, "diplomati {diplomati} ({diplomati.cella}) più certificati {certificati} fanno {somma}, più degli iscritti all'avvio {iscritti} ({iscritti.cella}). Correggere i valori.", srcDAT + srcArt + "13"},
	"DAT-OCCUPATI-GT-DIPLOMATI":             {SeverityError, "occupati coerenti {occupati_coerenti} ({occupati_coerenti.cella}), occupati non coerenti {occupati_non_coerenti} ({occupati_non_coerenti.cella}) e iscritti all'università {iscritti_universita} fanno {somma}, più dei diplomati {diplomati} ({diplomati.cella}). Si contano solo i diplomati: correggere i valori.", srcDAT + srcArt + "14"},
	"DAT-SODDISFAZIONE-RANGE":               {SeverityError, "soddisfazione media {soddisfazione} fuori dalla scala da 0 a 10 del questionario INDIRE. Inserire la media delle valutazioni (da 0 a 10).", srcDAT + srcArt + "16"},
}

// Phrase names a part of a finding's message that depends on the case: the
// code picks the phrase, fills its own {placeholders} (Say) and passes it
// to the rule's template as one of its arguments. Each phrase says which
// rule and which argument it is for.
type Phrase string

// The catalogue's phrases.
const (
	// SOG-VALORE-MODIFICATO: {applied}, what is in force instead of the
	// sheet's value, with {value} and {source}; or that nothing is.
	PhraseInForce    Phrase = "in-force"
	PhraseNotInForce Phrase = "not-in-force"
	// SOG-VALORE-MODIFICATO: {expected} when nothing is in force.
	PhraseNoValue Phrase = "no-value"
	// SOG-VALORE-MODIFICATO: the {source} of PhraseInForce when the value
	// in force is the auditor's.
	PhraseSourceAuditor Phrase = "source-auditor"
	// SOG-VALORE-MODIFICATO: {extra}, the sheet's value ignored; or, in a
	// what-if run (the finding then a warning), applied.
	PhraseSheetIgnored  Phrase = "sheet-ignored"
	PhraseWhatIfApplied Phrase = "what-if-applied"
	// SOG-VALORE-NON-VALIDO, SOG-FORMATO-PERCENTUALE: {fallback}, the
	// default that applies instead ({default}, {citation}), or none.
	PhraseFallbackDefault Phrase = "fallback-default"
	PhraseFallbackNone    Phrase = "fallback-none"
	// VAL-OBBLIGATORIO for a missing row of the Fondazione sheet: the
	// whole text ({sheet}, {code}, {label}).
	PhraseRequiredRow Phrase = "required-row"
	// VAL- rules on a descriptive field: {extra} (the finding then a
	// warning).
	PhraseOptionalText Phrase = "optional-text"
	// PKG-PACCHETTO-FORZATO: {reason}, why the forced pack does not cover
	// the course's end date ({date}).
	PhrasePackFrom  Phrase = "pack-from"
	PhrasePackTo    Phrase = "pack-to"
	PhrasePackOther Phrase = "pack-other"
	// PKG-NESSUN-PACCHETTO: {ended}, the course's end date ({date}).
	PhraseEndedOn Phrase = "ended-on"
)

var phrases = map[Phrase]string{
	PhraseInForce:         "il valore in vigore è {value} ({source})",
	PhraseNotInForce:      "il decreto non lo fissa e l'auditor non l'ha fornito",
	PhraseNoValue:         "nessun valore (cella vuota)",
	PhraseSourceAuditor:   "soglie fornite dall'auditor per questa verifica",
	PhraseSheetIgnored:    "Il valore del foglio è ignorato: le soglie le fissano il decreto e l'auditor, non il file verificato. Ripristinare il valore in vigore.",
	PhraseWhatIfApplied:   "Simulazione (--workbook-thresholds): il valore del foglio è applicato e il risultato non vale come verifica.",
	PhraseFallbackDefault: "Il valore non è stato usato: per questa esecuzione vale il predefinito {default} ({citation}). Correggerlo.",
	PhraseFallbackNone:    "Il valore non è stato usato (il decreto non lo fissa): correggerlo o cancellarlo.",
	PhraseRequiredRow:     "nel foglio {sheet} manca la riga con codice «{code}» ({label}), dato obbligatorio. Aggiungere il codice nella colonna A e il valore nella colonna C.",
	PhraseOptionalText:    "Il campo è solo descrittivo: il punteggio non ne dipende.",
	PhrasePackFrom:        "si applica ai percorsi terminati dal {date}",
	PhrasePackTo:          "si applica ai percorsi terminati fino al {date}",
	PhrasePackOther:       "non copre la data",
	PhraseEndedOn:         " terminato il {date}",
}

// Say fills a phrase's placeholders from name, value pairs (as Fill).
func Say(p Phrase, kv ...string) string { return Fill(phrases[p], kv...) }

// Phrases lists the catalogue's phrases, sorted.
func Phrases() []Phrase {
	return slices.Sorted(maps.Keys(phrases))
}

// Lookup returns a rule's definition.
func Lookup(id RuleID) (Def, bool) {
	d, ok := catalogue[id]
	return d, ok
}

// IDs lists the catalogue's rules, sorted.
func IDs() []RuleID {
	return slices.Sorted(maps.Keys(catalogue))
}

// Fill fills a message template's {placeholders} from name, value pairs. A
// placeholder with no value is left as it is, so that tests can spot it.
func Fill(text string, kv ...string) string {
	if strings.IndexByte(text, '{') < 0 {
		return text
	}
	var b strings.Builder
	b.Grow(len(text) + 32)
	for {
		i := strings.IndexByte(text, '{')
		if i < 0 {
			b.WriteString(text)
			return b.String()
		}
		j := strings.IndexByte(text[i:], '}')
		if j < 0 {
			b.WriteString(text)
			return b.String()
		}
		b.WriteString(text[:i])
		name, found := text[i+1:i+j], false
		for k := 0; k+1 < len(kv); k += 2 {
			if kv[k] == name {
				b.WriteString(kv[k+1])
				found = true
				break
			}
		}
		if !found {
			b.WriteString(text[i : i+j+1])
		}
		text = text[i+j+1:]
	}
}
