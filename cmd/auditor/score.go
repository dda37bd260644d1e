package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/its-academy/auditor/compute"
)

// courseFile is the JSON form of courses for `rules score`: the field codes
// of WORKBOOK.md, and optionally the thresholds of the Soglie sheet.
type courseFile struct {
	Courses    []courseJSON       `json:"courses"`
	Thresholds map[string]float64 `json:"thresholds"`
}

type courseJSON struct {
	Code   string                        `json:"codice_percorso"`
	Area   string                        `json:"area_tecnologica"`
	Values map[compute.FieldCode]float64 `json:"values"`
}

// interpFlag collects repeated --interpretation I-2=choice flags.
type interpFlag map[string]string

func (f interpFlag) String() string { return fmt.Sprint(map[string]string(f)) }

func (f interpFlag) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok {
		return fmt.Errorf("atteso ID=scelta, per esempio I-2=soglia_diplomati")
	}
	f[strings.TrimSpace(k)] = strings.TrimSpace(v)
	return nil
}

func (m *Main) rulesScore(args []string) error {
	fs := newFlags("rules score")
	ch := newChoiceFlags(fs)
	traces := fs.Bool("traces", false, "")
	pf := newPackFlags(fs)
	pos, p, err := parsePackCommand(fs, pf, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return &usageError{"indicare un file JSON di percorsi (es. testdata/courses-example.json)"}
	}
	cf, err := readCourseFile(pos[0])
	if err != nil {
		return err
	}
	extra, err := ch.thresholdValues()
	if err != nil {
		return err
	}
	if extra != nil {
		if cf.Thresholds == nil {
			cf.Thresholds = map[string]float64{}
		}
		for k, v := range extra {
			cf.Thresholds[k] = v
		}
	}
	opts := compute.Options{Errata: ch.errata, Interpretations: ch.interp, Overrides: cf.Thresholds}
	if opts.Reading, err = ch.parsedReading(); err != nil {
		return err
	}
	sc, err := compute.NewScorer(p, opts)
	if err != nil {
		return err
	}
	type scored struct {
		*compute.CourseResult
		Sensitivity []compute.Alternative `json:"sensitivity"`
	}
	var results []scored
	for _, c := range cf.Courses {
		course := compute.Course{Code: c.Code, Area: c.Area, Values: c.Values}
		res := sc.Score(course)
		sens := sc.Sensitivity(course, res)
		if fp := res.Female.FemaleProblem(); fp != nil {
			res.Problems = append(res.Problems, *fp)
		}
		results = append(results, scored{res, sens})
	}
	if *pf.json {
		return m.writeJSON(struct {
			RulePack    compute.PackID     `json:"rule_pack"`
			PackVersion string             `json:"rule_pack_version"`
			PackSHA256  string             `json:"rule_pack_sha256"`
			Reading     compute.Reading    `json:"reading"`
			Errata      compute.Errata     `json:"errata"`
			Version     string             `json:"version"`
			Overridden  []compute.Override `json:"overridden"`
			Courses     []scored           `json:"courses"`
		}{p.ID, p.Version, p.Digest(), sc.Reading(), sc.Errata(), Version, sc.Overridden(), results})
	}
	out := m.Stdout
	fmt.Fprintf(out, "Pacchetto %s (versione %s), %s: %s\n", p.ID, p.Version, p.ReadingLabel(sc.Reading()), p.ErrataText(sc.Errata()))
	for _, o := range sc.Overridden() {
		if o.Default == nil {
			fmt.Fprintf(out, "Valore fornito per questa esecuzione: %s = %s (il decreto non lo fissa)\n", o.Code, short(o.Value))
		} else {
			fmt.Fprintf(out, "Soglia modificata per questa esecuzione: %s = %s (predefinita %s)\n", o.Code, short(o.Value), short(*o.Default))
		}
	}
	for _, r := range results {
		m.printCourse(out, r.CourseResult, r.Sensitivity, *traces)
	}
	return nil
}

func readCourseFile(path string) (*courseFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("lettura dei percorsi: %w", err)
	}
	data = bytes.TrimSpace(data)
	cf := &courseFile{}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if len(data) > 0 && data[0] == '{' && !bytes.Contains(data, []byte(`"courses"`)) {
		var c courseJSON
		if err := dec.Decode(&c); err != nil {
			return nil, fmt.Errorf("%s: JSON non valido: %w", path, err)
		}
		cf.Courses = []courseJSON{c}
		return cf, nil
	}
	if err := dec.Decode(cf); err != nil {
		return nil, fmt.Errorf("%s: JSON non valido: %w", path, err)
	}
	return cf, nil
}

func (m *Main) printCourse(out io.Writer, r *compute.CourseResult, sens []compute.Alternative, traces bool) {
	fmt.Fprintf(out, "\nPercorso %s – %s\n", r.Code, r.Area)
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "Art.\tR\tS\tP\tPeso\tPunti\tRamo")
	for _, a := range r.Articulations {
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", a.Number, itp(a.Result, 2), itp(a.Threshold, 1), itp(a.Score, 2), it(a.Weight, 1), itp(a.Points, 3), a.Branch)
	}
	w.Flush()
	for _, ind := range r.Indicators {
		z := ""
		if ind.Zeroed {
			z = " (azzerato: " + ind.Trace.Citation + ")"
		}
		fmt.Fprintf(out, "%-30s %6s / %s%s\n", ind.Name, itp(ind.Points, 3), it(ind.Weight, 1), z)
	}
	if r.Total != nil {
		fmt.Fprintf(out, "TOTALE %s – %s\n", it(*r.Total, 3), r.Band.Label)
	} else {
		fmt.Fprintln(out, "TOTALE non calcolabile: vedere i problemi sotto.")
	}
	if r.Female.Computable {
		fmt.Fprintf(out, "Indicatore studentesse: R = %s, P = %s\n", itp(r.Female.Result, 2), itp(r.Female.Score, 2))
	}
	for _, pr := range r.Problems {
		fmt.Fprintf(out, "[%s] %s %s: %s\n", pr.Severity, pr.Rule, pr.Field, pr.Message)
	}
	if len(sens) > 0 {
		fmt.Fprintln(out, "Totale con ciascuna scelta alternativa:")
		for _, a := range sens {
			band := ""
			if a.BandChanged {
				band = " – cambia la fascia: " + a.Band
			}
			fmt.Fprintf(out, "  %-50s %s (%s)%s\n", a.Label, itp(a.Total, 3), signed(a.Delta), band)
		}
	}
	if traces {
		for _, a := range r.Articulations {
			for _, t := range a.Traces {
				printTrace(out, t)
			}
		}
		for _, ind := range r.Indicators {
			printTrace(out, ind.Trace)
		}
		if r.TotalTrace != nil {
			printTrace(out, *r.TotalTrace)
		}
	}
}

func printTrace(out io.Writer, t compute.Trace) {
	fmt.Fprintf(out, "  %s = %s  [%s]\n", t.Quantity, it(t.Value, 4), t.Label)
	fmt.Fprintf(out, "    formula: %s\n", t.Formula)
	if t.Branch != "" {
		if t.Erratum != "" {
			fmt.Fprintf(out, "    ramo: %s (errata %s %s)\n", t.Branch, t.Erratum, t.Form.Label())
		} else {
			fmt.Fprintf(out, "    ramo: %s\n", t.Branch)
		}
	}
	fmt.Fprintf(out, "    %s\n", t.Explanation)
	for _, b := range t.Inputs {
		src := b.From
		if b.Field != "" {
			src = "campo " + string(b.Field)
		}
		fmt.Fprintf(out, "    %s = %s (%s)\n", b.Symbol, it(b.Value, 4), src)
	}
	if t.Threshold != nil {
		fmt.Fprintf(out, "    soglia %s = %s (%s; %s)\n", t.Threshold.Code, it(t.Threshold.Value, 4), t.Threshold.Source, t.Threshold.Citation)
		if t.Threshold.Note != "" {
			fmt.Fprintf(out, "    %s\n", t.Threshold.Note)
		}
	}
	for _, n := range t.Notes {
		fmt.Fprintf(out, "    nota: %s\n", n)
	}
	fmt.Fprintf(out, "    fonte: %s\n", t.Citation)
}

// signed writes a difference with its sign: «+1,234», «−0,5», «0».
func signed(v *float64) string {
	switch {
	case v == nil:
		return "—"
	case *v > 0:
		return "+" + it(*v, 3)
	case *v < 0:
		return "−" + it(-*v, 3)
	}
	return "0"
}
