package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"time"

	"github.com/its-academy/auditor/batch"
	"github.com/its-academy/auditor/pipeline"
	"github.com/its-academy/auditor/verbale"
	"github.com/labstack/echo/v4"
)

// batchUpload is what a request to /api/batch carries.
type batchUpload struct {
	files  []batch.Input
	fields url.Values
}

// formFields are the choices sent as form fields with the files.
func (up *batchUpload) formFields() url.Values { return up.fields }

// batchAudit is POST /api/batch: several workbooks (and earlier summaries)
// as multipart parts named "file"; answers the regional summary as JSON,
// or as a workbook with format=xlsx. Each file is bounded like a single
// upload (MaxUpload, the decompression limits); the request as a whole by
// MaxBatchFiles and MaxBatchBytes. A batch takes one audit slot and audits
// its files one after the other, so that one region's batch does not
// starve other users; files that cannot be audited are listed in the
// summary with their reason.
func (s *Server) batchAudit(c echo.Context) error {
	return gatedWithParams(s, c, s.readBatch, func(up *batchUpload, params auditParams) (work, error) {
		// The files are audited one after the other and only their summary
		// rows are kept: the batch costs its bodies and its largest file.
		var cost int64
		for _, f := range up.files {
			cost = max(cost, s.batchCost(f.Data))
		}
		w := work{run: func(ctx context.Context, _ *ticket) auditAnswer { return s.runBatch(ctx, up, params) }, xlsx: params.xlsx, pdf: params.pdf, zip: params.zip,
			fileName: "riepilogo-verifica.xlsx", cost: cost}
		if params.pdf {
			w.fileName = "riepilogo-verifica.pdf"
		}
		if params.zip {
			w.fileName = "verifica-regionale.zip"
			w.run = func(ctx context.Context, _ *ticket) auditAnswer { return s.runBatchZip(ctx, up, params) }
		}
		return w, nil
	})
}

func (s *Server) runBatch(ctx context.Context, up *batchUpload, p auditParams) (ans auditAnswer) {
	defer s.recovered(&ans, "batch", "Errore interno durante la verifica dei file.")
	opts := s.batchOptions(p)
	opts.AuditedAt = time.Now().UTC().Truncate(time.Second)
	res, err := batch.Run(ctx, up.files, opts)
	if ctx.Err() != nil {
		return auditAnswer{err: errCanceled}
	}
	if err != nil {
		return auditAnswer{err: apiErr(http.StatusBadRequest, CodeBadRequest, "Parametri non validi: %s", err)}
	}
	var body []byte
	switch {
	case p.pdf:
		body, err = verbale.RenderSummary(verbale.FromSummary(res.Summary, time.Now(), s.cfg.Registry))
	case p.xlsx:
		body, err = pipeline.SummaryWorkbook(res)
	default:
		body, err = res.JSON()
	}
	if err != nil {
		return auditAnswer{err: fmt.Errorf("writing the summary: %w", err)}
	}
	return auditAnswer{body: body}
}

// batchOptions are the options of a batch on the server: the request's
// choices, the server's bounds, one file after the other and only the
// summary kept.
func (s *Server) batchOptions(p auditParams) batch.Options {
	return batch.Options{
		Jobs:               1,
		Reading:            p.opts.Reading,
		Errata:             p.opts.Errata,
		Interpretations:    p.opts.Interpretations,
		Thresholds:         p.opts.Thresholds,
		WorkbookThresholds: p.opts.WorkbookThresholds,
		Auditor:            pipeline.BatchAuditor{Limits: s.cfg.Limits},
		Version:            s.cfg.Version,
		Registry:           s.cfg.Registry,
		SummaryOnly:        true,
		MaxCourses:         s.cfg.MaxWork / s.articulationsPerCourse(),
		MaxTotalCourses:    s.cfg.MaxBatchRows,
	}
}

// readBatch reads every file part into memory, each bounded by MaxUpload,
// all by MaxBatchBytes and MaxBatchFiles.
func (s *Server) readBatch(c echo.Context, paced io.ReadCloser) (*batchUpload, error) {
	r := c.Request()
	mediaType, mparams, _ := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType))
	if mediaType != "multipart/form-data" || mparams["boundary"] == "" {
		return nil, apiErr(http.StatusBadRequest, CodeBadRequest, "Inviare i file come multipart/form-data, ciascuno in un campo «file».")
	}
	allowed := s.cfg.MaxBatchBytes + multipartOverhead
	if r.ContentLength > allowed {
		return nil, s.batchTooLarge()
	}
	body := http.MaxBytesReader(c.Response(), paced, allowed)
	up := &batchUpload{fields: url.Values{}}
	err := eachPart(body, mparams["boundary"], up.fields, func(part *multipart.Part) error {
		if len(up.files) == s.cfg.MaxBatchFiles {
			return apiErr(http.StatusRequestEntityTooLarge, CodeTooLarge, "Troppi file in una richiesta: al massimo %d.", s.cfg.MaxBatchFiles)
		}
		data, err := readAtMost(part, s.cfg.MaxUpload)
		if errors.Is(err, errOverLimit) {
			return apiErr(http.StatusRequestEntityTooLarge, CodeTooLarge, "Il file «%s» supera il limite di %s per file.", cleanName(part.FileName()), sizeText(s.cfg.MaxUpload))
		}
		if err != nil {
			return err
		}
		name := cleanName(part.FileName())
		if part.FileName() == "" {
			name = fmt.Sprintf("file-%d.xlsx", len(up.files)+1)
		}
		up.files = append(up.files, batch.Input{Name: uniqueName(up.files, name), Data: data})
		return nil
	})
	if err != nil {
		return nil, s.batchReadError(err)
	}
	if len(up.files) == 0 {
		return nil, apiErr(http.StatusBadRequest, CodeBadRequest, "Nessun file ricevuto: inviare le cartelle di lavoro nei campi «file».")
	}
	return up, nil
}

// uniqueName keeps two uploaded files with the same name apart in the
// summary.
func uniqueName(files []batch.Input, name string) string {
	taken := func(n string) bool {
		for _, f := range files {
			if f.Name == n {
				return true
			}
		}
		return false
	}
	if !taken(name) {
		return name
	}
	for i := 2; ; i++ {
		if n := fmt.Sprintf("%s (%d)", name, i); !taken(n) {
			return n
		}
	}
}

func (s *Server) batchReadError(err error) error { return s.bodyError(err, s.batchTooLarge, "i file") }

func (s *Server) batchTooLarge() error {
	return apiErr(http.StatusRequestEntityTooLarge, CodeTooLarge, "I file inviati superano insieme il limite di %s per richiesta.", sizeText(s.cfg.MaxBatchBytes))
}
