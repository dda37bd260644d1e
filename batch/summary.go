package batch

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/its-academy/auditor/batch/summary"
	"github.com/its-academy/auditor/compute"
	"github.com/its-academy/auditor/validate"
)

// Statuses of an input on the summary.
const (
	statusAudited  = "verificato"
	statusRead     = "letto"
	statusExcluded = "escluso"
	statusSkipped  = "saltato"
)

// courseKey identifies a course across sources: an earlier summary's row
// with the same key as a course audited now is replaced by it.
type courseKey struct {
	foundation string
	year       int
	code       string
}

// buildSummary makes the summary model from the files, sorted by name. It
// depends only on their content, never on the order they were audited in.
func buildSummary(files []File, reg *compute.Registry, probe *validate.Audit, opts Options) *summary.Summary {
	s := &summary.Summary{
		Format: summary.Format, Version: opts.Version, Reading: probe.Reading, Errata: probe.Errata, WhatIf: opts.WorkbookThresholds,
		Interpretations: map[string]string{},
		Inputs:          []summary.Input{}, Courses: []summary.Course{},
		Foundations: []summary.Foundation{}, Excluded: []summary.Excluded{},
		Verdicts: []summary.Verdict{}, Notes: []string{}, Packs: []summary.Pack{},
	}
	for k, v := range opts.Interpretations {
		s.Interpretations[k] = v
	}
	rule, rulePack := foundationRule(reg, opts)
	s.Rule = rule
	s.Indicators = indicatorNames(reg, opts)

	// Inputs, failures and the packs used.
	packs := map[compute.PackID]string{}
	if rulePack != nil {
		packs[rulePack.ID] = rulePack.Digest()
	}
	for _, f := range files {
		in := summary.Input{Name: f.Name, SHA256: f.SHA256, Kind: f.Kind}
		switch {
		case errors.Is(f.Err, ErrDuplicate):
			in.Status = statusSkipped
			s.Excluded = append(s.Excluded, summary.Excluded{Name: f.Name, Reason: f.Reason, Skipped: true})
		case !f.OK():
			in.Status = statusExcluded
			s.Excluded = append(s.Excluded, summary.Excluded{Name: f.Name, Reason: f.Reason})
		case f.Kind == summary.KindSummary:
			in.Status = statusRead
		default:
			in.Status = statusAudited
			for id, d := range f.digestOf(s.Indicators).packs {
				packs[id] = d
			}
		}
		s.Inputs = append(s.Inputs, in)
	}
	for _, sk := range opts.Skipped {
		sk.Skipped = true
		s.Excluded = append(s.Excluded, sk)
		s.Inputs = append(s.Inputs, summary.Input{Name: sk.Name, Kind: summary.KindSkipped, Status: statusSkipped})
	}
	sort.SliceStable(s.Excluded, func(i, j int) bool { return s.Excluded[i].Name < s.Excluded[j].Name })
	sort.SliceStable(s.Inputs, func(i, j int) bool {
		if s.Inputs[i].Name != s.Inputs[j].Name {
			return s.Inputs[i].Name < s.Inputs[j].Name
		}
		return s.Inputs[i].SHA256 < s.Inputs[j].SHA256
	})
	ids := make([]string, 0, len(packs))
	for id := range packs {
		ids = append(ids, string(id))
	}
	sort.Strings(ids)
	for _, id := range ids {
		s.Packs = append(s.Packs, summary.Pack{ID: compute.PackID(id), SHA256: packs[compute.PackID(id)]})
	}

	// Courses audited now, and the workbook-level findings of each
	// foundation-year.
	audited := map[courseKey]bool{}
	type counts struct{ violations, errors int }
	wbCounts := map[courseKey]counts{} // code "" in the key: per foundation-year
	var digests []*digest
	for _, f := range files {
		d := f.digestOf(s.Indicators)
		if d == nil {
			continue
		}
		digests = append(digests, d)
		k := courseKey{foundation: d.fnd.code, year: d.fnd.year}
		c := wbCounts[k]
		c.violations += d.violations
		c.errors += d.errors
		wbCounts[k] = c
		for _, sc := range d.courses {
			sc.File, sc.Link = f.Name, f.link
			s.Courses = append(s.Courses, sc)
			audited[courseKey{sc.FoundationCode, sc.Year, sc.Code}] = true
		}
	}
	// The same course in two workbooks audited now (a foundation that sent
	// a corrected file): counted once, from the file whose name comes
	// first (files are sorted by name); its row names the other file, and
	// a note lists each pair.
	var twins []string
	firstAt := map[courseKey]int{}
	kept := s.Courses[:0:0]
	for _, c := range s.Courses {
		k := courseKey{c.FoundationCode, c.Year, c.Code}
		j, seen := firstAt[k]
		if strings.TrimSpace(c.Code) == "" || !seen || kept[j].File == c.File {
			// A course without code cannot be matched; twice in one
			// workbook is a finding of its audit.
			if !seen {
				firstAt[k] = len(kept)
			}
			kept = append(kept, c)
			continue
		}
		first := &kept[j]
		first.Note = joinNote(first.Note, fmt.Sprintf("Percorso presente anche in «%s» (riga %d): contato una volta sola, con i dati di questo file.", c.File, c.Row))
		// A finding on both: a warning on the row counted, and the other
		// row listed with the files not counted.
		first.Findings.Warning++
		s.Excluded = append(s.Excluded, summary.Excluded{
			Name:   fmt.Sprintf("%s (riga %d)", c.File, c.Row),
			Reason: fmt.Sprintf("percorso %s (fondazione %s, anno %d) già presente in «%s» riga %d: contato una volta sola, con i dati di quel file; controllare quale file vale", c.Code, c.FoundationCode, c.Year, first.File, first.Row),
		})
		twins = append(twins, fmt.Sprintf("%s (fondazione %s, anno %d) in «%s» riga %d e in «%s» riga %d", c.Code, c.FoundationCode, c.Year, first.File, first.Row, c.File, c.Row))
	}
	s.Courses = kept
	if len(twins) > 0 {
		const shown = 20
		total, more := len(twins), ""
		if total > shown {
			more = fmt.Sprintf(" e altri %d", total-shown)
			twins = twins[:shown]
		}
		s.Notes = append(s.Notes, fmt.Sprintf("%d percorsi (stessa fondazione, anno e codice) compaiono in più file verificati ora e sono contati una volta sola, con i dati del file con il nome che viene prima (controllare quale file vale): %s%s.", total, strings.Join(twins, "; "), more))
	}
	// Courses of earlier summaries, unless audited now or already read
	// from an earlier summary (files are sorted by name: the first wins).
	replaced, dupes, dropped := 0, 0, map[string]bool{}
	imported := map[courseKey]bool{}
	for _, f := range files {
		if f.Read == nil {
			continue
		}
		pos := map[string]int{}
		for i, name := range f.Read.Indicators {
			pos[name] = i
		}
		for name := range pos {
			if !contains(s.Indicators, name) {
				dropped[name] = true
			}
		}
		for _, c := range f.Read.Courses {
			k := courseKey{c.FoundationCode, c.Year, c.Code}
			if audited[k] {
				replaced++
				continue
			}
			if imported[k] {
				dupes++
				continue
			}
			imported[k] = true
			old := c.Indicators
			c.Indicators = make([]*float64, len(s.Indicators))
			for i, name := range s.Indicators {
				if j, ok := pos[name]; ok && j < len(old) && old[j] != nil {
					v := *old[j]
					c.Indicators[i] = &v
				}
			}
			c.From = f.Name
			s.Courses = append(s.Courses, c)
		}
	}
	if replaced > 0 {
		s.Notes = append(s.Notes, fmt.Sprintf("%d percorsi dei riepiloghi precedenti sono stati sostituiti da quelli verificati ora (stessa fondazione, anno e codice).", replaced))
	}
	if dupes > 0 {
		s.Notes = append(s.Notes, fmt.Sprintf("%d percorsi presenti in più riepiloghi precedenti sono contati una volta sola (vale il riepilogo con il nome che viene prima).", dupes))
	}
	if len(dropped) > 0 {
		names := slices.Sorted(maps.Keys(dropped))
		s.Notes = append(s.Notes, "Indicatori dei riepiloghi precedenti non riportati: "+strings.Join(names, ", ")+".")
	}
	sort.SliceStable(s.Courses, func(i, j int) bool { return lessCourse(&s.Courses[i], &s.Courses[j]) })

	s.Sensitivity = mergeSensitivity(digests)

	// The foundation rule.
	unplaced := 0
	if rule != nil {
		fcs := make([]compute.FoundationCourse, 0, len(s.Courses))
		for _, c := range s.Courses {
			if strings.TrimSpace(c.FoundationCode) == "" || c.Year <= 0 {
				unplaced++
				continue
			}
			fcs = append(fcs, compute.FoundationCourse{Foundation: c.FoundationCode, Year: c.Year, Code: c.Code, Total: c.Total, File: c.File})
		}
		names := map[string]string{}
		for _, c := range s.Courses {
			if names[c.FoundationCode] == "" {
				names[c.FoundationCode] = c.FoundationName
			}
		}
		for _, v := range rule.Apply(fcs, opts.Interpretations) {
			s.Verdicts = append(s.Verdicts, summary.Verdict{FoundationVerdict: v, Name: names[v.Foundation]})
		}
		s.Sensitivity = append(s.Sensitivity, ruleSensitivity(rule, rulePack, fcs, opts.Interpretations)...)
		if unplaced > 0 {
			s.Notes = append(s.Notes, fmt.Sprintf("%d percorsi senza codice della fondazione o anno di monitoraggio valido: esclusi dalla regola dei tre anni.", unplaced))
		}
	} else {
		s.Notes = append(s.Notes, "Nessun pacchetto di regole contiene la regola sulle fondazioni: il controllo sui tre anni non è stato fatto.")
	}
	flagged := map[courseKey]bool{}
	for _, v := range s.Verdicts {
		for _, y := range v.FlaggedYears {
			flagged[courseKey{foundation: v.Foundation, year: y}] = true
		}
	}

	// Aggregates per foundation and year, over the sorted rows.
	bar := 50.0
	if rule != nil {
		bar = rule.Below
	}
	index := map[courseKey]int{}
	sums := map[courseKey]float64{}
	for _, c := range s.Courses {
		k := courseKey{foundation: c.FoundationCode, year: c.Year}
		i, ok := index[k]
		if !ok {
			i = len(s.Foundations)
			index[k] = i
			wc := wbCounts[k]
			s.Foundations = append(s.Foundations, summary.Foundation{Code: k.foundation, Name: c.FoundationName, Year: k.year,
				Violations: wc.violations, Errors: wc.errors, Flagged: flagged[k]})
		}
		fd := &s.Foundations[i]
		if fd.Name == "" {
			fd.Name = c.FoundationName
		}
		fd.Courses++
		fd.Violations += c.Findings.Violation
		fd.Errors += c.Findings.Error
		if c.Total != nil {
			fd.Scored++
			sums[k] += *c.Total
			if *c.Total < bar {
				fd.Below++
			}
		}
	}
	for i := range s.Foundations {
		fd := &s.Foundations[i]
		if fd.Scored > 0 {
			mean := sums[courseKey{foundation: fd.Code, year: fd.Year}] / float64(fd.Scored)
			share := float64(fd.Below) / float64(fd.Scored) * 100
			fd.Mean, fd.Share = &mean, &share
		}
	}

	s.Distribution = distribution(s.Courses)
	return s
}

// distribution counts scored courses per 10-point bucket and year.
func distribution(courses []summary.Course) summary.Distribution {
	d := summary.Distribution{Years: []int{}, Counts: make([][]int, 10)}
	for i := 0; i < 10; i++ {
		d.Buckets = append(d.Buckets, fmt.Sprintf("%d–%d", i*10, i*10+10))
	}
	col := map[int]int{}
	for _, c := range courses {
		if c.Total != nil {
			if _, ok := col[c.Year]; !ok {
				col[c.Year] = 0
				d.Years = append(d.Years, c.Year)
			}
		}
	}
	sort.Ints(d.Years)
	for j, y := range d.Years {
		col[y] = j
	}
	for i := range d.Counts {
		d.Counts[i] = make([]int, len(d.Years))
	}
	for _, c := range courses {
		if c.Total == nil || math.IsNaN(*c.Total) {
			continue
		}
		b := int(math.Floor(*c.Total / 10))
		b = max(0, min(b, 9))
		d.Counts[b][col[c.Year]]++
	}
	return d
}

func lessCourse(a, b *summary.Course) bool {
	return cmp.Or(cmp.Compare(a.FoundationCode, b.FoundationCode), cmp.Compare(a.Year, b.Year), cmp.Compare(a.Code, b.Code),
		cmp.Compare(a.File, b.File), cmp.Compare(a.From, b.From), cmp.Compare(a.Row, b.Row)) < 0
}

// foundationRule is the foundation rule of the batch and its pack.
func foundationRule(reg *compute.Registry, opts Options) (*compute.FoundationRule, *compute.Pack) {
	rule, rulePack, _ := reg.FoundationRuleFor(opts.Pack)
	if rule == nil {
		rule, rulePack, _ = reg.FoundationRuleFor("")
	}
	return rule, rulePack
}

// indicatorNames are the indicator columns of the summary, in pack order.
func indicatorNames(reg *compute.Registry, opts Options) []string {
	_, namesPack := foundationRule(reg, opts)
	if p, ok := reg.Get(opts.Pack); ok {
		namesPack = p
	} else if namesPack == nil && len(reg.Packs()) > 0 {
		namesPack = reg.Packs()[0]
	}
	var names []string
	if namesPack != nil {
		for _, ind := range namesPack.Indicators {
			names = append(names, ind.Name)
		}
	}
	return names
}

// digest is what the summary needs of one audited workbook: its
// foundation, its course rows (without file and link), the counts of its
// workbook-level findings, the packs it used and whether it has error or
// violation findings.
type digest struct {
	fnd                foundation
	courses            []summary.Course
	violations, errors int
	packs              map[compute.PackID]string
	problems           bool
	sensitivity        []summary.Choice // per alternative: scored courses, band changes
}

// digestOf is the file's digest: the one kept by a summary-only run, else
// built from its audit; nil when the file was not audited.
func (f *File) digestOf(indicators []string) *digest {
	if f.digest != nil || f.Audit == nil {
		return f.digest
	}
	return newDigest(f.Audit, indicators)
}

func newDigest(a *validate.Audit, indicators []string) *digest {
	d := &digest{fnd: foundationOf(a.Input), packs: map[compute.PackID]string{},
		problems: a.HasSeverity(compute.SeverityError) || a.HasSeverity(compute.SeverityViolation)}
	for _, fi := range a.Findings {
		switch fi.Severity {
		case compute.SeverityViolation:
			d.violations++
		case compute.SeverityError:
			d.errors++
		}
	}
	for id, sc := range a.Scorers {
		if sc != nil && sc.Pack() != nil {
			d.packs[id] = sc.Pack().Digest()
		}
	}
	rows := map[int]*validate.CourseRow{}
	if a.Input != nil {
		for i := range a.Input.Courses {
			rows[a.Input.Courses[i].Row] = &a.Input.Courses[i]
		}
	}
	d.courses = make([]summary.Course, 0, len(a.Courses))
	for i := range a.Courses {
		d.courses = append(d.courses, summaryCourse(&a.Courses[i], rows[a.Courses[i].Row], d.fnd, indicators))
	}
	d.sensitivity = addSensitivity(nil, a.Courses)
	return d
}

type foundation struct {
	code, name, region string
	year               int
}

// foundationOf reads the Fondazione sheet's code, name, region and year
// (0 when the year is missing or not a plausible year).
func foundationOf(in *validate.Input) foundation {
	text := func(code compute.FieldCode) string {
		if in == nil {
			return ""
		}
		return strings.TrimSpace(in.Foundation[code].Text)
	}
	f := foundation{code: text("fondazione_codice"), name: text("fondazione_nome"), region: text("regione")}
	if n, err := validate.ParseNumber(text("anno_monitoraggio")); err == nil && n.Value == math.Trunc(n.Value) && n.Value >= 1900 && n.Value <= 2100 {
		f.year = int(n.Value)
	}
	return f
}

// summaryCourse is one audited course as a summary row.
func summaryCourse(ca *validate.CourseAudit, r *validate.CourseRow, fnd foundation, indicators []string) summary.Course {
	c := summary.Course{
		FoundationCode: fnd.code, FoundationName: fnd.name, Region: fnd.region, Year: fnd.year,
		Code: ca.Code, Area: ca.Area, Row: ca.Row, Indicators: make([]*float64, len(indicators)),
	}
	if r != nil {
		c.Title = strings.TrimSpace(r.Entries["titolo"].Text)
		if c.Area == "" {
			c.Area = strings.TrimSpace(r.Entries["area_tecnologica"].Text)
		}
	}
	for _, f := range ca.Findings {
		switch f.Severity {
		case compute.SeverityError:
			c.Findings.Error++
		case compute.SeverityViolation:
			c.Findings.Violation++
		case compute.SeverityWarning:
			c.Findings.Warning++
		case compute.SeverityInfo:
			c.Findings.Info++
		}
	}
	if ca.Scored() {
		t := *ca.Result.Total
		c.Total = &t
		if ca.Result.Band != nil {
			c.Band = ca.Result.Band.Code
		}
		for _, ir := range ca.Result.Indicators {
			for i, name := range indicators {
				if name == ir.Name && ir.Points != nil {
					p := *ir.Points
					c.Indicators[i] = &p
				}
			}
		}
		return c
	}
	c.Note = "Percorso senza punteggio."
	for _, sev := range []compute.Severity{compute.SeverityError, compute.SeverityViolation, compute.SeverityWarning, compute.SeverityInfo} {
		if m := firstMessage(ca.Findings, sev); m != "" {
			c.Note = "Senza punteggio: " + m
			break
		}
	}
	return c
}

// joinNote joins two notes of a row with a space.
func joinNote(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + " " + b
}

func firstMessage(fs []validate.Finding, sev compute.Severity) string {
	for _, f := range fs {
		if f.Severity == sev {
			return f.Message
		}
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// addSensitivity adds to counts, for each alternative choice, the scored
// courses compared and those whose band changes, in the order the audits
// list the alternatives.
func addSensitivity(counts []summary.Choice, courses []validate.CourseAudit) []summary.Choice {
	for _, c := range courses {
		for _, alt := range c.Sensitivity {
			var i int
			counts, i = choiceEntry(counts, alt.Choice, alt.Alternative, alt.Label)
			counts[i].Courses++
			if alt.BandChanged {
				counts[i].BandChanges++
			}
		}
	}
	return counts
}

// choiceEntry returns counts and the index of the alternative's entry in
// it, a new one at the end when the alternative has none yet.
func choiceEntry(counts []summary.Choice, choice, alternative, label string) ([]summary.Choice, int) {
	for i, c := range counts {
		if c.Choice == choice && c.Alternative == alternative {
			return counts, i
		}
	}
	return append(counts, summary.Choice{Choice: choice, Alternative: alternative, Label: label}), len(counts)
}

// mergeSensitivity adds up the files' counts per alternative choice.
func mergeSensitivity(digests []*digest) []summary.Choice {
	var out []summary.Choice
	for _, d := range digests {
		for _, c := range d.sensitivity {
			var i int
			out, i = choiceEntry(out, c.Choice, c.Alternative, c.Label)
			out[i].Courses += c.Courses
			out[i].BandChanges += c.BandChanges
		}
	}
	return out
}

// ruleSensitivity applies the foundation rule under each other choice of
// the interpretation it depends on (I-8), listing the foundations flagged.
func ruleSensitivity(rule *compute.FoundationRule, p *compute.Pack, fcs []compute.FoundationCourse, interp map[string]string) []summary.Choice {
	if rule.ShareInterpretation == "" || p == nil {
		return nil
	}
	var out []summary.Choice
	for _, in := range p.Interpretations {
		if in.ID != rule.ShareInterpretation {
			continue
		}
		current := interp[in.ID]
		if current == "" {
			current = in.Default
		}
		choices := make([]string, 0, len(in.Choices))
		for c := range in.Choices {
			if c != current {
				choices = append(choices, c)
			}
		}
		sort.Strings(choices)
		for _, c := range choices {
			alt := map[string]string{}
			for k, v := range interp {
				alt[k] = v
			}
			alt[in.ID] = c
			sc := summary.Choice{Choice: in.ID, Alternative: c, Label: in.ID + " (" + in.Topic + "): " + c, Flagged: []string{}}
			for _, v := range rule.Apply(fcs, alt) {
				if v.Flagged {
					sc.Flagged = append(sc.Flagged, v.Foundation)
				}
			}
			out = append(out, sc)
		}
	}
	return out
}
