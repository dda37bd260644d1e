// Package xlsxio is the official workbook as docs/modello.md describes it:
// it reads the Fondazione, Percorsi and Soglie sheets of a user's file
// into a validate.Input (never modifying the file), generates the blank
// template, writes the audited copy with the product's sheets (Esito,
// Rilievi, Punteggi, Spiegazioni, Sensibilità, Regole, Timbro), writes
// the regional summary workbook and reads its course rows back (the
// summary's model is batch/summary's), and reads a copy's replay record
// and compares its product sheets with a copy written again (the
// recomputation itself, which re-runs the audit, is pipeline.VerifyCopy).
// What an xlsx file
// is, apart from what it means (the XML scanner, the worksheet reader,
// the zip layer's checks, the surgery that leaves every original part as
// it was), is the engine in internal/xlsx.
package xlsxio
