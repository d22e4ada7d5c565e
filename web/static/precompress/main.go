// Command precompress writes a gzip (.gz) and a brotli (.br) twin beside
// each text asset of web/static, at the highest levels, once at build time
// (`go generate ./web/static`), so the server never compresses a static file
// per request. The output is deterministic: the same input gives the same
// bytes, and a test in web/static checks the twins are fresh.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/teamlead/dashboard/web/static"
)

func main() {
	dir := "."
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	for _, name := range static.Compressible {
		src, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			fail(err)
		}
		gz, br, err := static.Compress(src)
		if err != nil {
			fail(err)
		}
		for ext, b := range map[string][]byte{".gz": gz, ".br": br} {
			if err := os.WriteFile(filepath.Join(dir, name+ext), b, 0o644); err != nil {
				fail(err)
			}
		}
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "precompress:", err)
	os.Exit(1)
}
