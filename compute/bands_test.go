package compute

import (
	"reflect"
	"testing"
)

// TestBandCuts: the embedded pack's bands (T < 50, 50 ≤ T < 60, T ≥ 60)
// change at 50 and 60.
func TestBandCuts(t *testing.T) {
	reg, err := LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range reg.Packs() {
		if got, want := p.BandCuts(), []float64{50, 60}; !reflect.DeepEqual(got, want) {
			t.Errorf("%s: cuts %v, want %v", p.ID, got, want)
		}
	}
}
