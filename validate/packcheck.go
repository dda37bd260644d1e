package validate

import (
	"fmt"
	"strings"

	"github.com/its-academy/auditor/compute"
)

// CheckPack refuses a rule pack that reads a field the official workbook
// does not have (WORKBOOK.md's field codes), naming the JSON path: one
// Italian line wrapping compute.ErrPack.
func CheckPack(p *compute.Pack) error {
	known := map[compute.FieldCode]bool{}
	for _, f := range CourseFields() {
		known[f.Code] = true
	}
	var bad []string
	for _, r := range p.FieldRefs() {
		if !known[r.Field] {
			bad = append(bad, fmt.Sprintf("%s: campo «%s» sconosciuto (non è un codice del foglio %s)", r.Path, r.Field, SheetCourses))
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("%w %s: %s", compute.ErrPack, p.ID, strings.Join(bad, "; "))
	}
	return nil
}
