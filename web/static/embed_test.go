package static

import (
	"bytes"
	"io/fs"
	"testing"
)

// TestCompressedTwinsAreFresh fails when an asset changed without `go
// generate ./web/static`: each twin must be exactly what Compress makes of
// the embedded original.
func TestCompressedTwinsAreFresh(t *testing.T) {
	for _, name := range Compressible {
		src, err := fs.ReadFile(Files, name)
		if err != nil {
			t.Fatal(err)
		}
		gz, br, err := Compress(src)
		if err != nil {
			t.Fatal(err)
		}
		for ext, want := range map[string][]byte{".gz": gz, ".br": br} {
			got, err := fs.ReadFile(Files, name+ext)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s%s is stale: run go generate ./web/static", name, ext)
			}
		}
	}
}
