package xlsxio

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"math"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/its-academy/auditor/batch/summary"
	"github.com/its-academy/auditor/compute"
	"github.com/its-academy/auditor/testkit"
	"github.com/its-academy/auditor/validate"
	"github.com/xuri/excelize/v2"
)

func sumFP(v float64) *float64 { return &v }

// handSummary is a small summary: two foundations, one of them over two
// years, one unscored course, one course read from an earlier summary, one
// excluded file.
func handSummary(t *testing.T) *summary.Summary {
	t.Helper()
	reg, err := compute.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	rule, pack, err := reg.FoundationRuleFor("")
	if err != nil {
		t.Fatal(err)
	}
	inds := []string{"Attrattività", "Didattica professionalizzante", "Apprendistato", "Esiti formativi", "Esiti occupazionali", "Soddisfazione del percorso"}
	pts := func(v float64) []*float64 {
		return []*float64{sumFP(v), sumFP(v / 2), nil, sumFP(1), sumFP(2), sumFP(3)}
	}
	s := &summary.Summary{
		Format: summary.Format, Version: "test", Reading: compute.ReadingCoherent,
		Interpretations: map[string]string{"I-2": "diplomati"},
		Packs:           []summary.Pack{{ID: pack.ID, SHA256: pack.Digest()}},
		Indicators:      inds,
		Inputs: []summary.Input{
			{Name: "2025/alfa.xlsx", SHA256: strings.Repeat("a", 64), Kind: summary.KindWorkbook, Status: "verificato"},
			{Name: "2025/rotto.xlsx", SHA256: strings.Repeat("b", 64), Kind: summary.KindWorkbook, Status: "escluso"},
		},
		Courses: []summary.Course{
			{FoundationCode: "ITS-A", FoundationName: "Fondazione A", Region: "Veneto", Year: 2024, Code: "A-01", Title: "Primo", Area: "Sistema casa",
				Total: sumFP(45.5), Band: "escluso", Indicators: pts(10), Findings: summary.Counts{Violation: 1}, File: "2024/alfa.xlsx", Link: "2024/alfa-verificato.xlsx", From: "riepilogo 2024.xlsx"},
			{FoundationCode: "ITS-A", FoundationName: "Fondazione A", Region: "Veneto", Year: 2025, Code: "A-01", Title: "Primo", Area: "Sistema casa",
				Total: sumFP(48.25), Band: "escluso", Indicators: pts(12), Findings: summary.Counts{Violation: 2, Warning: 1}, File: "2025/alfa.xlsx", Row: 3, Link: "2025/alfa verificato.xlsx"},
			{FoundationCode: "ITS-A", FoundationName: "Fondazione A", Region: "Veneto", Year: 2025, Code: "A-02", Title: "Secondo", Area: "Sistema casa",
				Total: sumFP(71.75), Band: "adeguato", Indicators: pts(14), File: "2025/alfa.xlsx", Link: "2025/alfa verificato.xlsx"},
			{FoundationCode: "ITS-A", FoundationName: "Fondazione A", Region: "Veneto", Year: 2025, Code: "A-03", Title: "Non valutato", Area: "Sistema casa",
				Indicators: make([]*float64, len(inds)), Findings: summary.Counts{Error: 1}, Note: "Iscritti mancanti.", File: "2025/alfa.xlsx", Link: "2025/alfa verificato.xlsx"},
			{FoundationCode: "ITS-B", FoundationName: "Fondazione B", Region: "Veneto", Year: 2025, Code: "B-01", Title: "Unico", Area: "Sistema moda",
				Total: sumFP(100), Band: "adeguato", Indicators: pts(15), File: "2025/beta.xlsx", Link: "../fuori/beta-verificato.xlsx"},
		},
		Foundations: []summary.Foundation{
			{Code: "ITS-A", Name: "Fondazione A", Year: 2024, Courses: 1, Scored: 1, Below: 1, Mean: sumFP(45.5), Share: sumFP(100), Violations: 1},
			{Code: "ITS-A", Name: "Fondazione A", Year: 2025, Courses: 3, Scored: 2, Below: 1, Mean: sumFP(60), Share: sumFP(50), Violations: 2, Errors: 1},
			{Code: "ITS-B", Name: "Fondazione B", Year: 2025, Courses: 1, Scored: 1, Below: 0, Mean: sumFP(100), Share: sumFP(0)},
		},
		Excluded:     []summary.Excluded{{Name: "2025/rotto.xlsx", Reason: "rotto.xlsx: il file è protetto da password"}},
		Distribution: summary.Distribution{Buckets: []string{"0–10", "10–20", "20–30", "30–40", "40–50", "50–60", "60–70", "70–80", "80–90", "90–100"}, Years: []int{2024, 2025}},
		Rule:         rule,
		Notes:        []string{"nota di prova"},
	}
	s.Distribution.Counts = make([][]int, 10)
	for i := range s.Distribution.Counts {
		s.Distribution.Counts[i] = []int{0, 0}
	}
	s.Distribution.Counts[4] = []int{1, 1}
	s.Distribution.Counts[7] = []int{0, 1}
	s.Distribution.Counts[9] = []int{0, 1}
	v := rule.Apply([]compute.FoundationCourse{{Foundation: "ITS-A", Year: 2024, Code: "A-01", Total: sumFP(45.5)}}, nil)
	s.Verdicts = []summary.Verdict{{FoundationVerdict: v[0], Name: "Fondazione A"}}
	return s
}

func TestWriteSummaryReadBack(t *testing.T) {
	s := handSummary(t)
	data, err := WriteSummary(s)
	if err != nil {
		t.Fatal(err)
	}
	if SniffWorkbook(data) != summary.KindSummary {
		t.Error("the summary is not recognised as one")
	}
	f := testkit.OpenWorkbook(t, data)
	if got := f.GetSheetList(); !reflect.DeepEqual(got, SummarySheets()) {
		t.Errorf("sheets %v, want %v", got, SummarySheets())
	}

	// Percorsi: numbers are numbers, hyperlinks only on this batch's rows.
	heads := summaryCourseHeads(s.Indicators)
	col := func(h string) string {
		for i, x := range heads {
			if x == h {
				c, _ := excelize.ColumnNumberToName(i + 1)
				return c
			}
		}
		t.Fatalf("no column %s", h)
		return ""
	}
	tests := []struct {
		cell string
		want string
		num  bool
	}{
		{col(sumColTotal) + "3", "48.25", true},
		{col(sumColYear) + "3", "2025", true},
		{col(sumColViolations) + "3", "2", true},
		{col("Attrattività") + "4", "14", true},
		{col(sumColTotal) + "5", "", false}, // unscored: empty, not 0
		{col(sumColCode) + "6", "B-01", false},
		{col(sumColBand) + "2", "escluso", false},
	}
	for _, tt := range tests {
		v, err := f.GetCellValue(SummarySheetCourses, tt.cell, excelize.Options{RawCellValue: true})
		if err != nil || v != tt.want {
			t.Errorf("%s = %q (%v), want %q", tt.cell, v, err, tt.want)
		}
		typ, _ := f.GetCellType(SummarySheetCourses, tt.cell)
		if isText := typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString; tt.num && isText {
			t.Errorf("%s is text, want a number", tt.cell)
		}
	}
	linkCol := col(sumColLink)
	for _, tt := range []struct {
		row    int
		ok     bool
		target string
	}{{2, false, ""}, {3, true, "2025/alfa%20verificato.xlsx"}, {6, true, "../fuori/beta-verificato.xlsx"}} {
		ok, target, err := f.GetCellHyperLink(SummarySheetCourses, linkCol+strconv.Itoa(tt.row))
		if err != nil || ok != tt.ok || target != tt.target {
			t.Errorf("row %d link %v %q (%v), want %v %q", tt.row, ok, target, err, tt.ok, tt.target)
		}
	}

	// Fondazioni: live formulas whose cached values are the model's, and
	// which excelize's calculator computes to the same.
	for r, fd := range s.Foundations {
		row := strconv.Itoa(r + 2)
		want := map[string]float64{"D": float64(fd.Courses), "E": float64(fd.Scored), "F": *fd.Mean, "G": float64(fd.Below), "H": *fd.Share / 100}
		for c, w := range want {
			formula, _ := f.GetCellFormula(SummarySheetFoundations, c+row)
			if formula == "" {
				t.Errorf("Fondazioni!%s%s has no formula", c, row)
			}
			cached, _ := f.GetCellValue(SummarySheetFoundations, c+row, excelize.Options{RawCellValue: true})
			calc, err := f.CalcCellValue(SummarySheetFoundations, c+row, excelize.Options{RawCellValue: true})
			for what, v := range map[string]string{"cached": cached, "computed": calc} {
				x, perr := strconv.ParseFloat(v, 64)
				if perr != nil || math.Abs(x-w) > 1e-9 {
					t.Errorf("Fondazioni!%s%s %s %q (%v), want %v (formula %s)", c, row, what, v, err, w, formula)
				}
			}
		}
	}

	// The chart of the distribution is a native column chart.
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	chart := false
	for _, zf := range zr.File {
		if strings.HasPrefix(zf.Name, "xl/charts/chart") {
			rc, _ := zf.Open()
			b, _ := io.ReadAll(rc)
			rc.Close()
			chart = bytes.Contains(b, []byte("<barChart>")) && bytes.Contains(b, []byte(`barDir val="col"`)) && bytes.Contains(b, []byte("Distribuzione!$B$2:$B$11"))
		}
	}
	if !chart {
		t.Error("no column chart of the distribution")
	}
	if v, _ := f.GetCellValue(SummarySheetDistribution, "C6", excelize.Options{RawCellValue: true}); v != "1" {
		t.Errorf("Distribuzione!C6 = %q", v)
	}

	// Triennio, Esclusi and Timbro say what they must.
	text := sumSheetText(t, f, SummarySheetRule)
	for _, want := range []string{"CU 17/12/2015, art. 4 c. 3", "non entrano nella quota", "anni presenti 2024", "Anni mancanti"} {
		if !strings.Contains(text, want) {
			t.Errorf("Triennio lacks %q", want)
		}
	}
	if text := sumSheetText(t, f, SummarySheetExcluded); !strings.Contains(text, "protetto da password") || !strings.Contains(text, "2025/rotto.xlsx") {
		t.Errorf("Esclusi: %s", text)
	}
	if text := sumSheetText(t, f, SummarySheetStamp); !strings.Contains(text, strings.Repeat("a", 64)) || !strings.Contains(text, s.Packs[0].SHA256) || !strings.Contains(text, "auditor test") {
		t.Errorf("Timbro: %s", text)
	}

	// ReadSummary gives the course rows back as written.
	back, err := ReadSummary(data, "riepilogo.xlsx", Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.Indicators, s.Indicators) {
		t.Errorf("indicators %v", back.Indicators)
	}
	if !reflect.DeepEqual(back.Courses, s.Courses) {
		for i := range s.Courses {
			if i < len(back.Courses) && !reflect.DeepEqual(back.Courses[i], s.Courses[i]) {
				t.Errorf("course %d read back as %+v, written %+v", i, back.Courses[i], s.Courses[i])
			}
		}
		t.Fatalf("%d courses read back, %d written", len(back.Courses), len(s.Courses))
	}
}

func sumSheetText(t *testing.T, f *excelize.File, sheet string) string {
	t.Helper()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(strings.Join(r, "\t"))
		b.WriteString("\n")
	}
	return b.String()
}

func TestWriteSummaryEmptyAndUnsafeCodes(t *testing.T) {
	s := &summary.Summary{Format: summary.Format, Version: "test"}
	data, err := WriteSummary(s)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ReadSummary(data, "vuoto.xlsx", Limits{})
	if err != nil || len(back.Courses) != 0 {
		t.Fatalf("empty summary read back: %v, %+v", err, back)
	}
	// A foundation code that COUNTIFS would read as a pattern, and an
	// unknown year: plain values, no formulas.
	s = &summary.Summary{Format: summary.Format, Foundations: []summary.Foundation{{Code: "A*1", Year: 2025, Courses: 2}, {Code: "ITS-X", Courses: 1}}}
	data, err = WriteSummary(s)
	if err != nil {
		t.Fatal(err)
	}
	f, _ := excelize.OpenReader(bytes.NewReader(data))
	defer f.Close()
	for _, c := range []string{"D2", "D3"} {
		if formula, _ := f.GetCellFormula(SummarySheetFoundations, c); formula != "" {
			t.Errorf("%s has formula %s", c, formula)
		}
	}
	if v, _ := f.GetCellValue(SummarySheetFoundations, "D2"); v != "2" {
		t.Errorf("D2 = %q", v)
	}
	if _, err := WriteSummary(nil); err == nil {
		t.Error("nil summary accepted")
	}
}

func TestReadSummaryRefusesOtherFiles(t *testing.T) {
	example, err := os.ReadFile("../testdata/esempio-fondazione.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		data []byte
		kind error
		want string
	}{
		{"official workbook", example, ErrMissingSheet, "non è un riepilogo"},
		{"not a zip", []byte("testo"), ErrCorrupt, "non si può aprire"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadSummary(tt.data, "x.xlsx", Limits{})
			var oe *OpenError
			if !errors.As(err, &oe) || !errors.Is(err, tt.kind) || !strings.Contains(oe.Msg, tt.want) || !strings.Contains(oe.Msg, "x.xlsx") {
				t.Errorf("err %v", err)
			}
		})
	}
	if k := SniffWorkbook(example); k != summary.KindWorkbook {
		t.Errorf("example sniffed as %s", k)
	}
	if k := SniffWorkbook([]byte("testo")); k != summary.KindWorkbook {
		t.Errorf("text sniffed as %s", k)
	}
	wb := mustOpen(t, example, "esempio-fondazione.xlsx")
	reg, _ := compute.LoadEmbedded()
	a, err := validate.Run(wb.Input, reg, validate.Options{})
	if err != nil {
		t.Fatal(err)
	}
	audited, err := WriteAudit(example, a, WriteOptions{Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if k := SniffWorkbook(audited); k != summary.KindAudited {
		t.Errorf("audited copy sniffed as %s", k)
	}
}

// TestSummaryFormulasInLibreOffice: LibreOffice, recomputing every formula
// on load, finds the values the summary cached on Fondazioni.
func TestSummaryFormulasInLibreOffice(t *testing.T) {
	ours, err := WriteSummary(handSummary(t))
	if err != nil {
		t.Fatal(err)
	}
	if checked := compareWithLibreOffice(t, ours, 1e-9, SummarySheetFoundations); checked != 15 {
		t.Errorf("%d formulas checked, want 15", checked)
	}
}
