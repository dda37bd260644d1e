package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/its-academy/auditor/batch/summary"
	"github.com/its-academy/auditor/compute"
	"github.com/its-academy/auditor/testkit"
	"github.com/its-academy/auditor/xlsxio"
	"github.com/xuri/excelize/v2"
)

// TestInfoBands: the bands of /api/info are the pack's, with the totals
// where they change found from the pack's own conditions.
func TestInfoBands(t *testing.T) {
	tests := []struct {
		name  string
		bands compute.Bands
		cuts  []float64
		rows  []InfoBand
	}{
		{
			name: "decree's bands",
			bands: compute.Bands{Rows: []compute.Band{
				{Code: "escluso", When: "T < 50", Label: "sotto"},
				{Code: "miglioramento", When: "50 ≤ T < 60", Label: "tra"},
				{Code: "adeguato", When: "T ≥ 60", Label: "sopra"},
			}},
			cuts: []float64{50, 60},
			rows: []InfoBand{
				{Code: "escluso", When: "T < 50", Label: "sotto", From: 0, To: 50},
				{Code: "miglioramento", When: "50 ≤ T < 60", Label: "tra", From: 50, To: 60},
				{Code: "adeguato", When: "T ≥ 60", Label: "sopra", From: 60, To: 100},
			},
		},
		{
			name: "two bands, cut between scan steps, listed out of order",
			bands: compute.Bands{Rows: []compute.Band{
				{Code: "alto", When: "T > 42.1", Label: "alto"},
				{Code: "basso", When: "T ≤ 42.1", Label: "basso"},
			}},
			cuts: []float64{42.1},
			rows: []InfoBand{
				{Code: "basso", When: "T ≤ 42.1", Label: "basso", From: 0, To: 42.1},
				{Code: "alto", When: "T > 42.1", Label: "alto", From: 42.1, To: 100},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := infoBands(tt.bands, compute.Scale{Min: 0, Max: 100})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.Cuts, tt.cuts) || !reflect.DeepEqual(got.Rows, tt.rows) {
				t.Errorf("got cuts %v rows %+v\nwant cuts %v rows %+v", got.Cuts, got.Rows, tt.cuts, tt.rows)
			}
		})
	}
	if _, err := infoBands(compute.Bands{Rows: []compute.Band{{Code: "x", When: "T <"}}}, compute.Scale{Min: 0, Max: 100}); err == nil {
		t.Error("a band with a broken condition gave no error")
	}

	_, base := startServer(t, Config{ClientRate: -1})
	req, _ := http.NewRequest(http.MethodGet, base+"/api/info", nil)
	a := do(t, nil, req)
	var info Info
	if err := json.Unmarshal(a.body, &info); err != nil || info.Bands == nil {
		t.Fatalf("/api/info: %v %s", err, a.body)
	}
	if !reflect.DeepEqual(info.Bands.Cuts, []float64{50, 60}) || len(info.Bands.Rows) != 3 ||
		info.Bands.Rows[0].Code != "escluso" || info.Bands.Rows[2].Code != "adeguato" || info.Bands.Citation == "" {
		t.Errorf("/api/info bands: %+v", info.Bands)
	}
}

// TestTemplateDownload: GET /modello.xlsx is the blank workbook that
// `auditor template` writes (xlsxio.Template of the same pack), byte for
// byte, and has the official sheets.
func TestTemplateDownload(t *testing.T) {
	srv, base := startServer(t, Config{ClientRate: -1})
	req, _ := http.NewRequest(http.MethodGet, base+"/modello.xlsx", nil)
	a := do(t, nil, req)
	if a.status != http.StatusOK || a.header.Get("Content-Type") != MIMEXLSX ||
		!strings.Contains(a.header.Get("Content-Disposition"), `filename="official-workbook.xlsx"`) {
		t.Fatalf("GET /modello.xlsx: %d %v", a.status, a.header)
	}
	f, err := xlsxio.Template(srv.currentPack())
	if err != nil {
		t.Fatal(err)
	}
	want, err := f.WriteToBuffer()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.body, want.Bytes()) {
		t.Error("GET /modello.xlsx differs from xlsxio.Template of the current pack")
	}
	wb := testkit.OpenWorkbook(t, a.body)
	committed, err := excelize.OpenFile(filepath.Join("..", "templates", "official-workbook.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer committed.Close()
	if got, want := wb.GetSheetList(), committed.GetSheetList(); !reflect.DeepEqual(got, want) {
		t.Errorf("sheets %v, committed template %v", got, want)
	}
	gotRows, _ := wb.GetRows("Percorsi")
	wantRows, _ := committed.GetRows("Percorsi")
	if len(gotRows) < 2 || !reflect.DeepEqual(gotRows[:2], wantRows[:2]) {
		t.Errorf("Percorsi heads %v, committed %v", gotRows, wantRows)
	}
}

// TestBatchZip: format=zip answers one archive with the summary (xlsx,
// PDF, JSON) and one audited copy per audited workbook, the summary's
// links pointing at the copies; a duplicate and an unreadable file have no
// copy; over the ZIP budget the answer is 413; /api/audit refuses zip.
func TestBatchZip(t *testing.T) {
	_, base := startServer(t, Config{ClientRate: -1})
	a1 := workbook(t, 3, "ALFA", 2)
	files := []testkit.File{
		{Name: "alfa.xlsx", Data: a1},
		{Name: "beta.xlsx", Data: workbook(t, 2, "BETA", 1)},
		{Name: "alfa (1).xlsx", Data: a1}, // identical to alfa.xlsx
		{Name: "cifrato.xlsx", Data: testkit.Testdata(t, "foreign/excelize-encryptAES.xlsx")},
	}
	a := postBatch(t, base, "?format=zip", files)
	if a.status != http.StatusOK || a.header.Get("Content-Type") != MIMEZIP ||
		!strings.Contains(a.header.Get("Content-Disposition"), "verifica-regionale.zip") {
		t.Fatalf("status %d %v: %.300s", a.status, a.header, a.body)
	}
	entries := map[string][]byte{}
	var names []string
	for _, f := range testkit.Unzip(t, a.body) {
		entries[f.Name] = f.Data
		names = append(names, f.Name)
	}
	// The copies come as they are audited, then the summary.
	want := []string{"copie/alfa-verificato.xlsx", "copie/beta-verificato.xlsx",
		"riepilogo-verifica.xlsx", "riepilogo-verifica.pdf", "riepilogo-verifica.json"}
	if !reflect.DeepEqual(names, want) {
		t.Fatalf("ZIP entries %v, want %v", names, want)
	}
	if !bytes.HasPrefix(entries["riepilogo-verifica.pdf"], []byte("%PDF-")) {
		t.Error("riepilogo-verifica.pdf is not a PDF")
	}
	var s summary.Summary
	if err := json.Unmarshal(entries["riepilogo-verifica.json"], &s); err != nil || len(s.Courses) != 5 {
		t.Errorf("summary JSON: %v, %d courses (want 3+2)", err, len(s.Courses))
	}
	for _, c := range s.Courses {
		if want := "copie/" + strings.TrimSuffix(c.File, ".xlsx") + "-verificato.xlsx"; c.Link != want {
			t.Errorf("course %s of %s links %q, want %q", c.Code, c.File, c.Link, want)
		}
	}
	copyWB := testkit.OpenWorkbook(t, entries["copie/beta-verificato.xlsx"])
	if idx, _ := copyWB.GetSheetIndex("Esito"); idx < 0 {
		t.Errorf("the audited copy has no Esito sheet: %v", copyWB.GetSheetList())
	}

	// The budget: a copy past it before the answer's first bytes is a
	// clean 413; past it once the first copy is sent, the answer is cut
	// (the copies are streamed), never a whole-looking archive.
	one := int64(len(entries["copie/beta-verificato.xlsx"]))
	if one <= streamBuffer {
		t.Fatalf("a copy of %d bytes fits in the answer's buffer: the cut is not tested", one)
	}
	_, small := startServer(t, Config{ClientRate: -1}, func(s *Server) { s.zipLimit = one / 2 })
	over := postBatch(t, small, "?format=zip", files[:2])
	if over.status != http.StatusRequestEntityTooLarge || over.apiError(t).Code != CodeTooLarge ||
		!strings.Contains(over.apiError(t).Message, "ZIP") {
		t.Errorf("over the ZIP budget: %d %s", over.status, over.body)
	}
	_, cut := startServer(t, Config{ClientRate: -1}, func(s *Server) { s.zipLimit = one + one/2 })
	body, ctype := testkit.Multipart(t, nil, files[:2]...)
	req, _ := http.NewRequest(http.MethodPost, cut+"/api/batch?format=zip", body)
	req.Header.Set("Content-Type", ctype)
	if got, err := send(nil, req); got.status != http.StatusOK || err == nil {
		t.Errorf("past the ZIP budget after the first copy: %d, %v; want a cut transfer", got.status, err)
	}
	if got := (&Server{cfg: Config{MaxBatchBytes: 1 << 20, MaxBatchRows: 100}}).zipBudget(); got != 2<<20+100*8<<10+16<<20 {
		t.Errorf("zip budget %d, want 2 MiB + 100 × 8 KiB + 16 MiB", got)
	}

	if a := postFile(t, base, "?format=zip", "alfa.xlsx", a1, nil); a.status != http.StatusBadRequest || a.apiError(t).Code != CodeBadRequest {
		t.Errorf("/api/audit format=zip: %d %s", a.status, a.body)
	}
}
