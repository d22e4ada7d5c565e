package secretfile

import (
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

func TestLoadOrCreate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "secret")
	calls := 0
	gen := func() ([]byte, error) { calls++; return []byte("s3cret\n"), nil }
	first, err := LoadOrCreate(path, gen)
	if err != nil || string(first) != "s3cret\n" {
		t.Fatalf("create: %q %v", first, err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v %v", fi.Mode(), err)
	}
	again, err := LoadOrCreate(path, gen)
	if err != nil || string(again) != "s3cret\n" || calls != 1 {
		t.Fatalf("reuse: %q %v, generated %d times", again, err, calls)
	}
	// A copy with loose permissions is tightened.
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreate(path, gen); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("not tightened: %v", fi.Mode())
	}
	// A failing generator writes nothing.
	other := filepath.Join(t.TempDir(), "x")
	if _, err := LoadOrCreate(other, func() ([]byte, error) { return nil, errors.New("no entropy") }); err == nil {
		t.Error("generator error swallowed")
	}
	if _, err := os.Stat(other); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("file left behind: %v", err)
	}
}

func TestConcurrentCreatorsAgree(t *testing.T) {
	path := filepath.Join(t.TempDir(), "secret")
	var wg sync.WaitGroup
	got := make([]string, 8)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b, err := LoadOrCreate(path, func() ([]byte, error) { return []byte{byte('a' + i)}, nil })
			if err != nil {
				t.Error(err)
			}
			got[i] = string(b)
		}()
	}
	wg.Wait()
	for _, g := range got {
		if g != got[0] {
			t.Fatalf("callers disagree: %q", got)
		}
	}
}
