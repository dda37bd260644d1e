package verbale

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/its-academy/auditor/compute"
	"github.com/its-academy/auditor/testkit"
	"github.com/its-academy/auditor/validate"
	"github.com/its-academy/auditor/xlsxio"
)

// when is a fixed audit time, so that the text can be checked.
var when = time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)

// auditExample audits a workbook of testdata.
func auditExample(t *testing.T, name string) (*validate.Audit, validate.Report) {
	t.Helper()
	wb, err := xlsxio.Open(testkit.Testdata(t, name), name, xlsxio.DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { wb.Close() })
	reg, err := compute.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	a, err := validate.Run(wb.Input, reg, validate.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return a, a.Report("test-1.2", "")
}

// pdfPages extracts the text of each page with pdftotext.
func pdfPages(t *testing.T, pdf []byte) []string {
	t.Helper()
	pages := strings.Split(testkit.PDFText(t, pdf), "\f")
	if len(pages) > 0 && strings.TrimSpace(pages[len(pages)-1]) == "" {
		pages = pages[:len(pages)-1]
	}
	return pages
}

// it formats a number as the test expects it: Italian decimal comma and
// the minus sign, written here independently of Num.
func it(v float64, prec int) string {
	s := fmt.Sprintf("%.*f", prec, v)
	s = strings.Replace(s, ".", ",", 1)
	return strings.Replace(s, "-", "−", 1)
}

func TestRenderAuditReadsBackTheReportsNumbers(t *testing.T) {
	a, rep := auditExample(t, "esempio-fondazione.xlsx")
	pdf, err := Render(FromAudit(a, rep, when))
	if err != nil {
		t.Fatal(err)
	}
	pages := pdfPages(t, pdf)
	all := testkit.Squash(strings.Join(pages, " "))

	// Every page: the header with the foundation and the file's hash, and
	// «Pagina N di M».
	for i, p := range pages {
		footer := fmt.Sprintf("Pagina %d di %d", i+1, len(pages))
		if !strings.Contains(p, footer) {
			t.Errorf("page %d: no «%s»", i+1, footer)
		}
		if !strings.Contains(testkit.Squash(p), rep.FileSHA256) {
			t.Errorf("page %d: header without the file's SHA-256 %s", i+1, rep.FileSHA256)
		}
		if !strings.Contains(p, a.Input.Foundation["fondazione_codice"].Text) {
			t.Errorf("page %d: header without the foundation's code", i+1)
		}
	}
	// Who, when, how.
	for _, want := range []string{
		a.Input.Foundation["fondazione_nome"].Text, a.Input.Foundation["regione"].Text, a.Input.Foundation["anno_monitoraggio"].Text,
		"esempio-fondazione.xlsx", "14/03/2026 09:26:53 UTC", "auditor test-1.2", string(rep.RulePack),
		a.Scorers[rep.RulePack].Pack().Digest(), "lettura coerente", "E-1", "I-2",
	} {
		if !strings.Contains(all, testkit.Squash(want)) {
			t.Errorf("verbale without %q", want)
		}
	}
	// Page 1: each course's total and band.
	first := testkit.Squash(pages[0])
	for _, c := range rep.Courses {
		if !strings.Contains(first, c.Code) {
			t.Errorf("page 1 without course %s", c.Code)
		}
		if c.Total != nil {
			row := regexp.MustCompile(regexp.QuoteMeta(c.Code) + `.*?` + regexp.QuoteMeta(it(*c.Total, 2)) + ` ` + regexp.QuoteMeta(*c.Band))
			if !row.MatchString(first) {
				t.Errorf("page 1: course %s without total %s and band %s", c.Code, it(*c.Total, 2), *c.Band)
			}
		}
	}
	// Per course, every articulation's R, S, P, weight and points.
	for _, c := range rep.Courses {
		for _, ar := range c.Articulations {
			if ar.Result == nil || ar.Score == nil || ar.Points == nil {
				continue
			}
			line := fmt.Sprintf("R = %s · S = ", it(*ar.Result, 2))
			if ar.Threshold != nil {
				line += it(*ar.Threshold, 2)
			} else {
				line += "—"
			}
			line += fmt.Sprintf(" · P = %s · peso %s · punti %s", it(*ar.Score, 2), strconv.FormatFloat(ar.Weight, 'f', -1, 64), it(*ar.Points, 3))
			line = strings.Replace(line, "peso 17.5", "peso 17,5", 1)
			if !strings.Contains(all, line) {
				t.Errorf("course %s articulation %d: no «%s»", c.Code, ar.Number, line)
			}
		}
	}
	// Every finding's message appears (words may wrap across lines).
	for _, c := range rep.Courses {
		for _, f := range c.Findings {
			words := strings.Fields(f.Message)
			if len(words) > 3 && !strings.Contains(all, strings.Join(words[:3], " ")) {
				t.Errorf("course %s: finding %s missing", c.Code, f.Rule)
			}
		}
	}
}

// TestSubstitute checks the formula with its values, by hand.
func TestSubstitute(t *testing.T) {
	cases := []struct {
		formula string
		values  map[string]float64
		result  float64
		prec    int
		want    string
	}{
		{"P = 60 × R^1.3 / S^1.3", map[string]float64{"R": 16.1, "S": 19.1}, 48.048685, 2, "P = 60 × 16,1^1,3 / 19,1^1,3 = 48,05"},
		{"R14 = occupati_coerenti × 1 + occupati_non_coerenti × 0.3", map[string]float64{"occupati_coerenti": 15, "occupati_non_coerenti": 2}, 15.6, 2, "R14 = 15 × 1 + 2 × 0,3 = 15,60"},
		{"punti = peso × P / 100", map[string]float64{"peso": 17.5, "P": 48.04868}, 8.4085199, 3, "punti = 17,5 × 48,0487 / 100 = 8,409"},
		{"somma dei punti", nil, -0.5, 2, "somma dei punti = −0,50"},
	}
	for _, c := range cases {
		if got := Substitute(c.formula, c.values, c.result, c.prec); got != c.want {
			t.Errorf("Substitute(%q) = %q, want %q", c.formula, got, c.want)
		}
	}
}

// TestRenderPagesToPNG renders one page of each kind (first page, method,
// course, findings) to PNG in the test artifacts.
func TestRenderPagesToPNG(t *testing.T) {
	bin := testkit.Program(t, testkit.PopplerEnv, "pdftoppm", "poppler-utils")
	a, rep := auditExample(t, "esempio-fondazione.xlsx")
	pdf, err := Render(FromAudit(a, rep, when))
	if err != nil {
		t.Fatal(err)
	}
	dir := testkit.ArtifactDir(t, "verbale")
	path := filepath.Join(dir, "verbale.pdf")
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	pages := pdfPages(t, pdf)
	kinds := map[string]int{}
	for i, p := range pages {
		for kind, marker := range map[string]string{"esito": "Esito", "metodo": "Errata applicati", "percorso": "Calcolo di ogni articolazione", "rilievi": "Rilievi sul file"} {
			if _, ok := kinds[kind]; !ok && strings.Contains(p, marker) {
				kinds[kind] = i + 1
			}
		}
	}
	for _, kind := range []string{"esito", "metodo", "percorso", "rilievi"} {
		n, ok := kinds[kind]
		if !ok {
			t.Errorf("no page of kind %s", kind)
			continue
		}
		out, err := testkit.Command(t, time.Minute, bin, "-png", "-r", "80", "-f", fmt.Sprint(n), "-l", fmt.Sprint(n), "-singlefile", path, filepath.Join(dir, kind)).CombinedOutput()
		if err != nil {
			t.Fatalf("pdftoppm page %d: %v %s", n, err, out)
		}
		if st, err := os.Stat(filepath.Join(dir, kind+".png")); err != nil || st.Size() < 5000 {
			t.Errorf("page %s: PNG missing or empty (%v)", kind, err)
		}
	}
}

// TestRenderOddInputs renders the other examples and text the font cannot
// show (emoji, controls, a word longer than a line, arrows) without error.
func TestRenderOddInputs(t *testing.T) {
	for _, name := range []string{"esempio-incoerente.xlsx", "esempio-casi-limite.xlsx"} {
		a, rep := auditExample(t, name)
		if _, err := Render(FromAudit(a, rep, when)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	long := strings.Repeat("x", 400)
	d := Doc{
		Foundation: Foundation{Code: "F\x00\t1", Name: "Fondazione 🎓 → «perché»"},
		FileName:   long + ".xlsx", FileSHA256: strings.Repeat("ab", 32), When: when,
		Courses: []Course{{Code: "C-1", Title: long, Findings: []Finding{{Severity: "error", Cell: "Percorsi!A1", Message: "riga\ncon a capo 🚫 " + long}}}},
	}
	pdf, err := Render(d)
	if err != nil {
		t.Fatal(err)
	}
	text := testkit.Squash(strings.Join(pdfPages(t, pdf), " "))
	if !strings.Contains(text, "Fondazione ? -> «perché»") {
		t.Errorf("missing glyphs not replaced as expected: %.300s", text)
	}
}
