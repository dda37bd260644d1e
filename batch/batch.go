// Package batch audits many official workbooks at once — a region's
// foundations, one workbook each, possibly over several years — and builds
// the regional summary: every course, the aggregates per foundation and
// year, the files that could not be audited, the score distribution and
// the foundation rule of CU 17/12/2015 art. 4 c.3 (at least 50% of the
// courses below 50 in each of three consecutive years).
//
// It is orchestration only: no file system, no HTTP, no xlsx. The command
// line and the server hand it the files' bytes and an Auditor (the
// workbook adapter: pipeline.BatchAuditor); Run audits them in parallel
// (bounded by Options.Jobs), reads earlier summaries back through the
// Auditor, and returns a Result whose content does not depend on the order
// of the inputs or on the parallelism. A file that cannot be audited never
// stops the batch: it is listed with the one Italian line that says why.
// The summary's data model lives in the leaf package batch/summary, which
// the workbook adapter imports to write and read the summary workbook;
// batch imports neither the adapter nor the pipeline.
//
// # JSON form of the summary
//
// Result.JSON marshals the summary.Summary (all numbers are JSON numbers at
// full precision; absent values are null):
//
//	{
//	  "format": "riepilogo-1", "version": "…", "reading": "coherent",
//	  "interpretations": {"I-2": "…"},
//	  "rule_packs": [{"id": "dm-2023-11-30-eqf5", "sha256": "…"}],
//	  "indicators": ["Attrattività", …],          // names, in pack order
//	  "inputs": [{"name": "…", "sha256": "…", "kind": "workbook|summary|skipped",
//	              "status": "verificato|letto|escluso|saltato"}],
//	  "courses": [{"foundation_code": "…", "foundation_name": "…", "region": "…",
//	               "year": 2025, "code": "…", "title": "…", "area": "…",
//	               "total": 71.2, "band": "adeguato",   // null, "" when not scored
//	               "indicators": [9.1, …],              // aligned with "indicators"
//	               "findings": {"error": 0, "violation": 1, "warning": 0, "info": 0},
//	               "note": "…", "file": "…", "row": 3,
//	               "link": "…-verificato.xlsx",          // relative to the summary
//	               "from": ""}],                         // earlier summary it came from
//	  "foundations": [{"foundation_code": "…", "foundation_name": "…", "year": 2025,
//	                   "courses": 10, "scored": 8, "below": 2, "mean": 63.4,
//	                   "share": 25,                      // % of scored courses below 50
//	                   "violations": 3, "errors": 1, "flagged": false}],
//	  "excluded": [{"name": "…", "reason": "… (in Italian)", "skipped": false}],
//	  "distribution": {"buckets": ["0–10", …, "90–100"], "years": [2025],
//	                   "counts": [[0], …]},              // counts[bucket][year]
//	  "foundation_rule": {"id": "…", "citation": "CU 17/12/2015, art. 4 c. 3 …",
//	                      "years": 3, "course_total_below": 50, "share_at_least": 50, …},
//	  "foundation_verdicts": [{"foundation_code": "…", "foundation_name": "…",
//	      "years": [{"year": 2023, "courses": 4, "scored": 4, "unscored": 0,
//	                 "below": 2, "share": 50, "meets": true}],
//	      "flagged": true, "flagged_years": [2023, 2024, 2025],
//	      "causes": [{"foundation_code": "…", "year": 2023, "code": "…", "total": 41.2, "file": "…"}],
//	      "explanation": "… (in Italian)"}],
//	  "notes": ["…"]
//	}
//
// Rows are sorted by foundation code, year, course code, file and row;
// foundations by code and year; inputs and excluded files by name.
// Courses without a total are not in "share" nor "mean" (they are counted
// in "courses"); the rule leaves out courses without foundation code or
// year, and a missing year breaks the three consecutive years.
package batch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/its-academy/auditor/batch/summary"
	"github.com/its-academy/auditor/compute"
	"github.com/its-academy/auditor/validate"
)

// Auditor is the workbook adapter a batch works through: it tells an
// earlier summary from a workbook, reads a summary's course rows back, and
// audits a workbook. pipeline.BatchAuditor implements it over the official
// workbook's reader and writer (with the per-file limits); batch itself
// reads and writes no xlsx.
type Auditor interface {
	// Kind tells a summary written by auditor (summary.KindSummary) from
	// an audited copy (summary.KindAudited) and anything else
	// (summary.KindWorkbook), without opening the file.
	Kind(data []byte) string
	// ReadSummary reads the course rows of an earlier summary; name is
	// the file's base name, for messages.
	ReadSummary(data []byte, name string) (*summary.Summary, error)
	// Audit reads, validates and scores one workbook; name is the file's
	// base name, for messages.
	Audit(ctx context.Context, data []byte, name string, opts AuditOptions) (*Audited, error)
}

// AuditOptions are the choices of one file's audit in a batch.
type AuditOptions struct {
	Validate validate.Options
	Version  string
	Registry *compute.Registry
	// AfterRead is called once the workbook is read and before it is
	// validated (the batch's course budgets); its error ends the audit.
	AfterRead func(*validate.Input) error
}

// Audited is one workbook audited by an Auditor.
type Audited struct {
	Audit *validate.Audit
	// Copy writes the audited copy; it is called only when someone wants
	// it (Options.KeepAnnotated or Options.OnAnnotated).
	Copy func() ([]byte, error)
}

// FileError is an Auditor's error for a file that cannot be audited or
// read (not a workbook, damaged, too large…): Msg is the one Italian line
// for people, which may already name the file; Err is the adapter's error
// (an *xlsxio.OpenError), for errors.Is and errors.As.
type FileError struct {
	Msg string
	Err error
}

func (e *FileError) Error() string { return e.Msg }

// Unwrap returns the adapter's error.
func (e *FileError) Unwrap() error { return e.Err }

// Input is one file of the batch.
type Input struct {
	// Name identifies the file in the summary and in messages (the command
	// line passes the path as given).
	Name string
	Data []byte
	// Link is the target of the hyperlink to the file's audited copy,
	// relative to the summary workbook; empty for no link.
	Link string
	// Err, when set, is why the caller could not read the file (missing,
	// unreadable): it is listed as not audited, with Err's text (Italian)
	// as the reason, and Data is ignored.
	Err error
}

// Options are the choices of a batch run.
type Options struct {
	// Auditor audits each file and reads earlier summaries back
	// (pipeline.BatchAuditor, which holds the per-file limits); required.
	Auditor Auditor
	// Jobs bounds how many files are audited at once; ≤ 0 means
	// runtime.NumCPU().
	Jobs               int
	Reading            compute.Reading                // empty: the pack's default
	Errata             map[string]compute.ErratumForm // errata set on top of the reading
	Interpretations    map[string]string              // e.g. {"I-2": "soglia_diplomati"}
	Pack               compute.PackID                 // force one pack (I-4); empty: by EQF level and end date
	Thresholds         map[string]float64             // the auditor's thresholds
	WorkbookThresholds bool                           // what-if: the Soglie sheets' values apply
	Version            string                         // product version, for the stamps
	AuditedAt          time.Time                      // when the batch ran, written on every copy (zero: not stated)
	// Progress, if set, is called (never concurrently) when a file starts
	// and when it is done, with the count of files done, the total and the
	// file's name.
	Progress func(done, total int, current string)
	// KeepAnnotated keeps every audited copy in File.Annotated. Without it
	// and without OnAnnotated no audited copy is written at all.
	KeepAnnotated bool
	// OnAnnotated, if set, receives each audited copy as soon as it is
	// written (from the worker goroutines, concurrently). An error marks
	// the file as not audited, with the error's text as the reason.
	OnAnnotated func(in Input, annotated []byte) error
	// Skipped are files the caller left out on purpose (audited copies or
	// summaries found in a folder); the summary lists them.
	Skipped []summary.Excluded
	// Registry holds the rule packs; nil: the packs built into the binary.
	Registry *compute.Registry
	// SummaryOnly keeps of each audited workbook only what the summary
	// needs (its rows and counts), not its whole audit: File.Audit is
	// nil. A server's batch sets it, so that its memory holds one audit at
	// a time.
	SummaryOnly bool
	// MaxCourses, when positive, bounds the course rows of one workbook: a
	// workbook with more is listed as not audited, before any course is
	// scored.
	MaxCourses int
	// MaxTotalCourses, when positive, bounds the course rows of all the
	// workbooks of the batch together: a workbook that would pass it is
	// listed as not audited. Which one that is depends on the order the
	// files are audited in, which with Jobs 1 is the order of the inputs.
	MaxTotalCourses int
}

// File is the outcome for one input.
type File struct {
	Name   string
	SHA256 string
	Kind   string // summary.KindWorkbook (also for audited copies) or summary.KindSummary
	// Audit is the audit of a workbook; nil for summaries and failures,
	// and with Options.SummaryOnly.
	Audit *validate.Audit
	// Annotated is the audited copy, with Options.KeepAnnotated.
	Annotated []byte
	// Read is the earlier summary read back, for a summary input.
	Read *summary.Summary
	// Err is why the file could not be audited (a *FileError wrapping the
	// adapter's error, an *xlsxio.OpenError, for
	// unreadable workbooks); Reason is the one Italian line for people.
	Err    error
	Reason string

	link   string
	digest *digest // with Options.SummaryOnly
}

// OK reports whether the file was audited or read.
func (f *File) OK() bool { return f.Err == nil }

// Result is the outcome of a batch.
type Result struct {
	// Files are the inputs' outcomes, sorted by name, then SHA-256.
	Files   []File
	Summary *summary.Summary
}

// ErrInternal marks a file whose audit failed unexpectedly (a bug, not a
// problem of the file); the batch goes on.
var ErrInternal = errors.New("batch: internal error")

// ErrDuplicate marks a file byte for byte identical to another input (a
// browser's "fondazione (1).xlsx"): it is not audited and its courses are
// not counted again; the summary lists it as skipped, naming its twin.
var ErrDuplicate = errors.New("batch: identical to another file")

// Failed lists the files that could not be audited or read (not the
// duplicates, left out on purpose).
func (r *Result) Failed() []File {
	var out []File
	for _, f := range r.Files {
		if !f.OK() && !errors.Is(f.Err, ErrDuplicate) {
			out = append(out, f)
		}
	}
	return out
}

// HasProblems reports whether any audited file has an error or legal
// violation finding, or any foundation is flagged by the foundation rule.
func (r *Result) HasProblems() bool {
	for _, f := range r.Files {
		if f.Audit != nil && (f.Audit.HasSeverity(compute.SeverityError) || f.Audit.HasSeverity(compute.SeverityViolation)) {
			return true
		}
		if f.digest != nil && f.digest.problems {
			return true
		}
	}
	if r.Summary != nil {
		for _, v := range r.Summary.Verdicts {
			if v.Flagged {
				return true
			}
		}
	}
	return false
}

// JSON is the JSON form of the summary (see the package comment).
func (r *Result) JSON() ([]byte, error) { return r.Summary.JSON() }

// Run audits the inputs and builds the summary. It returns an error only
// for invalid options (a wrong reading or interpretation) or when ctx is
// cancelled; a file that cannot be audited is a File with Err set.
func Run(ctx context.Context, inputs []Input, opts Options) (*Result, error) {
	if opts.Auditor == nil {
		return nil, errors.New("batch: no Auditor in the options")
	}
	reg := opts.Registry
	if reg == nil {
		var err error
		if reg, err = compute.LoadEmbedded(); err != nil {
			return nil, fmt.Errorf("batch: %w", err)
		}
	}
	vopts := validate.Options{Reading: opts.Reading, Errata: opts.Errata, Interpretations: opts.Interpretations, Pack: opts.Pack,
		Thresholds: opts.Thresholds, WorkbookThresholds: opts.WorkbookThresholds, AuditedAt: opts.AuditedAt}
	// The options are checked once, on an empty workbook, before any file.
	probe, err := validate.Run(&validate.Input{}, reg, vopts)
	if err != nil {
		return nil, err
	}
	jobs := opts.Jobs
	if jobs <= 0 {
		jobs = runtime.NumCPU()
	}
	jobs = max(1, min(jobs, len(inputs)))

	files := make([]File, len(inputs))
	twins := duplicates(inputs)
	var courses courseBudget
	courses.max = opts.MaxTotalCourses
	var mu sync.Mutex
	done := 0
	progress := func(name string, finished bool) {
		mu.Lock()
		defer mu.Unlock()
		if finished {
			done++
		}
		if opts.Progress != nil {
			opts.Progress(done, len(inputs), name)
		}
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				progress(inputs[i].Name, false)
				if twin, ok := twins[i]; ok {
					files[i] = duplicateOf(inputs[i], twin)
				} else {
					files[i] = auditOne(ctx, inputs[i], reg, vopts, opts, &courses)
				}
				progress(inputs[i].Name, true)
			}
		}()
	}
feed:
	for i := range inputs {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sort.SliceStable(files, func(i, j int) bool {
		if files[i].Name != files[j].Name {
			return files[i].Name < files[j].Name
		}
		return files[i].SHA256 < files[j].SHA256
	})
	res := &Result{Files: files}
	res.Summary = buildSummary(files, reg, probe, opts)
	return res, nil
}

// duplicates maps the index of each input identical (same SHA-256) to
// another to the name of the one kept: of identical inputs, the one with
// the shortest name ("fondazione.xlsx" before the browser's
// "fondazione (1).xlsx"), then the first in order of names, so that the
// choice does not depend on the order of the inputs.
func duplicates(inputs []Input) map[int]string {
	first := map[[sha256.Size]byte]int{}
	sums := make([][sha256.Size]byte, len(inputs))
	before := func(a, b string) bool {
		if len(a) != len(b) {
			return len(a) < len(b)
		}
		return a < b
	}
	for i, in := range inputs {
		if in.Err != nil {
			continue
		}
		sums[i] = sha256.Sum256(in.Data)
		if j, ok := first[sums[i]]; !ok || before(in.Name, inputs[j].Name) {
			first[sums[i]] = i
		}
	}
	out := map[int]string{}
	for i, in := range inputs {
		if in.Err != nil {
			continue
		}
		if j := first[sums[i]]; j != i {
			out[i] = inputs[j].Name
		}
	}
	return out
}

// duplicateOf is the outcome of an input identical to twin.
func duplicateOf(in Input, twin string) File {
	sum := sha256.Sum256(in.Data)
	return File{
		Name: in.Name, SHA256: hex.EncodeToString(sum[:]), Kind: summary.KindWorkbook,
		Err:    fmt.Errorf("%w: %s", ErrDuplicate, twin),
		Reason: fmt.Sprintf("identico a «%s» (stesso contenuto, SHA-256 %s…): i suoi percorsi sono contati una volta sola", twin, hex.EncodeToString(sum[:4])),
	}
}

// auditOne audits or reads one file; it never panics.
// courseBudget counts the course rows of a batch's workbooks against
// Options.MaxTotalCourses.
type courseBudget struct {
	mu        sync.Mutex
	max, used int
}

func (b *courseBudget) take(n int) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.max > 0 && b.used+n > b.max {
		return false
	}
	b.used += n
	return true
}

func auditOne(ctx context.Context, in Input, reg *compute.Registry, vopts validate.Options, opts Options, courses *courseBudget) (f File) {
	sum := sha256.Sum256(in.Data)
	f = File{Name: in.Name, SHA256: hex.EncodeToString(sum[:]), Kind: summary.KindWorkbook, link: in.Link}
	base := path.Base(strings.ReplaceAll(in.Name, `\`, "/"))
	defer func() {
		if r := recover(); r != nil {
			f.Audit, f.Annotated, f.Read = nil, nil, nil
			f.Err = fmt.Errorf("%w: %s: %v", ErrInternal, in.Name, r)
			f.Reason = base + ": errore interno durante la verifica; il file non è stato verificato"
		}
	}()
	fail := func(err error) File {
		f.Err = err
		var fe *FileError
		switch {
		case errors.As(err, &fe):
			f.Reason = fe.Msg
			if !strings.Contains(f.Reason, base) {
				f.Reason = base + ": " + f.Reason
			}
		default:
			f.Reason = base + ": " + err.Error()
		}
		return f
	}
	if in.Err != nil {
		f.SHA256 = ""
		f.Err = in.Err
		f.Reason = in.Err.Error()
		if !strings.Contains(f.Reason, base) {
			f.Reason = in.Name + ": " + f.Reason
		}
		return f
	}
	if opts.Auditor.Kind(in.Data) == summary.KindSummary {
		f.Kind = summary.KindSummary
		s, err := opts.Auditor.ReadSummary(in.Data, base)
		if err != nil {
			return fail(err)
		}
		f.Read = s
		return f
	}
	res, err := opts.Auditor.Audit(ctx, in.Data, base, AuditOptions{
		Validate: vopts, Version: opts.Version, Registry: reg,
		AfterRead: func(wb *validate.Input) error {
			if n := len(wb.Courses); opts.MaxCourses > 0 && n > opts.MaxCourses {
				return fmt.Errorf("ha %d righe di percorsi, oltre il limite di %d per file; il file non è stato verificato", n, opts.MaxCourses)
			}
			if !courses.take(len(wb.Courses)) {
				return fmt.Errorf("con le sue %d righe di percorsi supererebbe il limite di %d percorsi per riepilogo; il file non è stato verificato: inviarlo in un altro riepilogo", len(wb.Courses), opts.MaxTotalCourses)
			}
			return nil
		},
	})
	if err != nil {
		return fail(err)
	}
	a := res.Audit
	f.Audit = a
	if opts.SummaryOnly {
		f.digest = newDigest(a, indicatorNames(reg, opts))
		f.Audit = nil
	}
	if opts.OnAnnotated == nil && !opts.KeepAnnotated {
		return f // nobody wants the audited copy (the server's summary)
	}
	out, err := res.Copy()
	if err != nil {
		f.Audit = nil
		return fail(err)
	}
	if opts.OnAnnotated != nil {
		if err := opts.OnAnnotated(in, out); err != nil {
			f.Audit = nil
			return fail(fmt.Errorf("copia verificata non scritta: %w", err))
		}
	}
	if opts.KeepAnnotated {
		f.Annotated = out
	}
	return f
}
