package web

import (
	"encoding/xml"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/its-academy/auditor/testkit"
)

const officeJS = "https://appsforoffice.microsoft.com/lib/1/hosted/office.js"

var (
	scriptTag   = regexp.MustCompile(`(?is)<script\b([^>]*)>(.*?)</script>`)
	styleTag    = regexp.MustCompile(`(?is)<style\b`)
	styleAttr   = regexp.MustCompile(`(?is)\sstyle\s*=`)
	eventAttr   = regexp.MustCompile(`(?is)<[^>]+\son[a-z]+\s*=`)
	srcHref     = regexp.MustCompile(`(?is)\s(?:src|href)\s*=\s*"([^"]*)"`)
	jsImport    = regexp.MustCompile(`(?m)^\s*import\s+(?:[^'"]*\sfrom\s+)?['"]([^'"]+)['"]`)
	cssURL      = regexp.MustCompile(`url\(\s*['"]?([^'")]+)['"]?\s*\)`)
	javascriptU = regexp.MustCompile(`(?i)javascript:`)
)

// served maps a URL path of the server to the embedded file it serves.
func served(urlPath string) (string, bool) {
	switch {
	case urlPath == "/":
		return "index.html", true
	case urlPath == "/regione":
		return "regione.html", true
	case urlPath == "/addin/taskpane.html":
		return "taskpane.html", true
	case urlPath == "/privacy":
		return "privacy.html", true
	case urlPath == "/accessibilita":
		return "accessibilita.html", true
	case strings.HasPrefix(urlPath, "/static/"):
		return strings.TrimPrefix(urlPath, "/"), true
	}
	return "", false
}

// TestPagesUseOnlyEmbeddedAssets checks the CSP contract of both pages: no
// inline script, style or event handler, and every script, stylesheet,
// image and link either an embedded file, a server route, or (task pane
// only) office.js from Microsoft's CDN; and, transitively, that every module
// a script imports and every file a stylesheet refers to is embedded.
func TestPagesUseOnlyEmbeddedAssets(t *testing.T) {
	routes := map[string]bool{"/addin/manifest.xml": true, "#main": true, "/modello.xlsx": true}
	for _, page := range []string{"index.html", "regione.html", "taskpane.html", "privacy.html", "accessibilita.html"} {
		html := mustPage(t, page)
		if styleTag.MatchString(html) || styleAttr.MatchString(html) {
			t.Errorf("%s: inline style", page)
		}
		if eventAttr.MatchString(html) || javascriptU.MatchString(html) {
			t.Errorf("%s: inline event handler or javascript: URL", page)
		}
		if !strings.Contains(html, `<html lang="it">`) {
			t.Errorf("%s: not declared Italian", page)
		}
		for _, m := range scriptTag.FindAllStringSubmatch(html, -1) {
			if strings.TrimSpace(m[2]) != "" {
				t.Errorf("%s: inline script %q", page, m[0])
			}
			if !strings.Contains(m[1], "src=") {
				t.Errorf("%s: script without src: %q", page, m[0])
			}
		}
		for _, m := range srcHref.FindAllStringSubmatch(html, -1) {
			ref := m[1]
			switch {
			case ref == officeJS:
				if page != "taskpane.html" {
					t.Errorf("%s loads office.js: only the task pane may", page)
				}
			case routes[ref]:
			case strings.HasPrefix(ref, "/"):
				file, ok := served(strings.SplitN(ref, "#", 2)[0])
				if !ok {
					t.Errorf("%s: %s is not a route of the server", page, ref)
					continue
				}
				if err := embedded(file); err != nil {
					t.Errorf("%s: %s is not embedded: %v", page, ref, err)
				}
			default:
				t.Errorf("%s: reference %q is neither embedded nor allowed", page, ref)
			}
		}
	}
	if n := strings.Count(mustPage(t, "taskpane.html"), officeJS); n != 1 {
		t.Errorf("taskpane.html loads office.js %d times, want once", n)
	}

	// Modules import only embedded modules; stylesheets only embedded files
	// (or data: images).
	err := fs.WalkDir(FS(), "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		switch path.Ext(p) {
		case ".js":
			for _, m := range jsImport.FindAllStringSubmatch(mustRead(t, p), -1) {
				target := path.Join(path.Dir(p), m[1])
				if !strings.HasPrefix(m[1], "./") {
					t.Errorf("%s imports %q: only relative embedded modules", p, m[1])
				} else if _, err := fs.Stat(FS(), target); err != nil {
					t.Errorf("%s imports %s, not embedded", p, target)
				}
			}
		case ".css":
			for _, m := range cssURL.FindAllStringSubmatch(mustRead(t, p), -1) {
				ref := m[1]
				if strings.HasPrefix(ref, "data:image/") {
					continue
				}
				if strings.HasPrefix(ref, "data:") || strings.Contains(ref, "://") || strings.HasPrefix(ref, "//") {
					t.Errorf("%s refers to %.60q: not allowed by the CSP", p, ref)
					continue
				}
				target := path.Join(path.Dir(p), strings.SplitN(strings.SplitN(ref, "#", 2)[0], "?", 2)[0])
				if _, err := fs.Stat(FS(), target); err != nil && !strings.HasPrefix(p, "static/vendor/") {
					t.Errorf("%s refers to %s, not embedded", p, target)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"static/app.js", "static/taskpane.js", "static/report.js", "static/icons/icon-16.png",
		"static/icons/icon-32.png", "static/icons/icon-64.png", "static/icons/icon-80.png",
		"static/vendor/bootstrap-italia/LICENSE", "static/vendor/bootstrap-italia/css/bootstrap-italia.min.css"} {
		if _, err := fs.Stat(FS(), f); err != nil {
			t.Errorf("%s is not embedded", f)
		}
	}
}

// mustPage returns a page as the server serves it.
func mustPage(t *testing.T, name string) string {
	t.Helper()
	data, err := Page(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// embedded reports whether a file the server serves (a page or a file
// under static/) is in the binary.
func embedded(file string) error {
	if path.Ext(file) == ".html" {
		_, err := Page(file)
		return err
	}
	_, err := fs.Stat(FS(), file)
	return err
}

func mustRead(t *testing.T, name string) string {
	t.Helper()
	data, err := fs.ReadFile(FS(), name)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// manifestDoc is the part of the manifest the tests read.
type manifestDoc struct {
	XMLName     xml.Name `xml:"OfficeApp"`
	ID          string   `xml:"Id"`
	Version     string   `xml:"Version"`
	DisplayName struct {
		Value string `xml:"DefaultValue,attr"`
	} `xml:"DisplayName"`
	Source struct {
		Value string `xml:"DefaultValue,attr"`
	} `xml:"DefaultSettings>SourceLocation"`
	AppDomains []string `xml:"AppDomains>AppDomain"`
	Hosts      []struct {
		Name string `xml:"Name,attr"`
	} `xml:"Hosts>Host"`
	Sets []struct {
		Name       string `xml:"Name,attr"`
		MinVersion string `xml:"MinVersion,attr"`
	} `xml:"Requirements>Sets>Set"`
	Images []struct {
		ID    string `xml:"id,attr"`
		Value string `xml:"DefaultValue,attr"`
	} `xml:"VersionOverrides>Resources>Images>Image"`
	Urls []struct {
		ID    string `xml:"id,attr"`
		Value string `xml:"DefaultValue,attr"`
	} `xml:"VersionOverrides>Resources>Urls>Url"`
}

var absoluteURL = regexp.MustCompile(`https?://[^"<\s]+`)

func TestManifest(t *testing.T) {
	out, err := Manifest("https://audit.regione.example/its/", "1.4.2")
	if err != nil {
		t.Fatal(err)
	}
	var doc manifestDoc
	if err := xml.Unmarshal(out, &doc); err != nil {
		t.Fatalf("manifest is not XML: %v\n%s", err, out)
	}
	if doc.ID != AddinID || doc.Version != "1.4.2.0" {
		t.Errorf("Id %q Version %q", doc.ID, doc.Version)
	}
	if doc.Source.Value != "https://audit.regione.example/its/addin/taskpane.html" {
		t.Errorf("SourceLocation %q", doc.Source.Value)
	}
	if len(doc.AppDomains) != 1 || doc.AppDomains[0] != "https://audit.regione.example" {
		t.Errorf("AppDomains %v", doc.AppDomains)
	}
	if len(doc.Hosts) != 1 || doc.Hosts[0].Name != "Workbook" {
		t.Errorf("Hosts %v: want Excel (Workbook) only", doc.Hosts)
	}
	if len(doc.Sets) != 1 || doc.Sets[0].Name != "ExcelApi" || doc.Sets[0].MinVersion > "1.13" {
		t.Errorf("requirement sets %v: want ExcelApi at most 1.13", doc.Sets)
	}
	if len(doc.Images) != 3 || len(doc.Urls) == 0 {
		t.Errorf("resources: %d images, %d URLs", len(doc.Images), len(doc.Urls))
	}
	// Every URL comes from the public address and names an embedded file or
	// a page of the server.
	for _, u := range absoluteURL.FindAllString(string(out), -1) {
		if strings.HasPrefix(u, "http://schemas.microsoft.com/") || strings.HasPrefix(u, "http://www.w3.org/") {
			continue
		}
		if u == "https://audit.regione.example" { // the AppDomain
			continue
		}
		rest, ok := strings.CutPrefix(u, "https://audit.regione.example/its")
		if !ok {
			t.Errorf("URL %s is not under the public address", u)
			continue
		}
		if rest == "" || rest == "/" {
			continue
		}
		file, ok := served(rest)
		if !ok {
			t.Errorf("URL %s: no such page", u)
		} else if err := embedded(file); err != nil {
			t.Errorf("URL %s: %s not embedded", u, file)
		}
	}
}

func TestManifestEscapesAndRefuses(t *testing.T) {
	out, err := Manifest(`https://a.example/x&y"<z>`, "dev")
	if err != nil {
		t.Fatal(err)
	}
	var doc manifestDoc
	if err := xml.Unmarshal(out, &doc); err != nil {
		t.Fatalf("escaped manifest is not XML: %v", err)
	}
	if !strings.HasPrefix(doc.Source.Value, "https://a.example/x&y") || doc.Version != "1.0.0.0" {
		t.Errorf("SourceLocation %q, Version %q", doc.Source.Value, doc.Version)
	}
	for _, bad := range []string{"", "audit.example", "ftp://a.example", "https://", "https://u:p@a.example",
		"https://a.example/?q=1", "https://a.example/#x", "javascript:alert(1)", "http://%zz"} {
		if _, err := Manifest(bad, "1.0.0"); !errors.Is(err, ErrPublicURL) {
			t.Errorf("Manifest(%q): err %v, want ErrPublicURL", bad, err)
		}
	}
}

func TestManifestVersion(t *testing.T) {
	for in, want := range map[string]string{
		"0.1.0-dev": "0.1.0.0", "v2.3.4": "2.3.4.0", "1.2.3.4.5": "1.2.3.4", "7": "7.0.0.0",
		"": "1.0.0.0", "dev": "1.0.0.0", "(devel)": "1.0.0.0", "99999999.1": "65535.1.0.0",
	} {
		if got := manifestVersion(in); got != want {
			t.Errorf("manifestVersion(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestManifestSchema validates the rendered manifest against Microsoft's
// add-in manifest schemas (web/e2e/schema, see SOURCE.md) with xmllint, for
// an https and a local http address.
func TestManifestSchema(t *testing.T) {
	xmllint := testkit.Program(t, testkit.BrowserEnv, "xmllint", "libxml2-utils")
	schema, err := filepath.Abs(filepath.Join("e2e", "schema", "OfficeAppManifestV1_1.xsd"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for i, base := range []string{"https://audit.regione.example", "http://127.0.0.1:8080/auditor"} {
		out, err := Manifest(base, "0.1.0-dev")
		if err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(dir, "manifest"+string(rune('a'+i))+".xml")
		if err := os.WriteFile(file, out, 0o600); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(xmllint, "--noout", "--nonet", "--schema", schema, file)
		if msg, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("manifest for %s does not validate: %v\n%s", base, err, msg)
		}
	}
	// The check has teeth: a manifest breaking the schema is refused.
	out, _ := Manifest("https://audit.regione.example", "1.0.0")
	broken := strings.Replace(string(out), "<Permissions>ReadWriteDocument</Permissions>", "<Permissions>Everything</Permissions>", 1)
	file := filepath.Join(dir, "broken.xml")
	if err := os.WriteFile(file, []byte(broken), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := exec.Command(xmllint, "--noout", "--nonet", "--schema", schema, file).Run(); err == nil {
		t.Error("a manifest with an invalid Permissions value validates: the schema check is not working")
	}
}

// TestPagesHeaderFooter: every page of the site has the PA header with the
// services (single file, regional summary, blank template) and the footer
// with the privacy note and the accessibility statement.
func TestPagesHeaderFooter(t *testing.T) {
	header := []string{`href="/"`, `href="/regione"`, `href="/modello.xlsx"`}
	footer := []string{`href="/privacy"`, `href="/accessibilita"`, `href="/modello.xlsx"`}
	tests := []struct {
		page, h1 string
		current  string // the header's link marked as the current page
	}{
		{"index.html", "Verifica il file dei percorsi", `href="/"`},
		{"regione.html", "Riepilogo regionale", `href="/regione"`},
		{"privacy.html", "Informativa sul trattamento dei dati personali", ""},
		{"accessibilita.html", "Dichiarazione di accessibilità", ""},
	}
	for _, tt := range tests {
		html := mustPage(t, tt.page)
		head, _, ok := strings.Cut(html, "</header>")
		if !ok || !strings.Contains(head, `class="it-header-slim-wrapper"`) {
			t.Errorf("%s: no PA slim header", tt.page)
			continue
		}
		for _, l := range header {
			if !strings.Contains(head, l) {
				t.Errorf("%s: the header has no link %s", tt.page, l)
			}
		}
		if n := strings.Count(html, `aria-current="page"`); (tt.current == "" && n != 0) ||
			(tt.current != "" && (n != 1 || !strings.Contains(head, "<a "+tt.current+` aria-current="page">`))) {
			t.Errorf("%s: %d links marked as the current page, want one only on %s", tt.page, n, tt.current)
		}
		_, foot, ok := strings.Cut(html, "<footer")
		if !ok {
			t.Errorf("%s: no footer", tt.page)
			continue
		}
		for _, l := range footer {
			if !strings.Contains(foot, l) {
				t.Errorf("%s: the footer has no link %s", tt.page, l)
			}
		}
		if !strings.Contains(html, "<h1>"+tt.h1+"</h1>") {
			t.Errorf("%s: no heading «%s»", tt.page, tt.h1)
		}
	}
}

// TestPageUnknown: Page serves only the site's pages, not the layout or
// other embedded files.
func TestPageUnknown(t *testing.T) {
	for _, name := range []string{"layout.html", "nope.html", "static/app.js", ""} {
		if _, err := Page(name); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Page(%q): err %v, want fs.ErrNotExist", name, err)
		}
	}
}

// TestScriptsHaveNoBands: the bands' cuts, codes and labels come from the
// rule pack (GET /api/info), never from the pages' scripts.
func TestScriptsHaveNoBands(t *testing.T) {
	literal := regexp.MustCompile(`(?i)'(adeguato|miglioramento|escluso)'|\b(50|60)\b`)
	entries, err := fs.ReadDir(FS(), "static")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() || path.Ext(e.Name()) != ".js" {
			continue
		}
		for i, line := range strings.Split(mustRead(t, "static/"+e.Name()), "\n") {
			code, _, _ := strings.Cut(line, "//")
			if m := literal.FindString(code); m != "" {
				t.Errorf("static/%s:%d: %q looks like a band written in the script: %s", e.Name(), i+1, m, strings.TrimSpace(line))
			}
		}
	}
}
