package xlsxio

import (
	"testing"

	"github.com/its-academy/auditor/compute"
	"github.com/its-academy/auditor/validate"
)

// mustOpen reads workbook bytes with the default limits; an error ends
// the test.
func mustOpen(tb testing.TB, data []byte, name string) *Workbook {
	tb.Helper()
	wb, err := Open(data, name, DefaultLimits())
	if err != nil {
		tb.Fatalf("Open %s: %v", name, err)
	}
	return wb
}

// validated validates and scores a workbook read by Open with the packs
// built into the binary; an error ends the test.
func validated(tb testing.TB, wb *Workbook, opt validate.Options) *validate.Audit {
	tb.Helper()
	reg, err := compute.LoadEmbedded()
	if err != nil {
		tb.Fatal(err)
	}
	a, err := validate.Run(wb.Input, reg, opt)
	if err != nil {
		tb.Fatalf("Run: %v", err)
	}
	return a
}

// audit runs the whole pipeline on workbook bytes.
func audit(t *testing.T, data []byte, opt validate.Options) (*validate.Audit, []byte) {
	t.Helper()
	wb := mustOpen(t, data, "prova.xlsx")
	a := validated(t, wb, opt)
	out, err := WriteAudit(data, a, WriteOptions{Version: "test"})
	if err != nil {
		t.Fatalf("WriteAudit: %v", err)
	}
	return a, out
}
