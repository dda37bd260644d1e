package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/its-academy/auditor/batch"
	"github.com/its-academy/auditor/batch/summary"
	"github.com/its-academy/auditor/compute"
	"github.com/its-academy/auditor/pipeline"
	"github.com/its-academy/auditor/validate"
	"github.com/its-academy/auditor/verbale"
	"github.com/its-academy/auditor/xlsxio"
)

// batchFlags are the audit flags that matter for a batch.
type batchFlags struct {
	inputs                        []string
	out, summary, outDir, jsonOut string
	pdf                           string // the regional verbale (PDF)
	jobs                          int
	strict, quiet                 bool
	opts                          validate.Options // the run's choices
	limits                        inputLimits
}

// batchExtensions are the files taken from a folder: workbooks and the
// spreadsheet formats the reader names when it refuses them.
var batchExtensions = map[string]bool{".xlsx": true, ".xlsm": true, ".xls": true, ".ods": true}

// candidate is one file to audit, as found on the command line.
type candidate struct {
	name       string // the path as shown
	fromFolder bool   // found in a folder: summaries are skipped
	isSummary  bool   // the summary this run writes: skipped
	err        error  // could not be found or read
}

// runBatch audits several workbooks (files, folders, patterns) and, with
// --summary, writes the regional summary. Exit code 2 when any file could
// not be audited (everything else is still written), 1 with --strict when
// a violation, an error or a flagged foundation was found.
func (m *Main) runBatch(ctx context.Context, fl batchFlags) error {
	if fl.out != "" {
		return &usageError{"-o vale per un solo file; con più file usare --out-dir CARTELLA"}
	}
	if fl.jobs < 0 {
		return &usageError{"--jobs: indicare un numero di file da verificare insieme maggiore di zero"}
	}
	opts := batch.Options{Jobs: fl.jobs, Reading: fl.opts.Reading, Errata: fl.opts.Errata, Interpretations: fl.opts.Interpretations, Pack: fl.opts.Pack,
		Thresholds: fl.opts.Thresholds, WorkbookThresholds: fl.opts.WorkbookThresholds, Version: Version, Auditor: pipeline.BatchAuditor{Limits: fl.limits.xlsx},
		AuditedAt: fl.opts.AuditedAt}
	if fl.summary != "" && !strings.EqualFold(filepath.Ext(fl.summary), ".xlsx") {
		return &usageError{fmt.Sprintf("--summary %s: il riepilogo è un file .xlsx", fl.summary)}
	}
	if fl.pdf != "" && !strings.EqualFold(filepath.Ext(fl.pdf), ".pdf") {
		return &usageError{fmt.Sprintf("--pdf %s: il verbale è un file .pdf", fl.pdf)}
	}
	if fl.outDir != "" {
		if err := os.MkdirAll(fl.outDir, 0o755); err != nil {
			return fmt.Errorf("cartella di uscita %s: %w", fl.outDir, err)
		}
	}
	cands := collectCandidates(fl.inputs, fl.summary)
	if len(cands) == 0 || (len(cands) == 1 && cands[0].isSummary) {
		return &usageError{fmt.Sprintf("nessun file .xlsx da verificare in %s", strings.Join(fl.inputs, ", "))}
	}

	// Read every file; in folders, leave out audited copies and summaries.
	var inputs []batch.Input
	for _, c := range cands {
		if c.err != nil {
			inputs = append(inputs, batch.Input{Name: c.name, Err: c.err})
			continue
		}
		if c.isSummary {
			opts.Skipped = append(opts.Skipped, summary.Excluded{Name: c.name, Reason: "è il riepilogo che questa esecuzione riscrive: i suoi percorsi non vengono riletti"})
			continue
		}
		data, err := readInput(c.name, fl.limits.maxFile)
		if err != nil {
			inputs = append(inputs, batch.Input{Name: c.name, Err: err})
			continue
		}
		// Audited copies are never audited again in a batch (a second run
		// over 2025/*.xlsx would count every course twice); summaries are
		// read only when named.
		switch kind := xlsxio.SniffWorkbook(data); {
		case kind == summary.KindAudited:
			opts.Skipped = append(opts.Skipped, summary.Excluded{Name: c.name, Reason: "copia verificata scritta da auditor: non si verifica di nuovo (per farlo, indicarla da sola)"})
			continue
		case kind == summary.KindSummary && c.fromFolder:
			opts.Skipped = append(opts.Skipped, summary.Excluded{Name: c.name, Reason: "riepilogo scritto da auditor: indicarlo per nome per usarne i percorsi"})
			continue
		}
		inputs = append(inputs, batch.Input{Name: c.name, Data: data})
	}

	// Where each audited copy goes; nothing may overwrite an input.
	names := make([]string, 0, len(inputs))
	for _, in := range inputs {
		if in.Err == nil && xlsxio.SniffWorkbook(in.Data) != summary.KindSummary {
			names = append(names, in.Name)
		}
	}
	outs := outputPaths(names, fl.outDir)
	read := make([]string, 0, len(inputs))
	for _, in := range inputs {
		if in.Err == nil {
			read = append(read, in.Name)
		}
	}
	written := []output{
		{"--summary", fl.summary},
		{"--json", fl.jsonOut},
		{"--pdf", fl.pdf},
	}
	for _, name := range names {
		written = append(written, output{"copia verificata di " + name, outs[name]})
	}
	if err := checkOutputs(read, written); err != nil {
		return err
	}
	// An existing file is replaced only if auditor wrote it.
	if err := mayReplace(fl.summary, summary.KindSummary); err != nil {
		return err
	}
	for _, out := range sortedValues(outs) {
		if err := mayReplace(out, summary.KindAudited); err != nil {
			return err
		}
	}
	for i := range inputs {
		if out, ok := outs[inputs[i].Name]; ok && fl.summary != "" {
			inputs[i].Link = relativeLink(fl.summary, out)
		}
	}
	opts.OnAnnotated = func(in batch.Input, data []byte) error {
		out, ok := outs[in.Name]
		if !ok {
			return errors.New("nessun nome per la copia verificata")
		}
		return writeFileAtomic(out, data)
	}
	if isTerminal(m.Stderr) {
		opts.Progress = func(done, total int, current string) {
			fmt.Fprint(m.Stderr, renderProgress(done, total, current, 80))
		}
	}
	res, err := batch.Run(ctx, inputs, opts)
	if opts.Progress != nil {
		fmt.Fprint(m.Stderr, "\r\x1b[K")
	}
	if err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("verifica interrotta: %w", err)
		}
		return &usageError{err.Error()}
	}

	if fl.summary != "" {
		data, err := pipeline.SummaryWorkbook(res)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(fl.summary), 0o755); err != nil {
			return fmt.Errorf("cartella del riepilogo: %w", err)
		}
		if err := writeFileAtomic(fl.summary, data); err != nil {
			return err
		}
	}
	if fl.pdf != "" {
		reg, err := compute.LoadEmbedded()
		if err != nil {
			return err
		}
		pdf, err := verbale.RenderSummary(verbale.FromSummary(res.Summary, time.Now(), reg))
		if err != nil {
			return err
		}
		if err := writeFileAtomic(fl.pdf, pdf); err != nil {
			return err
		}
	}
	if fl.jsonOut != "" {
		if err := m.writeBatchJSON(res, fl.jsonOut); err != nil {
			return err
		}
	}
	failed := res.Failed()
	for _, f := range failed {
		if strings.Contains(f.Reason, f.Name) {
			fmt.Fprintln(m.Stderr, "auditor:", f.Reason)
		} else {
			fmt.Fprintf(m.Stderr, "auditor: %s: %s\n", f.Name, f.Reason)
		}
	}
	if fl.jsonOut != "-" && !fl.quiet {
		m.batchReport(res, outs, opts.Skipped, fl.summary)
	}
	if len(failed) > 0 {
		where := "elencati sopra"
		if fl.summary != "" {
			where += " e nel foglio Esclusi del riepilogo"
		}
		return fmt.Errorf("%d file su %d non verificati (%s)", len(failed), len(res.Files), where)
	}
	if fl.strict && res.HasProblems() {
		return errStrict
	}
	return nil
}

// mayReplace refuses to overwrite an existing file that is not of the kind
// auditor would write there (a user's own file with that name).
func mayReplace(path, kind string) error {
	if path == "" {
		return nil
	}
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("%s: %w", path, readError(err))
	}
	if !st.Mode().IsRegular() {
		return &usageError{fmt.Sprintf("%s esiste e non è un file normale: non viene sovrascritto; scegliere un altro nome o cartella", path)}
	}
	// An audited copy or a summary is far smaller than this; anything
	// larger is not one.
	data, err := readInput(path, 1<<30)
	if err != nil {
		return &usageError{fmt.Sprintf("%s esiste e non si può leggere (%v): non viene sovrascritto; scegliere un altro nome o cartella", path, err)}
	}
	if xlsxio.SniffWorkbook(data) != kind {
		what := "un riepilogo"
		if kind == summary.KindAudited {
			what = "una copia verificata"
		}
		return &usageError{fmt.Sprintf("%s esiste e non è %s scritto da auditor: non viene sovrascritto; scegliere un altro nome o cartella", path, what)}
	}
	return nil
}

// collectCandidates expands the arguments: files as given, folders
// (recursively) for their spreadsheets, and patterns the shell did not
// expand. Each file appears once; the summary being written is left out.
func collectCandidates(args []string, summary string) []candidate {
	var out []candidate
	seen := map[string]bool{}
	add := func(c candidate) {
		key := c.name
		if abs, err := filepath.Abs(c.name); err == nil {
			key = abs
		}
		if seen[key] {
			return
		}
		if summary != "" && c.err == nil {
			c.isSummary, _ = samePath(c.name, summary)
		}
		seen[key] = true
		out = append(out, c)
	}
	addPath := func(p string, fromFolder bool) {
		st, err := os.Stat(p)
		if err != nil {
			add(candidate{name: p, err: readError(err)})
			return
		}
		if !st.IsDir() {
			add(candidate{name: p, fromFolder: fromFolder})
			return
		}
		var files []string
		walkErr := filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				add(candidate{name: path, err: readError(err)})
				if d != nil && d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			name := d.Name()
			if d.IsDir() {
				if path != p && strings.HasPrefix(name, ".") {
					return fs.SkipDir
				}
				return nil
			}
			if strings.HasPrefix(name, ".") || strings.HasPrefix(name, "~$") || !batchExtensions[strings.ToLower(filepath.Ext(name))] {
				return nil
			}
			files = append(files, path)
			return nil
		})
		if walkErr != nil {
			add(candidate{name: p, err: readError(walkErr)})
		}
		sort.Strings(files)
		for _, f := range files {
			add(candidate{name: f, fromFolder: true})
		}
	}
	for _, a := range args {
		if isUnexpandedPattern(a) {
			matches, gerr := filepath.Glob(a)
			if gerr != nil || len(matches) == 0 {
				add(candidate{name: a, err: errors.New("nessun file corrisponde al modello")})
				continue
			}
			for _, mt := range matches {
				addPath(mt, false)
			}
			continue
		}
		addPath(a, false)
	}
	return out
}

// outputPaths names each input's audited copy: beside the input, or in
// outDir. Two inputs with the same name in outDir get their folder's name
// as a prefix (then a number), in the order of their paths.
func outputPaths(inputs []string, outDir string) map[string]string {
	outs := map[string]string{}
	if outDir == "" {
		for _, in := range inputs {
			outs[in] = defaultOutput(in)
		}
		return outs
	}
	sorted := append([]string(nil), inputs...)
	sort.Strings(sorted)
	count := map[string]int{}
	for _, in := range sorted {
		count[strings.ToLower(filepath.Base(defaultOutput(in)))]++
	}
	used := map[string]bool{}
	for _, in := range sorted {
		base := filepath.Base(defaultOutput(in))
		if count[strings.ToLower(base)] > 1 {
			if parent := filepath.Base(filepath.Dir(in)); parent != "." && parent != string(filepath.Separator) {
				base = parent + "_" + base
			}
		}
		name := base
		for n := 2; used[strings.ToLower(name)]; n++ {
			name = strings.TrimSuffix(base, "-verificato.xlsx") + fmt.Sprintf("-%d-verificato.xlsx", n)
		}
		used[strings.ToLower(name)] = true
		outs[in] = filepath.Join(outDir, name)
	}
	return outs
}

func sortedValues(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}

// relativeLink is the path of target relative to the summary's folder,
// with forward slashes (a hyperlink); empty when there is none.
func relativeLink(summary, target string) string {
	from, err := filepath.Abs(filepath.Dir(summary))
	if err != nil {
		return ""
	}
	to, err := filepath.Abs(target)
	if err != nil {
		return ""
	}
	rel, err := filepath.Rel(from, to)
	if err != nil {
		return ""
	}
	return filepath.ToSlash(rel)
}

// isUnexpandedPattern reports whether p is a pattern such as 2025/*.xlsx
// that the shell left as it is (no file has that name).
func isUnexpandedPattern(p string) bool {
	if !strings.ContainsAny(p, "*?[") {
		return false
	}
	_, err := os.Stat(p)
	return err != nil
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

// isTerminal reports whether w is a terminal (a character device).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok || f == nil {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// renderProgress is one line of the progress bar: it returns to the start
// of the line, draws the bar, the files done over the total and the
// current file's name (shortened to fit width), and clears the rest.
func renderProgress(done, total int, current string, width int) string {
	const barWidth = 24
	done = max(0, min(done, total))
	filled := 0
	if total > 0 {
		filled = barWidth * done / total
	}
	bar := strings.Repeat("█", filled) + strings.Repeat("░", barWidth-filled)
	line := fmt.Sprintf("[%s] %d/%d", bar, done, total)
	name := filepath.Base(current)
	if current == "" {
		name = ""
	}
	room := width - 1 - utf8.RuneCountInString(line) - 1
	if name != "" && room >= 4 {
		if utf8.RuneCountInString(name) > room {
			r := []rune(name)
			name = "…" + string(r[len(r)-(room-1):])
		}
		line += " " + name
	}
	return "\r" + line + "\x1b[K"
}

// batchReport prints one line per file, the skipped files and the summary.
func (m *Main) batchReport(res *batch.Result, outs map[string]string, skipped []summary.Excluded, summary string) {
	for _, f := range res.Files {
		switch {
		case errors.Is(f.Err, batch.ErrDuplicate):
			fmt.Fprintf(m.Stdout, "Saltato %s: %s.\n", f.Name, f.Reason)
		case !f.OK():
			continue
		case f.Read != nil:
			fmt.Fprintf(m.Stdout, "%s: riepilogo precedente, %s.\n", f.Name, plural(len(f.Read.Courses), "percorso letto", "percorsi letti"))
		case f.Audit != nil:
			scored, count := 0, map[compute.Severity]int{}
			for i := range f.Audit.Courses {
				if f.Audit.Courses[i].Scored() {
					scored++
				}
				for _, fi := range f.Audit.Courses[i].Findings {
					count[fi.Severity]++
				}
			}
			for _, fi := range f.Audit.Findings {
				count[fi.Severity]++
			}
			fmt.Fprintf(m.Stdout, "%s: %s, %d con punteggio; %s, %s, %s → %s\n",
				f.Name, plural(len(f.Audit.Courses), "percorso", "percorsi"), scored, plural(count[compute.SeverityError], "errore", "errori"),
				plural(count[compute.SeverityViolation], "violazione", "violazioni"), plural(count[compute.SeverityWarning], "avviso", "avvisi"), outs[f.Name])
		}
	}
	for _, s := range skipped {
		fmt.Fprintf(m.Stdout, "Saltato %s: %s.\n", s.Name, s.Reason)
	}
	if summary == "" {
		return
	}
	s := res.Summary
	var flagged []string
	for _, v := range s.Verdicts {
		if v.Flagged {
			flagged = append(flagged, strings.TrimSpace(v.Foundation+" "+v.Name))
		}
	}
	fmt.Fprintf(m.Stdout, "Riepilogo: %s (%s, %s, %s, %s per la regola dei tre anni).\n",
		summary, plural(len(s.Courses), "percorso", "percorsi"), plural(len(s.Foundations), "riga fondazione-anno", "righe fondazione-anno"),
		plural(len(res.Failed()), "file non verificato", "file non verificati"), plural(len(flagged), "fondazione segnalata", "fondazioni segnalate"))
	if len(flagged) > 0 {
		fmt.Fprintf(m.Stdout, "Segnalate per la regola dei tre anni (CU 17/12/2015, art. 4 c. 3): %s.\n", strings.Join(flagged, "; "))
	}
}

// writeBatchJSON writes the summary's JSON form to a file (atomically) or
// to standard output.
func (m *Main) writeBatchJSON(res *batch.Result, path string) error {
	data, err := res.JSON()
	if err != nil {
		return err
	}
	if path == "-" {
		_, err := m.Stdout.Write(data)
		return err
	}
	return writeFileAtomic(path, data)
}
