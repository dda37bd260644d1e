package batch_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImports keeps the batch apart from the workbook adapter: batch
// receives each file's audit and the summary's I/O through its Auditor, and
// its summary model is a leaf that only the compute package feeds.
func TestImports(t *testing.T) {
	const mod = "github.com/its-academy/auditor/"
	tests := []struct {
		pkg       string
		forbidden []string
	}{
		{"batch", []string{"xlsxio", "pipeline", "internal/xlsx", "verbale", "server", "github.com/xuri/excelize/v2", "github.com/labstack/echo/v4"}},
		{"batch/summary", []string{"batch", "validate", "xlsxio", "pipeline", "internal/xlsx", "verbale", "server", "github.com/xuri/excelize/v2"}},
	}
	for _, tt := range tests {
		t.Run(tt.pkg, func(t *testing.T) {
			out, err := exec.Command("go", "list", "-deps", mod+tt.pkg).CombinedOutput()
			if err != nil {
				t.Fatalf("go list -deps %s: %v\n%s", tt.pkg, err, out)
			}
			deps := map[string]bool{}
			for _, d := range strings.Fields(string(out)) {
				deps[d] = true
			}
			if !deps[mod+tt.pkg] {
				t.Fatalf("go list -deps %s does not list the package itself:\n%s", tt.pkg, out)
			}
			for _, f := range tt.forbidden {
				if !strings.Contains(f, ".") {
					f = mod + f
				}
				if deps[f] {
					t.Errorf("%s imports %s", tt.pkg, f)
				}
			}
		})
	}
}
