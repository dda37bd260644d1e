package server

import (
	"errors"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/labstack/echo/v4"
)

// Errors of a paced body.
var (
	errTooSlow = errors.New("the body arrives slower than the minimum rate")
)

// pacedReader reads a request body under a read deadline that moves with
// the bytes received (UploadGrace plus one second per MinUploadRate bytes,
// never past the request time) and counts every byte against the
// server-wide budget of bodies in memory.
type pacedReader struct {
	body     io.ReadCloser
	rc       *http.ResponseController
	t        *ticket
	start    time.Time
	grace    time.Duration
	rate     int64
	deadline time.Time
	n        int64
	eof      bool // the body was read to its end
}

func (s *Server) pacedBody(c echo.Context, t *ticket) *pacedReader {
	now := time.Now()
	p := &pacedReader{body: c.Request().Body, rc: http.NewResponseController(c.Response()), t: t,
		start: now, grace: s.cfg.UploadGrace, rate: s.cfg.MinUploadRate, deadline: now.Add(s.cfg.RequestTimeout)}
	p.setDeadline()
	return p
}

func (p *pacedReader) setDeadline() {
	d := p.start.Add(p.grace + time.Duration(float64(p.n)/float64(p.rate)*float64(time.Second)))
	if d.After(p.deadline) {
		d = p.deadline
	}
	// A writer that cannot set deadlines (a test's recorder) reads without.
	_ = p.rc.SetReadDeadline(d)
}

func (p *pacedReader) Read(b []byte) (int, error) {
	n, err := p.body.Read(b)
	if n > 0 {
		if berr := p.t.growBody(int64(n)); berr != nil {
			return 0, berr
		}
		p.n += int64(n)
		p.setDeadline()
	}
	if err == io.EOF {
		p.eof = true
	}
	if err != nil && errors.Is(err, os.ErrDeadlineExceeded) {
		err = errTooSlow
	}
	return n, err
}

func (p *pacedReader) Close() error { return p.body.Close() }

// done lifts the pace's deadline once the body is read: net/http's
// background read, which starts when the body reaches its end and tells
// when the client goes away, must not stop on it (its error would cancel
// the context of every later request on the connection). When the body
// was refused before its end (ok false) the deadline is moved to now
// instead: net/http would otherwise read what is left of it, at the
// client's pace, before answering; the connection is then closed.
func (p *pacedReader) done(ok bool) {
	if ok || p.eof {
		_ = p.rc.SetReadDeadline(time.Time{})
		return
	}
	_ = p.rc.SetReadDeadline(time.Now())
}

// paceError maps a paced body's refusals to the API's answers; nil for
// other errors.
func (s *Server) paceError(err error) error {
	switch {
	case errors.Is(err, errTooSlow):
		return apiErr(http.StatusRequestTimeout, CodeTimeout, "Il file è arrivato troppo lentamente (meno di %s al secondo dopo i primi %s): riprovare con una connessione migliore.",
			sizeText(s.cfg.MinUploadRate), durationText(s.cfg.UploadGrace))
	case errors.Is(err, errBodyBudget):
		return busy("Il servizio sta ricevendo troppi file insieme: riprovare tra qualche secondo.", 2)
	}
	return nil
}

// bodyError is the answer to an error reading a request's body: an
// *APIError as it is, the pace's refusal, tooLarge's answer for a body or
// file over its limit, else 400 asking to send what (Italian: «il file»,
// «i file») again.
func (s *Server) bodyError(err error, tooLarge func() error, what string) error {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae
	}
	if e := s.paceError(err); e != nil {
		return e
	}
	var mbe *http.MaxBytesError
	if errors.Is(err, errOverLimit) || errors.As(err, &mbe) {
		return tooLarge()
	}
	return apiErr(http.StatusBadRequest, CodeBadRequest, "Il corpo della richiesta non è leggibile: inviare di nuovo %s.", what)
}
