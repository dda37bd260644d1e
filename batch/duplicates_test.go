package batch_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/its-academy/auditor/batch"
	"github.com/its-academy/auditor/batch/summary"
)

// TestDuplicatesCountedOnce: a byte-identical copy of a workbook is
// skipped with its twin's name, and a course (same foundation, year and
// code) in two different workbooks is counted once, with a note, whatever
// the order of the inputs.
func TestDuplicatesCountedOnce(t *testing.T) {
	// fondazione.xlsx: P-01 and P-02 poor (below 50), P-03 and P-04 good.
	a := workbook(t, "ITS-A", "Fondazione A", 2024, courses("P", 4, 2, 0))
	// correzione.xlsx: P-01 again (good this time) and a new P-05.
	b := workbook(t, "ITS-A", "Fondazione A", 2024, []wbCourse{{"P-01", good()}, {"P-05", good()}})
	inputs := []batch.Input{
		{Name: "fondazione.xlsx", Data: a},
		{Name: "fondazione (1).xlsx", Data: a},
		{Name: "correzione.xlsx", Data: b},
	}
	res := run(t, inputs, batch.Options{Jobs: 2})
	s := res.Summary
	if len(res.Failed()) != 0 {
		t.Errorf("failed: %+v", res.Failed())
	}
	// Courses by hand: P-01 (from correzione.xlsx, whose name comes first),
	// P-02, P-03, P-04 from fondazione.xlsx, P-05: 5, of which 1 poor (P-02).
	var codes []string
	for _, c := range s.Courses {
		codes = append(codes, c.Code+"@"+c.File)
	}
	if got, want := strings.Join(codes, " "), "P-01@correzione.xlsx P-02@fondazione.xlsx P-03@fondazione.xlsx P-04@fondazione.xlsx P-05@correzione.xlsx"; got != want {
		t.Errorf("courses %s, want %s", got, want)
	}
	if len(s.Foundations) != 1 || s.Foundations[0].Courses != 5 || s.Foundations[0].Scored != 5 || s.Foundations[0].Below != 1 {
		t.Errorf("foundations %+v, want 5 courses, 5 scored, 1 below", s.Foundations)
	}
	if !strings.Contains(s.Courses[0].Note, "anche in «fondazione.xlsx» (riga 3)") {
		t.Errorf("note of the counted row: %q", s.Courses[0].Note)
	}
	// A finding on both: a warning counted on the row kept, and the other
	// row listed among what is not counted, naming the row kept.
	if s.Courses[0].Findings.Warning != 1 {
		t.Errorf("warnings on the counted row: %+v", s.Courses[0].Findings)
	}
	var other *summary.Excluded
	for i := range s.Excluded {
		if s.Excluded[i].Name == "fondazione.xlsx (riga 3)" {
			other = &s.Excluded[i]
		}
	}
	if other == nil || !strings.Contains(other.Reason, "già presente in «correzione.xlsx» riga 3") {
		t.Errorf("the other row is not listed: %+v", s.Excluded)
	}
	notes := strings.Join(s.Notes, "\n")
	if !strings.Contains(notes, "P-01 (fondazione ITS-A, anno 2024) in «correzione.xlsx» riga 3 e in «fondazione.xlsx» riga 3") {
		t.Errorf("notes %q", notes)
	}
	var dup *summary.Excluded
	for i := range s.Excluded {
		if s.Excluded[i].Name == "fondazione (1).xlsx" {
			dup = &s.Excluded[i]
		}
	}
	if dup == nil || !dup.Skipped || !strings.Contains(dup.Reason, "identico a «fondazione.xlsx»") {
		t.Fatalf("excluded %+v", s.Excluded)
	}
	for _, in := range s.Inputs {
		if in.Name == "fondazione (1).xlsx" && in.Status != "saltato" {
			t.Errorf("status of the copy: %q", in.Status)
		}
	}
	// The same summary whatever the order.
	want, err := res.JSON()
	if err != nil {
		t.Fatal(err)
	}
	rev := []batch.Input{inputs[2], inputs[1], inputs[0]}
	got, err := run(t, rev, batch.Options{Jobs: 1}).JSON()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("the summary depends on the order of the inputs")
	}
}
