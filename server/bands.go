package server

import (
	"fmt"
	"math"

	"github.com/its-academy/auditor/compute"
)

// InfoBands are the rule pack's outcome bands as the pages draw them: each
// band with its condition and label as the pack writes them, and the
// interval of totals (0–100) it covers; Cuts are the totals where the band
// changes (the lines of the pages' charts). Nothing of them is written in
// the pages' scripts: another pack's bands are drawn as they are.
type InfoBands struct {
	Citation string     `json:"citation"`
	Rows     []InfoBand `json:"rows"`
	Cuts     []float64  `json:"cuts"`
}

// InfoBand is one band: From ≤ T < To (To is 100 for the highest band,
// which includes it).
type InfoBand struct {
	Code  string  `json:"code"`
	When  string  `json:"when"`
	Label string  `json:"label"`
	From  float64 `json:"from"`
	To    float64 `json:"to"`
}

// totalEnv gives the course total T to a band's condition.
type totalEnv float64

func (e totalEnv) Get(name string) (float64, bool) {
	if name == "T" {
		return float64(e), true
	}
	return 0, false
}

// How the scale is scanned for the bands' changes.
const (
	bandScanSteps = 400 // bands narrower than 1/400 of the scale may be missed
	bandPrecision = 1e6 // cuts are rounded to 1e-6
)

// infoBands finds where each band of the pack applies, by evaluating the
// pack's own conditions (the first that holds gives the band, as in
// scoring) along the pack's scale and bisecting every change to 1e-6. Only
// the bands that some total of the scale reaches are listed, in order of
// totals.
func infoBands(b compute.Bands, scale compute.Scale) (InfoBands, error) {
	bandScaleMin, bandScaleMax := scale.Min, scale.Max
	bandScanStep := (bandScaleMax - bandScaleMin) / bandScanSteps
	conds := make([]*compute.Cond, len(b.Rows))
	for i, r := range b.Rows {
		c, err := compute.ParseCond(r.When)
		if err != nil {
			return InfoBands{}, fmt.Errorf("band %s: %w", r.Code, err)
		}
		conds[i] = c
	}
	bandAt := func(t float64) int {
		for i, c := range conds {
			if ok, err := c.Holds(totalEnv(t)); err == nil && ok {
				return i
			}
		}
		return -1
	}
	out := InfoBands{Citation: b.Citation, Rows: []InfoBand{}, Cuts: []float64{}}
	start, cur := bandScaleMin, bandAt(bandScaleMin)
	closeRow := func(to float64) {
		if cur >= 0 {
			r := b.Rows[cur]
			out.Rows = append(out.Rows, InfoBand{Code: r.Code, When: r.When, Label: r.Label, From: start, To: to})
		}
	}
	for i := 1; i <= bandScanSteps; i++ {
		lo, hi := bandScaleMin+float64(i-1)*bandScanStep, bandScaleMin+float64(i)*bandScanStep
		next := bandAt(hi)
		if next == cur {
			continue
		}
		// bandAt(lo) == cur, bandAt(hi) == next: bisect the change.
		for k := 0; k < 60; k++ {
			mid := (lo + hi) / 2
			if bandAt(mid) == cur {
				lo = mid
			} else {
				hi = mid
			}
		}
		cut := math.Round(hi*bandPrecision) / bandPrecision
		closeRow(cut)
		out.Cuts = append(out.Cuts, cut)
		start, cur = cut, next
	}
	closeRow(bandScaleMax)
	return out, nil
}
