package auth

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// KeysFile is the name, inside the data directory, of the file holding the
// session cookie keys.
const KeysFile = "session.keys"

const (
	hashKeyLen  = 64 // HMAC-SHA256 key for cookie authentication
	blockKeyLen = 32 // AES-256 key for cookie encryption
)

// LoadOrCreateKeys returns the session cookie keys stored in
// dataDir/session.keys, generating and saving them (mode 0600) on first use.
// Keeping them on disk lets logins survive restarts; deleting the file signs
// everyone out. A damaged file is an error rather than silently replaced, so
// an operator notices.
func LoadOrCreateKeys(dataDir string) (hashKey, blockKey []byte, err error) {
	path := filepath.Join(dataDir, KeysFile)
	hashKey, blockKey, err = readKeys(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return hashKey, blockKey, err
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, nil, fmt.Errorf("auth: create data directory: %w", err)
	}
	hashKey = make([]byte, hashKeyLen)
	blockKey = make([]byte, blockKeyLen)
	if _, err := rand.Read(hashKey); err != nil {
		return nil, nil, fmt.Errorf("auth: generate session keys: %w", err)
	}
	if _, err := rand.Read(blockKey); err != nil {
		return nil, nil, fmt.Errorf("auth: generate session keys: %w", err)
	}
	content := hex.EncodeToString(hashKey) + "\n" + hex.EncodeToString(blockKey) + "\n"
	switch err := writeNew(path, []byte(content)); {
	case errors.Is(err, fs.ErrExist):
		// Another process created it first; use theirs so both agree.
		return readKeys(path)
	case err != nil:
		return nil, nil, err
	}
	return hashKey, blockKey, nil
}

func readKeys(path string) (hashKey, blockKey []byte, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil, err
		}
		return nil, nil, fmt.Errorf("auth: read session keys: %w", err)
	}
	corrupt := func(why string) error {
		return fmt.Errorf("auth: session keys file %s is corrupt (%s); delete it to generate new keys (this signs everyone out)", path, why)
	}
	fields := strings.Fields(string(data))
	if len(fields) != 2 {
		return nil, nil, corrupt(fmt.Sprintf("want 2 hex lines, found %d", len(fields)))
	}
	if hashKey, err = hex.DecodeString(fields[0]); err != nil || len(hashKey) != hashKeyLen {
		return nil, nil, corrupt(fmt.Sprintf("line 1 must be %d hex-encoded bytes", hashKeyLen))
	}
	if blockKey, err = hex.DecodeString(fields[1]); err != nil || len(blockKey) != blockKeyLen {
		return nil, nil, corrupt(fmt.Sprintf("line 2 must be %d hex-encoded bytes", blockKeyLen))
	}
	// The keys let anyone forge a login, so tighten a file that was copied
	// around with looser permissions.
	if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(path, 0o600); err != nil {
			return nil, nil, fmt.Errorf("auth: restrict session keys permissions: %w", err)
		}
	}
	return hashKey, blockKey, nil
}

// writeNew writes data to path only if path does not exist, without ever
// exposing a partly written file: it writes a temporary file and hard-links
// it into place, which fails with fs.ErrExist if someone else won.
func writeNew(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+KeysFile+".tmp-*")
	if err != nil {
		return fmt.Errorf("auth: write session keys: %w", err)
	}
	tmpName := tmp.Name()
	defer os.Remove(tmpName)
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("auth: write session keys: %w", err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("auth: write session keys: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("auth: write session keys: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("auth: write session keys: %w", err)
	}
	if err := os.Link(tmpName, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return err
		}
		// Some filesystems (certain network or container mounts) lack hard
		// links; a rename is still atomic, only not exclusive.
		if err := os.Rename(tmpName, path); err != nil {
			return fmt.Errorf("auth: write session keys: %w", err)
		}
	}
	return nil
}
