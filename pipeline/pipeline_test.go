package pipeline

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/its-academy/auditor/testkit"
	"github.com/its-academy/auditor/validate"
	"github.com/its-academy/auditor/xlsxio"
)

// example is the bundled example workbook.
func example(t *testing.T) []byte { return testkit.Testdata(t, "esempio-fondazione.xlsx") }

// TestRunGivesEveryOutput: one run gives the report, the copy and the
// verbale of the same audit.
func TestRunGivesEveryOutput(t *testing.T) {
	res, err := Run(context.Background(), example(t), "esempio.xlsx", Options{Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if rep := res.Report(); len(rep.Courses) != 10 || rep.Version != "test" || rep.FileSHA256 == "" {
		t.Errorf("report: %d courses, version %q", len(rep.Courses), rep.Version)
	}
	var buf bytes.Buffer
	if err := res.WriteReport(&buf, false); err != nil || !bytes.HasPrefix(buf.Bytes(), []byte("{")) {
		t.Errorf("WriteReport: %v", err)
	}
	cp, err := res.Copy()
	if err != nil || !bytes.HasPrefix(cp, []byte("PK")) {
		t.Fatalf("Copy: %v", err)
	}
	if v, err := VerifyCopy(cp, "copia.xlsx", nil, xlsxio.DefaultLimits()); err != nil || !v.OK() {
		t.Errorf("the copy does not verify: %v %+v", err, v)
	}
	pdf, err := res.Verbale()
	if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Errorf("Verbale: %v", err)
	}
}

// TestRunErrors: the reader's refusals, invalid choices and AfterRead's
// error come back as such; a cancelled context stops the run.
func TestRunErrors(t *testing.T) {
	var oe *xlsxio.OpenError
	if _, err := Run(context.Background(), []byte("not a workbook"), "x.xlsx", Options{}); !errors.As(err, &oe) {
		t.Errorf("not a workbook: %v", err)
	}
	if _, err := Run(context.Background(), example(t), "x.xlsx", Options{Validate: validate.Options{Reading: "creative"}}); !errors.Is(err, validate.ErrOptions) {
		t.Errorf("unknown reading: %v", err)
	}
	stop := errors.New("budget")
	validated := false
	_, err := Run(context.Background(), example(t), "x.xlsx", Options{AfterRead: func(in *validate.Input) error {
		validated = len(in.Courses) == 0
		return stop
	}})
	if !errors.Is(err, stop) || validated {
		t.Errorf("AfterRead: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Run(ctx, example(t), "x.xlsx", Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}
