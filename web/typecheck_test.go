package web

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/its-academy/auditor/testkit"
)

// typecheckTools returns node, or ends the test as testkit.Missing says
// when node or web/e2e's TypeScript and @types/office-js are missing.
func typecheckTools(t *testing.T) string {
	t.Helper()
	node := testkit.Program(t, testkit.BrowserEnv, "node", "nodejs")
	for _, pkg := range []string{"typescript", "@types/office-js"} {
		if _, err := os.Stat(filepath.Join("e2e", "node_modules", pkg, "package.json")); err != nil {
			testkit.Missing(t, testkit.BrowserEnv, "web/e2e/node_modules/"+pkg+" missing (npm ci in web/e2e)")
		}
	}
	return node
}

// runTypecheck runs web/e2e/typecheck.mjs on a task pane script and the
// manifest template; it returns the output and whether it passed.
func runTypecheck(t *testing.T, node, taskpane string) (string, bool) {
	t.Helper()
	script, _ := filepath.Abs(filepath.Join("e2e", "typecheck.mjs"))
	manifest, _ := filepath.Abs("manifest.xml.tmpl")
	cmd := testkit.Command(t, 3*time.Minute, node, script, taskpane, manifest)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err == nil
}

// TestTaskpaneOfficeTypes type-checks the task pane's Office.js calls
// against Microsoft's published definitions (@types/office-js, TypeScript
// checkJs) and their requirement sets against what the pane may use; then
// shows that the check fails on a wrong API name, a wrong argument, a wrong
// Excel method and an API newer than the requirement set the pane tests.
func TestTaskpaneOfficeTypes(t *testing.T) {
	node := typecheckTools(t)
	real, _ := filepath.Abs(filepath.Join("static", "taskpane.js"))
	out, ok := runTypecheck(t, node, real)
	if !ok {
		t.Fatalf("the task pane does not type-check against @types/office-js:\n%s", out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var summary struct {
		OK   bool `json:"ok"`
		APIs []struct {
			API, Set, Version string
		} `json:"apis"`
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &summary); err != nil || !summary.OK {
		t.Fatalf("typecheck summary %q: %v", lines[len(lines)-1], err)
	}
	found := false
	for _, a := range summary.APIs {
		if strings.HasSuffix(a.API, "insertWorksheetsFromBase64") && a.Set == "ExcelApi" && a.Version == "1.13" {
			found = true
		}
	}
	if !found {
		t.Errorf("the check did not see insertWorksheetsFromBase64 (ExcelApi 1.13): %+v", summary.APIs)
	}

	source, err := os.ReadFile(real)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, from, to, want string
	}{
		{"wrong Office API name", "getFileAsync(", "getFileAsinc(", "getFileAsinc"},
		{"wrong argument type", "{ sliceSize: SLICE_SIZE }", "{ sliceSize: 'grande' }", "TS2"},
		{"wrong Excel method", "worksheets.getItem(where.sheet)", "worksheets.getItems(where.sheet)", "getItems"},
		{"API newer than the tested requirement set", "isSetSupported('ExcelApi', '1.13')", "isSetSupported('ExcelApi', '1.12')", "needs ExcelApi 1.13"},
	}
	static, _ := filepath.Abs("static")
	entries, err := os.ReadDir(static)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !bytes.Contains(source, []byte(tt.from)) {
				t.Fatalf("taskpane.js no longer contains %q: update the test", tt.from)
			}
			dir := t.TempDir()
			for _, e := range entries {
				if e.IsDir() || filepath.Ext(e.Name()) != ".js" {
					continue
				}
				data, err := os.ReadFile(filepath.Join(static, e.Name()))
				if err != nil {
					t.Fatal(err)
				}
				if e.Name() == "taskpane.js" {
					data = bytes.Replace(data, []byte(tt.from), []byte(tt.to), 1)
				}
				if err := os.WriteFile(filepath.Join(dir, e.Name()), data, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			out, ok := runTypecheck(t, node, filepath.Join(dir, "taskpane.js"))
			if ok || !strings.Contains(out, tt.want) {
				t.Errorf("mutated task pane (%s → %s): passed=%v, want a failure naming %q:\n%s", tt.from, tt.to, ok, tt.want, out)
			}
		})
	}
}
