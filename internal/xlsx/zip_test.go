package xlsx

import (
	"archive/zip"
	"bytes"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"testing"
)

func TestWriteCRC32Combine(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	data := make([]byte, 300_000)
	for i := range data {
		data[i] = byte(r.IntN(256))
	}
	for _, cut := range []int{0, 1, 7, 65536, 299_999, 300_000} {
		a, b := data[:cut], data[cut:]
		got := crc32Combine(crc32.ChecksumIEEE(a), crc32.ChecksumIEEE(b), int64(len(b)))
		if want := crc32.ChecksumIEEE(data); got != want {
			t.Errorf("cut at %d: %08x, want %08x", cut, got, want)
		}
	}
}

// TestWriteChunkedDeflate: chunks compressed apart, the first added last,
// make one zip entry that reads back as the whole.
func TestWriteChunkedDeflate(t *testing.T) {
	var whole []byte
	for i := 0; len(whole) < 3*ChunkSize+12345; i++ {
		whole = append(whole, []byte("<row r=\"")...)
		whole = append(whole, byte('0'+i%10), byte('a'+i%26))
		whole = append(whole, []byte("\"><c><v>3.14159</v></c></row>")...)
	}
	d := NewDeflater()
	p := d.Part("xl/worksheets/sheet1.xml")
	head, rest := whole[:100], whole[100:]
	for len(rest) > ChunkSize+7 {
		p.Add(bytes.Clone(rest[:ChunkSize+7]))
		rest = rest[ChunkSize+7:]
	}
	p.Prepend(bytes.Clone(head))
	p.End(bytes.Clone(rest))
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	if err := p.WriteEntry(zw); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	rc, err := zr.File[0].Open()
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(rc) // checks the CRC-32 and the size
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, whole) {
		t.Errorf("read back %d bytes, wrote %d", len(got), len(whole))
	}
	if zr.File[0].CompressedSize64 >= uint64(len(whole))/4 {
		t.Errorf("compressed to %d of %d bytes", zr.File[0].CompressedSize64, len(whole))
	}
}
