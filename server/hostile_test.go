package server

import (
	"archive/zip"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/its-academy/auditor/batch/summary"
	"github.com/its-academy/auditor/testkit"
)

// TestDamagedStylesIs422: an empty styles part is a 422 "corrupt" in both
// formats; one without fonts or cell formats (readable for the report, a
// nil dereference in excelize) is a 422 for the copy, never a 500.
func TestDamagedStylesIs422(t *testing.T) {
	_, base := startServer(t, Config{})
	example := testkit.Testdata(t, "esempio-fondazione.xlsx")
	tests := []struct {
		styles, query string
	}{
		{"", ""},
		{"", "?format=xlsx"},
		{`<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>`, "?format=xlsx"},
	}
	for _, tt := range tests {
		data := testkit.ReplaceParts(t, example, map[string][]byte{"xl/styles.xml": []byte(tt.styles)})
		a := postFile(t, base, tt.query, "fondazione.xlsx", data, nil)
		if a.status != http.StatusUnprocessableEntity {
			t.Fatalf("styles %q %s: status %d", tt.styles, tt.query, a.status)
		}
		if e := a.apiError(t); e.Kind != "corrupt" {
			t.Errorf("styles %q %s: kind %q", tt.styles, tt.query, e.Kind)
		}
	}
}

// TestBatchIdenticalFilesCountedOnce: /api/batch skips a byte-identical
// upload (same name or not) with its twin's name; its courses count once.
func TestBatchIdenticalFilesCountedOnce(t *testing.T) {
	_, base := startServer(t, Config{ClientRate: -1})
	data := workbook(t, 4, "BETA", 1)
	a := postBatch(t, base, "", []testkit.File{{Name: "fondazione.xlsx", Data: data}, {Name: "fondazione (1).xlsx", Data: data}, {Name: "fondazione.xlsx", Data: data}})
	if a.status != http.StatusOK {
		t.Fatalf("status %d: %s", a.status, a.body)
	}
	var s summary.Summary
	if err := json.Unmarshal(a.body, &s); err != nil {
		t.Fatal(err)
	}
	if len(s.Courses) != 4 {
		t.Errorf("%d courses, want the 4 of one file", len(s.Courses))
	}
	if len(s.Excluded) != 2 {
		t.Fatalf("excluded %+v, want the two copies", s.Excluded)
	}
	for _, e := range s.Excluded {
		if !e.Skipped || !strings.Contains(e.Reason, "identico a «fondazione.xlsx»") {
			t.Errorf("excluded %+v", e)
		}
	}
}

// TestLyingPartRefusedInBothFormats: a part the report does not read
// whose checksum lies is a 422 "corrupt" for the JSON report as for the
// copy (the copy's writer reads every part).
func TestLyingPartRefusedInBothFormats(t *testing.T) {
	_, base := startServer(t, Config{})
	lying := testkit.Rezip(t, testkit.Testdata(t, "esempio-fondazione.xlsx"), func(zw *zip.Writer, f *zip.File) (bool, error) {
		if f.Name != "docProps/core.xml" {
			return false, nil
		}
		raw, err := f.OpenRaw()
		if err != nil {
			return true, err
		}
		h := f.FileHeader
		h.CRC32 ^= 1
		w, err := zw.CreateRaw(&h)
		if err != nil {
			return true, err
		}
		_, err = io.Copy(w, raw)
		return true, err
	}, nil)
	for _, query := range []string{"", "?format=xlsx"} {
		a := postFile(t, base, query, "fondazione.xlsx", lying, nil)
		if a.status != http.StatusUnprocessableEntity {
			t.Fatalf("%q: status %d", query, a.status)
		}
		if e := a.apiError(t); e.Kind != "corrupt" {
			t.Errorf("%q: kind %q", query, e.Kind)
		}
	}
}

// TestContentDispositionWithoutBidiControls: the copy's name drops the
// direction controls of the uploaded name.
func TestContentDispositionWithoutBidiControls(t *testing.T) {
	_, base := startServer(t, Config{})
	a := postFile(t, base, "?format=xlsx", "fattura\u202Eslx.xlsx", testkit.Testdata(t, "esempio-fondazione.xlsx"), nil)
	if a.status != http.StatusOK {
		t.Fatalf("status %d", a.status)
	}
	cd := a.header.Get("Content-Disposition")
	if strings.Contains(cd, "\u202E") || strings.Contains(strings.ToUpper(cd), "%E2%80%AE") || !strings.Contains(cd, "fatturaslx-verificato.xlsx") {
		t.Errorf("Content-Disposition %q", cd)
	}
}
