package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strconv"
)

// maxHeaderBytes bounds a request's line and headers; the handler checks
// it (431 in the API's JSON), net/http only a far larger one.
const maxHeaderBytes = 64 << 10

// netHTTPErrorHeaders follow the status line of the answers net/http
// writes by itself, before any handler runs, to a request it cannot read
// (headers too large, a malformed or missing Host, a bad request line).
const netHTTPErrorHeaders = "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"

// jsonErrorListener hands out connections whose net/http-made error
// answers are rewritten in the API's JSON. It is used for plain HTTP:
// under TLS net/http writes to the *tls.Conn, which cannot be wrapped.
type jsonErrorListener struct{ net.Listener }

func (l jsonErrorListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return jsonErrorConn{c}, nil
}

type jsonErrorConn struct{ net.Conn }

// Write rewrites a write that is, whole, one of net/http's own error
// answers («HTTP/1.1 NNN …» followed by exactly its text/plain headers);
// the handlers' answers never take that form.
func (c jsonErrorConn) Write(p []byte) (int, error) {
	if ans, ok := rewriteNetHTTPError(p); ok {
		if _, err := c.Conn.Write(ans); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	return c.Conn.Write(p)
}

func rewriteNetHTTPError(p []byte) ([]byte, bool) {
	const prefix = "HTTP/1.1 "
	if !bytes.HasPrefix(p, []byte(prefix)) || len(p) < len(prefix)+3 {
		return nil, false
	}
	head, _, ok := bytes.Cut(p[len(prefix):], []byte(netHTTPErrorHeaders))
	if !ok {
		return nil, false
	}
	status, err := strconv.Atoi(string(head[:3]))
	if err != nil || status < 400 || status > 599 {
		return nil, false
	}
	e := apiErr(status, CodeBadRequest, "Richiesta HTTP non valida.")
	switch {
	case status == http.StatusRequestHeaderFieldsTooLarge:
		e = headersTooLarge()
	case bytes.Contains(head, []byte("Host header")):
		e.Message = "Intestazione Host mancante o non valida."
	case status >= 500:
		e.Code = CodeInternal
		e.Message = "Versione del protocollo HTTP non supportata o errore del server."
	}
	body, err := json.Marshal(e)
	if err != nil {
		return nil, false
	}
	return fmt.Appendf(nil, "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nX-Content-Type-Options: nosniff\r\nCache-Control: no-store\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s",
		status, http.StatusText(status), len(body), body), true
}

func headersTooLarge() *APIError {
	return apiErr(http.StatusRequestHeaderFieldsTooLarge, CodeTooLarge, "Le intestazioni della richiesta sono troppo grandi: al massimo %s.", sizeText(maxHeaderBytes))
}

// headerSize is the size of a request's line and headers as sent.
func headerSize(r *http.Request) int {
	n := len(r.Method) + len(r.RequestURI) + len(r.Proto) + 4 + len("Host: ") + len(r.Host) + 2
	for k, vs := range r.Header {
		for _, v := range vs {
			n += len(k) + len(v) + 4
		}
	}
	return n
}
