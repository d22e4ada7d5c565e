//go:build windows || plan9

package audit

import (
	"context"
	"errors"
)

// Syslog is unavailable on this platform.
type Syslog struct{}

// DialSyslog fails: there is no syslog here.
func DialSyslog(string) (*Syslog, error) {
	return nil, errors.New("audit syslog: not supported on this platform")
}

// Name identifies the sink.
func (*Syslog) Name() string { return "syslog" }

// Publish fails.
func (*Syslog) Publish(context.Context, Checkpoint) error { return errors.New("syslog unsupported") }

// Close does nothing.
func (*Syslog) Close() error { return nil }
