package xlsxio

import (
	"testing"

	"github.com/its-academy/auditor/compute"
	"github.com/its-academy/auditor/internal/xlsx"
	"github.com/its-academy/auditor/validate"
)

// TestReadSharedFormula: a formula filled down in Excel is stored once and
// shared; the reader gives each cell its own formula.
func TestReadSharedFormula(t *testing.T) {
	data := buildOfficial(t, officialFixture{version: validate.TemplateVersion, codes: fullCodes(),
		courses: map[int]map[string]any{3: {"codice_percorso": "P-01"}, 4: {"codice_percorso": "P-02"}}})
	iscritti := letterOf(t, fullCodes(), "iscritti")
	// The rows hold only the code (column A): the formulas go after it.
	data = patchZip(t, data, sheetPartOf(t, data, validate.SheetCourses), func(s string) string {
		s = replaceOnce(t, s, `</row><row r="4"`, `<c r="`+iscritti+`3"><f t="shared" ref="`+iscritti+`3:`+iscritti+`4" si="0">F3*2</f><v>10</v></c></row><row r="4"`)
		return replaceOnce(t, s, `</row></sheetData>`, `<c r="`+iscritti+`4"><f t="shared" si="0"/></c></row></sheetData>`)
	})
	wb := mustOpen(t, data, "condivisa.xlsx")
	c := wb.Input.Courses
	if len(c) != 2 {
		t.Fatalf("%d courses", len(c))
	}
	if e := c[0].Entries["iscritti"]; e.Formula != "F3*2" || e.Text != "10" || e.NoCache {
		t.Errorf("first cell %+v", e)
	}
	if e := c[1].Entries["iscritti"]; e.Formula != "F4*2" || !e.NoCache {
		t.Errorf("filled cell %+v, want formula F4*2 without cached value", e)
	}
}

// TestWriteFormulaTemplates: each articulation's formula rendered once with
// markers and filled gives the text compute renders directly.
func TestWriteFormulaTemplates(t *testing.T) {
	reg, err := compute.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	ref := func(name string) string {
		switch name {
		case "R":
			return "C12"
		case "S":
			return "D12"
		}
		return "IF(ISNUMBER(Percorsi!" + name + "),Percorsi!" + name + ",1.5)"
	}
	n := 0
	for _, p := range reg.Packs() {
		for _, rd := range []compute.Reading{compute.ReadingCoherent, compute.ReadingLiteral} {
			sc, err := compute.NewScorer(p, compute.Options{Reading: rd})
			if err != nil {
				t.Fatal(err)
			}
			for i := range p.Articulations {
				a := &p.Articulations[i]
				for _, render := range []func(compute.Resolver) string{
					func(r compute.Resolver) string { return sc.ResultFormula(a, r) },
					func(r compute.Resolver) string { return sc.ScoreFormula(a, r) },
				} {
					want := string(xlsx.AppendCellText(nil, render(ref)))
					got, _ := xlsx.NewFormulaTemplate(func(r func(string) string) string { return render(r) }).AppendXML(nil, nil, ref)
					if string(got) != want {
						t.Errorf("%s art. %d: template gives\n%s\nwant\n%s", rd, a.Number, got, want)
					}
					n++
				}
			}
		}
	}
	if n < 32 {
		t.Errorf("only %d formulas compared", n)
	}
}
