package testkit

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
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

// TestServe: the server answers during the test and is stopped, and waited
// for, when the test ends.
func TestServe(t *testing.T) {
	var addr string
	t.Run("serving", func(t *testing.T) {
		ln, base := Listen(t)
		addr = ln.Addr().String()
		srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok") })}
		Serve(t, func(ctx context.Context) error {
			go func() { <-ctx.Done(); srv.Close() }()
			if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		})
		res, err := http.Get(base)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		if body, _ := io.ReadAll(res.Body); string(body) != "ok" {
			t.Errorf("answer %q", body)
		}
	})
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Error("the server still accepts connections after its test ended")
	}
}

// TestRezipUnzip: Zip writes the entries in order; Rezip (and ReplaceParts) copies the entries it is not asked to write,
// writes those edit asks for and adds more at the end; Unzip reads them
// back in order.
func TestRezipUnzip(t *testing.T) {
	src := Zip(t, []File{{Name: "a.xml", Data: []byte("<a/>")}, {Name: "b.xml", Data: []byte("<b/>")}})
	write := func(zw *zip.Writer, name, text string) error {
		w, err := zw.Create(name)
		if err != nil {
			return err
		}
		_, err = io.WriteString(w, text)
		return err
	}
	out := Rezip(t, src, func(zw *zip.Writer, f *zip.File) (bool, error) {
		if f.Name != "b.xml" {
			return false, nil
		}
		return true, write(zw, f.Name, "<B/>")
	}, func(zw *zip.Writer) error { return write(zw, "c.xml", "<c/>") })
	var got []string
	for _, f := range Unzip(t, out) {
		got = append(got, f.Name+"="+string(f.Data))
	}
	if want := "a.xml=<a/> b.xml=<B/> c.xml=<c/>"; strings.Join(got, " ") != want {
		t.Errorf("entries %q, want %q", got, want)
	}
	got = nil
	for _, f := range Unzip(t, ReplaceParts(t, out, map[string][]byte{"c.xml": []byte("<C/>")})) {
		got = append(got, f.Name+"="+string(f.Data))
	}
	if want := "a.xml=<a/> b.xml=<B/> c.xml=<C/>"; strings.Join(got, " ") != want {
		t.Errorf("after ReplaceParts: entries %q, want %q", got, want)
	}
}

// TestEditWorkbook: an edit is saved, and the workbook reopened shows it
// next to what was there.
func TestEditWorkbook(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetCellValue("Sheet1", "A1", "prima"); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	out := EditWorkbook(t, buf.Bytes(), func(f *excelize.File) error { return f.SetCellValue("Sheet1", "B2", 42) })
	g := OpenWorkbook(t, out)
	a1, _ := g.GetCellValue("Sheet1", "A1")
	b2, _ := g.GetCellValue("Sheet1", "B2")
	if a1 != "prima" || b2 != "42" {
		t.Errorf("A1 %q, B2 %q", a1, b2)
	}
}

// TestSetFields: values land in column C of their codes' rows; a code
// without a row is an error.
func TestSetFields(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	for i, code := range []string{"fondazione_codice", "anno_monitoraggio"} {
		if err := f.SetSheetRow("Sheet1", fmt.Sprintf("A%d", i+1), &[]any{code, "etichetta"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := SetFields(f, "Sheet1", map[string]any{"anno_monitoraggio": 2025}); err != nil {
		t.Fatal(err)
	}
	if c1, _ := f.GetCellValue("Sheet1", "C1"); c1 != "" {
		t.Errorf("C1 = %q, want empty", c1)
	}
	if c2, _ := f.GetCellValue("Sheet1", "C2"); c2 != "2025" {
		t.Errorf("C2 = %q, want 2025", c2)
	}
	if err := SetFields(f, "Sheet1", map[string]any{"regione": "Veneto"}); err == nil {
		t.Error("a code without a row is not an error")
	}
}
