package server

import (
	"github.com/its-academy/auditor/compute"
)

// InfoBands are the rule pack's outcome bands as the pages draw them: each
// band with its condition and label as the pack writes them, and the
// interval of totals it covers; Cuts are the totals where the band changes
// (the lines of the pages' charts). Nothing of them is written in the
// pages' scripts: another pack's bands are drawn as they are.
type InfoBands struct {
	Citation string     `json:"citation"`
	Rows     []InfoBand `json:"rows"`
	Cuts     []float64  `json:"cuts"`
}

// InfoBand is one band: From ≤ T < To (To included for the highest band).
type InfoBand = compute.BandInterval

// infoBands gives the pack's bands over its scale (compute.BandIntervals,
// the same cuts the audited copy draws).
func infoBands(b compute.Bands, scale compute.Scale) (InfoBands, error) {
	rows, cuts, err := compute.BandIntervals(b, scale)
	if err != nil {
		return InfoBands{}, err
	}
	if rows == nil {
		rows = []InfoBand{}
	}
	if cuts == nil {
		cuts = []float64{}
	}
	return InfoBands{Citation: b.Citation, Rows: rows, Cuts: cuts}, nil
}
