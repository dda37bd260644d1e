package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/its-academy/auditor/batch/summary"
	"github.com/its-academy/auditor/testkit"
	"github.com/its-academy/auditor/xlsxio"
)

func postBatch(t *testing.T, base, query string, files []testkit.File) answer {
	t.Helper()
	body, ct := testkit.Multipart(t, nil, files...)
	return post(t, base+"/api/batch"+query, body, ct, nil)
}

func TestBatch(t *testing.T) {
	_, base := startServer(t, Config{ClientRate: -1})
	files := []testkit.File{
		{Name: "b.xlsx", Data: workbook(t, 4, "BETA", 1)},
		{Name: "a.xlsx", Data: workbook(t, 3, "ALFA", 2)},
		{Name: "cifrato.xlsx", Data: testkit.Testdata(t, "foreign/excelize-encryptAES.xlsx")},
		{Name: "a.xlsx", Data: workbook(t, 2, "GAMMA", 3)}, // same name, another file
	}
	a := postBatch(t, base, "", files)
	if a.status != http.StatusOK {
		t.Fatalf("status %d: %s", a.status, a.body)
	}
	var s summary.Summary
	if err := json.Unmarshal(a.body, &s); err != nil {
		t.Fatalf("summary is not JSON: %v", err)
	}
	if len(s.Courses) != 4+3+2 {
		t.Errorf("%d courses in the summary, want 9", len(s.Courses))
	}
	prefixes := map[string]int{}
	for _, c := range s.Courses {
		prefixes[strings.SplitN(c.Code, "-", 2)[0]]++
	}
	if prefixes["ALFA"] != 3 || prefixes["BETA"] != 4 || prefixes["GAMMA"] != 2 {
		t.Errorf("courses by workbook: %v", prefixes)
	}
	if len(s.Excluded) != 1 || s.Excluded[0].Name != "cifrato.xlsx" || !strings.Contains(s.Excluded[0].Reason, "password") {
		t.Errorf("excluded: %+v", s.Excluded)
	}
	// The order of the uploads does not change the summary.
	rev := []testkit.File{files[2], files[0], files[1], files[3]}
	b := postBatch(t, base, "", rev)
	var s2 summary.Summary
	if err := json.Unmarshal(b.body, &s2); err != nil {
		t.Fatal(err)
	}
	c1, _ := json.Marshal(s.Courses)
	c2, _ := json.Marshal(s2.Courses)
	if !bytes.Equal(stripFileNames(c1), stripFileNames(c2)) {
		t.Errorf("the summary depends on the upload order")
	}

	x := postBatch(t, base, "?format=xlsx", files)
	if x.status != http.StatusOK || x.header.Get("Content-Type") != MIMEXLSX || !strings.Contains(x.header.Get("Content-Disposition"), "riepilogo") {
		t.Fatalf("xlsx summary: %d %v", x.status, x.header)
	}
	f := testkit.OpenWorkbook(t, x.body)
	rows, err := f.GetRows(xlsxio.SummarySheetCourses)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < 10 {
		t.Errorf("summary workbook has %d course rows", len(rows))
	}
	excluded, err := f.GetRows(xlsxio.SummarySheetExcluded)
	if err != nil || !strings.Contains(fmt.Sprint(excluded), "cifrato.xlsx") {
		t.Errorf("excluded sheet: %v %v", excluded, err)
	}
}

// stripFileNames removes the names the server gave to same-named uploads,
// which follow the upload order by design.
func stripFileNames(b []byte) []byte {
	return bytes.ReplaceAll(b, []byte("a.xlsx (2)"), []byte("a.xlsx"))
}

func TestBatchErrors(t *testing.T) {
	_, base := startServer(t, Config{ClientRate: -1, MaxUpload: 200 << 10, MaxBatchFiles: 3, MaxBatchBytes: 400 << 10})
	small := testkit.Testdata(t, "esempio-fondazione.xlsx")
	big := append(bytes.Clone(small), make([]byte, 250<<10)...)
	for _, tc := range []struct {
		name   string
		files  []testkit.File
		status int
		msg    string
	}{
		{"no files", nil, 400, "Nessun file"},
		{"too many files", []testkit.File{{Name: "1.xlsx", Data: small}, {Name: "2.xlsx", Data: small}, {Name: "3.xlsx", Data: small}, {Name: "4.xlsx", Data: small}}, 413, "al massimo 3"},
		{"one file too large", []testkit.File{{Name: "grande.xlsx", Data: big}}, 413, "grande.xlsx"},
		{"all together too large", []testkit.File{{Name: "1.xlsx", Data: append(bytes.Clone(small), make([]byte, 150<<10)...)}, {Name: "2.xlsx", Data: append(bytes.Clone(small), make([]byte, 150<<10)...)}, {Name: "3.xlsx", Data: append(bytes.Clone(small), make([]byte, 150<<10)...)}}, 413, "400 kB"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := postBatch(t, base, "", tc.files)
			if a.status != tc.status {
				t.Fatalf("status %d, want %d: %s", a.status, tc.status, a.body)
			}
			if e := a.apiError(t); !strings.Contains(e.Message, tc.msg) {
				t.Errorf("message %q should mention %q", e.Message, tc.msg)
			}
		})
	}
	if a := post(t, base+"/api/batch", bytes.NewReader(small), MIMEXLSX, nil); a.status != 400 {
		t.Errorf("raw body to /api/batch: %d", a.status)
	}
}
