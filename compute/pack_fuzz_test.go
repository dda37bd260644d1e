package compute

import (
	"bytes"
	"errors"
	"math"
	"testing"
)

// FuzzParsePack mutates the pack file: the loader either refuses it with
// ErrPack (one line) or accepts a pack that scores a course without
// panicking and within its scale.
func FuzzParsePack(f *testing.F) {
	raw, err := embeddedPacks.ReadFile("packs/dm-2023-11-30-eqf5.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(raw)
	f.Add(bytes.Replace(raw, []byte(`"number": 16`), []byte(`"number": 17`), 1))
	f.Add(bytes.Replace(raw, []byte(`"severity": "violation"`), []byte(`"severity": "violaton"`), 1))
	f.Add(bytes.Replace(raw, []byte(`"weight": 5`), []byte(`"weight": 6`), 1))
	f.Add([]byte(`{}`))
	f.Add([]byte(``))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<20 {
			return
		}
		p, err := ParsePack(data)
		if err != nil {
			if !errors.Is(err, ErrPack) || bytes.ContainsRune([]byte(err.Error()), '\n') {
				t.Fatalf("refusal %q is not one ErrPack line", err)
			}
			return
		}
		sc, err := NewScorer(p, Options{})
		if err != nil {
			return
		}
		res := sc.Score(atThreshold())
		if res.Total != nil && (math.IsNaN(*res.Total) || *res.Total < p.Scale.Min-1e-9 || *res.Total > p.Scale.Max+1e-9) {
			t.Fatalf("total %v outside the scale", *res.Total)
		}
		sc.Sensitivity(atThreshold(), res)
	})
}
