package server

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/its-academy/auditor/testkit"
)

// pdfText is the text of a PDF answer, words joined by one space.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	return testkit.Squash(testkit.PDFText(t, pdf))
}

func TestAuditFormatPDF(t *testing.T) {
	_, base := startServer(t, Config{Version: "test", ClientRate: -1})
	data := testkit.Testdata(t, "esempio-fondazione.xlsx")
	rep := postFile(t, base, "", "esempio-fondazione.xlsx", data, nil).report(t)

	cases := []struct {
		name  string
		query string
		field map[string]string
	}{
		{"query", "?format=pdf", nil},
		{"multipart field", "", map[string]string{"format": "pdf"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			body, ct := multipartBody(t, "esempio-fondazione.xlsx", data, c.field)
			req, err := http.NewRequest(http.MethodPost, base+"/api/audit"+c.query, body)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", ct)
			a := do(t, nil, req)
			if a.status != http.StatusOK {
				t.Fatalf("status %d: %s", a.status, a.body)
			}
			if got := a.header.Get("Content-Type"); got != MIMEPDF {
				t.Errorf("Content-Type %q", got)
			}
			if cd := a.header.Get("Content-Disposition"); !strings.Contains(cd, "esempio-fondazione-verbale.pdf") {
				t.Errorf("Content-Disposition %q", cd)
			}
			text := pdfText(t, a.body)
			if !strings.Contains(text, rep.FileSHA256) || !strings.Contains(text, "auditor test") || !strings.Contains(text, "Pagina 1 di ") {
				t.Error("verbale without the file's SHA-256, the version or the page numbers")
			}
			for _, rc := range rep.Courses {
				if rc.Total == nil {
					continue
				}
				want := strings.Replace(fmt.Sprintf("%.2f", *rc.Total), ".", ",", 1) + " " + *rc.Band
				if !strings.Contains(text, rc.Code) || !strings.Contains(text, want) {
					t.Errorf("verbale without course %s: %s", rc.Code, want)
				}
			}
		})
	}
	if a := postFile(t, base, "?format=doc", "x.xlsx", data, nil); a.status != http.StatusBadRequest || !strings.Contains(a.apiError(t).Message, "pdf") {
		t.Errorf("format=doc: %d %s", a.status, a.body)
	}
}

func TestBatchFormatPDF(t *testing.T) {
	_, base := startServer(t, Config{Version: "test", ClientRate: -1})
	a1, b1 := workbook(t, 3, "ALFA", 1), workbook(t, 2, "BETA", 2)
	a := postBatch(t, base, "?format=pdf", []testkit.File{{Name: "a.xlsx", Data: a1}, {Name: "b.xlsx", Data: b1}})
	if a.status != http.StatusOK {
		t.Fatalf("status %d: %s", a.status, a.body)
	}
	if a.header.Get("Content-Type") != MIMEPDF || !strings.Contains(a.header.Get("Content-Disposition"), "riepilogo-verifica.pdf") {
		t.Errorf("headers %v", a.header)
	}
	text := pdfText(t, a.body)
	for _, want := range []string{sha(a1), sha(b1), "ALFA-", "BETA-", "riepilogo regionale", "Pagina 1 di "} {
		if !strings.Contains(text, want) {
			t.Errorf("regional verbale without %q", want)
		}
	}
}
