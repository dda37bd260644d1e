package validate

import (
	"encoding/json"
	"strconv"
	"testing"

	"github.com/its-academy/auditor/compute"
)

// fuzzTexts are the cell texts the fuzzer picks from, besides numbers it
// builds from the bytes: Italian and English numbers, dates, area names,
// junk.
var fuzzTexts = []string{
	"", " ", "0", "1", "5", "6", "V", "VI", "20", "35,5", "1.234,5", "1.250", "35.5", "-1", "35%",
	"1e308", "NaN", "Inf", "-0", ",", ".", "1,2,3", "31/12/2024", "1/1/2024", "31/12/2023", "29/02/2023",
	"2024-12-31", "45657", "45291", "100000000", "Sistema meccanica", "Sistema moda", "meccanica",
	"Marte", "#DIV/0!", "VERO", "MEC-01", "mec-01", "S2", "zzz", "femminile_media_moda", "correzione_n",
	"tasso_meccanica", "10", "10,5", "1000", "999999999", "0,0000001",
}

type fuzzBytes struct {
	data []byte
	i    int
}

func (b *fuzzBytes) next() byte {
	if b.i >= len(b.data) {
		return 0
	}
	b.i++
	return b.data[b.i-1]
}

func (b *fuzzBytes) text() string {
	c := b.next()
	switch {
	case c < 200:
		return fuzzTexts[int(c)%len(fuzzTexts)]
	case c < 230: // a number from the next bytes
		return strconv.Itoa(int(b.next())*int(b.next()) - 100)
	default: // raw bytes
		n := int(b.next() % 8)
		s := make([]byte, 0, n)
		for j := 0; j < n; j++ {
			s = append(s, b.next())
		}
		return string(s)
	}
}

func (b *fuzzBytes) entry(cell CellRef) Entry {
	e := Entry{Cell: cell}
	switch b.next() % 10 {
	case 0:
		return e // empty
	case 1, 2, 3:
		e.Type = EntryNumber
	case 4:
		e.Type, e.Date = EntryNumber, true
	case 5, 6, 7:
		e.Type = EntryText
	case 8:
		e.Type = EntryBool
	case 9:
		e.Type = EntryError
	}
	e.Text = b.text()
	if c := b.next(); c%16 == 0 {
		e.Formula, e.NoCache = "A1+B1", c%32 == 0
	}
	return e
}

// inputFromBytes builds an Input: courses that start from the clean one
// and get random entries for random fields, random Soglie rows, a random
// Fondazione.
func inputFromBytes(data []byte) *Input {
	b := &fuzzBytes{data: data}
	fields := CourseFields()
	in := input()
	nCourses := int(b.next() % 5)
	for i := 0; i < nCourses; i++ {
		r := 3 + i + int(b.next()%2)*i
		entries := cleanCourse()
		if b.next()%4 == 0 {
			entries = map[compute.FieldCode]Entry{}
		}
		for k := int(b.next() % 12); k > 0; k-- {
			f := fields[int(b.next())%len(fields)]
			if b.next()%7 == 0 {
				delete(entries, f.Code)
				continue
			}
			entries[f.Code] = b.entry("")
		}
		in.Courses = append(in.Courses, row(r, entries))
	}
	for k := int(b.next() % 4); k > 0; k-- {
		r := 2 + int(b.next()%6)
		in.Thresholds = append(in.Thresholds, ThresholdRow{Row: r, Code: b.text(), Value: b.entry(CellRef("Soglie!C" + strconv.Itoa(r)))})
	}
	for _, f := range FoundationFields() {
		if b.next()%5 == 0 {
			in.Foundation[f.Code] = b.entry(in.Foundation[f.Code].Cell)
		}
	}
	if b.next()%9 == 0 {
		delete(in.Columns, fields[int(b.next())%len(fields)].Code)
	}
	return in
}

func FuzzRun(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{1, 0, 0, 3, 0, 5, 2, 10})
	f.Add([]byte{3, 1, 1, 5, 11, 1, 7, 4, 3, 2, 9, 5, 1, 20, 7, 2, 4, 1, 15, 1, 30})
	f.Add([]byte{2, 0, 1, 2, 4, 2, 9, 1, 3, 6, 0, 3, 2, 1, 13, 5, 2, 250, 6, 1, 2, 3, 4, 5, 6})
	f.Add([]byte("\x04\x00\x00\x0b\x07\x05\x10\x1e\x03\x02\x11\x01\x09\x02\x03\x05\x06\x07\x08\xc8\x09\x0a\x02\x08\x0c\x06"))
	reg, err := compute.LoadEmbedded()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		in := inputFromBytes(data)
		a, err := Run(in, reg, Options{})
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		rep := a.Report("fuzz", "")
		if _, err := json.Marshal(rep); err != nil {
			t.Fatalf("report does not marshal: %v", err)
		}
		for i, c := range a.Courses {
			hasError := false
			for _, f := range c.Findings {
				if f.Severity == compute.SeverityError {
					hasError = true
					if f.Cell == "" {
						t.Errorf("row %d: error %s names no cell", c.Row, f.Rule)
					}
				}
				if f.Message == "" || f.Rule == "" {
					t.Errorf("row %d: empty finding %+v", c.Row, f)
				}
			}
			if hasError && (c.Scored() || rep.Courses[i].Total != nil || c.Sensitivity != nil) {
				t.Errorf("row %d has an error finding and a total", c.Row)
			}
			if !c.Scored() && !hasError {
				t.Errorf("row %d has no total and no error finding: %+v", c.Row, c.Findings)
			}
		}
	})
}
