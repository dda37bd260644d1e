package xlsx

import (
	"testing"
)

func TestWriteSharedStrings(t *testing.T) {
	part := `<?xml version="1.0"?>` + "\n" + `<x:sst xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="5" uniqueCount="3"><x:si><x:t>Codice</x:t></x:si>` +
		`<x:si><x:r><x:t>Cod</x:t></x:r><x:r><x:rPr><x:b/></x:rPr><x:t>ice</x:t></x:r></x:si><x:si/></x:sst>`
	ss, ok := NewSharedStrings([]byte(part))
	if !ok || ss.Base != 3 {
		t.Fatalf("NewSharedStrings: %v, %+v", ok, ss)
	}
	// The plain item is reused; the rich one is not.
	if i := ss.ID("Codice"); i != 0 {
		t.Errorf("Codice = %d, want the plain item 0", i)
	}
	if i := ss.ID(" nuovo "); i != 3 {
		t.Errorf("a new text = %d, want 3", i)
	}
	if i := ss.ID(" nuovo "); i != 3 {
		t.Errorf("the same text again = %d, want 3", i)
	}
	got := string(ss.Part([]byte(part)))
	want := `<?xml version="1.0"?>` + "\n" + `<x:sst xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="8" uniqueCount="4"><x:si><x:t>Codice</x:t></x:si>` +
		`<x:si><x:r><x:t>Cod</x:t></x:r><x:r><x:rPr><x:b/></x:rPr><x:t>ice</x:t></x:r></x:si><x:si/>` +
		`<x:si><x:t xml:space="preserve"> nuovo </x:t></x:si></x:sst>`
	if got != want {
		t.Errorf("part:\n%s\nwant\n%s", got, want)
	}
	items, _, _, err := ParseSST([]byte(got), 1000)
	if err != nil || len(items) != 4 || items[3] != " nuovo " || items[1] != "Codice" {
		t.Errorf("the part reads back as %q, %v", items, err)
	}
	// An empty part gets its first items.
	empty := `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>`
	ss, ok = NewSharedStrings([]byte(empty))
	if !ok {
		t.Fatal("empty part refused")
	}
	ss.ID("a")
	if got := string(ss.Part([]byte(empty))); got != `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>a</t></si></sst>` {
		t.Errorf("empty part became %s", got)
	}
	for _, bad := range []string{`<other/>`, `<sst><si><t>x</si></sst>`, ``} {
		if _, ok := NewSharedStrings([]byte(bad)); ok {
			t.Errorf("%q accepted", bad)
		}
	}
}
