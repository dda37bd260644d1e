package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/its-academy/auditor/compute"
	"github.com/its-academy/auditor/pipeline"
	"github.com/its-academy/auditor/validate"
	"github.com/its-academy/auditor/xlsxio"
)

// errStrict makes the process exit 1: --strict and a legal violation or
// inconsistent data were found.
var errStrict = errors.New("strict")

// runAudit audits one workbook: auditor audit IN.xlsx [-o OUT.xlsx]
// [--json REPORT.json|-] [--reading coherent|literal] [--strict]
// [--interpretation I-2=…] [--pack ID]; or, with several files, folders or
// --summary, a batch (batch.go).
func (m *Main) runAudit(ctx context.Context, args []string) error {
	fs := newFlags("audit")
	out := fs.String("o", "", "")
	jsonOut := fs.String("json", "", "")
	ch := newChoiceFlags(fs)
	whatIf := fs.Bool("workbook-thresholds", false, "")
	strict := fs.Bool("strict", false, "")
	packID := fs.String("pack", "", "")
	summaryOut := fs.String("summary", "", "")
	jobs := fs.Int("jobs", 0, "")
	outDir := fs.String("out-dir", "", "")
	pdfOut := fs.String("pdf", "", "")
	quiet := fs.Bool("quiet", false, "")
	limits := limitFlags(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	lim, err := limits()
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return &usageError{"indicare un file .xlsx da verificare: auditor audit FILE.xlsx [-o USCITA.xlsx] [--json REPORT.json]"}
	}
	opts := validate.Options{Errata: ch.errata, Interpretations: ch.interp, Pack: compute.PackID(*packID), WorkbookThresholds: *whatIf,
		AuditedAt: time.Now().UTC().Truncate(time.Second)}
	if opts.Reading, err = ch.parsedReading(); err != nil {
		return err
	}
	if opts.Thresholds, err = ch.thresholdValues(); err != nil {
		return err
	}
	if *summaryOut != "" || len(pos) > 1 || isDir(pos[0]) || isUnexpandedPattern(pos[0]) {
		return m.runBatch(ctx, batchFlags{
			inputs: pos, out: *out, summary: *summaryOut, jobs: *jobs, outDir: *outDir, jsonOut: *jsonOut,
			strict: *strict, quiet: *quiet, opts: opts, pdf: *pdfOut, limits: lim,
		})
	}
	if *jobs < 0 {
		return &usageError{"--jobs: indicare un numero di file da verificare insieme maggiore di zero"}
	}
	in := pos[0]
	outPath := *out
	if outPath == "" {
		outPath = defaultOutput(in)
		if *outDir != "" {
			if err := os.MkdirAll(*outDir, 0o755); err != nil {
				return fmt.Errorf("cartella di uscita %s: %w", *outDir, err)
			}
			outPath = filepath.Join(*outDir, filepath.Base(outPath))
		}
	}
	if same, _ := samePath(in, outPath); same {
		return &usageError{fmt.Sprintf("%s: il file da verificare non viene mai sovrascritto; indicare un altro nome con -o", in)}
	}
	if err := checkPDFName(*pdfOut); err != nil {
		return err
	}
	if err := checkOutputs([]string{in}, []output{
		{"-o", outPath},
		{"--json", *jsonOut},
		{"--pdf", *pdfOut},
	}); err != nil {
		return err
	}

	data, err := readInput(in, lim.maxFile)
	if err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	res, err := auditBytes(in, data, opts, lim.xlsx)
	if err != nil {
		return err
	}
	audit := res.Audit
	// The copy first: when it cannot be written, no output is.
	if err := writeCopy(in, res, outPath); err != nil {
		return err
	}
	if *jsonOut != "" {
		if err := m.writeReport(res, *jsonOut); err != nil {
			return err
		}
	}
	if *pdfOut != "" {
		pdf, err := res.Verbale()
		if err != nil {
			return err
		}
		if err := writeFileAtomic(*pdfOut, pdf); err != nil {
			return err
		}
	}
	if *jsonOut != "-" && !*quiet {
		m.summary(audit, outPath)
	}
	if *strict && (audit.HasSeverity(compute.SeverityError) || audit.HasSeverity(compute.SeverityViolation)) {
		return errStrict
	}
	return nil
}

// auditBytes reads and audits one workbook. It never panics: an
// unexpected failure is one line, as in a batch and on the server.
func auditBytes(in string, data []byte, opts validate.Options, lim xlsxio.Limits) (res *pipeline.Result, err error) {
	defer func() {
		if r := recover(); r != nil {
			res = nil
			err = fmt.Errorf("%s: errore interno durante la verifica; il file non è stato verificato", in)
		}
	}()
	res, err = pipeline.Run(context.Background(), data, filepath.Base(in), pipeline.Options{Validate: opts, Limits: lim, Version: Version})
	switch {
	case errors.Is(err, validate.ErrOptions):
		return nil, &usageError{err.Error()}
	case err != nil:
		return nil, oneLine(in, err)
	}
	return res, nil
}

// writeCopy streams the audited copy of in to a temporary file beside out
// and renames it to out: a copy that cannot be written leaves no file.
// It never panics, as auditBytes.
func writeCopy(in string, res *pipeline.Result, out string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s: errore interno durante la scrittura della copia verificata; il file non è stato scritto", in)
		}
	}()
	var copyErr error
	err = writeFileStream(out, func(w io.Writer) error {
		_, copyErr = res.WriteCopy(w)
		return copyErr
	})
	if err != nil && err == copyErr {
		return oneLine(in, err)
	}
	return err
}

// defaultOutput is the audited copy's name beside the input.
func defaultOutput(in string) string {
	ext := filepath.Ext(in)
	return strings.TrimSuffix(in, ext) + "-verificato.xlsx"
}

func samePath(a, b string) (bool, error) {
	pa, err := filepath.Abs(a)
	if err != nil {
		return false, err
	}
	pb, err := filepath.Abs(b)
	if err != nil {
		return false, err
	}
	if pa == pb {
		return true, nil
	}
	sa, errA := os.Stat(pa)
	sb, errB := os.Stat(pb)
	return errA == nil && errB == nil && os.SameFile(sa, sb), nil
}

// oneLine turns a workbook error into the one-line message of exit code 2.
// The reader's messages already name the file.
func oneLine(file string, err error) error {
	var oe *xlsxio.OpenError
	if errors.As(err, &oe) {
		if strings.Contains(oe.Msg, filepath.Base(file)) {
			return errors.New(oe.Msg)
		}
		return fmt.Errorf("%s: %s", file, oe.Msg)
	}
	return fmt.Errorf("%s: %v", file, err)
}

func (m *Main) writeReport(res *pipeline.Result, path string) error {
	var buf bytes.Buffer
	if err := res.WriteReport(&buf, true); err != nil {
		return err
	}
	if path == "-" {
		_, err := m.Stdout.Write(buf.Bytes())
		return err
	}
	return writeFileAtomic(path, buf.Bytes())
}

// summary prints what the audit found, in Italian: the counts, the
// reading, then one line per course with its total and band.
func (m *Main) summary(a *validate.Audit, out string) {
	scored := 0
	for i := range a.Courses {
		if a.Courses[i].Scored() {
			scored++
		}
	}
	count := map[compute.Severity]int{}
	for _, f := range a.Findings {
		count[f.Severity]++
	}
	for _, c := range a.Courses {
		for _, f := range c.Findings {
			count[f.Severity]++
		}
	}
	fmt.Fprintf(m.Stdout, "%s: %s, %d con punteggio; rilievi: %s, %s, %s, %s.\n",
		a.Input.FileName, plural(len(a.Courses), "percorso", "percorsi"), scored,
		plural(count[compute.SeverityError], "errore", "errori"), plural(count[compute.SeverityViolation], "violazione di legge", "violazioni di legge"),
		plural(count[compute.SeverityWarning], "avviso", "avvisi"), plural(count[compute.SeverityInfo], "informazione", "informazioni"))
	if line := readingLine(a); line != "" {
		fmt.Fprintln(m.Stdout, line)
	}
	for i := range a.Courses {
		c := &a.Courses[i]
		switch {
		case c.Scored():
			fmt.Fprintf(m.Stdout, "%s: %s su 100, fascia «%s»\n", c.Code, it(*c.Result.Total, 2), c.Result.Band.Code)
		case c.Pack == nil:
			fmt.Fprintf(m.Stdout, "%s: non calcolabile, nessun pacchetto di regole si applica (foglio Rilievi)\n", c.Code)
		default:
			fmt.Fprintf(m.Stdout, "%s: non calcolabile (foglio Rilievi)\n", c.Code)
		}
	}
	fmt.Fprintf(m.Stdout, "Copia verificata: %s (fogli %s).\n", out, strings.Join(xlsxio.ProductSheets(), ", "))
}

// readingLine names the run's reading, the errata set apart from it and
// whether the thresholds are the decree's.
func readingLine(a *validate.Audit) string {
	for _, c := range a.Courses {
		if c.Pack == nil || a.Scorers[c.Pack.ID] == nil {
			continue
		}
		sc := a.Scorers[c.Pack.ID]
		p := sc.Pack()
		label := p.ReadingLabel(sc.Reading()) // «lettura delle tabelle»
		line := strings.ToUpper(label[:1]) + label[1:] + " (" + string(sc.Reading()) + ")"
		var changed []string
		for _, id := range sc.ErrataChanged() {
			changed = append(changed, id+" "+sc.Errata()[id].Label())
		}
		if len(changed) > 0 {
			line += ", errata a parte: " + strings.Join(changed, ", ")
		}
		switch {
		case a.WhatIf:
			line += "; SIMULAZIONE con le soglie del foglio Soglie"
		case len(sc.Overridden()) > 0:
			line += "; soglie del decreto con valori dell'auditor"
		default:
			line += "; soglie del decreto"
		}
		return line + "."
	}
	return ""
}

// plural writes a count with the singular or plural noun: «1 errore»,
// «0 errori», «3 errori».
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// checkPDFPath refuses a --pdf path that is not a .pdf or that names an
// input.
func checkPDFName(pdf string) error {
	if pdf != "" && !strings.EqualFold(filepath.Ext(pdf), ".pdf") {
		return &usageError{fmt.Sprintf("--pdf %s: il verbale è un file .pdf", pdf)}
	}
	return nil
}
