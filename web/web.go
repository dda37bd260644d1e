// Package web holds the browser side of `auditor serve`: the upload page, the
// Excel task pane, their scripts and styles, the vendored design system
// (Bootstrap Italia) and the Office add-in manifest. Everything is embedded in
// the binary, so the server needs no file system and users' browsers load
// nothing from a CDN; the one exception is office.js, which Office requires
// from Microsoft and which the task pane does without when it cannot load.
package web

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"text/template"
)

//go:embed taskpane.html static
var files embed.FS

//go:embed manifest.xml.tmpl
var manifestSource string

// FS returns the embedded files: taskpane.html (the task pane's markup) and
// everything under static/ (served at /static/...). The pages are rendered
// by Page.
func FS() fs.FS { return files }

// AddinID is the Office add-in's fixed identifier: Office recognises an
// add-in across versions and servers by it.
const AddinID = "6f1c2b7e-4d0a-4c39-9a52-2e8b1d7f3c64"

// ErrPublicURL is wrapped by Manifest's error when the public address is not
// an absolute http(s) URL.
var ErrPublicURL = errors.New("indirizzo pubblico non valido")

var manifestTemplate = template.Must(template.New("manifest").Option("missingkey=error").Parse(manifestSource))

// Manifest renders the XML manifest of the Office task-pane add-in for Excel.
// publicURL is the address at which users' Office reaches the server (Office
// requires https; http is accepted for local tests); every URL in the
// manifest is built from it. version is the product version; the manifest
// needs four numbers (X.Y.Z.W), taken from its leading numbers ("0.1.0-dev" →
// 0.1.0.0), or 1.0.0.0 when it has none.
func Manifest(publicURL, version string) ([]byte, error) {
	base, origin, err := parsePublicURL(publicURL)
	if err != nil {
		return nil, err
	}
	data := map[string]string{
		"ID":      AddinID,
		"Version": manifestVersion(version),
		"Base":    xmlEscape(base),
		"Origin":  xmlEscape(origin),
	}
	var buf bytes.Buffer
	if err := manifestTemplate.Execute(&buf, data); err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	return buf.Bytes(), nil
}

// parsePublicURL checks that raw is an absolute http(s) URL without query or
// fragment and returns it without the trailing slash, and its origin.
func parsePublicURL(raw string) (base, origin string, err error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return "", "", fmt.Errorf("%w: %q: %v", ErrPublicURL, raw, err)
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return "", "", fmt.Errorf("%w: %q: serve un indirizzo http o https (Office richiede https)", ErrPublicURL, raw)
	}
	if u.Host == "" || u.Hostname() == "" {
		return "", "", fmt.Errorf("%w: %q: manca il nome del server", ErrPublicURL, raw)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return "", "", fmt.Errorf("%w: %q: l'indirizzo non deve avere credenziali, parametri o frammenti", ErrPublicURL, raw)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	origin = u.Scheme + "://" + u.Host
	return origin + u.EscapedPath(), origin, nil
}

var leadingNumbers = regexp.MustCompile(`^[vV]?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.(\d+))?`)

// manifestVersion turns a product version into the manifest's X.Y.Z.W, each
// part at most 65535 (the schema allows five digits; Office reads 16 bits).
func manifestVersion(v string) string {
	m := leadingNumbers.FindStringSubmatch(strings.TrimSpace(v))
	if m == nil {
		return "1.0.0.0"
	}
	parts := make([]string, 4)
	for i := range parts {
		n, err := strconv.Atoi(m[i+1])
		if err != nil || n < 0 {
			n = 0
		}
		if n > 65535 {
			n = 65535
		}
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, ".")
}

var xmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;")

// xmlEscape escapes s for XML text and attribute values.
func xmlEscape(s string) string { return xmlEscaper.Replace(s) }
