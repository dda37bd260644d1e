package pipeline

import (
	"context"
	"errors"

	"github.com/its-academy/auditor/batch"
	"github.com/its-academy/auditor/batch/summary"
	"github.com/its-academy/auditor/xlsxio"
)

// BatchAuditor is the batch's workbook adapter (batch.Auditor): each file
// is audited by Run and earlier summaries are read by xlsxio.ReadSummary,
// both within Limits (zero: xlsxio.DefaultLimits()).
type BatchAuditor struct {
	Limits xlsxio.Limits
}

var _ batch.Auditor = BatchAuditor{}

func (b BatchAuditor) limits() xlsxio.Limits {
	if b.Limits == (xlsxio.Limits{}) {
		return xlsxio.DefaultLimits()
	}
	return b.Limits
}

// Kind tells summaries and audited copies from other files
// (xlsxio.SniffWorkbook).
func (BatchAuditor) Kind(data []byte) string { return xlsxio.SniffWorkbook(data) }

// ReadSummary reads the course rows of an earlier summary workbook.
func (b BatchAuditor) ReadSummary(data []byte, name string) (*summary.Summary, error) {
	s, err := xlsxio.ReadSummary(data, name, b.limits())
	return s, fileError(err)
}

// Audit audits one workbook of a batch through Run; its audited copy is
// written only when the batch asks for it.
func (b BatchAuditor) Audit(ctx context.Context, data []byte, name string, o batch.AuditOptions) (*batch.Audited, error) {
	res, err := Run(ctx, data, name, Options{Validate: o.Validate, Limits: b.limits(), Version: o.Version, Registry: o.Registry, AfterRead: o.AfterRead})
	if err != nil {
		return nil, fileError(err)
	}
	return &batch.Audited{Audit: res.Audit, Copy: func() ([]byte, error) {
		out, err := res.Copy()
		return out, fileError(err)
	}}, nil
}

// fileError gives a file that cannot be audited (an *xlsxio.OpenError) the
// batch's form, with the reader's Italian line; other errors pass as they
// are.
func fileError(err error) error {
	if oe := (*xlsxio.OpenError)(nil); errors.As(err, &oe) {
		return &batch.FileError{Msg: oe.Msg, Err: err}
	}
	return err
}

// SummaryWorkbook renders a batch's summary workbook.
func SummaryWorkbook(res *batch.Result) ([]byte, error) { return xlsxio.WriteSummary(res.Summary) }
