package xlsxio

import (
	"archive/zip"
	"bytes"
	"errors"
	"testing"

	"github.com/its-academy/auditor/compute"
	"github.com/its-academy/auditor/internal/xlsx"
	"github.com/its-academy/auditor/testkit"
	"github.com/its-academy/auditor/validate"
	"github.com/xuri/excelize/v2"
)

// recordingWriter keeps what it is given and the size of each write;
// after failAfter bytes (when > 0) it fails with errBroken, as a socket
// whose client went away.
type recordingWriter struct {
	buf       bytes.Buffer
	writes    []int
	failAfter int
	failed    bool
	late      int // writes after the failure
}

var errBroken = errors.New("broken pipe")

func (r *recordingWriter) Write(p []byte) (int, error) {
	if r.failed {
		r.late++
		return 0, errBroken
	}
	if r.failAfter > 0 && r.buf.Len()+len(p) > r.failAfter {
		n := r.failAfter - r.buf.Len()
		r.buf.Write(p[:n])
		r.writes = append(r.writes, n)
		r.failed = true
		return n, errBroken
	}
	r.writes = append(r.writes, len(p))
	return r.buf.Write(p)
}

// TestWriteAuditToStreamsTheSameCopy writes the copy of several workbooks
// (and of their copies, re-audited) to a writer: the bytes are those of
// WriteAudit, the count returned is what the writer got, the writes are
// small (the zip goes out as it is assembled, never as one buffer of the
// whole copy). pipeline's tests verify streamed copies from their stamp.
func TestWriteAuditToStreamsTheSameCopy(t *testing.T) {
	for _, name := range []string{"esempio-fondazione.xlsx", "esempio-casi-limite.xlsx", "esempio-incoerente.xlsx", "thousand"} {
		t.Run(name, func(t *testing.T) {
			var data []byte
			if name == "thousand" {
				data = thousandCourses(t)
			} else {
				data = testkit.Testdata(t, name)
			}
			rounds := 2
			if name == "thousand" {
				rounds = 1
			}
			for round := 1; round <= rounds; round++ {
				a, want := audit(t, data, validate.Options{})
				var w recordingWriter
				n, err := WriteAuditTo(&w, data, a, WriteOptions{Version: "test"})
				if err != nil {
					t.Fatalf("round %d: WriteAuditTo: %v", round, err)
				}
				if !bytes.Equal(w.buf.Bytes(), want) {
					t.Fatalf("round %d: streamed copy (%d bytes) differs from WriteAudit's (%d bytes)", round, w.buf.Len(), len(want))
				}
				if n != int64(len(want)) {
					t.Errorf("round %d: WriteAuditTo returned %d, wrote %d", round, n, len(want))
				}
				biggest := 0
				for _, k := range w.writes {
					biggest = max(biggest, k)
				}
				// zip.Writer's buffer is 4 KB, larger writes go through
				// it: at most one compressed chunk of a part at a time
				// (the copy of the 1,000-course workbook is megabytes).
				if biggest > xlsx.ChunkSize {
					t.Errorf("round %d: a write of %d bytes: the copy is not streamed", round, biggest)
				}
				data = want
			}
		})
	}
}

// TestWriteAuditToRefusesBeforeTheFirstByte: a workbook whose user has a
// sheet named like a product sheet is refused with ErrSheetNameTaken and
// the writer gets nothing, so a server can still answer 4xx.
func TestWriteAuditToRefusesBeforeTheFirstByte(t *testing.T) {
	fx, err := excelize.OpenReader(bytes.NewReader(testkit.Testdata(t, "esempio-fondazione.xlsx")))
	if err != nil {
		t.Fatal(err)
	}
	defer fx.Close()
	if _, err := fx.NewSheet(SheetStamp); err != nil {
		t.Fatal(err)
	}
	var in bytes.Buffer
	if err := fx.Write(&in); err != nil {
		t.Fatal(err)
	}
	wb, err := Open(in.Bytes(), "x.xlsx", DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	reg, _ := compute.LoadEmbedded()
	a, err := validate.Run(wb.Input, reg, validate.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var w recordingWriter
	n, err := WriteAuditTo(&w, in.Bytes(), a, WriteOptions{})
	if !errors.Is(err, ErrSheetNameTaken) {
		t.Fatalf("err = %v, want ErrSheetNameTaken", err)
	}
	if n != 0 || w.buf.Len() != 0 || len(w.writes) != 0 {
		t.Errorf("refused copy: returned %d, writer got %d bytes in %d writes; want nothing", n, w.buf.Len(), len(w.writes))
	}
}

// TestWriteAuditToStopsAtTheWritersError: when the writer fails part way
// (the client went away), WriteAuditTo stops there and returns its error;
// what was written is no readable zip (it has no central directory).
func TestWriteAuditToStopsAtTheWritersError(t *testing.T) {
	data := thousandCourses(t)
	a, full := audit(t, data, validate.Options{})
	for _, cut := range []int{1, 4096, 100_000, len(full) / 2, len(full) - 1} {
		w := recordingWriter{failAfter: cut}
		n, err := WriteAuditTo(&w, data, a, WriteOptions{Version: "test"})
		if !errors.Is(err, errBroken) {
			t.Fatalf("cut at %d: err = %v, want the writer's", cut, err)
		}
		if n != int64(cut) || w.buf.Len() != cut {
			t.Errorf("cut at %d: returned %d, writer got %d", cut, n, w.buf.Len())
		}
		if w.late > 0 {
			t.Errorf("cut at %d: %d writes after the error", cut, w.late)
		}
		if _, err := zip.NewReader(bytes.NewReader(w.buf.Bytes()), int64(w.buf.Len())); err == nil {
			t.Errorf("cut at %d: the truncated copy reads as a zip", cut)
		}
	}
}
