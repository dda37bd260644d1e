package main

import "fmt"

// output is a file the command writes: the flag (or description) that
// named it, for messages, and its path. "" and "-" (standard output) are
// not files.
type output struct {
	flag, path string
}

// checkOutputs refuses a run in which an output would replace an input or
// another output: every output is compared with every input and with every
// other output, by absolute path and, for files that exist, as the same
// file (links). A new output of the command joins the list its caller
// passes.
func checkOutputs(inputs []string, outputs []output) error {
	var outs []output
	for _, o := range outputs {
		if o.path != "" && o.path != "-" {
			outs = append(outs, o)
		}
	}
	for _, o := range outs {
		for _, in := range inputs {
			if same, _ := samePath(in, o.path); same {
				return &usageError{fmt.Sprintf("%s (%s) è un file da verificare, che non viene mai sovrascritto; indicare un altro nome", o.path, o.flag)}
			}
		}
	}
	for i, a := range outs {
		for _, b := range outs[i+1:] {
			if same, _ := samePath(a.path, b.path); same {
				return &usageError{fmt.Sprintf("%s è indicato sia come %s sia come %s: uno sovrascriverebbe l'altro; indicare nomi diversi", b.path, a.flag, b.flag)}
			}
		}
	}
	return nil
}
