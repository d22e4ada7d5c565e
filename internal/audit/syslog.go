//go:build !windows && !plan9

package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"log/syslog"
	"net/url"
)

// Syslog writes every checkpoint to syslog (facility auth, severity
// notice, tag "dashboard-audit") as "checkpoint {json}".
type Syslog struct {
	w    *syslog.Writer
	name string
}

// DialSyslog connects to syslog at addr: "local" for this host's syslog
// daemon, or a URL such as udp://logs.example:514, tcp://logs.example:601
// or unixgram:///dev/log.
func DialSyslog(addr string) (*Syslog, error) {
	network, raddr := "", ""
	if addr != "local" {
		u, err := url.Parse(addr)
		if err != nil || u.Scheme == "" {
			return nil, fmt.Errorf("audit syslog %q: want \"local\" or a URL like udp://host:514", addr)
		}
		network = u.Scheme
		switch u.Scheme {
		case "udp", "tcp":
			raddr = u.Host
		case "unix", "unixgram":
			raddr = u.Path
		default:
			return nil, fmt.Errorf("audit syslog %q: the network must be udp, tcp, unix or unixgram", addr)
		}
	}
	w, err := syslog.Dial(network, raddr, syslog.LOG_AUTH|syslog.LOG_NOTICE, "dashboard-audit")
	if err != nil {
		return nil, fmt.Errorf("audit syslog %s: %w", addr, err)
	}
	return &Syslog{w: w, name: "syslog " + addr}, nil
}

// Name identifies the sink in logs.
func (s *Syslog) Name() string { return s.name }

// Publish writes cp. log/syslog reconnects by itself after a failure.
func (s *Syslog) Publish(_ context.Context, cp Checkpoint) error {
	b, err := json.Marshal(cp)
	if err != nil {
		return err
	}
	return s.w.Notice("checkpoint " + string(b))
}

// Close closes the connection.
func (s *Syslog) Close() error { return s.w.Close() }
