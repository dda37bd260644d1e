package compute

import "strings"

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
	RuleMissingValue:    {SeverityError, "Manca il valore di «{field}», necessario per {quantity}: inserirlo (0 se il dato è zero)."},
	RuleNotFinite:       {SeverityError, "Il valore di «{field}» non è un numero: inserire un numero."},
	RuleNegative:        {SeverityError, "Il valore di «{field}» è {value}: deve essere maggiore o uguale a 0."},
	RuleTooLarge:        {SeverityError, "Il valore di «{field}» è {value}: supera il limite di plausibilità {limit}; verificare il dato."},
	RuleZeroDenominator: {SeverityError, "«{field}» vale 0 ma è il denominatore di {quantity} ({formula}): il percorso non può ricevere punteggio. Inserire il valore corretto."},
	RuleZeroGraduates:   {SeverityWarning, "«{field}» vale 0: {quantity} è posto a 0 e il suo punteggio è 0 (nessun diplomato, nessuna occupazione; RULES.md I-6)."},
	RuleUnknownArea:     {SeverityError, "Area tecnologica «{value}» sconosciuta: usare uno dei nomi della Tab. 4 del DM 30/11/2023."},
	RuleOutOfDomain:     {SeverityError, "{quantity} = {value} è fuori dall'intervallo ammesso {domain}: verificare i dati da cui è calcolato ({fields})."},
	RuleThresholdRange:  {SeverityError, "La soglia di {quantity} vale {value}: {detail}"},
	RuleFemaleNotComp:   {SeverityInfo, "Indicatore studentesse non calcolabile: {detail}"},
}

// newProblem fills a rule's template with named arguments.
func newProblem(rule RuleID, field FieldCode, quantity string, value *float64, citation string, args map[string]string) Problem {
	def := catalogue[rule]
	pairs := []string{"{field}", string(field), "{quantity}", quantity}
	if value != nil {
		pairs = append(pairs, "{value}", num(*value))
	}
	for k, v := range args {
		pairs = append(pairs, "{"+k+"}", v)
	}
	msg := strings.NewReplacer(pairs...).Replace(def.template)
	return Problem{Rule: rule, Severity: def.severity, Field: field, Quantity: quantity, Value: value, Message: msg, Citation: citation}
}
