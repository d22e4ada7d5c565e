// Package secretfile keeps a secret generated once in a file of the data
// directory: session keys and the API token signing key. The file is
// created exclusively with mode 0600 and never exposed half written, two
// processes starting at once agree on one secret, and a copy with looser
// permissions is tightened when read.
package secretfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// LoadOrCreate returns the content of path. When the file does not exist it
// is created with the content generate returns; if another process creates
// it first, that process's content is returned instead, so both agree.
// Parsing (and rejecting a damaged file) is the caller's job: a damaged
// secret must be noticed by an operator, never silently replaced.
func LoadOrCreate(path string, generate func() ([]byte, error)) ([]byte, error) {
	data, err := read(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return data, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create directory for %s: %w", path, err)
	}
	data, err = generate()
	if err != nil {
		return nil, fmt.Errorf("generate %s: %w", path, err)
	}
	switch err := writeNew(path, data); {
	case errors.Is(err, fs.ErrExist):
		return read(path) // another process won the race; use its secret
	case err != nil:
		return nil, err
	}
	return data, nil
}

// read returns the file's content, tightening its permissions to 0600 when
// it was copied around with looser ones: the secret lets anyone forge logins
// or tokens.
func read(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(path, 0o600); err != nil {
			return nil, fmt.Errorf("restrict permissions of %s: %w", path, err)
		}
	}
	return data, nil
}

// writeNew writes data to path only if path does not exist, without ever
// exposing a partly written file: it writes a temporary file and hard-links
// it into place, which fails with fs.ErrExist if someone else won.
func writeNew(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	name := tmp.Name()
	defer os.Remove(name)
	_, werr := tmp.Write(data)
	if err := errors.Join(werr, tmp.Chmod(0o600), tmp.Sync(), tmp.Close()); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Link(name, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return err
		}
		// Some filesystems (certain network or container mounts) lack hard
		// links; a rename is still atomic, only not exclusive.
		if err := os.Rename(name, path); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
	}
	return nil
}
