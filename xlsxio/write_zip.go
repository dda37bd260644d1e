package xlsxio

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"runtime"
)

// partCapture is an excelize.ZipWriter that keeps the parts excelize saves
// in memory, in order, uncompressed: the writer then copies the parts it
// did not change from the original zip as they were, compresses the others
// and splices the product sheets' cells into their parts.
type partCapture struct {
	names []string
	parts map[string]*bytes.Buffer
}

func newPartCapture() *partCapture { return &partCapture{parts: map[string]*bytes.Buffer{}} }

// Create starts a part.
func (c *partCapture) Create(name string) (io.Writer, error) {
	if _, dup := c.parts[name]; dup {
		return nil, fmt.Errorf("part %s saved twice", name)
	}
	b := &bytes.Buffer{}
	c.names = append(c.names, name)
	c.parts[name] = b
	return b, nil
}

// AddFS is not used by excelize when saving a workbook.
func (c *partCapture) AddFS(fs.FS) error { return errors.New("xlsxio: AddFS not supported") }

// Close does nothing: the parts stay in memory.
func (c *partCapture) Close() error { return nil }

// chunkSize is how much XML one deflate job compresses: large enough for
// the compression ratio, small enough to spread a sheet over the cores.
const chunkSize = 1 << 20

// deflater compresses parts in chunks on all cores. Each chunk is an
// independent deflate stream ended by a sync flush, the last by the final
// block, so their concatenation is one valid deflate stream (as pigz does).
type deflater struct {
	sem  chan struct{}      // bounds the chunks compressed at once
	pool chan *flate.Writer // reusable compressors
}

func newDeflater() *deflater {
	n := max(1, runtime.GOMAXPROCS(0))
	return &deflater{sem: make(chan struct{}, n), pool: make(chan *flate.Writer, n)}
}

// deflatedPart is one part being compressed.
type deflatedPart struct {
	d      *deflater
	name   string
	crc    uint32
	size   uint64
	chunks []*deflateChunk
	closed bool
}

type deflateChunk struct {
	out  bytes.Buffer
	err  error
	done chan struct{}
}

func (d *deflater) part(name string) *deflatedPart { return &deflatedPart{d: d, name: name} }

// add hands a chunk of the part's bytes, in order, to a compressor; the
// part owns data from then on.
func (p *deflatedPart) add(data []byte) { p.submit(data, false) }

// close adds the last chunk (possibly empty).
func (p *deflatedPart) close(data []byte) {
	if !p.closed {
		p.submit(data, true)
		p.closed = true
	}
}

func (p *deflatedPart) submit(data []byte, final bool) {
	if len(data) == 0 && !final {
		return
	}
	p.crc = crc32.Update(p.crc, crc32.IEEETable, data)
	p.size += uint64(len(data))
	c := &deflateChunk{done: make(chan struct{})}
	p.chunks = append(p.chunks, c)
	d := p.d
	go func() {
		defer close(c.done)
		d.sem <- struct{}{}
		defer func() { <-d.sem }()
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
}

// wait waits for every chunk of the part and returns the first error.
func (p *deflatedPart) wait() error {
	var first error
	for _, c := range p.chunks {
		<-c.done
		if c.err != nil && first == nil {
			first = c.err
		}
	}
	return first
}

// writeTo writes the compressed part as a zip entry.
func (p *deflatedPart) writeTo(zw *zip.Writer) error {
	if err := p.wait(); err != nil {
		return fmt.Errorf("compressing %s: %w", p.name, err)
	}
	var n uint64
	for _, c := range p.chunks {
		n += uint64(c.out.Len())
	}
	w, err := zw.CreateRaw(&zip.FileHeader{
		Name: p.name, Method: zip.Deflate, CRC32: p.crc,
		CompressedSize64: n, UncompressedSize64: p.size,
		CreatorVersion: 20, ReaderVersion: 20,
	})
	if err != nil {
		return fmt.Errorf("writing %s: %w", p.name, err)
	}
	for _, c := range p.chunks {
		if _, err := w.Write(c.out.Bytes()); err != nil {
			return fmt.Errorf("writing %s: %w", p.name, err)
		}
	}
	return nil
}

// sameAsOriginal reports whether a saved part is byte for byte the
// original's entry of the same name, which is then copied as it was,
// compressed bytes included.
func sameAsOriginal(zf *zip.File, content []byte) bool {
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
