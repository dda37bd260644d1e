package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"

	"github.com/its-academy/auditor/server"
	"github.com/its-academy/auditor/xlsxio"
)

// inputLimits bound what one workbook may make the command line read and
// inflate: by default the server's limits for an upload, raised (or
// lowered) with --max-file-mb, --max-unzip-mb and --max-xml-mb.
type inputLimits struct {
	maxFile int64
	xlsx    xlsxio.Limits
}

// limitFlags registers the limit flags on fs; the function returned reads
// them once fs is parsed.
func limitFlags(fs *flag.FlagSet) func() (inputLimits, error) {
	fileMB := fs.Float64("max-file-mb", float64(server.DefaultMaxUpload)/(1<<20), "")
	unzipMB := fs.Float64("max-unzip-mb", float64(server.DefaultUnzipSize)/(1<<20), "")
	xmlMB := fs.Float64("max-xml-mb", float64(server.DefaultUnzipXMLSize)/(1<<20), "")
	return func() (inputLimits, error) {
		for _, f := range []struct {
			name string
			v    float64
		}{{"max-file-mb", *fileMB}, {"max-unzip-mb", *unzipMB}, {"max-xml-mb", *xmlMB}} {
			if !(f.v > 0) || f.v > 1<<20 {
				return inputLimits{}, &usageError{fmt.Sprintf("--%s: indicare un numero di megabyte maggiore di zero", f.name)}
			}
		}
		return inputLimits{
			maxFile: int64(*fileMB * (1 << 20)),
			xlsx: xlsxio.Limits{
				UnzipSize:    int64(*unzipMB * (1 << 20)),
				UnzipXMLSize: int64(*xmlMB * (1 << 20)),
				MaxCells:     server.DefaultMaxCells,
			},
		}, nil
	}
}

// readInput reads a workbook named on the command line: a regular file of
// at most max bytes, checked before it is read (a 3 GB file or /dev/zero
// is refused without reading it).
func readInput(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, readError(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, readError(err)
	}
	if !st.Mode().IsRegular() {
		what := "un dispositivo, una pipe o un altro file speciale"
		if st.IsDir() {
			what = "una cartella"
		}
		return nil, fmt.Errorf("non è un file normale ma %s: indicare un file .xlsx", what)
	}
	if st.Size() > max {
		return nil, tooBig(st.Size(), max)
	}
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, readError(err)
	}
	if int64(len(data)) > max { // it grew while being read
		return nil, tooBig(int64(len(data)), max)
	}
	return data, nil
}

func tooBig(size, max int64) error {
	return fmt.Errorf("il file occupa %s, oltre il limite di %s per file: per verificarlo comunque, indicare --max-file-mb con un valore più alto", mbText(size), mbText(max))
}

// mbText writes a size in megabytes, Italian style, rounded up to one
// decimal.
func mbText(n int64) string {
	tenths := (n*10 + (1<<20 - 1)) >> 20
	s := strconv.FormatInt(tenths/10, 10)
	if tenths%10 != 0 {
		s += "," + strconv.FormatInt(tenths%10, 10)
	}
	return s + " MB"
}

// italianError is a reason in Italian that keeps the system's error for
// errors.Is and errors.As without showing its English text.
type italianError struct {
	msg   string
	cause error
}

func (e *italianError) Error() string { return e.msg }
func (e *italianError) Unwrap() error { return e.cause }

// readError is the Italian reason for a file that cannot be read.
func readError(err error) error {
	var pe *fs.PathError
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return &italianError{"file inesistente", err}
	case errors.Is(err, fs.ErrPermission):
		return &italianError{"file non leggibile: permesso negato", err}
	case errors.As(err, &pe) && strings.Contains(pe.Err.Error(), "is a directory"):
		return &italianError{"è una cartella, non un file", err}
	}
	return &italianError{"impossibile leggere il file (errore del sistema)", err}
}
