//go:build linux

package xlsxio

import (
	"encoding/binary"
	"errors"
	"syscall"
	"testing"

	"github.com/its-academy/auditor/validate"
)

// tempWatch reports the files created in a directory (inotify), to check
// that nothing of an upload reaches the disk.
type tempWatch struct{ fd int }

func watchDir(t *testing.T, dir string) *tempWatch {
	t.Helper()
	fd, err := syscall.InotifyInit1(syscall.IN_NONBLOCK | syscall.IN_CLOEXEC)
	if err != nil {
		t.Skipf("inotify: %v", err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if _, err := syscall.InotifyAddWatch(fd, dir, syscall.IN_CREATE|syscall.IN_MOVED_TO); err != nil {
		t.Skipf("inotify: %v", err)
	}
	return &tempWatch{fd: fd}
}

// created returns how many files were created since the last call.
func (w *tempWatch) created(t *testing.T) int {
	t.Helper()
	n := 0
	buf := make([]byte, 64<<10)
	for {
		k, err := syscall.Read(w.fd, buf)
		if errors.Is(err, syscall.EAGAIN) {
			return n
		}
		if err != nil {
			t.Fatalf("inotify: %v", err)
		}
		for off := 0; off+syscall.SizeofInotifyEvent <= k; {
			n++ // struct inotify_event: wd, mask, cookie, len, then the name
			off += syscall.SizeofInotifyEvent + int(binary.NativeEndian.Uint32(buf[off+12:]))
		}
	}
}

// TestInMemoryWritesNoTemporaryFile: with Limits.InMemory neither the
// reader nor the writer writes anything to disk, even for a worksheet
// above UnzipXMLSize, which excelize would otherwise keep in a temporary
// file.
func TestInMemoryWritesNoTemporaryFile(t *testing.T) {
	data := thousandCourses(t)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	w := watchDir(t, tmp)
	lim := Limits{UnzipSize: 8 << 20, UnzipXMLSize: 64 << 10}
	wb, err := Open(data, "grande.xlsx", lim)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer wb.Close()
	if n := w.created(t); n != 0 {
		t.Errorf("Open created %d files in TMPDIR", n)
	}
	a := validated(t, wb, validate.Options{})
	// Without InMemory excelize spills the large worksheet: the watch sees it.
	if _, err := WriteAudit(data, a, WriteOptions{Version: "test", Limits: lim}); err != nil {
		t.Fatalf("WriteAudit: %v", err)
	}
	if n := w.created(t); n == 0 {
		t.Fatal("no temporary file without InMemory: the watch sees nothing, the test tests nothing")
	}
	lim.InMemory = true
	out, err := WriteAudit(data, a, WriteOptions{Version: "test", Limits: lim})
	if err != nil {
		t.Fatalf("WriteAudit in memory: %v", err)
	}
	if n := w.created(t); n != 0 {
		t.Errorf("WriteAudit with InMemory created %d files in TMPDIR", n)
	}
	if _, bad, err := CheckFormulas(out, 1e-9); err != nil || len(bad) > 0 {
		t.Errorf("formulas: %v %v", err, bad)
	}
}
