package validate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/its-academy/auditor/compute"
)

// courseJSON writes a course of the report, and the report's texts
// (texts), as encoding/json writes them
// (fields in struct order, the same omissions, numbers and escapes, HTML
// characters not escaped), without reflection: a report is mostly its
// courses' articulations and traces, and the streamed report encodes them
// one by one. The values a course has few of (the female indicator, a
// trace's own threshold) go through encoding/json. TestCourseJSON checks
// it byte for byte against encoding/json on every course of the bundled
// examples and on courses with every optional field set.
type courseJSON struct {
	b    []byte
	buf  bytes.Buffer
	std  *json.Encoder // for the rare values, into buf
	errs error
}

func newCourseJSON() *courseJSON {
	cj := &courseJSON{}
	cj.std = json.NewEncoder(&cj.buf)
	cj.std.SetEscapeHTML(false)
	return cj
}

// course returns the JSON of rc; the bytes are valid until the next call.
func (cj *courseJSON) course(rc *ReportCourse) ([]byte, error) {
	cj.b, cj.errs = cj.b[:0], nil
	cj.str(`{"code":`, rc.Code)
	cj.int(`,"row":`, rc.Row)
	cj.b = append(cj.b, `,"rule_pack":`...)
	if rc.RulePack == nil {
		cj.b = append(cj.b, "null"...)
	} else {
		cj.b = appendString(cj.b, string(*rc.RulePack))
	}
	cj.ptr(`,"total":`, rc.Total)
	cj.optStr(`,"band":`, rc.Band)
	writeList(cj, `,"articulations":`, rc.Articulations, cj.articulation)
	writeList(cj, `,"indicators":`, rc.Indicators, cj.indicator)
	cj.b = append(cj.b, `,"female_indicator":`...)
	cj.fallback(&rc.Female)
	writeList(cj, `,"findings":`, rc.Findings, cj.finding)
	if rc.WhatIf {
		cj.b = append(cj.b, `,"workbook_thresholds":true`...)
	}
	if rc.TotalTrace != nil {
		cj.b = append(cj.b, `,"total_trace":`...)
		cj.trace(rc.TotalTrace)
	}
	writeList(cj, `,"sensitivity":`, rc.SensitivityValues, cj.alternative)
	if rc.BandText != "" {
		cj.str(`,"band_detail":`, rc.BandText)
	}
	cj.b = append(cj.b, '}')
	return cj.b, cj.errs
}

func (cj *courseJSON) articulation(a *ReportArticulation) {
	cj.int(`{"number":`, a.Number)
	cj.ptr(`,"result":`, a.Result)
	cj.ptr(`,"threshold":`, a.Threshold)
	cj.ptr(`,"score":`, a.Score)
	cj.num(`,"weight":`, a.Weight)
	cj.ptr(`,"points":`, a.Points)
	cj.str(`,"branch":`, a.Branch)
	writeList(cj, `,"cells":`, a.Cells, cj.cell)
	if a.Zeroed {
		cj.b = append(cj.b, `,"zeroed":true`...)
	}
	writeList(cj, `,"traces":`, a.Traces, cj.trace)
	if a.IndicatorValue != nil {
		cj.int(`,"indicator":`, *a.IndicatorValue)
	}
	cj.b = append(cj.b, '}')
}

func (cj *courseJSON) trace(t *ReportTrace) {
	cj.str(`{"text":`, t.Text)
	if t.OwnValue != nil {
		cj.ptr(`,"value":`, t.OwnValue)
	}
	if len(t.InputValues) > 0 {
		writeList(cj, `,"inputs":`, t.InputValues, func(v **float64) { cj.ptr("", *v) })
	}
	if len(t.InputCells) > 0 {
		writeList(cj, `,"cells":`, t.InputCells, cj.cell)
	}
	if t.ThresholdValue != nil {
		cj.b = append(cj.b, `,"threshold":`...)
		cj.fallback(t.ThresholdValue)
	}
	if t.Unclamped != nil {
		cj.ptr(`,"unclamped":`, t.Unclamped)
	}
	cj.b = append(cj.b, '}')
}

func (cj *courseJSON) indicator(in *ReportIndicator) {
	cj.int(`{"number":`, in.Number)
	cj.str(`,"name":`, in.Name)
	cj.num(`,"weight":`, in.Weight)
	cj.ptr(`,"points":`, in.Points)
	cj.b = append(cj.b, `,"zeroed":`...)
	cj.b = strconv.AppendBool(cj.b, in.Zeroed)
	if in.Trace != nil {
		cj.b = append(cj.b, `,"trace":`...)
		cj.trace(in.Trace)
	}
	cj.b = append(cj.b, '}')
}

func (cj *courseJSON) finding(f *ReportFinding) {
	cj.str(`{"rule":`, string(f.Rule))
	cj.str(`,"severity":`, string(f.Severity))
	cj.b = append(cj.b, `,"cell":`...)
	if f.Cell == nil {
		cj.b = append(cj.b, "null"...)
	} else {
		cj.b = appendString(cj.b, string(*f.Cell))
	}
	cj.str(`,"message":`, f.Message)
	cj.b = append(cj.b, '}')
}

func (cj *courseJSON) alternative(a *ReportAlternative) {
	cj.str(`{"id":`, a.ID)
	cj.ptr(`,"total":`, a.Total)
	if a.Delta != nil {
		cj.ptr(`,"delta":`, a.Delta)
	}
	if a.Band != nil {
		cj.str(`,"band":`, *a.Band)
	}
	if a.BandChanged != nil {
		cj.b = append(cj.b, `,"band_changed":`...)
		cj.b = strconv.AppendBool(cj.b, *a.BandChanged)
	}
	if len(a.Changes) > 0 {
		writeList(cj, `,"changes":`, a.Changes, func(c *ReportChange) {
			cj.int(`{"number":`, c.Number)
			if c.Score != nil {
				cj.ptr(`,"score":`, c.Score)
			}
			cj.ptr(`,"alternative":`, c.Alternative)
			cj.b = append(cj.b, '}')
		})
	}
	cj.b = append(cj.b, '}')
}

func (cj *courseJSON) cell(c *CellRef) { cj.b = appendString(cj.b, string(*c)) }

// writeList writes key and a list, null when nil, each element by put.
func writeList[T any](cj *courseJSON, key string, list []T, put func(*T)) {
	cj.b = append(cj.b, key...)
	if list == nil {
		cj.b = append(cj.b, "null"...)
		return
	}
	cj.b = append(cj.b, '[')
	for i := range list {
		if i > 0 {
			cj.b = append(cj.b, ',')
		}
		put(&list[i])
	}
	cj.b = append(cj.b, ']')
}

func (cj *courseJSON) str(key, s string) {
	cj.b = appendString(append(cj.b, key...), s)
}

func (cj *courseJSON) optStr(key string, s *string) {
	cj.b = append(cj.b, key...)
	if s == nil {
		cj.b = append(cj.b, "null"...)
		return
	}
	cj.b = appendString(cj.b, *s)
}

func (cj *courseJSON) int(key string, n int) {
	cj.b = strconv.AppendInt(append(cj.b, key...), int64(n), 10)
}

func (cj *courseJSON) num(key string, v float64) {
	cj.b = append(cj.b, key...)
	var err error
	if cj.b, err = appendFloat(cj.b, v); err != nil && cj.errs == nil {
		cj.errs = err
	}
}

func (cj *courseJSON) ptr(key string, v *float64) {
	if v == nil {
		cj.b = append(append(cj.b, key...), "null"...)
		return
	}
	cj.num(key, *v)
}

// fallback appends v as encoding/json writes it.
func (cj *courseJSON) fallback(v any) {
	cj.buf.Reset()
	if err := cj.std.Encode(v); err != nil {
		if cj.errs == nil {
			cj.errs = err
		}
		return
	}
	cj.b = append(cj.b, bytes.TrimSuffix(cj.buf.Bytes(), []byte("\n"))...)
}

// appendFloat appends a float64 as encoding/json does: the shortest
// decimal that reads back the same, in exponent form below 1e-6 and from
// 1e21, a two-digit negative exponent shortened ("1e-07" → "1e-7").
func appendFloat(b []byte, f float64) ([]byte, error) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return b, fmt.Errorf("json: unsupported value: %s", strconv.FormatFloat(f, 'g', -1, 64))
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, nil
}

// appendString appends s as a JSON string as encoding/json does without
// HTML escaping: quotes, backslashes and control characters escaped
// (\b \f \n \r \t short), U+2028 and U+2029 escaped, invalid UTF-8 written
// as U+FFFD.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// texts returns the JSON of a report's texts as encoding/json writes it
// (map keys sorted as encoding/json sorts them); the bytes are valid until
// the next call.
func (cj *courseJSON) texts(t *ReportTexts) []byte {
	cj.b = cj.b[:0]
	if t == nil {
		return append(cj.b, "null"...)
	}
	cj.b = append(cj.b, `{"traces":`...)
	writeMap(cj, t.Traces, func(v *ReportTraceText) { cj.traceText(v) })
	cj.b = append(cj.b, `,"inputs":`...)
	writeMap(cj, t.Inputs, func(v *compute.BindingText) { cj.bindingText(v) })
	cj.b = append(cj.b, `,"thresholds":`...)
	writeMap(cj, t.Thresholds, func(v *ReportThresholdText) {
		if v == nil {
			cj.b = append(cj.b, "null"...)
			return
		}
		cj.str(`{"code":`, v.Code)
		if v.Default != nil {
			cj.ptr(`,"default":`, v.Default)
		}
		cj.str(`,"citation":`, v.Citation)
		if v.Note != "" {
			cj.str(`,"note":`, v.Note)
		}
		cj.b = append(cj.b, '}')
	})
	cj.b = append(cj.b, `,"notes":`...)
	writeMap(cj, t.Notes, func(v string) { cj.b = appendString(cj.b, v) })
	cj.b = append(cj.b, `,"choices":`...)
	writeMap(cj, t.Choices, func(v *ReportChoiceText) {
		if v == nil {
			cj.b = append(cj.b, "null"...)
			return
		}
		cj.str(`{"choice":`, v.Choice)
		cj.str(`,"alternative":`, v.Alternative)
		cj.str(`,"label":`, v.Label)
		cj.b = append(cj.b, '}')
	})
	cj.b = append(cj.b, `,"bands":`...)
	writeMap(cj, t.Bands, func(v *compute.BandResult) {
		if v == nil {
			cj.b = append(cj.b, "null"...)
			return
		}
		cj.str(`{"code":`, v.Code)
		cj.str(`,"label":`, v.Label)
		cj.str(`,"rule":`, v.Rule)
		cj.str(`,"citation":`, v.Citation)
		cj.b = append(cj.b, '}')
	})
	cj.b = append(cj.b, `,"indicators":`...)
	writeMap(cj, t.Indicators, func(v map[int]int) {
		if v == nil {
			cj.b = append(cj.b, "null"...)
			return
		}
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, strconv.Itoa(k))
		}
		slices.Sort(keys)
		cj.b = append(cj.b, '{')
		for i, k := range keys {
			if i > 0 {
				cj.b = append(cj.b, ',')
			}
			n, _ := strconv.Atoi(k)
			cj.b = appendString(cj.b, k)
			cj.b = append(cj.b, ':')
			cj.b = strconv.AppendInt(cj.b, int64(v[n]), 10)
		}
		cj.b = append(cj.b, '}')
	})
	return append(cj.b, '}')
}

// writeMap writes a map with string keys, sorted, each value by put.
func writeMap[K ~string, V any](cj *courseJSON, m map[K]V, put func(V)) {
	if m == nil {
		cj.b = append(cj.b, "null"...)
		return
	}
	keys := slices.Sorted(maps.Keys(m))
	cj.b = append(cj.b, '{')
	for i, k := range keys {
		if i > 0 {
			cj.b = append(cj.b, ',')
		}
		cj.b = appendString(cj.b, string(k))
		cj.b = append(cj.b, ':')
		put(m[k])
	}
	cj.b = append(cj.b, '}')
}

func (cj *courseJSON) traceText(v *ReportTraceText) {
	if v == nil {
		cj.b = append(cj.b, "null"...)
		return
	}
	cj.str(`{"quantity":`, v.Quantity)
	cj.str(`,"label":`, v.Label)
	cj.str(`,"formula":`, v.Formula)
	cj.str(`,"explanation":`, v.Explanation)
	if v.Branch != "" {
		cj.str(`,"branch":`, v.Branch)
	}
	if v.Erratum != "" {
		cj.str(`,"erratum":`, v.Erratum)
	}
	if v.Form != "" {
		cj.str(`,"erratum_form":`, string(v.Form))
	}
	cj.str(`,"citation":`, v.Citation)
	if v.Of != "" {
		cj.str(`,"of":`, v.Of)
	}
	cj.strings(`,"inputs":`, v.Inputs)
	cj.strings(`,"inputs_of":`, v.InputsOf)
	if v.Threshold != "" {
		cj.str(`,"threshold":`, v.Threshold)
	}
	cj.strings(`,"notes":`, v.Notes)
	cj.b = append(cj.b, '}')
}

func (cj *courseJSON) bindingText(v *compute.BindingText) {
	if v == nil {
		cj.b = append(cj.b, "null"...)
		return
	}
	cj.str(`{"symbol":`, v.Symbol)
	if v.Field != "" {
		cj.str(`,"field":`, string(v.Field))
	}
	if v.From != "" {
		cj.str(`,"from":`, v.From)
	}
	cj.b = append(cj.b, '}')
}

// strings writes a list of strings under key, omitted when empty.
func (cj *courseJSON) strings(key string, ss []string) {
	if len(ss) > 0 {
		writeList(cj, key, ss, func(s *string) { cj.b = appendString(cj.b, *s) })
	}
}
