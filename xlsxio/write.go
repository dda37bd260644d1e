package xlsxio

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/its-academy/auditor/internal/xlsx"

	"github.com/its-academy/auditor/compute"
	"github.com/its-academy/auditor/validate"
	"github.com/xuri/excelize/v2"
)

// The product's sheets, in the order of reading: the outcome, the findings,
// the scores, their explanations, the sensitivity to the choices, the rules
// and the stamp.
const (
	SheetOutcome      = "Esito"
	SheetFindings     = "Rilievi"
	SheetScores       = "Punteggi"
	SheetExplanations = "Spiegazioni"
	SheetSensitivity  = "Sensibilità"
	SheetRules        = "Regole"
	SheetStamp        = "Timbro"
)

// ProductSheets lists the sheets the audit adds, in the order they appear.
func ProductSheets() []string {
	return []string{SheetOutcome, SheetFindings, SheetScores, SheetExplanations, SheetSensitivity, SheetRules, SheetStamp}
}

// markerName is a workbook-level defined name listing the sheets the product
// added, so that a new audit replaces exactly those and never a user's sheet
// that happens to have the same name.
const markerName = "auditor_fogli_prodotto"

// ErrSheetNameTaken is returned when a user's sheet has a product sheet's
// name and was not written by the product.
var ErrSheetNameTaken = errors.New("sheet name taken")

// WriteOptions are the stamp of an audited copy.
type WriteOptions struct {
	Version string // product version
	// Limits bound the reopening of the original (the zero value means
	// DefaultLimits). With Limits.InMemory nothing is written to a
	// temporary file.
	Limits Limits
}

// productSheet is one sheet the audit adds: its column widths, what must
// be set on it before it is saved (conditional formats, the chart, links)
// and how its cells are written.
type productSheet struct {
	name   string
	head   []string  // the header row
	widths []float64 // from column A
	last   int       // the table's last row, for its autofilter (0: no filter)
	// printRows, when set, limits the print to the cells of the first
	// printRows rows (the Esito sheet: not its chart).
	printRows int
	prepare   func() error
	cells     func(*xlsx.SheetXML)
}

// WriteAudit returns a copy of the original workbook with the product's
// sheets added (replacing those of an earlier audit): WriteAuditTo into
// memory.
func WriteAudit(original []byte, a *validate.Audit, opt WriteOptions) ([]byte, error) {
	var out bytes.Buffer
	out.Grow(len(original) + 8<<20)
	if _, err := WriteAuditTo(&out, original, a, opt); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// WriteAuditTo writes to w a copy of the original workbook with the
// product's sheets added (replacing those of an earlier audit), and returns
// the bytes written. excelize adds the sheets, styles, links, conditional
// formats, chart and defined name; the product sheets' cells are written as
// XML, compressed and spliced into the parts excelize saved; every part the
// audit does not change is copied from the original zip as it was. It
// never writes to the original.
//
// The copy goes to w part by part, as the zip is assembled: the parts
// copied from the original straight from it, each product sheet's
// compressed bytes let go once written. Every refusal (a damaged workbook,
// a user's sheet with a product sheet's name) is returned before the first
// byte is written; an error after it (w's own) leaves w with a truncated
// zip, which no reader takes for a workbook.
func WriteAuditTo(w io.Writer, original []byte, a *validate.Audit, opt WriteOptions) (int64, error) {
	if a == nil || a.Input == nil {
		return 0, errors.New("xlsxio: WriteAudit needs an audit")
	}
	lim := opt.Limits.WithDefaults()
	xmlLimit := lim.UnzipXMLSize
	if lim.InMemory {
		// Open has refused worksheets above UnzipXMLSize; never spill the
		// others to temporary files either.
		xmlLimit = lim.UnzipSize
	}
	f, err := excelize.OpenReader(bytes.NewReader(original), excelize.Options{UnzipSizeLimit: lim.UnzipSize, UnzipXMLSizeLimit: xmlLimit})
	if err != nil {
		if f != nil {
			_ = f.Close()
		}
		return 0, xlsx.NewOpenError(ErrCorrupt, err,
			xlsx.OneLine("«"+xlsx.DisplayName(a.Input.FileName)+"» è danneggiato e non può essere riscritto: aprirlo con Excel, salvarlo di nuovo come .xlsx e riprovare"))
	}
	defer f.Close()
	capture := xlsx.NewPartCapture()
	f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return capture })
	st, err := xlsx.ReadStale(original, ProductSheets())
	if err != nil {
		return 0, err
	}
	wr := &writer{f: f, a: a, opt: opt, stale: st}
	sheets, err := wr.build(capture)
	if err != nil {
		return 0, err
	}
	// The parts are in capture now: excelize's copy of the workbook (and
	// its temporary files) can go before the product sheets are written.
	if err := f.Close(); err != nil {
		return 0, fmt.Errorf("closing the reopened workbook: %w", err)
	}
	wr.f = nil
	if err := xlsx.DropOrphans(capture, st.Parts); err != nil {
		return 0, err
	}
	return wr.pack(w, original, capture, sheets)
}

// build has excelize remove an earlier audit's sheets, add the product's
// and save the workbook into capture. excelize dereferences nil on some
// damaged parts it accepted when opening (a styles part without fonts or
// cell formats): such a panic is a damaged workbook, not a crash.
func (w *writer) build(capture *xlsx.PartCapture) (sheets []productSheet, err error) {
	defer func() {
		if r := recover(); r != nil {
			sheets = nil
			err = xlsx.NewOpenError(ErrCorrupt, fmt.Errorf("excelize: %v", r),
				xlsx.OneLine("«"+xlsx.DisplayName(w.a.Input.FileName)+"» è danneggiato e non può essere riscritto: aprirlo con Excel, salvarlo di nuovo come .xlsx e riprovare"))
		}
	}()
	if err := removeProductSheets(w.f); err != nil {
		return nil, err
	}
	w.forgetStale()
	if err := w.styles(); err != nil {
		return nil, err
	}
	sheets = w.sheets()
	for _, ps := range sheets {
		if err := w.addSheet(ps); err != nil {
			return nil, err
		}
	}
	if err := w.mark(); err != nil {
		return nil, err
	}
	if err := w.f.Write(io.Discard); err != nil {
		return nil, fmt.Errorf("writing the audited workbook: %w", err)
	}
	return sheets, nil
}

// forgetStale removes from excelize's package the parts that only the
// earlier audit's sheets used (the chart and its drawing), once those
// sheets are deleted: excelize names a new chart after the count of the
// existing ones, so the chart of each re-audit would otherwise take the
// next number and the copy would change at every audit.
func (w *writer) forgetStale() {
	if w.stale == nil {
		return
	}
	for name := range w.stale.Own {
		if strings.HasSuffix(name, ".rels") {
			continue
		}
		for _, n := range []string{name, xlsx.RelsOf(name)} {
			w.f.Pkg.Delete(n)
			w.f.Drawings.Delete(n)
			w.f.Relationships.Delete(n)
		}
	}
	// Their content types go too: the new chart's are then added where
	// the first audit added them.
	if ct := w.f.ContentTypes; ct != nil {
		kept := ct.Overrides[:0]
		for _, o := range ct.Overrides {
			if !w.stale.Own[strings.TrimPrefix(o.PartName, "/")] {
				kept = append(kept, o)
			}
		}
		ct.Overrides = kept
	}
}

// addSheet adds an empty product sheet with its widths, frozen header and
// decorations; its cells come later (see pack).
func (w *writer) addSheet(ps productSheet) error {
	if _, err := w.f.NewSheet(ps.name); err != nil {
		return fmt.Errorf("adding sheet %s: %w", ps.name, err)
	}
	for i, width := range ps.widths {
		col := xlsx.ColumnName(i + 1)
		if err := w.f.SetColWidth(ps.name, col, col, width); err != nil {
			return fmt.Errorf("sheet %s: %w", ps.name, err)
		}
	}
	if err := w.f.SetPanes(ps.name, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return fmt.Errorf("sheet %s: %w", ps.name, err)
	}
	// excelize's AutoFilter replaces the sheet's properties: it goes first.
	if ps.last > 1 {
		ref := "A1:" + cell(xlsx.ColumnName(len(ps.head)), ps.last)
		if err := w.f.AutoFilter(ps.name, ref, nil); err != nil {
			return fmt.Errorf("sheet %s: autofilter: %w", ps.name, err)
		}
	}
	if err := w.printSetup(ps); err != nil {
		return fmt.Errorf("sheet %s: print set-up: %w", ps.name, err)
	}
	if ps.prepare != nil {
		return ps.prepare()
	}
	return nil
}

// pack builds the audited zip: the parts excelize saved, in its order;
// those equal to the original's copied as they were; the product sheets
// with their cells spliced in; the rest compressed. Compression runs on
// every core while the cells of the next sheet are written.
func (w *writer) pack(out io.Writer, original []byte, capture *xlsx.PartCapture, sheets []productSheet) (int64, error) {
	zr, err := zip.NewReader(bytes.NewReader(original), int64(len(original)))
	if err != nil {
		return 0, fmt.Errorf("reading the original package: %w", err)
	}
	orig := make(map[string]*zip.File, len(zr.File))
	for _, zf := range zr.File {
		orig[zf.Name] = zf
	}
	paths, sstPath, err := xlsx.SheetPaths(capture)
	if err != nil {
		return 0, err
	}
	var sst *xlsx.SharedStrings
	if part, ok := capture.Parts[sstPath]; ok {
		sst, _ = xlsx.NewSharedStrings(part.Bytes())
		// excelize re-serialises the shared strings it has read (' becomes
		// &#39;): when it added none, the original's bytes are kept, so
		// that the user's strings and a re-audit stay as they were.
		if zf := orig[sstPath]; sst != nil && zf != nil {
			if ob, err := xlsx.ReadPart(zf); err == nil {
				if so, ok := xlsx.NewSharedStrings(ob); ok && so.Base == sst.Base {
					sst = so
					capture.Parts[sstPath] = bytes.NewBuffer(ob)
				}
			}
		}
		if sst != nil && w.stale != nil {
			sst.Dropped = w.stale.SharedRefs
		}
	}
	d := xlsx.NewDeflater()
	deflated := map[string]*xlsx.DeflatedPart{}
	type job struct {
		ps         productSheet
		head, tail []byte
		part       *xlsx.DeflatedPart
	}
	jobs := make([]*job, len(sheets))
	for i, ps := range sheets {
		name := paths[ps.name]
		content, ok := capture.Parts[name]
		if name == "" || !ok {
			return 0, fmt.Errorf("writing sheet %s: its part is missing", ps.name)
		}
		head, tail, ok := xlsx.SplitSheetData(content.Bytes())
		if !ok {
			return 0, fmt.Errorf("writing sheet %s: no sheetData in its part", ps.name)
		}
		// The autofilter has no criteria: no row is filtered out.
		head = bytes.Replace(head, []byte(` filterMode="true"`), nil, 1)
		if ps.name == SheetOutcome {
			head = xlsx.SelectView(head)
		}
		jobs[i] = &job{ps: ps, head: head, tail: tail, part: d.Part(name)}
		deflated[name] = jobs[i].part
	}
	// The cells of each sheet go to the compressors as they are written,
	// the sheet's head last (it holds the used range). Punteggi comes
	// before Esito, which refers to its rows. The sheets are written in
	// order, so the shared strings, and the file, are the same at every run.
	write := func() (err error) {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("writing the product sheets: %v", r)
			}
		}()
		for _, j := range jobs {
			x := xlsx.NewSheetXML(j.part.Add, d.Buffer)
			x.SST = sst
			x.Widths, x.WrapStyles, x.DefaultStyle = j.ps.widths, map[int]bool{w.wrap: true, w.headerStyle: true}, w.text
			w.header(x, j.ps.head...)
			j.ps.cells(x)
			x.Finish()
			j.part.Prepend(xlsx.SetDimension(j.head, x.Dimension()))
			j.part.End(xlsx.InsertLinks(j.tail, x.Links))
		}
		return nil
	}
	if err := write(); err != nil {
		return 0, err
	}
	if sst != nil {
		capture.Parts[sstPath] = bytes.NewBuffer(sst.Part(capture.Parts[sstPath].Bytes()))
	}
	// The copy opens on Esito: the workbook's active tab, the only sheet
	// selected (a user's sheet left selected would be grouped with it).
	if wb, ok := capture.Parts["xl/workbook.xml"]; ok {
		if idx := xlsx.SheetIndex(wb.Bytes(), SheetOutcome); idx >= 0 {
			capture.Parts["xl/workbook.xml"] = bytes.NewBuffer(xlsx.SetActiveTab(wb.Bytes(), idx))
		}
	}
	product := map[string]bool{}
	for _, ps := range sheets {
		product[paths[ps.name]] = true
	}
	for _, name := range paths {
		if part, ok := capture.Parts[name]; ok && !product[name] {
			if b, changed := xlsx.Deselect(part.Bytes()); changed {
				capture.Parts[name] = bytes.NewBuffer(b)
			}
		}
	}
	return xlsx.AssembleTo(out, orig, capture, d, deflated)
}

// productHeads are the first two header labels of each product sheet, as
// the writer writes them: with the stamp, how a product sheet is told from
// a user's sheet of the same name.
var productHeads = map[string][2]string{
	SheetOutcome:      {"Codice percorso", "Titolo"},
	SheetScores:       {"Codice percorso", "Articolazione"},
	SheetExplanations: {"Codice percorso", "Grandezza"},
	SheetFindings:     {"Gravità", "Regola"},
	SheetSensitivity:  {"Codice percorso", "Scelta"},
	SheetRules:        {"Voce", "Descrizione"},
	SheetStamp:        {"Voce", "Valore"},
}

// stampRow is the label of the stamp's row that only the product writes.
const stampRow = "Versione di auditor"

// removeProductSheets deletes the sheets of an earlier audit and refuses
// to overwrite a user's sheet with a product name. A sheet is the
// product's when the marker names it, its header is the product's and the
// workbook has the product's stamp: the marker alone is a defined name
// anyone can write.
func removeProductSheets(f *excelize.File) error {
	ours := map[string]bool{}
	for _, dn := range f.GetDefinedName() {
		if dn.Name == markerName && dn.Scope == "Workbook" {
			for _, s := range strings.Split(strings.Trim(dn.RefersTo, `"=`), ";") {
				ours[s] = true
			}
			if err := f.DeleteDefinedName(&excelize.DefinedName{Name: markerName, Scope: "Workbook"}); err != nil {
				return fmt.Errorf("removing the earlier audit's marker: %w", err)
			}
		}
	}
	stamped := hasStamp(f)
	for _, name := range ProductSheets() {
		idx, _ := f.GetSheetIndex(name)
		if idx < 0 {
			continue
		}
		if !ours[name] || !stamped || !hasHead(f, name, productHeads[name]) {
			return &OpenError{Kind: ErrSheetNameTaken, Msg: fmt.Sprintf("il foglio «%s» esiste già e non è stato creato da auditor: rinominarlo e ripetere la verifica", name)}
		}
		if err := f.DeleteSheet(name); err != nil {
			return fmt.Errorf("removing the earlier audit's sheet %s: %w", name, err)
		}
	}
	return nil
}

// hasHead reports whether a sheet's first two header cells are head.
func hasHead(f *excelize.File, sheet string, head [2]string) bool {
	a, errA := f.GetCellValue(sheet, "A1")
	b, errB := f.GetCellValue(sheet, "B1")
	return errA == nil && errB == nil && a == head[0] && b == head[1]
}

// hasStamp reports whether the workbook has the product's stamp: the
// Timbro sheet with its header and, among its first rows, the product's
// version.
func hasStamp(f *excelize.File) bool {
	if !hasHead(f, SheetStamp, productHeads[SheetStamp]) {
		return false
	}
	rows, err := f.Rows(SheetStamp)
	if err != nil {
		return false
	}
	defer rows.Close()
	for n := 0; n < 64 && rows.Next(); n++ {
		cols, err := rows.Columns()
		if err != nil {
			return false
		}
		if len(cols) > 0 && cols[0] == stampRow {
			return true
		}
	}
	return false
}

type writer struct {
	f     *excelize.File
	a     *validate.Audit
	opt   WriteOptions
	stale *xlsx.StaleInfo // what an earlier audit left in the original

	headerStyle, text, wrap, num2, num3, link, bad, warn, good int
	cfBad, cfWarn, cfGood                                      int // conditional (differential) styles

	// Where each course's results are written on the Punteggi and
	// Spiegazioni sheets (see layout).
	blocks map[int]*block     // by course index
	expl   map[int]*explBlock // by course index
	// rulesTable is the Regole sheet's rows; thresholdRow the row of each
	// pack's thresholds on it.
	rulesTable   [][]any
	thresholdRow map[compute.PackID]map[string]int
	names        nameCache
	// templates are the articulations' formulas, rendered once per scorer.
	templates map[formulaKey]*xlsx.FormulaTemplate
}

// block is the rows of one course on the Punteggi sheet.
type block struct {
	artRow   map[int]int // articulation number → row
	indRow   map[int]int // indicator number → row
	totalRow int         // 0 when the course has no total
}

func (w *writer) styles() error {
	var styleErr error
	mk := func(s *excelize.Style) int {
		if s.Alignment == nil {
			s.Alignment = &excelize.Alignment{Vertical: "top"}
		}
		id, err := w.f.NewStyle(s)
		if err != nil && styleErr == nil {
			styleErr = fmt.Errorf("creating the product's cell styles: %w", err)
		}
		return id
	}
	fill := func(c string) excelize.Fill { return excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{c}} }
	w.headerStyle = mk(&excelize.Style{Font: &excelize.Font{Bold: true, Color: "FFFFFF"}, Fill: fill("1F4E79"), Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	w.text = mk(&excelize.Style{})
	w.wrap = mk(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	// One precision per quantity, as in the verbale: results, thresholds,
	// scores P and totals to 2 decimals, points to 3.
	w.num2 = mk(&excelize.Style{NumFmt: 4})                  // #,##0.00
	w.num3 = mk(&excelize.Style{CustomNumFmt: ptr("0.000")}) // points
	w.link = mk(&excelize.Style{Font: &excelize.Font{Color: "0563C1", Underline: "single"}})
	w.bad = mk(&excelize.Style{Fill: fill("F8CBAD")})
	w.warn = mk(&excelize.Style{Fill: fill("FFE699")})
	w.good = mk(&excelize.Style{Fill: fill("C6E0B4")})
	if styleErr != nil {
		return styleErr
	}
	var err error
	existing := w.fillDxfs()
	for _, cf := range []struct {
		id    *int
		color string
	}{{&w.cfBad, "F8CBAD"}, {&w.cfWarn, "FFE699"}, {&w.cfGood, "C6E0B4"}} {
		if id, ok := existing[cf.color]; ok {
			*cf.id = id // an earlier audit's, so that a re-audit adds none
			continue
		}
		if *cf.id, err = w.f.NewConditionalStyle(&excelize.Style{Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{cf.color}}}); err != nil {
			return fmt.Errorf("band colours: %w", err)
		}
	}
	return nil
}

// fillDxfs maps the colour of each differential style that is only a
// solid fill to its index (the first of each colour).
func (w *writer) fillDxfs() map[string]int {
	out := map[string]int{}
	for i := 0; i < 4096; i++ {
		s, err := w.f.GetConditionalStyle(i)
		if err != nil {
			break
		}
		if s.Font != nil || s.Alignment != nil || s.Protection != nil || len(s.Border) > 0 || s.NumFmt != 0 ||
			(s.CustomNumFmt != nil && *s.CustomNumFmt != "") || s.Fill.Type != "pattern" || s.Fill.Pattern != 1 || len(s.Fill.Color) != 1 {
			continue
		}
		c := strings.ToUpper(s.Fill.Color[0])
		if len(c) == 8 && strings.HasPrefix(c, "FF") {
			c = c[2:]
		}
		if _, seen := out[c]; !seen {
			out[c] = i
		}
	}
	return out
}

func ptr[T any](v T) *T { return &v }

// header writes the header row.
func (w *writer) header(x *xlsx.SheetXML, labels ...string) {
	x.StartRow(1)
	for _, l := range labels {
		x.Text(w.headerStyle, l)
	}
}

func cell(col string, row int) string { return col + strconv.Itoa(row) }

// rowRefs returns the references of cells of one row, from one allocation.
func rowRefs(row int, cols ...string) []string {
	var num [20]byte
	n := strconv.AppendInt(num[:0], int64(row), 10)
	b := make([]byte, 0, len(cols)*(len(n)+3))
	ends := make([]int, len(cols))
	for i, c := range cols {
		b = append(b, c...)
		b = append(b, n...)
		ends[i] = len(b)
	}
	all := string(b)
	out := make([]string, len(cols))
	from := 0
	for i, e := range ends {
		out[i], from = all[from:e], e
	}
	return out
}

// quoteSheet returns a sheet name as formulas need it.
func quoteSheet(name string) string {
	if strings.ContainsAny(name, " -'!") {
		return "'" + strings.ReplaceAll(name, "'", "''") + "'"
	}
	return name
}

// formulaRef turns "Percorsi!H3" into a formula reference.
func formulaRef(c validate.CellRef) string {
	s := string(c)
	i := strings.LastIndexByte(s, '!')
	if i < 0 {
		return s
	}
	if q := quoteSheet(s[:i]); q != s[:i] {
		return q + "!" + s[i+1:]
	}
	return s
}

func (w *writer) scorer(c *validate.CourseAudit) *compute.Scorer {
	if c.Pack == nil {
		return nil
	}
	return w.a.Scorers[c.Pack.ID]
}

// inputRef resolves a result formula's variable for one course: an input
// field (its cell; a number typed as text is read through ISNUMBER with the
// audited value as the fallback, since spreadsheets convert text by locale),
// an earlier result (its cell on Punteggi), or a threshold code (its Soglie
// cell, or the value when Soglie has no row for it).
func (w *writer) inputRef(c *validate.CourseAudit, b *block, sc *compute.Scorer) compute.Resolver {
	return func(name string) string {
		if n, ok := compute.ResultNumber(name); ok {
			return cell(colR, b.artRow[n])
		}
		if cr, ok := c.Cells[compute.FieldCode(name)]; ok {
			ref := formulaRef(cr)
			if c.TextNumbers[compute.FieldCode(name)] {
				return "IF(ISNUMBER(" + ref + ")," + ref + "," + strconv.FormatFloat(c.Values[compute.FieldCode(name)], 'f', -1, 64) + ")"
			}
			return ref
		}
		if cr, ok := w.a.ThresholdCells[name]; ok {
			return formulaRef(cr)
		}
		if v, ok := w.a.Overrides[name]; ok {
			return strconv.FormatFloat(v, 'f', -1, 64)
		}
		if def, ok := sc.Pack().Threshold(name); ok && def.Default != nil {
			return strconv.FormatFloat(*def.Default, 'f', -1, 64)
		}
		return "NA()"
	}
}
