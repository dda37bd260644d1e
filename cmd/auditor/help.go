package main

import (
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
)

// helpRequest is returned by parseFlags for -h, -help or --help: the
// command's flags are printed in Italian and the process exits 0.
type helpRequest struct{ fs *flag.FlagSet }

func (h *helpRequest) Error() string { return "aiuto richiesto per auditor " + h.fs.Name() }

// commandHelp is each command's synopsis and what it does.
var commandHelp = map[string][2]string{
	"audit": {"auditor audit FILE.xlsx|CARTELLA … [opzioni]",
		"Verifica il file ufficiale e ne scrive una copia con i fogli dell'esito; con più file, una cartella o --summary verifica tutti i file e scrive il riepilogo regionale."},
	"verify":            {"auditor verify COPIA.xlsx [--json]", "Ricalcola una copia verificata con le scelte registrate nel foglio Timbro: exit 0 se ogni valore coincide, 1 elencando le celle diverse, 2 se il file non è una copia verificata."},
	"serve":             {"auditor serve [opzioni]", "Il server HTTP: pagina di caricamento (/), API (/api/audit) e componente aggiuntivo per Excel."},
	"template":          {"auditor template [-o FILE]", "Scrive il modello ufficiale vuoto da compilare."},
	"rules show":        {"auditor rules show [--pack ID|FILE] [--json]", "Il pacchetto di regole come tabella leggibile (o il file JSON)."},
	"rules eval":        {"auditor rules eval --articulation N --result R [opzioni]", "Applica la funzione di trasformazione di un'articolazione e indica il ramo usato."},
	"rules conformance": {"auditor rules conformance [--json]", "Le tabelle di esempio del decreto accanto ai valori calcolati."},
	"rules score":       {"auditor rules score PERCORSI.json [opzioni]", "Punteggio di percorsi dati in JSON con i codici dei campi del modello (docs/modello.md)."},
}

// readingValues names the readings with their Italian names.
const readingValues = "tabelle o tables (lettura delle tabelle, predefinita) | coerente o coherent | letterale o literal"

// flagHelp describes each flag in Italian: by "command flag", or by flag
// alone when it means the same in every command.
var flagHelp = map[string]string{
	"trusted-proxy":  "indirizzo di un proxy fidato, di cui si accetta X-Forwarded-For per il registro; ripetibile",
	"upload-grace":   "tempo concesso a ogni caricamento oltre il minimo di velocità (predefinito: 10s)",
	"min-upload-kb":  "velocità minima di caricamento, in KB al secondo: più lento riceve 408",
	"max-body-mb":    "MB di caricamenti in corso ammessi in tutto il server; oltre: 503",
	"max-memory-mb":  "memoria stimata ammessa per le verifiche in corso insieme; oltre: 503 o 413",
	"max-work":       "numero massimo di percorsi × articolazioni per verifica; oltre: 422",
	"max-findings":   "numero massimo di rilievi per verifica; oltre: 422",
	"max-batch-rows": "numero massimo di righe di percorsi in tutti i file di un riepilogo regionale",
	"max-report-mb":  "dimensione massima del report JSON, in MB; oltre: 422",
	"reading":        "lettura del decreto: " + readingValues,
	"erratum":        "una errata impostata a parte sopra la lettura: E-N=printed (come stampata) o E-N=coherent (forma coerente); ripetibile",
	"interpretation": "scelta di un'interpretazione, I-N=scelta (le scelte sono in «auditor rules show»); ripetibile",
	"thresholds":     "file JSON con le soglie dell'auditor (codice → valore), al posto di quelle del decreto",
	"pack":           "pacchetto di regole da usare (identificativo o file JSON); senza: quello che si applica al percorso",
	"max-file-mb":    "dimensione massima di un file .xlsx, in MB",
	"max-unzip-mb":   "dimensione massima del contenuto decompresso di un file, in MB",
	"max-xml-mb":     "dimensione massima di un foglio decompresso, in MB",

	"audit o":                   "la copia verificata da scrivere (predefinita: FILE-verificato.xlsx accanto al file); in un lotto, il riepilogo",
	"audit json":                "il rapporto JSON da scrivere (- = output standard)",
	"audit workbook-thresholds": "simulazione: applica le soglie del foglio Soglie del file; ogni risultato lo dichiara",
	"audit strict":              "exit 1 se ci sono violazioni di legge o dati incoerenti",
	"audit summary":             "il riepilogo regionale .xlsx di un lotto di file",
	"audit jobs":                "quanti file verificare insieme (predefinito: uno per processore)",
	"audit out-dir":             "cartella in cui scrivere le copie verificate",
	"audit pdf":                 "il verbale di verifica in PDF (in un lotto: il verbale del riepilogo)",
	"audit quiet":               "non stampare il riepilogo della verifica (totale e fascia di ogni percorso)",

	"verify json": "stampa il risultato in JSON",

	"template o": "il file da scrivere (- = output standard)",

	"rules show json":                 "stampa il file JSON del pacchetto",
	"rules eval json":                 "stampa il risultato in JSON",
	"rules conformance json":          "stampa il risultato in JSON",
	"rules score json":                "stampa il risultato in JSON",
	"rules eval articulation":         "numero dell'articolazione (1–16)",
	"rules eval result":               "risultato R dell'articolazione",
	"rules eval threshold":            "soglia S (le funzioni f5, f7 e f16 non ne hanno)",
	"rules score traces":              "stampa il calcolo di ogni articolazione",
	"rules conformance pack":          "pacchetto di regole da usare (identificativo o file JSON)",
	"rules show pack":                 "pacchetto di regole da mostrare (identificativo o file JSON)",
	"rules eval pack":                 "pacchetto di regole da usare (identificativo o file JSON)",
	"rules score pack":                "pacchetto di regole da usare (identificativo o file JSON)",
	"serve addr":                      "indirizzo e porta su cui ascoltare",
	"serve public-url":                "indirizzo pubblico del server (per il componente aggiuntivo di Excel)",
	"serve tls-cert":                  "certificato TLS (con --tls-key)",
	"serve tls-key":                   "chiave del certificato TLS",
	"serve token-file":                "file con il gettone richiesto alle chiamate dell'API",
	"serve cors-origin":               "origine ammessa per le chiamate da altri siti; ripetibile",
	"serve max-upload-mb":             "dimensione massima di un file caricato, in MB",
	"serve max-unzip-mb":              "dimensione massima del contenuto decompresso di un file, in MB",
	"serve max-xml-mb":                "dimensione massima di un foglio decompresso, in MB",
	"serve max-cells":                 "numero massimo di celle lette da un file",
	"serve timeout":                   "tempo massimo di una richiesta (per esempio 60s)",
	"serve max-concurrent":            "quante verifiche eseguire insieme (0: una per processore)",
	"serve max-queue":                 "quante richieste tenere in attesa (0: valore predefinito)",
	"serve client-rate":               "richieste al secondo ammesse per ciascun client",
	"serve max-per-client":            "richieste contemporanee ammesse per ciascun client",
	"rules score reading":             "lettura del decreto: " + readingValues,
	"rules score thresholds":          "file JSON con le soglie dell'auditor (codice → valore)",
	"rules score interpretation":      "scelta di un'interpretazione, I-N=scelta; ripetibile",
	"rules eval reading":              "lettura del decreto: " + readingValues,
	"rules eval erratum":              "una errata impostata a parte: E-N=printed o E-N=coherent; ripetibile",
	"rules score erratum":             "una errata impostata a parte: E-N=printed o E-N=coherent; ripetibile",
	"rules conformance reading":       "lettura del decreto: " + readingValues,
	"rules show reading":              "lettura del decreto: " + readingValues,
	"rules conformance erratum":       "una errata impostata a parte: E-N=printed o E-N=coherent; ripetibile",
	"rules show erratum":              "una errata impostata a parte: E-N=printed o E-N=coherent; ripetibile",
	"audit interpretation":            "scelta di un'interpretazione, I-N=scelta (le scelte sono in «auditor rules show»); ripetibile",
	"rules score workbook-thresholds": "simulazione con le soglie del foglio Soglie",
}

// describeFlag returns a flag's Italian description ("" when it has none).
func describeFlag(cmd, name string) string {
	if d, ok := flagHelp[cmd+" "+name]; ok {
		return d
	}
	return flagHelp[name]
}

// printHelp prints a command's synopsis and every flag with its Italian
// description and default.
func printHelp(w io.Writer, fs *flag.FlagSet) {
	h := commandHelp[fs.Name()]
	fmt.Fprintf(w, "Uso: %s\n", h[0])
	if h[1] != "" {
		fmt.Fprintf(w, "%s\n", wrapText(h[1], 98, ""))
	}
	fmt.Fprintln(w, "\nOpzioni:")
	var names []string
	fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	sort.Strings(names)
	for _, n := range names {
		f := fs.Lookup(n)
		dash := "--"
		if len(n) == 1 {
			dash = "-"
		}
		arg := ""
		if bf, ok := f.Value.(interface{ IsBoolFlag() bool }); !ok || !bf.IsBoolFlag() {
			arg = " VALORE"
		}
		desc := describeFlag(fs.Name(), n)
		if desc == "" {
			desc = "(senza descrizione)"
		}
		if d := f.DefValue; d != "" && d != "false" && d != "0" && d != "[]" && !strings.HasPrefix(d, "map[") {
			desc += " (predefinito: " + d + ")"
		}
		fmt.Fprintf(w, "  %s%s%s\n%s\n", dash, n, arg, wrapText(desc, 98, "      "))
	}
}

// wrapText wraps s at width columns, each line after the first indented.
func wrapText(s string, width int, indent string) string {
	var lines []string
	line := indent
	for _, word := range strings.Fields(s) {
		if len([]rune(line))+1+len([]rune(word)) > width && strings.TrimSpace(line) != "" {
			lines = append(lines, line)
			line = indent
		}
		if strings.TrimSpace(line) != "" {
			line += " "
		}
		line += word
	}
	return strings.Join(append(lines, line), "\n")
}
