package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/its-academy/auditor/testkit"
	"github.com/its-academy/auditor/validate"
)

func TestTemplateCommand(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name     string
		args     []string
		file     string // where the workbook must be, "" for stdout
		code     int
		stderr   string // part of the one-line message on failure
		noOutput string // a path that must not exist afterwards
	}{
		{name: "file", args: []string{"-o", filepath.Join(dir, "modello.xlsx")}, file: filepath.Join(dir, "modello.xlsx")},
		{name: "overwrite", args: []string{"-o", filepath.Join(dir, "modello.xlsx")}, file: filepath.Join(dir, "modello.xlsx")},
		{name: "stdout", args: []string{"-o", "-"}},
		{name: "missing directory", args: []string{"-o", filepath.Join(dir, "manca", "modello.xlsx")}, code: 2,
			stderr: "la cartella " + filepath.Join(dir, "manca") + " non esiste", noOutput: filepath.Join(dir, "manca")},
		{name: "directory as output", args: []string{"-o", dir}, code: 2, stderr: "è una cartella"},
		{name: "extra argument", args: []string{"altro.xlsx"}, code: 2, stderr: "argomento inatteso"},
		{name: "unknown flag", args: []string{"--formato", "xls"}, code: 2, stderr: "auditor:"},
		{name: "empty output", args: []string{"-o", ""}, code: 2, stderr: "-o richiede"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := run(t, append([]string{"template"}, tt.args...)...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr %q", code, tt.code, errs)
			}
			if tt.code != 0 {
				if !strings.Contains(errs, tt.stderr) || !strings.HasPrefix(errs, "auditor: ") {
					t.Errorf("stderr %q, want a message with %q", errs, tt.stderr)
				}
				if first, _, _ := strings.Cut(errs, "\n"); strings.Contains(first, "no such file") {
					t.Errorf("message not in Italian: %q", first)
				}
				if tt.noOutput != "" {
					if _, err := os.Stat(tt.noOutput); err == nil {
						t.Errorf("%s was created", tt.noOutput)
					}
				}
				return
			}
			var data []byte
			if tt.file == "" {
				data = []byte(out)
			} else {
				var err error
				if data, err = os.ReadFile(tt.file); err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(out, tt.file) {
					t.Errorf("stdout %q does not name the file", out)
				}
				if leftovers, _ := filepath.Glob(filepath.Join(dir, ".auditor-*")); len(leftovers) > 0 {
					t.Errorf("temporary files left: %v", leftovers)
				}
			}
			checkTemplateFile(t, data)
		})
	}
}

// TestTemplateCommandDefaultName writes official-workbook.xlsx in the
// current directory when -o is not given.
func TestTemplateCommandDefaultName(t *testing.T) {
	t.Chdir(t.TempDir())
	if code, _, errs := run(t, "template"); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	data, err := os.ReadFile("official-workbook.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	checkTemplateFile(t, data)
}

func TestTemplateInUsage(t *testing.T) {
	_, out, _ := run(t, "help")
	if !strings.Contains(out, "auditor template [-o FILE]") {
		t.Errorf("usage lacks the template command:\n%s", out)
	}
}

// checkTemplateFile opens the written workbook and checks its contract.
func checkTemplateFile(t *testing.T, data []byte) {
	t.Helper()
	f := testkit.OpenWorkbook(t, data)
	if got, want := f.GetSheetList(), []string{"Istruzioni", "Fondazione", "Percorsi", "Soglie", "Elenchi"}; !reflect.DeepEqual(got, want) {
		t.Errorf("sheets %v, want %v", got, want)
	}
	rows, err := f.GetRows("Fondazione")
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range rows {
		if len(r) >= 3 && r[0] == "template_versione" {
			found = r[2] == validate.TemplateVersion
		}
	}
	if !found {
		t.Errorf("template_versione is not %s", validate.TemplateVersion)
	}
	if code, _ := f.GetCellValue("Percorsi", "A2"); code != "codice_percorso" {
		t.Errorf("Percorsi!A2 = %q", code)
	}
}
