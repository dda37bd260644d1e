package server

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/its-academy/auditor/testkit"
	"github.com/xuri/excelize/v2"
)

// tiltedSoglie is the bundled example with S1 lowered in its Soglie sheet,
// as a foundation would to raise its score.
func tiltedSoglie(t *testing.T) []byte {
	t.Helper()
	return testkit.EditWorkbook(t, testkit.Testdata(t, "esempio-fondazione.xlsx"), func(f *excelize.File) error {
		return testkit.SetFields(f, "Soglie", map[string]any{"S1": 30})
	})
}

// TestAPIChoices: the default reading is tables, an erratum and the
// auditor's thresholds are taken from the query or the multipart fields,
// a tilted Soglie sheet is a violation and ignored unless
// workbook_thresholds=1; bad choices are 400 naming them.
func TestAPIChoices(t *testing.T) {
	_, base := startServer(t, Config{Version: "test"})
	data := tiltedSoglie(t)

	rep := postFile(t, base, "", "f.xlsx", data, nil).report(t)
	if rep.Reading != "tables" || rep.Errata["E-2"] != "printed" || len(rep.RulePackSHA256) != 64 {
		t.Fatalf("reading %s errata %v sha %q", rep.Reading, rep.Errata, rep.RulePackSHA256)
	}
	violation := false
	for _, f := range rep.Findings {
		violation = violation || (f.Rule == "SOG-VALORE-MODIFICATO" && f.Severity == "violation")
	}
	if !violation {
		t.Error("lowered S1 is not a violation")
	}
	thr := func(q string) float64 {
		r := postFile(t, base, q, "f.xlsx", data, nil).report(t)
		return *r.Courses[0].Articulations[0].Threshold
	}
	if got := thr(""); got != 51.6 {
		t.Errorf("S1 = %v, want the decree's 51.6", got)
	}
	if got := thr("?workbook_thresholds=1"); got != 30 {
		t.Errorf("what-if S1 = %v, want the sheet's 30", got)
	}
	if got := thr("?thresholds=" + url.QueryEscape(`{"S1": 45}`)); got != 45 {
		t.Errorf("auditor S1 = %v, want 45", got)
	}
	rep = postFile(t, base, "?erratum=E-2%3Dcoherent", "f.xlsx", data, nil).report(t)
	if rep.Errata["E-2"] != "coherent" || rep.Reading != "tables" {
		t.Errorf("erratum from the query: %s %v", rep.Reading, rep.Errata)
	}

	// The same as multipart fields, thresholds as a part.
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "f.xlsx")
	fw.Write(data)
	mw.WriteField("erratum", "E-1=printed")
	mw.WriteField("thresholds", `{"S1": 40.5}`)
	mw.Close()
	rep = post(t, base+"/api/audit", &body, mw.FormDataContentType(), nil).report(t)
	if rep.Errata["E-1"] != "printed" || *rep.Courses[0].Articulations[0].Threshold != 40.5 {
		t.Errorf("multipart fields: errata %v, S1 %v", rep.Errata, *rep.Courses[0].Articulations[0].Threshold)
	}
	for _, th := range rep.Thresholds {
		if th.Code == "S1" && th.Source != "auditor" {
			t.Errorf("S1 source %s", th.Source)
		}
	}

	for q, want := range map[string]string{
		"?reading=creative":                             "«reading»",
		"?erratum=E-2":                                  "«erratum»",
		"?erratum=E-9%3Dcoherent":                       "E-9",
		"?thresholds=" + url.QueryEscape(`{"S77": 1}`):  "S77",
		"?thresholds=" + url.QueryEscape(`{"S1": 150}`): "S1",
		"?thresholds=" + url.QueryEscape(`{"S1": "x"}`): "«thresholds»",
		"?workbook_thresholds=forse":                    "«workbook_thresholds»",
	} {
		a := postFile(t, base, q, "f.xlsx", data, nil)
		var e APIError
		_ = json.Unmarshal(a.body, &e)
		if a.status != http.StatusBadRequest || !strings.Contains(e.Message, want) {
			t.Errorf("%s: %d %s, want 400 naming %s", q, a.status, a.body, want)
		}
	}
}

// TestAPIVerify: an untouched copy is conforming, an edited one names the
// cell, a workbook that is not an audited copy is 422 not_audited.
func TestAPIVerify(t *testing.T) {
	_, base := startServer(t, Config{Version: "test"})
	copyData := postFile(t, base, "?format=xlsx", "f.xlsx", testkit.Testdata(t, "esempio-fondazione.xlsx"), nil)
	if copyData.status != http.StatusOK {
		t.Fatalf("audit: %d %s", copyData.status, copyData.body)
	}
	verify := func(data []byte) (int, VerifyAnswer, []byte) {
		body, ct := multipartBody(t, "copia.xlsx", data, nil)
		a := post(t, base+"/api/verify", body, ct, nil)
		var v VerifyAnswer
		_ = json.Unmarshal(a.body, &v)
		return a.status, v, a.body
	}
	if st, v, body := verify(copyData.body); st != http.StatusOK || !v.Conforming || v.Verification == nil || v.Checked == 0 {
		t.Fatalf("untouched copy: %d %s", st, body)
	}
	f, _ := excelize.OpenReader(bytes.NewReader(copyData.body))
	f.SetCellValue("Esito", "G3", 12.5)
	var buf bytes.Buffer
	f.Write(&buf)
	f.Close()
	st, v, body := verify(buf.Bytes())
	if st != http.StatusOK || v.Conforming || v.Verification == nil || len(v.Differences) == 0 || v.Differences[0].Cell != "G3" {
		t.Errorf("edited copy: %d %s", st, body)
	}
	st, _, body = verify(testkit.Testdata(t, "esempio-fondazione.xlsx"))
	if st != http.StatusUnprocessableEntity || !strings.Contains(string(body), "not_audited") {
		t.Errorf("original workbook: %d %s", st, body)
	}
}
