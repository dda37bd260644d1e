package main

import (
	"context"
	"errors"
	"fmt"
	"io"
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
// naming the file. Every file the command line writes goes through it or
// writeFileStream.
func writeFileAtomic(name string, data []byte) error {
	return writeFileStream(name, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// writeFileStream is writeFileAtomic for a file produced as it is written:
// produce writes it to the temporary file, which becomes name only if
// produce succeeds (and is removed otherwise, a panic included). An error
// of produce that is not the file's own is returned as it is.
func writeFileStream(name string, produce func(io.Writer) error) error {
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
	renamed := false
	defer func() {
		if !renamed {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	fw := &fileErrWriter{w: tmp}
	if err := produce(fw); err != nil && fw.err == nil {
		return err
	}
	werr := fw.err
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Chmod(tmp.Name(), 0o644)
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), name)
	}
	if werr != nil {
		return fmt.Errorf("impossibile scrivere %s: %w", name, werr)
	}
	renamed = true
	return nil
}

// fileErrWriter keeps the first error of the file it writes to, to tell
// it from the producer's own.
type fileErrWriter struct {
	w   io.Writer
	err error
}

func (f *fileErrWriter) Write(p []byte) (int, error) {
	n, err := f.w.Write(p)
	if err != nil && f.err == nil {
		f.err = err
	}
	return n, err
}
