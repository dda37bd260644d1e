package compute

import (
	"encoding/binary"
	"math"
	"testing"
)

// encodeCourse packs values as the fuzz target reads them (mode 0: raw bits).
func encodeCourse(values []float64) []byte {
	out := []byte{0}
	for _, v := range values {
		out = binary.LittleEndian.AppendUint64(out, math.Float64bits(v))
	}
	return out
}

// FuzzScoreCourse scores arbitrary courses: any bit pattern for every field
// (NaN, ±Inf, negatives, huge values, missing fields), or small integers for
// realistic shapes. Scoring must never panic, never return a non-finite
// number or a score outside 0–100, and must refuse to total a course whose
// inputs are not usable numbers.
func FuzzScoreCourse(f *testing.F) {
	p := mustPack(f)
	sc := scorer(f, Options{})
	lit := scorer(f, Options{Reading: ReadingLiteral})
	fields := sc.Fields()
	base := atThreshold()
	seed := make([]float64, len(fields))
	for i, fc := range fields {
		seed[i] = base.Values[fc]
	}
	f.Add(encodeCourse(seed), false, uint8(6))
	f.Add(encodeCourse(seed), true, uint8(7))
	bad := append([]float64(nil), seed...)
	bad[0], bad[1], bad[2] = math.NaN(), math.Inf(-1), -1e308
	f.Add(encodeCourse(bad), false, uint8(0))
	f.Add([]byte{1, 0, 0, 0, 0, 5, 0, 200, 3}, true, uint8(11))
	f.Add([]byte{}, false, uint8(3))

	f.Fuzz(func(t *testing.T, data []byte, literal bool, area uint8) {
		c := Course{Code: "FUZZ", Values: map[FieldCode]float64{}}
		if int(area) < len(p.Areas.Rows) {
			c.Area = p.Areas.Rows[area].Name
		} else {
			c.Area = "area sconosciuta"
		}
		unusable := false
		if len(data) > 0 {
			mode, rest := data[0], data[1:]
			for _, fc := range fields {
				var v float64
				if mode%2 == 0 {
					if len(rest) < 8 {
						unusable = true
						break
					}
					v = math.Float64frombits(binary.LittleEndian.Uint64(rest))
					rest = rest[8:]
				} else {
					if len(rest) < 1 {
						unusable = true
						break
					}
					v = float64(rest[0])
					rest = rest[1:]
				}
				if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 || v > p.InputLimit {
					unusable = true
				}
				c.Values[fc] = v
			}
		} else {
			unusable = true
		}
		s := sc
		if literal {
			s = lit
		}
		res := s.Score(c)
		if unusable && res.Total != nil {
			t.Fatalf("total %v from unusable inputs %v", *res.Total, c.Values)
		}
		finite := func(what string, v *float64, lo, hi float64) {
			if v == nil {
				return
			}
			if math.IsNaN(*v) || math.IsInf(*v, 0) || *v < lo-1e-9 || *v > hi+1e-9 {
				t.Fatalf("%s = %v outside [%v, %v]; inputs %v", what, *v, lo, hi, c.Values)
			}
		}
		for _, a := range res.Articulations {
			finite("R", a.Result, 0, math.MaxFloat64)
			finite("P", a.Score, 0, 100)
			finite("points", a.Points, 0, a.Weight)
		}
		for _, ind := range res.Indicators {
			finite("indicator", ind.Points, 0, ind.Weight)
		}
		finite("total", res.Total, 0, 100)
		finite("female P", res.Female.Score, 0, 100)
		if res.Total != nil && res.Band == nil {
			t.Fatal("total without band")
		}
	})
}
