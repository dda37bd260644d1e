// Package compute owns the scoring of ITS Academy courses: rule packs (the
// decree's indicators, weights, thresholds and transformation functions as
// versioned data with citations), their evaluation under the coherent and
// literal readings, and the traces that explain every computed number.
//
// It speaks only the domain: it imports no workbook or HTTP library. The
// workbook layer maps field codes to cells; the validator turns the problems
// reported here into findings.
package compute

import (
	"crypto/sha256"
	"encoding/hex"
)

func sha256Hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}
