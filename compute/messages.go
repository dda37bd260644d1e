package compute

import (
	"sort"
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

// Problem is something the scoring found in a course's data. It names the
// input field (the workbook layer maps it to a cell) and the quantity.
type Problem struct {
	Rule     RuleID    `json:"rule"`
	Severity Severity  `json:"severity"`
	Field    FieldCode `json:"field,omitempty"`
	Quantity string    `json:"quantity,omitempty"`
	Value    *float64  `json:"value,omitempty"`
	Message  string    `json:"message"`
	Citation string    `json:"citation,omitempty"`
	Shown    string    `json:"shown,omitempty"`    // the value as the message shows it
	Expected string    `json:"expected,omitempty"` // what the rule asks, for a legal constraint

	args []string // the template's arguments, for Text
}

// Text renders the problem's message with its input field named by label
// (the workbook's Italian label, say): «Domande di iscrizione alla
// selezione» (domande_iscrizione) instead of «domande_iscrizione». Message
// is the same text with the code alone.
func (p Problem) Text(label func(FieldCode) string) string {
	def, ok := catalogue[p.Rule]
	if !ok || p.Field == "" || label == nil {
		return p.Message
	}
	name := "«" + string(p.Field) + "»"
	if l := label(p.Field); l != "" {
		name = "«" + l + "» (" + string(p.Field) + ")"
	}
	return say(def.template, append(append([]string{}, p.args...), "field", name)...)
}

// The compute rules and their Italian message templates, in one place.
// Placeholders in braces are filled by name.
const (
	RuleMissingValue    RuleID = "CMP-VALORE-MANCANTE"
	RuleNotFinite       RuleID = "CMP-VALORE-NON-NUMERICO"
	RuleNegative        RuleID = "CMP-VALORE-NEGATIVO"
	RuleTooLarge        RuleID = "CMP-VALORE-FUORI-LIMITE"
	RuleZeroDenominator RuleID = "CMP-DENOMINATORE-ZERO"
	RuleZeroGraduates   RuleID = "CMP-DIPLOMATI-ZERO"
	RuleUnknownArea     RuleID = "CMP-AREA-SCONOSCIUTA"
	RuleOutOfDomain     RuleID = "CMP-RISULTATO-FUORI-DOMINIO"
	RuleThresholdRange  RuleID = "CMP-SOGLIA-NON-AMMESSA"
	RuleFemaleNotComp   RuleID = "CMP-STUDENTESSE-NON-CALCOLABILE"
)

type messageDef struct {
	severity Severity
	template string
}

var catalogue = map[RuleID]messageDef{
	RuleMissingValue:    {SeverityError, "Manca il valore di {field}, necessario per {quantity}: inserirlo (0 se il dato è zero)."},
	RuleNotFinite:       {SeverityError, "Il valore di {field} non è un numero: inserire un numero."},
	RuleNegative:        {SeverityError, "Il valore di {field} è {value}: deve essere maggiore o uguale a 0."},
	RuleTooLarge:        {SeverityError, "Il valore di {field} è {value}: supera il limite di plausibilità {limit}; verificare il dato."},
	RuleZeroDenominator: {SeverityError, "{field} vale 0 ma è il denominatore di {quantity} ({formula}): il percorso non può ricevere punteggio. Inserire il valore corretto."},
	RuleZeroGraduates:   {SeverityWarning, "{field} vale 0: {quantity} è posto a 0. {note}"},
	RuleUnknownArea:     {SeverityError, "Area tecnologica «{value}» sconosciuta: usare uno dei nomi della Tab. 4 del DM 30/11/2023."},
	RuleOutOfDomain:     {SeverityError, "{quantity} = {value} è fuori dall'intervallo ammesso {domain}: verificare i dati da cui è calcolato ({fields})."},
	RuleThresholdRange:  {SeverityError, "La soglia di {quantity} vale {value}: {detail}"},
	RuleFemaleNotComp:   {SeverityInfo, "Indicatore studentesse non calcolabile: {detail}"},
}

// Texts of errors, notes and reasons, in Italian, by id. Placeholders in
// braces are filled by name with say. Decree-specific wording belongs in the
// rule pack, not here.
const (
	txtReadingUnknown     = "lettura «{reading}» sconosciuta: usare una di {known}"
	txtErratumChoice      = "scelta di errata «{found}» non valida: scrivere per esempio E-2=printed (come stampata) o E-2=coherent (coerente)"
	txtErratumUnknown     = "errata «{id}» sconosciuta nel pacchetto {pack}: usare una di {known}"
	txtRNotFinite         = "funzione {function}: il risultato R non è un numero finito"
	txtROutOfDomain       = "funzione {function}: risultato R = {value} fuori dal dominio {domain}"
	txtSMissing           = "funzione {function}: manca la soglia S"
	txtSNotAllowed        = "funzione {function}: non ha una soglia S (le sue soglie sono fissate per legge o assenti)"
	txtSOutOfRange        = "funzione {function}: soglia S = {value} non ammessa (deve essere maggiore di {above} e minore di {below})"
	txtPNotFinite         = "ramo {branch}: il punteggio non è un numero finito"
	txtNoInterval         = "nessun intervallo della funzione comprende il risultato R = {value}"
	txtArticulationNone   = "articolazione {n} inesistente nel pacchetto {pack} (1–{count})"
	txtAreaThreshold      = "articolazione {n}: la soglia dipende dall'area tecnologica ({citation}): indicarla"
	txtChoiceUnknown      = "interpretazione {id}: scelta «{choice}» sconosciuta"
	txtThresholdUnknown   = "soglia «{code}» sconosciuta nel pacchetto {pack}"
	txtThresholdInvalid   = "soglia {code} = {value}: {detail}"
	txtNotFinite          = "non è un numero finito"
	txtBelowMin           = "è minore del minimo {min}"
	txtAboveMax           = "supera il massimo {max}"
	txtNotInteger         = "deve essere un numero intero"
	txtClamped            = "La formula dà {raw}, fuori dalla scala {min}–{max}: riportato a {score} ({citation})."
	txtZeroedSum          = "Interpretazione {interpretation}. Somma delle articolazioni senza azzeramento: {sum}."
	txtErratumNote        = "Errata {id} (forma coerente): stampato {printed}."
	txtFemaleMissing      = "mancano {codes}"
	txtFemaleZero         = "«{field}» vale 0, la percentuale non è definita"
	txtFemaleUndefined    = "risultato non definito"
	txtFemaleNoArea       = "area tecnologica sconosciuta"
	txtFemaleNoCase       = "nessun caso della parte B si applica a MediaArea = {value}"
	txtFemaleNoThreshold  = "soglia non calcolabile"
	txtFemaleRequires     = "la soglia S = {value} non soddisfa {rule} (MediaGenerale maggiore della MediaArea?)"
	txtFemaleThresholdVal = "S = {formula} = {value}"
	txtMoreProblems       = "{first} (e altri {count} problemi)"

	// Trace labels and generic explanations.
	txtLabelP             = "Punteggio dell'articolazione {n}"
	txtLabelPoints        = "Punti dell'articolazione {n}"
	txtLabelIndicator     = "Punti dell'indicatore {name}"
	txtLabelTotal         = "Punteggio del percorso"
	txtLabelPointsOf      = "Punti: {name}"
	txtAltErratum         = "errata {id} {form}"
	txtAltInterpretation  = "{id} ({topic}): {choice}"
	txtFormulaPoints      = "punti = peso × P / {max}"
	txtExplainPoints      = "Il punteggio P{n} pesato con il peso dell'articolazione ({weight} su {max})."
	txtFormulaIndicator   = "somma dei punti delle articolazioni {list}"
	txtExplainIndicator   = "Somma dei punti delle articolazioni dell'indicatore (massimo {weight})."
	txtFormulaTotal       = "T = somma dei punti dei {count} indicatori"
	txtFemaleMeanLabel    = "Indicatore studentesse – MediaArea di {area}"
	txtFemaleMeanNote     = "Non pubblicata nel decreto: va fornita per calcolare l'indicatore."
	txtAreaThresholdLabel = "{area} – {column}"
)

// say fills a text's placeholders; see Fill.
func say(text string, kv ...string) string { return Fill(text, kv...) }

// Fill fills a message template's {placeholders} from name, value pairs. A
// placeholder with no value is left as it is, so that tests can spot it.
// The validator's catalogue uses it too.
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

// newProblem fills a rule's template with named arguments.
func newProblem(rule RuleID, field FieldCode, quantity string, value *float64, citation string, args map[string]string) Problem {
	def := catalogue[rule]
	kv := []string{"quantity", quantity}
	if value != nil {
		kv = append(kv, "value", num(*value))
	}
	keys := make([]string, 0, len(args))
	for k := range args {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		kv = append(kv, k, args[k])
	}
	msg := say(def.template, append(kv, "field", "«"+string(field)+"»")...)
	return Problem{Rule: rule, Severity: def.severity, Field: field, Quantity: quantity, Value: value, Message: msg, Citation: citation, args: kv}
}
