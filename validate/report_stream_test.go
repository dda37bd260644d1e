package validate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/its-academy/auditor/compute"
)

// decodeAny decodes JSON into generic values, numbers kept as written.
func decodeAny(t *testing.T, b []byte) any {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatalf("invalid JSON: %v\n%s", err, b)
	}
	if d.More() {
		t.Fatalf("more than one JSON value:\n%s", b)
	}
	return v
}

// The streamed report has the values of the whole one, compact or
// indented, for no course, one, and many (texts and columns are filled as
// the courses go by).
func TestWriteReportEqualsReport(t *testing.T) {
	many := []CourseRow{}
	for i := range 30 {
		e := map[compute.FieldCode]Entry{"codice_percorso": text(fmt.Sprintf("MEC-%02d", i))}
		if i%3 == 1 {
			e["ore_stage"] = num("3000")
		}
		if i%5 == 2 {
			e["livello_eqf"] = num("6")
		}
		many = append(many, row(3+i, with(e)))
	}
	cases := map[string]*Input{
		"none": input(),
		"one":  input(row(3, cleanCourse())),
		"many": input(many...),
	}
	for name, in := range cases {
		a := run(t, in, Options{Thresholds: map[string]float64{"S2": 70}})
		whole, err := json.Marshal(a.Report("1.2.3", ""))
		if err != nil {
			t.Fatal(err)
		}
		want := decodeAny(t, whole)
		for _, indent := range []bool{false, true} {
			var b bytes.Buffer
			if err := a.WriteReport(&b, "1.2.3", "", indent); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if got := decodeAny(t, b.Bytes()); !reflect.DeepEqual(got, want) {
				t.Errorf("%s (indent %v): the streamed report differs from the whole one\nstreamed: %s\nwhole:    %s", name, indent, b.Bytes(), whole)
			}
			if indent && !bytes.Contains(b.Bytes(), []byte("\n  \"courses\": [")) {
				t.Errorf("%s: not indented:\n%.300s", name, b.Bytes())
			}
			if !bytes.HasSuffix(b.Bytes(), []byte("}\n")) {
				t.Errorf("%s: does not end with }\\n", name)
			}
		}
	}
}

// failAfter accepts n bytes, then fails every write.
type failAfter struct {
	n      int
	writes int
}

var errGone = errors.New("client gone")

func (f *failAfter) Write(p []byte) (int, error) {
	f.writes++
	if len(p) > f.n {
		f.n = 0
		return 0, errGone
	}
	f.n -= len(p)
	return len(p), nil
}

// A writer that fails stops the report: the error is returned, and no
// course is encoded for it afterwards.
func TestWriteReportStopsOnWriteError(t *testing.T) {
	rows := []CourseRow{}
	for i := range 40 {
		rows = append(rows, row(3+i, with(map[compute.FieldCode]Entry{"codice_percorso": text(fmt.Sprintf("C%02d", i))})))
	}
	a := run(t, input(rows...), Options{Thresholds: map[string]float64{"S2": 70}})
	f := &failAfter{n: 3000}
	err := a.WriteReport(f, "v", "", false)
	if !errors.Is(err, errGone) {
		t.Fatalf("err = %v, want the writer's", err)
	}
	if f.writes > 12 {
		t.Errorf("%d writes after the first failure's neighbourhood: the report went on writing", f.writes)
	}
}
