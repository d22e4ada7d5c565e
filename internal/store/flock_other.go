//go:build !unix

package store

import "os"

// flock is a no-op where flock(2) does not exist; Linux is the target.
func flock(*os.File) error { return nil }
