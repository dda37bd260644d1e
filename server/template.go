package server

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/its-academy/auditor/xlsxio"
)

// TemplateFileName is the name GET /modello.xlsx gives the blank workbook,
// the one `auditor template` writes by default.
const TemplateFileName = "official-workbook.xlsx"

// template is GET /modello.xlsx: the blank official workbook of the current
// rule pack, built by xlsxio.Template as `auditor template` builds it, so
// that the page's download and the command's file cannot differ.
func (s *Server) template(c echo.Context) error {
	p := s.currentPack()
	if p == nil {
		return apiErr(http.StatusServiceUnavailable, CodeInternal, "Nessun pacchetto di regole caricato: il modello non è disponibile.")
	}
	f, err := xlsxio.Template(p)
	if err != nil {
		return err
	}
	buf, err := f.WriteToBuffer()
	_ = f.Close()
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, attachment(TemplateFileName))
	c.Response().Header().Set("Cache-Control", "no-cache")
	return c.Blob(http.StatusOK, MIMEXLSX, buf.Bytes())
}
