package xlsx

import (
	"archive/zip"
	"bytes"
	"fmt"
	"regexp"
	"strings"

	"github.com/xuri/excelize/v2"
)

// StaleInfo is what an earlier audit left in the original package: the parts
// its sheets reach (the chart's drawing, the chart, their relationships:
// excelize deletes a sheet but not what it reaches) and the shared string
// references of its sheets' cells, which the shared strings' count includes.
type StaleInfo struct {
	Parts      map[string]bool
	SharedRefs int
	// own are the stale parts that no other part of the original refers
	// to: only the product's sheets used them.
	Own map[string]bool
}

// ReadStale reads from the original package what an earlier run that
// added the sheets named in names (and whose sheets are now replaced)
// left in it.
func ReadStale(original []byte, names []string) (*StaleInfo, error) {
	zr, err := zip.NewReader(bytes.NewReader(original), int64(len(original)))
	if err != nil {
		return nil, fmt.Errorf("reading the original package: %w", err)
	}
	files := make(map[string]*zip.File, len(zr.File))
	for _, zf := range zr.File {
		files[zf.Name] = zf
	}
	read := func(name string) ([]byte, bool) {
		zf, ok := files[name]
		if !ok {
			return nil, false
		}
		rc, err := zf.Open()
		if err != nil {
			return nil, false
		}
		defer rc.Close()
		var buf bytes.Buffer
		if _, err := buf.ReadFrom(rc); err != nil {
			return nil, false
		}
		return buf.Bytes(), true
	}
	const wbPart = "xl/workbook.xml"
	none := &StaleInfo{}
	wb, ok := read(wbPart)
	if !ok {
		return none, nil
	}
	wbRels, ok := read(RelsOf(wbPart))
	if !ok {
		return none, nil
	}
	sheets, err := parseWorkbookSheets(bytes.NewReader(wb))
	if err != nil {
		return none, nil // the reader has refused such workbooks already
	}
	rels, err := parseRels(bytes.NewReader(wbRels))
	if err != nil {
		return none, nil
	}
	product := map[string]bool{}
	for _, n := range names {
		product[n] = true
	}
	var queue []string
	sharedRefs := 0
	for _, s := range sheets {
		if !product[s.Name] {
			continue
		}
		for _, r := range rels {
			if r.id == s.rid {
				part := resolveTarget(wbPart, r.target)
				queue = append(queue, part)
				if data, ok := read(part); ok {
					sharedRefs += bytes.Count(data, []byte(` t="s"`))
				}
			}
		}
	}
	sheetParts := map[string]bool{}
	for _, p := range queue {
		sheetParts[p] = true
	}
	stale := map[string]bool{}
	for len(queue) > 0 {
		part := queue[0]
		queue = queue[1:]
		relsPart := RelsOf(part)
		data, ok := read(relsPart)
		if !ok {
			continue
		}
		stale[relsPart] = true
		rs, err := parseRels(bytes.NewReader(data))
		if err != nil {
			continue
		}
		for _, r := range rs {
			if r.external {
				continue
			}
			t := resolveTarget(part, r.target)
			if !stale[t] {
				stale[t] = true
				queue = append(queue, t)
			}
		}
	}
	// The stale parts that a part outside the earlier audit refers to.
	own := map[string]bool{}
	for name := range stale {
		own[name] = true
	}
	for name := range files {
		if !strings.HasSuffix(name, ".rels") || stale[name] {
			continue
		}
		from := strings.Replace(strings.TrimSuffix(name, ".rels"), "_rels/", "", 1)
		if sheetParts[from] {
			continue
		}
		data, ok := read(name)
		if !ok {
			continue
		}
		rs, err := parseRels(bytes.NewReader(data))
		if err != nil {
			return &StaleInfo{Parts: stale, SharedRefs: sharedRefs}, nil
		}
		for _, r := range rs {
			if !r.external {
				delete(own, resolveTarget(from, r.target))
			}
		}
	}
	return &StaleInfo{Parts: stale, SharedRefs: sharedRefs, Own: own}, nil
}

// DropOrphans removes from the saved parts those stale parts that the new
// package no longer reaches from its root through relationships, with
// their content-type overrides. A part a user's sheet still uses stays.
func DropOrphans(c *PartCapture, stale map[string]bool) error {
	if len(stale) == 0 {
		return nil
	}
	// The parts reachable from the package's root through relationships.
	referenced := map[string]bool{}
	queue := []string{""}
	for len(queue) > 0 {
		part := queue[0]
		queue = queue[1:]
		relsPart := "_rels/.rels"
		if part != "" {
			relsPart = RelsOf(part)
		}
		buf, ok := c.Parts[relsPart]
		if !ok {
			continue
		}
		rs, err := parseRels(bytes.NewReader(buf.Bytes()))
		if err != nil {
			return fmt.Errorf("reading %s: %w", relsPart, err)
		}
		for _, r := range rs {
			if r.external {
				continue
			}
			t := resolveTarget(part, r.target)
			if part == "" {
				t = resolveTarget("/", r.target)
			}
			if !referenced[t] {
				referenced[t] = true
				queue = append(queue, t)
			}
		}
	}
	drop := map[string]bool{}
	for name := range stale {
		if strings.HasSuffix(name, ".rels") || referenced[name] {
			continue
		}
		if _, ok := c.Parts[name]; ok {
			drop[name] = true
			drop[RelsOf(name)] = true
		}
	}
	if len(drop) == 0 {
		return nil
	}
	names := c.Names[:0]
	for _, name := range c.Names {
		if drop[name] {
			delete(c.Parts, name)
			continue
		}
		names = append(names, name)
	}
	c.Names = names
	if ct, ok := c.Parts["[Content_Types].xml"]; ok {
		out := overrideRE.ReplaceAllFunc(ct.Bytes(), func(m []byte) []byte {
			sub := overrideRE.FindSubmatch(m)
			if drop[strings.TrimPrefix(string(sub[1]), "/")] {
				return nil
			}
			return m
		})
		c.Parts["[Content_Types].xml"] = bytes.NewBuffer(out)
	}
	return nil
}

var overrideRE = regexp.MustCompile(`<Override\s+PartName="([^"]+)"[^>]*?(?:/>|>\s*</Override>)`)

// ReserveDrawingNames works around excelize naming a new drawing or chart
// part after the count of existing ones: in a package whose numbers have
// gaps (drawing2.xml without drawing1.xml), the new part would take the name
// of an existing one and overwrite a user's chart. It adds placeholder keys
// to the count until the next names are free; the returned function
// removes them and must run before the workbook is saved.
func ReserveDrawingNames(f *excelize.File) func() {
	var placeholders []string
	count := func(prefix string, alsoDrawings bool) int {
		seen := map[string]bool{}
		f.Pkg.Range(func(k, _ any) bool {
			if s := k.(string); strings.Contains(s, prefix) {
				seen[s] = true
			}
			return true
		})
		if alsoDrawings {
			f.Drawings.Range(func(k, _ any) bool {
				if s := k.(string); strings.Contains(s, prefix) {
					seen[s] = true
				}
				return true
			})
		}
		return len(seen)
	}
	exists := func(name string) bool {
		_, ok := f.Pkg.Load(name)
		if !ok {
			_, ok = f.Drawings.Load(name)
		}
		return ok
	}
	for _, kind := range []struct {
		prefix, next string
		drawings     bool
	}{
		{"xl/drawings/drawing", "xl/drawings/drawing%d.xml", true},
		{"xl/charts/chart", "xl/charts/chart%d.xml", false},
	} {
		for i := 0; i < 10000 && exists(fmt.Sprintf(kind.next, count(kind.prefix, kind.drawings)+1)); i++ {
			p := fmt.Sprintf("%s-placeholder-auditor-%d", kind.prefix, i)
			f.Pkg.Store(p, []byte{})
			placeholders = append(placeholders, p)
		}
	}
	return func() {
		for _, p := range placeholders {
			f.Pkg.Delete(p)
		}
	}
}
