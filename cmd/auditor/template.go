package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/its-academy/auditor/validate"
	"github.com/its-academy/auditor/xlsxio"
)

// defaultTemplateName is the file auditor template writes without -o.
const defaultTemplateName = "official-workbook.xlsx"

// runTemplate writes the blank official workbook (WORKBOOK.md):
// auditor template [-o FILE], "-" for standard output.
func (m *Main) runTemplate(ctx context.Context, args []string) error {
	flags := newFlags("template")
	out := flags.String("o", defaultTemplateName, "")
	pos, err := parseFlags(flags, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return &usageError{fmt.Sprintf("argomento inatteso %q: usare auditor template [-o FILE]", pos[0])}
	}
	if *out == "" {
		return &usageError{"-o richiede il nome di un file (o - per l'output standard)"}
	}
	p, err := loadPack("")
	if err != nil {
		return err
	}
	f, err := xlsxio.Template(p)
	if err != nil {
		return fmt.Errorf("generazione del modello non riuscita: %w", err)
	}
	buf, err := f.WriteToBuffer()
	_ = f.Close()
	if err != nil {
		return fmt.Errorf("generazione del modello non riuscita: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("interrotto: %w", err)
	}
	if *out == "-" {
		if _, err := m.Stdout.Write(buf.Bytes()); err != nil {
			return fmt.Errorf("scrittura del modello sull'output standard non riuscita: %w", err)
		}
		return nil
	}
	if err := writeFileAtomic(*out, buf.Bytes()); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "Modello ufficiale (versione %s, regole %s) scritto in %s\n", validate.TemplateVersion, p.ID, *out)
	return nil
}

// writeFileAtomic writes data to a temporary file beside name and renames
// it, so that a failure leaves no partial file; the file is readable by
// others (0644), as the user's own files are. Errors are one Italian line
// naming the file. Every file the command line writes goes through it.
func writeFileAtomic(name string, data []byte) error {
	dir := filepath.Dir(name)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		if err == nil || errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("impossibile scrivere %s: la cartella %s non esiste", name, dir)
		}
		return fmt.Errorf("impossibile scrivere %s: %w", name, err)
	}
	if st, err := os.Stat(name); err == nil && st.IsDir() {
		return fmt.Errorf("impossibile scrivere %s: è una cartella", name)
	}
	tmp, err := os.CreateTemp(dir, ".auditor-*.tmp")
	if err != nil {
		if errors.Is(err, fs.ErrPermission) {
			return fmt.Errorf("impossibile scrivere %s: permesso negato nella cartella %s", name, dir)
		}
		return fmt.Errorf("impossibile scrivere %s: %w", name, err)
	}
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Chmod(tmp.Name(), 0o644)
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), name)
	}
	if werr != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("impossibile scrivere %s: %w", name, werr)
	}
	return nil
}
