package compute

import (
	"maps"
	"slices"

	"github.com/its-academy/auditor/findings"
)

// RuleID is the stable identifier of a finding's rule; the catalogue of
// rules is package findings.
type RuleID = findings.RuleID

// Severity of a problem or finding.
type Severity = findings.Severity

// Severities, from blocking to informative.
const (
	SeverityError     = findings.SeverityError     // blocks scoring the course
	SeverityViolation = findings.SeverityViolation // legal breach, scored as the law says
	SeverityWarning   = findings.SeverityWarning
	SeverityInfo      = findings.SeverityInfo
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
	def, ok := findings.Lookup(p.Rule)
	if !ok || p.Field == "" || label == nil {
		return p.Message
	}
	name := "«" + string(p.Field) + "»"
	if l := label(p.Field); l != "" {
		name = "«" + l + "» (" + string(p.Field) + ")"
	}
	return say(def.Template, append(append([]string{}, p.args...), "field", name)...)
}

// The compute rules; their severities and Italian templates are in the
// findings catalogue.
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

// Fill fills a message template's {placeholders} from name, value pairs
// (findings.Fill).
func Fill(text string, kv ...string) string { return findings.Fill(text, kv...) }

// newProblem fills a rule's template with named arguments.
func newProblem(rule RuleID, field FieldCode, quantity string, value *float64, citation string, args map[string]string) Problem {
	def, _ := findings.Lookup(rule)
	kv := []string{"quantity", quantity}
	if value != nil {
		kv = append(kv, "value", num(*value))
	}
	keys := slices.Sorted(maps.Keys(args))
	for _, k := range keys {
		kv = append(kv, k, args[k])
	}
	msg := say(def.Template, append(kv, "field", "«"+string(field)+"»")...)
	return Problem{Rule: rule, Severity: def.Severity, Field: field, Quantity: quantity, Value: value, Message: msg, Citation: citation, args: kv}
}
