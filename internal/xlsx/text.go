package xlsx

import "unicode/utf8"

// maxCellChars is the most characters a cell holds (Excel's limit).
const maxCellChars = 32767

// NeedsPreserve reports whether a text needs xml:space="preserve" to keep
// its leading or trailing spaces or its line breaks.
func NeedsPreserve(v string) bool {
	if v == "" {
		return false
	}
	switch v[0] {
	case ' ', '\t', '\n', '\r':
		return true
	}
	switch v[len(v)-1] {
	case ' ', '\t', '\n', '\r':
		return true
	}
	for i := 0; i < len(v); i++ {
		if v[i] == '\n' || v[i] == '\t' {
			return true
		}
	}
	return false
}

// AppendCellText appends a text escaped for an XML element: the XML
// metacharacters as entities, a carriage return as a character reference,
// characters XML 1.0 forbids and a literal "_xHHHH_" in Excel's _xHHHH_
// notation (as Excel writes them), invalid UTF-8 as U+FFFD. The text is
// cut at Excel's 32,767 characters.
func AppendCellText(b []byte, v string) []byte {
	if len(v) > maxCellChars && utf8.RuneCountInString(v) > maxCellChars {
		n := 0
		for i := range v {
			if n == maxCellChars {
				v = v[:i]
				break
			}
			n++
		}
	}
	start := 0
	for i := 0; i < len(v); {
		c := v[i]
		if c < utf8.RuneSelf {
			if !xmlSpecial[c] || (c == '_' && !isXEscape(v[i:])) {
				i++
				continue
			}
			b = append(b, v[start:i]...)
			switch {
			case c == '&':
				b = append(b, "&amp;"...)
			case c == '<':
				b = append(b, "&lt;"...)
			case c == '>':
				b = append(b, "&gt;"...)
			case c == '\r':
				b = append(b, "&#xD;"...)
			case c == '_':
				b = append(b, "_x005F_"...)
			default: // a control character XML forbids
				b = appendXEscape(b, rune(c))
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(v[i:])
		if (r == utf8.RuneError && size == 1) || r == 0xFFFE || r == 0xFFFF {
			b = append(b, v[start:i]...)
			if r == utf8.RuneError {
				b = append(b, "\uFFFD"...)
			} else {
				b = appendXEscape(b, r)
			}
			i += size
			start = i
			continue
		}
		i += size
	}
	return append(b, v[start:]...)
}

// xmlSpecial marks the ASCII bytes AppendCellText must escape (and the
// underscore, escaped only when it starts "_xHHHH_").
var xmlSpecial = func() (t [utf8.RuneSelf]bool) {
	for c := 0; c < 0x20; c++ {
		t[c] = c != '\t' && c != '\n'
	}
	t['&'], t['<'], t['>'], t['_'] = true, true, true, true
	return t
}()

func appendXEscape(b []byte, r rune) []byte {
	const hex = "0123456789ABCDEF"
	return append(b, '_', 'x', hex[r>>12&0xF], hex[r>>8&0xF], hex[r>>4&0xF], hex[r&0xF], '_')
}
