package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/its-academy/auditor/compute"
)

// erratumFlag collects repeated --erratum E-N=printed|coherent flags.
type erratumFlag map[string]compute.ErratumForm

func (f erratumFlag) String() string { return fmt.Sprint(map[string]compute.ErratumForm(f)) }

func (f erratumFlag) Set(s string) error {
	id, form, err := compute.ParseErratumChoice(s)
	if err != nil {
		return err
	}
	f[id] = form
	return nil
}

// choiceFlags are the choices of a run that every scoring command takes:
// the reading, errata set on their own, interpretations and the auditor's
// thresholds.
type choiceFlags struct {
	reading    *string
	errata     erratumFlag
	interp     interpFlag
	thresholds *string
}

func newChoiceFlags(fs *flag.FlagSet) *choiceFlags {
	c := &choiceFlags{errata: erratumFlag{}, interp: interpFlag{}}
	c.reading = fs.String("reading", "", "")
	fs.Var(c.errata, "erratum", "")
	fs.Var(c.interp, "interpretation", "")
	c.thresholds = fs.String("thresholds", "", "")
	return c
}

// parsedReading returns the reading asked for ("" for the pack's default).
func (c *choiceFlags) parsedReading() (compute.Reading, error) {
	if *c.reading == "" {
		return "", nil
	}
	rd, err := compute.ParseReading(*c.reading)
	if err != nil {
		return "", &usageError{err.Error()}
	}
	return rd, nil
}

// thresholdValues reads the auditor's thresholds file: a JSON object of
// threshold code → number, {"S1": 50.2, "occupati_meccanica": 18}.
func (c *choiceFlags) thresholdValues() (map[string]float64, error) {
	if *c.thresholds == "" {
		return nil, nil
	}
	return readThresholdsFile(*c.thresholds)
}

// readThresholdsFile reads a JSON object of threshold code → number. What
// the codes and values may be is checked against the rule pack by the run.
func readThresholdsFile(path string) (map[string]float64, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &usageError{fmt.Sprintf("--thresholds %s: file non leggibile", path)}
	}
	return parseThresholds(data, path)
}

// parseThresholds decodes {"code": number, …}; name says where it came from.
func parseThresholds(data []byte, name string) (map[string]float64, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var raw map[string]json.Number
	if err := dec.Decode(&raw); err != nil || raw == nil {
		return nil, &usageError{fmt.Sprintf("%s: atteso un oggetto JSON {\"S1\": 50.2, \"occupati_<area>\": 18.0, …} con numeri come valori", name)}
	}
	out := make(map[string]float64, len(raw))
	for code, n := range raw {
		v, err := n.Float64()
		if err != nil {
			return nil, &usageError{fmt.Sprintf("%s: soglia «%s»: «%s» non è un numero", name, code, n)}
		}
		out[code] = v
	}
	return out, nil
}
