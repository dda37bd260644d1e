package validate

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/its-academy/auditor/compute"
	"github.com/its-academy/auditor/findings"
)

// The rules of validate; their severities, Italian templates and sources
// are in the findings catalogue. Other tools and tests match on the rule
// ids; they never change meaning.
//
// Prefixes: VAL- one cell's value (type, format, per-field rule); DAT- the
// relations between the fields of a course (WORKBOOK.md, see crossRules);
// PKG- the choice of the rule pack (I-4, EQF level); SOG- the Soglie sheet.
// LEG- rules come from the rule pack's legal constraints and CMP- rules from
// compute: their texts live there.
const (
	RuleRequired        compute.RuleID = "VAL-OBBLIGATORIO"
	RuleNotNumber       compute.RuleID = "VAL-NON-NUMERO"
	RulePercent         compute.RuleID = "VAL-PERCENTUALE"
	RulePercentFormat   compute.RuleID = "VAL-FORMATO-PERCENTUALE"
	RuleAmbiguousNumber compute.RuleID = "VAL-NUMERO-AMBIGUO"
	RuleNotInteger      compute.RuleID = "VAL-NON-INTERO"
	RuleTooLarge        compute.RuleID = "VAL-NUMERO-NON-PLAUSIBILE"
	RuleNotDate         compute.RuleID = "VAL-DATA-NON-VALIDA"
	RuleDateRange       compute.RuleID = "VAL-DATA-NON-PLAUSIBILE"
	RuleNoCache         compute.RuleID = "VAL-FORMULA-SENZA-VALORE"
	RuleCellError       compute.RuleID = "VAL-ERRORE-CELLA"
	RuleBool            compute.RuleID = "VAL-VALORE-LOGICO"
	RuleMin             compute.RuleID = "VAL-MINIMO"
	RuleMax             compute.RuleID = "VAL-MASSIMO"
	RuleOneOf           compute.RuleID = "VAL-VALORE-NON-AMMESSO"
	RuleTag             compute.RuleID = "VAL-REGOLA"
	RuleDuplicateCode   compute.RuleID = "VAL-CODICE-DUPLICATO"
	RuleUnknownArea     compute.RuleID = "VAL-AREA-SCONOSCIUTA"
	RuleTemplateVersion compute.RuleID = "VAL-VERSIONE-MODELLO"

	RuleEQF6          compute.RuleID = "PKG-EQF-VI-SENZA-REGOLE"
	RuleCU2015        compute.RuleID = "PKG-CU-2015-NON-CALCOLABILE"
	RuleNoPack        compute.RuleID = "PKG-NESSUN-PACCHETTO"
	RuleForcedPack    compute.RuleID = "PKG-PACCHETTO-FORZATO"
	RuleForcedPackEQF compute.RuleID = "PKG-PACCHETTO-FORZATO-EQF"

	RuleThresholdUnknown   compute.RuleID = "SOG-CODICE-SCONOSCIUTO"
	RuleThresholdInvalid   compute.RuleID = "SOG-VALORE-NON-VALIDO"
	RuleThresholdPercent   compute.RuleID = "SOG-FORMATO-PERCENTUALE"
	RuleThresholdDuplicate compute.RuleID = "SOG-CODICE-DUPLICATO"
	RuleThresholdUsed      compute.RuleID = "SOG-VALORE-MODIFICATO"
	RuleFemaleThresholds   compute.RuleID = "SOG-STUDENTESSE-MEDIE-MANCANTI"
)

// Sources cited by validate's code (the catalogue's rules carry theirs).
const (
	srcSoglie = findings.SrcSoglie
)

// Texts of what a field expects, by kind, used in messages.
var expectedByKind = map[Kind]string{
	KindText:   "un testo",
	KindCode:   "un codice (testo)",
	KindArea:   "il nome di un'area tecnologica",
	KindEQF:    "5 o 6",
	KindDate:   "una data gg/mm/aaaa",
	KindCount:  "un numero intero di persone o imprese",
	KindHours:  "un numero di ore",
	KindRating: "un numero da 0 a 10",
	KindYear:   "un anno (per esempio 2025)",
	KindNumber: "un numero",
}

// Examples of a well-typed value, by kind, for the not-a-number message.
var exampleByKind = map[Kind]string{
	KindCount:  " (per esempio 35)",
	KindHours:  " (per esempio 1.200 o 35,5)",
	KindRating: " (per esempio 7,5)",
	KindYear:   "",
	KindEQF:    "",
	KindNumber: " (per esempio 51,6)",
}

// newFinding fills a rule's template. The message reads
// «<cell>: <text> Fonte: <source>.»; "source" among the arguments replaces
// the rule's default source, "severity" its severity, "extra" adds a
// sentence after the text, "found" and "expected" also fill the fields of
// the same name.
func newFinding(rule compute.RuleID, cell CellRef, kv ...string) Finding {
	def, ok := findings.Lookup(rule)
	if !ok { // a rule of the pack: the text is in the arguments
		def = findings.Def{Severity: compute.SeverityError, Template: "{detail}"}
	}
	f := Finding{Rule: rule, Severity: def.Severity, Cell: cell, Source: def.Source}
	args := append([]string{"cell", string(cell)}, kv...)
	extra := ""
	for i := 0; i+1 < len(args); i += 2 {
		switch args[i] {
		case "extra":
			extra = " " + args[i+1]
		case "source":
			if args[i+1] != "" {
				f.Source = args[i+1]
			}
		case "found":
			f.Found = args[i+1]
		case "expected":
			f.Expected = args[i+1]
		case "severity":
			f.Severity = compute.Severity(args[i+1])
		}
	}
	f.Message = composeMessage(cell, say(def.Template, args...)+extra, f.Source)
	return f
}

// composeMessage writes «cell: text Fonte: source.».
func composeMessage(cell CellRef, text, source string) string {
	var b strings.Builder
	if cell != "" {
		b.WriteString(string(cell))
		b.WriteString(": ")
	}
	b.WriteString(strings.TrimSpace(text))
	if source != "" {
		b.WriteString(" Fonte: ")
		b.WriteString(strings.TrimRight(source, ". "))
		b.WriteString(".")
	}
	return b.String()
}

// say fills a text's placeholders from name, value pairs (compute.Fill).
func say(text string, kv ...string) string { return compute.Fill(text, kv...) }

// fmtNum formats a number Italian style: thousands dot, decimal comma, up to
// six decimals, no trailing zeros ("1.250", "35,5").
func fmtNum(v float64) string { return fmtDigits(v, 6) }

// fmtPct formats a derived quantity (a percentage) with two decimals, or
// more when two would round it onto a whole number it is not (29,999 is not
// shown as 30: a legal minimum of 30 is at stake).
func fmtPct(v float64) string {
	r := math.Round(v*100) / 100
	if r == math.Trunc(r) && r != v {
		return fmtDigits(v, 6)
	}
	return fmtDigits(v, 2)
}

// fmtPlain formats a number without thousands separators (years, levels).
func fmtPlain(v float64) string {
	return strings.Replace(fmtDigits(v, 6), ".", "", -1)
}

func fmtDigits(v float64, decimals int) string {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return "non definito"
	case math.Abs(v) >= 1e15:
		return strings.Replace(strconv.FormatFloat(v, 'g', 6, 64), ".", ",", 1)
	}
	s := strconv.FormatFloat(math.Abs(v), 'f', decimals, 64)
	intPart, frac, _ := strings.Cut(s, ".")
	frac = strings.TrimRight(frac, "0")
	var b strings.Builder
	if v < 0 && (strings.Trim(intPart, "0") != "" || frac != "") {
		b.WriteByte('-')
	}
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(c)
	}
	if frac != "" {
		b.WriteByte(',')
		b.WriteString(frac)
	}
	return b.String()
}

// fmtDate formats a day as g/m/aaaa.
func fmtDate(t time.Time) string { return t.Format("2/1/2006") }

// shortCell returns the cell without its sheet: "Percorsi!L3" → "L3".
func shortCell(c CellRef) string {
	if i := strings.LastIndexByte(string(c), '!'); i >= 0 {
		return string(c)[i+1:]
	}
	return string(c)
}

// severityOf is a rule's severity in the findings catalogue.
func severityOf(id compute.RuleID) compute.Severity {
	d, _ := findings.Lookup(id)
	return d.Severity
}
