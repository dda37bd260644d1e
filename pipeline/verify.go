package pipeline

import (
	"context"
	"errors"
	"fmt"

	"github.com/its-academy/auditor/compute"
	"github.com/its-academy/auditor/validate"
	"github.com/its-academy/auditor/xlsxio"
)

// Verification is the outcome of VerifyCopy.
type Verification struct {
	Replay      validate.Replay     `json:"replay"`
	Checked     int                 `json:"cells_checked"`
	Differences []xlsxio.Difference `json:"differences"`
	// Notes say what may explain differences that are not edits: another
	// product version or rule pack than the one recorded.
	Notes []string `json:"notes"`
}

// OK reports whether every product cell agrees.
func (v *Verification) OK() bool { return len(v.Differences) == 0 }

// VerifyCopy recomputes an audited copy (with the packs of reg; nil means
// the packs built into the binary): it reads the run's record from the
// Timbro sheet, audits the copy's original sheets again with those choices
// (Run), writes the audited copy again and compares its product sheets,
// cell by cell (values and formulas; numbers within
// xlsxio.VerifyTolerance), with the copy's. A file that is not an audited
// copy is xlsxio.ErrNotAudited (wrapped in *xlsxio.OpenError, as are files
// that cannot be read at all).
func VerifyCopy(data []byte, name string, reg *compute.Registry, lim xlsxio.Limits) (*Verification, error) {
	rp, err := xlsxio.ReadReplay(data)
	if err != nil {
		return nil, err
	}
	if reg == nil {
		if reg, err = compute.LoadEmbedded(); err != nil {
			return nil, fmt.Errorf("loading the rule packs: %w", err)
		}
	}
	v := &Verification{Replay: rp, Notes: []string{}}
	for id, sha := range rp.RulePacks {
		p, ok := reg.Get(id)
		switch {
		case !ok:
			v.Notes = append(v.Notes, fmt.Sprintf("il pacchetto di regole %s usato dalla verifica non è disponibile in questa versione", id))
		case p.Digest() != sha:
			v.Notes = append(v.Notes, fmt.Sprintf("il pacchetto di regole %s di questa versione (SHA-256 %s) non è quello usato dalla verifica (SHA-256 %s)", id, p.Digest(), sha))
		}
	}
	res, err := Run(context.Background(), data, name, Options{Validate: rp.Options(), Limits: lim, Version: rp.Version, Registry: reg})
	if oe := (*xlsxio.OpenError)(nil); errors.As(err, &oe) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("la verifica registrata nel foglio %s non si può ripetere con questa versione di auditor: %w", xlsxio.SheetStamp, err)
	}
	res.Audit.Input.FileName, res.Audit.Input.SHA256 = rp.FileName, rp.FileSHA256
	again, err := res.Copy()
	if err != nil {
		return nil, fmt.Errorf("writing the recomputed copy: %w", err)
	}
	if v.Checked, v.Differences, err = xlsxio.CompareProductSheets(data, again); err != nil {
		return nil, err
	}
	return v, nil
}
