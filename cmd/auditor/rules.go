package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/its-academy/auditor/compute"
	"github.com/its-academy/auditor/validate"
)

const defaultPack = compute.PackID("dm-2023-11-30-eqf5")

func (m *Main) runRules(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return &usageError{"manca il sottocomando: show, eval, conformance o score"}
	}
	switch args[0] {
	case "show":
		return m.rulesShow(args[1:])
	case "eval":
		return m.rulesEval(args[1:])
	case "conformance":
		return m.rulesConformance(args[1:])
	case "score":
		return m.rulesScore(args[1:])
	}
	return &usageError{fmt.Sprintf("sottocomando %q sconosciuto: show, eval, conformance o score", args[0])}
}

// newFlags returns a flag set that reports errors instead of exiting.
func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// parseFlags parses flags placed before or after the positional arguments.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, &helpRequest{fs}
			}
			return nil, &usageError{err.Error()}
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// packFlags registers the flags every rules subcommand shares.
type packFlags struct {
	json *bool
	pack *string
}

func newPackFlags(fs *flag.FlagSet) packFlags {
	return packFlags{json: fs.Bool("json", false, ""), pack: fs.String("pack", "", "")}
}

// parsePackCommand parses a rules subcommand's flags and loads its pack.
func parsePackCommand(fs *flag.FlagSet, pf packFlags, args []string) ([]string, *compute.Pack, error) {
	pos, err := parseFlags(fs, args)
	if err != nil {
		return nil, nil, err
	}
	p, err := loadPack(*pf.pack)
	return pos, p, err
}

// loadPack returns the embedded pack with the given id, or reads a pack file
// when the argument names one (a new pack needs no new code).
func loadPack(ref string) (*compute.Pack, error) {
	if ref == "" {
		ref = string(defaultPack)
	}
	if strings.HasSuffix(ref, ".json") {
		data, err := os.ReadFile(ref)
		if err != nil {
			return nil, fmt.Errorf("lettura del pacchetto di regole: %w", err)
		}
		p, err := compute.ParsePack(data)
		if err != nil {
			return nil, err
		}
		return p, validate.CheckPack(p)
	}
	reg, err := compute.LoadEmbedded()
	if err != nil {
		return nil, err
	}
	p, ok := reg.Get(compute.PackID(ref))
	if !ok {
		var ids []string
		for _, p := range reg.Packs() {
			ids = append(ids, string(p.ID))
		}
		return nil, &usageError{fmt.Sprintf("pacchetto di regole %q sconosciuto (disponibili: %s)", ref, strings.Join(ids, ", "))}
	}
	return p, nil
}

func (m *Main) writeJSON(v any) error {
	enc := json.NewEncoder(m.Stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// it formats a number for people: Italian decimal comma, given decimals.
func it(v float64, decimals int) string {
	return strings.Replace(strconv.FormatFloat(v, 'f', decimals, 64), ".", ",", 1)
}

// short formats a number with as many decimals as it needs (up to 6).
func short(v float64) string {
	return strings.Replace(strconv.FormatFloat(v, 'f', -1, 64), ".", ",", 1)
}

func itp(v *float64, decimals int) string {
	if v == nil {
		return "—"
	}
	return it(*v, decimals)
}

func (m *Main) rulesEval(args []string) error {
	fs := newFlags("rules eval")
	n := fs.Int("articulation", 0, "")
	result := fs.String("result", "", "")
	threshold := fs.String("threshold", "", "")
	reading := fs.String("reading", "", "")
	errataFl := erratumFlag{}
	fs.Var(errataFl, "erratum", "")
	pf := newPackFlags(fs)
	pos, p, err := parsePackCommand(fs, pf, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return &usageError{fmt.Sprintf("argomento inatteso %q", pos[0])}
	}
	if *n == 0 || *result == "" {
		return &usageError{"servono --articulation N e --result R"}
	}
	r, err := parseNumber(*result)
	if err != nil {
		return &usageError{fmt.Sprintf("--result: %v", err)}
	}
	var s *float64
	if *threshold != "" {
		v, err := parseNumber(*threshold)
		if err != nil {
			return &usageError{fmt.Sprintf("--threshold: %v", err)}
		}
		s = &v
	}
	var rd compute.Reading
	if *reading != "" {
		if rd, err = compute.ParseReading(*reading); err != nil {
			return &usageError{err.Error()}
		}
	}
	rd, errata, err := p.ResolveErrata(rd, errataFl)
	if err != nil {
		return &usageError{err.Error()}
	}
	ev, err := p.Eval(*n, r, s, errata)
	if err != nil {
		return err
	}
	if *pf.json {
		// Exactly the keys WORKBOOK.md fixes; the errata applied are
		// those of the reading with the --erratum choices on top.
		return m.writeJSON(struct {
			Articulation int             `json:"articulation"`
			Result       float64         `json:"result"`
			Threshold    *float64        `json:"threshold"`
			Reading      compute.Reading `json:"reading"`
			Score        float64         `json:"score"`
			Branch       string          `json:"branch"`
		}{*n, r, ev.Threshold, rd, ev.Score, ev.Branch})
	}
	a, _ := p.Articulation(*n)
	w := tabwriter.NewWriter(m.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(w, "Articolazione\t%d – %s\n", a.Number, a.Name)
	fmt.Fprintf(w, "Funzione\t%s (%s)\n", ev.Function, ev.Citation)
	fmt.Fprintf(w, "Risultato R\t%s\n", it(r, 4))
	if ev.Threshold != nil {
		fmt.Fprintf(w, "Soglia S\t%s\n", it(*ev.Threshold, 4))
	} else {
		fmt.Fprintf(w, "Soglia S\tnessuna (%s)\n", strings.TrimSpace(a.ThresholdNote))
	}
	fmt.Fprintf(w, "Lettura\t%s (%s)\n", p.ReadingLabel(rd), p.ErrataText(errata))
	fmt.Fprintf(w, "Ramo\t%s\n", ev.Branch)
	fmt.Fprintf(w, "Formula\t%s\n", ev.Formula)
	fmt.Fprintf(w, "Spiegazione\t%s\n", ev.Explanation)
	if ev.Erratum != "" {
		fmt.Fprintf(w, "Errata\t%s (%s)\n", ev.Erratum, ev.Form.Label())
	}
	if ev.Unclamped != nil {
		fmt.Fprintf(w, "Fuori scala\tla formula dà %s, riportato alla scala 0–100\n", it(*ev.Unclamped, 4))
	}
	fmt.Fprintf(w, "Punteggio P\t%s\n", it(ev.Score, 4))
	return w.Flush()
}

// parseNumber accepts a decimal point or an Italian decimal comma.
func parseNumber(s string) (float64, error) {
	v, err := strconv.ParseFloat(strings.Replace(strings.TrimSpace(s), ",", ".", 1), 64)
	if err != nil {
		return 0, fmt.Errorf("%q non è un numero", s)
	}
	return v, nil
}

func (m *Main) rulesConformance(args []string) error {
	fs := newFlags("rules conformance")
	pf := newPackFlags(fs)
	_, p, err := parsePackCommand(fs, pf, args)
	if err != nil {
		return err
	}
	rep, err := p.Conformance()
	if err != nil {
		return err
	}
	if *pf.json {
		return m.writeJSON(struct {
			RulePack  compute.PackID                `json:"rule_pack"`
			Version   string                        `json:"version"`
			Functions []compute.FunctionConformance `json:"functions"`
		}{p.ID, p.Version, rep})
	}
	fmt.Fprintf(m.Stdout, "Conformità delle funzioni alle tabelle di esempio del decreto – %s (versione %s)\n", p.ID, p.Version)
	fmt.Fprintln(m.Stdout, "Valori calcolati arrotondati a un decimale, come nel decreto; ✓ = entro la tolleranza.")
	status := map[string]string{
		compute.StatusFull:           "riprodotta",
		compute.StatusBelowThreshold: "riprodotta solo sotto la soglia",
		compute.StatusNo:             "non riprodotta",
	}
	for _, fc := range rep {
		fmt.Fprintf(m.Stdout, "\n%s – %s\n", fc.Function, fc.Citation)
		if fc.Threshold != nil {
			fmt.Fprintf(m.Stdout, "Soglia implicita della tabella: %s\n", it(*fc.Threshold, 1))
		} else {
			fmt.Fprintln(m.Stdout, "Soglie fissate per legge.")
		}
		w := tabwriter.NewWriter(m.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
		head := "R\tdecreto\t"
		for _, rd := range p.Readings {
			head += string(rd.ID) + "\t\t"
		}
		fmt.Fprintln(w, head)
		for _, row := range fc.Rows {
			line := it(row.Result, 0) + "\t" + it(row.Decree, 1) + "\t"
			for _, rd := range p.Readings {
				line += it(math.Round(row.Computed[rd.ID]*10)/10, 1) + "\t" + mark(row.Match[rd.ID]) + "\t"
			}
			fmt.Fprintln(w, line)
		}
		if err := w.Flush(); err != nil {
			return err
		}
		var got, want []string
		for _, rd := range p.Readings {
			got = append(got, rd.Label+": "+status[fc.Status[rd.ID]])
			want = append(want, strings.TrimPrefix(rd.Label, "lettura ")+" "+status[fc.Expected[rd.ID]])
		}
		fmt.Fprintf(m.Stdout, "%s.", strings.Join(got, "; "))
		if fc.AsStated {
			fmt.Fprintln(m.Stdout, " Come atteso dal pacchetto di regole.")
		} else {
			fmt.Fprintf(m.Stdout, " DIVERSO da quanto atteso dal pacchetto di regole (%s).\n", strings.Join(want, ", "))
		}
		if fc.Note != "" {
			fmt.Fprintln(m.Stdout, "Nota:", fc.Note)
		}
	}
	for _, fc := range rep {
		if !fc.AsStated {
			return errors.New("la conformità differisce da quanto atteso: vedere le funzioni segnate DIVERSO")
		}
	}
	return nil
}

func mark(ok bool) string {
	if ok {
		return "✓"
	}
	return "✗"
}

func (m *Main) rulesShow(args []string) error {
	fs := newFlags("rules show")
	pf := newPackFlags(fs)
	_, p, err := parsePackCommand(fs, pf, args)
	if err != nil {
		return err
	}
	if *pf.json {
		_, err := m.Stdout.Write(p.Raw())
		return err
	}
	out := newWrapWriter(m.Stdout, showWidth)
	defer out.Flush()
	fmt.Fprintf(out, "%s\nPacchetto %s, versione %s (SHA-256 %s)\n%s – %s\n", p.Title, p.ID, p.Version, p.Digest(), p.Source.Act, p.Source.Annex)
	fmt.Fprintf(out, "Si applica a: percorsi EQF %d terminati dal %s. %s\n", p.Applies.EQF, p.Applies.EndedFrom, p.Applies.Citation)

	section(out, "Indicatori (Tab. 1) e articolazioni (Tab. 2)")
	for _, ind := range p.Indicators {
		fmt.Fprintf(out, "%d  %s (peso %s)\n", ind.Number, strings.ToUpper(ind.Name), it(ind.Weight, 1))
		for _, a := range p.Articulations {
			if a.Indicator != ind.Number {
				continue
			}
			thr := "soglia per legge (nella funzione)"
			switch {
			case a.Threshold.Code != "":
				d, _ := p.Threshold(a.Threshold.Code)
				thr = fmt.Sprintf("soglia %s = %s", d.Code, itp(d.Default, 1))
			case a.Threshold.Area != "":
				thr = "soglia per area (Tab. 4, " + a.Threshold.Area + ")"
			case a.Function == "f16":
				thr = "nessuna soglia"
			}
			fmt.Fprintf(out, "   Articolazione %d – %s\n", a.Number, a.Name)
			fmt.Fprintf(out, "      peso %s · R = %s · %s · funzione %s\n", it(a.Weight, 1), a.Result.Formula, thr, a.Function)
		}
	}
	for _, z := range p.Zeroing {
		fmt.Fprintf(out, "Azzeramento: indicatore %d vale 0 se %s (%s).\n", z.Indicator, z.When, z.Citation)
	}

	section(out, "Medie per area tecnologica (Tab. 4)")
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprint(w, "Chiave")
	for _, c := range p.Areas.Columns {
		fmt.Fprintf(w, "\t%s", c.Key)
	}
	fmt.Fprintln(w, "\tArea")
	for _, a := range p.Areas.Rows {
		fmt.Fprint(w, a.Key)
		for _, c := range p.Areas.Columns {
			fmt.Fprintf(w, "\t%s", it(a.Values[c.Key], 1))
		}
		fmt.Fprintf(w, "\t%s\n", a.Name)
	}
	for _, c := range p.Areas.Columns {
		fmt.Fprintf(w, "%s: %s\n", c.Key, c.Label)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(out, "Correzione (%s): S = %s, applicata solo se sono forniti %s e la media generale.\n", p.AreaCorrection.Citation, p.AreaCorrection.Formula, p.AreaCorrection.NCode)

	section(out, "Funzioni di trasformazione (il primo intervallo che contiene R si applica)")
	for _, f := range p.Functions {
		fmt.Fprintf(out, "%s – %s\n", f.ID, f.Citation)
		w = tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
		for _, iv := range f.Intervals {
			fmt.Fprintf(w, "  %s\t→ P = %s", iv.When, iv.Printed)
			if iv.Coherent != "" {
				fmt.Fprintf(w, "\n  \t  (coerente, %s: P = %s)", iv.Erratum, iv.Coherent)
			}
			if iv.Unprinted {
				fmt.Fprint(w, "\t(non stampato)")
			}
			fmt.Fprintln(w)
		}
		if err := w.Flush(); err != nil {
			return err
		}
	}

	section(out, "Errata (forma stampata / coerente; ogni lettura sceglie una forma per ciascuna)")
	for _, e := range p.Errata {
		fmt.Fprintf(out, "%s (%s): stampato %s; coerente %s.\n  %s\n", e.ID, strings.Join(e.Functions, ", "), e.Printed, e.Coherent, e.Description)
	}
	section(out, "Interpretazioni (scelte predefinite)")
	for _, in := range p.Interpretations {
		keys := slices.Sorted(maps.Keys(in.Choices))
		fmt.Fprintf(out, "%s – %s (predefinita: %s)\n", in.ID, in.Topic, in.Default)
		for _, k := range keys {
			fmt.Fprintf(out, "  %s: %s\n", k, in.Choices[k])
		}
	}
	section(out, "Fasce di esito")
	for _, b := range p.Bands.Rows {
		fmt.Fprintf(out, "%s\t%s: %s\n", b.When, b.Code, b.Label)
	}
	fmt.Fprintln(out, p.Bands.Citation)
	section(out, "Vincoli di legge")
	for _, c := range p.Constraints {
		fmt.Fprintf(out, "%s (%s): %s – %s\n", c.ID, c.Severity, c.Holds, c.Citation)
	}
	if f := p.Female; f != nil {
		section(out, f.Name+" ("+f.Citation+")")
		fmt.Fprintf(out, "R = %s\n", f.Result.Formula)
		for _, c := range f.Cases {
			fmt.Fprintf(out, "Se %s", c.When)
			if c.Threshold != "" {
				fmt.Fprintf(out, ", S = %s", c.Threshold)
			}
			fmt.Fprintln(out, ":")
			for _, iv := range c.Intervals {
				fmt.Fprintf(out, "  %s → P = %s\n", iv.When, iv.Printed)
			}
		}
	}
	return nil
}

func section(w io.Writer, title string) {
	fmt.Fprintf(w, "\n%s\n%s\n", title, strings.Repeat("─", min(len([]rune(title)), showWidth)))
}

// showWidth is the width of «auditor rules show», in columns.
const showWidth = 100

// wrapWriter wraps the lines written to it at width columns, between
// words; a continuation line is indented four columns more than its line.
type wrapWriter struct {
	w     io.Writer
	width int
	line  []byte
	err   error
}

func newWrapWriter(w io.Writer, width int) *wrapWriter { return &wrapWriter{w: w, width: width} }

func (ww *wrapWriter) Write(p []byte) (int, error) {
	for _, b := range p {
		if b == '\n' {
			ww.emit()
			continue
		}
		ww.line = append(ww.line, b)
	}
	return len(p), ww.err
}

// Flush writes the last, unterminated line.
func (ww *wrapWriter) Flush() error {
	if len(ww.line) > 0 {
		ww.emit()
	}
	return ww.err
}

func (ww *wrapWriter) emit() {
	line := strings.TrimRight(string(ww.line), " ")
	ww.line = ww.line[:0]
	indent := len(line) - len(strings.TrimLeft(line, " "))
	cont := strings.Repeat(" ", min(indent+4, ww.width/2))
	for len([]rune(line)) > ww.width {
		r := []rune(line)
		cut := -1
		for i := ww.width; i > indent && i > len([]rune(cont)); i-- {
			if r[i] == ' ' {
				cut = i
				break
			}
		}
		if cut < 0 {
			break // one word longer than the line: left whole
		}
		ww.put(strings.TrimRight(string(r[:cut]), " "))
		line = cont + strings.TrimLeft(string(r[cut:]), " ")
	}
	ww.put(line)
}

func (ww *wrapWriter) put(s string) {
	if ww.err == nil {
		_, ww.err = io.WriteString(ww.w, s+"\n")
	}
}
