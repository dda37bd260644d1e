package xlsx

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
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

// WorkbookSheet is a sheet listed by the workbook: its name and relationship.
type WorkbookSheet struct{ Name, rid string }

// workbookInfo collects the sheets and the date system of workbook.xml.
type workbookInfo struct {
	sheets   []WorkbookSheet
	date1904 bool
}

func (wi *workbookInfo) token(tok xml.Token) {
	se, ok := tok.(xml.StartElement)
	if !ok {
		return
	}
	switch se.Name.Local {
	case "sheet":
		var s WorkbookSheet
		for _, a := range se.Attr {
			switch {
			case a.Name.Local == "name" && a.Name.Space == "":
				s.Name = a.Value
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
func parseWorkbookSheets(r io.Reader) ([]WorkbookSheet, error) {
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
