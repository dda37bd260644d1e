package xlsxio

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/its-academy/auditor/compute"
	"github.com/its-academy/auditor/validate"
	"github.com/xuri/excelize/v2"
)

// The product's sheets, in the order they are added after the user's.
const (
	SheetOutcome      = "Esito"
	SheetScores       = "Punteggi"
	SheetExplanations = "Spiegazioni"
	SheetFindings     = "Rilievi"
	SheetSensitivity  = "Sensibilità"
	SheetRules        = "Regole"
	SheetStamp        = "Timbro"
)

// ProductSheets lists the sheets the audit adds.
func ProductSheets() []string {
	return []string{SheetOutcome, SheetScores, SheetExplanations, SheetFindings, SheetSensitivity, SheetRules, SheetStamp}
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
	name    string
	widths  []float64 // from column A
	prepare func() error
	cells   func(*sheetXML)
}

// WriteAudit returns a copy of the original workbook with the product's
// sheets added (replacing those of an earlier audit). excelize adds the
// sheets, styles, links, conditional formats, chart and defined name; the
// product sheets' cells are written as XML and spliced into the parts
// excelize saved; every part the audit does not change is copied from the
// original zip as it was. It never writes to the original.
func WriteAudit(original []byte, a *validate.Audit, opt WriteOptions) ([]byte, error) {
	if a == nil || a.Input == nil {
		return nil, errors.New("xlsxio: WriteAudit needs an audit")
	}
	lim := opt.Limits.withDefaults()
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
		return nil, &OpenError{Kind: ErrCorrupt, cause: err,
			Msg: oneLine("«" + displayName(a.Input.FileName) + "» è danneggiato e non può essere riscritto: aprirlo con Excel, salvarlo di nuovo come .xlsx e riprovare")}
	}
	defer f.Close()
	capture := newPartCapture()
	f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return capture })
	st, err := readStale(original)
	if err != nil {
		return nil, err
	}
	w := &writer{f: f, a: a, opt: opt, stale: st}
	sheets, err := w.build(capture)
	if err != nil {
		return nil, err
	}
	if err := dropOrphans(capture, st.parts); err != nil {
		return nil, err
	}
	return w.pack(original, capture, sheets)
}

// build has excelize remove an earlier audit's sheets, add the product's
// and save the workbook into capture. excelize dereferences nil on some
// damaged parts it accepted when opening (a styles part without fonts or
// cell formats): such a panic is a damaged workbook, not a crash.
func (w *writer) build(capture *partCapture) (sheets []productSheet, err error) {
	defer func() {
		if r := recover(); r != nil {
			sheets = nil
			err = &OpenError{Kind: ErrCorrupt, cause: fmt.Errorf("excelize: %v", r),
				Msg: oneLine("«" + displayName(w.a.Input.FileName) + "» è danneggiato e non può essere riscritto: aprirlo con Excel, salvarlo di nuovo come .xlsx e riprovare")}
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
	for name := range w.stale.own {
		if strings.HasSuffix(name, ".rels") {
			continue
		}
		for _, n := range []string{name, relsOf(name)} {
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
			if !w.stale.own[strings.TrimPrefix(o.PartName, "/")] {
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
		col := columnName(i + 1)
		if err := w.f.SetColWidth(ps.name, col, col, width); err != nil {
			return fmt.Errorf("sheet %s: %w", ps.name, err)
		}
	}
	if err := w.f.SetPanes(ps.name, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return fmt.Errorf("sheet %s: %w", ps.name, err)
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
func (w *writer) pack(original []byte, capture *partCapture, sheets []productSheet) ([]byte, error) {
	zr, err := zip.NewReader(bytes.NewReader(original), int64(len(original)))
	if err != nil {
		return nil, fmt.Errorf("reading the original package: %w", err)
	}
	orig := make(map[string]*zip.File, len(zr.File))
	for _, zf := range zr.File {
		orig[zf.Name] = zf
	}
	paths, sstPath, err := sheetPaths(capture)
	if err != nil {
		return nil, err
	}
	var sst *sharedStrings
	if part, ok := capture.parts[sstPath]; ok {
		sst, _ = newSharedStrings(part.Bytes())
		// excelize re-serialises the shared strings it has read (' becomes
		// &#39;): when it added none, the original's bytes are kept, so
		// that the user's strings and a re-audit stay as they were.
		if zf := orig[sstPath]; sst != nil && zf != nil {
			if ob, err := readPart(zf); err == nil {
				if so, ok := newSharedStrings(ob); ok && so.base == sst.base {
					sst = so
					capture.parts[sstPath] = bytes.NewBuffer(ob)
				}
			}
		}
		if sst != nil && w.stale != nil {
			sst.dropped = w.stale.sharedRefs
		}
	}
	d := newDeflater()
	deflated := map[string]*deflatedPart{}
	type job struct {
		ps         productSheet
		head, tail []byte
		part       *deflatedPart
	}
	jobs := make([]*job, len(sheets))
	for i, ps := range sheets {
		name := paths[ps.name]
		content, ok := capture.parts[name]
		if name == "" || !ok {
			return nil, fmt.Errorf("writing sheet %s: its part is missing", ps.name)
		}
		head, tail, ok := splitSheetData(content.Bytes())
		if !ok {
			return nil, fmt.Errorf("writing sheet %s: no sheetData in its part", ps.name)
		}
		jobs[i] = &job{ps: ps, head: head, tail: tail, part: d.part(name)}
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
			x := newSheetXML(j.part.add, d.buffer)
			x.sst = sst
			j.ps.cells(x)
			x.finish()
			j.part.prepend(setDimension(j.head, x.dimension()))
			j.part.close(j.tail)
		}
		return nil
	}
	if err := write(); err != nil {
		return nil, err
	}
	if sst != nil {
		capture.parts[sstPath] = bytes.NewBuffer(sst.part(capture.parts[sstPath].Bytes()))
	}
	for _, name := range capture.names {
		if _, done := deflated[name]; done || sameAsOriginal(orig[name], capture.parts[name].Bytes()) {
			continue
		}
		p := d.part(name)
		p.close(capture.parts[name].Bytes())
		deflated[name] = p
	}
	var out bytes.Buffer
	out.Grow(len(original) + 8<<20)
	zw := zip.NewWriter(&out)
	for _, name := range capture.names {
		if p, ok := deflated[name]; ok {
			if err := p.writeTo(zw); err != nil {
				return nil, err
			}
			continue
		}
		if err := zw.Copy(orig[name]); err != nil {
			return nil, fmt.Errorf("copying %s: %w", name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("writing the audited workbook: %w", err)
	}
	return out.Bytes(), nil
}

// splitSheetData cuts a worksheet part around its sheetData: head ends
// with "<sheetData>", tail starts with "</sheetData>".
func splitSheetData(part []byte) (head, tail []byte, ok bool) {
	i := bytes.Index(part, []byte("<sheetData"))
	if i < 0 {
		return nil, nil, false
	}
	j := bytes.IndexByte(part[i:], '>')
	if j < 0 {
		return nil, nil, false
	}
	j += i
	head = append(append([]byte(nil), part[:i]...), "<sheetData>"...)
	if part[j-1] == '/' { // <sheetData/>
		return head, append([]byte("</sheetData>"), part[j+1:]...), true
	}
	k := bytes.Index(part[j:], []byte("</sheetData>"))
	if k < 0 {
		return nil, nil, false
	}
	return head, append([]byte(nil), part[j+k:]...), true
}

// setDimension writes the used range into the <dimension> of a sheet's head.
func setDimension(head []byte, ref string) []byte {
	const attr = `<dimension ref="`
	i := bytes.Index(head, []byte(attr))
	if i < 0 {
		return head
	}
	i += len(attr)
	j := bytes.IndexByte(head[i:], '"')
	if j < 0 {
		return head
	}
	out := make([]byte, 0, len(head)+len(ref))
	out = append(out, head[:i]...)
	out = append(out, ref...)
	return append(out, head[i+j:]...)
}

// sheetPaths maps each sheet of the saved workbook to its part, and
// finds its shared strings part.
func sheetPaths(capture *partCapture) (map[string]string, string, error) {
	wbPart := "xl/workbook.xml"
	wb, ok := capture.parts[wbPart]
	if !ok {
		return nil, "", errors.New("writing the audited workbook: no xl/workbook.xml")
	}
	rels := capture.parts[relsOf(wbPart)]
	if rels == nil {
		return nil, "", errors.New("writing the audited workbook: no workbook relationships")
	}
	sheets, err := parseWorkbookSheets(bytes.NewReader(wb.Bytes()))
	if err != nil {
		return nil, "", fmt.Errorf("writing the audited workbook: %w", err)
	}
	rs, err := parseRels(bytes.NewReader(rels.Bytes()))
	if err != nil {
		return nil, "", fmt.Errorf("writing the audited workbook: %w", err)
	}
	out := map[string]string{}
	sst := ""
	for _, r := range rs {
		if strings.HasSuffix(r.typ, "/sharedStrings") && sst == "" {
			sst = resolveTarget(wbPart, r.target)
		}
		for _, s := range sheets {
			if r.id == s.rid {
				out[s.name] = resolveTarget(wbPart, r.target)
			}
		}
	}
	return out, sst, nil
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
	stale *staleInfo // what an earlier audit left in the original

	headerStyle, text, wrap, num2, num3, num6, link, bad, warn, good int
	cfBad, cfWarn, cfGood                                            int // conditional (differential) styles

	// Where each course's results were written on the Punteggi sheet.
	blocks map[int]*block // by course index
	// templates are the articulations' formulas, rendered once per scorer.
	templates map[formulaKey]*formulaTemplate
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
	w.num2 = mk(&excelize.Style{NumFmt: 4})                     // #,##0.00
	w.num3 = mk(&excelize.Style{CustomNumFmt: ptr("0.000")})    // points
	w.num6 = mk(&excelize.Style{CustomNumFmt: ptr("0.000000")}) // traces
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
func (w *writer) header(x *sheetXML, labels ...string) {
	x.startRow(1)
	for _, l := range labels {
		x.text(w.headerStyle, l)
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

// Columns of the Punteggi sheet.
const (
	colR      = "C"
	colS      = "D"
	colP      = "E"
	colWeight = "F"
	colPoints = "G"
)

// sheets lists the product's sheets in the order they are added.
func (w *writer) sheets() []productSheet {
	var indNames []string
	for _, c := range w.a.Courses {
		if c.Pack != nil {
			for _, ind := range c.Pack.Indicators {
				indNames = append(indNames, ind.Name)
			}
			break
		}
	}
	last := len(w.a.Courses) + 1
	findings := append([]validate.Finding(nil), w.a.Findings...)
	for _, c := range w.a.Courses {
		findings = append(findings, c.Findings...)
	}
	return []productSheet{
		{SheetScores, []float64{16, 12, 12, 12, 12, 7, 10, 16, 12}, nil, w.scores},
		{SheetOutcome, []float64{16, 36, 30, 6, 20, 16, 10, 16}, func() error { return w.outcomeDecorations(last, len(indNames)) },
			func(x *sheetXML) { w.outcome(x, indNames) }},
		{SheetExplanations, []float64{16, 14, 12, 70, 36, 16, 12, 10, 60}, nil, w.explanations},
		{SheetFindings, []float64{12, 32, 16, 16, 16, 24, 80, 50}, func() error { return w.findingLinks(findings) },
			func(x *sheetXML) { w.findings(x, findings) }},
		{SheetSensitivity, []float64{16, 10, 16, 50, 12, 14, 12, 16, 10, 50}, nil, w.sensitivity},
		{SheetRules, []float64{28, 60, 14, 22, 70}, nil, w.rules},
		{SheetStamp, []float64{30, 80}, nil, w.stamp},
	}
}

// scores writes the Punteggi sheet: per course, its articulations with R, S,
// P, weight and points as live formulas (engine values cached), then the
// indicators and the total. The rules' texts are on Regole, once.
func (w *writer) scores(x *sheetXML) {
	w.header(x, "Codice percorso", "Articolazione", "Risultato R", "Soglia S", "Punteggio P", "Peso", "Punti", "Ramo", "Funzione (foglio Regole)")
	w.blocks = map[int]*block{}
	row := 2
	for i := range w.a.Courses {
		c := &w.a.Courses[i]
		sc := w.scorer(c)
		if sc == nil || c.Result == nil {
			continue
		}
		p := sc.Pack()
		b := &block{artRow: map[int]int{}, indRow: map[int]int{}}
		w.blocks[i] = b
		for j, ar := range c.Result.Articulations {
			b.artRow[ar.Number] = row + j
		}
		ref := w.inputRef(c, b, sc)
		for _, ar := range c.Result.Articulations {
			a, _ := p.Articulation(ar.Number)
			r := b.artRow[ar.Number]
			refs := rowRefs(r, colR, colS, colWeight, colP)
			x.startRow(r)
			x.text(0, c.Code)
			x.int(0, ar.Number)
			if ar.Result != nil {
				t := w.template(formulaKey{sc, ar.Number, 'R'}, func(ref compute.Resolver) string { return sc.ResultFormula(a, ref) })
				x.formulaT(w.num2, t, ref, *ar.Result)
			} else {
				x.text(0, "non calcolabile")
			}
			var thr *compute.ThresholdUse
			if pt := ar.ScoreTrace(); ar.Score != nil && pt != nil {
				thr = pt.Threshold
			}
			switch {
			case thr != nil:
				x.formula(w.num2, sc.ThresholdFormula(thr, w.thresholdCell), thr.Value)
			case ar.Threshold != nil:
				x.num(w.num2, *ar.Threshold)
			default:
				x.text(0, "—")
			}
			if ar.Score != nil {
				pref := func(name string) string {
					switch name {
					case "R":
						return refs[0]
					case "S":
						return refs[1]
					}
					return "NA()"
				}
				t := w.template(formulaKey{sc, ar.Number, 'P'}, func(ref compute.Resolver) string { return sc.ScoreFormula(a, ref) })
				x.formulaT(w.num2, t, pref, *ar.Score)
				x.num(0, ar.Weight)
				t = w.template(formulaKey{sc, 0, 'W'}, func(ref compute.Resolver) string { return sc.PointsFormula(ref("W"), ref("P")) })
				x.formulaT(w.num3, t, func(name string) string {
					if name == "W" {
						return refs[2]
					}
					return refs[3]
				}, *ar.Points)
				x.text(0, ar.Branch)
				x.text(0, ar.Function)
			} else {
				x.text(0, "—")
				x.num(0, ar.Weight)
				x.text(0, "—")
				x.text(0, "")
				x.text(0, ar.Function)
			}
		}
		row += len(c.Result.Articulations)
		for _, ir := range c.Result.Indicators {
			b.indRow[ir.Number] = row
			ind, _ := p.Indicator(ir.Number)
			x.startRow(row)
			x.text(0, c.Code)
			x.text(0, "Indicatore "+strconv.Itoa(ir.Number))
			x.skip(3)
			x.num(0, ir.Weight)
			if ir.Points != nil {
				var pts []string
				for _, ar := range c.Result.Articulations {
					if ar.Indicator == ir.Number {
						pts = append(pts, cell(colPoints, b.artRow[ar.Number]))
					}
				}
				x.formula(w.num3, sc.IndicatorFormula(ind, pts, ref), *ir.Points)
			} else {
				x.text(0, "non calcolabile")
			}
			if ir.Zeroed {
				x.text(0, "azzerato")
			}
			row++
		}
		x.startRow(row)
		x.text(0, c.Code)
		x.text(0, "Totale")
		x.skip(3)
		x.int(0, 100)
		if c.Result.Total != nil {
			b.totalRow = row
			var inds []string
			for _, ir := range c.Result.Indicators {
				inds = append(inds, cell(colPoints, b.indRow[ir.Number]))
			}
			x.formula(w.num3, "SUM("+strings.Join(inds, ",")+")", *c.Result.Total)
		} else {
			x.text(0, "non calcolabile: vedere il foglio "+SheetFindings)
		}
		row += 2 // a blank row between courses
	}
}

// thresholdCell resolves a threshold code to its Soglie cell.
func (w *writer) thresholdCell(code string) string {
	if cr, ok := w.a.ThresholdCells[code]; ok {
		return formulaRef(cr)
	}
	return ""
}

func countSeverity(fs []validate.Finding, s compute.Severity) int {
	n := 0
	for _, f := range fs {
		if f.Severity == s {
			n++
		}
	}
	return n
}

// outcome writes the Esito sheet: one row per course, totals and indicator
// points referencing Punteggi, the band and counts of findings (the
// conditional format of the bands and the chart are set by
// outcomeDecorations).
func (w *writer) outcome(x *sheetXML, indNames []string) {
	nInd := len(indNames)
	labels := []string{"Codice percorso", "Titolo", "Area tecnologica", "Riga", "Pacchetto di regole", "Lettura", "Totale", "Fascia"}
	labels = append(labels, indNames...)
	labels = append(labels, "Errori", "Violazioni di legge", "Avvisi", "Informazioni", "Studentesse R", "Studentesse P", "Scelte che cambiano la fascia")
	w.header(x, labels...)
	titles := make(map[int]string, len(w.a.Input.Courses))
	for _, c := range w.a.Input.Courses {
		if _, seen := titles[c.Row]; !seen {
			titles[c.Row] = c.Entries["titolo"].Text
		}
	}
	scores := quoteSheet(SheetScores) + "!"
	for i := range w.a.Courses {
		c := &w.a.Courses[i]
		r := i + 2
		x.startRow(r)
		x.text(0, c.Code)
		x.text(0, titles[c.Row])
		x.text(0, c.Area)
		x.int(0, c.Row)
		b := w.blocks[i]
		if c.Pack != nil && c.Result != nil {
			x.text(0, string(c.Pack.ID))
			rt := readingText(c.Pack, c.Result.Reading, w.scorer(c))
			if w.a.WhatIf {
				rt += "; SIMULAZIONE con le soglie del foglio Soglie"
			}
			x.text(0, rt)
		} else {
			x.text(0, "nessuno")
			x.text(0, "")
		}
		if c.Scored() && b != nil && b.totalRow > 0 {
			sc := w.scorer(c)
			x.formula(w.num2, scores+cell(colPoints, b.totalRow), *c.Result.Total)
			x.formulaText(0, sc.BandFormula(cell("G", r)), c.Result.Band.Code)
		} else {
			x.text(0, "non calcolabile")
			x.text(0, "")
		}
		for k := 0; k < nInd; k++ {
			if c.Result != nil && b != nil && k < len(c.Result.Indicators) && c.Result.Indicators[k].Points != nil && c.Scored() {
				ir := c.Result.Indicators[k]
				x.formula(w.num3, scores+cell(colPoints, b.indRow[ir.Number]), *ir.Points)
			} else {
				x.text(0, "")
			}
		}
		x.int(0, countSeverity(c.Findings, compute.SeverityError))
		x.int(0, countSeverity(c.Findings, compute.SeverityViolation))
		x.int(0, countSeverity(c.Findings, compute.SeverityWarning))
		x.int(0, countSeverity(c.Findings, compute.SeverityInfo))
		if c.Result != nil && c.Result.Female.Computable {
			x.num(w.num2, *c.Result.Female.Result)
			x.num(w.num2, *c.Result.Female.Score)
		} else {
			x.text(0, "non calcolabile")
			x.text(0, "")
		}
		var changes []string
		for _, alt := range c.Sensitivity {
			if alt.BandChanged {
				changes = append(changes, alt.Label)
			}
		}
		switch {
		case len(changes) > 0:
			x.text(0, strings.Join(changes, "; ")+" (vedere il foglio "+SheetSensitivity+")")
		case c.Scored():
			x.text(0, "nessuna")
		default:
			x.text(0, "")
		}
	}
}

// outcomeDecorations colours the totals by band and adds the chart of the
// indicator points (before the sheet is streamed; see newSheet).
func (w *writer) outcomeDecorations(last, nInd int) error {
	if last < 2 {
		return nil
	}
	totals := "G2:" + cell("G", last)
	formats := []struct {
		style    int
		criteria string
		value    string
		min, max string
	}{
		{w.cfBad, "<", "50", "", ""},
		{w.cfWarn, "between", "", "50", "59.9999999999"},
		{w.cfGood, ">=", "60", "", ""},
	}
	var cfs []excelize.ConditionalFormatOptions
	for _, fm := range formats {
		style := fm.style
		cfs = append(cfs, excelize.ConditionalFormatOptions{Type: "cell", Criteria: fm.criteria, Format: &style, Value: fm.value, MinValue: fm.min, MaxValue: fm.max})
	}
	if err := w.f.SetConditionalFormat(SheetOutcome, totals, cfs); err != nil {
		return fmt.Errorf("band colours: %w", err)
	}
	if nInd == 0 {
		return nil
	}
	var series []excelize.ChartSeries
	for k := 0; k < nInd; k++ {
		col, _ := excelize.ColumnNumberToName(9 + k)
		series = append(series, excelize.ChartSeries{
			Name:       fmt.Sprintf("%s!$%s$1", quoteSheet(SheetOutcome), col),
			Categories: fmt.Sprintf("%s!$A$2:$A$%d", quoteSheet(SheetOutcome), last),
			Values:     fmt.Sprintf("%s!$%s$2:$%s$%d", quoteSheet(SheetOutcome), col, col, last),
		})
	}
	anchorCol, _ := excelize.ColumnNumberToName(9 + nInd + 8)
	release := reserveDrawingNames(w.f)
	defer release()
	err := w.f.AddChart(SheetOutcome, cell(anchorCol, 2), &excelize.Chart{
		Type:   excelize.BarStacked,
		Series: series,
		Title:  excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: "Punti per indicatore di ciascun percorso"}}},
		Legend: excelize.ChartLegend{Position: "bottom"},
		XAxis:  excelize.ChartAxis{ReverseOrder: true},
		YAxis:  excelize.ChartAxis{Maximum: ptr(100.0), Minimum: ptr(0.0)},
		Dimension: excelize.ChartDimension{
			Width: 720, Height: uint(max(320, 24*(last-1)+120)),
		},
	})
	if err != nil {
		return fmt.Errorf("indicator chart: %w", err)
	}
	return nil
}
