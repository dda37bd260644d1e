package validate

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/its-academy/auditor/compute"
)

// value is one cell parsed for its field's kind.
type value struct {
	Num      float64   // numeric kinds (counts, hours, rating, EQF, year)
	Text     string    // text kinds (trimmed)
	Date     time.Time // KindDate
	FromText bool      // a number typed as text
}

// parseState says what parsing a cell gave.
type parseState int

const (
	parsedBlank parseState = iota // nothing in the cell
	parsedOK
	parsedBad // the cell holds something unusable; see the issues
)

// issue is a problem found in one cell, before it gets its cell, field and
// message: the rule and the message arguments.
type issue struct {
	rule compute.RuleID
	args []string
}

// Excel's 1900 date system (the Windows default): serial 1 is 1/1/1900,
// serial 60 is the non-existent 29/2/1900 kept by Excel for compatibility
// with Lotus 1-2-3, so from serial 61 on a day is 30/12/1899 + serial.
var excelEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

// Dates accepted for a course: anything outside is a typing error.
var (
	minDate = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	maxDate = time.Date(2100, 12, 31, 0, 0, 0, 0, time.UTC)
	// Serials of minDate and maxDate: a number in this range in a date
	// field not formatted as a date is read as a date.
	minSerial = 36526.0
	maxSerial = 73415.0
)

// maxExact is the largest magnitude whose whole numbers float64 holds exactly.
const maxExact = 1 << 53

// ExcelSerialToDate converts a serial number of Excel's 1900 date system to
// its day (the fraction, a time of day, is dropped). Serial 45657 is
// 31/12/2024. ok is false for serials that are no day (below 1, 60, too
// large, not finite).
func ExcelSerialToDate(serial float64) (time.Time, bool) {
	if math.IsNaN(serial) || math.IsInf(serial, 0) || serial < 1 || serial >= 2958466 {
		return time.Time{}, false
	}
	d := math.Floor(serial)
	switch {
	case d == 60:
		return time.Time{}, false
	case d < 60:
		d++ // serials before the phantom 29/2/1900 are one day off the epoch
	}
	return excelEpoch.AddDate(0, 0, int(d)), true
}

// DateToExcelSerial is the inverse of ExcelSerialToDate for days from 1/3/1900.
func DateToExcelSerial(t time.Time) float64 {
	t = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return math.Round(t.Sub(excelEpoch).Hours() / 24)
}

// parseEntry reads a cell for a field of the given kind. It never guesses: a
// formula without a cached value, an error value, a text that is not a
// number or a date in a number or date field are issues.
func parseEntry(k Kind, e Entry) (value, parseState, []issue) {
	switch {
	case e.NoCache:
		return value{}, parsedBad, []issue{{RuleNoCache, []string{"formula", strings.TrimPrefix(e.Formula, "=")}}}
	case e.Type == EntryError:
		f := ""
		if e.Formula != "" {
			f = " (formula =" + strings.TrimPrefix(e.Formula, "=") + ")"
		}
		return value{}, parsedBad, []issue{{RuleCellError, []string{"found", strings.TrimSpace(e.Text), "formula", f}}}
	case e.Type == EntryEmpty, e.Type != EntryBool && strings.TrimSpace(e.Text) == "":
		return value{}, parsedBlank, nil
	}
	switch k {
	case KindText:
		return value{Text: strings.TrimSpace(e.Text)}, parsedOK, nil
	case KindCode, KindArea:
		if e.Type == EntryBool {
			return value{}, parsedBad, []issue{{RuleBool, []string{"found", boolText(e.Text), "expected", expectedByKind[k]}}}
		}
		return value{Text: strings.TrimSpace(e.Text)}, parsedOK, nil
	case KindDate:
		return parseDateEntry(e)
	case KindEQF:
		if e.Type == EntryText {
			switch strings.ToUpper(strings.TrimSpace(e.Text)) {
			case "V":
				return value{Num: 5, FromText: true}, parsedOK, nil
			case "VI":
				return value{Num: 6, FromText: true}, parsedOK, nil
			}
		}
	}
	v, st, iss := parseNumberEntry(k, e)
	if st != parsedOK {
		return v, st, iss
	}
	if k == KindCount || k == KindEQF || k == KindYear {
		if math.Abs(v.Num) >= maxExact {
			return value{}, parsedBad, append(iss, issue{RuleTooLarge, []string{"value", fmtNum(v.Num)}})
		}
		if v.Num != math.Trunc(v.Num) {
			return value{}, parsedBad, append(iss, issue{RuleNotInteger, []string{"value", fmtNum(v.Num)}})
		}
	}
	return v, st, iss
}

func boolText(s string) string {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "1", "TRUE", "VERO":
		return "VERO"
	case "0", "FALSE", "FALSO":
		return "FALSO"
	}
	return strings.TrimSpace(s)
}

// parseNumberEntry reads a number stored as a number or typed as text.
func parseNumberEntry(k Kind, e Entry) (value, parseState, []issue) {
	exp := expectedByKind[k]
	switch e.Type {
	case EntryBool:
		return value{}, parsedBad, []issue{{RuleBool, []string{"found", boolText(e.Text), "expected", exp}}}
	case EntryNumber:
		v, err := strconv.ParseFloat(strings.TrimSpace(e.Text), 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			// A stored number always parses; fall back to the text rules.
			break
		}
		return value{Num: v}, parsedOK, nil
	}
	n, err := ParseNumber(e.Text)
	if err != nil {
		rule := RuleNotNumber
		if err == errPercent {
			rule = RulePercent
		}
		return value{}, parsedBad, []issue{{rule, []string{"found", strings.TrimSpace(e.Text), "expected", exp, "example", exampleByKind[k]}}}
	}
	var iss []issue
	if n.Ambiguous {
		iss = append(iss, issue{RuleAmbiguousNumber, []string{"found", strings.TrimSpace(e.Text), "value", fmtNum(n.Value), "alternative", n.Alternative}})
	}
	return value{Num: n.Value, FromText: e.Type == EntryText}, parsedOK, iss
}

// Number is a number read from text.
type Number struct {
	Value float64
	// Ambiguous is set for a single dot followed by three digits
	// ("1.250"): read as a thousands separator (Italian usage), with
	// Alternative the decimal reading written with a comma ("1,25").
	Ambiguous   bool
	Alternative string
}

type parseError string

func (e parseError) Error() string { return string(e) }

const (
	errPercent   parseError = "percentuale"
	errNotNumber parseError = "non è un numero"
)

// ParseNumber reads a number typed as text in an Italian workbook: an
// optional sign, digits, an optional decimal comma ("35,5"), optional
// thousands dots ("1.234,5"), or a plain decimal point ("35.5"), with
// surrounding spaces. A dot followed by exactly three digits and no comma is
// a thousands separator ("1.250" = 1250, flagged Ambiguous). A trailing % is
// an error (percentages are not inputs).
func ParseNumber(s string) (Number, error) {
	s = strings.TrimFunc(s, func(r rune) bool {
		return r == ' ' || r == '\t' || r == '\u00a0' || r == '\n' || r == '\r' || r == '\u202f'
	})
	if strings.HasSuffix(s, "%") {
		return Number{}, errPercent
	}
	neg := false
	switch {
	case strings.HasPrefix(s, "-"), strings.HasPrefix(s, "+"):
		neg = s[0] == '-'
		s = s[1:]
	case strings.HasPrefix(s, "−"):
		neg = true
		s = strings.TrimPrefix(s, "−")
	}
	if s == "" {
		return Number{}, errNotNumber
	}
	for _, c := range s {
		if (c < '0' || c > '9') && c != '.' && c != ',' {
			return Number{}, errNotNumber
		}
	}
	var intPart, frac string
	var n Number
	switch commas, dots := strings.Count(s, ","), strings.Count(s, "."); {
	case commas > 1:
		return Number{}, errNotNumber
	case commas == 1:
		intPart, frac, _ = strings.Cut(s, ",")
		if strings.Contains(frac, ".") || frac == "" {
			return Number{}, errNotNumber
		}
		if dots > 0 && !thousandsGroups(intPart) {
			return Number{}, errNotNumber
		}
	case dots == 0:
		intPart = s
	case dots == 1:
		a, b, _ := strings.Cut(s, ".")
		if len(b) == 3 && len(a) >= 1 && len(a) <= 3 && a[0] != '0' {
			intPart = s
			n.Ambiguous = true
			n.Alternative = a + "," + b
			if neg {
				n.Alternative = "-" + n.Alternative
			}
		} else {
			intPart, frac = a, b
			if frac == "" {
				return Number{}, errNotNumber
			}
		}
	default:
		if !thousandsGroups(s) {
			return Number{}, errNotNumber
		}
		intPart = s
	}
	intPart = strings.ReplaceAll(intPart, ".", "")
	if intPart == "" {
		intPart = "0"
	}
	txt := intPart
	if frac != "" {
		txt += "." + frac
	}
	v, err := strconv.ParseFloat(txt, 64)
	if err != nil || math.IsInf(v, 0) {
		return Number{}, errNotNumber
	}
	if neg {
		v = -v
	}
	n.Value = v
	return n, nil
}

// thousandsGroups reports whether s is digits grouped by dots in threes:
// "1.234", "12.345.678".
func thousandsGroups(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts[0]) < 1 || len(parts[0]) > 3 {
		return false
	}
	for _, p := range parts[1:] {
		if len(p) != 3 {
			return false
		}
	}
	return true
}

// parseDateEntry reads a date: a number formatted as a date (an Excel
// serial), a plausible serial in a date field, or a text date.
func parseDateEntry(e Entry) (value, parseState, []issue) {
	found := strings.TrimSpace(e.Text)
	bad := []issue{{RuleNotDate, []string{"found", found}}}
	var t time.Time
	switch e.Type {
	case EntryBool:
		return value{}, parsedBad, []issue{{RuleBool, []string{"found", boolText(e.Text), "expected", expectedByKind[KindDate]}}}
	case EntryNumber:
		v, err := strconv.ParseFloat(found, 64)
		if err != nil {
			return value{}, parsedBad, bad
		}
		if !e.Date && (v < minSerial || v > maxSerial+1) {
			// A number such as 2024 in a date field: not a day.
			return value{}, parsedBad, bad
		}
		d, ok := ExcelSerialToDate(v)
		if !ok {
			return value{}, parsedBad, bad
		}
		t = d
	default:
		d, ok := ParseDate(found)
		if !ok {
			return value{}, parsedBad, bad
		}
		t = d
	}
	if t.Before(minDate) || t.After(maxDate) {
		return value{}, parsedBad, []issue{{RuleDateRange, []string{"found", found, "value", fmtDate(t)}}}
	}
	return value{Date: t, FromText: e.Type == EntryText}, parsedOK, nil
}

// ParseDate reads a day typed as text: gg/mm/aaaa or g/m/aaaa (also with
// '-' or '.' between the parts), or the ISO form aaaa-mm-gg. The year needs
// four digits: "31/12/24" is refused rather than guessed.
func ParseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	sep := ""
	for _, c := range []string{"/", "-", "."} {
		if strings.Count(s, c) == 2 {
			sep = c
			break
		}
	}
	if sep == "" {
		return time.Time{}, false
	}
	parts := strings.Split(s, sep)
	for _, p := range parts {
		if p == "" || len(p) > 4 {
			return time.Time{}, false
		}
		for _, c := range p {
			if c < '0' || c > '9' {
				return time.Time{}, false
			}
		}
	}
	var dd, mm, yy string
	switch {
	case len(parts[0]) == 4 && sep == "-" && len(parts[1]) <= 2 && len(parts[2]) <= 2:
		yy, mm, dd = parts[0], parts[1], parts[2]
	case len(parts[0]) <= 2 && len(parts[1]) <= 2 && len(parts[2]) == 4:
		dd, mm, yy = parts[0], parts[1], parts[2]
	default:
		return time.Time{}, false
	}
	d, _ := strconv.Atoi(dd)
	m, _ := strconv.Atoi(mm)
	y, _ := strconv.Atoi(yy)
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d || int(t.Month()) != m || t.Year() != y {
		return time.Time{}, false // 31/02, month 13…
	}
	return t, true
}
