package compute

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// FoundationRule is the foundation-level rule over several monitoring years
// of CU 17/12/2015 art. 4 c.3: a foundation with at least ShareAtLeast % of
// its courses scoring below CourseTotalBelow in each of Years consecutive
// years is flagged. Like the bands (I-5) it is the 2015 rule, which the DM
// of 2023 does not restate; the pack carries its parameters and citation.
//
// Courses without a total do not count: they are neither below the bar
// nor among the courses the share is taken over. A year with no scored
// course cannot meet the share. Years must be consecutive: a missing year
// breaks the run.
type FoundationRule struct {
	ID             string  `json:"id"`
	RuleOf         string  `json:"rule_of"` // the act the rule comes from, e.g. "CU 17/12/2015"
	Citation       string  `json:"citation"`
	Interpretation string  `json:"interpretation"`
	Label          string  `json:"label"`
	Years          int     `json:"years"`              // consecutive years, e.g. 3
	Below          float64 `json:"course_total_below"` // a course counts when its total < Below
	ShareAtLeast   float64 `json:"share_at_least"`     // percent of scored courses, e.g. 50
	Consequence    string  `json:"consequence"`
	Unscored       string  `json:"unscored"`      // how unscored courses count (Italian)
	MissingYears   string  `json:"missing_years"` // what a missing year does (Italian)
	// ShareInterpretation names the interpretation (I-8) whose choice
	// PooledChoice takes the share over the consecutive years together
	// instead of in each year.
	ShareInterpretation string `json:"share_interpretation,omitempty"`
	PooledChoice        string `json:"pooled_choice,omitempty"`
	PooledNote          string `json:"pooled_note,omitempty"` // the pooled reading, in Italian
}

// check reports what is wrong with the rule's parameters.
func (r *FoundationRule) check(p *Pack) []error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if r.ID == "" || r.Citation == "" || r.RuleOf == "" || r.Label == "" {
		bad("id, rule_of, citation e label sono obbligatori")
	}
	if r.Unscored == "" || r.MissingYears == "" || r.Consequence == "" {
		bad("unscored, missing_years e consequence devono dire come si applica la regola")
	}
	if r.Years < 1 || r.Years > 20 {
		bad("years deve essere tra 1 e 20, non %d", r.Years)
	}
	if !(r.Below > p.Scale.Min && r.Below <= p.Scale.Max) {
		bad("course_total_below %g è fuori dalla scala (%g, %g]", r.Below, p.Scale.Min, p.Scale.Max)
	}
	if !(r.ShareAtLeast > 0 && r.ShareAtLeast <= 100) {
		bad("share_at_least %g deve essere in (0, 100]", r.ShareAtLeast)
	}
	if r.Interpretation != "" && !p.hasInterpretation(r.Interpretation) {
		bad("interpretation: %s sconosciuta", r.Interpretation)
	}
	if (r.ShareInterpretation == "") != (r.PooledChoice == "") {
		bad("share_interpretation e pooled_choice vanno indicati insieme")
	}
	if r.ShareInterpretation != "" && !p.hasChoice(r.ShareInterpretation, r.PooledChoice) {
		bad("pooled_choice: scelta %s=%s sconosciuta", r.ShareInterpretation, r.PooledChoice)
	}
	return errs
}

func (p *Pack) hasInterpretation(id string) bool {
	for _, in := range p.Interpretations {
		if in.ID == id {
			return true
		}
	}
	return false
}

// ErrNoFoundationRule is returned when a pack has no foundation rule.
var ErrNoFoundationRule = errors.New("no foundation rule")

// FoundationCourse is one course of a foundation in one monitoring year, as
// the rule sees it. Total is nil when the course could not be scored.
type FoundationCourse struct {
	Foundation string   `json:"foundation_code"`
	Year       int      `json:"year"`
	Code       string   `json:"code"`
	Total      *float64 `json:"total"`
	File       string   `json:"file"`
}

// FoundationYear is one year of a foundation: its courses, those with a
// total, those below the bar, and the share of scored courses below it
// (Share is nil when no course was scored).
type FoundationYear struct {
	Year     int      `json:"year"`
	Courses  int      `json:"courses"`
	Scored   int      `json:"scored"`
	Unscored int      `json:"unscored"`
	Below    int      `json:"below"`
	Share    *float64 `json:"share"` // percent
	Meets    bool     `json:"meets"` // share ≥ ShareAtLeast
}

// FoundationVerdict is the rule applied to one foundation: every year seen,
// whether it is flagged, the years of the consecutive runs that flag it, the
// courses below the bar in those years, and an Italian explanation.
type FoundationVerdict struct {
	Foundation   string             `json:"foundation_code"`
	Years        []FoundationYear   `json:"years"`
	Flagged      bool               `json:"flagged"`
	FlaggedYears []int              `json:"flagged_years"`
	Causes       []FoundationCourse `json:"causes"`
	Explanation  string             `json:"explanation"`
	Pooled       bool               `json:"pooled"` // the share was taken over the years together (I-8)
}

// Apply evaluates the rule for every foundation of the courses, sorted by
// foundation code, under the interpretation choices (missing: the pack's
// defaults). Courses with an empty foundation code or a year ≤ 0 are left
// out (they cannot be placed in a foundation's years). The result does not
// depend on the order of the courses.
func (r *FoundationRule) Apply(courses []FoundationCourse, interp map[string]string) []FoundationVerdict {
	pooled := r.PooledChoice != "" && interp[r.ShareInterpretation] == r.PooledChoice
	byFoundation := map[string]map[int][]FoundationCourse{}
	for _, c := range courses {
		if strings.TrimSpace(c.Foundation) == "" || c.Year <= 0 {
			continue
		}
		if byFoundation[c.Foundation] == nil {
			byFoundation[c.Foundation] = map[int][]FoundationCourse{}
		}
		byFoundation[c.Foundation][c.Year] = append(byFoundation[c.Foundation][c.Year], c)
	}
	codes := slices.Sorted(maps.Keys(byFoundation))
	out := make([]FoundationVerdict, 0, len(codes))
	for _, code := range codes {
		out = append(out, r.verdict(code, byFoundation[code], pooled))
	}
	return out
}

func (r *FoundationRule) verdict(code string, years map[int][]FoundationCourse, pooled bool) FoundationVerdict {
	v := FoundationVerdict{Foundation: code, FlaggedYears: []int{}, Causes: []FoundationCourse{}, Pooled: pooled}
	list := make([]int, 0, len(years))
	for y := range years {
		list = append(list, y)
	}
	sort.Ints(list)
	for _, y := range list {
		fy := FoundationYear{Year: y}
		for _, c := range years[y] {
			fy.Courses++
			if c.Total == nil {
				fy.Unscored++
				continue
			}
			fy.Scored++
			if *c.Total < r.Below {
				fy.Below++
			}
		}
		if fy.Scored > 0 {
			share := float64(fy.Below) / float64(fy.Scored) * 100
			fy.Share = &share
			// Compared on counts, so that 1 of 2 is exactly 50%.
			fy.Meets = float64(fy.Below)*100 >= r.ShareAtLeast*float64(fy.Scored)
		}
		v.Years = append(v.Years, fy)
	}
	flagged := map[int]bool{}
	if pooled {
		// Windows of Years consecutive years whose courses together meet
		// the share.
		for i := 0; i+r.Years <= len(v.Years); i++ {
			w := v.Years[i : i+r.Years]
			if w[len(w)-1].Year != w[0].Year+r.Years-1 {
				continue
			}
			below, scored := 0, 0
			for _, fy := range w {
				below, scored = below+fy.Below, scored+fy.Scored
			}
			if scored > 0 && float64(below)*100 >= r.ShareAtLeast*float64(scored) {
				for _, fy := range w {
					flagged[fy.Year] = true
				}
			}
		}
	}
	// Runs of consecutive years that meet the share.
	for i := 0; !pooled && i < len(v.Years); {
		j := i
		for j < len(v.Years) && v.Years[j].Meets && v.Years[j].Year == v.Years[i].Year+(j-i) {
			j++
		}
		if j-i >= r.Years {
			for k := i; k < j; k++ {
				flagged[v.Years[k].Year] = true
			}
		}
		if j == i {
			j++
		}
		i = j
	}
	for _, fy := range v.Years {
		if flagged[fy.Year] {
			v.FlaggedYears = append(v.FlaggedYears, fy.Year)
		}
	}
	v.Flagged = len(v.FlaggedYears) > 0
	if v.Flagged {
		for _, y := range v.FlaggedYears {
			cs := append([]FoundationCourse(nil), years[y]...)
			sort.Slice(cs, func(i, j int) bool {
				if cs[i].Code != cs[j].Code {
					return cs[i].Code < cs[j].Code
				}
				return cs[i].File < cs[j].File
			})
			for _, c := range cs {
				if c.Total != nil && *c.Total < r.Below {
					v.Causes = append(v.Causes, c)
				}
			}
		}
	}
	v.Explanation = r.explain(v)
	return v
}

// explain says in Italian why the foundation is or is not flagged.
func (r *FoundationRule) explain(v FoundationVerdict) string {
	seen := make([]int, len(v.Years))
	var meets []int
	var noScore []int
	for i, fy := range v.Years {
		seen[i] = fy.Year
		if fy.Meets {
			meets = append(meets, fy.Year)
		}
		if fy.Scored == 0 {
			noScore = append(noScore, fy.Year)
		}
	}
	bar := italianNum(r.Below)
	share := italianNum(r.ShareAtLeast)
	var b strings.Builder
	if v.Pooled {
		if v.Flagged {
			fmt.Fprintf(&b, "Segnalata: sull'insieme di %d anni consecutivi (%s) almeno il %s%% dei percorsi con punteggio è sotto %s. %s %s",
				r.Years, joinYears(v.FlaggedYears), share, bar, r.Consequence, r.PooledNote)
		} else {
			fmt.Fprintf(&b, "Non segnalata: anni presenti %s; in nessun gruppo di %d anni consecutivi almeno il %s%% dei percorsi con punteggio è sotto %s. %s",
				joinYears(seen), r.Years, share, bar, r.PooledNote)
		}
		return b.String()
	}
	if v.Flagged {
		fmt.Fprintf(&b, "Segnalata: almeno il %s%% dei percorsi con punteggio è sotto %s in %d anni consecutivi (%s). %s",
			share, bar, len(v.FlaggedYears), joinYears(v.FlaggedYears), r.Consequence)
	} else {
		fmt.Fprintf(&b, "Non segnalata: anni presenti %s", joinYears(seen))
		switch {
		case len(meets) == 0:
			fmt.Fprintf(&b, "; in nessun anno almeno il %s%% dei percorsi con punteggio è sotto %s.", share, bar)
		default:
			fmt.Fprintf(&b, "; almeno il %s%% sotto %s solo in %s, non in %d anni consecutivi.", share, bar, joinYears(meets), r.Years)
		}
	}
	if len(noScore) > 0 {
		fmt.Fprintf(&b, " Nessun percorso con punteggio in %s: quell'anno non conta.", joinYears(noScore))
	}
	return b.String()
}

func joinYears(ys []int) string {
	if len(ys) == 0 {
		return "nessuno"
	}
	parts := make([]string, len(ys))
	for i, y := range ys {
		parts[i] = strconv.Itoa(y)
	}
	return strings.Join(parts, ", ")
}

// italianNum writes a parameter the Italian way (decimal comma, no trailing
// zeros).
func italianNum(v float64) string {
	return strings.Replace(strconv.FormatFloat(v, 'f', -1, 64), ".", ",", 1)
}

// FoundationRuleFor returns the foundation rule of the pack with the given
// id or, when id is empty, of the first pack (by id) that has one.
func (r *Registry) FoundationRuleFor(id PackID) (*FoundationRule, *Pack, error) {
	for _, p := range r.packs {
		if (id == "" || p.ID == id) && p.Foundation != nil {
			return p.Foundation, p, nil
		}
	}
	if id != "" {
		return nil, nil, fmt.Errorf("%w in rule pack %s", ErrNoFoundationRule, id)
	}
	return nil, nil, ErrNoFoundationRule
}
