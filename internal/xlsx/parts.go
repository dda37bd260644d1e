package xlsx

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
)

// SplitSheetData cuts a worksheet part around its sheetData: head ends
// with "<sheetData>", tail starts with "</sheetData>".
func SplitSheetData(part []byte) (head, tail []byte, ok bool) {
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

// SetDimension writes the used range into the <dimension> of a sheet's head.
func SetDimension(head []byte, ref string) []byte {
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

// SheetPaths maps each sheet of the saved workbook to its part, and
// finds its shared strings part.
func SheetPaths(capture *PartCapture) (map[string]string, string, error) {
	wbPart := "xl/workbook.xml"
	wb, ok := capture.Parts[wbPart]
	if !ok {
		return nil, "", errors.New("writing the audited workbook: no xl/workbook.xml")
	}
	rels := capture.Parts[RelsOf(wbPart)]
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
				out[s.Name] = resolveTarget(wbPart, r.target)
			}
		}
	}
	return out, sst, nil
}

// ReadPart inflates a part; archive/zip refuses more than the declared
// size, which checkSizes has bounded.
func ReadPart(zf *zip.File) ([]byte, error) {
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

// RelsOf returns the relationships part of a part, as excelize computes it.
func RelsOf(part string) string {
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

// walkTags passes each tag of a part to fn until fn returns false, after
// checking its characters (UTF-8, XML's range). The scanner checks that the
// part is well-formed: names, attributes, entities, nesting, one root; a
// document type declaration is refused (errDoctype).
func walkTags(d []byte, fn func(s *xmlScanner) bool) error {
	if err := CheckChars(d); err != nil {
		return fmt.Errorf("parse: %w", err)
	}
	s := newXMLScanner(d)
	for s.next() {
		if s.decls > 0 {
			return fmt.Errorf("parse: %w", errDoctype)
		}
		if !fn(s) {
			return nil
		}
	}
	if s.err != nil {
		return fmt.Errorf("parse: %w", s.err)
	}
	if s.decls > 0 {
		return fmt.Errorf("parse: %w", errDoctype)
	}
	return nil
}

// attrLocal reports an attribute's local name and whether it has a prefix.
func attrLocal(n []byte) (string, bool) {
	l := localName(n)
	return string(l), len(l) < len(n)
}

type pkgRel struct {
	id, typ, target string
	external        bool // TargetMode="External": not a part of the package
}

// relsInfo collects the relationships of a relationships part.
type relsInfo []pkgRel

func (ri *relsInfo) visit(s *xmlScanner) {
	if s.end || string(s.name) != "Relationship" {
		return
	}
	var r pkgRel
	eachAttr(s.attrs, func(n, v []byte) {
		switch local, _ := attrLocal(n); local {
		case "Id":
			r.id = attrText(v)
		case "Type":
			r.typ = attrText(v)
		case "Target":
			r.target = strings.ReplaceAll(attrText(v), `\`, "/")
		case "TargetMode":
			r.external = attrText(v) == "External"
		}
	})
	*ri = append(*ri, r)
}

// parseRels reads a relationships part.
func parseRels(r io.Reader) ([]pkgRel, error) {
	d, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	var ri relsInfo
	err = walkTags(d, func(s *xmlScanner) bool { ri.visit(s); return true })
	return ri, err
}

// WorkbookSheet is a sheet listed by the workbook: its name and relationship.
type WorkbookSheet struct{ Name, rid string }

// workbookInfo collects the sheets and the date system of workbook.xml.
type workbookInfo struct {
	sheets   []WorkbookSheet
	date1904 bool
}

func (wi *workbookInfo) visit(s *xmlScanner) {
	if s.end {
		return
	}
	switch string(s.name) {
	case "sheet":
		var sh WorkbookSheet
		eachAttr(s.attrs, func(n, v []byte) {
			switch local, prefixed := attrLocal(n); {
			case local == "name" && !prefixed:
				sh.Name = attrText(v)
			case local == "id" && prefixed:
				sh.rid = attrText(v)
			}
		})
		wi.sheets = append(wi.sheets, sh)
	case "workbookPr":
		eachAttr(s.attrs, func(n, v []byte) {
			if local, _ := attrLocal(n); local == "date1904" {
				b, err := strconv.ParseBool(strings.TrimSpace(attrText(v)))
				wi.date1904 = err == nil && b
			}
		})
	}
}

// parseWorkbookSheets reads the sheets listed by a workbook part.
func parseWorkbookSheets(r io.Reader) ([]WorkbookSheet, error) {
	d, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	var wi workbookInfo
	err = walkTags(d, func(s *xmlScanner) bool { wi.visit(s); return true })
	return wi.sheets, err
}

// stylesInfo collects the number formats of styles.xml and the number
// format of each cell format (cellXfs), by index.
type stylesInfo struct {
	numFmts  map[int]string
	xfNumFmt []int
	inXfs    bool
}

func (st *stylesInfo) visit(s *xmlScanner) {
	if s.end {
		if string(s.name) == "cellXfs" {
			st.inXfs = false
		}
		return
	}
	switch string(s.name) {
	case "cellXfs":
		st.inXfs = !s.empty
	case "xf":
		if !st.inXfs {
			return
		}
		id := 0
		eachAttr(s.attrs, func(n, v []byte) {
			if local, _ := attrLocal(n); local == "numFmtId" {
				id, _ = strconv.Atoi(strings.TrimSpace(attrText(v)))
			}
		})
		st.xfNumFmt = append(st.xfNumFmt, id)
	case "numFmt":
		id, code, ok := 0, "", false
		eachAttr(s.attrs, func(n, v []byte) {
			switch local, _ := attrLocal(n); local {
			case "numFmtId":
				var err error
				id, err = strconv.Atoi(strings.TrimSpace(attrText(v)))
				ok = err == nil
			case "formatCode":
				code = attrText(v)
			}
		})
		if _, seen := st.numFmts[id]; ok && !seen {
			st.numFmts[id] = code
		}
	}
}
