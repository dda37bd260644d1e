// Package xlsx is a general-purpose engine for Excel (.xlsx) files, with
// no knowledge of what a workbook means: a small XML scanner for the large
// parts (worksheets, shared strings), a worksheet reader that decodes only
// the cells asked for, the package-level checks of an untrusted upload
// (zip layer, sizes, structural parts), part naming and relationships,
// and the pieces that write a copy of a package leaving every part it does
// not change as it was (part capture, parallel deflate with CRC-32
// combining, shared strings, worksheet XML, hyperlinks, active tab). It
// imports no package of the product; excelize is its only dependency.
package xlsx
