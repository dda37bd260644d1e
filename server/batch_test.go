package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/its-academy/auditor/xlsxio"
	"github.com/xuri/excelize/v2"
)

type namedFile struct {
	name string
	data []byte
}

func postBatch(t *testing.T, base, query string, files []namedFile) answer {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, f := range files {
		w, err := mw.CreateFormFile("file", f.name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(f.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, base+"/api/batch"+query, &buf)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return do(t, nil, req)
}

func TestBatch(t *testing.T) {
	_, base := startServer(t, Config{ClientRate: -1})
	files := []namedFile{
		{"b.xlsx", workbook(t, 4, "BETA", 1)},
		{"a.xlsx", workbook(t, 3, "ALFA", 2)},
		{"cifrato.xlsx", testdata(t, "foreign/excelize-encryptAES.xlsx")},
		{"a.xlsx", workbook(t, 2, "GAMMA", 3)}, // same name, another file
	}
	a := postBatch(t, base, "", files)
	if a.status != http.StatusOK {
		t.Fatalf("status %d: %s", a.status, a.body)
	}
	var s xlsxio.Summary
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
	rev := []namedFile{files[2], files[0], files[1], files[3]}
	b := postBatch(t, base, "", rev)
	var s2 xlsxio.Summary
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
	f, err := excelize.OpenReader(bytes.NewReader(x.body))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
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
	small := testdata(t, "esempio-fondazione.xlsx")
	big := append(bytes.Clone(small), make([]byte, 250<<10)...)
	for _, tc := range []struct {
		name   string
		files  []namedFile
		status int
		msg    string
	}{
		{"no files", nil, 400, "Nessun file"},
		{"too many files", []namedFile{{"1.xlsx", small}, {"2.xlsx", small}, {"3.xlsx", small}, {"4.xlsx", small}}, 413, "al massimo 3"},
		{"one file too large", []namedFile{{"grande.xlsx", big}}, 413, "grande.xlsx"},
		{"all together too large", []namedFile{{"1.xlsx", append(bytes.Clone(small), make([]byte, 150<<10)...)}, {"2.xlsx", append(bytes.Clone(small), make([]byte, 150<<10)...)}, {"3.xlsx", append(bytes.Clone(small), make([]byte, 150<<10)...)}}, 413, "400 kB"},
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
	req, _ := http.NewRequest(http.MethodPost, base+"/api/batch", bytes.NewReader(small))
	req.Header.Set("Content-Type", MIMEXLSX)
	if a := do(t, nil, req); a.status != 400 {
		t.Errorf("raw body to /api/batch: %d", a.status)
	}
}
