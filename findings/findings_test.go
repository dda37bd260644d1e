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

// TestPhrases: every phrase has a text, and a rule's template filled with
// its phrases reads as one sentence (texts written out by hand).
func TestPhrases(t *testing.T) {
	for _, p := range Phrases() {
		if strings.TrimSpace(phrases[p]) == "" {
			t.Errorf("%s: no text", p)
		}
	}
	if len(Phrases()) != 14 {
		t.Errorf("%d phrases, want the 14 the validator uses", len(Phrases()))
	}
	used, _ := Lookup("SOG-VALORE-MODIFICATO")
	tests := []struct {
		name    string
		applied string
		want    string
	}{
		{"in force", Say(PhraseInForce, "value", "80,1", "source", "DM 30/11/2023, All. tecnico, Tab. 3"),
			"«S2» vale 70,5 nel foglio Soglie; il valore in vigore è 80,1 (DM 30/11/2023, All. tecnico, Tab. 3)."},
		{"the auditor's", Say(PhraseInForce, "value", "75", "source", Say(PhraseSourceAuditor)),
			"«S2» vale 70,5 nel foglio Soglie; il valore in vigore è 75 (soglie fornite dall'auditor per questa verifica)."},
		{"none", Say(PhraseNotInForce),
			"«S2» vale 70,5 nel foglio Soglie; il decreto non lo fissa e l'auditor non l'ha fornito."},
	}
	for _, tt := range tests {
		if got := Fill(used.Template, "label", "S2", "found", "70,5", "applied", tt.applied); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
	if got := Say(PhrasePackFrom, "date", "1/1/2024"); got != "si applica ai percorsi terminati dal 1/1/2024" {
		t.Errorf("pack-from: %q", got)
	}
}
