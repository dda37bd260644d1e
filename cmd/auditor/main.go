// Command auditor audits the workbooks in which Italian ITS Academy
// foundations report their courses, and scores the courses under the rule
// packs of the decrees (DM 30/11/2023 for EQF V). See README.md.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/its-academy/auditor/xlsxio"
)

// Version is the product version written in every stamp; set at build time
// with -ldflags "-X main.Version=…".
var Version = "0.1.0-dev"

// Exit codes of the command line (WORKBOOK.md).
const (
	exitOK       = 0
	exitStrict   = 1 // --strict and a legal or data problem was found
	exitCannotDo = 2 // the input cannot be processed, or bad usage
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := NewMain(os.Stdout, os.Stderr).Run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}

// Main is the program with its standard streams.
type Main struct {
	Stdout io.Writer
	Stderr io.Writer
}

// NewMain returns a Main writing to the given streams.
func NewMain(stdout, stderr io.Writer) *Main {
	return &Main{Stdout: stdout, Stderr: stderr}
}

// usageError is a mistake in the command line; it exits with code 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// Run executes one command and returns the process exit code.
func (m *Main) Run(ctx context.Context, args []string) int {
	if len(args) == 0 {
		m.usage()
		return exitCannotDo
	}
	var err error
	switch args[0] {
	case "rules":
		err = m.runRules(ctx, args[1:])
	case "template":
		err = m.runTemplate(ctx, args[1:])
	case "audit":
		err = m.runAudit(ctx, args[1:])
	case "serve":
		err = m.runServe(ctx, args[1:])
	case "verify":
		err = m.runVerify(ctx, args[1:])
	case "version", "--version":
		fmt.Fprintln(m.Stdout, "auditor", Version)
	case "help", "-h", "--help":
		m.usage()
	default:
		err = &usageError{fmt.Sprintf("comando %q sconosciuto", args[0])}
	}
	if err == nil {
		return exitOK
	}
	if errors.Is(err, errStrict) {
		return exitStrict
	}
	var help *helpRequest
	if errors.As(err, &help) {
		printHelp(m.Stdout, help.fs)
		return exitOK
	}
	// Messages may name paths the user chose: no control or bidirectional
	// characters reach the terminal.
	msg := xlsxio.SafeText(err.Error())
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintln(m.Stderr, "auditor:", msg)
		fmt.Fprintln(m.Stderr, "Usare «auditor help» per l'elenco dei comandi.")
		return exitCannotDo
	}
	fmt.Fprintln(m.Stderr, "auditor:", msg)
	return exitCannotDo
}

func (m *Main) usage() {
	fmt.Fprint(m.Stdout, `auditor – verifica e punteggio dei percorsi ITS Academy (DM 30/11/2023, EQF V)

Comandi:
  auditor audit FILE.xlsx [-o USCITA.xlsx] [--json REPORT.json|-] [--strict] [--quiet]
      [--reading tabelle|coerente|letterale] [--erratum E-N=printed|coherent]…
      [--interpretation I-N=scelta]… [--thresholds SOGLIE.json] [--workbook-thresholds]
      [--pdf VERBALE.pdf]
      verifica il file ufficiale e ne scrive una copia con i fogli dell'esito (exit 1 con --strict
      se ci sono violazioni di legge o dati incoerenti, 2 se il file non si può verificare).
      Lettura predefinita «tabelle» (tables): E-1, E-3, E-4 coerenti, E-2 come stampata; le altre
      sono «coerente» (coherent) e «letterale» (literal). «auditor COMANDO --help» descrive ogni
      opzione. Dopo la verifica stampa il totale e la fascia di ogni percorso (--quiet: nulla)
      Le soglie sono quelle del decreto o di --thresholds; --workbook-thresholds è una simulazione
      con le soglie del foglio Soglie, e ogni risultato lo dichiara
  auditor verify COPIA.xlsx [--json]
      ricalcola una copia verificata con le scelte registrate nel Timbro: exit 0 se ogni valore
      coincide, 1 elencando le celle diverse, 2 se il file non è una copia verificata
  auditor audit FILE.xlsx|CARTELLA … --summary RIEPILOGO.xlsx [--jobs N] [--out-dir CARTELLA]
      [--json RIEPILOGO.json] [--pdf RIEPILOGO.pdf]
      verifica molti file (una copia verificata per file) e scrive il riepilogo regionale, con la
      regola delle fondazioni della CU 17/12/2015 art. 4 c. 3 sui tre anni (exit 2 se un file non si
      può verificare: gli altri e il riepilogo sono scritti comunque); --pdf scrive il verbale di
      verifica in PDF
      limiti per file, come il server: --max-file-mb 10 --max-unzip-mb 100 --max-xml-mb 25
  auditor serve [--addr HOST:PORTA] [--public-url URL] [--tls-cert CERT --tls-key CHIAVE]
      [--token-file FILE]
      [--cors-origin URL] [--max-upload-mb N] [--timeout 60s] [--max-concurrent N] [--max-queue N]
      il server HTTP: pagina di caricamento (/), API (/api/audit) e componente aggiuntivo per Excel
  auditor template [-o FILE]      il modello ufficiale vuoto da compilare (- = output standard)
  auditor rules show [--pack ID|FILE] [--json]
      il pacchetto di regole come tabella leggibile (o il file JSON)
  auditor rules eval --articulation N --result R [--threshold S]
      [--reading tabelle|coerente|letterale] [--erratum E-N=printed|coherent]… [--json]
      applica una funzione di trasformazione e indica il ramo usato
  auditor rules conformance [--json]
      tabelle di esempio del decreto accanto ai valori calcolati
  auditor rules score COURSE.json [--reading …] [--thresholds FILE.json] [--interpretation I-2=…]
      [--json]
      punteggio di un percorso dato in JSON (codici dei campi di docs/modello.md), con tracce
  auditor version
`)
}
