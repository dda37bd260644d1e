package xlsxio

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/its-academy/auditor/compute"
	"github.com/its-academy/auditor/validate"
	"github.com/xuri/excelize/v2"
)

// Limits bound what an untrusted upload may make the reader do.
type Limits struct {
	// UnzipSize bounds the total decompressed size of the package, as the
	// zip declares it (excelize Options.UnzipSizeLimit).
	UnzipSize int64
	// UnzipXMLSize bounds each XML part held in memory: other XML parts
	// above it are refused; worksheets and the shared strings above it are
	// spilled by excelize to a temporary file
	// (Options.UnzipXMLSizeLimit).
	UnzipXMLSize int64
	// MaxCells bounds what the parsed XML may expand to in memory: the
	// elements of the parts excelize decodes and the cells of the three
	// official sheets once excelize pads every row to its last column
	// (a few kilobytes of zip can otherwise make it allocate gigabytes).
	// One unit costs about 200 bytes. Zero means the default.
	MaxCells int64
}

// Default limits: far above any real official workbook (1,000 courses take
// about 1.5 MB of XML and 70,000 cells), far below what hurts a server.
const (
	defaultUnzipSize    = 200 << 20
	defaultUnzipXMLSize = 50 << 20
	defaultMaxCells     = 1_000_000
)

// DefaultLimits returns safe limits for untrusted files: 200 MiB
// decompressed, 50 MiB per XML part, one million cells.
func DefaultLimits() Limits {
	return Limits{UnzipSize: defaultUnzipSize, UnzipXMLSize: defaultUnzipXMLSize, MaxCells: defaultMaxCells}
}

// withDefaults replaces unset or invalid limits with the defaults, so that
// a zero Limits never means "unlimited".
func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.UnzipSize <= 0 {
		l.UnzipSize = d.UnzipSize
	}
	if l.UnzipXMLSize <= 0 {
		l.UnzipXMLSize = d.UnzipXMLSize
	}
	if l.UnzipXMLSize > l.UnzipSize {
		l.UnzipXMLSize = l.UnzipSize
	}
	if l.MaxCells <= 0 {
		l.MaxCells = d.MaxCells
	}
	return l
}

// Kinds of files that cannot be audited (the CLI exits 2). Open returns them
// wrapped in an *OpenError; test them with errors.Is.
var (
	ErrNotXLSX         = errors.New("xlsxio: not an xlsx workbook")
	ErrEncrypted       = errors.New("xlsxio: password-protected workbook")
	ErrCorrupt         = errors.New("xlsxio: corrupt workbook")
	ErrLegacyFormat    = errors.New("xlsxio: legacy or foreign spreadsheet format")
	ErrMissingSheet    = errors.New("xlsxio: official sheet missing")
	ErrTemplateVersion = errors.New("xlsxio: unsupported template version")
	ErrTooLarge        = errors.New("xlsxio: workbook exceeds the size limits")
)

// OpenError is a file that cannot be audited: Msg is one Italian line for
// the user naming the file and the problem; Kind is one of the Err*
// sentinels. The underlying cause, if any, is reachable with errors.Is/As
// but never shown in Msg.
type OpenError struct {
	Kind  error
	Msg   string
	cause error
}

func (e *OpenError) Error() string { return e.Msg }

// Unwrap returns the kind and the underlying cause.
func (e *OpenError) Unwrap() []error {
	if e.cause == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.cause}
}

// Workbook is an opened official workbook: the excelize file (the writer
// adds sheets to it) and what was read. Close releases the temporary files
// excelize may have created for very large sheets.
type Workbook struct {
	File  *excelize.File
	Input *validate.Input
}

// Close releases the excelize file.
func (w *Workbook) Close() error {
	if w == nil || w.File == nil {
		return nil
	}
	return w.File.Close()
}

// Rule identifiers of the findings made while reading.
const (
	RuleMissingColumn   compute.RuleID = "STR-COLONNA-MANCANTE"
	RuleDuplicateColumn compute.RuleID = "STR-COLONNA-DUPLICATA"
	RuleDate1904        compute.RuleID = "STR-DATE-1904"
)

const (
	readSource      = "WORKBOOK.md"
	coursesCodesRow = 2 // Percorsi: row 1 = labels, row 2 = codes
	coursesFirstRow = 3
)

// Open reads an official workbook from bytes. It never writes anything to
// the file (excelize may spill worksheets larger than Limits.UnzipXMLSize
// to temporary files, which Workbook.Close removes). name is used in
// messages only. Every file that cannot be audited gives an *OpenError.
func Open(data []byte, name string, lim Limits) (*Workbook, error) {
	o := &opener{data: data, name: displayName(name), lim: lim.withDefaults()}
	o.left = o.lim.MaxCells
	if err := o.sniff(); err != nil {
		return nil, err
	}
	if err := o.classify(); err != nil {
		return nil, err
	}
	if err := o.checkSizes(); err != nil {
		return nil, err
	}
	if err := o.scanPackage(); err != nil {
		return nil, err
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		UnzipSizeLimit:    o.lim.UnzipSize,
		UnzipXMLSizeLimit: o.lim.UnzipXMLSize,
	})
	if err != nil {
		if f != nil {
			_ = f.Close()
		}
		if strings.Contains(err.Error(), "unzip size exceeds") {
			return nil, o.fail(ErrTooLarge, err, "decompresso supera il limite di %s", sizeText(o.lim.UnzipSize))
		}
		return nil, o.fail(ErrCorrupt, err, "è danneggiato e non può essere letto: aprirlo con Excel, salvarlo di nuovo come .xlsx e riprovare")
	}
	in, err := o.read(f)
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	sum := sha256.Sum256(data)
	in.SHA256 = hex.EncodeToString(sum[:])
	in.FileName = name
	return &Workbook{File: f, Input: in}, nil
}

// opener carries one call of Open.
type opener struct {
	data  []byte
	name  string // sanitized, for messages
	lim   Limits
	zr    *zip.Reader
	parts map[string]*zip.File // by name with forward slashes
	left  int64                // MaxCells budget still available
	wb    string               // workbook part, from _rels/.rels
	// uncached holds, by canonical sheet name, the formula cells without
	// a <v> element: excelize shows them, like a cached empty string, as
	// an empty value. A sheet missing here was not scanned alone.
	uncached map[string]map[string]bool
}

// fail builds the OpenError of the file: «name» followed by the problem.
func (o *opener) fail(kind, cause error, format string, args ...any) *OpenError {
	msg := "«" + o.name + "» " + fmt.Sprintf(format, args...)
	return &OpenError{Kind: kind, Msg: oneLine(msg), cause: cause}
}

// ---------------------------------------------------------------------------
// Classification of the bytes, before excelize sees them.

var (
	oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0}
	pkMagic  = []byte("PK")
)

// sniff refuses what is not a zip: OLE compound files (encrypted xlsx or
// legacy xls), PDFs, text, HTML, SpreadsheetML 2003. On success o.zr is set.
func (o *opener) sniff() error {
	d := o.data
	if len(d) == 0 {
		return o.fail(ErrNotXLSX, nil, "è vuoto: caricare il file .xlsx compilato")
	}
	if bytes.HasPrefix(d, oleMagic) {
		if cfbHasStream(d, "EncryptionInfo") {
			return o.fail(ErrEncrypted, nil, "è protetto da password: rimuovere la password in Excel (File > Informazioni > Proteggi cartella di lavoro), salvarlo e riprovare")
		}
		return o.fail(ErrLegacyFormat, nil, "è nel vecchio formato Excel 97-2003 (.xls): aprirlo con Excel e salvarlo come .xlsx")
	}
	zr, err := zip.NewReader(bytes.NewReader(d), int64(len(d)))
	if err != nil {
		if bytes.HasPrefix(d, pkMagic) {
			return o.fail(ErrCorrupt, err, "è un archivio .xlsx danneggiato o incompleto: caricarlo di nuovo o salvarlo di nuovo con Excel")
		}
		if isSpreadsheetML2003(d) {
			return o.fail(ErrLegacyFormat, err, "è nel formato «Foglio di calcolo XML 2003»: aprirlo con Excel e salvarlo come .xlsx")
		}
		return o.fail(ErrNotXLSX, err, "non è un file Excel .xlsx%s", whatIsIt(d))
	}
	o.zr = zr
	o.parts = make(map[string]*zip.File, len(zr.File))
	for _, zf := range zr.File {
		o.parts[strings.ReplaceAll(zf.Name, `\`, "/")] = zf
	}
	return nil
}

// cfbHasStream reports whether an OLE compound file has a stream with the
// given name. Directory entries are 128 bytes, 128-byte aligned after the
// 512-byte header whatever the sector size, and start with the name in
// UTF-16LE with its byte length (terminator included) at offset 64 and the
// object type (2 = stream) at offset 66; looking for such an entry is
// enough to tell an encrypted OOXML package (EncryptionInfo and
// EncryptedPackage streams) from a legacy .xls, without walking the FAT.
func cfbHasStream(d []byte, name string) bool {
	want := make([]byte, 0, 2*len(name)+2)
	for _, u := range utf16.Encode([]rune(name)) {
		want = binary.LittleEndian.AppendUint16(want, u)
	}
	want = append(want, 0, 0)
	for off := 512; off+128 <= len(d); off += 128 {
		e := d[off : off+128]
		if int(binary.LittleEndian.Uint16(e[64:66])) == len(want) && e[66] == 2 && bytes.EqualFold(e[:len(want)], want) {
			return true
		}
	}
	return false
}

// head returns the first bytes of d, without a UTF-8 BOM and leading space.
func sniffHead(d []byte, n int) []byte {
	d = d[:min(len(d), n)]
	d = bytes.TrimPrefix(d, []byte("\xEF\xBB\xBF"))
	return bytes.TrimLeftFunc(d, unicode.IsSpace)
}

func isSpreadsheetML2003(d []byte) bool {
	h := sniffHead(d, 4096)
	return bytes.HasPrefix(h, []byte("<?xml")) && bytes.Contains(h, []byte("urn:schemas-microsoft-com:office:spreadsheet"))
}

// whatIsIt names a few common non-xlsx contents for the message.
func whatIsIt(d []byte) string {
	h := sniffHead(d, 1024)
	low := bytes.ToLower(h)
	switch {
	case bytes.HasPrefix(h, []byte("%PDF-")):
		return ": è un documento PDF"
	case bytes.HasPrefix(low, []byte("<!doctype html")) || bytes.Contains(low, []byte("<html")):
		return ": è una pagina HTML; aprirla con Excel e salvarla come .xlsx"
	case bytes.HasPrefix(h, []byte(`{\rtf`)):
		return ": è un documento RTF"
	case utf8.Valid(d[:min(len(d), 4096)]) && !bytes.ContainsRune(d[:min(len(d), 4096)], 0):
		return ": è un file di testo (per esempio CSV); aprirlo con Excel e salvarlo come .xlsx"
	}
	return ""
}

// classify refuses zips that are not Office Open XML workbooks: ODF
// documents (mimetype entry) and binary .xlsb workbooks.
func (o *opener) classify() error {
	if zf, ok := o.parts["mimetype"]; ok {
		mt := strings.TrimSpace(readSmall(zf, 256))
		switch {
		case strings.HasPrefix(mt, "application/vnd.oasis.opendocument.spreadsheet"):
			return o.fail(ErrLegacyFormat, nil, "non è un .xlsx ma un file ODS: salvarlo come .xlsx (in LibreOffice: File > Salva con nome > Excel 2007-365)")
		case strings.HasPrefix(mt, "application/vnd.oasis.opendocument."):
			return o.fail(ErrNotXLSX, nil, "è un documento OpenDocument, non un foglio di calcolo Excel .xlsx")
		}
	}
	if o.part("xl/workbook.bin") != nil {
		return o.fail(ErrLegacyFormat, nil, "è una cartella di lavoro binaria (.xlsb): aprirla con Excel e salvarla come .xlsx")
	}
	return nil
}

// readSmall reads at most n decompressed bytes of an entry; errors give "".
func readSmall(zf *zip.File, n int64) string {
	rc, err := zf.Open()
	if err != nil {
		return ""
	}
	defer rc.Close()
	b, _ := io.ReadAll(io.LimitReader(rc, n))
	return string(b)
}

// part returns the zip entry of a package part, matched like excelize does
// for the parts it names itself (exactly, else ignoring case).
func (o *opener) part(name string) *zip.File {
	if zf, ok := o.parts[name]; ok {
		return zf
	}
	for n, zf := range o.parts {
		if strings.EqualFold(n, name) {
			return zf
		}
	}
	return nil
}

// ---------------------------------------------------------------------------
// Size limits.

// checkSizes refuses zip bombs from the sizes the zip declares, before
// anything is inflated. archive/zip refuses to inflate an entry beyond its
// declared size, so the declared sizes bound what excelize will read.
func (o *opener) checkSizes() error {
	var total uint64
	limit := uint64(o.lim.UnzipSize)
	for _, zf := range o.zr.File {
		n := zf.UncompressedSize64
		if total > math.MaxUint64-n {
			total = math.MaxUint64
		} else {
			total += n
		}
		name := strings.ReplaceAll(zf.Name, `\`, "/")
		if n <= limit && n > uint64(o.lim.UnzipXMLSize) && heldAsXML(name) {
			return o.fail(ErrTooLarge, nil, "contiene una parte interna («%s») che decompressa occupa %s, oltre il limite di %s",
				shortPart(name), sizeTextU(n), sizeText(o.lim.UnzipXMLSize))
		}
	}
	if total > limit {
		return o.fail(ErrTooLarge, nil, "decompresso occuperebbe %s, oltre il limite di %s: non è un modello compilato normale",
			sizeTextU(total), sizeText(o.lim.UnzipSize))
	}
	return nil
}

// heldAsXML reports whether excelize keeps a part in memory and decodes it
// as XML. Worksheets and the shared strings above UnzipXMLSize are spilled
// to disk instead; media and other binary parts are not decoded.
func heldAsXML(name string) bool {
	low := strings.ToLower(name)
	if strings.HasPrefix(low, "xl/worksheets/sheet") || low == "xl/sharedstrings.xml" {
		return false
	}
	return strings.HasSuffix(low, ".xml") || strings.HasSuffix(low, ".rels") || strings.HasSuffix(low, ".vml")
}

func sizeText(n int64) string { return sizeTextU(uint64(max(n, 0))) }

// mbU formats a size in bytes for a message, rounding up.
func sizeTextU(n uint64) string {
	for _, u := range []struct {
		size uint64
		name string
	}{{1 << 20, "MB"}, {1 << 10, "KB"}} {
		if n >= u.size {
			return strconv.FormatUint(n/u.size+min(n%u.size, 1), 10) + " " + u.name
		}
	}
	return strconv.FormatUint(n, 10) + " byte"
}

// shortPart keeps a part name readable in a one-line message.
func shortPart(name string) string {
	name = oneLine(name)
	if utf8.RuneCountInString(name) > 60 {
		r := []rune(name)
		name = string(r[:60]) + "…"
	}
	return name
}

// scanPackage bounds, before excelize decodes them, the package parts that
// excelize parses into structures on open or while reading: each XML element
// costs one unit of the MaxCells budget. It also finds the workbook part.
func (o *opener) scanPackage() error {
	for _, name := range []string{"[Content_Types].xml", "_rels/.rels"} {
		if _, err := o.scanPart(name); err != nil {
			return err
		}
	}
	o.wb = ""
	if rels, err := o.readRels("_rels/.rels"); err == nil {
		for _, r := range rels {
			if strings.HasSuffix(r.typ, "/officeDocument") {
				o.wb = strings.TrimPrefix(r.target, "/")
				break
			}
		}
	}
	if o.wb == "" || o.part(o.wb) == nil {
		// excelize would find no sheet either.
		return o.fail(ErrNotXLSX, nil, "è un archivio zip ma non una cartella di lavoro Excel (.xlsx)")
	}
	root, err := o.scanPart(o.wb)
	if err != nil {
		return err
	}
	if root != "workbook" {
		// e.g. a Word or PowerPoint document
		return o.fail(ErrNotXLSX, nil, "è un documento Office ma non una cartella di lavoro Excel (.xlsx)")
	}
	for _, name := range []string{"xl/styles.xml", "xl/theme/theme1.xml", "xl/calcChain.xml", "xl/sharedStrings.xml", relsOf(o.wb)} {
		if _, err := o.scanPart(name); err != nil {
			return err
		}
	}
	return nil
}

// relsOf returns the relationships part of a part, as excelize computes it.
func relsOf(part string) string {
	dir := path.Dir(part)
	if dir == "." {
		return "_rels/" + path.Base(part) + ".rels"
	}
	return strings.TrimPrefix(dir+"/_rels/"+path.Base(part)+".rels", "/")
}

// scanPart charges the budget with the elements of one part, if present,
// and returns the local name of its root element.
func (o *opener) scanPart(name string) (string, error) {
	zf := o.part(name)
	if zf == nil {
		return "", nil
	}
	var (
		units int64
		root  string
	)
	err := o.walkXML(zf, func(tok xml.Token) bool {
		if se, ok := tok.(xml.StartElement); ok {
			if units == 0 {
				root = se.Name.Local
			}
			units++
			return units <= o.left
		}
		return true
	})
	if err != nil {
		return "", o.fail(ErrCorrupt, err, "è danneggiato: la parte interna «%s» è illeggibile; aprirlo con Excel, salvarlo di nuovo e riprovare", shortPart(name))
	}
	if units > o.left {
		return "", o.fail(ErrTooLarge, nil, "contiene una parte interna («%s») con troppi elementi (oltre %d): non è un modello compilato normale", shortPart(name), o.lim.MaxCells)
	}
	o.left -= units
	return root, nil
}

// walkXML streams the raw tokens of a part to fn until fn returns false.
// The charset reader passes bytes through: only ASCII names and attribute
// values matter here, and excelize itself decodes the part afterwards.
func (o *opener) walkXML(zf *zip.File, fn func(xml.Token) bool) error {
	rc, err := zf.Open()
	if err != nil {
		return fmt.Errorf("open %s: %w", zf.Name, err)
	}
	defer rc.Close()
	d := xml.NewDecoder(rc)
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("parse %s: %w", zf.Name, err)
		}
		if !fn(tok) {
			return nil
		}
	}
}

type pkgRel struct{ id, typ, target string }

// readRels reads a relationships part (already charged to the budget).
func (o *opener) readRels(name string) ([]pkgRel, error) {
	zf := o.part(name)
	if zf == nil {
		return nil, nil
	}
	var out []pkgRel
	err := o.walkXML(zf, func(tok xml.Token) bool {
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "Relationship" {
			var r pkgRel
			for _, a := range se.Attr {
				switch a.Name.Local {
				case "Id":
					r.id = a.Value
				case "Type":
					r.typ = a.Value
				case "Target":
					r.target = strings.ReplaceAll(a.Value, `\`, "/")
				}
			}
			out = append(out, r)
		}
		return true
	})
	return out, err
}

// sheetParts finds the parts of the sheets named like sheet, ignoring case,
// the way excelize does: workbook.xml gives the relationship id, the
// workbook's relationships the target. excelize picks one of several
// sheets differing only in case from a map, so all of them are returned.
func (o *opener) sheetParts(sheet string) []string {
	zf := o.part(o.wb)
	if zf == nil {
		return nil
	}
	ids := map[string]bool{}
	_ = o.walkXML(zf, func(tok xml.Token) bool {
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "sheet" {
			return true
		}
		var n, i string
		for _, a := range se.Attr {
			switch {
			case a.Name.Local == "name" && a.Name.Space == "":
				n = a.Value
			case a.Name.Local == "id" && a.Name.Space != "":
				i = a.Value
			}
		}
		if strings.EqualFold(n, sheet) {
			ids[i] = true
		}
		return true
	})
	if len(ids) == 0 {
		return nil
	}
	rels, _ := o.readRels(relsOf(o.wb))
	var out []string
	for _, r := range rels {
		if !ids[r.id] {
			continue
		}
		p := strings.TrimPrefix(path.Clean(path.Dir(o.wb)+"/"+r.target), "/")
		if strings.HasPrefix(r.target, "/") {
			p = strings.TrimPrefix(path.Clean(r.target), "/")
		}
		out = append(out, p)
	}
	return out
}

// sheetCost is what a worksheet costs once excelize has decoded it and
// padded every row up to its last cell (checkSheet/checkRow): about 200
// bytes per cell and 80 per row up to the last one.
type sheetCost struct {
	rows, cells, other int64
	lastRow, lastCol   int             // for the message
	uncached           map[string]bool // formula cells without <v>
}

func (c sheetCost) units() int64 { return c.cells + c.rows/2 + c.other }

// scanSheet measures a worksheet part, stopping as soon as it exceeds the
// budget, and notes the formula cells without a cached value.
func (o *opener) scanSheet(zf *zip.File) (sheetCost, error) {
	var (
		c                        = sheetCost{uncached: map[string]bool{}}
		inData, inRow            bool
		rowElems, cur            int64
		rowCells, rowMax, cursor int64
		cell                     string // the cell being read, if any
		hasF, hasV               bool
	)
	endRow := func() {
		if inRow {
			c.cells += max(rowCells, rowMax)
			rowCells, rowMax, cursor, inRow = 0, 0, 0, false
		}
	}
	err := o.walkXML(zf, func(tok xml.Token) bool {
		switch t := tok.(type) {
		case xml.StartElement:
			switch {
			case t.Name.Local == "sheetData":
				inData = true
			case inData && t.Name.Local == "row":
				endRow()
				inRow = true
				rowElems++
				cur++
				if r, err := strconv.ParseInt(xmlAttr(t, "r"), 10, 64); err == nil && r > 0 {
					cur = r
				}
				c.rows = max(c.rows, cur, rowElems)
			case inRow && t.Name.Local == "c":
				rowCells++
				cursor++
				row := cur
				if col, r, err := excelize.CellNameToCoordinates(xmlAttr(t, "r")); err == nil {
					cursor = max(cursor, int64(col))
					row = int64(r)
					c.rows = max(c.rows, row)
					c.lastCol = max(c.lastCol, col)
				}
				rowMax = max(rowMax, cursor)
				cell, hasF, hasV = "", false, false
				if cursor <= excelize.MaxColumns && row <= excelize.TotalRows {
					cell, _ = excelize.CoordinatesToCellName(int(cursor), int(row))
				}
			default:
				c.other++
				switch t.Name.Local {
				case "f":
					hasF = cell != ""
				case "v":
					hasV = true
				}
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "c":
				if hasF && !hasV {
					c.uncached[cell] = true
				}
				cell, hasF, hasV = "", false, false
			case "row":
				endRow()
			case "sheetData":
				endRow()
				inData = false
			}
		}
		return c.units()+max(rowCells, rowMax) <= o.left
	})
	endRow()
	c.lastRow = int(min(c.rows, excelize.TotalRows))
	return c, err
}

func xmlAttr(se xml.StartElement, local string) string {
	for _, a := range se.Attr {
		if a.Name.Local == local && a.Name.Space == "" {
			return a.Value
		}
	}
	return ""
}

// checkSheetSize charges the budget with one official sheet.
func (o *opener) checkSheetSize(sheet, canon string) error {
	var zfs []*zip.File
	for _, p := range o.sheetParts(sheet) {
		for _, prefix := range []string{"xl/chartsheets", "xl/dialogsheet", "xl/macrosheet"} {
			if strings.HasPrefix(p, prefix) {
				return o.fail(ErrMissingSheet, nil, "contiene «%s», ma non come foglio di lavoro (è un grafico o una macro): usare il modello ufficiale generato da «auditor template»", canon)
			}
		}
		if zf := o.part(p); zf != nil {
			zfs = append(zfs, zf)
		}
	}
	if len(zfs) == 0 {
		// excelize found the sheet where this reader did not: charge the
		// largest worksheet of the package, to stay on the safe side.
		for n, zf := range o.parts {
			if low := strings.ToLower(n); strings.Contains(low, "worksheets/") && strings.HasSuffix(low, ".xml") {
				zfs = append(zfs, zf)
			}
		}
	}
	var worst sheetCost
	for _, zf := range zfs {
		c, err := o.scanSheet(zf)
		if err != nil {
			return o.fail(ErrCorrupt, err, "è danneggiato: il foglio «%s» è illeggibile; aprirlo con Excel, salvarlo di nuovo e riprovare", canon)
		}
		if c.units() >= worst.units() {
			worst = c
		}
	}
	if worst.units() > o.left {
		where := ""
		if worst.lastRow > 0 {
			where = fmt.Sprintf(" (raggiunge la riga %d", worst.lastRow)
			if col, err := excelize.ColumnNumberToName(worst.lastCol); err == nil && worst.lastCol > 0 {
				where += " e la colonna " + col
			}
			where += ")"
		}
		return o.fail(ErrTooLarge, nil, "ha il foglio «%s» troppo esteso%s: oltre %d celle da leggere; eliminare le righe e le colonne inutilizzate, anche solo formattate, e riprovare",
			canon, where, o.lim.MaxCells)
	}
	o.left -= worst.units()
	if len(zfs) == 1 {
		if o.uncached == nil {
			o.uncached = map[string]map[string]bool{}
		}
		o.uncached[canon] = worst.uncached
	}
	return nil
}

// ---------------------------------------------------------------------------
// Reading the official sheets.

// sheetRef is an official sheet: its name in the file (excelize, like
// Excel, matches sheet names ignoring case) and its canonical name, used in
// cell references.
type sheetRef struct{ name, canon string }

// sheetReader reads cells through excelize's cell API, after the streaming row
// iterator has told which rows hold anything.
type sheetReader struct {
	o          *opener
	f          *excelize.File
	date1904   bool
	converted  bool // a 1904 date serial was converted
	dateStyles map[int]bool
}

// read checks the official sheets and fills the Input.
func (o *opener) read(f *excelize.File) (*validate.Input, error) {
	list := f.GetSheetList()
	if len(list) == 0 {
		return nil, o.fail(ErrCorrupt, nil, "è danneggiato: la cartella di lavoro non elenca alcun foglio; aprirlo con Excel, salvarlo di nuovo e riprovare")
	}
	var refs [3]sheetRef
	var missing []string
	for i, canon := range []string{validate.SheetFoundation, validate.SheetCourses, validate.SheetThresholds} {
		refs[i].canon = canon
		for _, n := range list {
			if !strings.EqualFold(n, canon) {
				continue
			}
			if refs[i].name != "" {
				// Excel forbids it; excelize would pick either at random.
				return nil, o.fail(ErrCorrupt, nil, "è danneggiato: contiene più fogli di nome «%s» (differiscono solo per maiuscole e minuscole); lasciarne uno solo", canon)
			}
			refs[i].name = n
		}
		if refs[i].name == "" {
			missing = append(missing, "«"+canon+"»")
		}
	}
	switch len(missing) {
	case 0:
	case 1:
		return nil, o.fail(ErrMissingSheet, nil, "non contiene il foglio %s del modello ufficiale: usare il modello generato da «auditor template»", missing[0])
	default:
		return nil, o.fail(ErrMissingSheet, nil, "non contiene i fogli %s e %s del modello ufficiale: usare il modello generato da «auditor template»",
			strings.Join(missing[:len(missing)-1], ", "), missing[len(missing)-1])
	}
	for _, s := range refs {
		if err := o.checkSheetSize(s.name, s.canon); err != nil {
			return nil, err
		}
	}
	r := &sheetReader{o: o, f: f, dateStyles: map[int]bool{}}
	if props, err := f.GetWorkbookProps(); err == nil && props.Date1904 != nil {
		r.date1904 = *props.Date1904
	}
	in := &validate.Input{
		Foundation: map[compute.FieldCode]validate.Entry{},
		Columns:    map[compute.FieldCode]validate.Column{},
	}
	if err := r.foundation(refs[0], in); err != nil {
		return nil, err
	}
	if err := r.courses(refs[1], in); err != nil {
		return nil, err
	}
	if err := r.thresholds(refs[2], in); err != nil {
		return nil, err
	}
	if r.converted {
		in.Findings = append(in.Findings, validate.Finding{
			Rule: RuleDate1904, Severity: compute.SeverityInfo, Source: readSource,
			Message: "Il file usa il sistema di date 1904 (Excel per Mac): le date sono state convertite al sistema 1900 per il controllo.",
		})
	}
	return in, nil
}

// corrupt reports an excelize error on a sheet that opened.
func (r *sheetReader) corrupt(s sheetRef, err error) error {
	var notExist excelize.ErrSheetNotExist
	if errors.As(err, &notExist) {
		return r.o.fail(ErrCorrupt, err, "è danneggiato: il foglio «%s» è elencato ma manca; aprirlo con Excel, salvarlo di nuovo e riprovare", s.canon)
	}
	return r.o.fail(ErrCorrupt, err, "è danneggiato: il foglio «%s» non può essere letto; aprirlo con Excel, salvarlo di nuovo e riprovare", s.canon)
}

// rowCells is one row from the streaming iterator: its number and raw
// values (empty for cells holding only a formula without a cached value).
type rowCells struct {
	row  int
	cols []string
}

// rows streams a sheet with raw values and returns the rows from row from
// on that hold anything. The values stop at the row's last cell holding a
// value or a formula; their memory is bounded by the MaxCells budget.
func (r *sheetReader) rows(s sheetRef, from int) ([]rowCells, error) {
	it, err := r.f.Rows(s.name)
	if err != nil {
		return nil, r.corrupt(s, err)
	}
	var out []rowCells
	n := 0
	for it.Next() {
		n++
		cols, err := it.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			_ = it.Close()
			return nil, r.corrupt(s, fmt.Errorf("row %d: %w", n, err))
		}
		if n >= from && len(cols) > 0 {
			out = append(out, rowCells{row: n, cols: cols})
		}
	}
	if err := it.Error(); err != nil {
		_ = it.Close()
		return nil, r.corrupt(s, err)
	}
	if err := it.Close(); err != nil {
		return nil, r.corrupt(s, err)
	}
	return out, nil
}

func normCode(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// foundation reads Fondazione (A = code, C = value) and checks the
// template version.
func (r *sheetReader) foundation(s sheetRef, in *validate.Input) error {
	known := map[string]compute.FieldCode{}
	for _, f := range validate.FoundationFields() {
		known[normCode(string(f.Code))] = f.Code
	}
	rows, err := r.rows(s, 1)
	if err != nil {
		return err
	}
	for _, rc := range rows {
		code, ok := known[normCode(rc.cols[0])]
		if !ok {
			continue
		}
		if _, seen := in.Foundation[code]; seen {
			continue
		}
		e, err := r.entry(s, 3, rc.row)
		if err != nil {
			return err
		}
		in.Foundation[code] = e
	}
	v, ok := in.Foundation["template_versione"]
	found := strings.TrimSpace(v.Text)
	switch {
	case !ok || v.Type == validate.EntryEmpty || found == "":
		where := "codice template_versione"
		if ok {
			where = string(v.Cell)
		}
		return r.o.fail(ErrTemplateVersion, nil, "non indica la versione del modello (foglio %s, %s): è attesa la versione «%s»; usare il modello ufficiale generato da «auditor template»",
			validate.SheetFoundation, where, validate.TemplateVersion)
	case found != validate.TemplateVersion:
		return r.o.fail(ErrTemplateVersion, nil, "usa la versione del modello «%s» (%s), ma è attesa la «%s»: ricopiare i dati nel modello ufficiale generato da «auditor template»",
			shortPart(found), v.Cell, validate.TemplateVersion)
	}
	return nil
}

// courseColumn is a known field found on the codes row.
type courseColumn struct {
	code compute.FieldCode
	idx  int // 1-based column number
}

// courses reads Percorsi: codes on row 2 in any order, one course per
// non-blank row from row 3.
func (r *sheetReader) courses(s sheetRef, in *validate.Input) error {
	fields := validate.CourseFields()
	known := make(map[string]validate.Field, len(fields))
	for _, f := range fields {
		known[normCode(string(f.Code))] = f
	}
	rows, err := r.rows(s, coursesCodesRow)
	if err != nil {
		return err
	}
	var codes []string
	if len(rows) > 0 && rows[0].row == coursesCodesRow {
		codes = rows[0].cols
		rows = rows[1:]
	}
	var cols []courseColumn
	for i, raw := range codes {
		c := normCode(raw)
		if c == "" {
			continue
		}
		letter, err := excelize.ColumnNumberToName(i + 1)
		if err != nil {
			return r.corrupt(s, err)
		}
		ref := validate.CellRef(fmt.Sprintf("%s!%s%d", s.canon, letter, coursesCodesRow))
		f, ok := known[c]
		if !ok {
			in.Unknown = append(in.Unknown, ref)
			continue
		}
		if prev, dup := in.Columns[f.Code]; dup {
			in.Findings = append(in.Findings, validate.Finding{
				Rule: RuleDuplicateColumn, Severity: compute.SeverityWarning, Cell: ref, Field: f.Code,
				Found: string(ref), Expected: string(prev.Code), Source: readSource,
				Message: fmt.Sprintf("Il codice %s («%s») compare due volte nella riga %d del foglio %s: si usa la colonna %s, la colonna %s è ignorata; eliminare la colonna in più.",
					f.Code, f.Label, coursesCodesRow, s.canon, prev.Letter, letter),
			})
			continue
		}
		in.Columns[f.Code] = validate.Column{Letter: letter, Code: ref}
		cols = append(cols, courseColumn{code: f.Code, idx: i + 1})
	}
	for _, f := range fields {
		if _, ok := in.Columns[f.Code]; ok || !f.Required {
			continue
		}
		in.Findings = append(in.Findings, validate.Finding{
			Rule: RuleMissingColumn, Severity: compute.SeverityError,
			Cell: validate.CellRef(fmt.Sprintf("%s!A%d", s.canon, coursesCodesRow)), Field: f.Code,
			Expected: string(f.Code), Source: readSource,
			Message: fmt.Sprintf("Manca la colonna «%s» (codice %s) nella riga %d dei codici del foglio %s: aggiungerla o ripristinarla dal modello ufficiale; i valori di quel campo non possono essere letti.",
				f.Label, f.Code, coursesCodesRow, s.canon),
		})
	}
	if len(cols) == 0 {
		return nil
	}
	for _, rc := range rows {
		if rc.row < coursesFirstRow || !reaches(rc.cols, cols) {
			continue
		}
		entries := make(map[compute.FieldCode]validate.Entry, len(cols))
		blank := true
		for _, c := range cols {
			e, err := r.entry(s, c.idx, rc.row)
			if err != nil {
				return err
			}
			entries[c.code] = e
			if !blankEntry(e) {
				blank = false
			}
		}
		if !blank {
			in.Courses = append(in.Courses, validate.CourseRow{Row: rc.row, Entries: entries})
		}
	}
	return nil
}

// reaches reports whether a row from the iterator may hold a cell in one of
// the known columns: the iterator returns values up to the row's last cell
// holding a value or a formula, so a row narrower than every known column
// has none of them.
func reaches(vals []string, cols []courseColumn) bool {
	for _, c := range cols {
		if c.idx <= len(vals) {
			return true
		}
	}
	return false
}

// blankEntry treats text made only of spaces like an empty cell when
// deciding whether a row is a course.
func blankEntry(e validate.Entry) bool {
	return e.Blank() || (e.Formula == "" && e.Type == validate.EntryText && strings.TrimSpace(e.Text) == "")
}

// thresholds reads Soglie from row 2: A = code, C = value, D = source.
func (r *sheetReader) thresholds(s sheetRef, in *validate.Input) error {
	rows, err := r.rows(s, 2)
	if err != nil {
		return err
	}
	for _, rc := range rows {
		code := strings.TrimSpace(rc.cols[0])
		if code == "" {
			continue
		}
		e, err := r.entry(s, 3, rc.row)
		if err != nil {
			return err
		}
		src := ""
		if len(rc.cols) > 3 {
			src = strings.TrimSpace(rc.cols[3])
		}
		in.Thresholds = append(in.Thresholds, validate.ThresholdRow{Row: rc.row, Code: code, Value: e, Source: src})
	}
	return nil
}

// entry reads one cell as stored: type, raw value (numbers are not
// display-formatted), formula, whether it is formatted as a date. Formulas
// are never calculated.
func (r *sheetReader) entry(s sheetRef, col, row int) (validate.Entry, error) {
	cell, err := excelize.CoordinatesToCellName(col, row)
	if err != nil {
		return validate.Entry{}, r.corrupt(s, err)
	}
	e := validate.Entry{Cell: validate.CellRef(s.canon + "!" + cell)}
	typ, err := r.f.GetCellType(s.name, cell)
	if err != nil {
		return e, r.cellErr(e.Cell, err)
	}
	val, err := r.f.GetCellValue(s.name, cell, excelize.Options{RawCellValue: true})
	if err != nil {
		return e, r.cellErr(e.Cell, err)
	}
	if e.Formula, err = r.f.GetCellFormula(s.name, cell); err != nil {
		return e, r.cellErr(e.Cell, err)
	}
	if val == "" {
		switch {
		case e.Formula == "":
			// nothing stored
		case r.cachedEmpty(s, cell):
			e.Type = validate.EntryText // a formula whose result is ""
		default:
			e.NoCache = true // never calculated: the value is unknown
		}
		return e, nil
	}
	e.Text = val
	switch typ {
	case excelize.CellTypeBool:
		e.Type = validate.EntryBool
	case excelize.CellTypeError:
		e.Type = validate.EntryError
	case excelize.CellTypeFormula: // t="str": the cached text result
		e.Type = validate.EntryText
		if e.Formula != "" && isFormulaError(val) {
			e.Type = validate.EntryError // excelize and others cache errors as text
		}
	case excelize.CellTypeSharedString, excelize.CellTypeInlineString:
		e.Type = validate.EntryText
	case excelize.CellTypeDate: // t="d": an ISO 8601 date
		e.Date = true
		e.Type = validate.EntryText
		if serial, ok := isoSerial(val); ok {
			e.Type, e.Text = validate.EntryNumber, serial
		}
	default: // a number (t="n" or no type)
		e.Type = validate.EntryText
		if n, ok := plainNumber(val); ok {
			e.Type, e.Text = validate.EntryNumber, n
			if e.Date, err = r.dateFormatted(s, cell); err != nil {
				return e, r.cellErr(e.Cell, err)
			}
			if e.Date && r.date1904 {
				e.Text = shift1904(e.Text)
				r.converted = true
			}
		}
	}
	return e, nil
}

// cachedEmpty reports whether a formula cell with an empty value has a
// cached result, an empty string (<v></v>), rather than none. Excelize
// cannot tell them apart; the pre-scan of the sheet's XML can. Without it,
// the value is taken as not cached.
func (r *sheetReader) cachedEmpty(s sheetRef, cell string) bool {
	uncached, ok := r.o.uncached[s.canon]
	return ok && !uncached[cell]
}

func (r *sheetReader) cellErr(cell validate.CellRef, err error) error {
	return r.o.fail(ErrCorrupt, err, "è danneggiato: la cella %s non può essere letta; aprirlo con Excel, salvarlo di nuovo e riprovare", cell)
}

// dateFormatted reports whether a cell's number format shows a date.
func (r *sheetReader) dateFormatted(s sheetRef, cell string) (bool, error) {
	id, err := r.f.GetCellStyle(s.name, cell)
	if err != nil {
		return false, err
	}
	if d, ok := r.dateStyles[id]; ok {
		return d, nil
	}
	d := false
	// An unknown style id is displayed as General by Excel: not a date.
	if st, err := r.f.GetStyle(id); err == nil && st != nil {
		if st.CustomNumFmt != nil {
			d = isDateFormatCode(*st.CustomNumFmt)
		} else {
			d = (14 <= st.NumFmt && st.NumFmt <= 22) || (45 <= st.NumFmt && st.NumFmt <= 47)
		}
	}
	r.dateStyles[id] = d
	return d, nil
}

// isDateFormatCode reports whether a custom number format shows a date or
// time: a d, m or y token outside quoted text, escapes and [brackets] (an m
// with h or s and no d or y is minutes, a time only format).
func isDateFormatCode(code string) bool {
	var b strings.Builder
	for i := 0; i < len(code); i++ {
		switch c := code[i]; c {
		case '"':
			for i++; i < len(code) && code[i] != '"'; i++ {
			}
		case '\\', '_', '*':
			i++ // the next character is literal, a width or a fill
		case '[':
			for i++; i < len(code) && code[i] != ']'; i++ {
			}
		default:
			b.WriteByte(c | 0x20) // lower case for ASCII letters
		}
	}
	t := b.String()
	if strings.ContainsAny(t, "dy") {
		return true
	}
	return strings.Contains(t, "m") && !strings.ContainsAny(t, "hs")
}

// plainNumber returns a stored number in plain decimal form ("1E-3" →
// "0.001"); ok is false for anything that is not a finite decimal number.
func plainNumber(v string) (string, bool) {
	v = strings.TrimSpace(v)
	if v == "" || strings.IndexFunc(v, func(r rune) bool { return !strings.ContainsRune("0123456789+-.eE", r) }) >= 0 {
		return "", false
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return "", false
	}
	return strconv.FormatFloat(f, 'f', -1, 64), true
}

// shift1904 converts a serial of the 1904 date system to the 1900 one.
func shift1904(serial string) string {
	f, err := strconv.ParseFloat(serial, 64)
	if err != nil {
		return serial
	}
	return strconv.FormatFloat(f+1462, 'f', -1, 64)
}

// isoSerial converts an ISO 8601 date (t="d" cells) to a 1900-system serial.
func isoSerial(v string) (string, bool) {
	v = strings.TrimSpace(v)
	epoch := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04", "2006-01-02"} {
		t, err := time.Parse(layout, v)
		if err != nil {
			continue
		}
		t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
		if t.Before(time.Date(1900, 3, 1, 0, 0, 0, 0, time.UTC)) {
			return "", false // Excel's 1900 leap-year bug makes these ambiguous
		}
		days := t.Sub(epoch).Hours() / 24
		return strconv.FormatFloat(days, 'f', -1, 64), true
	}
	return "", false
}

// isFormulaError reports whether a cached formula result is an Excel error.
func isFormulaError(v string) bool {
	switch v {
	case "#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A",
		"#GETTING_DATA", "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!", "#PYTHON!":
		return true
	}
	return false
}

// ---------------------------------------------------------------------------
// Messages.

// displayName makes a user-supplied file name safe for a one-line message.
func displayName(name string) string {
	name = strings.TrimSpace(oneLine(name))
	if name == "" {
		return "senza nome"
	}
	if r := []rune(name); len(r) > 120 {
		name = string(r[:120]) + "…"
	}
	return name
}

// oneLine replaces control characters (newlines included) and invalid
// UTF-8 with spaces.
func oneLine(s string) string {
	s = strings.ToValidUTF8(s, " ")
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
}
