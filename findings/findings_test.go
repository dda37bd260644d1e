package findings

import (
	"regexp"
	"strings"
	"testing"
)

// TestCatalogue: every rule has a known prefix, a severity and an Italian
// template; sources cite only the decree, the CU or the shipped docs.
func TestCatalogue(t *testing.T) {
	id := regexp.MustCompile(`^(CMP|VAL|DAT|PKG|SOG|STR)-[A-Z0-9-]+$`)
	for _, r := range IDs() {
		d, _ := Lookup(r)
		if !id.MatchString(string(r)) {
			t.Errorf("%s: id outside the catalogue's prefixes", r)
		}
		switch d.Severity {
		case SeverityError, SeverityViolation, SeverityWarning, SeverityInfo:
		default:
			t.Errorf("%s: severity %q", r, d.Severity)
		}
		if strings.TrimSpace(d.Template) == "" {
			t.Errorf("%s: no template", r)
		}
		if strings.Contains(d.Source, "WORKBOOK.md") || strings.Contains(d.Source, "RULES.md") {
			t.Errorf("%s cites a developers' file: %q", r, d.Source)
		}
	}
	if len(IDs()) < 50 {
		t.Errorf("%d rules: the catalogue is not the whole list", len(IDs()))
	}
}

func TestFill(t *testing.T) {
	if got := Fill("«{label}» vale {value}; {missing}", "label", "Iscritti", "value", "19"); got != "«Iscritti» vale 19; {missing}" {
		t.Errorf("Fill = %q", got)
	}
}
