package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/its-academy/auditor/compute"
	"github.com/its-academy/auditor/pipeline"
	"github.com/its-academy/auditor/xlsxio"
)

// maxListedDifferences bounds the differences printed one per line.
const maxListedDifferences = 50

// runVerify checks an audited copy: auditor verify COPY.xlsx [--json].
// Exit 0 when every product value agrees with what the audit recorded in
// the stamp produces from the copy's original sheets, 1 naming what
// differs, 2 when the file is not an audited copy.
func (m *Main) runVerify(_ context.Context, args []string) error {
	fs := newFlags("verify")
	asJSON := fs.Bool("json", false, "")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return &usageError{"indicare una copia verificata: auditor verify COPIA.xlsx"}
	}
	in := pos[0]
	data, err := os.ReadFile(in)
	if err != nil {
		return fmt.Errorf("%s: impossibile leggere il file", in)
	}
	reg, err := compute.LoadEmbedded()
	if err != nil {
		return err
	}
	v, err := pipeline.VerifyCopy(data, filepath.Base(in), reg, xlsxio.DefaultLimits())
	if err != nil {
		return oneLine(in, err)
	}
	if *asJSON {
		if err := m.writeJSON(v); err != nil {
			return err
		}
	} else {
		m.printVerification(in, v)
	}
	if !v.OK() {
		return errStrict
	}
	return nil
}

func (m *Main) printVerification(in string, v *pipeline.Verification) {
	rp := v.Replay
	fmt.Fprintf(m.Stdout, "%s: copia verificata di %s (SHA-256 %s), auditor %s, lettura %s.\n", in, rp.FileName, rp.FileSHA256, rp.Version, rp.Reading)
	for _, n := range v.Notes {
		fmt.Fprintln(m.Stdout, "Nota:", n)
	}
	if v.OK() {
		fmt.Fprintf(m.Stdout, "Conforme: le %d celle dei fogli del programma coincidono con il ricalcolo dai fogli originali.\n", v.Checked)
		return
	}
	fmt.Fprintf(m.Stdout, "NON conforme: %d celle su %d differiscono dal ricalcolo (copia modificata dopo la verifica?):\n", len(v.Differences), v.Checked)
	for i, d := range v.Differences {
		if i == maxListedDifferences {
			fmt.Fprintf(m.Stdout, "  … e altre %d (l'elenco completo con --json)\n", len(v.Differences)-i)
			break
		}
		fmt.Fprintln(m.Stdout, " ", d.String())
	}
}
