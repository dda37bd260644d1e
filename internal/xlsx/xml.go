package xlsx

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// A small XML scanner for the two large parts the reader decodes, the
// worksheets and the shared strings: it walks the bytes once, keeps the
// positions of the values and decodes only the values asked for.
// encoding/xml builds a token (and strings) for every element and
// attribute, which cost most of reading a workbook.

var errXML = errors.New("malformed XML")

// span is a range of the part's bytes.
type span struct{ from, to int32 }

// xmlScanner walks the tags of a part. After next returns true, the tag is
// described by end (an end tag), name (its local name), attrs (the raw
// attributes of a start tag), empty (a self-closing start tag) and
// from/to (its bytes).
type xmlScanner struct {
	d        []byte
	pos      int
	err      error
	end      bool
	empty    bool
	name     []byte
	qname    []byte // with its prefix, for matching end tags
	attrs    []byte
	from, to int
	stack    [][]byte
	starts   int64 // start tags read so far
	decls    int   // <!DOCTYPE …> and other declarations skipped
	// attrList holds the attributes of the start tag just read, as spans
	// of d (no pointers: filling it costs no write barrier).
	attrList []rawAttr
}

// rawAttr is an attribute as written: its name with any prefix, and its
// value before entities are decoded.
type rawAttr struct{ name, value span }

// attr returns the raw name and value of the i-th attribute of the start
// tag just read.
func (s *xmlScanner) attr(i int) (name, value []byte) {
	a := s.attrList[i]
	return s.d[a.name.from:a.name.to], s.d[a.value.from:a.value.to]
}

// readAttrs reads the attributes of the start tag in rest from j into
// s.attrList, checking each (an XML name, a quoted value without '<',
// known entities), and returns the index of the tag's '>' or of the '/'
// of its "/>". On an error it sets s.err and returns false.
func (s *xmlScanner) readAttrs(rest []byte, j int) (int, bool) {
	s.attrList = s.attrList[:0]
	for {
		for j < len(rest) && isSpace(rest[j]) {
			j++
		}
		if j == len(rest) || rest[j] == '<' {
			s.err = fmt.Errorf("%w: unterminated <%s>", errXML, s.qname)
			return 0, false
		}
		switch rest[j] {
		case '>':
			return j, true
		case '/':
			if j+1 < len(rest) && rest[j+1] == '>' {
				return j, true
			}
			s.err = fmt.Errorf("%w: attributes of <%s>", errXML, s.qname)
			return 0, false
		}
		k := j
		for k < len(rest) && rest[k] != '=' && !isSpace(rest[k]) && rest[k] != '>' && rest[k] != '<' {
			k++
		}
		name := rest[j:k]
		for k < len(rest) && isSpace(rest[k]) {
			k++
		}
		if k == len(rest) || rest[k] != '=' || !validName(name) {
			return s.attrError(rest[k:])
		}
		k++
		for k < len(rest) && isSpace(rest[k]) {
			k++
		}
		if k == len(rest) || (rest[k] != '"' && rest[k] != '\'') {
			return s.attrError(rest[k:])
		}
		q, from, amp := rest[k], k+1, false
		k = from
		for ; k < len(rest) && rest[k] != q && rest[k] != '<'; k++ {
			amp = amp || rest[k] == '&'
		}
		if k == len(rest) || rest[k] == '<' {
			s.err = fmt.Errorf("%w: unterminated <%s>", errXML, s.qname)
			return 0, false
		}
		if amp && checkEntities(rest[from:k]) != nil {
			return s.attrError(nil)
		}
		at := int32(s.pos)
		s.attrList = append(s.attrList, rawAttr{span{at + int32(j), at + int32(j+len(name))}, span{at + int32(from), at + int32(k)}})
		j = k + 1
	}
}

// attrError reports malformed attributes: unterminated when the tag never
// ends, else malformed.
func (s *xmlScanner) attrError(tail []byte) (int, bool) {
	if bytes.IndexByte(tail, '>') < 0 {
		s.err = fmt.Errorf("%w: unterminated <%s>", errXML, s.qname)
	} else {
		s.err = fmt.Errorf("%w: attributes of <%s>", errXML, s.qname)
	}
	return 0, false
}

func newXMLScanner(d []byte) *xmlScanner { return &xmlScanner{d: d} }

// next advances to the next start or end tag, skipping text, comments,
// processing instructions, CDATA sections and the document type. It
// returns false at the end of the part or on an error (s.err).
func (s *xmlScanner) next() bool {
	d := s.d
	for {
		i := bytes.IndexByte(d[s.pos:], '<')
		if i < 0 {
			i = len(d) - s.pos
		}
		if err := checkEntities(d[s.pos : s.pos+i]); err != nil {
			s.err = err
			return false
		}
		if s.pos+i == len(d) {
			s.pos = len(d)
			if len(s.stack) > 0 && s.err == nil {
				s.err = fmt.Errorf("%w: unclosed <%s>", errXML, s.stack[len(s.stack)-1])
			}
			return false
		}
		s.pos += i
		rest := d[s.pos:]
		if len(rest) < 2 {
			s.err = fmt.Errorf("%w: truncated tag", errXML)
			return false
		}
		switch rest[1] {
		case '?':
			if len(rest) < 3 || !validName(rest[2:3]) {
				s.err = fmt.Errorf("%w: processing instruction without target", errXML)
				return false
			}
			if bytes.HasPrefix(rest, []byte("<?xml ")) && !s.checkDeclaration(rest) {
				return false
			}
			if !s.skipPast(2, "?>") {
				return false
			}
			continue
		case '!':
			switch {
			case bytes.HasPrefix(rest, []byte("<!--")):
				if !s.skipPast(4, "-->") {
					return false
				}
			case bytes.HasPrefix(rest, []byte("<![CDATA[")):
				if !s.skipPast(9, "]]>") {
					return false
				}
			default:
				if !s.skipDeclaration() {
					return false
				}
			}
			continue
		case '/':
			j := bytes.IndexByte(rest, '>')
			if j < 0 {
				s.err = fmt.Errorf("%w: truncated end tag", errXML)
				return false
			}
			s.end, s.empty = true, false
			k := j
			for k > 2 && isSpace(rest[k-1]) {
				k--
			}
			s.qname = rest[2:k]
			s.name = localName(s.qname)
			s.attrs, s.attrList = nil, s.attrList[:0]
			s.from, s.to = s.pos, s.pos+j+1
			s.pos = s.to
			if n := len(s.stack); n == 0 || !bytes.Equal(s.stack[n-1], s.qname) {
				s.err = fmt.Errorf("%w: unexpected </%s>", errXML, s.qname)
				return false
			}
			s.stack = s.stack[:len(s.stack)-1]
			return true
		}
		// A start tag: its name, then its attributes, each read once.
		j := 1
		for j < len(rest) && !isSpace(rest[j]) && rest[j] != '>' && rest[j] != '/' {
			j++
		}
		if j == 1 || !validName(rest[1:j]) {
			s.err = fmt.Errorf("%w: invalid tag name", errXML)
			return false
		}
		s.qname = rest[1:j]
		attrFrom := j
		j, ok := s.readAttrs(rest, j)
		if !ok {
			return false
		}
		s.empty = rest[j] == '/'
		s.attrs = rest[attrFrom:j]
		if s.empty {
			j++ // the '>' of "/>"
		}
		s.end = false
		if len(s.stack) == 0 && s.starts > 0 {
			s.err = fmt.Errorf("%w: a second root element <%s>", errXML, s.qname)
			return false
		}
		if !s.empty {
			s.stack = append(s.stack, s.qname)
		}
		s.name = localName(s.qname)
		s.from, s.to = s.pos, s.pos+j+1
		s.pos = s.to
		s.starts++
		return true
	}
}

// emptyCell reads, when it comes next, a cell holding nothing in the form
// excelize writes: <c r="AB12" s="3"></c> (s optional, or "/>"), with
// nothing between the tags. It returns the cell's reference and style
// (nil when absent) as next would give them, counts the start tag and
// moves past the cell; ok is false, and nothing read, for anything else.
func (s *xmlScanner) emptyCell() (ref, style []byte, ok bool) {
	rest := s.d[s.pos:]
	const open = `<c r="`
	if len(rest) < len(open) || string(rest[:len(open)]) != open {
		return nil, nil, false
	}
	i := len(open)
	j := i
	for j < len(rest) && 'A' <= rest[j] && rest[j] <= 'Z' {
		j++
	}
	k := j
	for k < len(rest) && '0' <= rest[k] && rest[k] <= '9' {
		k++
	}
	if j == i || k == j || k-i > 10 || k >= len(rest) || rest[k] != '"' {
		return nil, nil, false
	}
	ref = rest[i:k]
	k++
	const sAttr = ` s="`
	if len(rest)-k >= len(sAttr) && string(rest[k:k+len(sAttr)]) == sAttr {
		from := k + len(sAttr)
		to := from
		for to < len(rest) && '0' <= rest[to] && rest[to] <= '9' {
			to++
		}
		if to == from || to-from > 10 || to >= len(rest) || rest[to] != '"' {
			return nil, nil, false
		}
		style = rest[from:to]
		k = to + 1
	}
	switch {
	case len(rest)-k >= 2 && rest[k] == '/' && rest[k+1] == '>':
		k += 2
	case len(rest)-k >= 5 && string(rest[k:k+5]) == "></c>":
		k += 5
	default:
		return nil, nil, false
	}
	s.pos += k
	s.starts++
	return ref, style, true
}

// endsAtOnce consumes the end tag of the element whose start tag was just
// read when it follows at once ("<c …></c>"), exactly as next would read
// it, and reports whether it did: the element is then as empty as a
// self-closing one.
func (s *xmlScanner) endsAtOnce() bool {
	if s.empty || s.end {
		return false
	}
	rest, q := s.d[s.pos:], s.qname
	if len(rest) < len(q)+3 || rest[0] != '<' || rest[1] != '/' || rest[2+len(q)] != '>' || !bytes.Equal(rest[2:2+len(q)], q) {
		return false
	}
	s.stack = s.stack[:len(s.stack)-1]
	s.pos += len(q) + 3
	return true
}

// checkDeclaration accepts an XML declaration whose encoding, if any, reads
// UTF-8 text as it is (the parts are checked to be UTF-8).
func (s *xmlScanner) checkDeclaration(rest []byte) bool {
	end := bytes.Index(rest, []byte("?>"))
	if end < 0 {
		return true // skipPast reports it
	}
	ok := eachAttr(rest[5:end], func(n, v []byte) {
		if string(n) != "encoding" {
			return
		}
		switch strings.ToLower(string(v)) {
		case "utf-8", "utf8", "us-ascii", "ascii":
		default:
			s.err = fmt.Errorf("%w: encoding %q", errXML, v)
		}
	})
	if !ok && s.err == nil {
		s.err = fmt.Errorf("%w: XML declaration", errXML)
	}
	return s.err == nil
}

func (s *xmlScanner) skipPast(skip int, end string) bool {
	k := bytes.Index(s.d[s.pos+skip:], []byte(end))
	if k < 0 {
		s.err = fmt.Errorf("%w: unterminated %q", errXML, end)
		return false
	}
	s.pos += skip + k + len(end)
	return true
}

// skipDeclaration skips <!DOCTYPE …> with its internal subset.
func (s *xmlScanner) skipDeclaration() bool {
	s.decls++
	depth := 0
	var quote byte
	for j := s.pos + 2; j < len(s.d); j++ {
		c := s.d[j]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '[':
			depth++
		case c == ']':
			depth--
		case c == '>' && depth <= 0:
			s.pos = j + 1
			return true
		}
	}
	s.err = fmt.Errorf("%w: unterminated declaration", errXML)
	return false
}

// skipElement skips to the end of the element whose start tag was just
// read.
func (s *xmlScanner) skipElement() bool {
	if s.empty {
		return true
	}
	depth := len(s.stack)
	for s.next() {
		if s.end && len(s.stack) < depth {
			return true
		}
	}
	return false
}

// validName reports whether an element or attribute name is an XML name
// (ASCII checked exactly, other characters allowed).
func validName(n []byte) bool {
	if len(n) == 0 || n[0] == ':' || n[len(n)-1] == ':' {
		return false // not a namespace-well-formed name
	}
	colons := 0
	for i, c := range n {
		switch {
		case c == ':':
			if colons++; colons > 1 {
				return false
			}
		case c >= 0x80, c == '_', 'a' <= c|0x20 && c|0x20 <= 'z':
		case i > 0 && (c == '-' || c == '.' || '0' <= c && c <= '9'):
		default:
			return false
		}
	}
	return true
}

// checkEntities checks the entity and character references of text, and
// that it holds no "]]>".
func checkEntities(text []byte) error {
	if bytes.Contains(text, []byte("]]>")) {
		return fmt.Errorf("%w: ]]> outside CDATA", errXML)
	}
	for {
		i := bytes.IndexByte(text, '&')
		if i < 0 {
			return nil
		}
		text = text[i+1:]
		j := bytes.IndexByte(text, ';')
		if j < 0 || j > 10 {
			return fmt.Errorf("%w: malformed entity", errXML)
		}
		if _, ok := entity(text[:j]); !ok {
			return fmt.Errorf("%w: unknown entity &%s;", errXML, text[:j])
		}
		text = text[j+1:]
	}
}

// CheckChars refuses what XML 1.0 forbids in a document: invalid UTF-8 and
// control characters other than tab, line feed and carriage return.
func CheckChars(d []byte) error {
	for i := 0; i < len(d); {
		c := d[i]
		if c >= 0x20 && c < utf8.RuneSelf {
			i++
			continue
		}
		if c < 0x20 {
			if c != '\t' && c != '\n' && c != '\r' {
				return fmt.Errorf("%w: character U+%04X", errXML, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(d[i:])
		if r == utf8.RuneError && size == 1 || r == 0xFFFE || r == 0xFFFF {
			return fmt.Errorf("%w: invalid UTF-8 or character at byte %d", errXML, i)
		}
		i += size
	}
	return nil
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

func localName(q []byte) []byte {
	if i := bytes.IndexByte(q, ':'); i >= 0 {
		return q[i+1:]
	}
	return q
}

// eachAttr calls fn with the local name and raw (undecoded) value of each
// attribute; false means the attributes are malformed.
func eachAttr(attrs []byte, fn func(name, value []byte)) bool {
	for i := 0; ; {
		name, value, next, ok := nextAttr(attrs, i)
		if !ok || next < 0 {
			return ok
		}
		fn(name, value)
		i = next
	}
}

// nextAttr reads the attribute at or after i: its name, raw value and
// where the next one may start; next < 0 at the end, ok false when the
// attributes are malformed.
func nextAttr(attrs []byte, i int) (name, value []byte, next int, ok bool) {
	for i < len(attrs) && isSpace(attrs[i]) {
		i++
	}
	if i == len(attrs) {
		return nil, nil, -1, true
	}
	j := i
	for j < len(attrs) && attrs[j] != '=' && !isSpace(attrs[j]) {
		j++
	}
	name = attrs[i:j]
	for j < len(attrs) && isSpace(attrs[j]) {
		j++
	}
	if j == len(attrs) || attrs[j] != '=' || len(name) == 0 {
		return nil, nil, 0, false
	}
	j++
	for j < len(attrs) && isSpace(attrs[j]) {
		j++
	}
	if j == len(attrs) || (attrs[j] != '"' && attrs[j] != '\'') {
		return nil, nil, 0, false
	}
	q := attrs[j]
	k := bytes.IndexByte(attrs[j+1:], q)
	if k < 0 {
		return nil, nil, 0, false
	}
	return name, attrs[j+1 : j+1+k], j + 1 + k + 1, true
}

// decodeText returns the character data of raw element content: entities
// and character references decoded, CDATA sections kept, comments,
// processing instructions and nested tags dropped, line ends normalised
// as XML requires, invalid UTF-8 replaced.
func decodeText(raw []byte) (string, error) {
	if !bytes.ContainsAny(raw, "&<\r") {
		if utf8.Valid(raw) {
			return string(raw), nil
		}
		return strings.ToValidUTF8(string(raw), "\uFFFD"), nil
	}
	var b strings.Builder
	b.Grow(len(raw))
	for i := 0; i < len(raw); {
		c := raw[i]
		switch c {
		case '&':
			j := bytes.IndexByte(raw[i:], ';')
			if j < 0 {
				return "", fmt.Errorf("%w: unterminated entity", errXML)
			}
			r, ok := entity(raw[i+1 : i+j])
			if !ok {
				return "", fmt.Errorf("%w: unknown entity &%s;", errXML, raw[i+1:i+j])
			}
			b.WriteRune(r)
			i += j + 1
		case '<':
			rest := raw[i:]
			var end string
			switch {
			case bytes.HasPrefix(rest, []byte("<![CDATA[")):
				k := bytes.Index(rest[9:], []byte("]]>"))
				if k < 0 {
					return "", fmt.Errorf("%w: unterminated CDATA", errXML)
				}
				b.Write(normalizeNewlines(rest[9 : 9+k]))
				i += 9 + k + 3
				continue
			case bytes.HasPrefix(rest, []byte("<!--")):
				end = "-->"
			case bytes.HasPrefix(rest, []byte("<?")):
				end = "?>"
			default:
				end = ">"
			}
			k := bytes.Index(rest[1:], []byte(end))
			if k < 0 {
				return "", fmt.Errorf("%w: unterminated markup", errXML)
			}
			i += 1 + k + len(end)
		case '\r':
			b.WriteByte('\n')
			i++
			if i < len(raw) && raw[i] == '\n' {
				i++
			}
		default:
			b.WriteByte(c)
			i++
		}
	}
	s := b.String()
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return s, nil
}

// xmlChar reports whether XML 1.0 allows a character in a document.
func xmlChar(r rune) bool {
	return r == '\t' || r == '\n' || r == '\r' || (r >= 0x20 && r <= 0xD7FF) ||
		(r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= utf8.MaxRune)
}

func normalizeNewlines(b []byte) []byte {
	if bytes.IndexByte(b, '\r') < 0 {
		return b
	}
	b = bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))
	return bytes.ReplaceAll(b, []byte("\r"), []byte("\n"))
}

func entity(name []byte) (rune, bool) {
	switch string(name) {
	case "lt":
		return '<', true
	case "gt":
		return '>', true
	case "amp":
		return '&', true
	case "apos":
		return '\'', true
	case "quot":
		return '"', true
	}
	if len(name) < 2 || name[0] != '#' {
		return 0, false
	}
	var n uint64
	var err error
	if name[1] == 'x' {
		n, err = strconv.ParseUint(string(name[2:]), 16, 32)
	} else {
		n, err = strconv.ParseUint(string(name[1:]), 10, 32)
	}
	if err != nil || !xmlChar(rune(min(n, utf8.MaxRune+1))) {
		return 0, false
	}
	return rune(n), true
}

// attrText decodes an attribute value.
func attrText(raw []byte) string {
	if bytes.IndexByte(raw, '&') < 0 {
		return string(raw)
	}
	s, err := decodeText(raw)
	if err != nil {
		return string(raw)
	}
	return s
}

// bstrUnmarshal decodes Excel's _xHHHH_ escapes in shared and inline
// strings, like excelize: _x005F_ is an underscore, a surrogate is dropped.
func bstrUnmarshal(s string) string {
	if !strings.Contains(s, "_x") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] == '_' && isXEscape(s[i:]) {
			n, _ := strconv.ParseUint(s[i+2:i+6], 16, 32)
			if n == 0x5F {
				b.WriteByte('_')
			} else if n < 0xD800 || n > 0xDFFF {
				b.WriteRune(rune(n))
			}
			i += 7
			continue
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

// SpreadsheetML's namespaces, transitional and strict.
const (
	nsMain       = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
	nsMainStrict = "http://purl.oclc.org/ooxml/spreadsheetml/main"
)

// rootIs reports whether the start tag just read is the SpreadsheetML
// element local, its namespace declared on it.
func (s *xmlScanner) rootIs(local string) bool {
	if s.end || string(s.name) != local {
		return false
	}
	want := "xmlns"
	if p := len(s.qname) - len(s.name); p > 0 {
		want = "xmlns:" + string(s.qname[:p-1])
	}
	ns := ""
	eachAttr(s.attrs, func(n, v []byte) {
		if string(n) == want {
			ns = attrText(v)
		}
	})
	return ns == nsMain || ns == nsMainStrict
}

// ParseSST reads the shared strings: each item's text and its runs' texts
// (phonetic runs are not text), Excel's escapes decoded. Each element
// costs one unit of the budget; false is returned when it runs out.
func ParseSST(d []byte, budget int64) ([]string, int64, bool, error) {
	return parseItems(d, budget, false)
}

// parseItems reads shared string items; inline is set for the content of
// a cell's <is>, wrapped in <si>.
func parseItems(d []byte, budget int64, inline bool) ([]string, int64, bool, error) {
	s := newXMLScanner(d)
	var (
		out     []string
		units   int64
		inSI    bool
		siDepth int
		direct  string // the item's own <t>
		runs    []string
		runT    string
	)
	for s.next() {
		if !s.end {
			units++
			if units > budget {
				return nil, units, false, nil
			}
			if units == 1 && !s.rootIs("sst") && !inline {
				return nil, units, true, fmt.Errorf("%w: the root is not a SpreadsheetML <sst>", errXML)
			}
		}
		switch {
		case !s.end && string(s.name) == "si":
			inSI, siDepth, direct, runs = true, len(s.stack), "", runs[:0]
			if s.empty {
				out = append(out, "")
				inSI = false
			}
		case inSI && s.end && len(s.stack) < siDepth:
			var b strings.Builder
			b.WriteString(direct)
			for _, r := range runs {
				b.WriteString(r)
			}
			out = append(out, bstrUnmarshal(b.String()))
			inSI = false
		case inSI && !s.end && string(s.name) == "rPh":
			// Phonetic runs are not text. At the end of the input the
			// scanner stops and so does the loop.
			s.skipElement()
		case inSI && !s.end && string(s.name) == "r":
			runT = ""
			depth := len(s.stack)
			if s.empty {
				runs = append(runs, "")
				continue
			}
			for s.next() {
				if !s.end {
					units++
				}
				if !s.end && string(s.name) == "t" {
					t, err := s.elementText()
					if err != nil {
						return nil, units, true, err
					}
					runT = t
				}
				if s.end && len(s.stack) < depth {
					break
				}
			}
			runs = append(runs, runT)
		case inSI && !s.end && string(s.name) == "t":
			t, err := s.elementText()
			if err != nil {
				return nil, units, true, err
			}
			direct = t
		}
	}
	if s.err != nil {
		return nil, units, true, s.err
	}
	if s.starts == 0 && !inline {
		return nil, units, true, fmt.Errorf("%w: no root element", errXML)
	}
	return out, units, true, nil
}

// elementText reads the text of the element whose start tag was just read
// and leaves the scanner after its end tag.
func (s *xmlScanner) elementText() (string, error) {
	if s.empty {
		return "", nil
	}
	from := s.to
	depth := len(s.stack)
	for s.next() {
		if s.end && len(s.stack) < depth {
			return decodeText(s.d[from:s.from])
		}
	}
	if s.err != nil {
		return "", s.err
	}
	return "", errXML
}

// ColumnName returns the letters of a 1-based column number.
func ColumnName(n int) string { return string(AppendColumn(nil, n)) }

func AppendColumn(b []byte, n int) []byte {
	if n <= 26 {
		return append(b, byte('A'+n-1))
	}
	var tmp [4]byte
	i := len(tmp)
	for n > 0 && i > 0 {
		n--
		i--
		tmp[i] = byte('A' + n%26)
		n /= 26
	}
	return append(b, tmp[i:]...)
}

// isXEscape reports whether s starts with Excel's _xHHHH_ notation.
func isXEscape(s string) bool {
	if len(s) < 7 || s[1] != 'x' || s[6] != '_' {
		return false
	}
	for _, c := range []byte(s[2:6]) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}
