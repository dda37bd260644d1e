package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/its-academy/auditor/batch"
	"github.com/its-academy/auditor/batch/summary"
	"github.com/its-academy/auditor/compute"
)

// TestCommandHelp: «auditor COMMAND --help» prints the command's flags,
// each described in Italian, and exits 0.
func TestCommandHelp(t *testing.T) {
	for cmd := range commandHelp {
		for _, h := range []string{"--help", "-h"} {
			args := append(strings.Fields(cmd), h)
			code, out, errOut := run(t, args...)
			if code != exitOK || errOut != "" {
				t.Errorf("%v: exit %d, stderr %q", args, code, errOut)
				continue
			}
			if !strings.HasPrefix(out, "Uso: auditor "+cmd) || strings.Contains(out, "(senza descrizione)") || !strings.Contains(out, "Opzioni:") {
				t.Errorf("%v:\n%s", args, out)
			}
			for _, line := range strings.Split(out, "\n") {
				if n := utf8.RuneCountInString(line); n > 100 {
					t.Errorf("%v: a line of %d columns: %q", args, n, line)
				}
			}
		}
	}
	_, out, _ := run(t, "help")
	for _, line := range strings.Split(out, "\n") {
		if n := utf8.RuneCountInString(line); n > 100 {
			t.Errorf("help: a line of %d columns: %q", n, line)
		}
	}
	_, out, _ = run(t, "audit", "--help")
	for _, want := range []string{"--reading VALORE", "tabelle", "coerente", "letterale", "--quiet", "--erratum VALORE", "--strict\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("audit --help lacks %q:\n%s", want, out)
		}
	}
}

// TestRulesShowFitsHundredColumns: no line of «auditor rules show» is
// wider than 100 columns.
func TestRulesShowFitsHundredColumns(t *testing.T) {
	code, out, errOut := run(t, "rules", "show")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for i, line := range strings.Split(out, "\n") {
		if n := utf8.RuneCountInString(line); n > 100 {
			t.Errorf("line %d has %d columns: %q", i+1, n, line)
		}
	}
	for _, want := range []string{"Articolazione 16 – ", "meccanica", "E-2 (f14)", "LEG-ISCRITTI-MIN"} {
		if !strings.Contains(out, want) {
			t.Errorf("rules show lacks %q", want)
		}
	}
}

func TestPlural(t *testing.T) {
	for _, c := range []struct {
		n    int
		want string
	}{{0, "0 errori"}, {1, "1 errore"}, {2, "2 errori"}, {11, "11 errori"}} {
		if got := plural(c.n, "errore", "errori"); got != c.want {
			t.Errorf("plural(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}

// TestAuditPrintsEachCourse: after an audit, one line with the counts
// (Italian plurals), one with the reading, one per course with the total
// (as in the report, 2 decimals) and the band; --quiet prints nothing.
func TestAuditPrintsEachCourse(t *testing.T) {
	dir := t.TempDir()
	rep := filepath.Join(dir, "r.json")
	code, out, errOut := run(t, "audit", "../../testdata/esempio-fondazione.xlsx", "-o", filepath.Join(dir, "c.xlsx"), "--json", rep)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	// The example has one error (a course that cannot be scored): singular.
	if !strings.Contains(out, "rilievi: 1 errore, ") || strings.Contains(out, "1 errori") {
		t.Errorf("counts:\n%s", out)
	}
	if !strings.Contains(out, "\nLettura delle tabelle (tables); soglie del decreto.\n") {
		t.Errorf("no reading line:\n%s", out)
	}
	data, err := os.ReadFile(rep)
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Courses []struct {
			Code  string   `json:"code"`
			Total *float64 `json:"total"`
			Band  *string  `json:"band"`
		} `json:"courses"`
	}
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatal(err)
	}
	for _, c := range r.Courses {
		want := c.Code + ": non calcolabile"
		if c.Total != nil {
			want = c.Code + ": " + it(*c.Total, 2) + " su 100, fascia «" + *c.Band + "»\n"
		}
		if strings.Count(out, "\n"+c.Code+": ") != 1 || !strings.Contains(out, "\n"+want) {
			t.Errorf("no line %q:\n%s", want, out)
		}
	}
	code, out, _ = run(t, "audit", "../../testdata/esempio-fondazione.xlsx", "-o", filepath.Join(dir, "d.xlsx"), "--quiet")
	if code != exitOK || out != "" {
		t.Errorf("--quiet: exit %d, stdout %q", code, out)
	}
}

// TestBatchNamesFlaggedFoundations: the batch's report names every
// foundation the three-year rule flags, with plurals.
func TestBatchNamesFlaggedFoundations(t *testing.T) {
	v := func(code, name string, flagged bool) summary.Verdict {
		return summary.Verdict{FoundationVerdict: compute.FoundationVerdict{Foundation: code, Flagged: flagged}, Name: name}
	}
	res := &batch.Result{Summary: &summary.Summary{Verdicts: []summary.Verdict{
		v("ITS-A", "Fondazione A", true), v("ITS-B", "Fondazione B", false), v("ITS-C", "Fondazione C", true),
	}}}
	var out bytes.Buffer
	(&Main{Stdout: &out, Stderr: &out}).batchReport(res, nil, nil, "r.xlsx")
	got := out.String()
	if !strings.Contains(got, "2 fondazioni segnalate per la regola dei tre anni") ||
		!strings.Contains(got, "(CU 17/12/2015, art. 4 c. 3): ITS-A Fondazione A; ITS-C Fondazione C.") || strings.Contains(got, "ITS-B") {
		t.Errorf("batch report:\n%s", got)
	}
	if !regexp.MustCompile(`\(0 percorsi, 0 righe fondazione-anno, 0 file non verificati, `).MatchString(got) {
		t.Errorf("plurals:\n%s", got)
	}
	res.Summary.Verdicts = res.Summary.Verdicts[:1]
	out.Reset()
	(&Main{Stdout: &out, Stderr: &out}).batchReport(res, nil, nil, "r.xlsx")
	if !strings.Contains(out.String(), "1 fondazione segnalata per la regola") {
		t.Errorf("singular:\n%s", out.String())
	}
}
