package auth

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadOrCreateKeys(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	hk, bk, err := LoadOrCreateKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(hk) != 64 || len(bk) != 32 {
		t.Fatalf("key sizes = %d, %d; want 64, 32", len(hk), len(bk))
	}
	if bytes.Equal(hk[:32], bk) || bytes.Equal(hk, make([]byte, 64)) {
		t.Error("keys do not look random")
	}
	fi, err := os.Stat(filepath.Join(dir, KeysFile))
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("keys file mode = %o, want 600", perm)
	}
	hk2, bk2, err := LoadOrCreateKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(hk, hk2) || !bytes.Equal(bk, bk2) {
		t.Error("second call returned different keys")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("data dir holds %d entries, want only %s", len(entries), KeysFile)
	}
}

func TestLoadOrCreateKeysTightensPermissions(t *testing.T) {
	dir := t.TempDir()
	if _, _, err := LoadOrCreateKeys(dir); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, KeysFile)
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadOrCreateKeys(dir); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode = %o, want 600", fi.Mode().Perm())
	}
}

func TestLoadOrCreateKeysCorrupt(t *testing.T) {
	valid := strings.Repeat("ab", 64) + "\n" + strings.Repeat("cd", 32) + "\n"
	tests := map[string]string{
		"empty":          "",
		"one line":       strings.Repeat("ab", 64),
		"not hex":        strings.Repeat("zz", 64) + "\n" + strings.Repeat("cd", 32),
		"short hash key": strings.Repeat("ab", 32) + "\n" + strings.Repeat("cd", 32),
		"short aes key":  strings.Repeat("ab", 64) + "\n" + strings.Repeat("cd", 8),
		"extra line":     valid + "ef\n",
	}
	for name, content := range tests {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, KeysFile)
			if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, _, err := LoadOrCreateKeys(dir)
			if err == nil || !strings.Contains(err.Error(), "corrupt") || !strings.Contains(err.Error(), path) {
				t.Errorf("err = %v, want a 'corrupt' error naming %s", err, path)
			}
			got, _ := os.ReadFile(path)
			if string(got) != content {
				t.Error("corrupt file was overwritten")
			}
		})
	}
	t.Run("valid handwritten", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, KeysFile), []byte(valid), 0o600); err != nil {
			t.Fatal(err)
		}
		hk, bk, err := LoadOrCreateKeys(dir)
		if err != nil || hk[0] != 0xab || bk[0] != 0xcd {
			t.Errorf("LoadOrCreateKeys = %x, %x, %v", hk[:1], bk[:1], err)
		}
	})
}
