package xlsxio

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/its-academy/auditor/internal/xlsx"

	"github.com/its-academy/auditor/compute"
	"github.com/its-academy/auditor/findings"
	"github.com/its-academy/auditor/validate"
	"github.com/xuri/excelize/v2"
)

// Limits bound what an untrusted upload may make the reader and the writer
// do (see xlsx.Limits).
type Limits = xlsx.Limits

// DefaultLimits returns safe limits for untrusted files: 200 MiB
// decompressed, 50 MiB per XML part, one million cells.
func DefaultLimits() Limits { return xlsx.DefaultLimits() }

// Kinds of files that cannot be audited (the CLI exits 2). Open returns them
// wrapped in an *OpenError; test them with errors.Is. The first five are
// the engine's, found before the official sheets are looked at.
var (
	ErrNotXLSX         = xlsx.ErrNotXLSX
	ErrEncrypted       = xlsx.ErrEncrypted
	ErrCorrupt         = xlsx.ErrCorrupt
	ErrLegacyFormat    = xlsx.ErrLegacyFormat
	ErrTooLarge        = xlsx.ErrTooLarge
	ErrMissingSheet    = errors.New("xlsxio: official sheet missing")
	ErrTemplateVersion = errors.New("xlsxio: unsupported template version")
)

// OpenError is a file that cannot be audited: Msg is one Italian line for
// the user naming the file and the problem; Kind is one of the Err*
// sentinels. The underlying cause, if any, is reachable with errors.Is/As
// but never shown in Msg.
type OpenError = xlsx.OpenError

// Workbook is an opened official workbook: what was read from it. The
// reader keeps nothing of the file once Open returns.
type Workbook struct {
	Input *validate.Input
}

// Close releases what the workbook holds; nothing today, since the reader
// uses neither excelize nor temporary files, but callers should keep
// calling it.
func (w *Workbook) Close() error { return nil }

// readMessage fills a reading rule's template from the findings catalogue.
func readMessage(id compute.RuleID, kv ...string) string {
	d, _ := findings.Lookup(id)
	return findings.Fill(d.Template, kv...)
}

// severityOf is a reading rule's severity in the findings catalogue.
func severityOf(id compute.RuleID) compute.Severity {
	d, _ := findings.Lookup(id)
	return d.Severity
}

// Rule identifiers of the findings made while reading; their severities
// and texts are in the findings catalogue.
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
// small scanner that decodes only the cells it needs (package
// internal/xlsx).
func Open(data []byte, name string, lim Limits) (*Workbook, error) {
	return OpenContext(context.Background(), data, name, lim)
}

// OpenContext is Open stopping early once ctx is done: it checks ctx
// between the phases of the read and between sheets, and then returns
// ctx's error.
func OpenContext(ctx context.Context, data []byte, name string, lim Limits) (*Workbook, error) {
	p, err := xlsx.OpenPackage(ctx, data, name, lim)
	if err != nil {
		return nil, err
	}
	o := &opener{Package: p}
	in, err := o.read()
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	in.SHA256 = hex.EncodeToString(sum[:])
	in.FileName = name
	return &Workbook{Input: in}, nil
}

// opener carries one call of Open: the package the engine has opened and
// checked, from which the official sheets are read.
type opener struct {
	*xlsx.Package
}

// loadSheet reads one official sheet and charges the budget with it.
func (o *opener) loadSheet(s sheetRef) (*xlsx.Sheet, error) {
	parts := o.SheetParts(s.name)
	for _, p := range parts {
		for _, prefix := range []string{"xl/chartsheets", "xl/dialogsheet", "xl/macrosheet"} {
			if strings.HasPrefix(p, prefix) {
				return nil, o.Fail(ErrMissingSheet, nil, "contiene «%s», ma non come foglio di lavoro (è un grafico o una macro): usare il modello ufficiale generato da «auditor template»", s.canon)
			}
		}
	}
	var zf *zip.File
	if len(parts) > 0 {
		zf = o.Part(parts[0])
	}
	if zf == nil {
		return nil, o.Fail(ErrCorrupt, nil, "è danneggiato: il foglio «%s» è elencato ma manca; aprirlo con Excel, salvarlo di nuovo e riprovare", s.canon)
	}
	if zf.UncompressedSize64 > math.MaxInt32 {
		// The scanner keeps positions in 32 bits.
		return nil, o.Fail(ErrTooLarge, nil, "contiene una parte interna («%s») che decompressa occupa %s, oltre il limite di %s",
			xlsx.ShortPart(zf.Name), xlsx.SizeTextU(zf.UncompressedSize64), xlsx.SizeText(math.MaxInt32))
	}
	d, err := o.ReadPart(zf)
	if err == nil {
		err = xlsx.CheckChars(d)
	}
	if err != nil {
		return nil, o.Fail(ErrCorrupt, err, "è danneggiato: il foglio «%s» è illeggibile; aprirlo con Excel, salvarlo di nuovo e riprovare", s.canon)
	}
	sh, ok, err := xlsx.ParseSheet(d, o.Left)
	if err != nil {
		return nil, o.Fail(ErrCorrupt, err, "è danneggiato: il foglio «%s» non può essere letto; aprirlo con Excel, salvarlo di nuovo e riprovare", s.canon)
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
		return nil, o.Fail(ErrTooLarge, nil, "ha il foglio «%s» troppo esteso%s: oltre %d celle da leggere; eliminare le righe e le colonne inutilizzate, anche solo formattate, e riprovare",
			s.canon, where, o.Lim.MaxCells)
	}
	o.Left -= sh.Cost.Units()
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
	if len(o.Sheets) == 0 {
		return nil, o.Fail(ErrCorrupt, nil, "è danneggiato: la cartella di lavoro non elenca alcun foglio; aprirlo con Excel, salvarlo di nuovo e riprovare")
	}
	for _, sh := range o.Sheets {
		if why := xlsx.BadSheetName(sh.Name); why != "" {
			return nil, o.Fail(ErrCorrupt, nil, "ha un foglio di nome «%s», che Excel non ammette (%s): rinominarlo con Excel, salvare il file e riprovare", xlsx.ShortPart(sh.Name), why)
		}
	}
	var refs [3]sheetRef
	var missing []string
	for i, canon := range []string{validate.SheetFoundation, validate.SheetCourses, validate.SheetThresholds} {
		refs[i].canon = canon
		for _, s := range o.Sheets {
			if !strings.EqualFold(s.Name, canon) {
				continue
			}
			if refs[i].name != "" {
				// Excel forbids it; which one is meant cannot be told.
				return nil, o.Fail(ErrCorrupt, nil, "è danneggiato: contiene più fogli di nome «%s» (differiscono solo per maiuscole e minuscole); lasciarne uno solo", canon)
			}
			refs[i].name = s.Name
		}
		if refs[i].name == "" {
			missing = append(missing, "«"+canon+"»")
		}
	}
	switch len(missing) {
	case 0:
	case 1:
		return nil, o.Fail(ErrMissingSheet, nil, "non contiene il foglio %s del modello ufficiale: usare il modello generato da «auditor template»", missing[0])
	default:
		return nil, o.Fail(ErrMissingSheet, nil, "non contiene i fogli %s e %s del modello ufficiale: usare il modello generato da «auditor template»",
			strings.Join(missing[:len(missing)-1], ", "), missing[len(missing)-1])
	}
	for i := range refs {
		if err := o.Stopped(); err != nil {
			return nil, err
		}
		sh, err := o.loadSheet(refs[i])
		if err != nil {
			return nil, err
		}
		refs[i].sh = sh
	}
	r := &sheetReader{o: o, date1904: o.Date1904, dateStyles: map[int]bool{}, percentStyles: map[int]bool{}}
	in := &validate.Input{
		Foundation: map[compute.FieldCode]validate.Entry{},
		Columns:    map[compute.FieldCode]validate.Column{},
	}
	if err := r.foundation(refs[0], in); err != nil {
		return nil, err
	}
	if err := o.Stopped(); err != nil {
		return nil, err
	}
	if err := r.courses(refs[1], in); err != nil {
		return nil, err
	}
	if err := o.Stopped(); err != nil {
		return nil, err
	}
	if err := r.thresholds(refs[2], in); err != nil {
		return nil, err
	}
	if r.converted {
		in.Findings = append(in.Findings, validate.Finding{
			Rule: RuleDate1904, Severity: severityOf(RuleDate1904), Source: readSource,
			Message: readMessage(RuleDate1904),
		})
	}
	return in, nil
}

// text returns the stored value of a cell as text (codes, sources), ""
// when the sheet has no such cell.
func (r *sheetReader) text(s sheetRef, row, col int) (string, error) {
	c, _ := s.sh.CellAt(row, col)
	if c == nil {
		return "", nil
	}
	v, err := s.sh.Value(c, r.o.SST)
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
				Rule: RuleDuplicateField, Severity: severityOf(RuleDuplicateField), Cell: ref, Field: code,
				Found: string(ref), Expected: string(cellRef(s.canon, 1, first)), Source: readSource,
				Message: readMessage(RuleDuplicateField, "cell", string(ref), "code", string(code), "label", f.Label,
					"first", strconv.Itoa(first), "first_cell", string(cellRef(s.canon, 1, first))),
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
		return r.o.Fail(ErrTemplateVersion, nil, "non indica la versione del modello (foglio %s, %s): è attesa la versione «%s»; usare il modello ufficiale generato da «auditor template»",
			validate.SheetFoundation, where, validate.TemplateVersion)
	case found != validate.TemplateVersion:
		return r.o.Fail(ErrTemplateVersion, nil, "usa la versione del modello «%s» (%s), ma è attesa la «%s»: ricopiare i dati nel modello ufficiale generato da «auditor template»",
			xlsx.ShortPart(found), v.Cell, validate.TemplateVersion)
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
		raw, err := s.sh.Value(x, r.o.SST)
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
				Rule: RuleDuplicateColumn, Severity: severityOf(RuleDuplicateColumn), Cell: ref, Field: f.Code,
				Found: string(ref), Expected: string(prev.Code), Source: readSource,
				Message: readMessage(RuleDuplicateColumn, "code", string(f.Code), "label", f.Label, "row", strconv.Itoa(coursesCodesRow),
					"sheet", s.canon, "used", prev.Letter, "ignored", letter),
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
			Rule: RuleMissingColumn, Severity: severityOf(RuleMissingColumn),
			Cell: validate.CellRef(fmt.Sprintf("%s!A%d", s.canon, coursesCodesRow)), Field: f.Code,
			Expected: string(f.Code), Source: readSource,
			Message: readMessage(RuleMissingColumn, "label", f.Label, "code", string(f.Code), "row", strconv.Itoa(coursesCodesRow), "sheet", s.canon),
		})
	}
	if len(cols) == 0 {
		return nil
	}
	// The template formats a few hundred rows ahead of the data: a row is
	// read into scratch first, and only a course row gets its cell names
	// and its map.
	scratch := make([]validate.Entry, len(cols))
	for _, n := range s.sh.Order {
		if n < coursesFirstRow || len(s.sh.Rows[n].Cells) == 0 {
			continue
		}
		blank := true
		for k, c := range cols {
			e, err := r.entryAt(s, c.idx, n, "")
			if err != nil {
				_, err = r.entryAt(s, c.idx, n, cellRef(s.canon, c.idx, n)) // the same error, naming its cell
				return err
			}
			scratch[k] = e
			if !blankEntry(e) {
				blank = false
			}
		}
		if !blank {
			refs := rowCellRefs(s.canon, n, cols)
			entries := make(map[compute.FieldCode]validate.Entry, len(cols))
			for k, c := range cols {
				scratch[k].Cell = refs[k]
				entries[c.code] = scratch[k]
			}
			in.Courses = append(in.Courses, validate.CourseRow{Row: n, Entries: entries})
			if s.sh.Rows[n].Hidden {
				ref := cellRef(s.canon, 1, n)
				in.Findings = append(in.Findings, validate.Finding{
					Rule: RuleHiddenRow, Severity: severityOf(RuleHiddenRow), Cell: ref, Source: readSource,
					Message: readMessage(RuleHiddenRow, "cell", string(ref), "row", strconv.Itoa(n), "sheet", s.canon),
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
	val, err := s.sh.Value(c, r.o.SST)
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
		if e.Formula != "" && xlsx.IsFormulaError(val) {
			e.Type = validate.EntryError // excelize and others cache errors as text
		}
	case xlsx.CellShared, xlsx.CellInline:
		e.Type = validate.EntryText
	case xlsx.CellDate: // t="d": an ISO 8601 date
		e.Date = true
		e.Type = validate.EntryText
		if serial, ok := xlsx.ISOSerial(val); ok {
			e.Type, e.Text = validate.EntryNumber, serial
		}
	default: // a number (t="n" or no type)
		e.Type = validate.EntryText
		if n, ok := xlsx.PlainNumber(val); ok {
			e.Type, e.Text = validate.EntryNumber, n
			style := s.sh.StyleOf(c, rw)
			e.Date = r.dateFormatted(style)
			e.Percent = !e.Date && r.percentFormatted(style)
			if e.Date && r.date1904 {
				e.Text = xlsx.Shift1904(e.Text)
				r.converted = true
			}
		}
	}
	return e, nil
}

func (r *sheetReader) cellErr(cell validate.CellRef, err error) error {
	return r.o.Fail(ErrCorrupt, err, "è danneggiato: la cella %s non può essere letta; aprirlo con Excel, salvarlo di nuovo e riprovare", cell)
}

// dateFormatted reports whether a cell format shows a date: its number
// format is one of the built-in date formats or a custom format with a
// day, month or year. An unknown format is displayed as General by Excel.
func (r *sheetReader) dateFormatted(style int) bool {
	if d, ok := r.dateStyles[style]; ok {
		return d
	}
	d := false
	if style >= 0 && style < len(r.o.XfNumFmt) {
		id := r.o.XfNumFmt[style]
		if xlsx.BuiltInNumFmt(id) {
			d = (14 <= id && id <= 22) || (45 <= id && id <= 47)
		} else if code, ok := r.o.NumFmts[id]; ok {
			d = xlsx.IsDateFormatCode(code)
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
	if style >= 0 && style < len(r.o.XfNumFmt) {
		id := r.o.XfNumFmt[style]
		if xlsx.BuiltInNumFmt(id) {
			p = id == 9 || id == 10
		} else if code, ok := r.o.NumFmts[id]; ok {
			p = xlsx.IsPercentFormatCode(code)
		}
	}
	r.percentStyles[style] = p
	return p
}

// SafeText is a text for a one-line message: control characters
// replaced with spaces, bidirectional controls dropped (for file names
// and paths a user chose, printed by the command line).
func SafeText(s string) string { return xlsx.OneLine(s) }

// IsBidiControl reports whether r changes the direction of the text
// around it: the embeddings, overrides and isolates, and the marks.
func IsBidiControl(r rune) bool { return xlsx.IsBidiControl(r) }
