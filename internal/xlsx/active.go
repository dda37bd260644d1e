package xlsx

import (
	"bytes"
	"regexp"
	"strconv"
)

// The active sheet is set on the saved parts' bytes: excelize's
// SetActiveSheet would rewrite every user's sheet.

var (
	tabSelectedAttr = regexp.MustCompile(`\stabSelected="(?:1|true)"`)
	sheetViewTag    = regexp.MustCompile(`<(?:\w+:)?sheetView[\s>/]`)
	workbookViewTag = regexp.MustCompile(`<((?:\w+:)?)workbookView\b[^>]*?/?>`)
	activeTabAttr   = regexp.MustCompile(`\sactiveTab="\d*"`)
	sheetsTag       = regexp.MustCompile(`<((?:\w+:)?)sheets[\s>]`)
	sheetNameAttr   = regexp.MustCompile(`<(?:\w+:)?sheet\b[^>]*?\sname="([^"]*)"`)
)

// Deselect removes tabSelected from a worksheet part's first sheetView.
func Deselect(part []byte) ([]byte, bool) {
	loc := sheetViewTag.FindIndex(part)
	if loc == nil {
		return part, false
	}
	end := bytes.IndexByte(part[loc[0]:], '>')
	if end < 0 {
		return part, false
	}
	end += loc[0]
	tag := part[loc[0]:end]
	m := tabSelectedAttr.FindIndex(tag)
	if m == nil {
		return part, false
	}
	out := make([]byte, 0, len(part))
	out = append(out, part[:loc[0]+m[0]]...)
	return append(out, part[loc[0]+m[1]:]...), true
}

// SelectView marks a product sheet's first sheetView as selected.
func SelectView(head []byte) []byte {
	loc := sheetViewTag.FindIndex(head)
	if loc == nil {
		return head
	}
	if b, changed := Deselect(head); changed {
		head = b
	}
	at := loc[1] - 1 // the space or '>' after the element's name
	out := make([]byte, 0, len(head)+20)
	out = append(out, head[:at]...)
	out = append(out, ` tabSelected="1"`...)
	return append(out, head[at:]...)
}

// SheetIndex is the position of a sheet in workbook.xml's sheet list.
func SheetIndex(wb []byte, name string) int {
	for i, m := range sheetNameAttr.FindAllSubmatch(wb, -1) {
		if unescapeAttr(string(m[1])) == name {
			return i
		}
	}
	return -1
}

func unescapeAttr(s string) string {
	r := bytes.NewBufferString("")
	for i := 0; i < len(s); i++ {
		if s[i] != '&' {
			r.WriteByte(s[i])
			continue
		}
		for ent, ch := range map[string]string{"&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": `"`, "&apos;": "'", "&#39;": "'", "&#34;": `"`} {
			if len(s) >= i+len(ent) && s[i:i+len(ent)] == ent {
				r.WriteString(ch)
				i += len(ent) - 1
				break
			}
		}
	}
	return r.String()
}

// SetActiveTab makes sheet idx the workbook's active tab (and its first
// visible tab no later than it).
func SetActiveTab(wb []byte, idx int) []byte {
	attr := ` activeTab="` + strconv.Itoa(idx) + `"`
	loc := workbookViewTag.FindSubmatchIndex(wb)
	if loc == nil {
		m := sheetsTag.FindSubmatchIndex(wb)
		if m == nil {
			return wb
		}
		prefix := string(wb[m[2]:m[3]])
		view := "<" + prefix + "bookViews><" + prefix + "workbookView" + attr + "/></" + prefix + "bookViews>"
		out := append([]byte(nil), wb[:m[0]]...)
		out = append(out, view...)
		return append(out, wb[m[0]:]...)
	}
	tag := wb[loc[0]:loc[1]]
	tag = activeTabAttr.ReplaceAll(tag, nil)
	tag = regexp.MustCompile(`\sfirstSheet="\d*"`).ReplaceAll(tag, nil)
	nameEnd := len("<" + string(wb[loc[2]:loc[3]]) + "workbookView")
	newTag := append(append(append([]byte(nil), tag[:nameEnd]...), attr...), tag[nameEnd:]...)
	out := append([]byte(nil), wb[:loc[0]]...)
	out = append(out, newTag...)
	return append(out, wb[loc[1]:]...)
}
