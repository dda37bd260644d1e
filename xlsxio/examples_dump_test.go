package xlsxio

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/its-academy/auditor/compute"
	"github.com/its-academy/auditor/internal/xlsx"
	"github.com/its-academy/auditor/validate"
)

// TestDumpExamples audits each bundled example with a fixed version and
// audit time, then audits its copy again, and makes the blank template.
// With AUDITOR_DUMP_DIR set it writes the copies, the JSON reports and the
// template there; with AUDITOR_DUMP_BASELINE set it compares them with
// such a dump made earlier (for instance before a refactoring): the JSON
// byte for byte, the copies entry by entry (name, order, method, CRC-32,
// sizes, compressed bytes). The one exception is the order of the
// <Default> elements of [Content_Types].xml, which excelize writes in map
// order and so differs from run to run; they are compared sorted. For the
// same reason the copy audited again is the baseline's copy, when there is
// a baseline. Without either variable the test is skipped.
func TestDumpExamples(t *testing.T) {
	dir, baseline := os.Getenv("AUDITOR_DUMP_DIR"), os.Getenv("AUDITOR_DUMP_BASELINE")
	if dir == "" && baseline == "" {
		t.Skip("neither AUDITOR_DUMP_DIR nor AUDITOR_DUMP_BASELINE set")
	}
	reg, err := compute.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	files, err := filepath.Glob(filepath.Join("..", "testdata", "esempio-*.xlsx"))
	if err != nil || len(files) != 3 {
		t.Fatalf("examples: %v %v", files, err)
	}
	audit := func(name string, data []byte) ([]byte, []byte) {
		wb := mustOpen(t, data, name)
		a, err := validate.Run(wb.Input, reg, validate.Options{AuditedAt: at})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out, err := WriteAudit(data, a, WriteOptions{Version: "dump"})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(a.Report("dump", "")); err != nil {
			t.Fatal(err)
		}
		return out, buf.Bytes()
	}
	write := func(name string, b []byte) {
		if dir != "" {
			if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if baseline != "" {
			want, err := os.ReadFile(filepath.Join(baseline, name))
			if err != nil {
				t.Fatal(err)
			}
			if err := sameOutput(name, want, b); err != nil {
				t.Errorf("%s differs from the baseline: %v", name, err)
			}
		}
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		base := filepath.Base(f)
		copy1, rep1 := audit(base, data)
		again := copy1
		if baseline != "" {
			if again, err = os.ReadFile(filepath.Join(baseline, base+".copy.xlsx")); err != nil {
				t.Fatal(err)
			}
		}
		copy2, rep2 := audit(base, again)
		write(base+".copy.xlsx", copy1)
		write(base+".report.json", rep1)
		write(base+".reaudit.xlsx", copy2)
		write(base+".reaudit.json", rep2)
	}
	p := reg.Packs()[0]
	f, err := Template(p)
	if err != nil {
		t.Fatal(err)
	}
	b, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	write("template.xlsx", b.Bytes())
}

// sameOutput compares a dumped file with its baseline (see TestDumpExamples).
func sameOutput(name string, want, got []byte) error {
	if !strings.HasSuffix(name, ".xlsx") {
		if !bytes.Equal(want, got) {
			return errors.New("different bytes")
		}
		return nil
	}
	zw, err := zip.NewReader(bytes.NewReader(want), int64(len(want)))
	if err != nil {
		return err
	}
	zg, err := zip.NewReader(bytes.NewReader(got), int64(len(got)))
	if err != nil {
		return err
	}
	if len(zw.File) != len(zg.File) {
		return fmt.Errorf("%d entries, want %d", len(zg.File), len(zw.File))
	}
	for i, a := range zw.File {
		b := zg.File[i]
		if a.Name != b.Name || a.Method != b.Method || a.Modified != b.Modified {
			return fmt.Errorf("entry %d: %s (method %d), want %s (method %d)", i, b.Name, b.Method, a.Name, a.Method)
		}
		if a.Name == "[Content_Types].xml" {
			ca, err := xlsx.ReadPart(a)
			if err != nil {
				return err
			}
			cb, err := xlsx.ReadPart(b)
			if err != nil {
				return err
			}
			if sortedDefaults(ca) != sortedDefaults(cb) {
				return fmt.Errorf("%s: different content", a.Name)
			}
			continue
		}
		if a.CRC32 != b.CRC32 || a.UncompressedSize64 != b.UncompressedSize64 || a.CompressedSize64 != b.CompressedSize64 {
			return fmt.Errorf("%s: CRC or sizes differ", a.Name)
		}
		ra, err := a.OpenRaw()
		if err != nil {
			return err
		}
		rb, err := b.OpenRaw()
		if err != nil {
			return err
		}
		ba, _ := io.ReadAll(ra)
		bb, _ := io.ReadAll(rb)
		if !bytes.Equal(ba, bb) {
			return fmt.Errorf("%s: different compressed bytes", a.Name)
		}
	}
	return nil
}

// sortedDefaults is a content types part with its <Default> elements sorted.
func sortedDefaults(ct []byte) string {
	re := regexp.MustCompile(`<Default [^>]*?(?:/>|></Default>)`)
	defs := re.FindAllString(string(ct), -1)
	sort.Strings(defs)
	return re.ReplaceAllString(string(ct), "") + strings.Join(defs, "")
}
