package server

import (
	"archive/zip"
	"context"
	"fmt"
	"io"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/its-academy/auditor/batch"
	"github.com/its-academy/auditor/pipeline"
	"github.com/its-academy/auditor/verbale"
)

// Names inside the ZIP of POST /api/batch?format=zip.
const (
	zipSummaryXLSX = "riepilogo-verifica.xlsx"
	zipSummaryPDF  = "riepilogo-verifica.pdf"
	zipSummaryJSON = "riepilogo-verifica.json"
	zipCopiesDir   = "copie/"
)

// zipBudget bounds the bytes of the audited copies one ZIP may hold, an
// answer's size rather than memory (the copies are streamed): twice the
// batch's upload limit (a copy holds its input) plus zipPerCourse for each
// course row the batch may have (the product's sheets) plus room for the
// summary. A batch within the other limits stays well under it; one past
// it is refused with 413 when that is known before the answer's first
// bytes, and cut otherwise.
func (s *Server) zipBudget() int64 {
	if s.zipLimit > 0 {
		return s.zipLimit
	}
	return 2*s.cfg.MaxBatchBytes + int64(s.cfg.MaxBatchRows)*zipPerCourse + 16<<20
}

// zipPerCourse bounds what the product's sheets add to a copy per course:
// the copy of a 2,000-course workbook adds 5.2 kB a course
// (BenchmarkBigUploads).
const zipPerCourse = 8 << 10

// runBatchZip is the batch with format=zip: one audit run gives the
// regional summary (workbook, PDF and JSON) and every audited copy, in one
// archive, so that the page gets all of them without sending the files
// again for each. The summary's links point to the copies in copie/.
//
// The archive is streamed: each copy goes into it as soon as its file is
// audited (the batch audits one file at a time, so their order is the
// batch's), then the summary; nothing of a copy is kept once written. The
// copies are bounded by zipBudget: a batch past it is refused with 413
// when that is known before the answer's first bytes, and cut otherwise
// (Server.stream).
func (s *Server) runBatchZip(ctx context.Context, up *batchUpload, p auditParams) auditAnswer {
	inputs := make([]batch.Input, len(up.files))
	copyName := map[string]string{} // input name → entry in the ZIP
	taken := map[string]bool{}
	for i, in := range up.files {
		name := copyEntryName(in.Name, taken)
		copyName[in.Name] = name
		in.Link = name
		inputs[i] = in
	}
	return auditAnswer{stream: func(w io.Writer) error { return s.writeBatchZip(ctx, w, inputs, copyName, p) }}
}

// writeBatchZip runs the batch and writes its archive to w.
func (s *Server) writeBatchZip(ctx context.Context, w io.Writer, inputs []batch.Input, copyName map[string]string, p auditParams) error {
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	zw := zip.NewWriter(w)
	add := func(name string, data []byte, method uint16) error {
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: method, Modified: time.Now().UTC()})
		if err == nil {
			_, err = fw.Write(data)
		}
		if err != nil {
			return fmt.Errorf("writing the ZIP: %w", err)
		}
		return nil
	}
	var (
		mu    sync.Mutex
		total int64
		werr  error // the first error writing the archive: the batch stops
	)
	budget := s.zipBudget()
	opts := s.batchOptions(p)
	opts.OnAnnotated = func(in batch.Input, annotated []byte) error {
		mu.Lock()
		defer mu.Unlock()
		if werr != nil {
			return werr
		}
		if total += int64(len(annotated)); total > budget {
			werr = apiErr(http.StatusRequestEntityTooLarge, CodeTooLarge,
				"Le copie verificate superano insieme il limite di %s per un archivio ZIP: inviare meno file per volta, o usare auditor dalla riga di comando.", sizeText(budget))
		} else {
			// xlsx files are ZIP archives already: stored, not compressed again.
			werr = add(copyName[in.Name], annotated, zip.Store)
		}
		if werr != nil {
			stop()
		}
		return werr
	}
	res, err := batch.Run(ctx, inputs, opts)
	mu.Lock()
	failed := werr
	mu.Unlock()
	switch {
	case failed != nil:
		return failed
	case ctx.Err() != nil:
		return errCanceled
	case err != nil:
		return apiErr(http.StatusBadRequest, CodeBadRequest, "Parametri non validi: %s", err)
	}
	summaryXLSX, err := pipeline.SummaryWorkbook(res)
	if err != nil {
		return fmt.Errorf("writing the summary: %w", err)
	}
	summaryPDF, err := verbale.RenderSummary(verbale.FromSummary(res.Summary, time.Now(), s.cfg.Registry))
	if err != nil {
		return fmt.Errorf("writing the summary PDF: %w", err)
	}
	summaryJSON, err := res.JSON()
	if err != nil {
		return err
	}
	for _, e := range []struct {
		name   string
		data   []byte
		method uint16
	}{{zipSummaryXLSX, summaryXLSX, zip.Store}, {zipSummaryPDF, summaryPDF, zip.Deflate}, {zipSummaryJSON, summaryJSON, zip.Deflate}} {
		if err := add(e.name, e.data, e.method); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("writing the ZIP: %w", err)
	}
	return nil
}

// copyEntryName is the ZIP entry of an input's audited copy: copie/ and
// the input's name with -verificato.xlsx, numbered when two inputs would
// share it (the batch's «a.xlsx (2)»).
func copyEntryName(input string, taken map[string]bool) string {
	base := strings.TrimSuffix(input, path.Ext(input))
	base = strings.NewReplacer("/", "_", `\`, "_").Replace(base)
	name := zipCopiesDir + base + "-verificato.xlsx"
	for i := 2; taken[name]; i++ {
		name = fmt.Sprintf("%s%s-verificato (%d).xlsx", zipCopiesDir, base, i)
	}
	taken[name] = true
	return name
}
