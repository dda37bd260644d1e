package server

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"net/http"
	"path"
	"sort"
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

// zipBudget bounds the audited copies one ZIP may hold: twice the batch's
// upload limit (a copy adds the product's sheets to its input) plus room
// for the summary. A batch whose copies exceed it is refused with 413, and
// nothing is kept.
func (s *Server) zipBudget() int64 {
	if s.zipLimit > 0 {
		return s.zipLimit
	}
	return 2*s.cfg.MaxBatchBytes + 16<<20
}

// runBatchZip is the batch with format=zip: one audit run gives the
// regional summary (workbook, PDF and JSON) and every audited copy, in one
// archive, so that the page gets all of them without sending the files
// again for each. The summary's links point to the copies in copie/.
func (s *Server) runBatchZip(ctx context.Context, up *batchUpload, p auditParams) (ans auditAnswer) {
	defer s.recovered(&ans, "batch", "Errore interno durante la verifica dei file.")
	inputs := make([]batch.Input, len(up.files))
	copyName := map[string]string{} // input name → entry in the ZIP
	taken := map[string]bool{}
	for i, in := range up.files {
		name := copyEntryName(in.Name, taken)
		copyName[in.Name] = name
		in.Link = name
		inputs[i] = in
	}
	var (
		mu     sync.Mutex
		copies = map[string][]byte{}
		total  int64
		over   bool
	)
	budget := s.zipBudget()
	opts := s.batchOptions(p)
	opts.OnAnnotated = func(in batch.Input, annotated []byte) error {
		mu.Lock()
		defer mu.Unlock()
		total += int64(len(annotated))
		if total > budget {
			over = true
			return nil
		}
		copies[copyName[in.Name]] = annotated
		return nil
	}
	res, err := batch.Run(ctx, inputs, opts)
	if ctx.Err() != nil {
		return auditAnswer{err: errCanceled}
	}
	if err != nil {
		return auditAnswer{err: apiErr(http.StatusBadRequest, CodeBadRequest, "Parametri non validi: %s", err)}
	}
	if over {
		return auditAnswer{err: apiErr(http.StatusRequestEntityTooLarge, CodeTooLarge,
			"Le copie verificate superano insieme il limite di %s per un archivio ZIP: inviare meno file per volta, o usare auditor dalla riga di comando.", sizeText(budget))}
	}
	summaryXLSX, err := pipeline.SummaryWorkbook(res)
	if err != nil {
		return auditAnswer{err: fmt.Errorf("writing the summary: %w", err)}
	}
	summaryPDF, err := verbale.RenderSummary(verbale.FromSummary(res.Summary, time.Now(), s.cfg.Registry))
	if err != nil {
		return auditAnswer{err: fmt.Errorf("writing the summary PDF: %w", err)}
	}
	summaryJSON, err := res.JSON()
	if err != nil {
		return auditAnswer{err: err}
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add := func(name string, data []byte, method uint16) error {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: method, Modified: time.Now().UTC()})
		if err != nil {
			return err
		}
		_, err = w.Write(data)
		return err
	}
	if err := add(zipSummaryXLSX, summaryXLSX, zip.Store); err != nil {
		return auditAnswer{err: fmt.Errorf("writing the ZIP: %w", err)}
	}
	if err := add(zipSummaryPDF, summaryPDF, zip.Deflate); err != nil {
		return auditAnswer{err: fmt.Errorf("writing the ZIP: %w", err)}
	}
	if err := add(zipSummaryJSON, summaryJSON, zip.Deflate); err != nil {
		return auditAnswer{err: fmt.Errorf("writing the ZIP: %w", err)}
	}
	names := make([]string, 0, len(copies))
	for n := range copies {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		// xlsx files are ZIP archives already: stored, not compressed again.
		if err := add(n, copies[n], zip.Store); err != nil {
			return auditAnswer{err: fmt.Errorf("writing the ZIP: %w", err)}
		}
	}
	if err := zw.Close(); err != nil {
		return auditAnswer{err: fmt.Errorf("writing the ZIP: %w", err)}
	}
	return auditAnswer{body: buf.Bytes()}
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
