package xlsx

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// Limits bound what an untrusted upload may make the reader and the writer
// do.
type Limits struct {
	// UnzipSize bounds the total decompressed size of the package, as the
	// zip declares it.
	UnzipSize int64
	// UnzipXMLSize bounds each XML part held in memory as a structure:
	// other XML parts above it are refused. Worksheets and the shared
	// strings above it are read by the reader one at a time and kept by
	// the writer in temporary files (excelize's UnzipXMLSizeLimit), unless
	// InMemory is set.
	UnzipXMLSize int64
	// MaxCells bounds what the parsed XML may expand to in memory: the
	// elements of the structural parts and the cells of the sheets read,
	// counted as if every row were padded to its last column (a few
	// kilobytes of zip can otherwise describe a sheet of billions of
	// cells). One unit costs about 200 bytes. Zero means the default.
	MaxCells int64
	// InMemory keeps every byte of an upload in memory: worksheets and the
	// shared strings above UnzipXMLSize are refused with ErrTooLarge like
	// the other XML parts, and the writer never uses temporary files. A
	// server that must not write uploads to disk sets it.
	InMemory bool
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

// WithDefaults replaces unset or invalid limits with the defaults, so that
// a zero Limits never means "unlimited".
func (l Limits) WithDefaults() Limits {
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

// Kinds of files that cannot be read. OpenPackage returns them wrapped in
// an *OpenError; test them with errors.Is.
var (
	ErrNotXLSX      = errors.New("xlsx: not an xlsx workbook")
	ErrEncrypted    = errors.New("xlsx: password-protected workbook")
	ErrCorrupt      = errors.New("xlsx: corrupt workbook")
	ErrLegacyFormat = errors.New("xlsx: legacy or foreign spreadsheet format")
	ErrTooLarge     = errors.New("xlsx: workbook exceeds the size limits")
)

// OpenError is a file that cannot be read: Msg is one Italian line for
// the user naming the file and the problem; Kind is one of the Err*
// sentinels (this package's or a caller's). The underlying cause, if any,
// is reachable with errors.Is/As but never shown in Msg.
type OpenError struct {
	Kind  error
	Msg   string
	cause error
}

// NewOpenError returns an OpenError of a kind with its message and cause
// (nil when none).
func NewOpenError(kind, cause error, msg string) *OpenError {
	return &OpenError{Kind: kind, Msg: msg, cause: cause}
}

func (e *OpenError) Error() string { return e.Msg }

// Unwrap returns the kind and the underlying cause.
func (e *OpenError) Unwrap() []error {
	if e.cause == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.cause}
}

// Package is an opened xlsx package that has passed the package-level
// checks (see OpenPackage): what was read of its structural parts and its
// shared strings, and the MaxCells budget left for reading its sheets.
type Package struct {
	ctx   context.Context
	data  []byte
	name  string // sanitized, for messages
	Lim   Limits
	zr    *zip.Reader
	parts map[string]*zip.File // by name with forward slashes
	Left  int64                // MaxCells budget still available
	wb    string               // workbook part, from _rels/.rels
	// From the workbook: its sheets, date system and relationships; from
	// the styles: the number format of each cell format; the shared
	// strings.
	Sheets   []WorkbookSheet
	Date1904 bool
	wbRels   []pkgRel
	NumFmts  map[int]string
	XfNumFmt []int
	SST      []string
	// inflated holds the worksheets and shared strings checkEntries
	// inflated, for the reader to parse without inflating them again
	// (ReadPart takes each out), up to maxInflatedKept bytes in all; head
	// is checkEntry's buffer for the other parts.
	inflated map[*zip.File][]byte
	kept     int64
	head     []byte
}

// maxInflatedKept bounds the bytes of the parts checkEntries keeps for the
// reader; past it, a part is inflated again when it is read.
const maxInflatedKept = 16 << 20

// structuralPart reports whether a lower-case name is the usual name of
// a part scanPackage reads whole (another name is inflated when read).
func structuralPart(low string) bool {
	switch low {
	case "[content_types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
		"xl/styles.xml", "xl/theme/theme1.xml", "xl/calcchain.xml":
		return true
	}
	return false
}

// keepWhole reports whether checkEntries keeps a part's bytes: the parts
// the reader parses whole (worksheets, shared strings, the structural
// parts), while they fit.
func (o *Package) keepWhole(zf *zip.File) bool {
	low := strings.ToLower(zf.Name)
	if !strings.HasPrefix(low, "xl/worksheets/sheet") && !strings.HasSuffix(low, "sharedstrings.xml") && !structuralPart(low) {
		return false
	}
	return zf.UncompressedSize64 <= uint64(maxInflatedKept-o.kept)
}

// ReadPart inflates a part, or hands over the bytes checkEntries kept
// (once: a second read inflates again).
func (o *Package) ReadPart(zf *zip.File) ([]byte, error) {
	if d, ok := o.inflated[zf]; ok {
		delete(o.inflated, zf)
		o.kept -= int64(len(d))
		return d, nil
	}
	return ReadPart(zf)
}

// OpenPackage opens an xlsx package from bytes and runs its package-level
// checks: what is not a zip or not a workbook (encrypted, legacy, ODF,
// binary), sizes and entries against lim (zip bombs, names leaving the
// package, unknown compression, lying sizes or checksums, a DOCTYPE), and
// the structural parts (content types, relationships, workbook, styles,
// theme, calculation chain, shared strings), each element charged to the
// MaxCells budget. It never writes anything, to the input or to disk.
// name is used in messages only. Every file that cannot be read gives an
// *OpenError. It checks ctx between the phases and then returns ctx's
// error.
func OpenPackage(ctx context.Context, data []byte, name string, lim Limits) (*Package, error) {
	o := &Package{ctx: ctx, data: data, name: DisplayName(name), Lim: lim.WithDefaults()}
	o.Left = o.Lim.MaxCells
	for _, step := range []func() error{o.sniff, o.classify, o.checkSizes, o.checkEntries, o.scanPackage} {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := step(); err != nil {
			return nil, err
		}
	}
	return o, nil
}

// Stopped is the error of the Package's context, nil when it has none.
func (o *Package) Stopped() error {
	if o.ctx == nil {
		return nil
	}
	return o.ctx.Err()
}

// Fail builds the OpenError of the file: «name» followed by the problem.
func (o *Package) Fail(kind, cause error, format string, args ...any) *OpenError {
	msg := "«" + o.name + "» " + fmt.Sprintf(format, args...)
	return &OpenError{Kind: kind, Msg: OneLine(msg), cause: cause}
}

var (
	oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0}
	pkMagic  = []byte("PK")
)

// sniff refuses what is not a zip: OLE compound files (encrypted xlsx or
// legacy xls), PDFs, text, HTML, SpreadsheetML 2003. On success o.zr is set.
func (o *Package) sniff() error {
	d := o.data
	if len(d) == 0 {
		return o.Fail(ErrNotXLSX, nil, "è vuoto: caricare il file .xlsx compilato")
	}
	if bytes.HasPrefix(d, oleMagic) {
		if cfbHasStream(d, "EncryptionInfo") {
			return o.Fail(ErrEncrypted, nil, "è protetto da password: rimuovere la password in Excel (File > Informazioni > Proteggi cartella di lavoro), salvarlo e riprovare")
		}
		return o.Fail(ErrLegacyFormat, nil, "è nel vecchio formato Excel 97-2003 (.xls): aprirlo con Excel e salvarlo come .xlsx")
	}
	zr, err := zip.NewReader(bytes.NewReader(d), int64(len(d)))
	if err != nil {
		if bytes.HasPrefix(d, pkMagic) {
			return o.Fail(ErrCorrupt, err, "è un archivio .xlsx danneggiato o incompleto: caricarlo di nuovo o salvarlo di nuovo con Excel")
		}
		if isSpreadsheetML2003(d) {
			return o.Fail(ErrLegacyFormat, err, "è nel formato «Foglio di calcolo XML 2003»: aprirlo con Excel e salvarlo come .xlsx")
		}
		return o.Fail(ErrNotXLSX, err, "non è un file Excel .xlsx%s", whatIsIt(d))
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
func (o *Package) classify() error {
	if zf, ok := o.parts["mimetype"]; ok {
		mt := strings.TrimSpace(readSmall(zf, 256))
		switch {
		case strings.HasPrefix(mt, "application/vnd.oasis.opendocument.spreadsheet"):
			return o.Fail(ErrLegacyFormat, nil, "non è un .xlsx ma un file ODS: salvarlo come .xlsx (in LibreOffice: File > Salva con nome > Excel 2007-365)")
		case strings.HasPrefix(mt, "application/vnd.oasis.opendocument."):
			return o.Fail(ErrNotXLSX, nil, "è un documento OpenDocument, non un foglio di calcolo Excel .xlsx")
		}
	}
	if o.Part("xl/workbook.bin") != nil {
		return o.Fail(ErrLegacyFormat, nil, "è una cartella di lavoro binaria (.xlsb): aprirla con Excel e salvarla come .xlsx")
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

// Part returns the zip entry of a package part, matched like excelize does
// for the parts it names itself (exactly, else ignoring case).
func (o *Package) Part(name string) *zip.File {
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

// checkSizes refuses zip bombs from the sizes the zip declares, before
// anything is inflated. archive/zip refuses to inflate an entry beyond its
// declared size, so the declared sizes bound what is read.
func (o *Package) checkSizes() error {
	var total uint64
	limit := uint64(o.Lim.UnzipSize)
	for _, zf := range o.zr.File {
		n := zf.UncompressedSize64
		if total > math.MaxUint64-n {
			total = math.MaxUint64
		} else {
			total += n
		}
		name := strings.ReplaceAll(zf.Name, `\`, "/")
		if n <= limit && n > uint64(o.Lim.UnzipXMLSize) && heldAsXML(name, o.Lim.InMemory) {
			return o.Fail(ErrTooLarge, nil, "contiene una parte interna («%s») che decompressa occupa %s, oltre il limite di %s",
				ShortPart(name), SizeTextU(n), SizeText(o.Lim.UnzipXMLSize))
		}
	}
	if total > limit {
		return o.Fail(ErrTooLarge, nil, "decompresso occuperebbe %s, oltre il limite di %s: non è un modello compilato normale",
			SizeTextU(total), SizeText(o.Lim.UnzipSize))
	}
	return nil
}

// MaxEntries bounds the entries of a package: an official workbook has a
// few dozen; 100,000 empty entries cost excelize hundreds of megabytes.
const MaxEntries = 10_000

// checkEntries refuses, before any part is parsed, what excelize would
// carry into the copy or fail on only when it is written, so that the
// JSON report and the copy refuse the same files: too many entries, an
// entry name that leaves the package (".." or an absolute path), a
// compression method other than stored or deflate, an entry whose sizes
// or checksum lie, and an XML part with a document type declaration
// (which Excel refuses). Every entry is inflated once, bounded by the
// sizes checkSizes has accepted.
func (o *Package) checkEntries() error {
	if len(o.zr.File) > MaxEntries {
		return o.Fail(ErrTooLarge, nil, "contiene %d parti interne, oltre il limite di %d: non è un modello compilato normale", len(o.zr.File), MaxEntries)
	}
	for _, zf := range o.zr.File {
		if !ValidEntryName(zf.Name) || dataUnderDirectory(zf) {
			return o.Fail(ErrCorrupt, nil, "è danneggiato: contiene una parte interna con un nome non valido («%s»); aprirlo con Excel, salvarlo di nuovo e riprovare", ShortPart(zf.Name))
		}
		if zf.Method != zip.Store && zf.Method != zip.Deflate {
			return o.Fail(ErrCorrupt, nil, "è danneggiato: la parte interna «%s» usa una compressione che Excel non conosce; aprirlo con Excel, salvarlo di nuovo e riprovare", ShortPart(zf.Name))
		}
	}
	for _, zf := range o.zr.File {
		if err := o.checkEntry(zf); errors.Is(err, errDoctype) {
			return o.Fail(ErrCorrupt, err, "contiene nella parte interna «%s» una dichiarazione DOCTYPE, che Excel non accetta: aprirlo con Excel, salvarlo di nuovo e riprovare", ShortPart(zf.Name))
		} else if err != nil {
			return o.Fail(ErrCorrupt, err, "è danneggiato: la parte interna «%s» è illeggibile; aprirlo con Excel, salvarlo di nuovo e riprovare", ShortPart(zf.Name))
		}
	}
	return nil
}

// dataUnderDirectory reports an entry named as a directory ("x/", or
// "x\" as some writers spell it) that holds data: no program writes it,
// and no writer can copy it (a zip directory has no content).
func dataUnderDirectory(zf *zip.File) bool {
	n := zf.Name
	return (strings.HasSuffix(n, "/") || strings.HasSuffix(n, `\`)) && (zf.UncompressedSize64 > 0 || zf.CompressedSize64 > 0)
}

// ValidEntryName reports whether a zip entry name stays inside the
// package: not empty, not absolute, no drive letter, no "." or ".."
// segment, with either slash.
func ValidEntryName(name string) bool {
	n := strings.ReplaceAll(name, `\`, "/")
	if n == "" || strings.HasPrefix(n, "/") || (len(n) > 1 && n[1] == ':') || strings.ContainsRune(n, 0) {
		return false
	}
	for _, seg := range strings.Split(n, "/") {
		if seg == ".." || seg == "." {
			return false
		}
	}
	return true
}

// checkEntry inflates one entry to its end: archive/zip checks there that
// its size and CRC-32 are the declared ones. The head of an XML part is
// searched for a document type declaration. The bytes of a part the
// reader parses whole are kept for it (keepWhole).
func (o *Package) checkEntry(zf *zip.File) error {
	if o.keepWhole(zf) {
		d, err := ReadPart(zf)
		if err != nil {
			return err
		}
		if hasDoctype(d[:min(len(d), checkHead)]) {
			return errDoctype
		}
		if o.inflated == nil {
			o.inflated = map[*zip.File][]byte{}
		}
		o.inflated[zf] = d
		o.kept += int64(len(d))
		return nil
	}
	rc, err := zf.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	if o.head == nil {
		o.head = make([]byte, checkHead)
	}
	head := o.head
	n, err := io.ReadFull(rc, head[:])
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return err
	}
	if hasDoctype(head[:n]) {
		return errDoctype
	}
	if n < len(head) {
		return nil // ReadFull met the end, and archive/zip's checks
	}
	_, err = io.Copy(io.Discard, rc)
	return err
}

// checkHead is the head of a part searched for a document type
// declaration.
const checkHead = 64 << 10

// hasDoctype reports whether the start of a part declares a document type
// (<!DOCTYPE, in any case, before the first element).
func hasDoctype(head []byte) bool {
	for i := 0; i+1 < len(head); i++ {
		if head[i] != '<' {
			continue
		}
		switch c := head[i+1]; {
		case c == '?':
			continue
		case c == '!':
			if len(head) >= i+9 && bytes.EqualFold(head[i+2:i+9], []byte("DOCTYPE")) {
				return true
			}
		default:
			return false // the root element: no declaration can follow
		}
	}
	return false
}

// heldAsXML reports whether a part is held in memory and decoded as XML
// (and so bounded by UnzipXMLSize). Worksheets and the shared strings are
// not, unless everything must stay in memory: excelize keeps them in
// temporary files when the writer reopens the workbook. Media and other
// binary parts are not decoded.
func heldAsXML(name string, inMemory bool) bool {
	low := strings.ToLower(name)
	if !inMemory && (strings.HasPrefix(low, "xl/worksheets/sheet") || low == "xl/sharedstrings.xml") {
		return false
	}
	return strings.HasSuffix(low, ".xml") || strings.HasSuffix(low, ".rels") || strings.HasSuffix(low, ".vml")
}

func SizeText(n int64) string { return SizeTextU(uint64(max(n, 0))) }

// mbU formats a size in bytes for a message, rounding up.
func SizeTextU(n uint64) string {
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

// ShortPart keeps a part name readable in a one-line message.
func ShortPart(name string) string {
	name = OneLine(name)
	if utf8.RuneCountInString(name) > 60 {
		r := []rune(name)
		name = string(r[:60]) + "…"
	}
	return name
}

// scanPackage reads the structural parts, each element costing one unit of
// the MaxCells budget (excelize decodes them when the writer reopens the
// workbook): it finds the workbook part and reads from it the sheets and
// the date system, the relationships, the cell formats and the shared
// strings.
func (o *Package) scanPackage() error {
	if _, err := o.scanPart("[Content_Types].xml", "", nil); err != nil {
		return err
	}
	var top relsInfo
	if _, err := o.scanPart("_rels/.rels", "", top.visit); err != nil {
		return err
	}
	o.wb = ""
	for _, r := range top {
		if strings.HasSuffix(r.typ, "/officeDocument") {
			o.wb = strings.TrimPrefix(r.target, "/")
			break
		}
	}
	if o.wb == "" || o.Part(o.wb) == nil {
		return o.Fail(ErrNotXLSX, nil, "è un archivio zip ma non una cartella di lavoro Excel (.xlsx)")
	}
	var wi workbookInfo
	root, err := o.scanPart(o.wb, "", wi.visit)
	if err != nil {
		return err
	}
	if root != "workbook" {
		// e.g. a Word or PowerPoint document
		return o.Fail(ErrNotXLSX, nil, "è un documento Office ma non una cartella di lavoro Excel (.xlsx)")
	}
	o.Sheets, o.Date1904 = wi.sheets, wi.date1904
	var ri relsInfo
	if _, err := o.scanPart(RelsOf(o.wb), "", ri.visit); err != nil {
		return err
	}
	o.wbRels = ri
	stylesPart, sstPart := o.related("/styles", "xl/styles.xml"), o.related("/sharedStrings", "xl/sharedStrings.xml")
	st := stylesInfo{numFmts: map[int]string{}}
	if _, err := o.scanPart(stylesPart, "styleSheet", st.visit); err != nil {
		return err
	}
	o.NumFmts, o.XfNumFmt = st.numFmts, st.xfNumFmt
	// excelize reads the styles and the theme from these names, whatever
	// the relationships say.
	for _, p := range []struct{ name, root string }{{"xl/styles.xml", "styleSheet"}, {"xl/theme/theme1.xml", "theme"}, {"xl/calcChain.xml", "calcChain"}} {
		if p.name == stylesPart {
			continue
		}
		if _, err := o.scanPart(p.name, p.root, nil); err != nil {
			return err
		}
	}
	return o.readSharedStrings(sstPart)
}

// related returns the part a workbook relationship of the given type
// points to, or the usual name.
func (o *Package) related(typ, usual string) string {
	for _, r := range o.wbRels {
		if strings.HasSuffix(r.typ, typ) {
			return resolveTarget(o.wb, r.target)
		}
	}
	return usual
}

// readSharedStrings reads the shared strings, if any.
func (o *Package) readSharedStrings(name string) error {
	zf := o.Part(name)
	if zf == nil {
		return nil
	}
	d, err := o.ReadPart(zf)
	if err == nil {
		err = CheckChars(d)
	}
	if err != nil {
		return o.Fail(ErrCorrupt, err, "è danneggiato: la parte interna «%s» è illeggibile; aprirlo con Excel, salvarlo di nuovo e riprovare", ShortPart(name))
	}
	sst, units, ok, err := ParseSST(d, o.Left)
	if !ok {
		return o.Fail(ErrTooLarge, nil, "contiene una parte interna («%s») con troppi elementi (oltre %d): non è un modello compilato normale", ShortPart(name), o.Lim.MaxCells)
	}
	if err != nil {
		return o.Fail(ErrCorrupt, err, "è danneggiato: la parte interna «%s» è illeggibile; aprirlo con Excel, salvarlo di nuovo e riprovare", ShortPart(name))
	}
	o.Left -= units
	o.SST = sst
	return nil
}

// scanPart charges the budget with the elements of one part, if present,
// passes its tokens to fn (if not nil) and returns the local name of its
// root element. A present part must be well-formed XML with one root
// element (excelize takes an empty or truncated part for an empty
// structure and then dereferences nil) and no document type declaration
// (Excel refuses it); want, if not empty, is the root's expected local
// name.
func (o *Package) scanPart(name, want string, fn func(*xmlScanner)) (string, error) {
	zf := o.Part(name)
	if zf == nil {
		return "", nil
	}
	var (
		units int64
		root  string
		bad   error
		names int
	)
	d, err := o.ReadPart(zf)
	if err == nil {
		err = walkTags(d, func(s *xmlScanner) bool {
			if s.end {
				if fn != nil {
					fn(s)
				}
				return true
			}
			if units == 0 {
				root = string(s.name)
			}
			if len(s.attrs) > maxAttrBytes {
				bad = errAttrTooLong
				return false
			}
			if string(s.name) == "definedName" {
				if names++; names > MaxDefinedNames {
					bad = errTooManyNames
					return false
				}
			}
			units++
			if units > o.Left {
				return false
			}
			if fn != nil {
				fn(s)
			}
			return true
		})
	}
	if err == nil && bad != nil {
		err = bad
	}
	switch {
	case errors.Is(err, errDoctype):
		return "", o.Fail(ErrCorrupt, err, "contiene nella parte interna «%s» una dichiarazione DOCTYPE, che Excel non accetta: aprirlo con Excel, salvarlo di nuovo e riprovare", ShortPart(name))
	case errors.Is(err, errAttrTooLong):
		return "", o.Fail(ErrTooLarge, err, "contiene nella parte interna «%s» un elemento con attributi di oltre %s: non è un modello compilato normale", ShortPart(name), SizeText(maxAttrBytes))
	case errors.Is(err, errTooManyNames):
		return "", o.Fail(ErrTooLarge, err, "definisce più di %d nomi (Formule > Gestione nomi): non è un modello compilato normale", MaxDefinedNames)
	}
	if err != nil {
		return "", o.Fail(ErrCorrupt, err, "è danneggiato: la parte interna «%s» è illeggibile; aprirlo con Excel, salvarlo di nuovo e riprovare", ShortPart(name))
	}
	if units > o.Left {
		return "", o.Fail(ErrTooLarge, nil, "contiene una parte interna («%s») con troppi elementi (oltre %d): non è un modello compilato normale", ShortPart(name), o.Lim.MaxCells)
	}
	if root == "" {
		return "", o.Fail(ErrCorrupt, nil, "è danneggiato: la parte interna «%s» è vuota; aprirlo con Excel, salvarlo di nuovo e riprovare", ShortPart(name))
	}
	if want != "" && root != want {
		return "", o.Fail(ErrCorrupt, nil, "è danneggiato: la parte interna «%s» non ha il contenuto atteso; aprirlo con Excel, salvarlo di nuovo e riprovare", ShortPart(name))
	}
	o.Left -= units
	return root, nil
}

// errDoctype is a part with a document type declaration.
var errDoctype = errors.New("document type declaration")

// Budgets of the structural parts, which excelize decodes whole into
// structures several times their size: one element's attributes, and the
// defined names of the workbook.
const (
	maxAttrBytes    = 1 << 20
	MaxDefinedNames = 10_000
)

var (
	errAttrTooLong  = errors.New("attributes over the budget")
	errTooManyNames = errors.New("too many defined names")
)

// SheetParts finds the parts of the sheets named like sheet, ignoring
// case, as excelize does: workbook.xml gives the relationship id, the
// workbook's relationships the target.
func (o *Package) SheetParts(sheet string) []string {
	var out []string
	for _, s := range o.Sheets {
		if !strings.EqualFold(s.Name, sheet) {
			continue
		}
		for _, r := range o.wbRels {
			if r.id == s.rid {
				out = append(out, resolveTarget(o.wb, r.target))
			}
		}
	}
	return out
}

// BadSheetName says, in Italian, why Excel (and excelize, when the copy is
// written or audited again) refuses a sheet name; "" when it is valid.
func BadSheetName(name string) string {
	switch {
	case name == "":
		return "il nome è vuoto"
	case len(utf16.Encode([]rune(name))) > excelize.MaxSheetNameLength:
		return fmt.Sprintf("il nome supera %d caratteri", excelize.MaxSheetNameLength)
	case strings.HasPrefix(name, "'") || strings.HasSuffix(name, "'"):
		return "il nome inizia o finisce con un apostrofo"
	case strings.ContainsAny(name, ":\\/?*[]"):
		return "il nome contiene uno dei caratteri : \\ / ? * [ ]"
	}
	return ""
}

// DisplayName makes a user-supplied file name safe for a one-line message.
func DisplayName(name string) string {
	name = strings.TrimSpace(OneLine(name))
	if name == "" {
		return "senza nome"
	}
	if r := []rune(name); len(r) > 120 {
		name = string(r[:120]) + "…"
	}
	return name
}

// OneLine replaces control characters (newlines included) and invalid
// UTF-8 with spaces, and drops the bidirectional controls (U+202E would
// show «fattura‮xslx.exe» as «fatturaexe.xlsx»).
func OneLine(s string) string {
	s = strings.ToValidUTF8(s, " ")
	return strings.Map(func(r rune) rune {
		switch {
		case IsBidiControl(r):
			return -1
		case unicode.IsControl(r) || r == '\u2028' || r == '\u2029':
			return ' '
		}
		return r
	}, s)
}

// IsBidiControl reports whether r changes the direction of the text
// around it: the embeddings, overrides and isolates, and the marks.
func IsBidiControl(r rune) bool {
	return (r >= '\u202A' && r <= '\u202E') || (r >= '\u2066' && r <= '\u2069') || r == '\u200E' || r == '\u200F' || r == '\u061C'
}
