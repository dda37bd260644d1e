package pipeline

import (
	"bytes"
	"context"
	"testing"

	"github.com/its-academy/auditor/xlsxio"
)

// TestWriteCopyIsTheCopy: the copy streamed to a writer is byte for byte
// Copy's, and the recomputation from its stamp agrees with it.
func TestWriteCopyIsTheCopy(t *testing.T) {
	res, err := Run(context.Background(), example(t), "esempio.xlsx", Options{Version: "test"})
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
		t.Fatalf("WriteCopy: %v", err)
	}
	if n != int64(buf.Len()) || !bytes.Equal(buf.Bytes(), want) {
		t.Fatalf("WriteCopy wrote %d bytes (returned %d), Copy %d: not the same copy", buf.Len(), n, len(want))
	}
	v, err := xlsxio.VerifyCopy(buf.Bytes(), "esempio-verificato.xlsx", nil, xlsxio.DefaultLimits())
	if err != nil || !v.OK() {
		t.Fatalf("VerifyCopy of the streamed copy: %v %+v", err, v)
	}
}
