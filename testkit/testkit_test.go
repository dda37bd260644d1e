package testkit

import (
	"io"
	"mime"
	"mime/multipart"
	"os"
	"path/filepath"
	"testing"
)

func TestRequired(t *testing.T) {
	const env = "AUDITOR_TESTKIT_PROBE"
	for _, tc := range []struct {
		value string
		want  bool
	}{{"", false}, {"0", false}, {"1", true}, {"yes", true}} {
		t.Setenv(env, tc.value)
		if got := Required(env); got != tc.want {
			t.Errorf("Required with %s=%q = %v, want %v", env, tc.value, got, tc.want)
		}
	}
}

func TestRootAndTestdata(t *testing.T) {
	root := Root(t)
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("Root %s has no go.mod", root)
	}
	if filepath.Base(filepath.Dir(TestdataPath(t, "foreign/x.xlsx"))) != "foreign" {
		t.Errorf("TestdataPath keeps no folder: %s", TestdataPath(t, "foreign/x.xlsx"))
	}
}

// TestMultipart reads back the body with the standard library's reader:
// the field first, then the files in order, all in parts named "file".
func TestMultipart(t *testing.T) {
	body, ct := Multipart(t, map[string]string{"reading": "tables"},
		File{Name: "a.xlsx", Data: []byte("AAA")}, File{Name: "b.xlsx", Data: []byte("B")})
	_, params, err := mime.ParseMediaType(ct)
	if err != nil {
		t.Fatal(err)
	}
	r := multipart.NewReader(body, params["boundary"])
	want := []struct{ form, file, data string }{{"reading", "", "tables"}, {"file", "a.xlsx", "AAA"}, {"file", "b.xlsx", "B"}}
	for _, w := range want {
		p, err := r.NextPart()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(p)
		if err != nil {
			t.Fatal(err)
		}
		if p.FormName() != w.form || p.FileName() != w.file || string(data) != w.data {
			t.Errorf("part %q %q %q, want %+v", p.FormName(), p.FileName(), data, w)
		}
	}
	if _, err := r.NextPart(); err != io.EOF {
		t.Errorf("after the last file: %v, want EOF", err)
	}
}
