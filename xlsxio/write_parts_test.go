package xlsxio

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/its-academy/auditor/testkit"
	"github.com/its-academy/auditor/validate"
	"github.com/xuri/excelize/v2"
)

// packageParts lists a package's parts whose name matches re.
func packageParts(t *testing.T, data []byte, re string) []string {
	t.Helper()
	var out []string
	for name := range zipParts(t, data) {
		if regexp.MustCompile(re).MatchString(name) {
			out = append(out, name)
		}
	}
	return out
}

// TestReauditLeavesNoOrphans re-audits a workbook three times: the earlier
// audits' chart and drawing go with their sheet, and every content-type
// override names a part that exists.
func TestReauditLeavesNoOrphans(t *testing.T) {
	data := testkit.Testdata(t, "esempio-fondazione.xlsx")
	out := data
	for i := 0; i < 3; i++ {
		_, out = audit(t, out, validate.Options{})
	}
	if charts := packageParts(t, out, `^xl/charts/chart\d+\.xml$`); len(charts) != 1 {
		t.Errorf("after three audits the package has charts %v, want one", charts)
	}
	if drawings := packageParts(t, out, `^xl/drawings/drawing\d+\.xml$`); len(drawings) != 1 {
		t.Errorf("after three audits the package has drawings %v, want one", drawings)
	}
	parts := zipParts(t, out)
	for _, m := range regexp.MustCompile(`PartName="/([^"]+)"`).FindAllSubmatch(parts["[Content_Types].xml"], -1) {
		if _, ok := parts[string(m[1])]; !ok {
			t.Errorf("content types name a missing part %s", m[1])
		}
	}
}

// TestUserChartWithNumberingGapSurvives audits a workbook whose user sheet
// holds a chart numbered 2 with no chart 1 (other tools number so): the
// product's chart must not take its name.
func TestUserChartWithNumberingGapSurvives(t *testing.T) {
	edited := testkit.EditWorkbook(t, testkit.Testdata(t, "esempio-fondazione.xlsx"), func(f *excelize.File) error {
		if _, err := f.NewSheet("Grafico"); err != nil {
			t.Fatal(err)
		}
		for i, v := range []float64{3, 5, 2} {
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			if err := f.SetCellValue("Grafico", cell, v); err != nil {
				t.Fatal(err)
			}
		}
		if err := f.AddChart("Grafico", "C2", &excelize.Chart{Type: excelize.Col,
			Series: []excelize.ChartSeries{{Name: "Grafico!$A$1", Values: "Grafico!$A$1:$A$3"}}}); err != nil {
			t.Fatal(err)
		}
		return nil
	})
	// Renumber the user's drawing and chart 1 → 2.
	renamed := map[string]string{
		"xl/drawings/drawing1.xml":            "xl/drawings/drawing2.xml",
		"xl/drawings/_rels/drawing1.xml.rels": "xl/drawings/_rels/drawing2.xml.rels",
		"xl/charts/chart1.xml":                "xl/charts/chart2.xml",
	}
	files := testkit.Unzip(t, edited)
	for i, f := range files {
		if to, ok := renamed[f.Name]; ok {
			files[i].Name = to
		}
		if strings.HasSuffix(files[i].Name, ".rels") || f.Name == "[Content_Types].xml" {
			files[i].Data = bytes.ReplaceAll(f.Data, []byte("drawing1.xml"), []byte("drawing2.xml"))
			files[i].Data = bytes.ReplaceAll(files[i].Data, []byte("chart1.xml"), []byte("chart2.xml"))
		}
	}
	gap := testkit.Zip(t, files)
	userChart := zipParts(t, gap)["xl/charts/chart2.xml"]
	if len(userChart) == 0 {
		t.Fatal("test workbook without the renumbered chart")
	}
	_, out := audit(t, gap, validate.Options{})
	got := zipParts(t, out)
	if !bytes.Equal(got["xl/charts/chart2.xml"], userChart) {
		t.Error("the user's chart2.xml was overwritten by the product's chart")
	}
	if charts := packageParts(t, out, `^xl/charts/chart\d+\.xml$`); len(charts) != 2 {
		t.Errorf("charts %v, want the user's and the product's", charts)
	}
	fo := testkit.OpenWorkbook(t, out)
	if v, _ := fo.GetCellValue("Grafico", "A2"); v != "5" {
		t.Errorf("user sheet changed: A2 = %q", v)
	}
}
