package server

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
)

// streamOut is the body of an answer written as it is produced (the
// audited copy): its headers and status 200 go out with the first byte,
// so that until then the work can still fail with a clean 4xx or 5xx.
// After the first byte an error can only cut the transfer short (see
// gated), so that the client never gets a well-formed-looking wrong file.
// Only the work writes to it; the handler abandons it when it stops
// waiting.
type streamOut struct {
	ctx       context.Context
	res       *echo.Response
	mediaType string
	fileName  string

	mu        sync.Mutex
	started   bool // the headers are out
	abandoned bool // the handler no longer waits: nothing may be written
}

// errAbandoned is a write to a stream whose handler has already answered.
var errAbandoned = errors.New("answer abandoned by its handler")

func newStreamOut(ctx context.Context, c echo.Context, mediaType, fileName string) *streamOut {
	return &streamOut{ctx: ctx, res: c.Response(), mediaType: mediaType, fileName: fileName}
}

// Write sends the headers before the first bytes; it fails once the
// request's context is done (the client went away, the request time ran
// out) or the handler has abandoned the answer.
func (o *streamOut) Write(p []byte) (int, error) {
	if err := o.ctx.Err(); err != nil {
		return 0, err
	}
	o.mu.Lock()
	if o.abandoned {
		o.mu.Unlock()
		return 0, errAbandoned
	}
	if !o.started {
		h := o.res.Header()
		h.Set(echo.HeaderContentType, o.mediaType)
		h.Set(echo.HeaderContentDisposition, attachment(o.fileName))
		o.res.WriteHeader(http.StatusOK)
		o.started = true
	}
	o.mu.Unlock()
	return o.res.Write(p)
}

// begun reports whether the headers are out.
func (o *streamOut) begun() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.started
}

// abandon forbids any further write that has not begun the answer, and
// reports whether the answer has begun: then the handler must wait for the
// work to end (it stops at its next write, or when the write deadline,
// brought to now, breaks the one in progress) before returning.
func (o *streamOut) abandon() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.abandoned = true
	if o.started {
		_ = http.NewResponseController(o.res).SetWriteDeadline(time.Now())
	}
	return o.started
}
