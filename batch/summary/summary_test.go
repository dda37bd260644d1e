package summary

import (
	"strings"
	"testing"
)

// TestJSON: the JSON form is indented, keeps «<» and «>» as they are, and
// writes absent numbers as null and empty lists as [].
func TestJSON(t *testing.T) {
	s := &Summary{Format: Format, Courses: []Course{{Code: "P-01", Note: "iscritti < 20", Indicators: []*float64{nil}}}, Notes: []string{}}
	got, err := s.JSON()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"{\n  \"format\": \"riepilogo-1\",",
		`"note": "iscritti < 20"`,
		`"total": null`,
		"\"indicators\": [\n        null\n      ]",
		`"notes": []`,
	} {
		if !strings.Contains(string(got), want) {
			t.Errorf("JSON lacks %q:\n%s", want, got)
		}
	}
}
