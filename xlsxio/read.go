package xlsxio

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"github.com/its-academy/auditor/internal/xlsx"
	"io"
	"math"
	"path"
	"sort"
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
	// elements of the structural parts and the cells of the three official
	// sheets counted as if every row were padded to its last column (a few
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

// Workbook is an opened official workbook: what was read from it. The
// reader keeps nothing of the file once Open returns.
type Workbook struct {
	Input *validate.Input
}

// Close releases what the workbook holds; nothing today, since the reader
// uses neither excelize nor temporary files, but callers should keep
// calling it.
func (w *Workbook) Close() error { return nil }

// Rule identifiers of the findings made while reading.
const (
	RuleMissingColumn   compute.RuleID = "STR-COLONNA-MANCANTE"
	RuleDuplicateColumn compute.RuleID = "STR-COLONNA-DUPLICATA"
	RuleDuplicateField  compute.RuleID = "STR-VOCE-DUPLICATA"
	RuleDate1904        compute.RuleID = "STR-DATE-1904"
	RuleHiddenRow       compute.RuleID = "STR-RIGA-NASCOSTA"
)

const (
	readSource      = "docs/modello.md"
	coursesCodesRow = 2 // Percorsi: row 1 = labels, row 2 = codes
	coursesFirstRow = 3
)

// Open reads an official workbook from bytes. It never writes anything,
// to the input or to disk. name is used in messages only. Every file that
// cannot be audited gives an *OpenError.
//
// It reads the package itself: the structural parts with encoding/xml,
// the shared strings and the three official sheets, once each, with a
// small scanner that decodes only the cells it needs (see read_xml.go).
func Open(data []byte, name string, lim Limits) (*Workbook, error) {
	return OpenContext(context.Background(), data, name, lim)
}

// OpenContext is Open stopping early once ctx is done: it checks ctx
// between the phases of the read and between sheets, and then returns
// ctx's error.
func OpenContext(ctx context.Context, data []byte, name string, lim Limits) (*Workbook, error) {
	o := &opener{ctx: ctx, data: data, name: displayName(name), lim: lim.withDefaults()}
	o.left = o.lim.MaxCells
	for _, step := range []func() error{o.sniff, o.classify, o.checkSizes, o.checkEntries, o.scanPackage} {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := step(); err != nil {
			return nil, err
		}
	}
	in, err := o.read()
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	in.SHA256 = hex.EncodeToString(sum[:])
	in.FileName = name
	return &Workbook{Input: in}, nil
}

// opener carries one call of Open.
type opener struct {
	ctx   context.Context
	data  []byte
	name  string // sanitized, for messages
	lim   Limits
	zr    *zip.Reader
	parts map[string]*zip.File // by name with forward slashes
	left  int64                // MaxCells budget still available
	wb    string               // workbook part, from _rels/.rels
	// From the workbook: its sheets, date system and relationships; from
	// the styles: the number format of each cell format; the shared
	// strings.
	sheets   []wbSheet
	date1904 bool
	wbRels   []pkgRel
	numFmts  map[int]string
	xfNumFmt []int
	sst      []string
}

// stopped is the error of the opener's context, nil when it has none.
func (o *opener) stopped() error {
	if o.ctx == nil {
		return nil
	}
	return o.ctx.Err()
}

// fail builds the OpenError of the file: «name» followed by the problem.
func (o *opener) fail(kind, cause error, format string, args ...any) *OpenError {
	msg := "«" + o.name + "» " + fmt.Sprintf(format, args...)
	return &OpenError{Kind: kind, Msg: oneLine(msg), cause: cause}
}

// ---------------------------------------------------------------------------
// Classification of the bytes, before anything is inflated.

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
// declared size, so the declared sizes bound what is read.
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
		if n <= limit && n > uint64(o.lim.UnzipXMLSize) && heldAsXML(name, o.lim.InMemory) {
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

// maxEntries bounds the entries of a package: an official workbook has a
// few dozen; 100,000 empty entries cost excelize hundreds of megabytes.
const maxEntries = 10_000

// checkEntries refuses, before any part is parsed, what excelize would
// carry into the copy or fail on only when it is written, so that the
// JSON report and the copy refuse the same files: too many entries, an
// entry name that leaves the package (".." or an absolute path), a
// compression method other than stored or deflate, an entry whose sizes
// or checksum lie, and an XML part with a document type declaration
// (which Excel refuses). Every entry is inflated once, bounded by the
// sizes checkSizes has accepted.
func (o *opener) checkEntries() error {
	if len(o.zr.File) > maxEntries {
		return o.fail(ErrTooLarge, nil, "contiene %d parti interne, oltre il limite di %d: non è un modello compilato normale", len(o.zr.File), maxEntries)
	}
	for _, zf := range o.zr.File {
		if !validEntryName(zf.Name) {
			return o.fail(ErrCorrupt, nil, "è danneggiato: contiene una parte interna con un nome non valido («%s»); aprirlo con Excel, salvarlo di nuovo e riprovare", shortPart(zf.Name))
		}
		if zf.Method != zip.Store && zf.Method != zip.Deflate {
			return o.fail(ErrCorrupt, nil, "è danneggiato: la parte interna «%s» usa una compressione che Excel non conosce; aprirlo con Excel, salvarlo di nuovo e riprovare", shortPart(zf.Name))
		}
	}
	for _, zf := range o.zr.File {
		if err := checkEntry(zf); errors.Is(err, errDoctype) {
			return o.fail(ErrCorrupt, err, "contiene nella parte interna «%s» una dichiarazione DOCTYPE, che Excel non accetta: aprirlo con Excel, salvarlo di nuovo e riprovare", shortPart(zf.Name))
		} else if err != nil {
			return o.fail(ErrCorrupt, err, "è danneggiato: la parte interna «%s» è illeggibile; aprirlo con Excel, salvarlo di nuovo e riprovare", shortPart(zf.Name))
		}
	}
	return nil
}

// validEntryName reports whether a zip entry name stays inside the
// package: not empty, not absolute, no drive letter, no "." or ".."
// segment, with either slash.
func validEntryName(name string) bool {
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
// searched for a document type declaration.
func checkEntry(zf *zip.File) error {
	rc, err := zf.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	var head [64 << 10]byte
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

// scanPackage reads the structural parts, each element costing one unit of
// the MaxCells budget (excelize decodes them when the writer reopens the
// workbook): it finds the workbook part and reads from it the sheets and
// the date system, the relationships, the cell formats and the shared
// strings.
func (o *opener) scanPackage() error {
	for _, name := range []string{"[Content_Types].xml", "_rels/.rels"} {
		if _, err := o.scanPart(name, "", nil); err != nil {
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
		return o.fail(ErrNotXLSX, nil, "è un archivio zip ma non una cartella di lavoro Excel (.xlsx)")
	}
	var wi workbookInfo
	root, err := o.scanPart(o.wb, "", wi.token)
	if err != nil {
		return err
	}
	if root != "workbook" {
		// e.g. a Word or PowerPoint document
		return o.fail(ErrNotXLSX, nil, "è un documento Office ma non una cartella di lavoro Excel (.xlsx)")
	}
	o.sheets, o.date1904 = wi.sheets, wi.date1904
	var ri relsInfo
	if _, err := o.scanPart(relsOf(o.wb), "", ri.token); err != nil {
		return err
	}
	o.wbRels = ri
	stylesPart, sstPart := o.related("/styles", "xl/styles.xml"), o.related("/sharedStrings", "xl/sharedStrings.xml")
	st := stylesInfo{numFmts: map[int]string{}}
	if _, err := o.scanPart(stylesPart, "styleSheet", st.token); err != nil {
		return err
	}
	o.numFmts, o.xfNumFmt = st.numFmts, st.xfNumFmt
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
func (o *opener) related(typ, usual string) string {
	for _, r := range o.wbRels {
		if strings.HasSuffix(r.typ, typ) {
			return resolveTarget(o.wb, r.target)
		}
	}
	return usual
}

// readSharedStrings reads the shared strings, if any.
func (o *opener) readSharedStrings(name string) error {
	zf := o.part(name)
	if zf == nil {
		return nil
	}
	d, err := readPart(zf)
	if err == nil {
		err = xlsx.CheckChars(d)
	}
	if err != nil {
		return o.fail(ErrCorrupt, err, "è danneggiato: la parte interna «%s» è illeggibile; aprirlo con Excel, salvarlo di nuovo e riprovare", shortPart(name))
	}
	sst, units, ok, err := xlsx.ParseSST(d, o.left)
	if !ok {
		return o.fail(ErrTooLarge, nil, "contiene una parte interna («%s») con troppi elementi (oltre %d): non è un modello compilato normale", shortPart(name), o.lim.MaxCells)
	}
	if err != nil {
		return o.fail(ErrCorrupt, err, "è danneggiato: la parte interna «%s» è illeggibile; aprirlo con Excel, salvarlo di nuovo e riprovare", shortPart(name))
	}
	o.left -= units
	o.sst = sst
	return nil
}

// readPart inflates a part; archive/zip refuses more than the declared
// size, which checkSizes has bounded.
func readPart(zf *zip.File) ([]byte, error) {
	rc, err := zf.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	var buf bytes.Buffer
	buf.Grow(int(min(zf.UncompressedSize64, 64<<20)) + bytes.MinRead)
	if _, err := buf.ReadFrom(rc); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// relsOf returns the relationships part of a part, as excelize computes it.
func relsOf(part string) string {
	dir := path.Dir(part)
	if dir == "." {
		return "_rels/" + path.Base(part) + ".rels"
	}
	return strings.TrimPrefix(dir+"/_rels/"+path.Base(part)+".rels", "/")
}

// resolveTarget resolves a relationship target against the part holding it.
func resolveTarget(from, target string) string {
	if strings.HasPrefix(target, "/") {
		return strings.TrimPrefix(path.Clean(target), "/")
	}
	return strings.TrimPrefix(path.Clean(path.Dir(from)+"/"+target), "/")
}

// scanPart charges the budget with the elements of one part, if present,
// passes its tokens to fn (if not nil) and returns the local name of its
// root element. A present part must be well-formed XML with one root
// element (excelize takes an empty or truncated part for an empty
// structure and then dereferences nil) and no document type declaration
// (Excel refuses it); want, if not empty, is the root's expected local
// name.
func (o *opener) scanPart(name, want string, fn func(xml.Token)) (string, error) {
	zf := o.part(name)
	if zf == nil {
		return "", nil
	}
	var (
		units int64
		root  string
		stack []xml.Name
		bad   error
		names int
	)
	err := o.walkXML(zf, func(tok xml.Token) bool {
		switch t := tok.(type) {
		case xml.StartElement:
			if units == 0 {
				root = t.Name.Local
			} else if len(stack) == 0 {
				bad = errors.New("a second root element")
				return false
			}
			size := 0
			for _, a := range t.Attr {
				size += len(a.Value)
			}
			if size > maxAttrBytes {
				bad = errAttrTooLong
				return false
			}
			if t.Name.Local == "definedName" {
				if names++; names > maxDefinedNames {
					bad = errTooManyNames
					return false
				}
			}
			stack = append(stack, t.Name)
			units++
			if units > o.left {
				return false
			}
		case xml.EndElement:
			if n := len(stack); n == 0 || stack[n-1] != t.Name {
				bad = fmt.Errorf("unexpected </%s>", t.Name.Local)
				return false
			}
			stack = stack[:len(stack)-1]
		case xml.Directive:
			bad = errDoctype
			return false
		}
		if fn != nil {
			fn(tok)
		}
		return true
	})
	switch {
	case err == nil && bad != nil:
		err = bad
	case err == nil && units <= o.left && len(stack) > 0:
		err = fmt.Errorf("unclosed <%s>", stack[len(stack)-1].Local)
	}
	switch {
	case errors.Is(err, errDoctype):
		return "", o.fail(ErrCorrupt, err, "contiene nella parte interna «%s» una dichiarazione DOCTYPE, che Excel non accetta: aprirlo con Excel, salvarlo di nuovo e riprovare", shortPart(name))
	case errors.Is(err, errAttrTooLong):
		return "", o.fail(ErrTooLarge, err, "contiene nella parte interna «%s» un elemento con attributi di oltre %s: non è un modello compilato normale", shortPart(name), sizeText(maxAttrBytes))
	case errors.Is(err, errTooManyNames):
		return "", o.fail(ErrTooLarge, err, "definisce più di %d nomi (Formule > Gestione nomi): non è un modello compilato normale", maxDefinedNames)
	}
	if err != nil {
		return "", o.fail(ErrCorrupt, err, "è danneggiato: la parte interna «%s» è illeggibile; aprirlo con Excel, salvarlo di nuovo e riprovare", shortPart(name))
	}
	if units > o.left {
		return "", o.fail(ErrTooLarge, nil, "contiene una parte interna («%s») con troppi elementi (oltre %d): non è un modello compilato normale", shortPart(name), o.lim.MaxCells)
	}
	if root == "" {
		return "", o.fail(ErrCorrupt, nil, "è danneggiato: la parte interna «%s» è vuota; aprirlo con Excel, salvarlo di nuovo e riprovare", shortPart(name))
	}
	if want != "" && root != want {
		return "", o.fail(ErrCorrupt, nil, "è danneggiato: la parte interna «%s» non ha il contenuto atteso; aprirlo con Excel, salvarlo di nuovo e riprovare", shortPart(name))
	}
	o.left -= units
	return root, nil
}

// errDoctype is a part with a document type declaration.
var errDoctype = errors.New("document type declaration")

// Budgets of the structural parts, which excelize decodes whole into
// structures several times their size: one element's attributes, and the
// defined names of the workbook.
const (
	maxAttrBytes    = 1 << 20
	maxDefinedNames = 10_000
)

var (
	errAttrTooLong  = errors.New("attributes over the budget")
	errTooManyNames = errors.New("too many defined names")
)

// walkXML streams the raw tokens of a part to fn until fn returns false.
// The charset reader passes bytes through: only ASCII names and attribute
// values matter here.
func (o *opener) walkXML(zf *zip.File, fn func(xml.Token) bool) error {
	rc, err := zf.Open()
	if err != nil {
		return fmt.Errorf("open %s: %w", zf.Name, err)
	}
	defer rc.Close()
	return walkTokens(rc, fn)
}

func walkTokens(r io.Reader, fn func(xml.Token) bool) error {
	d := xml.NewDecoder(r)
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("parse: %w", err)
		}
		if !fn(tok) {
			return nil
		}
	}
}

type pkgRel struct {
	id, typ, target string
	external        bool // TargetMode="External": not a part of the package
}

// relsInfo collects the relationships of a relationships part.
type relsInfo []pkgRel

func (ri *relsInfo) token(tok xml.Token) {
	se, ok := tok.(xml.StartElement)
	if !ok || se.Name.Local != "Relationship" {
		return
	}
	var r pkgRel
	for _, a := range se.Attr {
		switch a.Name.Local {
		case "Id":
			r.id = a.Value
		case "Type":
			r.typ = a.Value
		case "Target":
			r.target = strings.ReplaceAll(a.Value, `\`, "/")
		case "TargetMode":
			r.external = a.Value == "External"
		}
	}
	*ri = append(*ri, r)
}

// parseRels reads a relationships part.
func parseRels(r io.Reader) ([]pkgRel, error) {
	var ri relsInfo
	err := walkTokens(r, func(tok xml.Token) bool { ri.token(tok); return true })
	return ri, err
}

// readRels reads a relationships part (already charged to the budget).
func (o *opener) readRels(name string) ([]pkgRel, error) {
	zf := o.part(name)
	if zf == nil {
		return nil, nil
	}
	rc, err := zf.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return parseRels(rc)
}

// wbSheet is a sheet listed by the workbook: its name and relationship.
type wbSheet struct{ name, rid string }

// workbookInfo collects the sheets and the date system of workbook.xml.
type workbookInfo struct {
	sheets   []wbSheet
	date1904 bool
}

func (wi *workbookInfo) token(tok xml.Token) {
	se, ok := tok.(xml.StartElement)
	if !ok {
		return
	}
	switch se.Name.Local {
	case "sheet":
		var s wbSheet
		for _, a := range se.Attr {
			switch {
			case a.Name.Local == "name" && a.Name.Space == "":
				s.name = a.Value
			case a.Name.Local == "id" && a.Name.Space != "":
				s.rid = a.Value
			}
		}
		wi.sheets = append(wi.sheets, s)
	case "workbookPr":
		for _, a := range se.Attr {
			if a.Name.Local == "date1904" {
				b, err := strconv.ParseBool(strings.TrimSpace(a.Value))
				wi.date1904 = err == nil && b
			}
		}
	}
}

// parseWorkbookSheets reads the sheets listed by a workbook part.
func parseWorkbookSheets(r io.Reader) ([]wbSheet, error) {
	var wi workbookInfo
	err := walkTokens(r, func(tok xml.Token) bool { wi.token(tok); return true })
	return wi.sheets, err
}

// stylesInfo collects the number formats of styles.xml and the number
// format of each cell format (cellXfs), by index.
type stylesInfo struct {
	numFmts  map[int]string
	xfNumFmt []int
	inXfs    bool
}

func (st *stylesInfo) token(tok xml.Token) {
	switch t := tok.(type) {
	case xml.StartElement:
		switch t.Name.Local {
		case "cellXfs":
			st.inXfs = true
		case "xf":
			if !st.inXfs {
				return
			}
			id := 0
			for _, a := range t.Attr {
				if a.Name.Local == "numFmtId" {
					id, _ = strconv.Atoi(strings.TrimSpace(a.Value))
				}
			}
			st.xfNumFmt = append(st.xfNumFmt, id)
		case "numFmt":
			id, code, ok := 0, "", false
			for _, a := range t.Attr {
				switch a.Name.Local {
				case "numFmtId":
					var err error
					id, err = strconv.Atoi(strings.TrimSpace(a.Value))
					ok = err == nil
				case "formatCode":
					code = a.Value
				}
			}
			if _, seen := st.numFmts[id]; ok && !seen {
				st.numFmts[id] = code
			}
		}
	case xml.EndElement:
		if t.Name.Local == "cellXfs" {
			st.inXfs = false
		}
	}
}

// sheetParts finds the parts of the sheets named like sheet, ignoring
// case, as excelize does: workbook.xml gives the relationship id, the
// workbook's relationships the target.
func (o *opener) sheetParts(sheet string) []string {
	var out []string
	for _, s := range o.sheets {
		if !strings.EqualFold(s.name, sheet) {
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

// loadSheet reads one official sheet and charges the budget with it.
func (o *opener) loadSheet(s sheetRef) (*xlsx.Sheet, error) {
	parts := o.sheetParts(s.name)
	for _, p := range parts {
		for _, prefix := range []string{"xl/chartsheets", "xl/dialogsheet", "xl/macrosheet"} {
			if strings.HasPrefix(p, prefix) {
				return nil, o.fail(ErrMissingSheet, nil, "contiene «%s», ma non come foglio di lavoro (è un grafico o una macro): usare il modello ufficiale generato da «auditor template»", s.canon)
			}
		}
	}
	var zf *zip.File
	if len(parts) > 0 {
		zf = o.part(parts[0])
	}
	if zf == nil {
		return nil, o.fail(ErrCorrupt, nil, "è danneggiato: il foglio «%s» è elencato ma manca; aprirlo con Excel, salvarlo di nuovo e riprovare", s.canon)
	}
	if zf.UncompressedSize64 > math.MaxInt32 {
		// The scanner keeps positions in 32 bits.
		return nil, o.fail(ErrTooLarge, nil, "contiene una parte interna («%s») che decompressa occupa %s, oltre il limite di %s",
			shortPart(zf.Name), sizeTextU(zf.UncompressedSize64), sizeText(math.MaxInt32))
	}
	d, err := readPart(zf)
	if err == nil {
		err = xlsx.CheckChars(d)
	}
	if err != nil {
		return nil, o.fail(ErrCorrupt, err, "è danneggiato: il foglio «%s» è illeggibile; aprirlo con Excel, salvarlo di nuovo e riprovare", s.canon)
	}
	sh, ok, err := xlsx.ParseSheet(d, o.left)
	if err != nil {
		return nil, o.fail(ErrCorrupt, err, "è danneggiato: il foglio «%s» non può essere letto; aprirlo con Excel, salvarlo di nuovo e riprovare", s.canon)
	}
	if !ok {
		where := ""
		if c := sh.Cost; c.LastRow > 0 || c.Rows > 0 {
			where = fmt.Sprintf(" (raggiunge la riga %d", max(c.LastRow, int(min(c.Rows, excelize.TotalRows))))
			if col, err := excelize.ColumnNumberToName(c.LastCol); err == nil && c.LastCol > 0 {
				where += " e la colonna " + col
			}
			where += ")"
		}
		return nil, o.fail(ErrTooLarge, nil, "ha il foglio «%s» troppo esteso%s: oltre %d celle da leggere; eliminare le righe e le colonne inutilizzate, anche solo formattate, e riprovare",
			s.canon, where, o.lim.MaxCells)
	}
	o.left -= sh.Cost.Units()
	return sh, nil
}

// ---------------------------------------------------------------------------
// Reading the official sheets.

// sheetRef is an official sheet: its name in the file (matched, like
// Excel, ignoring case), its canonical name, used in cell references, and
// its cells.
type sheetRef struct {
	name, canon string
	sh          *xlsx.Sheet
}

// sheetReader reads the cells of the official sheets.
type sheetReader struct {
	o             *opener
	date1904      bool
	converted     bool // a 1904 date serial was converted
	dateStyles    map[int]bool
	percentStyles map[int]bool
}

// read checks the official sheets and fills the Input.
func (o *opener) read() (*validate.Input, error) {
	if len(o.sheets) == 0 {
		return nil, o.fail(ErrCorrupt, nil, "è danneggiato: la cartella di lavoro non elenca alcun foglio; aprirlo con Excel, salvarlo di nuovo e riprovare")
	}
	for _, sh := range o.sheets {
		if why := badSheetName(sh.name); why != "" {
			return nil, o.fail(ErrCorrupt, nil, "ha un foglio di nome «%s», che Excel non ammette (%s): rinominarlo con Excel, salvare il file e riprovare", shortPart(sh.name), why)
		}
	}
	var refs [3]sheetRef
	var missing []string
	for i, canon := range []string{validate.SheetFoundation, validate.SheetCourses, validate.SheetThresholds} {
		refs[i].canon = canon
		for _, s := range o.sheets {
			if !strings.EqualFold(s.name, canon) {
				continue
			}
			if refs[i].name != "" {
				// Excel forbids it; which one is meant cannot be told.
				return nil, o.fail(ErrCorrupt, nil, "è danneggiato: contiene più fogli di nome «%s» (differiscono solo per maiuscole e minuscole); lasciarne uno solo", canon)
			}
			refs[i].name = s.name
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
	for i := range refs {
		if err := o.stopped(); err != nil {
			return nil, err
		}
		sh, err := o.loadSheet(refs[i])
		if err != nil {
			return nil, err
		}
		refs[i].sh = sh
	}
	r := &sheetReader{o: o, date1904: o.date1904, dateStyles: map[int]bool{}, percentStyles: map[int]bool{}}
	in := &validate.Input{
		Foundation: map[compute.FieldCode]validate.Entry{},
		Columns:    map[compute.FieldCode]validate.Column{},
	}
	if err := r.foundation(refs[0], in); err != nil {
		return nil, err
	}
	if err := o.stopped(); err != nil {
		return nil, err
	}
	if err := r.courses(refs[1], in); err != nil {
		return nil, err
	}
	if err := o.stopped(); err != nil {
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

// badSheetName says, in Italian, why Excel (and excelize, when the copy is
// written or audited again) refuses a sheet name; "" when it is valid.
func badSheetName(name string) string {
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

// text returns the stored value of a cell as text (codes, sources), ""
// when the sheet has no such cell.
func (r *sheetReader) text(s sheetRef, row, col int) (string, error) {
	c, _ := s.sh.CellAt(row, col)
	if c == nil {
		return "", nil
	}
	v, err := s.sh.Value(c, r.o.sst)
	if err != nil {
		return "", r.cellErr(cellRef(s.canon, col, row), err)
	}
	return v, nil
}

// rowCellRefs returns the references of the known columns' cells on a
// row, made from one allocation.
func rowCellRefs(sheet string, row int, cols []courseColumn) []validate.CellRef {
	b := make([]byte, 0, len(cols)*(len(sheet)+10))
	ends := make([]int, len(cols))
	for i, c := range cols {
		b = append(b, sheet...)
		b = append(b, '!')
		b = xlsx.AppendColumn(b, c.idx)
		b = strconv.AppendInt(b, int64(row), 10)
		ends[i] = len(b)
	}
	all := string(b)
	out := make([]validate.CellRef, len(cols))
	from := 0
	for i, e := range ends {
		out[i], from = validate.CellRef(all[from:e]), e
	}
	return out
}

// cellRef names a cell of a sheet: "Percorsi!H3".
func cellRef(sheet string, col, row int) validate.CellRef {
	b := make([]byte, 0, len(sheet)+10)
	b = append(b, sheet...)
	b = append(b, '!')
	b = xlsx.AppendColumn(b, col)
	b = strconv.AppendInt(b, int64(row), 10)
	return validate.CellRef(b)
}

func normCode(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// foundation reads Fondazione (A = code, C = value) and checks the
// template version.
func (r *sheetReader) foundation(s sheetRef, in *validate.Input) error {
	known := map[string]validate.Field{}
	for _, f := range validate.FoundationFields() {
		known[normCode(string(f.Code))] = f
	}
	firstRow := map[compute.FieldCode]int{}
	for _, row := range s.sh.Order {
		a, err := r.text(s, row, 1)
		if err != nil {
			return err
		}
		f, ok := known[normCode(a)]
		if !ok {
			continue
		}
		code := f.Code
		if first, seen := firstRow[code]; seen {
			ref := cellRef(s.canon, 1, row)
			in.Findings = append(in.Findings, validate.Finding{
				Rule: RuleDuplicateField, Severity: compute.SeverityWarning, Cell: ref, Field: code,
				Found: string(ref), Expected: string(cellRef(s.canon, 1, first)), Source: readSource,
				Message: fmt.Sprintf("%s: la voce %s («%s») compare già alla riga %d (%s): vale la riga %d, questa è ignorata; eliminare la riga in più.",
					ref, code, f.Label, first, cellRef(s.canon, 1, first), first),
			})
			continue
		}
		firstRow[code] = row
		e, err := r.entry(s, 3, row)
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
	var codeCells []xlsx.SheetCell
	if row := s.sh.Rows[coursesCodesRow]; row != nil {
		codeCells = append(codeCells, row.Cells...)
		sort.SliceStable(codeCells, func(i, j int) bool { return codeCells[i].Col < codeCells[j].Col })
	}
	var cols []courseColumn
	for k := range codeCells {
		x := &codeCells[k]
		if k > 0 && codeCells[k-1].Col == x.Col {
			continue // a cell written twice: the first counts
		}
		raw, err := s.sh.Value(x, r.o.sst)
		if err != nil {
			return r.cellErr(cellRef(s.canon, int(x.Col), coursesCodesRow), err)
		}
		c := normCode(raw)
		if c == "" {
			continue
		}
		i := int(x.Col) - 1
		letter := xlsx.ColumnName(i + 1)
		ref := cellRef(s.canon, i+1, coursesCodesRow)
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
	for _, n := range s.sh.Order {
		if n < coursesFirstRow || len(s.sh.Rows[n].Cells) == 0 {
			continue
		}
		entries := make(map[compute.FieldCode]validate.Entry, len(cols))
		blank := true
		refs := rowCellRefs(s.canon, n, cols)
		for k, c := range cols {
			e, err := r.entryAt(s, c.idx, n, refs[k])
			if err != nil {
				return err
			}
			entries[c.code] = e
			if !blankEntry(e) {
				blank = false
			}
		}
		if !blank {
			in.Courses = append(in.Courses, validate.CourseRow{Row: n, Entries: entries})
			if s.sh.Rows[n].Hidden {
				ref := cellRef(s.canon, 1, n)
				in.Findings = append(in.Findings, validate.Finding{
					Rule: RuleHiddenRow, Severity: compute.SeverityInfo, Cell: ref, Source: readSource,
					Message: fmt.Sprintf("%s: la riga %d del foglio %s è nascosta: il percorso che contiene è verificato e conta come gli altri; mostrarla in Excel per controllarne i dati.", ref, n, s.canon),
				})
			}
		}
	}
	return nil
}

// blankEntry treats text made only of spaces like an empty cell when
// deciding whether a row is a course.
func blankEntry(e validate.Entry) bool {
	return e.Blank() || (e.Formula == "" && e.Type == validate.EntryText && strings.TrimSpace(e.Text) == "")
}

// thresholds reads Soglie from row 2: A = code, C = value, D = source.
func (r *sheetReader) thresholds(s sheetRef, in *validate.Input) error {
	for _, row := range s.sh.Order {
		if row < 2 {
			continue
		}
		a, err := r.text(s, row, 1)
		if err != nil {
			return err
		}
		code := strings.TrimSpace(a)
		if code == "" {
			continue
		}
		e, err := r.entry(s, 3, row)
		if err != nil {
			return err
		}
		src, err := r.text(s, row, 4)
		if err != nil {
			return err
		}
		in.Thresholds = append(in.Thresholds, validate.ThresholdRow{Row: row, Code: code, Value: e, Source: strings.TrimSpace(src)})
	}
	return nil
}

// entry reads one cell as stored: type, raw value (numbers are not
// display-formatted), formula, whether it is formatted as a date. Formulas
// are never calculated.
func (r *sheetReader) entry(s sheetRef, col, row int) (validate.Entry, error) {
	return r.entryAt(s, col, row, cellRef(s.canon, col, row))
}

// entryAt is entry with the cell's reference already made.
func (r *sheetReader) entryAt(s sheetRef, col, row int, ref validate.CellRef) (validate.Entry, error) {
	e := validate.Entry{Cell: ref}
	c, rw := s.sh.CellAt(row, col)
	if c == nil {
		return e, nil
	}
	val, err := s.sh.Value(c, r.o.sst)
	if err != nil {
		return e, r.cellErr(e.Cell, err)
	}
	if e.Formula, err = s.sh.Formula(c, row); err != nil {
		return e, r.cellErr(e.Cell, err)
	}
	if val == "" {
		switch {
		case e.Formula == "":
			// nothing stored
		case c.HasV:
			e.Type = validate.EntryText // a formula whose result is ""
		default:
			e.NoCache = true // never calculated: the value is unknown
		}
		return e, nil
	}
	e.Text = val
	switch c.Type {
	case xlsx.CellBool:
		e.Type = validate.EntryBool
	case xlsx.CellError:
		e.Type = validate.EntryError
	case xlsx.CellFormula: // t="str": the cached text result
		e.Type = validate.EntryText
		if e.Formula != "" && isFormulaError(val) {
			e.Type = validate.EntryError // excelize and others cache errors as text
		}
	case xlsx.CellShared, xlsx.CellInline:
		e.Type = validate.EntryText
	case xlsx.CellDate: // t="d": an ISO 8601 date
		e.Date = true
		e.Type = validate.EntryText
		if serial, ok := isoSerial(val); ok {
			e.Type, e.Text = validate.EntryNumber, serial
		}
	default: // a number (t="n" or no type)
		e.Type = validate.EntryText
		if n, ok := plainNumber(val); ok {
			e.Type, e.Text = validate.EntryNumber, n
			style := s.sh.StyleOf(c, rw)
			e.Date = r.dateFormatted(style)
			e.Percent = !e.Date && r.percentFormatted(style)
			if e.Date && r.date1904 {
				e.Text = shift1904(e.Text)
				r.converted = true
			}
		}
	}
	return e, nil
}

func (r *sheetReader) cellErr(cell validate.CellRef, err error) error {
	return r.o.fail(ErrCorrupt, err, "è danneggiato: la cella %s non può essere letta; aprirlo con Excel, salvarlo di nuovo e riprovare", cell)
}

// dateFormatted reports whether a cell format shows a date: its number
// format is one of the built-in date formats or a custom format with a
// day, month or year. An unknown format is displayed as General by Excel.
func (r *sheetReader) dateFormatted(style int) bool {
	if d, ok := r.dateStyles[style]; ok {
		return d
	}
	d := false
	if style >= 0 && style < len(r.o.xfNumFmt) {
		id := r.o.xfNumFmt[style]
		if builtInNumFmt(id) {
			d = (14 <= id && id <= 22) || (45 <= id && id <= 47)
		} else if code, ok := r.o.numFmts[id]; ok {
			d = isDateFormatCode(code)
		}
	}
	r.dateStyles[style] = d
	return d
}

// percentFormatted reports whether a cell format shows a percentage
// (Excel shows 0.516 as 51,6%): built-in formats 9 and 10, or a custom
// format with a % outside quoted text and escapes.
func (r *sheetReader) percentFormatted(style int) bool {
	if p, ok := r.percentStyles[style]; ok {
		return p
	}
	p := false
	if style >= 0 && style < len(r.o.xfNumFmt) {
		id := r.o.xfNumFmt[style]
		if builtInNumFmt(id) {
			p = id == 9 || id == 10
		} else if code, ok := r.o.numFmts[id]; ok {
			p = isPercentFormatCode(code)
		}
	}
	r.percentStyles[style] = p
	return p
}

// isPercentFormatCode reports whether a custom number format scales by 100:
// a % outside quoted text, escapes and [brackets].
func isPercentFormatCode(code string) bool {
	for i := 0; i < len(code); i++ {
		switch code[i] {
		case '"':
			for i++; i < len(code) && code[i] != '"'; i++ {
			}
		case '\\', '_', '*':
			i++
		case '[':
			for i++; i < len(code) && code[i] != ']'; i++ {
			}
		case '%':
			return true
		}
	}
	return false
}

// builtInNumFmt reports whether a number format id is built into Excel
// (or a language-dependent one), as excelize knows them: such an id means
// its built-in format even when styles.xml defines it.
func builtInNumFmt(id int) bool {
	return (0 <= id && id <= 4) || (9 <= id && id <= 22) || (37 <= id && id <= 49) ||
		(27 <= id && id <= 36) || (50 <= id && id <= 62) || (67 <= id && id <= 81)
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
	if isCanonicalDecimal(v) {
		return v, true // what the conversion below would give back
	}
	if v == "" || strings.IndexFunc(v, func(r rune) bool { return !strings.ContainsRune("0123456789+-.eE", r) }) >= 0 {
		return "", false
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return "", false
	}
	return strconv.FormatFloat(f, 'f', -1, 64), true
}

// isCanonicalDecimal reports whether v is a decimal that formatting its
// float64 value gives back unchanged: an optional minus, no leading zero,
// no exponent, no trailing zero or point in the fraction, at most 15
// significant digits (which a float64 holds exactly enough for the
// shortest formatting to give them back), and not "-0".
func isCanonicalDecimal(v string) bool {
	i := 0
	if i < len(v) && v[i] == '-' {
		i++
	}
	start, digits, point := i, 0, -1
	for ; i < len(v); i++ {
		switch c := v[i]; {
		case '0' <= c && c <= '9':
			if digits > 0 || c != '0' {
				digits++
			}
		case c == '.' && point < 0:
			point = i
		default:
			return false
		}
	}
	switch {
	case i == start || digits > 15 || (digits == 0 && start > 0):
		return false
	case v[start] == '0' && len(v) > start+1 && v[start+1] != '.':
		return false // a leading zero
	case point >= 0 && (point == start || point == len(v)-1 || v[len(v)-1] == '0'):
		return false
	}
	return true
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
// UTF-8 with spaces, and drops the bidirectional controls (U+202E would
// show «fattura‮xslx.exe» as «fatturaexe.xlsx»).
func oneLine(s string) string {
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

// SafeText is a text for a one-line message: control characters
// replaced with spaces, bidirectional controls dropped (for file names
// and paths a user chose, printed by the command line).
func SafeText(s string) string { return oneLine(s) }

// IsBidiControl reports whether r changes the direction of the text
// around it: the embeddings, overrides and isolates, and the marks.
func IsBidiControl(r rune) bool {
	return (r >= '\u202A' && r <= '\u202E') || (r >= '\u2066' && r <= '\u2069') || r == '\u200E' || r == '\u200F' || r == '\u061C'
}
