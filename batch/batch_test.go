package batch_test

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/its-academy/auditor/batch"
	"github.com/its-academy/auditor/batch/summary"
	"github.com/its-academy/auditor/compute"
	"github.com/its-academy/auditor/pipeline"
	"github.com/its-academy/auditor/testkit"
	"github.com/its-academy/auditor/xlsxio"
	"github.com/xuri/excelize/v2"
)

func run(t *testing.T, inputs []batch.Input, opts batch.Options) *batch.Result {
	t.Helper()
	if opts.Version == "" {
		opts.Version = "test"
	}
	if opts.Auditor == nil {
		opts.Auditor = pipeline.BatchAuditor{}
	}
	res, err := batch.Run(context.Background(), inputs, opts)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// summaryWorkbook is the summary workbook of a batch; an error ends the
// test.
func summaryWorkbook(t *testing.T, res *batch.Result) []byte {
	t.Helper()
	data, err := pipeline.SummaryWorkbook(res)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func verdictOf(t *testing.T, s *summary.Summary, code string) summary.Verdict {
	t.Helper()
	for _, v := range s.Verdicts {
		if v.Foundation == code {
			return v
		}
	}
	t.Fatalf("no verdict for %s", code)
	return summary.Verdict{}
}

func foreign(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile("../testdata/foreign/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestThreeYearRule runs the foundation rule over workbooks of three years
// and over an earlier summary plus the new year.
func TestThreeYearRule(t *testing.T) {
	// A: 2 of 4 scored courses below 50 each year (plus one unscored
	// course, out of the share): exactly 50%, flagged.
	// B: the same, but 2025 is missing: not flagged, years seen listed.
	// C: 1 of 3 below: not flagged.
	a := map[int][]byte{}
	for _, y := range []int{2024, 2025, 2026} {
		a[y] = workbook(t, "ITS-A", "Fondazione A", y, courses(fmt.Sprintf("A%d", y), 5, 2, 1))
	}
	b23 := workbook(t, "ITS-B", "Fondazione B", 2024, courses("B23", 2, 1, 0))
	b25 := workbook(t, "ITS-B", "Fondazione B", 2026, courses("B25", 2, 1, 0))
	c25 := workbook(t, "ITS-C", "Fondazione C", 2026, courses("C25", 3, 1, 0))

	t.Run("workbooks of three years", func(t *testing.T) {
		res := run(t, []batch.Input{
			{Name: "2024/a.xlsx", Data: a[2024]}, {Name: "2025/a.xlsx", Data: a[2025]}, {Name: "2026/a.xlsx", Data: a[2026]},
			{Name: "2024/b.xlsx", Data: b23}, {Name: "2026/b.xlsx", Data: b25}, {Name: "2026/c.xlsx", Data: c25},
		}, batch.Options{Jobs: 2})
		s := res.Summary
		va := verdictOf(t, s, "ITS-A")
		if !va.Flagged || !reflect.DeepEqual(va.FlaggedYears, []int{2024, 2025, 2026}) || len(va.Causes) != 6 || va.Name != "Fondazione A" {
			t.Errorf("A: %+v", va)
		}
		for _, y := range va.Years {
			if y.Scored != 4 || y.Unscored != 1 || y.Below != 2 || y.Share == nil || *y.Share != 50 {
				t.Errorf("A %d: %+v", y.Year, y)
			}
		}
		if vb := verdictOf(t, s, "ITS-B"); vb.Flagged || !strings.Contains(vb.Explanation, "anni presenti 2024, 2026") {
			t.Errorf("B: %+v", vb)
		}
		if vc := verdictOf(t, s, "ITS-C"); vc.Flagged {
			t.Errorf("C: %+v", vc)
		}
		if !res.HasProblems() {
			t.Error("a flagged foundation is a problem for --strict")
		}
		// Fondazioni: A 2026 has 5 courses, 4 scored, share 50%.
		found := false
		for _, fd := range s.Foundations {
			if fd.Code == "ITS-A" && fd.Year == 2026 {
				found = true
				if fd.Courses != 5 || fd.Scored != 4 || fd.Below != 2 || *fd.Share != 50 || !fd.Flagged || fd.Errors == 0 {
					t.Errorf("A 2026: %+v", fd)
				}
			}
		}
		if !found || len(s.Foundations) != 6 {
			t.Errorf("%d foundation rows", len(s.Foundations))
		}
		// The workbook's Triennio sheet names the flagged foundation and
		// the courses that cause it.
		data := summaryWorkbook(t, res)
		triennio := cellValues(t, data)[xlsxio.SummarySheetRule]
		var flaggedRow, causes []string
		for _, row := range triennio {
			if len(row) > 3 && row[0] == "ITS-A" && row[3] == "Sì" {
				flaggedRow = row
			}
			if len(row) == 5 && row[0] == "ITS-A" && strings.HasPrefix(row[4], "A20") {
				causes = append(causes, row[4])
			}
		}
		if flaggedRow == nil || flaggedRow[4] != "2024, 2025, 2026" || len(causes) != 6 {
			t.Errorf("Triennio: flagged row %v, causes %v", flaggedRow, causes)
		}
	})

	t.Run("an earlier summary and the new year", func(t *testing.T) {
		old := run(t, []batch.Input{{Name: "2024/a.xlsx", Data: a[2024], Link: "2024/a-verificato.xlsx"}, {Name: "2025/a.xlsx", Data: a[2025]}}, batch.Options{})
		if v := verdictOf(t, old.Summary, "ITS-A"); v.Flagged {
			t.Fatal("two years flagged")
		}
		oldWB := summaryWorkbook(t, old)
		// The 2025 workbook again: its courses replace the summary's.
		res := run(t, []batch.Input{{Name: "riepilogo-2025.xlsx", Data: oldWB}, {Name: "2026/a.xlsx", Data: a[2026]}, {Name: "2025/a.xlsx", Data: a[2025]}}, batch.Options{})
		if len(res.Failed()) != 0 {
			t.Fatalf("failed: %+v", res.Failed())
		}
		v := verdictOf(t, res.Summary, "ITS-A")
		if !v.Flagged || len(v.Causes) != 6 {
			t.Errorf("A over summary + workbook: %+v", v)
		}
		if len(res.Summary.Courses) != 15 {
			t.Errorf("%d courses, want 15 (5 a year, no duplicates)", len(res.Summary.Courses))
		}
		from := map[int]string{}
		for _, c := range res.Summary.Courses {
			from[c.Year] = c.From
		}
		if from[2024] != "riepilogo-2025.xlsx" || from[2025] != "" || from[2026] != "" {
			t.Errorf("sources %v", from)
		}
		if !strings.Contains(strings.Join(res.Summary.Notes, " "), "5 percorsi dei riepiloghi precedenti sono stati sostituiti") {
			t.Errorf("notes %v", res.Summary.Notes)
		}
		kinds := map[string]string{}
		for _, f := range res.Files {
			kinds[f.Name] = f.Kind
		}
		if kinds["riepilogo-2025.xlsx"] != summary.KindSummary {
			t.Errorf("kinds %v", kinds)
		}
	})
}

// TestBadFilesListed: the batch goes on past files that cannot be audited
// and lists each with its reason.
func TestBadFilesListed(t *testing.T) {
	good := workbook(t, "ITS-A", "Fondazione A", 2025, courses("A", 3, 0, 0))
	var written atomic.Int32
	res := run(t, []batch.Input{
		{Name: "cifrato.xlsx", Data: foreign(t, "excelize-encryptAES.xlsx")},
		{Name: "buono.xlsx", Data: good},
		{Name: "rotto.xlsx", Data: foreign(t, "excelize-BadWorkbook.xlsx")},
		{Name: "testo.xlsx", Data: []byte("solo testo")},
		{Name: "altro.xlsx", Data: foreign(t, "excelize-Book1.xlsx")},
	}, batch.Options{OnAnnotated: func(batch.Input, []byte) error { written.Add(1); return nil }})
	failed := res.Failed()
	if len(failed) != 4 || written.Load() != 1 {
		t.Fatalf("%d failed, %d written", len(failed), written.Load())
	}
	want := map[string]string{"cifrato.xlsx": "password", "rotto.xlsx": "rotto.xlsx", "testo.xlsx": "testo.xlsx", "altro.xlsx": "Fondazione"}
	for _, f := range failed {
		if !strings.Contains(f.Reason, want[f.Name]) || strings.Contains(f.Reason, "\n") {
			t.Errorf("%s: reason %q should be one line naming %q", f.Name, f.Reason, want[f.Name])
		}
		var oe *xlsxio.OpenError
		if !errors.As(f.Err, &oe) {
			t.Errorf("%s: %v is not an OpenError", f.Name, f.Err)
		}
	}
	if len(res.Summary.Excluded) != 4 || res.Summary.Excluded[0].Name != "altro.xlsx" || len(res.Summary.Courses) != 3 {
		t.Errorf("excluded %+v, %d courses", res.Summary.Excluded, len(res.Summary.Courses))
	}
	// The annotated copy callback can fail a file too.
	res = run(t, []batch.Input{{Name: "buono.xlsx", Data: good}}, batch.Options{KeepAnnotated: true, OnAnnotated: func(batch.Input, []byte) error { return errors.New("disco pieno") }})
	if f := res.Files[0]; f.OK() || !strings.Contains(f.Reason, "disco pieno") || f.Annotated != nil {
		t.Errorf("callback error: %+v", f.Reason)
	}
	res = run(t, []batch.Input{{Name: "buono.xlsx", Data: good}, {Name: "copia.xlsx", Data: good}}, batch.Options{KeepAnnotated: true})
	if f := res.Files[0]; !f.OK() || xlsxio.SniffWorkbook(f.Annotated) != summary.KindAudited {
		t.Errorf("KeepAnnotated: %v", f.Err)
	}
	// The same file twice: the copy is skipped, naming its twin, and its
	// courses are not counted again.
	if ex := res.Summary.Excluded; len(ex) != 1 || ex[0].Name != "copia.xlsx" || !ex[0].Skipped || !strings.Contains(ex[0].Reason, "identico a «buono.xlsx»") {
		t.Errorf("excluded %+v", ex)
	}
	if len(res.Summary.Courses) != 3 {
		t.Errorf("%d courses, want the 3 of buono.xlsx", len(res.Summary.Courses))
	}
}

// TestOrderAndParallelismIndependence: jobs 1 on the inputs in order and
// jobs 4 on shuffled inputs give the same summary, JSON and workbook.
func TestOrderAndParallelismIndependence(t *testing.T) {
	var inputs []batch.Input
	for i := 0; i < 6; i++ {
		code := fmt.Sprintf("ITS-%c", 'F'-i) // codes in reverse order of names
		for _, y := range []int{2024, 2025} {
			inputs = append(inputs, batch.Input{Name: fmt.Sprintf("%d/f%d.xlsx", y, i), Link: fmt.Sprintf("%d/f%d-verificato.xlsx", y, i),
				Data: workbook(t, code, "Fondazione "+code, y, courses(fmt.Sprintf("P%d", y), 3+i%3, i%3, i%2))})
		}
	}
	// The same course code in two foundations, and a bad file.
	inputs = append(inputs, batch.Input{Name: "zz/rotto.xlsx", Data: foreign(t, "excelize-BadWorkbook.xlsx")})
	first := run(t, inputs, batch.Options{Jobs: 1})
	jsonA, err := first.JSON()
	if err != nil {
		t.Fatal(err)
	}
	wbA := summaryWorkbook(t, first)
	for seed := uint64(1); seed <= 3; seed++ {
		shuffled := append([]batch.Input(nil), inputs...)
		rand.New(rand.NewPCG(seed, 7)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		second := run(t, shuffled, batch.Options{Jobs: 4})
		jsonB, _ := second.JSON()
		if !bytes.Equal(jsonA, jsonB) {
			t.Fatalf("seed %d: the summary JSON depends on order or parallelism", seed)
		}
		wbB := summaryWorkbook(t, second)
		if a, b := cellValues(t, wbA), cellValues(t, wbB); !reflect.DeepEqual(a, b) {
			t.Fatalf("seed %d: the summary workbook's cells differ", seed)
		}
		names := make([]string, len(second.Files))
		for i, f := range second.Files {
			names[i] = f.Name
		}
		if names[0] != "2024/f0.xlsx" || names[len(names)-1] != "zz/rotto.xlsx" {
			t.Errorf("files not sorted: %v", names)
		}
	}
	// Rows are sorted by foundation code, year, course code, file, the
	// summary they came from and row.
	cs := first.Summary.Courses
	for i := 1; i < len(cs); i++ {
		a, b := cs[i-1], cs[i]
		if c := cmp.Or(cmp.Compare(a.FoundationCode, b.FoundationCode), cmp.Compare(a.Year, b.Year), cmp.Compare(a.Code, b.Code), cmp.Compare(a.File, b.File), cmp.Compare(a.From, b.From), cmp.Compare(a.Row, b.Row)); c > 0 {
			t.Fatalf("row %d out of order", i)
		}
	}
	if cs[0].FoundationCode != "ITS-A" || first.Summary.Foundations[0].Code != "ITS-A" {
		t.Errorf("first row %s", cs[0].FoundationCode)
	}
}

// cellValues reads every sheet's cells (raw values and formulas).
func cellValues(t *testing.T, data []byte) map[string][][]string {
	t.Helper()
	f := testkit.OpenWorkbook(t, data)
	out := map[string][][]string{}
	for _, sh := range f.GetSheetList() {
		rows, err := f.GetRows(sh, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		out[sh] = rows
	}
	return out
}

func TestProgressAndOptions(t *testing.T) {
	var inputs []batch.Input
	for i := 0; i < 5; i++ {
		inputs = append(inputs, batch.Input{Name: fmt.Sprintf("f%d.xlsx", i), Data: workbook(t, "ITS-A", "A", 2020+i, courses("A", 1, 0, 0))})
	}
	var calls, lastDone int
	var busy atomic.Bool
	run(t, inputs, batch.Options{Jobs: 3, Progress: func(done, total int, current string) {
		if busy.Swap(true) {
			t.Error("Progress called concurrently")
		}
		defer busy.Store(false)
		calls++
		if total != 5 || done < lastDone || current == "" {
			t.Errorf("progress %d/%d %q", done, total, current)
		}
		lastDone = done
	}})
	if calls != 10 || lastDone != 5 {
		t.Errorf("%d calls, last done %d", calls, lastDone)
	}
	if _, err := batch.Run(context.Background(), inputs, batch.Options{Reading: "fantasiosa", Auditor: pipeline.BatchAuditor{}}); err == nil {
		t.Error("an unknown reading is accepted")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := batch.Run(ctx, inputs, batch.Options{Jobs: 1, Auditor: pipeline.BatchAuditor{}}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	res := run(t, nil, batch.Options{})
	if len(res.Summary.Courses) != 0 || res.Summary.Rule == nil {
		t.Errorf("empty batch: %+v", res.Summary)
	}
	if _, err := pipeline.SummaryWorkbook(res); err != nil {
		t.Errorf("empty summary workbook: %v", err)
	}
	if res.Summary.Packs[0].ID != compute.PackID("dm-2023-11-30-eqf5") {
		t.Errorf("packs %+v", res.Summary.Packs)
	}
}

// TestSummarySensitivity: the regional summary counts, per alternative
// choice, the scored courses compared, and applies the three-year rule
// under I-8's other choice. Foundation D: 3 of 4 courses below 50 in 2024,
// 1 of 4 in 2025, 3 of 4 in 2026 — not every year (per_anno: not flagged),
// but 7 of 12 over the three years (triennio: flagged).
func TestSummarySensitivity(t *testing.T) {
	var inputs []batch.Input
	for y, below := range map[int]int{2024: 3, 2025: 1, 2026: 3} {
		inputs = append(inputs, batch.Input{Name: fmt.Sprintf("%d/d.xlsx", y), Data: workbook(t, "ITS-D", "Fondazione D", y, courses(fmt.Sprintf("D%d", y), 4, below, 0))})
	}
	res := run(t, inputs, batch.Options{})
	s := res.Summary
	if v := verdictOf(t, s, "ITS-D"); v.Flagged {
		t.Fatalf("D flagged per year: %+v", v)
	}
	var pooled *summary.Choice
	choices := map[string]summary.Choice{}
	for i, c := range s.Sensitivity {
		choices[c.Choice+"="+c.Alternative] = c
		if c.Choice == "I-8" {
			pooled = &s.Sensitivity[i]
		}
	}
	if pooled == nil || pooled.Alternative != "triennio" || !reflect.DeepEqual(pooled.Flagged, []string{"ITS-D"}) {
		t.Errorf("I-8 triennio: %+v", pooled)
	}
	for _, k := range []string{"E-1=printed", "E-2=coherent", "E-3=printed", "E-4=printed", "I-2=soglia_diplomati", "I-7=articolazione"} {
		c, ok := choices[k]
		if !ok || c.Courses != 12 || c.BandChanges > c.Courses || c.Flagged != nil {
			t.Errorf("%s: %+v, want the 12 scored courses compared", k, c)
		}
	}
	data := summaryWorkbook(t, res)
	found := false
	for _, row := range cellValues(t, data)[xlsxio.SummarySheetSensitivity] {
		found = found || (len(row) >= 6 && row[0] == "I-8" && row[5] == "ITS-D")
	}
	if !found {
		t.Errorf("no I-8 row naming ITS-D on %s", xlsxio.SummarySheetSensitivity)
	}
}

// TestSummaryOnly checks that a summary-only run keeps no audit yet gives
// the same summary, and that MaxCourses lists a larger workbook as not
// audited.
func TestSummaryOnly(t *testing.T) {
	inputs := []batch.Input{
		{Name: "a.xlsx", Data: workbook(t, "ITS-A", "Fondazione A", 2025, courses("P", 4, 1, 1))},
		{Name: "b.xlsx", Data: workbook(t, "ITS-B", "Fondazione B", 2025, courses("Q", 3, 2, 0))},
		{Name: "rotto.xlsx", Data: foreign(t, "excelize-BadWorkbook.xlsx")},
	}
	full := run(t, inputs, batch.Options{Jobs: 1})
	slim := run(t, inputs, batch.Options{Jobs: 1, SummaryOnly: true})
	for _, f := range slim.Files {
		if f.Audit != nil {
			t.Errorf("%s: the audit was kept", f.Name)
		}
	}
	a, _ := full.JSON()
	b, _ := slim.JSON()
	if !bytes.Equal(a, b) {
		t.Errorf("the summary-only JSON differs:\n%s\n%s", a, b)
	}
	if full.HasProblems() != slim.HasProblems() || !slim.HasProblems() {
		t.Errorf("HasProblems: full %v, summary-only %v", full.HasProblems(), slim.HasProblems())
	}
	capped := run(t, inputs, batch.Options{Jobs: 1, SummaryOnly: true, MaxCourses: 3})
	var reasons []string
	for _, f := range capped.Failed() {
		reasons = append(reasons, f.Reason)
	}
	if len(reasons) != 2 || !strings.Contains(reasons[0], "a.xlsx: ha 4 righe di percorsi, oltre il limite di 3") {
		t.Errorf("with at most 3 courses per file: %q", reasons)
	}
	// 4 + 3 rows against 6 in all: the first file (a.xlsx, 4) fits, the
	// second (b.xlsx, 3) would make 7.
	total := run(t, inputs, batch.Options{Jobs: 1, SummaryOnly: true, MaxTotalCourses: 6})
	reasons = nil
	for _, f := range total.Failed() {
		reasons = append(reasons, f.Reason)
	}
	if len(reasons) != 2 || !strings.Contains(reasons[0], "b.xlsx: con le sue 3 righe di percorsi supererebbe il limite di 6 percorsi per riepilogo") {
		t.Errorf("with at most 6 courses in all: %q", reasons)
	}
}
