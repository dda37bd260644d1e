package server

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"
	"unicode"

	"github.com/its-academy/auditor/compute"
	"github.com/its-academy/auditor/pipeline"
	"github.com/its-academy/auditor/validate"
	"github.com/its-academy/auditor/xlsxio"
	"github.com/labstack/echo/v4"
)

// MIMEXLSX is the media type of an xlsx workbook.
const MIMEXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// MIMEPDF is the media type of the verbale.
const MIMEPDF = "application/pdf"

// MIMEZIP is the media type of the ZIP archive of a batch (format=zip).
const MIMEZIP = "application/zip"

// multipartOverhead is what a multipart body may add around the file: the
// boundaries, the part headers and the small fields.
const multipartOverhead = 64 << 10

// upload is what a request to /api/audit carries.
type upload struct {
	name string
	data []byte
	// fields holds the small form fields (reading, format,
	// interpretation) of a multipart body; query parameters win.
	fields url.Values
}

// auditParams are the choices of one API audit.
type auditParams struct {
	opts validate.Options
	xlsx bool
	pdf  bool // format=pdf: the verbale di verifica
	zip  bool // format=zip (batch only): audited copies, summary and its PDF
}

// audit is POST /api/audit: the workbook as multipart (field "file") or as
// the raw body; answers the JSON report or, with format=xlsx or an Accept
// of the xlsx type, the annotated workbook.
func (s *Server) audit(c echo.Context) error {
	return gatedWithParams(s, c, s.readUpload, func(up *upload, params auditParams) (work, error) {
		if params.zip {
			return work{}, apiErr(http.StatusBadRequest, CodeBadRequest, "Il formato «zip» vale solo per più file (/api/batch): per un file usare «xlsx» o «pdf».")
		}
		w := work{run: func(ctx context.Context, t *ticket) auditAnswer { return s.runAudit(ctx, t, up, params) }, xlsx: params.xlsx, pdf: params.pdf,
			cost: s.auditCost(up.data)}
		if params.xlsx {
			w.fileName = outputName(up.name)
		}
		if params.pdf {
			w.fileName = strings.TrimSuffix(up.name, path.Ext(up.name)) + "-verbale.pdf"
		}
		return w, nil
	})
}

// formFields are the choices sent as form fields of a multipart body.
func (up *upload) formFields() url.Values { return up.fields }

// gatedWithParams is gated for a request that carries the run's choices:
// read reads its body, the choices come from the query and the body's form
// fields (query parameters win), and plan says what to compute.
func gatedWithParams[U interface{ formFields() url.Values }](s *Server, c echo.Context, read func(echo.Context, io.ReadCloser) (U, error), plan func(U, auditParams) (work, error)) error {
	return s.gated(c, func(body io.ReadCloser) (work, error) {
		up, err := read(c, body)
		if err != nil {
			return work{}, err
		}
		params, err := s.params(c, up.formFields())
		if err != nil {
			return work{}, err
		}
		return plan(up, params)
	})
}

// work is what a request asks the server to compute, once its body is read.
type work struct {
	run      func(context.Context, *ticket) auditAnswer
	xlsx     bool   // the answer is a workbook, not JSON
	pdf      bool   // the answer is the PDF verbale
	zip      bool   // the answer is a ZIP archive
	fileName string // the workbook's name for Content-Disposition
	cost     int64  // estimated memory, in bytes
}

// mediaType is the type of the answer when it is a file, "" when it is JSON.
func (w work) mediaType() string {
	switch {
	case w.xlsx:
		return MIMEXLSX
	case w.pdf:
		return MIMEPDF
	case w.zip:
		return MIMEZIP
	}
	return ""
}

// gated runs one request under the gate: a share of its client address
// (or 429 at once); its body read under the upload pace and the
// server-wide budget of bodies; then, once the body is in, its estimated
// memory and a queue place (or 503 at once), an audit slot (503 after the
// queue wait) and the answer within the request time (503 timeout). When
// the request time runs out or the client goes away the work's context is
// cancelled: the audit stops at its next check (between courses and
// parts) and only then gives its slot, queue place and memory back, so the
// bounds hold.
func (s *Server) gated(c echo.Context, read func(body io.ReadCloser) (work, error)) error {
	// Cancelling ctx, when the handler returns, stops an audit still
	// running (the request timed out or the client went away).
	ctx, cancel := context.WithTimeout(c.Request().Context(), s.cfg.RequestTimeout)
	defer cancel()
	client := clientKey(c.RealIP())
	t, err := s.gate.claim(client)
	if err != nil {
		e := apiErr(http.StatusTooManyRequests, CodeTooManyRequests, "Troppe verifiche in corso da questo indirizzo (al massimo %d insieme): attendere che finiscano e riprovare.", s.cfg.MaxPerClient)
		e.retryAfter = 2
		return e
	}
	handedOff := false
	defer func() {
		if !handedOff {
			t.release()
		}
	}()
	pr := s.pacedBody(c, t)
	w, err := read(pr)
	pr.done(err == nil)
	if err != nil {
		return err
	}
	if w.cost > s.cfg.MaxMemory {
		return s.memoryTooLarge(w.cost)
	}
	if err := t.admit(w.cost); err != nil {
		if errors.Is(err, errMemBudget) {
			return s.memoryBusy()
		}
		return busy("Il servizio è al completo: riprovare tra qualche secondo.", 2)
	}
	if err := t.run(ctx); err != nil {
		if errors.Is(err, errQueueWait) {
			return busy("Il servizio è al completo: riprovare tra qualche secondo.", 5)
		}
		return timeout(s.cfg)
	}
	handedOff = true
	done := make(chan auditAnswer, 1)
	streams := make(chan auditAnswer) // unbuffered: taken by the handler, or not at all
	go func() {
		// The gate is released before a whole answer is handed over, so
		// that a client that gets its answer can start its next request at
		// once; a streamed answer keeps it (its memory is still in use)
		// until the handler has written it, unless the handler is gone.
		ans := w.run(ctx, t)
		if ans.stream == nil {
			t.release()
			done <- ans
			return
		}
		select {
		case streams <- ans:
		case <-ctx.Done():
			t.release()
		}
	}()
	select {
	case ans := <-done:
		if ans.err != nil {
			return ans.err
		}
		if mediaType := w.mediaType(); mediaType != "" {
			c.Response().Header().Set(echo.HeaderContentDisposition, attachment(w.fileName))
			return c.Blob(http.StatusOK, mediaType, ans.body)
		}
		return c.JSONBlob(http.StatusOK, ans.body)
	case ans := <-streams:
		defer t.release()
		return s.stream(ctx, c, w, ans)
	case <-ctx.Done():
		return timeout(s.cfg)
	}
}

// auditAnswer is the answer of a request's work: whole (body), streamed
// (stream writes it as it is produced) or an error.
type auditAnswer struct {
	body   []byte
	stream func(io.Writer) error
	// refusal, when set, turns an error of stream before its first byte
	// into the API error it stands for (nil: an internal error).
	refusal func(error) error
	err     error
}

// streamBuffer is what a streamed answer holds before writing to the
// client: an answer that fails within it is still a clean error answer.
const streamBuffer = 64 << 10

// stream writes a streamed answer: the status and headers with its first
// bytes, then the rest as it is produced, at most MaxReportBytes for a
// JSON report. An answer that fails before its first bytes are sent is an
// error answer (422 past the budget, 503 when the request ended); one that
// fails later cannot change its status, so the connection is cut: the
// client sees a truncated transfer, never a well-formed wrong answer.
func (s *Server) stream(ctx context.Context, c echo.Context, w work, ans auditAnswer) error {
	sw := &streamWriter{ctx: ctx, c: c, mediaType: w.mediaType(), fileName: w.fileName, max: -1}
	if sw.mediaType == "" {
		sw.mediaType, sw.max = echo.MIMEApplicationJSON, s.cfg.MaxReportBytes
	}
	// A client that stops reading would hold a write until the server's
	// write timeout: when the request ends, the write in progress fails.
	stop := context.AfterFunc(ctx, func() {
		_ = http.NewResponseController(c.Response().Writer).SetWriteDeadline(time.Now())
	})
	defer stop()
	bw := bufio.NewWriterSize(sw, streamBuffer)
	err := s.produce(ans.stream, ctxWriter{ctx, bw}).err
	if err == nil {
		err = bw.Flush()
	}
	var ae *APIError
	var refused error
	if err != nil && ans.refusal != nil {
		refused = ans.refusal(err)
	}
	switch {
	case err == nil:
		return nil
	case !sw.started && errors.As(err, &ae):
		return ae
	case !sw.started && errors.Is(err, errOverLimit):
		return s.reportTooLarge()
	case !sw.started && ctx.Err() != nil:
		return timeout(s.cfg)
	case !sw.started && refused != nil:
		return refused
	case !sw.started:
		return fmt.Errorf("writing the answer: %w", err)
	}
	s.cfg.Logger.Warn("answer cut short", "request_id", c.Response().Header().Get(echo.HeaderXRequestID),
		"sent_bytes", sw.n, "error", err.Error())
	panic(http.ErrAbortHandler) // net/http closes the connection mid-answer
}

// produce runs a streamed answer's writer; a panic in it is logged
// without content and becomes the 500 of recovered.
func (s *Server) produce(write func(io.Writer) error, w io.Writer) (ans auditAnswer) {
	defer s.recovered(&ans, "answer", "Errore interno durante la scrittura della risposta.")
	return auditAnswer{err: write(w)}
}

// ctxWriter fails every write once ctx is done, so that what produces an
// answer stops at its next write when the request has ended.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (cw ctxWriter) Write(p []byte) (int, error) {
	if err := cw.ctx.Err(); err != nil {
		return 0, err
	}
	return cw.w.Write(p)
}

// reportTooLarge is the 422 of a JSON report past MaxReportBytes.
func (s *Server) reportTooLarge() *APIError {
	return s.workError("Il resoconto JSON di questo file supererebbe il limite di %s per verifica: chiedere la copia verificata (format=xlsx) o dividere la cartella.", sizeText(s.cfg.MaxReportBytes))
}

// streamWriter writes an answer to the client: the headers with the first
// bytes, at most max bytes (max < 0: no bound), and nothing once the
// request has ended.
type streamWriter struct {
	ctx       context.Context
	c         echo.Context
	mediaType string
	fileName  string
	max       int64
	n         int64
	started   bool
}

func (sw *streamWriter) Write(p []byte) (int, error) {
	if err := sw.ctx.Err(); err != nil {
		return 0, err
	}
	if sw.max >= 0 && sw.n+int64(len(p)) > sw.max {
		return 0, errOverLimit
	}
	res := sw.c.Response()
	if !sw.started {
		sw.started = true
		res.Header().Set(echo.HeaderContentType, sw.mediaType)
		if sw.fileName != "" {
			res.Header().Set(echo.HeaderContentDisposition, attachment(sw.fileName))
		}
		res.WriteHeader(http.StatusOK)
	}
	n, err := res.Write(p)
	sw.n += int64(n)
	return n, err
}

// recovered, deferred by the functions that run a request's work, turns a
// panic into a 500 answer with message; the panic is logged, without the
// request's content, as that of what ("audit", "batch", "verify").
func (s *Server) recovered(ans *auditAnswer, what, message string) {
	if r := recover(); r != nil {
		s.cfg.Logger.Error(what+" panicked", "panic", fmt.Sprint(r))
		*ans = auditAnswer{err: apiErr(http.StatusInternalServerError, CodeInternal, "%s", message)}
	}
}

func (s *Server) memoryTooLarge(cost int64) error {
	return apiErr(http.StatusRequestEntityTooLarge, CodeTooLarge, "La verifica di questo file richiederebbe circa %s di memoria, oltre il limite di %s del servizio: dividere la cartella o usare il programma auditor sul proprio computer.", sizeText(cost), sizeText(s.cfg.MaxMemory))
}

func (s *Server) memoryBusy() error {
	return busy(fmt.Sprintf("Il servizio ha in corso verifiche per tutta la memoria disponibile (%s): riprovare tra qualche secondo.", sizeText(s.cfg.MaxMemory)), 5)
}

// reserveCourses reserves the memory of scoring and answering the
// workbook's courses, on top of what its reading took; t is nil outside a
// request (benchmarks).
func (s *Server) reserveCourses(t *ticket, courses int, xlsx bool) error {
	if t == nil {
		return nil
	}
	need := courseCost(courses, xlsx)
	if t.mem+need > s.cfg.MaxMemory {
		return s.memoryTooLarge(t.mem + need)
	}
	if err := t.growMem(need); err != nil {
		return s.memoryBusy()
	}
	return nil
}

// errCanceled is the answer of an audit stopped because its request ended;
// nobody reads it.
var errCanceled = apiErr(http.StatusServiceUnavailable, CodeTimeout, "Verifica interrotta.")

// runAudit reads, validates, scores and writes; it never panics into the
// server: a panic becomes a 500 whose detail is logged without content. It
// stops early, answering errCanceled, once ctx is done.
func (s *Server) runAudit(ctx context.Context, t *ticket, up *upload, p auditParams) (ans auditAnswer) {
	defer s.recovered(&ans, "audit", "Errore interno durante la verifica del file.")
	if s.beforeAudit != nil {
		s.beforeAudit(ctx)
	}
	opts := p.opts
	opts.AuditedAt = time.Now().UTC().Truncate(time.Second)
	res, err := pipeline.Run(ctx, up.data, up.name, pipeline.Options{
		Validate: opts, Limits: s.cfg.Limits, Version: s.cfg.Version, Registry: s.cfg.Registry,
		AfterRead: func(in *validate.Input) error {
			if err := s.checkWork(len(in.Courses)); err != nil {
				return err
			}
			return s.reserveCourses(t, len(in.Courses), p.xlsx)
		},
	})
	var ae *APIError
	var oe *xlsxio.OpenError
	switch {
	case ctx.Err() != nil:
		return auditAnswer{err: errCanceled}
	case errors.As(err, &ae):
		return auditAnswer{err: ae}
	case errors.As(err, &oe):
		return auditAnswer{err: openError(err)}
	case err != nil:
		return auditAnswer{err: apiErr(http.StatusBadRequest, CodeBadRequest, "Parametri non validi: %s", err)}
	}
	a := res.Audit
	if err := s.checkFindings(a); err != nil {
		return auditAnswer{err: err}
	}
	if p.pdf {
		out, err := res.Verbale()
		if err != nil {
			return auditAnswer{err: fmt.Errorf("writing the verbale: %w", err)}
		}
		return auditAnswer{body: out}
	}
	if p.xlsx {
		// The copy goes to the client as it is produced (Server.stream);
		// its refusals come before its first byte.
		return auditAnswer{
			stream: func(w io.Writer) error {
				if s.copyWriter != nil {
					w = s.copyWriter(w)
				}
				_, err := res.WriteCopy(w)
				return err
			},
			refusal: func(err error) error {
				if !errors.As(err, &oe) {
					return nil
				}
				e := openError(err)
				if errors.Is(err, xlsxio.ErrSheetNameTaken) {
					e.Kind = "sheet_name_taken"
				}
				return e
			},
		}
	}
	if est := reportEstimate(a); est > s.cfg.MaxReportBytes {
		return auditAnswer{err: s.reportTooLarge()}
	}
	return auditAnswer{stream: func(w io.Writer) error { return res.WriteReport(w, false) }}
}

// reportEstimate is a floor of the bytes of an audit's JSON report, known
// before it is written: what every course writes at least (its keys, its
// code) and each finding (its keys, rule, severity, cell and message). A
// report whose floor is past the budget is refused before its first
// byte; one that outgrows the budget later is cut (Server.stream).
func reportEstimate(a *validate.Audit) int64 {
	findings := func(fs []validate.Finding) (n int64) {
		for i := range fs {
			f := &fs[i]
			n += findingFloorBytes + int64(len(f.Rule)+len(f.Severity)+len(f.Cell)+len(f.Message))
		}
		return n
	}
	n := findings(a.Findings)
	for i := range a.Courses {
		n += courseFloorBytes + int64(len(a.Courses[i].Code)) + findings(a.Courses[i].Findings)
	}
	return n
}

// Floors of a report's size, in bytes: a course with nothing computed
// ({"code":"","row":0,"rule_pack":null,…,"sensitivity":null}; a scored
// course of the bundled examples writes about 5.8 kB) and a finding
// ({"rule":"","severity":"","cell":"","message":""}).
const (
	courseFloorBytes  = 177
	findingFloorBytes = 48
)

// workError is a 422 for an audit past a per-request budget.
func (s *Server) workError(format string, args ...any) *APIError {
	e := apiErr(http.StatusUnprocessableEntity, CodeNotAuditable, format, args...)
	e.Kind = "too_large"
	return e
}

// checkWork refuses a workbook whose courses × articulations exceed the
// per-request budget, before any course is scored.
func (s *Server) checkWork(courses int) error {
	per := s.articulationsPerCourse()
	if courses*per > s.cfg.MaxWork {
		return s.workError("La cartella ha %d righe di percorsi: su questo servizio una verifica ne tratta al massimo %d (%d articolazioni ciascuno). Dividere la cartella o usare il programma auditor sul proprio computer.",
			courses, s.cfg.MaxWork/per, per)
	}
	return nil
}

// articulationsPerCourse is the most articulations a course may have
// under the server's packs.
func (s *Server) articulationsPerCourse() int {
	per := 1
	for _, p := range s.cfg.Registry.Packs() {
		per = max(per, len(p.Articulations))
	}
	return per
}

// checkFindings refuses an audit with more findings than the budget.
func (s *Server) checkFindings(a *validate.Audit) error {
	n := len(a.Findings)
	for i := range a.Courses {
		n += len(a.Courses[i].Findings)
	}
	if n > s.cfg.MaxFindings {
		return s.workError("La verifica ha prodotto %d segnalazioni, oltre il limite di %d per verifica su questo servizio: correggere prima gli errori più diffusi o usare il programma auditor sul proprio computer.", n, s.cfg.MaxFindings)
	}
	return nil
}

// readUpload reads the workbook into memory (never to disk), refusing
// anything over MaxUpload with 413 before reading it when the length is
// declared, and as soon as the limit is crossed otherwise.
func (s *Server) readUpload(c echo.Context, paced io.ReadCloser) (*upload, error) {
	r := c.Request()
	max := s.cfg.MaxUpload
	mediaType, mparams, _ := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType))
	isMultipart := mediaType == "multipart/form-data"
	allowed := max
	if isMultipart {
		allowed += multipartOverhead
	}
	if r.ContentLength > allowed {
		return nil, s.tooLarge()
	}
	body := http.MaxBytesReader(c.Response(), paced, allowed)
	up := &upload{name: headerFileName(r.Header.Get("X-File-Name")), fields: url.Values{}}
	if !isMultipart {
		data, err := readAtMost(body, max)
		if err != nil {
			return nil, s.readError(err)
		}
		up.data = data
	} else {
		if mparams["boundary"] == "" {
			return nil, apiErr(http.StatusBadRequest, CodeBadRequest, "Richiesta multipart senza separatore (boundary): inviare il file nel campo «file».")
		}
		err := eachPart(body, mparams["boundary"], up.fields, func(part *multipart.Part) error {
			if up.data != nil {
				return apiErr(http.StatusBadRequest, CodeBadRequest, "Inviare un solo file nel campo «file».")
			}
			data, err := readAtMost(part, max)
			if err != nil {
				return s.readError(err)
			}
			up.data = data
			if fn := part.FileName(); fn != "" {
				up.name = cleanName(fn)
			}
			return nil
		})
		if err != nil {
			return nil, s.readError(err)
		}
		if up.data == nil {
			return nil, apiErr(http.StatusBadRequest, CodeBadRequest, "Nessun file ricevuto: inviare la cartella di lavoro nel campo «file».")
		}
	}
	if len(up.data) == 0 {
		return nil, apiErr(http.StatusBadRequest, CodeBadRequest, "Il file ricevuto è vuoto.")
	}
	return up, nil
}

// eachPart reads a multipart body: each file part (field "file", or
// "files") goes to onFile, the small fields reading, format and
// interpretation into fields, anything else is discarded. An *APIError
// from onFile or for a field too long is returned as it is; other errors
// are the body's.
func eachPart(body io.Reader, boundary string, fields url.Values, onFile func(*multipart.Part) error) error {
	mr := multipart.NewReader(body, boundary)
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		switch name := part.FormName(); name {
		case "file", "files":
			err = onFile(part)
		case "reading", "format", "interpretation", "erratum", "workbook_thresholds", "thresholds":
			limit := int64(256)
			if name == "thresholds" {
				limit = maxThresholdsField
			}
			var v []byte
			if v, err = readAtMost(part, limit); err != nil {
				err = apiErr(http.StatusBadRequest, CodeBadRequest, "Il campo «%s» è troppo lungo.", name)
			} else {
				fields.Add(name, strings.TrimSpace(string(v)))
			}
		default:
			_, err = io.Copy(io.Discard, part)
		}
		if err != nil {
			return err
		}
	}
}

// errOverLimit is a body part longer than its limit.
var errOverLimit = errors.New("over the size limit")

// readAtMost reads r whole, failing with errOverLimit beyond n bytes.
func readAtMost(r io.Reader, n int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, n+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > n {
		return nil, errOverLimit
	}
	return data, nil
}

func (s *Server) readError(err error) error { return s.bodyError(err, s.tooLarge, "il file") }

func (s *Server) tooLarge() error {
	return apiErr(http.StatusRequestEntityTooLarge, CodeTooLarge, "Il file supera il limite di %s per caricamento.", sizeText(s.cfg.MaxUpload))
}

func busy(msg string, retry int) error {
	e := apiErr(http.StatusServiceUnavailable, CodeBusy, "%s", msg)
	e.retryAfter = retry
	return e
}

func timeout(cfg Config) error {
	e := apiErr(http.StatusServiceUnavailable, CodeTimeout, "La verifica non si è conclusa entro %s: riprovare più tardi.", durationText(cfg.RequestTimeout))
	e.retryAfter = 10
	return e
}

// maxThresholdsField bounds the auditor's thresholds (a JSON object of a
// few dozen codes).
const maxThresholdsField = 16 << 10

// params reads reading, erratum, interpretation, thresholds,
// workbook_thresholds and format from the query (or the multipart fields)
// and the Accept header. Whether the pack knows the reading, errata,
// choices and threshold codes is checked by the audit (400 naming them).
func (s *Server) params(c echo.Context, fields url.Values) (auditParams, error) {
	get := func(k string) []string {
		if v := c.QueryParams()[k]; len(v) > 0 {
			return v
		}
		return fields[k]
	}
	var p auditParams
	if v := get("reading"); len(v) > 0 && v[0] != "" {
		r, err := compute.ParseReading(v[0])
		if err == nil && !s.knowsReading(r) {
			err = compute.ErrReading
		}
		if err != nil {
			return p, apiErr(http.StatusBadRequest, CodeBadRequest, "Parametro «reading» non valido (%q): ammessi «tables», «coherent» o «literal».", v[0])
		}
		p.opts.Reading = r
	}
	for _, v := range get("erratum") {
		id, form, err := compute.ParseErratumChoice(v)
		if err != nil {
			return p, apiErr(http.StatusBadRequest, CodeBadRequest, "Parametro «erratum» non valido (%q): atteso E-N=printed o E-N=coherent, per esempio E-2=coherent.", v)
		}
		if p.opts.Errata == nil {
			p.opts.Errata = map[string]compute.ErratumForm{}
		}
		p.opts.Errata[id] = form
	}
	if v := get("thresholds"); len(v) > 0 && v[0] != "" {
		th, err := parseThresholds(v[0])
		if err != nil {
			return p, err
		}
		p.opts.Thresholds = th
	}
	if v := get("workbook_thresholds"); len(v) > 0 {
		switch strings.ToLower(v[0]) {
		case "1", "true", "si", "sì":
			p.opts.WorkbookThresholds = true
		case "", "0", "false", "no":
		default:
			return p, apiErr(http.StatusBadRequest, CodeBadRequest, "Parametro «workbook_thresholds» non valido (%q): ammessi 1 o 0.", v[0])
		}
	}
	for _, v := range get("interpretation") {
		k, choice, ok := strings.Cut(v, "=")
		if !ok {
			return p, apiErr(http.StatusBadRequest, CodeBadRequest, "Parametro «interpretation» non valido (%q): atteso ID=scelta, per esempio I-2=soglia_diplomati.", v)
		}
		if p.opts.Interpretations == nil {
			p.opts.Interpretations = map[string]string{}
		}
		p.opts.Interpretations[strings.TrimSpace(k)] = strings.TrimSpace(choice)
	}
	switch f := get("format"); {
	case len(f) > 0 && f[0] != "":
		switch strings.ToLower(f[0]) {
		case "json":
		case "xlsx":
			p.xlsx = true
		case "pdf":
			p.pdf = true
		case "zip":
			p.zip = true
		default:
			return p, apiErr(http.StatusBadRequest, CodeBadRequest, "Parametro «format» non valido (%q): ammessi «json», «xlsx», «pdf» o, per più file, «zip».", f[0])
		}
	default:
		p.xlsx = acceptsXLSX(c.Request().Header.Get(echo.HeaderAccept))
	}
	return p, nil
}

// acceptsXLSX reports whether the Accept header prefers the xlsx type to
// JSON.
func acceptsXLSX(accept string) bool {
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil || params["q"] == "0" {
			continue
		}
		switch mt {
		case MIMEXLSX:
			return true
		case "application/json":
			return false
		}
	}
	return false
}

// headerFileName is the X-File-Name header, percent-decoded.
func headerFileName(h string) string {
	if h == "" {
		return "cartella.xlsx"
	}
	if dec, err := url.PathUnescape(h); err == nil {
		h = dec
	}
	return cleanName(h)
}

// cleanName keeps the base name of an uploaded file, without control
// characters, at most 120 characters.
func cleanName(name string) string {
	name = strings.ReplaceAll(name, `\`, "/")
	name = path.Base(name)
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '"' || xlsxio.IsBidiControl(r) {
			return -1
		}
		return r
	}, name)
	if r := []rune(name); len(r) > 120 {
		name = string(r[:120])
	}
	if name == "" || name == "." || name == "/" {
		return "cartella.xlsx"
	}
	return name
}

// outputName is the annotated copy's name, as the CLI names it.
func outputName(in string) string {
	ext := path.Ext(in)
	return strings.TrimSuffix(in, ext) + "-verificato.xlsx"
}

// attachment is a Content-Disposition naming the file, with an ASCII
// fallback and the UTF-8 name (RFC 6266).
func attachment(name string) string {
	ascii := strings.Map(func(r rune) rune {
		if r > 126 || r < 32 || r == '"' || r == '\\' || r == ';' {
			return '_'
		}
		return r
	}, name)
	return fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, ascii, url.PathEscape(name))
}

// sizeText writes a byte count in Italian for messages.
func sizeText(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<20:
		return strings.Replace(fmt.Sprintf("%.1f MB", float64(n)/(1<<20)), ".", ",", 1)
	case n >= 1<<10:
		return fmt.Sprintf("%d kB", n>>10)
	}
	return fmt.Sprintf("%d byte", n)
}

func durationText(d interface{ Seconds() float64 }) string {
	sec := d.Seconds()
	switch {
	case sec == 60:
		return "1 minuto"
	case sec > 60 && int(sec)%60 == 0:
		return fmt.Sprintf("%d minuti", int(sec)/60)
	}
	return fmt.Sprintf("%g secondi", sec)
}

// parseThresholds reads the auditor's thresholds: a JSON object of
// threshold code → number, {"S1": 50.2, "occupati_meccanica": 18}.
func parseThresholds(text string) (map[string]float64, error) {
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var raw map[string]json.Number
	if err := dec.Decode(&raw); err != nil || raw == nil {
		return nil, apiErr(http.StatusBadRequest, CodeBadRequest, "Parametro «thresholds» non valido: atteso un oggetto JSON {\"S1\": 50.2, \"occupati_<area>\": 18.0, …} con numeri come valori.")
	}
	out := make(map[string]float64, len(raw))
	for code, n := range raw {
		v, err := n.Float64()
		if err != nil {
			return nil, apiErr(http.StatusBadRequest, CodeBadRequest, "Parametro «thresholds»: la soglia «%s» vale %q, che non è un numero.", code, string(n))
		}
		out[code] = v
	}
	return out, nil
}

// knowsReading reports whether a loaded pack defines the reading.
func (s *Server) knowsReading(r compute.Reading) bool {
	if s.cfg.Registry == nil {
		return false
	}
	for _, p := range s.cfg.Registry.Packs() {
		if _, ok := p.ReadingDef(r); ok {
			return true
		}
	}
	return false
}
