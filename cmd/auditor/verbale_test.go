package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/its-academy/auditor/testkit"
)

// pdfText is the text of a PDF file, words joined by one space.
func pdfText(t *testing.T, path string) string {
	t.Helper()
	return testkit.Squash(testkit.PDFText(t, readFile(t, path)))
}

// itNum is a number with the Italian decimal comma, two decimals.
func itNum(v float64) string { return strings.Replace(fmt.Sprintf("%.2f", v), ".", ",", 1) }

func TestAuditWritesVerbalePDF(t *testing.T) {
	dir := t.TempDir()
	pdf := filepath.Join(dir, "verbale.pdf")
	rep := filepath.Join(dir, "report.json")
	code, _, stderr := run(t, "audit", "../../testdata/esempio-fondazione.xlsx", "-o", filepath.Join(dir, "v.xlsx"), "--json", rep, "--pdf", pdf)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var r struct {
		FileSHA256 string `json:"file_sha256"`
		Courses    []struct {
			Code  string   `json:"code"`
			Total *float64 `json:"total"`
			Band  *string  `json:"band"`
		} `json:"courses"`
	}
	if err := json.Unmarshal(readFile(t, rep), &r); err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, pdf)
	if !strings.Contains(text, "Verbale di verifica") || !strings.Contains(text, r.FileSHA256) || !strings.Contains(text, "Pagina 1 di ") {
		t.Errorf("verbale without title, file hash or page numbers")
	}
	for _, c := range r.Courses {
		if c.Total != nil && !strings.Contains(text, c.Code) || c.Total != nil && !strings.Contains(text, itNum(*c.Total)+" "+*c.Band) {
			t.Errorf("verbale without course %s's total %s", c.Code, itNum(*c.Total))
		}
	}
}

func TestAuditPDFUsage(t *testing.T) {
	dir := t.TempDir()
	code, _, stderr := run(t, "audit", "../../testdata/esempio-fondazione.xlsx", "-o", filepath.Join(dir, "v.xlsx"), "--pdf", filepath.Join(dir, "verbale.txt"))
	if code != exitCannotDo || !strings.Contains(stderr, ".pdf") {
		t.Errorf("exit %d, stderr %q: a --pdf that is not .pdf must be refused", code, stderr)
	}
}

func TestBatchWritesRegionalPDF(t *testing.T) {
	dir := t.TempDir()
	reg := filepath.Join(dir, "regione")
	writeFile(t, filepath.Join(reg, "a.xlsx"), example(t, "ITS-A", 2025))
	writeFile(t, filepath.Join(reg, "b.xlsx"), example(t, "ITS-B", 2025))
	pdf := filepath.Join(dir, "riepilogo.pdf")
	code, stdout, stderr := run(t, "audit", reg, "--summary", filepath.Join(dir, "riepilogo.xlsx"), "--pdf", pdf, "--out-dir", filepath.Join(dir, "copie"))
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	text := pdfText(t, pdf)
	for _, name := range []string{"a.xlsx", "b.xlsx"} {
		sum := sha256Hex(readFile(t, filepath.Join(reg, name)))
		if !strings.Contains(text, sum) {
			t.Errorf("regional verbale without %s's SHA-256 %s", name, sum)
		}
	}
	for _, want := range []string{"riepilogo regionale", "ITS-A", "ITS-B", "Regola dei tre anni", "Pagina 1 di "} {
		if !strings.Contains(text, want) {
			t.Errorf("regional verbale without %q", want)
		}
	}
}

func sha256Hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}
