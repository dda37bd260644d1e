package compute

import (
	"maps"
	"slices"
	"strings"
)

// errataSet is the compiled form of Errata: bit i is set when the pack's
// i-th erratum is read in its coherent form.
type errataSet uint64

// maxErrata is how many errata a pack may declare (the bits of errataSet).
const maxErrata = 64

// has reports whether the interval's erratum is read coherently. An
// interval without an erratum has bit 0 and is never corrected.
func (s errataSet) has(bit uint64) bool { return bit != 0 && uint64(s)&bit != 0 }

// ReadingDef returns the definition of a reading.
func (p *Pack) ReadingDef(r Reading) (*ReadingDef, bool) {
	for i := range p.Readings {
		if p.Readings[i].ID == r {
			return &p.Readings[i], true
		}
	}
	return nil, false
}

// ReadingLabel is the Italian name of a reading of the pack.
func (p *Pack) ReadingLabel(r Reading) string {
	if d, ok := p.ReadingDef(r); ok {
		return d.Label
	}
	return string(r)
}

// readingIDs lists the pack's readings, for messages.
func (p *Pack) readingIDs() string {
	ids := make([]string, 0, len(p.Readings))
	for _, r := range p.Readings {
		ids = append(ids, string(r.ID))
	}
	return strings.Join(ids, ", ")
}

// errataIDs lists the pack's errata, for messages.
func (p *Pack) errataIDs() string {
	ids := make([]string, 0, len(p.Errata))
	for _, e := range p.Errata {
		ids = append(ids, e.ID)
	}
	return strings.Join(ids, ", ")
}

// ResolveErrata returns the form of every erratum under a reading (empty:
// the pack's default) with the given errata set on top of it. Unknown
// readings and errata are errors naming what the pack knows.
func (p *Pack) ResolveErrata(r Reading, over map[string]ErratumForm) (Reading, Errata, error) {
	if r == "" {
		r = p.DefaultReading()
	}
	def, ok := p.ReadingDef(r)
	if !ok {
		return r, nil, &Error{Kind: ErrReading, Msg: say(txtReadingUnknown, "reading", string(r), "known", p.readingIDs())}
	}
	out := Errata{}
	for id, f := range def.Errata {
		out[id] = f
	}
	ids := slices.Sorted(maps.Keys(over))
	for _, id := range ids {
		if _, ok := p.Erratum(id); !ok {
			return r, nil, &Error{Kind: ErrReading, Msg: say(txtErratumUnknown, "id", id, "pack", string(p.ID), "known", p.errataIDs())}
		}
		f := over[id]
		if f != FormPrinted && f != FormCoherent {
			return r, nil, &Error{Kind: ErrReading, Msg: say(txtErratumChoice, "found", id+"="+string(f))}
		}
		out[id] = f
	}
	return r, out, nil
}

// set compiles errata forms into the bit set the engine uses.
func (p *Pack) set(e Errata) errataSet {
	var s errataSet
	for i, er := range p.Errata {
		if e[er.ID] == FormCoherent {
			s |= errataSet(1) << uint(i)
		}
	}
	return s
}

// Flip returns a copy of the errata with one erratum read the other way.
func (e Errata) Flip(id string) Errata {
	out := Errata{}
	for k, v := range e {
		out[k] = v
	}
	if out[id] == FormCoherent {
		out[id] = FormPrinted
	} else {
		out[id] = FormCoherent
	}
	return out
}

// ErrataText is the errata in Italian, in the pack's order: «E-1 coerente,
// E-2 come stampata, …».
func (p *Pack) ErrataText(e Errata) string {
	parts := make([]string, 0, len(p.Errata))
	for _, er := range p.Errata {
		parts = append(parts, er.ID+" "+e[er.ID].Label())
	}
	return strings.Join(parts, ", ")
}
