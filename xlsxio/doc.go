// Package xlsxio reads and writes the official workbook with excelize: it
// fills a validate.Input from a user's file (never modifying it), generates
// the blank template, and writes the audited copy with the product's sheets,
// leaving every original part as it was.
package xlsxio
