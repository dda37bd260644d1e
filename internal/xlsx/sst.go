package xlsx

import (
	"strconv"
)

// MaxSharedLen is the longest text written as a shared string: shorter
// texts (course codes, labels, branches, thresholds, rule ids, cells)
// repeat on every course and take half the room in the shared strings;
// longer ones are mostly unique and stay inline.
const MaxSharedLen = 48

// SharedStrings appends the product's repeated texts to the workbook's
// shared strings part, whose items stay where they are: the original
// sheets keep their indices. A plain item of the part (a single text, no
// rich text runs) is reused for the same text, so a second audit does not
// grow the part with the first one's texts.
type SharedStrings struct {
	Base  int // items in the part before
	index map[string]int
	added []string
	refs  int // cells written that refer to the part
	// dropped are the references of the earlier audit's sheets, which the
	// part's count includes and which are gone.
	Dropped int

	// Where the part is edited: its root start tag and the end tag.
	rootFrom, rootTo, end int
	qname, attrs          []byte
	empty                 bool // <sst …/>
}

// NewSharedStrings reads a shared strings part; ok is false when it cannot
// be edited safely (the product's texts are then written inline).
func NewSharedStrings(part []byte) (*SharedStrings, bool) {
	ss := &SharedStrings{index: map[string]int{}, rootFrom: -1}
	s := newXMLScanner(part)
	for s.next() {
		if ss.rootFrom < 0 {
			if s.end || string(s.name) != "sst" {
				return nil, false
			}
			ss.rootFrom, ss.rootTo = s.from, s.to
			ss.qname, ss.attrs, ss.empty = s.qname, s.attrs, s.empty
			if s.empty {
				ss.end = s.to
			}
			continue
		}
		if s.end {
			if len(s.stack) == 0 {
				ss.end = s.from
			}
			continue
		}
		if string(s.name) != "si" || len(s.stack)-boolInt(!s.empty) != 1 {
			if !s.skipElement() {
				return nil, false
			}
			continue
		}
		if s.empty { // <si/>: an empty text
			ss.Base++
			continue
		}
		// An item: plain when its only element is one <t>.
		text, plain, children := "", true, 0
		depth := len(s.stack)
		for s.next() {
			if s.end && len(s.stack) < depth {
				break
			}
			if s.end {
				continue
			}
			children++
			if string(s.name) != "t" || children > 1 {
				plain = false
				if !s.skipElement() {
					return nil, false
				}
				continue
			}
			t, err := s.elementText()
			if err != nil {
				return nil, false
			}
			text = t
		}
		if s.err != nil {
			return nil, false
		}
		if _, seen := ss.index[text]; plain && !seen && !isXEscapeIn(text) {
			ss.index[text] = ss.Base
		}
		ss.Base++
	}
	if s.err != nil || ss.rootFrom < 0 || ss.end <= 0 {
		return nil, false
	}
	return ss, true
}

// isXEscapeIn reports whether a text holds Excel's _xHHHH_ notation, which
// reading decodes: such an item is not reused.
func isXEscapeIn(t string) bool {
	for i := 0; i+7 <= len(t); i++ {
		if t[i] == '_' && isXEscape(t[i:]) {
			return true
		}
	}
	return false
}

// ID returns the index of a text, adding it if needed.
func (ss *SharedStrings) ID(text string) int {
	ss.refs++
	if i, ok := ss.index[text]; ok {
		return i
	}
	i := ss.Base + len(ss.added)
	ss.index[text] = i
	ss.added = append(ss.added, text)
	return i
}

// Part returns the shared strings part with the added items and its
// counts updated.
func (ss *SharedStrings) Part(orig []byte) []byte {
	out := make([]byte, 0, len(orig)+len(ss.added)*32+64)
	out = append(out, orig[:ss.rootFrom]...)
	out = append(out, '<')
	out = append(out, ss.qname...)
	eachAttr(ss.attrs, func(name, value []byte) {
		out = append(out, ' ')
		out = append(out, name...)
		out = append(out, `="`...)
		switch string(name) {
		case "count":
			if n, err := strconv.Atoi(string(value)); err == nil {
				value = strconv.AppendInt(nil, int64(max(n-ss.Dropped, 0)+ss.refs), 10)
			}
		case "uniqueCount":
			value = strconv.AppendInt(nil, int64(ss.Base+len(ss.added)), 10)
		}
		out = append(out, value...)
		out = append(out, '"')
	})
	out = append(out, '>')
	if !ss.empty {
		out = append(out, orig[ss.rootTo:ss.end]...)
	}
	// The items take the root's prefix, if any (<x:sst> holds <x:si>).
	prefix := ss.qname[:len(ss.qname)-len(localName(ss.qname))]
	for _, t := range ss.added {
		out = append(append(append(out, '<'), prefix...), "si><"...)
		out = append(append(out, prefix...), 't')
		if NeedsPreserve(t) {
			out = append(out, ` xml:space="preserve"`...)
		}
		out = append(out, '>')
		out = AppendCellText(out, t)
		out = append(append(append(out, "</"...), prefix...), "t></"...)
		out = append(append(out, prefix...), "si>"...)
	}
	if ss.empty {
		out = append(out, "</"...)
		out = append(out, ss.qname...)
		out = append(out, '>')
		return append(out, orig[ss.end:]...)
	}
	return append(out, orig[ss.end:]...)
}
