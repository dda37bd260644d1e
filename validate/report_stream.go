package validate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/its-academy/auditor/compute"
)

// WriteReport writes the JSON report of the audit to w as it is produced:
// the run's fields, then one course at a time (compacted, encoded and
// dropped), then the texts and the columns the courses used. Its JSON has
// the values of Report's, keys in another order; only one course's Go
// values are held at a time. HTML characters are not escaped (the
// Italian messages keep their «>»); indent writes it indented by two
// spaces. An error of w stops it and is returned wrapped.
func (a *Audit) WriteReport(w io.Writer, version string, pack compute.PackID, indent bool) error {
	rw := newReportWriter(w, indent)
	head := a.reportHead(version, pack)
	head.Courses = []ReportCourse{}
	enc := newEncoder()
	rw.head(&head)
	for i := range a.Courses {
		rc := a.reportCourse(i)
		enc.course(&rc)
		rw.course(i, &rc)
		if rw.err != nil {
			break
		}
	}
	rw.tail(len(a.Courses), enc.texts, enc.columns)
	if rw.err != nil {
		return fmt.Errorf("writing the report: %w", rw.err)
	}
	return nil
}

// reportWriter writes a report's pieces, each encoded on its own and
// spliced into the report's object at "courses".
type reportWriter struct {
	w      io.Writer
	buf    bytes.Buffer
	enc    *json.Encoder
	hand   *courseJSON // courses and texts, without reflection
	indent bool
	rest   []byte // the head's JSON after "courses": [
	err    error
}

func newReportWriter(w io.Writer, indent bool) *reportWriter {
	rw := &reportWriter{w: w, indent: indent, hand: newCourseJSON()}
	rw.enc = json.NewEncoder(&rw.buf)
	rw.enc.SetEscapeHTML(false)
	return rw
}

// encode returns v's JSON, indented with prefix when indenting, without
// the encoder's final newline; the bytes are valid until the next call.
func (rw *reportWriter) encode(v any, prefix string) []byte {
	rw.buf.Reset()
	if rw.indent {
		rw.enc.SetIndent(prefix, "  ")
	}
	rw.fail(rw.enc.Encode(v))
	return bytes.TrimSuffix(rw.buf.Bytes(), []byte("\n"))
}

// indented is b, compact JSON, indented with prefix when indenting; the
// bytes are valid until the next call.
func (rw *reportWriter) indented(b []byte, prefix string) []byte {
	if !rw.indent {
		return b
	}
	rw.buf.Reset()
	rw.fail(json.Indent(&rw.buf, b, prefix, "  "))
	return rw.buf.Bytes()
}

// fail keeps the first error.
func (rw *reportWriter) fail(err error) {
	if err != nil && rw.err == nil {
		rw.err = err
	}
}

func (rw *reportWriter) write(parts ...[]byte) {
	for _, p := range parts {
		if rw.err != nil {
			return
		}
		_, rw.err = rw.w.Write(p)
	}
}

// head writes the report's fields up to its courses' opening bracket. The
// head is encoded with no course: its "courses": [] (an unescaped quote
// can only open a key) is where the courses go.
func (rw *reportWriter) head(h *Report) {
	b := rw.encode(h, "")
	mark := []byte(`"courses":[]`)
	if rw.indent {
		mark = []byte(`"courses": []`)
	}
	i := bytes.Index(b, mark)
	if i < 0 {
		rw.fail(fmt.Errorf("no courses key in the report's head"))
		return
	}
	cut := i + len(mark) - 1
	rw.rest = append([]byte(nil), b[cut+1:]...)
	rw.write(b[:cut])
}

// course writes the i-th course.
func (rw *reportWriter) course(i int, rc *ReportCourse) {
	sep := []byte(",")
	if rw.indent {
		sep = []byte(",\n    ")
		if i == 0 {
			sep = []byte("\n    ")
		}
	} else if i == 0 {
		sep = nil
	}
	rw.write(sep)
	b, err := rw.hand.course(rc)
	if err != nil {
		rw.fail(err)
		return
	}
	rw.write(rw.indented(b, "    "))
}

// tail closes the courses, writes the rest of the head and adds the texts
// and the columns before the object's closing brace.
func (rw *reportWriter) tail(courses int, texts *ReportTexts, columns map[compute.FieldCode]string) {
	if rw.err != nil {
		return
	}
	end := bytes.LastIndexByte(rw.rest, '}')
	if end < 0 {
		rw.err = fmt.Errorf("no closing brace in the report's head")
		return
	}
	if rw.indent && courses > 0 {
		rw.write([]byte("\n  "))
	}
	rw.write([]byte("]"), bytes.TrimRight(rw.rest[:end], " \n"))
	sep, csep, closing := []byte(`,"texts":`), []byte(`,"columns":`), []byte("}\n")
	if rw.indent {
		sep, csep, closing = []byte(",\n  \"texts\": "), []byte(",\n  \"columns\": "), []byte("\n}\n")
	}
	rw.write(sep, rw.indented(rw.hand.texts(texts), "  "))
	if len(columns) > 0 {
		rw.write(csep, rw.encode(columns, "  "))
	}
	rw.write(closing)
}
