package validate

import (
	"math"
	"testing"
	"time"
)

func TestParseNumber(t *testing.T) {
	tests := []struct {
		in        string
		want      float64
		ambiguous bool
		err       error
	}{
		{in: "35", want: 35},
		{in: "35,5", want: 35.5},
		{in: "1.234,5", want: 1234.5},
		{in: "12.345.678", want: 12345678},
		{in: "12.345.678,25", want: 12345678.25},
		{in: "35.5", want: 35.5},
		{in: "35.50", want: 35.5},
		{in: "  35,5  ", want: 35.5},
		{in: "\u00a035\u00a0", want: 35},
		{in: "-3", want: -3},
		{in: "+3", want: 3},
		{in: "−3,5", want: -3.5},
		{in: ",5", want: 0.5},
		{in: ".5", want: 0.5},
		{in: "0.250", want: 0.25},
		{in: "1.250", want: 1250, ambiguous: true},
		{in: "1.000", want: 1000, ambiguous: true},
		{in: "1234.567", want: 1234.567},
		{in: "35%", err: errPercent},
		{in: "35 %", err: errPercent},
		{in: "35,5%", err: errPercent},
		{in: "", err: errNotNumber},
		{in: "-", err: errNotNumber},
		{in: "abc", err: errNotNumber},
		{in: "n.d.", err: errNotNumber},
		{in: "1,2,3", err: errNotNumber},
		{in: "1.23.4", err: errNotNumber},
		{in: "1.2345,6", err: errNotNumber},
		{in: "1,5.3", err: errNotNumber},
		{in: "35,", err: errNotNumber},
		{in: "35.", err: errNotNumber},
		{in: "1e5", err: errNotNumber},
		{in: "NaN", err: errNotNumber},
		{in: "Inf", err: errNotNumber},
		{in: "1 234", err: errNotNumber},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			n, err := ParseNumber(tt.in)
			if err != tt.err {
				t.Fatalf("ParseNumber(%q) error = %v, want %v", tt.in, err, tt.err)
			}
			if err != nil {
				return
			}
			if n.Value != tt.want || n.Ambiguous != tt.ambiguous {
				t.Errorf("ParseNumber(%q) = %v (ambiguous %v), want %v (ambiguous %v)", tt.in, n.Value, n.Ambiguous, tt.want, tt.ambiguous)
			}
		})
	}
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestExcelSerial(t *testing.T) {
	tests := []struct {
		serial float64
		want   time.Time
		ok     bool
	}{
		{45657, day(2024, 12, 31), true},
		{45292, day(2024, 1, 1), true},
		{45291, day(2023, 12, 31), true},
		{45657.75, day(2024, 12, 31), true}, // a time of day is dropped
		{1, day(1900, 1, 1), true},
		{59, day(1900, 2, 28), true},
		{60, time.Time{}, false}, // Excel's phantom 29/2/1900
		{61, day(1900, 3, 1), true},
		{0, time.Time{}, false},
		{-5, time.Time{}, false},
		{3e6, time.Time{}, false},
	}
	for _, tt := range tests {
		got, ok := ExcelSerialToDate(tt.serial)
		if ok != tt.ok || !got.Equal(tt.want) {
			t.Errorf("ExcelSerialToDate(%v) = %v, %v; want %v, %v", tt.serial, got, ok, tt.want, tt.ok)
		}
		if tt.ok && tt.serial >= 61 && DateToExcelSerial(got) != float64(int(tt.serial)) {
			t.Errorf("DateToExcelSerial(%v) = %v, want %v", got, DateToExcelSerial(got), int(tt.serial))
		}
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"31/12/2024", day(2024, 12, 31), true},
		{"1/1/2024", day(2024, 1, 1), true},
		{"01/01/2024", day(2024, 1, 1), true},
		{" 5/7/2024 ", day(2024, 7, 5), true},
		{"31-12-2024", day(2024, 12, 31), true},
		{"31.12.2024", day(2024, 12, 31), true},
		{"2024-12-31", day(2024, 12, 31), true},
		{"29/02/2024", day(2024, 2, 29), true},
		{"29/02/2023", time.Time{}, false},
		{"31/02/2024", time.Time{}, false},
		{"12/13/2024", time.Time{}, false}, // no month 13: gg/mm, not mm/gg
		{"31/12/24", time.Time{}, false},   // two-digit year: refused, not guessed
		{"2024/12/31", time.Time{}, false},
		{"31 dicembre 2024", time.Time{}, false},
		{"", time.Time{}, false},
		{"//", time.Time{}, false},
	}
	for _, tt := range tests {
		got, ok := ParseDate(tt.in)
		if ok != tt.ok || !got.Equal(tt.want) {
			t.Errorf("ParseDate(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestParseEntry(t *testing.T) {
	tests := []struct {
		name     string
		kind     Kind
		entry    Entry
		state    parseState
		num      float64
		date     time.Time
		fromText bool
		rule     string // the first issue's rule, if any
	}{
		{"number", KindHours, num("35.5"), parsedOK, 35.5, time.Time{}, false, ""},
		{"text decimal comma", KindHours, text("35,5"), parsedOK, 35.5, time.Time{}, true, ""},
		{"text thousands", KindHours, text("1.234,5"), parsedOK, 1234.5, time.Time{}, true, ""},
		{"text point", KindHours, text(" 35.5 "), parsedOK, 35.5, time.Time{}, true, ""},
		{"ambiguous warns", KindHours, text("1.250"), parsedOK, 1250, time.Time{}, true, string(RuleAmbiguousNumber)},
		{"percent", KindHours, text("35%"), parsedBad, 0, time.Time{}, false, string(RulePercent)},
		{"not a number", KindCount, text("venti"), parsedBad, 0, time.Time{}, false, string(RuleNotNumber)},
		{"fraction of people", KindCount, text("35,5"), parsedBad, 0, time.Time{}, false, string(RuleNotInteger)},
		{"fraction stored", KindCount, num("35.5"), parsedBad, 0, time.Time{}, false, string(RuleNotInteger)},
		{"whole count", KindCount, num("35"), parsedOK, 35, time.Time{}, false, ""},
		{"huge count", KindCount, num("1e300"), parsedBad, 0, time.Time{}, false, string(RuleTooLarge)},
		{"bool", KindCount, Entry{Type: EntryBool, Text: "1"}, parsedBad, 0, time.Time{}, false, string(RuleBool)},
		{"error value", KindCount, Entry{Type: EntryError, Text: "#DIV/0!", Formula: "A1/0"}, parsedBad, 0, time.Time{}, false, string(RuleCellError)},
		{"no cache", KindCount, Entry{Type: EntryNumber, Formula: "SUM(A1:A3)", NoCache: true}, parsedBad, 0, time.Time{}, false, string(RuleNoCache)},
		{"no cache empty", KindText, Entry{Formula: "A1", NoCache: true}, parsedBad, 0, time.Time{}, false, string(RuleNoCache)},
		{"blank", KindCount, Entry{}, parsedBlank, 0, time.Time{}, false, ""},
		{"spaces", KindCount, text("   "), parsedBlank, 0, time.Time{}, false, ""},
		{"EQF roman", KindEQF, text("VI"), parsedOK, 6, time.Time{}, true, ""},
		{"EQF text", KindEQF, text("5"), parsedOK, 5, time.Time{}, true, ""},
		{"date serial", KindDate, Entry{Type: EntryNumber, Text: "45657", Date: true}, parsedOK, 0, day(2024, 12, 31), false, ""},
		{"plausible serial", KindDate, num("45657"), parsedOK, 0, day(2024, 12, 31), false, ""},
		{"year is no date", KindDate, num("2024"), parsedBad, 0, time.Time{}, false, string(RuleNotDate)},
		{"old serial", KindDate, Entry{Type: EntryNumber, Text: "1000", Date: true}, parsedBad, 0, time.Time{}, false, string(RuleDateRange)},
		{"text date", KindDate, text("31/12/2024"), parsedOK, 0, day(2024, 12, 31), true, ""},
		{"short text date", KindDate, text("1/1/2024"), parsedOK, 0, day(2024, 1, 1), true, ""},
		{"bad text date", KindDate, text("31/12/24"), parsedBad, 0, time.Time{}, false, string(RuleNotDate)},
		{"code number", KindCode, num("101"), parsedOK, 0, time.Time{}, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, st, iss := parseEntry(tt.kind, tt.entry)
			if st != tt.state {
				t.Fatalf("state = %v, want %v (issues %v)", st, tt.state, iss)
			}
			if tt.rule != "" && (len(iss) == 0 || string(iss[0].rule) != tt.rule) {
				t.Fatalf("issues = %v, want %s first", iss, tt.rule)
			}
			if tt.rule == "" && len(iss) > 0 {
				t.Fatalf("unexpected issues %v", iss)
			}
			if st != parsedOK {
				return
			}
			if v.Num != tt.num || !v.Date.Equal(tt.date) || v.FromText != tt.fromText {
				t.Errorf("value = %+v, want num %v date %v fromText %v", v, tt.num, tt.date, tt.fromText)
			}
		})
	}
}

func TestFormatNumbers(t *testing.T) {
	tests := []struct {
		got, want string
	}{
		{fmtNum(1250), "1.250"},
		{fmtNum(1000), "1.000"},
		{fmtNum(35.5), "35,5"},
		{fmtNum(0), "0"},
		{fmtNum(math.Copysign(0, -1)), "0"},
		{fmtNum(999), "999"},
		{fmtNum(-1234567.25), "-1.234.567,25"},
		{fmtNum(0.1 + 0.2), "0,3"},
		{fmtNum(1e20), "1e+20"},
		{fmtPct(28.571428571), "28,57"},
		{fmtPct(25), "25"},
		{fmtPct(29.99999), "29,99999"}, // not shown as 30: the legal minimum is 30
		{fmtPlain(2025), "2025"},
		{fmtDate(day(2024, 1, 5)), "5/1/2024"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

// Every field's validator tag suits the value its kind parses to: no tag is
// reported as not applicable (which would mean validator panicked on it).
func TestFieldTagsSuitTheirKinds(t *testing.T) {
	sample := map[Kind]value{
		KindText: {Text: "x"}, KindCode: {Text: "X1"}, KindArea: {Text: "Sistema moda"},
		KindEQF: {Num: 5}, KindDate: {Date: day(2024, 12, 31)}, KindCount: {Num: 3},
		KindHours: {Num: 3.5}, KindRating: {Num: 7}, KindYear: {Num: 2025}, KindNumber: {Num: 1},
	}
	for _, f := range append(CourseFields(), FoundationFields()...) {
		if is := checkTag(f, sample[f.Kind]); is != nil {
			t.Errorf("%s (tag %q): %v", f.Code, f.Tag, is)
		}
	}
}
