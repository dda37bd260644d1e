package xlsx

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync/atomic"
)

// PartCapture is an excelize.ZipWriter that keeps the parts excelize saves
// in memory, in order, uncompressed: the writer then copies the parts it
// did not change from the original zip as they were, compresses the others
// and splices the product sheets' cells into their parts.
type PartCapture struct {
	Names []string
	Parts map[string]*bytes.Buffer
}

func NewPartCapture() *PartCapture { return &PartCapture{Parts: map[string]*bytes.Buffer{}} }

// Create starts a part.
func (c *PartCapture) Create(name string) (io.Writer, error) {
	if _, dup := c.Parts[name]; dup {
		return nil, fmt.Errorf("part %s saved twice", name)
	}
	b := &bytes.Buffer{}
	c.Names = append(c.Names, name)
	c.Parts[name] = b
	return b, nil
}

// AddFS is not used by excelize when saving a workbook.
func (c *PartCapture) AddFS(fs.FS) error { return errors.New("xlsx: AddFS not supported") }

// Close does nothing: the parts stay in memory.
func (c *PartCapture) Close() error { return nil }

// ChunkSize is how much XML one deflate job compresses: large enough for
// the compression ratio, small enough to spread a sheet over the cores.
const ChunkSize = 1 << 20

// Deflater compresses parts in chunks on all cores. Each chunk is an
// independent deflate stream ended by a sync flush, the last by the final
// block, so their concatenation is one valid deflate stream (as pigz does).
type Deflater struct {
	sem  chan struct{}      // bounds the chunks compressed at once
	pool chan *flate.Writer // reusable compressors
	// Chunk buffers: at most cap(free) exist; one compressed already goes
	// back to free, and a writer ahead of the compressors waits for one.
	free chan []byte
	made atomic.Int32
}

func NewDeflater() *Deflater {
	n := max(1, runtime.GOMAXPROCS(0))
	return &Deflater{sem: make(chan struct{}, n), pool: make(chan *flate.Writer, n), free: make(chan []byte, 2*n+4)}
}

// Buffer returns an empty buffer for a chunk of about ChunkSize bytes,
// waiting for one to be compressed when enough are in flight.
func (d *Deflater) Buffer() []byte {
	select {
	case b := <-d.free:
		return b[:0]
	default:
	}
	if int(d.made.Add(1)) <= cap(d.free) {
		return make([]byte, 0, ChunkSize+ChunkSize/8)
	}
	d.made.Add(-1)
	return (<-d.free)[:0]
}

// DeflatedPart is one part being compressed, chunk by chunk.
type DeflatedPart struct {
	d      *Deflater
	name   string
	chunks []*deflateChunk
	closed bool
}

// deflateChunk is one chunk: its compressed bytes, and the CRC-32 and
// length of its bytes.
type deflateChunk struct {
	out  bytes.Buffer
	crc  uint32
	size int64
	err  error
	done chan struct{}
}

func (d *Deflater) Part(name string) *DeflatedPart { return &DeflatedPart{d: d, name: name} }

// Add hands the next chunk of the part's bytes to a compressor; the part
// owns data from then on.
func (p *DeflatedPart) Add(data []byte) {
	if len(data) > 0 {
		p.chunks = append(p.chunks, p.submit(data, false, true))
	}
}

// Prepend hands the chunk that starts the part, once the others are known.
func (p *DeflatedPart) Prepend(data []byte) {
	if len(data) > 0 {
		p.chunks = append([]*deflateChunk{p.submit(data, false, false)}, p.chunks...)
	}
}

// End adds the last chunk (possibly empty), which ends the stream.
func (p *DeflatedPart) End(data []byte) {
	if !p.closed {
		p.chunks = append(p.chunks, p.submit(data, true, false))
		p.closed = true
	}
}

// submit compresses a chunk in the background; a buffer from
// Deflater.Buffer (recycle) goes back to it afterwards.
func (p *DeflatedPart) submit(data []byte, final, recycle bool) *deflateChunk {
	c := &deflateChunk{done: make(chan struct{}), size: int64(len(data))}
	d := p.d
	go func() {
		defer close(c.done)
		if recycle {
			defer func() { d.free <- data }()
		}
		defer func() {
			if r := recover(); r != nil {
				c.err = fmt.Errorf("deflate: %v", r)
			}
		}()
		d.sem <- struct{}{}
		defer func() { <-d.sem }()
		c.crc = crc32.ChecksumIEEE(data)
		var fw *flate.Writer
		select {
		case fw = <-d.pool:
			fw.Reset(&c.out)
		default:
			var err error
			if fw, err = flate.NewWriter(&c.out, flate.BestSpeed); err != nil {
				c.err = err
				return
			}
		}
		c.out.Grow(len(data)/4 + 64)
		_, c.err = fw.Write(data)
		if c.err == nil {
			if final {
				c.err = fw.Close()
			} else {
				c.err = fw.Flush()
			}
		}
		select {
		case d.pool <- fw:
		default:
		}
	}()
	return c
}

// wait waits for every chunk of the part and returns the first error.
func (p *DeflatedPart) wait() error {
	var first error
	for _, c := range p.chunks {
		<-c.done
		if c.err != nil && first == nil {
			first = c.err
		}
	}
	return first
}

// WriteEntry writes the compressed part as a zip entry and lets go of its
// compressed bytes as they are written, so that a package streamed part
// by part does not keep what it has already sent.
func (p *DeflatedPart) WriteEntry(zw *zip.Writer) error {
	if err := p.wait(); err != nil {
		return fmt.Errorf("compressing %s: %w", p.name, err)
	}
	var n, size uint64
	var crc uint32
	for _, c := range p.chunks {
		n += uint64(c.out.Len())
		size += uint64(c.size)
		crc = crc32Combine(crc, c.crc, c.size)
	}
	w, err := zw.CreateRaw(&zip.FileHeader{
		Name: p.name, Method: zip.Deflate, CRC32: crc,
		CompressedSize64: n, UncompressedSize64: size,
		CreatorVersion: 20, ReaderVersion: 20,
	})
	if err != nil {
		return fmt.Errorf("writing %s: %w", p.name, err)
	}
	for i, c := range p.chunks {
		if _, err := w.Write(c.out.Bytes()); err != nil {
			return fmt.Errorf("writing %s: %w", p.name, err)
		}
		p.chunks[i] = nil
	}
	p.chunks = nil
	return nil
}

// crc32Combine returns the CRC-32 of A followed by B from the CRC-32 of A,
// the CRC-32 of B and B's length (zlib's crc32_combine: appending len2
// zero bits is a linear map over GF(2), applied by repeated squaring).
func crc32Combine(crc1, crc2 uint32, len2 int64) uint32 {
	if len2 <= 0 {
		return crc1
	}
	var even, odd [32]uint32
	odd[0] = crc32.IEEE // the operator for one zero bit
	row := uint32(1)
	for n := 1; n < 32; n++ {
		odd[n] = row
		row <<= 1
	}
	gf2Square(&even, &odd) // two zero bits
	gf2Square(&odd, &even) // four zero bits
	for {
		gf2Square(&even, &odd)
		if len2&1 != 0 {
			crc1 = gf2Times(&even, crc1)
		}
		len2 >>= 1
		if len2 == 0 {
			break
		}
		gf2Square(&odd, &even)
		if len2&1 != 0 {
			crc1 = gf2Times(&odd, crc1)
		}
		len2 >>= 1
		if len2 == 0 {
			break
		}
	}
	return crc1 ^ crc2
}

func gf2Times(mat *[32]uint32, vec uint32) uint32 {
	var sum uint32
	for i := 0; vec != 0; i, vec = i+1, vec>>1 {
		if vec&1 != 0 {
			sum ^= mat[i]
		}
	}
	return sum
}

func gf2Square(square, mat *[32]uint32) {
	for n := range 32 {
		square[n] = gf2Times(mat, mat[n])
	}
}

// SameAsOriginal reports whether a saved part is byte for byte the
// original's entry of the same name, which is then copied as it was,
// compressed bytes included.
func SameAsOriginal(zf *zip.File, content []byte) bool {
	if zf == nil || zf.UncompressedSize64 != uint64(len(content)) || zf.CRC32 != crc32.ChecksumIEEE(content) {
		return false
	}
	rc, err := zf.Open()
	if err != nil {
		return false
	}
	defer rc.Close()
	var buf [32 << 10]byte
	rest := content
	for {
		n, err := rc.Read(buf[:])
		if n > len(rest) || !bytes.Equal(buf[:n], rest[:n]) {
			return false
		}
		rest = rest[n:]
		if err == io.EOF {
			return len(rest) == 0
		}
		if err != nil {
			return false
		}
	}
}

// Assemble builds the new package in memory; see AssembleTo.
func Assemble(original []byte, orig map[string]*zip.File, capture *PartCapture, d *Deflater, deflated map[string]*DeflatedPart) ([]byte, error) {
	var out bytes.Buffer
	out.Grow(len(original) + 8<<20)
	if _, err := AssembleTo(&out, orig, capture, d, deflated); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// AssembleTo writes the new package to w as it goes, and returns the bytes
// written: the parts of capture in its order, those in deflated (already
// being compressed) written compressed, each let go once written; those
// byte for byte the original's entry of the same name (orig) copied as they
// were, compressed bytes included, straight from the original; the others
// compressed here. An error from w ends it: what w got is then a truncated
// zip, with no central directory.
func AssembleTo(w io.Writer, orig map[string]*zip.File, capture *PartCapture, d *Deflater, deflated map[string]*DeflatedPart) (int64, error) {
	if ct, ok := capture.Parts["[Content_Types].xml"]; ok {
		if _, done := deflated["[Content_Types].xml"]; !done {
			capture.Parts["[Content_Types].xml"] = bytes.NewBuffer(CanonicalContentTypes(ct.Bytes()))
		}
	}
	for _, name := range capture.Names {
		if _, done := deflated[name]; done || SameAsOriginal(orig[name], capture.Parts[name].Bytes()) {
			continue
		}
		p := d.Part(name)
		p.End(capture.Parts[name].Bytes())
		deflated[name] = p
	}
	cw := &countingWriter{w: w}
	zw := zip.NewWriter(cw)
	for _, name := range capture.Names {
		if p, ok := deflated[name]; ok {
			if err := p.WriteEntry(zw); err != nil {
				return cw.n, err
			}
			continue
		}
		if err := zw.Copy(orig[name]); err != nil {
			return cw.n, fmt.Errorf("copying %s: %w", name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return cw.n, fmt.Errorf("writing the workbook: %w", err)
	}
	return cw.n, nil
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

var defaultRE = regexp.MustCompile(`<Default\s[^>]*?(?:/>|>\s*</Default>)`)
var extensionRE = regexp.MustCompile(`Extension="([^"]*)"`)

// CanonicalContentTypes puts the <Default> entries of a [Content_Types].xml
// part in the order of their extensions (case-insensitively), each in the
// place of one of them. excelize writes them from a map, in random order:
// without this, two runs of the same audit give different bytes.
func CanonicalContentTypes(part []byte) []byte {
	ms := defaultRE.FindAll(part, -1)
	if len(ms) < 2 {
		return part
	}
	sorted := make([][]byte, len(ms))
	copy(sorted, ms)
	ext := func(b []byte) string {
		if m := extensionRE.FindSubmatch(b); m != nil {
			return strings.ToLower(string(m[1]))
		}
		return ""
	}
	sort.SliceStable(sorted, func(i, j int) bool { return ext(sorted[i]) < ext(sorted[j]) })
	i := 0
	return defaultRE.ReplaceAllFunc(part, func([]byte) []byte {
		m := sorted[i]
		i++
		return m
	})
}
