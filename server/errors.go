package server

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/its-academy/auditor/xlsxio"
	"github.com/labstack/echo/v4"
)

// Code is the stable identifier of an API error; clients branch on it,
// people read the Italian message.
type Code string

// The API's error codes and their HTTP statuses.
const (
	CodeBadRequest      Code = "bad_request"        // 400: unreadable body, no file, bad parameter
	CodeUnauthorized    Code = "unauthorized"       // 401: token missing or wrong
	CodeNotFound        Code = "not_found"          // 404
	CodeMethod          Code = "method_not_allowed" // 405
	CodeTooLarge        Code = "too_large"          // 413: the upload exceeds MaxUpload
	CodeUnsupportedType Code = "unsupported_type"   // 415: not an xlsx (.xls, .ods, csv, …)
	CodeNotAuditable    Code = "not_auditable"      // 422: encrypted, corrupt, missing sheet, template version, zip bomb
	CodeTooManyRequests Code = "too_many_requests"  // 429: one client over its rate
	CodeBusy            Code = "busy"               // 503: every audit slot and the queue are taken
	CodeTimeout         Code = "timeout"            // 503: the audit did not finish within the request time
	CodeInternal        Code = "internal"           // 500
)

// APIError is the JSON body of every error answer.
type APIError struct {
	Code    Code   `json:"code"`
	Message string `json:"message"`
	Status  int    `json:"status"`
	// Kind refines not_auditable: encrypted, corrupt, missing_sheet,
	// template_version, too_large.
	Kind string `json:"kind,omitempty"`
	// RequestID is the request's id, as in the access log and the
	// X-Request-Id header: a user quoting it lets the log be searched.
	RequestID string `json:"request_id,omitempty"`
	// retryAfter, in seconds, is sent as the Retry-After header.
	retryAfter int
}

func (e *APIError) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message) }

func apiErr(status int, code Code, format string, args ...any) *APIError {
	return &APIError{Code: code, Status: status, Message: fmt.Sprintf(format, args...)}
}

// openError maps the reader's refusal to the API: 415 for files that are
// not xlsx workbooks, 422 for workbooks that cannot be audited. The
// reader's message is one Italian line naming the file and the problem.
func openError(err error) *APIError {
	var oe *xlsxio.OpenError
	if !errors.As(err, &oe) {
		return apiErr(http.StatusInternalServerError, CodeInternal, "Errore interno durante la lettura del file.")
	}
	switch {
	case errors.Is(err, xlsxio.ErrNotXLSX), errors.Is(err, xlsxio.ErrLegacyFormat):
		return &APIError{Code: CodeUnsupportedType, Status: http.StatusUnsupportedMediaType, Message: oe.Msg}
	}
	e := &APIError{Code: CodeNotAuditable, Status: http.StatusUnprocessableEntity, Message: oe.Msg}
	for _, k := range []struct {
		err  error
		kind string
	}{
		{xlsxio.ErrEncrypted, "encrypted"},
		{xlsxio.ErrCorrupt, "corrupt"},
		{xlsxio.ErrMissingSheet, "missing_sheet"},
		{xlsxio.ErrTemplateVersion, "template_version"},
		{xlsxio.ErrTooLarge, "too_large"},
	} {
		if errors.Is(err, k.err) {
			e.Kind = k.kind
			break
		}
	}
	return e
}

// errorHandler writes every error as JSON: the API's own errors as they
// are, echo's (404, 405, …) translated, anything else as a 500 whose
// detail goes to the log only.
func (s *Server) errorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	var ae *APIError
	var he *echo.HTTPError
	switch {
	case errors.As(err, &ae):
	case errors.As(err, &he):
		ae = echoError(he)
	default:
		s.cfg.Logger.Error("request failed", "method", c.Request().Method, "path", c.Request().URL.Path, "error", err)
		ae = apiErr(http.StatusInternalServerError, CodeInternal, "Errore interno del server: riprovare; se persiste, segnalarlo all'amministratore.")
	}
	if id, ok := c.Get(requestIDKey).(string); ok {
		copied := *ae
		copied.RequestID = id
		ae = &copied
	}
	if ae.retryAfter > 0 {
		c.Response().Header().Set("Retry-After", strconv.Itoa(ae.retryAfter))
	}
	if ae.Status == http.StatusUnauthorized {
		c.Response().Header().Set("WWW-Authenticate", `Bearer realm="auditor"`)
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(ae.Status)
		return
	}
	if werr := c.JSON(ae.Status, ae); werr != nil {
		s.cfg.Logger.Warn("writing an error answer", "error", werr)
	}
}

func echoError(he *echo.HTTPError) *APIError {
	switch he.Code {
	case http.StatusNotFound:
		return apiErr(he.Code, CodeNotFound, "Indirizzo non trovato.")
	case http.StatusMethodNotAllowed:
		return apiErr(he.Code, CodeMethod, "Metodo HTTP non ammesso per questo indirizzo.")
	case http.StatusRequestEntityTooLarge:
		return apiErr(he.Code, CodeTooLarge, "La richiesta è troppo grande.")
	case http.StatusUnauthorized:
		return apiErr(he.Code, CodeUnauthorized, "Autenticazione richiesta.")
	case http.StatusTooManyRequests:
		return apiErr(he.Code, CodeTooManyRequests, "Troppe richieste: riprovare tra qualche secondo.")
	}
	if he.Code >= 400 && he.Code < 500 {
		return apiErr(he.Code, CodeBadRequest, "Richiesta non valida.")
	}
	return apiErr(http.StatusInternalServerError, CodeInternal, "Errore interno del server.")
}
