package pipeline

import (
	"bytes"
	"context"
	"testing"

	"github.com/its-academy/auditor/testkit"
)

// TestWriteCopyIsTheCopy: the copy streamed to a writer is byte for byte
// Copy's, and the recomputation from its stamp agrees with it, for the
// bundled examples and for their copies audited again.
func TestWriteCopyIsTheCopy(t *testing.T) {
	for _, name := range []string{"esempio-fondazione.xlsx", "esempio-casi-limite.xlsx", "esempio-incoerente.xlsx"} {
		data := testkit.Testdata(t, name)
		for round := 1; round <= 2; round++ {
			res, err := Run(context.Background(), data, name, Options{Version: "test"})
			if err != nil {
				t.Fatal(err)
			}
			want, err := res.Copy()
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			n, err := res.WriteCopy(&buf)
			if err != nil {
				t.Fatalf("%s round %d: WriteCopy: %v", name, round, err)
			}
			if n != int64(buf.Len()) || !bytes.Equal(buf.Bytes(), want) {
				t.Fatalf("%s round %d: WriteCopy wrote %d bytes (returned %d), Copy %d: not the same copy", name, round, buf.Len(), n, len(want))
			}
			v, err := VerifyCopy(buf.Bytes(), "copia-verificata.xlsx", nil, res.limits)
			if err != nil || !v.OK() {
				t.Fatalf("%s round %d: VerifyCopy of the streamed copy: %v %+v", name, round, err, v)
			}
			data = want
		}
	}
}
