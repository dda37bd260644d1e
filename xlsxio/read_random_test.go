package xlsxio

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/its-academy/auditor/compute"
	"github.com/its-academy/auditor/testkit"
	"github.com/its-academy/auditor/validate"
)

// TestReadRandomSheets mutates the Percorsi sheet or the shared strings of
// a real workbook at random (a fixed seed): Open never panics and refuses
// with an *OpenError, and every workbook it accepts is audited, with its
// formulas recalculated now and then. It found the sheets the scanner read
// and excelize refuses (see read_xml.go).
func TestReadRandomSheets(t *testing.T) {
	base := mainWorkbook(t)
	sheet := sheetPartOf(t, base, "Percorsi")
	orig := partOf(t, base, sheet)
	sst := partOf(t, base, "xl/sharedStrings.xml")
	reg, _ := compute.LoadEmbedded()
	lim := Limits{UnzipSize: 16 << 20, UnzipXMLSize: 4 << 20, MaxCells: 200_000}
	r := rand.New(rand.NewPCG(2026, 11))
	frags := []string{"<", ">", "/>", "</c>", "<c r=\"A1\">", "<v>", "</v>", "<f t=\"shared\" si=\"0\"/>", "<f t=\"shared\" ref=\"A1:B9\" si=\"0\">A1+1</f>", "&amp;", "&#x0;", "<![CDATA[", "]]>", "<!--", "-->", "\"", "'", "r=\"XFD1048576\"", "t=\"s\"", "<v>999</v>", "<is><t>x</t></is>", "<row r=\"0\">", "<row>", "</row>", "<sheetData>", "</sheetData>", "<si>", "</si>", "<t>", "</t>", "<r>", "<rPh>"}
	mutate := func(b []byte) []byte {
		b = append([]byte(nil), b...)
		for k := r.IntN(2) + 1; k > 0; k-- {
			if len(b) == 0 {
				b = append(b, frags[r.IntN(len(frags))]...)
				continue
			}
			i := r.IntN(len(b))
			switch r.IntN(4) {
			case 0:
				b[i] = byte(r.IntN(256))
			case 1:
				b = b[:i]
			case 2:
				f := frags[r.IntN(len(frags))]
				b = append(b[:i], append([]byte(f), b[i:]...)...)
			case 3:
				j := min(len(b), i+r.IntN(64))
				b = append(b[:i], b[j:]...)
			}
		}
		return b
	}
	rounds := 600
	if testing.Short() {
		rounds = 100
	}
	n, accepted := 0, 0
	for ; n < rounds; n++ {
		repl := map[string][]byte{sheet: mutate(orig)}
		if r.IntN(3) == 0 {
			repl = map[string][]byte{"xl/sharedStrings.xml": mutate(sst)}
		}
		data := testkit.ReplaceParts(t, base, repl)
		wb, err := Open(data, "x.xlsx", lim)
		if err == nil {
			accepted++
			a, err := validate.Run(wb.Input, reg, validate.Options{})
			if err != nil {
				t.Fatal(err)
			}
			out, err := WriteAudit(data, a, WriteOptions{Version: "x"})
			if err != nil {
				t.Fatalf("WriteAudit: %v", err)
			}
			if accepted%10 == 0 {
				if _, bad, err := CheckFormulas(out, 1e-9); err != nil {
					t.Fatalf("round %d: recalculating: %v", n, err)
				} else {
					for _, m := range bad {
						// An input formula the mutation broke makes its
						// dependents #VALUE!: that is the input's doing.
						if !strings.Contains(m.Calculated, "#VALUE!") {
							t.Fatalf("round %d: %s", n, m)
						}
					}
				}
			}
			continue
		}
		var oe *OpenError
		if !errors.As(err, &oe) {
			t.Fatalf("unexpected error %T %v", err, err)
		}
	}
	if accepted < rounds/20 {
		t.Errorf("only %d of %d random workbooks accepted: the mutations test little", accepted, rounds)
	}
	t.Logf("%d random workbooks, %d accepted", n, accepted)
}
