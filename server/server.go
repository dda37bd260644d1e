// Package server owns auditor's HTTP interface: the upload API
// (POST /api/audit), the Italian upload page, the Excel add-in (manifest and
// task pane) and the limits that keep the service safe under load and
// against hostile uploads. It adapts echo to the audit that xlsxio, validate
// and compute perform; it keeps nothing: no upload is written to disk or to
// the logs.
package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/its-academy/auditor/compute"
	"github.com/its-academy/auditor/xlsxio"
	"github.com/labstack/echo/v4"
)

// Default limits. A real official workbook is far below every one of them.
const (
	DefaultMaxUpload      = 10 << 20 // bytes of one uploaded file
	DefaultUnzipSize      = 100 << 20
	DefaultUnzipXMLSize   = 25 << 20
	DefaultMaxCells       = 1_000_000
	DefaultRequestTimeout = 60 * time.Second
	DefaultQueueWait      = 10 * time.Second
	DefaultClientRate     = 10 // requests per second per client address
	DefaultClientBurst    = 30
	DefaultShutdownGrace  = 90 * time.Second
	DefaultMaxPerClient   = 4
	DefaultMaxBatchFiles  = 100
	DefaultMaxBatchBytes  = 50 << 20
	// A body must arrive within UploadGrace plus one second per
	// MinUploadRate bytes; the bodies held by all requests together are
	// bounded by MaxBodyBytes.
	DefaultUploadGrace   = 10 * time.Second
	DefaultMinUploadRate = 16 << 10 // bytes per second
	DefaultMaxBodyBytes  = 128 << 20
	// DefaultMaxMemory bounds the estimated memory of the audits admitted
	// at once (see Config.MaxMemory).
	DefaultMaxMemory = 1 << 30
	// Per-request budgets on what one audit may produce.
	DefaultMaxWork        = 32_000 // courses × articulations (2,000 courses of 16)
	DefaultMaxBatchRows   = 20_000 // course rows of all the files of one batch
	DefaultMaxFindings    = 200_000
	DefaultMaxReportBytes = 64 << 20
)

// Config is the configuration of a server. Zero values take the defaults
// documented on each field; negative values switch an optional limit off
// where the field says so.
type Config struct {
	// PublicURL is the address users and Office reach the server at
	// (https://audit.regione.example); the add-in manifest's URLs are
	// built from it. Empty: derived from the listener (Serve).
	PublicURL string
	// Token, when set, is required as "Authorization: Bearer TOKEN" on
	// every /api/ endpoint but /api/info.
	Token string
	// CORSOrigins are the origins allowed to call the API from another
	// site. Empty: no cross-origin access.
	CORSOrigins []string
	// TrustedProxies are the addresses or networks (CIDR) of the reverse
	// proxies in front of the server: only from them is X-Forwarded-For
	// believed, for the client address of the access log, the rate limit
	// and the per-client share. Empty: the connection's address, always.
	TrustedProxies []string
	// MaxUpload bounds the uploaded file (default DefaultMaxUpload): a
	// larger one gets 413 naming the limit.
	MaxUpload int64
	// Limits bound what the xlsx may decompress to (default: 100 MiB in
	// all, 25 MiB per XML part, one million cells). Exceeding them is a
	// 422, refused before the workbook is parsed. InMemory is always set:
	// the server never writes an upload to a temporary file.
	Limits xlsxio.Limits
	// MaxBatchFiles and MaxBatchBytes bound one request to /api/batch
	// (default 100 files, 50 MiB in all); each of its files is bounded
	// like a single upload.
	MaxBatchFiles int
	MaxBatchBytes int64
	// RequestTimeout bounds a whole request (default 60 s); an audit not
	// finished by then answers 503.
	RequestTimeout time.Duration
	// MaxConcurrent bounds the audits running at once (default: the
	// number of CPUs). MaxQueue bounds the requests whose body is in and
	// that wait for a slot (default 16 per CPU), each for at most QueueWait (default 10 s);
	// beyond that the answer is 503 with Retry-After, never an unbounded
	// queue.
	MaxConcurrent int
	MaxQueue      int
	QueueWait     time.Duration
	// UploadGrace and MinUploadRate bound the time a request body may
	// take: UploadGrace plus one second per MinUploadRate bytes received
	// (defaults 10 s and 16 kB/s); a slower body is cut off with 408.
	// MaxBodyBytes bounds the bytes of request bodies all requests hold in
	// memory at once (default 128 MiB), counted as they arrive: past it
	// the answer is 503. An upload holds no place in the audit queue until
	// its body is in.
	UploadGrace   time.Duration
	MinUploadRate int64
	MaxBodyBytes  int64
	// MaxMemory bounds the estimated memory of the audits waiting or
	// running at once (default 1 GiB): an audit whose estimate (see
	// auditCost) does not fit beside the others gets 503 at once, one that
	// could never fit 413.
	MaxMemory int64
	// MaxWork, MaxFindings and MaxReportBytes bound what one audit may
	// produce: courses × articulations (default 32,000), findings (default
	// 200,000) and bytes of JSON report (default 64 MiB). Past them the
	// answer is 422 naming the limit. In a batch, a file past MaxWork, or
	// past MaxBatchRows course rows for the whole batch (default 20,000),
	// is listed as not audited.
	MaxWork        int
	MaxFindings    int
	MaxReportBytes int64
	MaxBatchRows   int
	// MaxPerClient bounds the audits one client address has uploading,
	// waiting or running (default 4): beyond it the answer is 429, so a
	// few slow uploads from one address cannot take the whole queue. A
	// negative value switches it off.
	MaxPerClient int
	// ClientRate and ClientBurst bound the requests per second of one
	// client address to the API (default 10/s, bursts of 30): beyond them
	// the answer is 429. A negative ClientRate switches it off.
	ClientRate  float64
	ClientBurst int
	// Version is the product version written in every stamp.
	Version string
	// Registry holds the rule packs (default: the embedded ones).
	Registry *compute.Registry
	// Logger receives the access log (method, path, status, size,
	// duration) and server errors, never any content of an upload.
	// Default: discard.
	Logger *slog.Logger
	// ShutdownGrace bounds how long a shutdown waits for the audits in
	// flight (default 90 s).
	ShutdownGrace time.Duration
}

// orDefault sets *v to def when it is not set (zero or negative).
func orDefault[T int | int64 | float64 | time.Duration](v *T, def T) {
	if *v <= 0 {
		*v = def
	}
}

func (c Config) withDefaults() (Config, error) {
	orDefault(&c.MaxUpload, DefaultMaxUpload)
	if c.Limits == (xlsxio.Limits{}) || c.Limits == (xlsxio.Limits{InMemory: true}) {
		c.Limits = xlsxio.Limits{UnzipSize: DefaultUnzipSize, UnzipXMLSize: DefaultUnzipXMLSize, MaxCells: DefaultMaxCells}
	}
	// Nothing of an upload is ever written to disk: parts above the XML
	// limit are refused instead of spilled to temporary files.
	c.Limits.InMemory = true
	orDefault(&c.MaxBatchFiles, DefaultMaxBatchFiles)
	orDefault(&c.MaxBatchBytes, DefaultMaxBatchBytes)
	orDefault(&c.RequestTimeout, DefaultRequestTimeout)
	cpus := runtime.GOMAXPROCS(0)
	orDefault(&c.MaxConcurrent, cpus)
	orDefault(&c.MaxQueue, 16*cpus)
	if c.MaxPerClient == 0 {
		c.MaxPerClient = DefaultMaxPerClient
	}
	orDefault(&c.UploadGrace, DefaultUploadGrace)
	orDefault(&c.MinUploadRate, DefaultMinUploadRate)
	orDefault(&c.MaxBodyBytes, DefaultMaxBodyBytes)
	orDefault(&c.MaxMemory, DefaultMaxMemory)
	orDefault(&c.MaxWork, DefaultMaxWork)
	orDefault(&c.MaxBatchRows, DefaultMaxBatchRows)
	orDefault(&c.MaxFindings, DefaultMaxFindings)
	orDefault(&c.MaxReportBytes, DefaultMaxReportBytes)
	orDefault(&c.QueueWait, DefaultQueueWait)
	if c.QueueWait > c.RequestTimeout {
		c.QueueWait = c.RequestTimeout
	}
	if c.ClientRate == 0 {
		c.ClientRate = DefaultClientRate
	}
	orDefault(&c.ClientBurst, DefaultClientBurst)
	orDefault(&c.ShutdownGrace, DefaultShutdownGrace)
	if c.Version == "" {
		c.Version = "dev"
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Registry == nil {
		reg, err := compute.LoadEmbedded()
		if err != nil {
			return c, fmt.Errorf("loading the rule packs: %w", err)
		}
		c.Registry = reg
	}
	if c.PublicURL != "" {
		u, err := url.Parse(c.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return c, fmt.Errorf("public URL %q: an absolute http(s) address is needed", c.PublicURL)
		}
		c.PublicURL = strings.TrimRight(u.String(), "/")
	}
	for _, p := range c.TrustedProxies {
		if _, err := parseNet(p); err != nil {
			return c, err
		}
	}
	for _, o := range c.CORSOrigins {
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
			return c, fmt.Errorf("CORS origin %q: an origin such as https://host[:port] is needed", o)
		}
	}
	return c, nil
}

// Server is the HTTP service. Create it with New; it is safe for
// concurrent use.
type Server struct {
	cfg  Config
	echo *echo.Echo
	gate *gate
	// publicURL is the configured public address or, once Serve knows
	// its listener, the listener's; empty until then (the manifest then
	// uses the request's own address).
	publicURL atomic.Pointer[string]
	// beforeAudit, when set (by tests only), runs in the audit's slot
	// before the workbook is read, with the audit's context.
	beforeAudit func(context.Context)
	zipLimit    int64 // when set (by tests only), replaces zipBudget's bound
	// copyWriter, when set (by tests only), wraps the answer the audited
	// copy is streamed to.
	copyWriter func(io.Writer) io.Writer
}

// New returns a server configured with cfg (defaults filled in).
func New(cfg Config) (*Server, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, gate: newGate(cfg.MaxConcurrent, cfg.MaxQueue, cfg.MaxPerClient, cfg.MaxBodyBytes, cfg.MaxMemory, cfg.QueueWait)}
	if cfg.PublicURL != "" {
		s.publicURL.Store(&cfg.PublicURL)
	}
	s.echo = s.routes()
	return s, nil
}

// Config returns the configuration in use, defaults filled in.
func (s *Server) Config() Config { return s.cfg }

// Handler returns the server's HTTP handler.
func (s *Server) Handler() http.Handler { return s.echo }

// httpServer returns the net/http server with timeouts that protect it from
// slow clients.
func (s *Server) httpServer(tlsConfig *tls.Config) *http.Server {
	return &http.Server{
		Handler:           s.echo,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       s.cfg.RequestTimeout,
		WriteTimeout:      s.cfg.RequestTimeout + 10*time.Second,
		IdleTimeout:       2 * time.Minute,
		// net/http's own limit is above the server's (maxHeaderBytes),
		// which the handler checks, so that a client past it gets the
		// API's JSON; past net/http's, jsonErrorConn rewrites its answer
		// (plain HTTP only).
		MaxHeaderBytes: 2 * maxHeaderBytes,
		TLSConfig:      tlsConfig,
		ErrorLog:       slog.NewLogLogger(s.cfg.Logger.Handler(), slog.LevelWarn),
	}
}

// Serve answers on ln until ctx is done, then stops accepting connections
// and waits (up to ShutdownGrace) for the requests in flight to finish.
// With a certificate and key it serves HTTPS.
func (s *Server) Serve(ctx context.Context, ln net.Listener, certFile, keyFile string) error {
	useTLS := certFile != "" || keyFile != ""
	if useTLS && (certFile == "" || keyFile == "") {
		return errors.New("TLS needs both a certificate and a key")
	}
	var tlsConfig *tls.Config
	if useTLS {
		cert, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return fmt.Errorf("loading the TLS certificate: %w", err)
		}
		tlsConfig = &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}
	}
	if s.PublicURL() == "" {
		u := listenerURL(ln.Addr(), useTLS)
		s.publicURL.Store(&u)
	}
	hs := s.httpServer(tlsConfig)
	errc := make(chan error, 1)
	go func() {
		if useTLS {
			errc <- hs.ServeTLS(ln, "", "")
		} else {
			errc <- hs.Serve(jsonErrorListener{ln})
		}
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownGrace)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutting down: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// PublicURL is the address the manifest's URLs are built from.
func (s *Server) PublicURL() string {
	if p := s.publicURL.Load(); p != nil {
		return *p
	}
	return ""
}

// parseNet reads a trusted proxy: an address or a CIDR network.
func parseNet(s string) (*net.IPNet, error) {
	if _, n, err := net.ParseCIDR(s); err == nil {
		return n, nil
	}
	ip := net.ParseIP(s)
	if ip == nil {
		return nil, fmt.Errorf("trusted proxy %q: an IP address or a CIDR network is needed", s)
	}
	bits := 128
	if ip4 := ip.To4(); ip4 != nil {
		ip, bits = ip4, 32
	}
	return &net.IPNet{IP: ip, Mask: net.CIDRMask(bits, bits)}, nil
}

// listenerURL is the address of a listener as a URL, with localhost for
// the unspecified address.
func listenerURL(a net.Addr, useTLS bool) string {
	scheme := "http"
	if useTLS {
		scheme = "https"
	}
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return scheme + "://" + a.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	}
	return scheme + "://" + net.JoinHostPort(host, port)
}
