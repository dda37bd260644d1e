package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/its-academy/auditor/pipeline"
	"github.com/its-academy/auditor/xlsxio"
	"github.com/labstack/echo/v4"
)

// VerifyAnswer is the answer of POST /api/verify: whether every product
// value of the audited copy agrees with what the audit recorded in its
// stamp produces from the copy's original sheets, and what differs.
type VerifyAnswer struct {
	Conforming bool `json:"conforme"`
	*pipeline.Verification
}

// verify is POST /api/verify: an audited copy, as for /api/audit. It
// answers 200 with VerifyAnswer whether the copy agrees or not, 422 (kind
// "not_audited") when the file is not an audited copy.
func (s *Server) verify(c echo.Context) error {
	return s.gated(c, func(body io.ReadCloser) (work, error) {
		up, err := s.readUpload(c, body)
		if err != nil {
			return work{}, err
		}
		return work{run: func(ctx context.Context, _ *ticket) auditAnswer { return s.runVerify(ctx, up) }, cost: 2 * s.auditCost(up.data)}, nil
	})
}

// runVerify reads the copy twice (the copy and the recomputed one), so it
// costs about two audits.
func (s *Server) runVerify(ctx context.Context, up *upload) (ans auditAnswer) {
	defer s.recovered(&ans, "verify", "Errore interno durante il controllo della copia.")
	if ctx.Err() != nil {
		return auditAnswer{err: errCanceled}
	}
	v, err := pipeline.VerifyCopy(up.data, up.name, s.cfg.Registry, s.cfg.Limits)
	if err != nil {
		var oe *xlsxio.OpenError
		if !errors.As(err, &oe) {
			return auditAnswer{err: fmt.Errorf("verifying the copy: %w", err)}
		}
		e := openError(err)
		if errors.Is(err, xlsxio.ErrNotAudited) {
			e.Status, e.Code, e.Kind = http.StatusUnprocessableEntity, CodeNotAuditable, "not_audited"
		}
		return auditAnswer{err: e}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(VerifyAnswer{Conforming: v.OK(), Verification: v}); err != nil {
		return auditAnswer{err: fmt.Errorf("encoding the verification: %w", err)}
	}
	return auditAnswer{body: buf.Bytes()}
}
