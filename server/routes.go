package server

import (
	"crypto/subtle"
	"encoding/json"
	"io/fs"
	"net/http"
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
	// Client addresses come from the connection, never from headers a
	// client can forge.
	e.IPExtractor = echo.ExtractIPDirect()

	e.Use(s.accessLog, s.securityHeaders, middleware.Recover())

	e.GET("/healthz", s.healthz)
	static := web.FS()
	e.GET("/", s.file(static, "index.html"))
	e.GET("/regione", s.file(static, "regione.html"))
	e.GET("/addin/taskpane.html", s.file(static, "taskpane.html"))
	e.GET("/addin/manifest.xml", s.manifest)
	e.GET("/modello.xlsx", s.template)
	e.GET("/privacy", s.file(static, "privacy.html"))
	e.GET("/accessibilita", s.file(static, "accessibilita.html"))
	staticFS, err := fs.Sub(static, "static")
	if err == nil {
		e.GET("/static/*", echo.WrapHandler(http.StripPrefix("/static/", http.FileServerFS(staticFS))))
	}

	api := e.Group("/api")
	if len(s.cfg.CORSOrigins) > 0 {
		api.Use(middleware.CORSWithConfig(middleware.CORSConfig{
			AllowOrigins:  s.cfg.CORSOrigins,
			AllowMethods:  []string{http.MethodGet, http.MethodPost},
			AllowHeaders:  []string{echo.HeaderAuthorization, echo.HeaderContentType, "X-File-Name"},
			ExposeHeaders: []string{echo.HeaderContentDisposition, "Retry-After"},
			MaxAge:        600,
		}))
	}
	if s.cfg.ClientRate > 0 {
		api.Use(middleware.RateLimiterWithConfig(middleware.RateLimiterConfig{
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
	api.GET("/info", s.info)
	api.POST("/audit", s.audit, s.auth)
	api.POST("/batch", s.batchAudit, s.auth)
	api.POST("/verify", s.verify, s.auth)
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

// accessLog records method, path, status, size and duration: nothing of
// the query, the headers or the body of a request.
func (s *Server) accessLog(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		res := c.Response()
		s.cfg.Logger.Info("request", "method", c.Request().Method, "path", c.Request().URL.Path,
			"status", res.Status, "bytes", res.Size, "duration_ms", float64(time.Since(start).Microseconds())/1000)
		return nil
	}
}

// auth requires the configured bearer token, compared in constant time.
func (s *Server) auth(next echo.HandlerFunc) echo.HandlerFunc {
	if s.cfg.Token == "" {
		return next
	}
	want := []byte("Bearer " + s.cfg.Token)
	return func(c echo.Context) error {
		got := []byte(c.Request().Header.Get(echo.HeaderAuthorization))
		if subtle.ConstantTimeCompare(got, want) != 1 {
			return apiErr(http.StatusUnauthorized, CodeUnauthorized, "Token di accesso mancante o non valido: indicarlo come «Authorization: Bearer …».")
		}
		return next(c)
	}
}

// file serves one embedded page.
func (s *Server) file(fsys fs.FS, name string) echo.HandlerFunc {
	return func(c echo.Context) error {
		data, err := fs.ReadFile(fsys, name)
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
		if b, err := infoBands(p.Bands); err == nil {
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
	Status  string `json:"status"`
	Version string `json:"version"`
	Running int    `json:"audits_running"`
	Waiting int    `json:"audits_waiting"`
}

func (s *Server) healthz(c echo.Context) error {
	running, waiting := s.gate.busy()
	return c.JSON(http.StatusOK, Health{Status: "ok", Version: s.cfg.Version, Running: running, Waiting: waiting})
}
