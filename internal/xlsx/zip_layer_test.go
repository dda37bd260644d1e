package xlsx

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"errors"
	"hash/crc32"
	"io"
	"strings"
	"testing"

	"github.com/its-academy/auditor/testkit"
)

// extraEntry is one more zip entry, written raw: its name, method, bytes
// (already compressed when the method says so) and the sizes and CRC-32 it
// declares.
type extraEntry struct {
	name         string
	method       uint16
	raw          []byte
	crc          uint32
	size, csize  uint64
	replaceParts bool // replace the part of the same name, if any
}

// withEntries returns base with extra entries added (or replacing the
// parts of the same name).
func withEntries(t testing.TB, base []byte, extra ...extraEntry) []byte {
	t.Helper()
	replaced := map[string]bool{}
	for _, e := range extra {
		if e.replaceParts {
			replaced[e.name] = true
		}
	}
	return testkit.Rezip(t, base, func(_ *zip.Writer, f *zip.File) (bool, error) {
		return replaced[f.Name], nil // a replaced part is left out: its new entry comes at the end
	}, func(zw *zip.Writer) error {
		for _, e := range extra {
			w, err := zw.CreateRaw(&zip.FileHeader{Name: e.name, Method: e.method, CRC32: e.crc, CompressedSize64: e.csize, UncompressedSize64: e.size})
			if err != nil {
				return err
			}
			if _, err := w.Write(e.raw); err != nil {
				return err
			}
		}
		return nil
	})
}

// deflated is an honest deflate entry of content.
func deflated(name string, content []byte) extraEntry {
	var comp bytes.Buffer
	fw, _ := flate.NewWriter(&comp, flate.BestSpeed)
	fw.Write(content)
	fw.Close()
	return extraEntry{name: name, method: zip.Deflate, raw: comp.Bytes(), crc: crc32.ChecksumIEEE(content), size: uint64(len(content)), csize: uint64(comp.Len())}
}

// TestZipLayerRefusals: entry names that leave the package, unknown
// compression, sizes or checksums that lie, a DOCTYPE in a part the
// reader does not parse, and too many entries are refused by OpenPackage
// before anything is parsed, so that a reader and a writer (which hands
// the package to excelize) refuse the same files.
func TestZipLayerRefusals(t *testing.T) {
	base := testWorkbook(t)
	core := partOf(t, base, "docProps/core.xml")
	lie := deflated("docProps/core.xml", core)
	lie.size = uint64(len(core)) - 10 // declares less than it holds
	lie.replaceParts = true
	badCRC := deflated("docProps/core.xml", core)
	badCRC.crc ^= 1
	badCRC.replaceParts = true
	method := deflated("docProps/custom.xml", []byte("<Properties/>"))
	method.method = 12 // bzip2
	doctype := deflated("docProps/core.xml", append([]byte(`<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]>`), core[bytes.Index(core, []byte("?>"))+2:]...))
	doctype.replaceParts = true
	// The parts the reader parses whole, which checkEntries keeps for it.
	sheet := partOf(t, base, "xl/worksheets/sheet1.xml")
	sheetCRC := deflated("xl/worksheets/sheet1.xml", sheet)
	sheetCRC.crc ^= 1
	sheetCRC.replaceParts = true
	sheetLie := deflated("xl/worksheets/sheet1.xml", sheet)
	sheetLie.size = uint64(len(sheet)) - 10
	sheetLie.replaceParts = true
	sheetDoctype := deflated("xl/worksheets/sheet1.xml", append([]byte(`<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]>`), sheet[bytes.Index(sheet, []byte("<worksheet")):]...))
	sheetDoctype.replaceParts = true
	sst := partOf(t, base, "xl/sharedStrings.xml")
	sstCRC := deflated("xl/sharedStrings.xml", sst)
	sstCRC.crc ^= 1
	sstCRC.replaceParts = true
	many := make([]extraEntry, MaxEntries)
	for i := range many {
		many[i] = extraEntry{name: "xl/media/vuoto" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + "-" + itoa(i) + ".bin", method: zip.Store, crc: 0}
	}
	tests := []struct {
		name  string
		extra []extraEntry
		kind  error
		want  string
	}{
		{"dot dot", []extraEntry{deflated("../evil.xml", []byte("<a/>"))}, ErrCorrupt, "nome non valido («../evil.xml»)"},
		{"dot dot backslash", []extraEntry{deflated(`xl\..\..\evil.xml`, []byte("<a/>"))}, ErrCorrupt, "nome non valido"},
		{"absolute", []extraEntry{deflated("/etc/evil.xml", []byte("<a/>"))}, ErrCorrupt, "nome non valido"},
		{"drive", []extraEntry{deflated("C:/evil.xml", []byte("<a/>"))}, ErrCorrupt, "nome non valido"},
		// Found by FuzzZipLayer: a directory's name with data, which the
		// copy's writer cannot write («zip: write to directory»).
		{"data under a directory", []extraEntry{deflated(`xl\media\`, []byte("abc"))}, ErrCorrupt, `nome non valido («xl\media\»)`},
		{"unknown method", []extraEntry{method}, ErrCorrupt, "compressione che Excel non conosce"},
		{"size lies", []extraEntry{lie}, ErrCorrupt, "«docProps/core.xml» è illeggibile"},
		{"checksum lies", []extraEntry{badCRC}, ErrCorrupt, "«docProps/core.xml» è illeggibile"},
		{"doctype", []extraEntry{doctype}, ErrCorrupt, "DOCTYPE"},
		{"sheet checksum lies", []extraEntry{sheetCRC}, ErrCorrupt, "«xl/worksheets/sheet1.xml» è illeggibile"},
		{"sheet size lies", []extraEntry{sheetLie}, ErrCorrupt, "«xl/worksheets/sheet1.xml» è illeggibile"},
		{"sheet doctype", []extraEntry{sheetDoctype}, ErrCorrupt, "«xl/worksheets/sheet1.xml» una dichiarazione DOCTYPE"},
		{"shared strings checksum lies", []extraEntry{sstCRC}, ErrCorrupt, "«xl/sharedStrings.xml» è illeggibile"},
		{"too many entries", many, ErrTooLarge, "parti interne, oltre il limite di 10000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := withEntries(t, base, tt.extra...)
			_, err := OpenPackage(context.Background(), data, "fondazione.xlsx", DefaultLimits())
			var oe *OpenError
			if !errors.As(err, &oe) || !errors.Is(err, tt.kind) {
				t.Fatalf("Open: %v, want %v", err, tt.kind)
			}
			if !strings.Contains(oe.Msg, tt.want) {
				t.Errorf("message %q, want %q", oe.Msg, tt.want)
			}
		})
	}
}

func itoa(i int) string {
	const d = "0123456789"
	if i < 10 {
		return d[i : i+1]
	}
	return itoa(i/10) + d[i%10:i%10+1]
}

// FuzzZipLayer fuzzes one more entry of a valid workbook, written raw: its
// name, compression method, declared sizes and CRC-32 and its bytes.
// OpenPackage never panics and refuses only with a one-line *OpenError;
// what it accepts is copied (excelize saving, the unchanged parts copied
// from the original, see copyPackage) and the copy holds no entry whose
// name leaves the package, and opens again.
func FuzzZipLayer(f *testing.F) {
	base := testWorkbook(f)
	core := partOf(f, base, "docProps/core.xml")
	f.Add("docProps/extra.xml", uint16(zip.Deflate), uint64(0), uint64(0), uint32(0), []byte("<a/>"), true)
	f.Add("../evil.xml", uint16(zip.Store), uint64(4), uint64(4), crc32.ChecksumIEEE([]byte("<a/>")), []byte("<a/>"), false)
	f.Add(`xl\..\..\x.xml`, uint16(zip.Store), uint64(4), uint64(4), uint32(0), []byte("<a/>"), false)
	f.Add("docProps/core.xml", uint16(zip.Deflate), uint64(10), uint64(0), uint32(0), core, true)
	f.Add("xl/styles.xml", uint16(zip.Deflate), uint64(0), uint64(0), uint32(0), []byte(""), true)
	f.Add("xl/media/image1.png", uint16(99), uint64(3), uint64(3), uint32(0), []byte("abc"), false)
	lim := Limits{UnzipSize: 16 << 20, UnzipXMLSize: 4 << 20, MaxCells: 200_000}
	f.Fuzz(func(t *testing.T, name string, method uint16, size, csize uint64, crc uint32, content []byte, honest bool) {
		if name == "" || len(name) > 300 || len(content) > 1<<16 {
			return
		}
		e := extraEntry{name: name, method: method, raw: content, crc: crc, size: size, csize: csize}
		if honest {
			// A valid entry of these bytes, deflated, replacing the part of
			// that name: only the content and the name are fuzzed.
			e = deflated(name, content)
			e.replaceParts = true
		}
		if e.csize > uint64(len(e.raw)) {
			e.csize = uint64(len(e.raw))
		}
		if strings.HasSuffix(e.name, "/") && len(e.raw) > 0 {
			return // archive/zip cannot write data under a directory's name
		}
		data := withEntries(t, base, e)
		if _, err := OpenPackage(context.Background(), data, "fuzz.xlsx", lim); err != nil {
			var oe *OpenError
			if !errors.As(err, &oe) || strings.ContainsAny(oe.Msg, "\n\r") {
				t.Fatalf("OpenPackage: %T %v", err, err)
			}
			return
		}
		out, ok := copyPackage(t, data, lim)
		if !ok {
			return // excelize refused or broke on a part it accepted
		}
		zr, err := zip.NewReader(bytes.NewReader(out), int64(len(out)))
		if err != nil {
			t.Fatalf("the copy is not a zip: %v", err)
		}
		for _, zf := range zr.File {
			if !ValidEntryName(zf.Name) {
				t.Fatalf("the copy holds the entry %q", zf.Name)
			}
			rc, err := zf.Open()
			if err != nil {
				t.Fatalf("copy entry %q: %v", zf.Name, err)
			}
			_, err = io.Copy(io.Discard, rc)
			rc.Close()
			if err != nil {
				t.Fatalf("copy entry %q: %v", zf.Name, err)
			}
		}
		if _, err := OpenPackage(context.Background(), out, "copia.xlsx", lim); err != nil {
			t.Fatalf("the copy cannot be opened again: %v", err)
		}
	})
}
