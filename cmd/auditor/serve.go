package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/its-academy/auditor/server"
	"github.com/its-academy/auditor/xlsxio"
)

// listFlag collects a repeatable flag.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error {
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			*l = append(*l, v)
		}
	}
	return nil
}

// tuneGC trades memory for throughput in the server, unless the operator
// chose with GOGC or GOMEMLIMIT: an audit allocates a few megabytes that
// die at once, so collecting less often saves CPU, and the soft memory
// limit brings the collector back before the process grows large.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(768 << 20)
	}
}

// runServe starts the HTTP server: auditor serve [--addr HOST:PORT]
// [--public-url URL] [--tls-cert F --tls-key F] [--token-file F]
// [--cors-origin URL]… [limits]. It stops on SIGINT/SIGTERM after the
// audits in flight finish.
func (m *Main) runServe(ctx context.Context, args []string) error {
	fs := newFlags("serve")
	addr := fs.String("addr", "127.0.0.1:8080", "")
	publicURL := fs.String("public-url", "", "")
	certFile := fs.String("tls-cert", "", "")
	keyFile := fs.String("tls-key", "", "")
	tokenFile := fs.String("token-file", "", "")
	var origins listFlag
	fs.Var(&origins, "cors-origin", "")
	var proxies listFlag
	fs.Var(&proxies, "trusted-proxy", "")
	maxUploadMB := fs.Float64("max-upload-mb", float64(server.DefaultMaxUpload)/(1<<20), "")
	maxUnzipMB := fs.Float64("max-unzip-mb", float64(server.DefaultUnzipSize)/(1<<20), "")
	maxXMLMB := fs.Float64("max-xml-mb", float64(server.DefaultUnzipXMLSize)/(1<<20), "")
	maxCells := fs.Int64("max-cells", server.DefaultMaxCells, "")
	timeout := fs.Duration("timeout", server.DefaultRequestTimeout, "")
	concurrent := fs.Int("max-concurrent", 0, "")
	queue := fs.Int("max-queue", 0, "")
	clientRate := fs.Float64("client-rate", server.DefaultClientRate, "")
	perClient := fs.Int("max-per-client", server.DefaultMaxPerClient, "")
	uploadGrace := fs.Duration("upload-grace", server.DefaultUploadGrace, "")
	minRateKB := fs.Float64("min-upload-kb", float64(server.DefaultMinUploadRate)/(1<<10), "")
	maxBodyMB := fs.Float64("max-body-mb", float64(server.DefaultMaxBodyBytes)/(1<<20), "")
	maxMemoryMB := fs.Float64("max-memory-mb", float64(server.DefaultMaxMemory)/(1<<20), "")
	maxWork := fs.Int("max-work", server.DefaultMaxWork, "")
	maxFindings := fs.Int("max-findings", server.DefaultMaxFindings, "")
	maxBatchRows := fs.Int("max-batch-rows", server.DefaultMaxBatchRows, "")
	maxReportMB := fs.Float64("max-report-mb", float64(server.DefaultMaxReportBytes)/(1<<20), "")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return &usageError{"auditor serve non accetta argomenti posizionali: " + strings.Join(pos, " ")}
	}
	for name, v := range map[string]float64{"max-upload-mb": *maxUploadMB, "max-unzip-mb": *maxUnzipMB, "max-xml-mb": *maxXMLMB,
		"min-upload-kb": *minRateKB, "max-body-mb": *maxBodyMB, "max-memory-mb": *maxMemoryMB, "max-report-mb": *maxReportMB,
		"max-work": float64(*maxWork), "max-findings": float64(*maxFindings), "max-batch-rows": float64(*maxBatchRows), "upload-grace": uploadGrace.Seconds()} {
		if v <= 0 {
			return &usageError{fmt.Sprintf("--%s deve essere maggiore di zero", name)}
		}
	}
	if *maxCells <= 0 || *timeout <= 0 || *concurrent < 0 || *queue < 0 {
		return &usageError{"--max-cells e --timeout devono essere positivi, --max-concurrent e --max-queue non negativi"}
	}
	// The token comes from a file or the environment, never from the
	// command line, where other users of the machine could read it.
	token := strings.TrimSpace(os.Getenv("AUDITOR_TOKEN"))
	if *tokenFile != "" {
		b, err := os.ReadFile(*tokenFile)
		if err != nil {
			return fmt.Errorf("lettura del token: %w", err)
		}
		token = strings.TrimSpace(string(b))
		if token == "" {
			return &usageError{"il file del token è vuoto"}
		}
	}
	rate := *clientRate
	if rate == 0 {
		rate = -1 // 0 on the command line switches the per-client limit off
	}
	held := *perClient
	if held == 0 {
		held = -1 // likewise
	}
	tuneGC()
	logger := slog.New(slog.NewTextHandler(m.Stderr, nil))
	srv, err := server.New(server.Config{
		PublicURL:      *publicURL,
		Token:          token,
		CORSOrigins:    origins,
		TrustedProxies: proxies,
		MaxUpload:      int64(*maxUploadMB * (1 << 20)),
		Limits: xlsxio.Limits{
			UnzipSize:    int64(*maxUnzipMB * (1 << 20)),
			UnzipXMLSize: int64(*maxXMLMB * (1 << 20)),
			MaxCells:     *maxCells,
		},
		RequestTimeout: *timeout,
		MaxConcurrent:  *concurrent,
		MaxQueue:       *queue,
		ClientRate:     rate,
		MaxPerClient:   held,
		UploadGrace:    *uploadGrace,
		MinUploadRate:  int64(*minRateKB * (1 << 10)),
		MaxBodyBytes:   int64(*maxBodyMB * (1 << 20)),
		MaxMemory:      int64(*maxMemoryMB * (1 << 20)),
		MaxWork:        *maxWork,
		MaxFindings:    *maxFindings,
		MaxBatchRows:   *maxBatchRows,
		MaxReportBytes: int64(*maxReportMB * (1 << 20)),
		Version:        Version,
		Logger:         logger,
	})
	if err != nil {
		return &usageError{err.Error()}
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("ascolto su %s: %w", *addr, err)
	}
	scheme := "http"
	if *certFile != "" {
		scheme = "https"
	}
	fmt.Fprintf(m.Stdout, "auditor %s in ascolto su %s://%s (pagina: /, API: /api/audit, componente aggiuntivo: /addin/manifest.xml)\n",
		Version, scheme, ln.Addr())
	start := time.Now()
	err = srv.Serve(ctx, ln, *certFile, *keyFile)
	logger.Info("server stopped", "uptime_s", int(time.Since(start).Seconds()))
	return err
}
