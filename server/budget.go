package server

import (
	"archive/zip"
	"bytes"
)

// The memory one audit takes is estimated twice. Before it is queued,
// from the sizes the upload's zip declares: reading the workbook costs
// costBase plus costPerUnzippedByte per byte of decompressed XML. Once it
// is read, from its course rows: scoring and answering cost
// costPerCourseJSON or costPerCourseXLSX per course, and a batch's file
// costBatchPerUnzippedByte per byte (it keeps only summary rows). The
// figures are peak heap measured on workbooks of 1,000 and 2,000 courses
// (README, «The HTTP API and its limits»), rounded up. Both answers are
// streamed to the client as they are produced; BenchmarkAuditMemory
// measures, above the reading's estimate, 35–42 kB per course for the
// JSON report (the report was 60 kB per course, held whole, before it
// was compacted and streamed) and 59–61 kB per course for the copy
// (67–68 kB when the copy was built whole before it was sent).
const (
	costBase                 = 4 << 20
	costPerUnzippedByte      = 12
	costPerCourseJSON        = 48 << 10
	costPerCourseXLSX        = 64 << 10
	costBatchPerUnzippedByte = 64
)

// courseCost is the estimated memory of scoring and answering n courses.
func courseCost(n int, xlsx bool) int64 {
	if xlsx {
		return int64(n) * costPerCourseXLSX
	}
	return int64(n) * costPerCourseJSON
}

// auditCost estimates the memory reading an upload takes. The zip's
// directory is read, nothing is decompressed; a body that is no zip costs
// its size (it is refused before any parse).
func (s *Server) auditCost(data []byte) int64 {
	return costBase + int64(len(data)) + unzippedSize(data, s.cfg.Limits.UnzipSize)*costPerUnzippedByte
}

// batchCost estimates the memory of auditing one file of a batch.
func (s *Server) batchCost(data []byte) int64 {
	return costBase + int64(len(data)) + unzippedSize(data, s.cfg.Limits.UnzipSize)*costBatchPerUnzippedByte
}

// unzippedSize is what a zip declares its entries decompress to; 0 for no
// zip or one declaring more than limit (the reader refuses it from its
// directory, before decompressing anything; parts that lie about their
// size are refused as soon as they outgrow it).
func unzippedSize(data []byte, limit int64) int64 {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return 0
	}
	var unzipped uint64
	for _, f := range zr.File {
		unzipped += f.UncompressedSize64
	}
	if limit > 0 && unzipped > uint64(limit) {
		return 0
	}
	return int64(unzipped)
}
