// Package pipeline is the one home of an audit: read the official
// workbook, validate and score it, and give the caller what it asks for —
// the JSON report, the audited copy, the PDF verbale. The command line, the
// server and the regional batch all audit through Run: the batch through
// BatchAuditor, which implements batch.Auditor (each file's audit, earlier
// summaries read back) over xlsxio; SummaryWorkbook renders a batch's
// summary. VerifyCopy recomputes an audited copy by running its recorded
// audit again. It imports the workbook adapter (xlsxio), the validator,
// the verbale and batch, and nothing imports it but the command line and
// the server.
package pipeline

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/its-academy/auditor/compute"
	"github.com/its-academy/auditor/validate"
	"github.com/its-academy/auditor/verbale"
	"github.com/its-academy/auditor/xlsxio"
)

// Options are the choices of one audit.
type Options struct {
	// Validate are the run's choices (reading, errata, interpretations,
	// thresholds, the audit's time…).
	Validate validate.Options
	// Limits bound the reading and the copy; zero means xlsxio's defaults.
	Limits xlsxio.Limits
	// Version is the product version written in every output.
	Version string
	// Registry holds the rule packs; nil means the packs built into the
	// binary.
	Registry *compute.Registry
	// AfterRead, when set, is called once the workbook is read and before
	// it is validated (a server's work budgets); its error ends the run.
	AfterRead func(*validate.Input) error
}

// Result is one audit: the workbook's bytes and name, and what the
// validator found and scored.
type Result struct {
	Data    []byte
	Name    string
	Audit   *validate.Audit
	version string
	limits  xlsxio.Limits
}

// Run reads, validates and scores a workbook. Its errors are the reader's
// (*xlsxio.OpenError: not a workbook, damaged, too large…), validate's
// (wrapping validate.ErrOptions for invalid choices), AfterRead's, and
// ctx's when it is done.
func Run(ctx context.Context, data []byte, name string, o Options) (*Result, error) {
	lim := o.Limits
	if lim == (xlsxio.Limits{}) {
		lim = xlsxio.DefaultLimits()
	}
	reg := o.Registry
	if reg == nil {
		var err error
		if reg, err = compute.LoadEmbedded(); err != nil {
			return nil, fmt.Errorf("loading the rule packs: %w", err)
		}
	}
	wb, err := xlsxio.OpenContext(ctx, data, name, lim)
	if err != nil {
		return nil, err
	}
	defer wb.Close()
	if o.AfterRead != nil {
		if err := o.AfterRead(wb.Input); err != nil {
			return nil, err
		}
	}
	a, err := validate.RunContext(ctx, wb.Input, reg, o.Validate)
	if err != nil {
		return nil, err
	}
	return &Result{Data: data, Name: name, Audit: a, version: o.Version, limits: lim}, nil
}

// Report is the JSON report of the audit.
func (r *Result) Report() validate.Report { return r.Audit.Report(r.version, "") }

// WriteReport writes the JSON report to w as it is produced, one course
// at a time (validate.Audit.WriteReport), without HTML escaping (the
// Italian messages keep their «>»).
func (r *Result) WriteReport(w io.Writer, indent bool) error {
	return r.Audit.WriteReport(w, r.version, "", indent)
}

// Copy is the audited copy: the workbook with the product's sheets.
func (r *Result) Copy() ([]byte, error) {
	return xlsxio.WriteAudit(r.Data, r.Audit, r.copyOptions())
}

// WriteCopy writes the audited copy to w as it is produced and returns the
// bytes written: every refusal (a damaged workbook, a user's sheet with a
// product sheet's name) comes before the first byte; after it, an error is
// w's and leaves it a truncated copy (see xlsxio.WriteAuditTo).
func (r *Result) WriteCopy(w io.Writer) (int64, error) {
	return xlsxio.WriteAuditTo(w, r.Data, r.Audit, r.copyOptions())
}

func (r *Result) copyOptions() xlsxio.WriteOptions {
	return xlsxio.WriteOptions{Version: r.version, Limits: r.limits}
}

// Verbale is the PDF verbale di verifica of the audit, dated as the audit.
func (r *Result) Verbale() ([]byte, error) {
	when := r.Audit.Options.AuditedAt
	if when.IsZero() {
		when = time.Now().UTC()
	}
	return verbale.Render(verbale.FromAudit(r.Audit, r.Report(), when))
}
