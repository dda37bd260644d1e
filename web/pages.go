package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
)

//go:embed layout.html index.html regione.html privacy.html accessibilita.html
var pageSources embed.FS

// layoutPages are the pages drawn in layout.html, each filling its blocks.
var layoutPages = parsePages("index.html", "regione.html", "privacy.html", "accessibilita.html")

// parsePages parses each page together with the layout it fills.
func parsePages(names ...string) map[string]*template.Template {
	layout := template.Must(template.New("layout.html").Option("missingkey=error").ParseFS(pageSources, "layout.html"))
	pages := make(map[string]*template.Template, len(names))
	for _, name := range names {
		pages[name] = template.Must(template.Must(layout.Clone()).ParseFS(pageSources, name))
	}
	return pages
}

// Page returns the HTML of one of the site's pages: index.html (served at
// /), regione.html (at /regione: several workbooks, the regional summary),
// privacy.html and accessibilita.html (the privacy note and the
// accessibility statement, at /privacy and /accessibilita), which share the
// PA header and footer of layout.html, and taskpane.html (at
// /addin/taskpane.html), the task pane's own markup.
func Page(name string) ([]byte, error) {
	if name == "taskpane.html" {
		return fs.ReadFile(files, name)
	}
	t, ok := layoutPages[name]
	if !ok {
		return nil, fmt.Errorf("page %s: %w", name, fs.ErrNotExist)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", struct{ Page string }{name}); err != nil {
		return nil, fmt.Errorf("page %s: %w", name, err)
	}
	return buf.Bytes(), nil
}
