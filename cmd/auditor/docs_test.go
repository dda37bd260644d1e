package main

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/its-academy/auditor/testkit"
)

// zipText returns every part of an xlsx file, concatenated.
func zipText(t *testing.T, data []byte) []byte {
	t.Helper()
	var all []byte
	for _, f := range testkit.Unzip(t, data) {
		all = append(all, f.Data...)
	}
	return all
}

// TestCitesOnlyShippedDocuments: what users see (findings, notes, the
// rules, the template, the audited copies, the reports) cites the
// product's own documents in docs/, never the specifications they do not
// have, and every document cited exists.
func TestCitesOnlyShippedDocuments(t *testing.T) {
	dir := t.TempDir()
	var texts [][]byte
	for _, name := range []string{"esempio-fondazione.xlsx", "esempio-incoerente.xlsx", "esempio-casi-limite.xlsx"} {
		copyPath, rep := filepath.Join(dir, name), filepath.Join(dir, name+".json")
		if code, _, errOut := run(t, "audit", filepath.Join("..", "..", "testdata", name), "-o", copyPath, "--json", rep, "--quiet"); code != exitOK {
			t.Fatalf("%s: %s", name, errOut)
		}
		texts = append(texts, zipText(t, readFile(t, copyPath)), readFile(t, rep))
	}
	_, show, _ := run(t, "rules", "show")
	_, raw, _ := run(t, "rules", "show", "--json")
	texts = append(texts, []byte(show), []byte(raw), zipText(t, readFile(t, filepath.Join("..", "..", "templates", "official-workbook.xlsx"))))
	cited := map[string]bool{}
	for _, b := range texts {
		if m := regexp.MustCompile(`(WORKBOOK|RULES)\.md`).Find(b); m != nil {
			t.Errorf("a user-facing text cites %s", m)
		}
		for _, m := range regexp.MustCompile(`docs/[a-z]+\.md`).FindAll(b, -1) {
			cited[string(m)] = true
		}
	}
	for _, want := range []string{"docs/modello.md", "docs/regole.md"} {
		if !cited[want] {
			t.Errorf("nothing cites %s", want)
		}
	}
	for doc := range cited {
		if _, err := os.Stat(filepath.Join("..", "..", doc)); err != nil {
			t.Errorf("%s is cited but not shipped: %v", doc, err)
		}
	}
}
