package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// LockFile is the file in the data directory a running server holds an
// exclusive lock on.
const LockFile = "dashboard.lock"

// ErrLocked means another process holds the data directory's lock.
var ErrLocked = errors.New("data directory in use")

// DirLock is the exclusive hold of one server on its data directory: two
// servers on one directory would both run the background workers and
// spend the upstream budget twice. It is an advisory flock(2) on LockFile,
// which the kernel releases when the process ends however it ends, so a
// crash never leaves a stale lock. Command-line tools (user, audit verify)
// do not take it and keep working beside a running server.
type DirLock struct{ f *os.File }

// LockDir takes the lock on dir (creating dir with mode 0700 if needed) and
// writes this process's id into the lock file. When another process holds
// it, the error wraps ErrLocked and names that process's id when known.
func LockDir(dir string) (*DirLock, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	path := filepath.Join(dir, LockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock data directory: %w", err)
	}
	if err := flock(f); err != nil {
		defer f.Close()
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("lock data directory %s: %w", dir, err)
		}
		holder := "another process"
		if b, err := os.ReadFile(path); err == nil {
			if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && pid > 0 {
				holder = fmt.Sprintf("another dashboard server (pid %d)", pid)
			}
		}
		return nil, fmt.Errorf("%w: %s is used by %s; stop it or choose another -data directory", ErrLocked, dir, holder)
	}
	if err := errors.Join(f.Truncate(0), writeAll(f, strconv.Itoa(os.Getpid())+"\n")); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("lock data directory: %w", err)
	}
	return &DirLock{f: f}, nil
}

func writeAll(f *os.File, s string) error {
	_, err := f.WriteAt([]byte(s), 0)
	return err
}

// Release gives the lock up. The file stays: removing it could let a
// third process lock a new file while a second still waits on the old one.
func (l *DirLock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := l.f.Close() // closing the descriptor releases the flock
	l.f = nil
	return err
}
