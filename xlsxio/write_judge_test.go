package xlsxio

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/its-academy/auditor/internal/xlsx"
	"github.com/its-academy/auditor/testkit"
	"github.com/its-academy/auditor/validate"
	"github.com/xuri/excelize/v2"
)

// judgeCopy audits the bundled example at a fixed time and opens the copy.
func judgeCopy(t *testing.T) (*validate.Audit, []byte, *excelize.File) {
	t.Helper()
	at := time.Date(2026, 3, 2, 9, 30, 5, 0, time.UTC)
	a, out := audit(t, testkit.Testdata(t, "esempio-fondazione.xlsx"), validate.Options{AuditedAt: at})
	f := testkit.OpenWorkbook(t, out)
	return a, out, f
}

// TestCopyOrderAndActiveSheet: the product's sheets follow the user's in
// the order of reading and the copy opens on Esito, the only selected tab.
func TestCopyOrderAndActiveSheet(t *testing.T) {
	_, out, f := judgeCopy(t)
	list := f.GetSheetList()
	want := []string{"Esito", "Rilievi", "Punteggi", "Spiegazioni", "Sensibilità", "Regole", "Timbro"}
	if got := list[len(list)-len(want):]; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("product sheets %v, want %v", got, want)
	}
	if got := list[f.GetActiveSheetIndex()]; got != SheetOutcome {
		t.Errorf("active sheet %s, want %s", got, SheetOutcome)
	}
	selected := 0
	for name, part := range zipParts(t, out) {
		if strings.HasPrefix(name, "xl/worksheets/sheet") && regexp.MustCompile(`<sheetView[^>]*tabSelected="(1|true)"`).Match(part) {
			selected++
		}
	}
	if selected != 1 {
		t.Errorf("%d sheets selected, want only Esito", selected)
	}
}

// TestFindingsBySeverity: Rilievi lists errors, then violations, warnings,
// information; within a severity by course, then cell.
func TestFindingsBySeverity(t *testing.T) {
	_, _, f := judgeCopy(t)
	rows, err := f.GetRows(SheetFindings)
	if err != nil {
		t.Fatal(err)
	}
	rank := map[string]int{"errore": 0, "violazione": 1, "avviso": 2, "informazione": 3}
	prev := []string{"", "", "", ""}
	seen := map[string]bool{}
	for _, r := range rows[1:] {
		if len(r) < 4 {
			continue
		}
		seen[r[0]] = true
		if rank[r[0]] < rank[prev[0]] || (r[0] == prev[0] && r[2] < prev[2]) {
			t.Errorf("row %v after %v", r[:4], prev[:4])
		}
		prev = r
	}
	if len(seen) != 4 {
		t.Errorf("severities seen %v: the example has one of each", seen)
	}
	// The hand-checked order of the example's first two findings: its one
	// error, then the first violation.
	if rows[1][0] != "errore" || rows[2][0] != "violazione" {
		t.Errorf("first findings %v, %v", rows[1][:3], rows[2][:3])
	}
}

// TestTraceLinks: a course's code on Esito links to its first row on
// Punteggi; that row links to the articulation's row on Spiegazioni; which
// links to its input cells on Percorsi and to its threshold on Regole.
func TestTraceLinks(t *testing.T) {
	_, _, f := judgeCopy(t)
	code, _ := f.GetCellValue(SheetOutcome, "A2")
	ok, target, err := f.GetCellHyperLink(SheetOutcome, "A2")
	if err != nil || !ok {
		t.Fatalf("Esito!A2 (%s) has no link: %v", code, err)
	}
	sheet, ref := splitRef(target)
	if sheet != SheetScores {
		t.Fatalf("Esito!A2 links to %s", target)
	}
	if v, _ := f.GetCellValue(SheetScores, ref); v != code {
		t.Errorf("Punteggi!%s = %q, want the course %s", ref, v, code)
	}
	_, row := splitCell(ref)
	name, _ := f.GetCellValue(SheetScores, cell("B", row))
	if !strings.HasPrefix(name, "Articolazione 1 – ") {
		t.Errorf("Punteggi!B%d = %q, want articulation 1 named", row, name)
	}
	ok, target, _ = f.GetCellHyperLink(SheetScores, cell("J", row))
	if !ok {
		t.Fatalf("Punteggi!J%d has no link", row)
	}
	sheet, ref = splitRef(target)
	if sheet != SheetExplanations {
		t.Fatalf("Punteggi!J%d links to %s", row, target)
	}
	_, erow := splitCell(ref)
	if v, _ := f.GetCellValue(SheetExplanations, cell("A", erow)); v != code {
		t.Errorf("Spiegazioni!A%d = %q, want %s", erow, v, code)
	}
	if v, _ := f.GetCellValue(SheetExplanations, cell("B", erow)); v != name {
		t.Errorf("Spiegazioni!B%d = %q, want %q", erow, v, name)
	}
	// Articulation 2 (the next row): R = partecipanti_selezione /
	// domande_iscrizione, two input cells, G3 and F3 for the first course.
	for col, want := range map[string]string{"J": "Percorsi!G3", "K": "Percorsi!F3"} {
		ok, target, _ := f.GetCellHyperLink(SheetExplanations, cell(col, erow+1))
		if !ok || target != want {
			t.Errorf("Spiegazioni!%s%d links to %q, want %s", col, erow+1, target, want)
		}
	}
	ok, target, _ = f.GetCellHyperLink(SheetExplanations, cell("E", erow))
	sheet, ref = splitRef(target)
	if !ok || sheet != SheetRules {
		t.Fatalf("Spiegazioni!E%d links to %q, want Regole", erow, target)
	}
	_, rrow := splitCell(ref)
	if v, _ := f.GetCellValue(SheetRules, cell("A", rrow)); v != "Soglia S1" {
		t.Errorf("the threshold link reaches Regole!A%d = %q, want «Soglia S1»", rrow, v)
	}
	if v, _ := f.GetCellValue(SheetRules, cell("C", rrow)); v != "51.6" {
		t.Errorf("Regole!C%d = %q, want 51.6 (S1, Tab. 3)", rrow, v)
	}
}

// TestNamesAndPrecision: articulations and indicators are named, never
// «Art. N»; points show 3 decimals, scores and totals 2.
func TestNamesAndPrecision(t *testing.T) {
	_, _, f := judgeCopy(t)
	rows, _ := f.GetRows(SheetExplanations)
	named := 0
	for _, r := range rows {
		if len(r) > 1 && strings.HasPrefix(r[1], "Art. ") {
			t.Errorf("Spiegazioni: %q", r[1])
		}
		if len(r) > 1 && strings.HasPrefix(r[1], "Articolazione 14 – ") {
			named++
		}
	}
	if named == 0 {
		t.Error("Spiegazioni names no articulation 14")
	}
	head, _ := f.GetRows(SheetOutcome)
	if !strings.HasPrefix(head[0][8], "Indicatore 1 – ") {
		t.Errorf("Esito!I1 = %q, want the indicator named", head[0][8])
	}
	format := func(sheet, ref string) string {
		st := cellStyle(t, f, sheet, ref)
		if st.CustomNumFmt != nil {
			return *st.CustomNumFmt
		}
		return strconv.Itoa(st.NumFmt)
	}
	// Punteggi row 2 is MEC-23-01's articulation 1: E = P, G = points.
	for _, c := range []struct{ sheet, ref, want string }{
		{SheetScores, "E2", "4"}, {SheetScores, "G2", "0.000"}, {SheetOutcome, "G2", "4"}, {SheetOutcome, "I2", "0.000"},
	} {
		if got := format(c.sheet, c.ref); got != c.want {
			t.Errorf("%s!%s number format %s, want %s", c.sheet, c.ref, got, c.want)
		}
	}
}

// TestWhoAndWhen: Esito and Timbro say who was audited and when, and the
// replay record keeps the time so that verify writes it again.
func TestWhoAndWhen(t *testing.T) {
	a, _, f := judgeCopy(t)
	rows, _ := f.GetRows(SheetStamp)
	stamp := map[string]string{}
	for _, r := range rows {
		if len(r) > 1 {
			stamp[r[0]] = r[1]
		}
	}
	if stamp["Data e ora della verifica"] != "02/03/2026 09:30:05 UTC" || !strings.HasPrefix(stamp["Fondazione"], "ITS-FT-001 ") || stamp["Anno di monitoraggio"] != "2025" {
		t.Errorf("Timbro: %v", stamp)
	}
	if !strings.Contains(stamp[StampReplayLabel], `"audited_at":"2026-03-02T09:30:05Z"`) {
		t.Errorf("replay record %s", stamp[StampReplayLabel])
	}
	if !strings.Contains(stamp["Nota"], "auditor verify") {
		t.Errorf("Timbro does not point to auditor verify: %q", stamp["Nota"])
	}
	r := len(a.Courses) + 3
	var info []string
	for k := 0; k < 4; k++ {
		v, _ := f.GetCellValue(SheetOutcome, cell("B", r+k))
		info = append(info, v)
	}
	if !strings.HasPrefix(info[0], "ITS-FT-001 – ") || info[2] != "2025" || info[3] != "02/03/2026 09:30:05 UTC" {
		t.Errorf("Esito below the table: %q", info)
	}
	// pipeline's TestVerifyUntouchedCopy checks that such a copy verifies.
}

// TestPrintSetup: every product sheet prints on A4, fitted to the page's
// width, with its header row repeated, a footer with the file's SHA-256 and
// the page number, and its table has an autofilter.
func TestPrintSetup(t *testing.T) {
	a, _, f := judgeCopy(t)
	titles, filters := map[string]string{}, map[string]bool{}
	for _, dn := range f.GetDefinedName() {
		switch dn.Name {
		case "_xlnm.Print_Titles":
			titles[dn.Scope] = dn.RefersTo
		case "_xlnm._FilterDatabase":
			filters[dn.Scope] = true
		}
	}
	for _, s := range ProductSheets() {
		pl, err := f.GetPageLayout(s)
		if err != nil {
			t.Fatal(err)
		}
		if pl.Size == nil || *pl.Size != 9 || pl.FitToWidth == nil || *pl.FitToWidth != 1 || pl.FitToHeight == nil || *pl.FitToHeight != 0 {
			t.Errorf("%s: page layout %+v", s, pl)
		}
		props, _ := f.GetSheetProps(s)
		if props.FitToPage == nil || !*props.FitToPage {
			t.Errorf("%s: not fitted to the page", s)
		}
		hf, err := f.GetHeaderFooter(s)
		if err != nil || !strings.Contains(hf.OddFooter, a.Input.SHA256) || !strings.Contains(hf.OddFooter, "Pagina &P di &N") {
			t.Errorf("%s: footer %q", s, hf.OddFooter)
		}
		if !strings.HasSuffix(titles[s], "!$1:$1") {
			t.Errorf("%s: print titles %q", s, titles[s])
		}
		if s != SheetStamp && !filters[s] {
			t.Errorf("%s: no autofilter", s)
		}
	}
	if pl, _ := f.GetPageLayout(SheetOutcome); pl.Orientation == nil || *pl.Orientation != "landscape" {
		t.Errorf("Esito is wide: want landscape")
	}
}

// TestBandLimitsOnOutcome: the limits of the bands come from the pack and
// are drawn as lines on the chart beside the table.
func TestBandLimitsOnOutcome(t *testing.T) {
	a, out, f := judgeCopy(t)
	head, _ := f.GetRows(SheetOutcome)
	var cols []int
	for i, h := range head[0] {
		if strings.HasPrefix(h, "Limite di fascia ") {
			cols = append(cols, i)
		}
	}
	if len(cols) != 2 || head[0][cols[0]] != "Limite di fascia 50" || head[0][cols[1]] != "Limite di fascia 60" {
		t.Fatalf("band limits %v", head[0])
	}
	for r := 1; r <= len(a.Courses); r++ {
		if head[r][cols[0]] != "50.00" || head[r][cols[1]] != "60.00" {
			t.Errorf("Esito row %d: limits %q %q", r+1, head[r][cols[0]], head[r][cols[1]])
		}
	}
	var chart []byte
	for name, part := range zipParts(t, out) {
		if strings.HasPrefix(name, "xl/charts/chart") {
			chart = part
		}
	}
	if !bytes.Contains(chart, []byte("barChart>")) || !bytes.Contains(chart, []byte("lineChart>")) {
		t.Error("the chart has no bars or no lines for the band limits")
	}
}

// TestCopyPrintsInAFewDozenPages: LibreOffice prints the example's copy
// (input sheets included) in at most 60 A4 pages (88 before the print
// set-up), every product page with its footer, and keeps the heights of
// rows with wrapped text.
func TestCopyPrintsInAFewDozenPages(t *testing.T) {
	soffice := libreOffice(t)
	pdfinfo, err := exec.LookPath("pdfinfo")
	if err != nil {
		if os.Getenv("AUDITOR_REQUIRE_LIBREOFFICE") != "" {
			t.Fatal("pdfinfo (poppler-utils) is required")
		}
		t.Skip("pdfinfo not installed")
	}
	a, out, f := judgeCopy(t)
	dir := t.TempDir()
	in := filepath.Join(dir, "copia.xlsx")
	if err := os.WriteFile(in, out, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := testkit.Command(t, 3*time.Minute, soffice, "-env:UserInstallation=file://"+filepath.Join(dir, "profile"), "--headless", "--norestore", "--nolockcheck",
		"--convert-to", "pdf", "--outdir", dir, in)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("LibreOffice: %v\n%s", err, msg)
	}
	info, err := exec.Command(pdfinfo, filepath.Join(dir, "copia.pdf")).Output()
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`Pages:\s+(\d+)`).FindSubmatch(info)
	if m == nil {
		t.Fatalf("pdfinfo: %s", info)
	}
	pages, _ := strconv.Atoi(string(m[1]))
	t.Logf("the example's copy prints in %d pages", pages)
	if pages > 60 {
		t.Errorf("%d pages, want a few dozen", pages)
	}
	if pdftotext, err := exec.LookPath("pdftotext"); err == nil {
		text, err := exec.Command(pdftotext, "-f", strconv.Itoa(pages), "-l", strconv.Itoa(pages), filepath.Join(dir, "copia.pdf"), "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		if want := "Pagina " + strconv.Itoa(pages) + " di " + strconv.Itoa(pages); !bytes.Contains(text, []byte(want)) || !bytes.Contains(text, []byte(a.Input.SHA256)) {
			t.Errorf("last page (Timbro) has no footer «%s» with the hash:\n%s", want, text)
		}
	}
	// A finding's row is as tall as its wrapped message, in LibreOffice too.
	lo := recalcWithLibreOffice(t, out)
	g := testkit.OpenWorkbook(t, lo)
	tall := 0
	for r := 2; r < 14; r++ {
		ours, _ := f.GetRowHeight(SheetFindings, r)
		theirs, _ := g.GetRowHeight(SheetFindings, r)
		if ours > xlsx.LineHeight {
			tall++
			if theirs < ours-1 {
				t.Errorf("Rilievi row %d: %.1f points, LibreOffice %.1f", r, ours, theirs)
			}
		}
	}
	if tall == 0 {
		t.Error("no finding's row is taller than one line")
	}
}
