package server

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/its-academy/auditor/compute"
	"github.com/its-academy/auditor/web"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"golang.org/x/time/rate"
)

// Content-Security-Policy of each kind of answer. The task pane may be
// framed by Office's hosts (Excel on the web, Office desktop's web views)
// and loads office.js from Microsoft's CDN, the only external script.
const (
	officeFrameAncestors = "https://*.office.com https://*.office365.com https://*.officeapps.live.com " +
		"https://*.microsoft.com https://*.microsoft365.com https://*.sharepoint.com https://*.cloud.microsoft"
	officeScripts = "https://appsforoffice.microsoft.com"

	cspPage = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
		"connect-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'self'"
	cspTaskpane = "default-src 'self'; script-src 'self' " + officeScripts + "; style-src 'self'; img-src 'self' data:; " +
		"font-src 'self'; connect-src 'self' " + officeScripts + "; form-action 'self'; base-uri 'none'; object-src 'none'; " +
		"frame-ancestors 'self' " + officeFrameAncestors
	cspAPI = "default-src 'none'; frame-ancestors 'none'"
)

func (s *Server) routes() *echo.Echo {
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.HTTPErrorHandler = s.errorHandler
	e.JSONSerializer = plainJSON{}
	e.IPExtractor = s.ipExtractor()

	e.Use(s.requestID, s.accessLog, s.headerLimit, s.securityHeaders, middleware.Recover())

	// HEAD is answered wherever GET is.
	get := func(path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) {
		e.Match([]string{http.MethodGet, http.MethodHead}, path, h, m...)
	}
	get("/healthz", s.healthz)
	get("/", s.page("index.html"))
	get("/regione", s.page("regione.html"))
	get("/addin/taskpane.html", s.page("taskpane.html"))
	get("/addin/manifest.xml", s.manifest)
	get("/modello.xlsx", s.template)
	get("/privacy", s.page("privacy.html"))
	get("/accessibilita", s.page("accessibilita.html"))
	if staticFS, err := fs.Sub(web.FS(), "static"); err == nil {
		get("/static/*", staticFiles(staticFS))
	}

	// The API's middleware runs for every /api/ path, routed or not (a
	// group's middleware would turn a wrong method into a 404).
	notAPI := func(c echo.Context) bool { return !strings.HasPrefix(c.Request().URL.Path, "/api/") }
	if len(s.cfg.CORSOrigins) > 0 {
		e.Use(middleware.CORSWithConfig(middleware.CORSConfig{
			Skipper:       notAPI,
			AllowOrigins:  s.cfg.CORSOrigins,
			AllowMethods:  []string{http.MethodGet, http.MethodPost},
			AllowHeaders:  []string{echo.HeaderAuthorization, echo.HeaderContentType, "X-File-Name"},
			ExposeHeaders: []string{echo.HeaderContentDisposition, "Retry-After"},
			MaxAge:        600,
		}))
	}
	if s.cfg.ClientRate > 0 {
		e.Use(middleware.RateLimiterWithConfig(middleware.RateLimiterConfig{
			Skipper: notAPI,
			Store: middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
				Rate: rate.Limit(s.cfg.ClientRate), Burst: s.cfg.ClientBurst, ExpiresIn: 3 * time.Minute,
			}),
			IdentifierExtractor: func(c echo.Context) (string, error) { return c.RealIP(), nil },
			DenyHandler: func(c echo.Context, _ string, _ error) error {
				e := apiErr(http.StatusTooManyRequests, CodeTooManyRequests, "Troppe richieste da questo indirizzo: riprovare tra qualche secondo.")
				e.retryAfter = 1
				return e
			},
		}))
	}
	get("/api/info", s.info)
	e.POST("/api/audit", s.audit, s.auth)
	e.POST("/api/batch", s.batchAudit, s.auth)
	e.POST("/api/verify", s.verify, s.auth)
	return e
}

// plainJSON writes JSON as the report does: no HTML escaping of the
// Italian messages' «>» and «&» (the answers are never HTML).
type plainJSON struct{}

func (plainJSON) Serialize(c echo.Context, v any, indent string) error {
	enc := json.NewEncoder(c.Response())
	enc.SetEscapeHTML(false)
	if indent != "" {
		enc.SetIndent("", indent)
	}
	return enc.Encode(v)
}

func (plainJSON) Deserialize(c echo.Context, v any) error {
	if err := json.NewDecoder(c.Request().Body).Decode(v); err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, "invalid JSON").SetInternal(err)
	}
	return nil
}

// securityHeaders sets the headers every answer carries, and the CSP of
// its kind. No X-Frame-Options on the task pane: Office frames it, and the
// CSP's frame-ancestors says by whom.
func (s *Server) securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
		if c.Request().TLS != nil {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		path := c.Request().URL.Path
		switch {
		case strings.HasPrefix(path, "/api/"), path == "/healthz", path == "/addin/manifest.xml":
			h.Set("Content-Security-Policy", cspAPI)
			h.Set("X-Frame-Options", "DENY")
			h.Set("Cache-Control", "no-store")
		case path == "/addin/taskpane.html":
			h.Set("Content-Security-Policy", cspTaskpane)
		default:
			h.Set("Content-Security-Policy", cspPage)
			h.Set("X-Frame-Options", "SAMEORIGIN")
		}
		return next(c)
	}
}

// ipExtractor is the client address as the server sees it: the
// connection's, or, from a configured proxy only, the last address of
// X-Forwarded-For that is not itself a trusted proxy.
func (s *Server) ipExtractor() echo.IPExtractor {
	if len(s.cfg.TrustedProxies) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, p := range s.cfg.TrustedProxies {
		if n, err := parseNet(p); err == nil {
			opts = append(opts, echo.TrustIPRange(n))
		}
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

// requestIDKey holds a request's id in its echo context.
const requestIDKey = "request_id"

// requestID gives every request a random id, sent back as X-Request-Id
// (and in every error's JSON) and written in the access log, so that a
// user's report and an abuse can be found in the log.
func (s *Server) requestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		var b [8]byte
		_, _ = rand.Read(b[:])
		id := hex.EncodeToString(b[:])
		c.Set(requestIDKey, id)
		c.Response().Header().Set("X-Request-Id", id)
		return next(c)
	}
}

// accessLog records request id, client address (as the server sees it),
// method, path, status, size and duration: nothing of the query, the
// other headers or the body of a request.
func (s *Server) accessLog(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		res := c.Response()
		id, _ := c.Get(requestIDKey).(string)
		s.cfg.Logger.Info("request", "request_id", id, "client", c.RealIP(), "method", c.Request().Method, "path", c.Request().URL.Path,
			"status", res.Status, "bytes", res.Size, "duration_ms", float64(time.Since(start).Microseconds())/1000)
		return nil
	}
}

// headerLimit refuses a request whose line and headers exceed
// maxHeaderBytes, with the API's JSON.
func (s *Server) headerLimit(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if headerSize(c.Request()) > maxHeaderBytes {
			return headersTooLarge()
		}
		return next(c)
	}
}

// auth requires the configured bearer token, compared in constant time;
// the scheme is matched without regard to case (RFC 9110 §11.1).
func (s *Server) auth(next echo.HandlerFunc) echo.HandlerFunc {
	if s.cfg.Token == "" {
		return next
	}
	want := []byte(s.cfg.Token)
	return func(c echo.Context) error {
		scheme, token, _ := strings.Cut(strings.TrimSpace(c.Request().Header.Get(echo.HeaderAuthorization)), " ")
		if !strings.EqualFold(scheme, "Bearer") || subtle.ConstantTimeCompare([]byte(strings.TrimSpace(token)), want) != 1 {
			return apiErr(http.StatusUnauthorized, CodeUnauthorized, "Token di accesso mancante o non valido: indicarlo come «Authorization: Bearer …».")
		}
		return next(c)
	}
}

// staticFiles serves the embedded static files, never a directory
// listing: a directory, or anything not found, is a 404 in JSON.
func staticFiles(fsys fs.FS) echo.HandlerFunc {
	return func(c echo.Context) error {
		name := strings.TrimPrefix(path.Clean("/"+c.Param("*")), "/")
		if name == "" || !fs.ValidPath(name) {
			return echo.ErrNotFound
		}
		st, err := fs.Stat(fsys, name)
		if err != nil || st.IsDir() {
			return echo.ErrNotFound
		}
		http.ServeFileFS(c.Response(), c.Request(), fsys, name)
		return nil
	}
}

// page serves one of the site's pages, rendered once.
func (s *Server) page(name string) echo.HandlerFunc {
	data, err := web.Page(name)
	return func(c echo.Context) error {
		if err != nil {
			return err
		}
		c.Response().Header().Set("Cache-Control", "no-cache")
		return c.Blob(http.StatusOK, "text/html; charset=utf-8", data)
	}
}

// manifest renders the add-in manifest with the public address's URLs.
func (s *Server) manifest(c echo.Context) error {
	base := s.PublicURL()
	if base == "" {
		base = c.Scheme() + "://" + c.Request().Host
	}
	data, err := web.Manifest(base, s.cfg.Version)
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, "application/xml; charset=utf-8", data)
}

// Info is the answer of GET /api/info: what a client needs to know before
// uploading.
type Info struct {
	Version        string          `json:"version"`
	MaxUploadBytes int64           `json:"max_upload_bytes"`
	TokenRequired  bool            `json:"token_required"`
	Readings       []string        `json:"readings"`
	DefaultReading compute.Reading `json:"default_reading"`
	// The choices of the current rule pack, for the page's controls.
	ReadingDefs     []compute.ReadingDef     `json:"reading_definitions"`
	Errata          []compute.Erratum        `json:"errata"`
	Interpretations []compute.Interpretation `json:"interpretations"`
	// Bands are the pack's outcome bands with the totals where they
	// change, for the pages' badges and charts.
	Bands *InfoBands `json:"bands"`
}

func (s *Server) info(c echo.Context) error {
	info := Info{
		Version:        s.cfg.Version,
		MaxUploadBytes: s.cfg.MaxUpload,
		TokenRequired:  s.cfg.Token != "",
		Readings:       []string{},
	}
	if p := s.currentPack(); p != nil {
		for _, r := range p.Readings {
			info.Readings = append(info.Readings, string(r.ID))
		}
		info.DefaultReading = p.DefaultReading()
		info.ReadingDefs, info.Errata, info.Interpretations = p.Readings, p.Errata, p.Interpretations
		if b, err := infoBands(p.Bands, p.Scale); err == nil {
			info.Bands = &b
		}
	}
	return c.JSON(http.StatusOK, info)
}

// currentPack is the pack of the courses audited today: the one that
// applies to EQF V courses ending now, else the first loaded.
func (s *Server) currentPack() *compute.Pack {
	if s.cfg.Registry == nil || len(s.cfg.Registry.Packs()) == 0 {
		return nil
	}
	if p, err := s.cfg.Registry.ForCourse(5, time.Now()); err == nil {
		return p
	}
	return s.cfg.Registry.Packs()[0]
}

// Health is the answer of GET /healthz.
type Health struct {
	Status    string `json:"status"`
	Version   string `json:"version"`
	Running   int    `json:"audits_running"`
	Waiting   int    `json:"audits_waiting"`
	Uploading int    `json:"uploads"`
	// BodyBytes and MemoryBytes are the bytes of request bodies held and
	// the estimated memory of the audits admitted.
	BodyBytes   int64 `json:"body_bytes"`
	MemoryBytes int64 `json:"memory_bytes"`
}

func (s *Server) healthz(c echo.Context) error {
	g := s.gate.state()
	return c.JSON(http.StatusOK, Health{Status: "ok", Version: s.cfg.Version, Running: g.running, Waiting: g.waiting,
		Uploading: g.uploading, BodyBytes: g.bodyBytes, MemoryBytes: g.memBytes})
}
