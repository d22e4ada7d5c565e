// Package config turns command-line flags and environment variables into one
// validated Config. A flag always wins over its environment variable.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
)

// Config is everything `dashboard serve` needs to start.
type Config struct {
	Addr      string // listen address
	DataDir   string // SQLite files and session keys
	Upstream  string // base URL of SmartAssist; empty means demo mode
	BotID     string
	AccountID string
	OrgID     string
	ClientID  string
	// ClientSecret is read from a file (-client-secret-file) or the
	// environment; it is never printed: see String.
	ClientSecret string
	PublicURL    string // how upstream reaches us, for callback URLs
	RateLimit    int    // upstream requests per minute

	// AuditCheckpointEvery is how many audit entries pass between signed
	// checkpoints of the hash chain (written to the data directory, and to
	// AuditWebhook and AuditSyslog when set).
	AuditCheckpointEvery int
	AuditWebhook         string // URL every checkpoint is POSTed to; empty: none
	AuditSyslog          string // "local" or a syslog URL (udp://host:514); empty: none
}

// Demo reports whether no upstream is configured, so the embedded simulator
// stands in for it.
func (c Config) Demo() bool { return c.Upstream == "" }

// String describes the configuration for logs without the secret.
func (c Config) String() string {
	secret := "unset"
	if c.ClientSecret != "" {
		secret = "set"
	}
	mode := "live"
	if c.Demo() {
		mode = "demo"
	}
	webhook := "none"
	if u, err := url.Parse(c.AuditWebhook); err == nil && c.AuditWebhook != "" {
		webhook = u.Scheme + "://" + u.Host // the path or query may hold a secret
	}
	return fmt.Sprintf("mode=%s addr=%s data=%s upstream=%q bot=%q account=%q org=%q client=%q secret=%s public=%s rate=%d/min audit-checkpoint-every=%d audit-webhook=%s audit-syslog=%q",
		mode, c.Addr, c.DataDir, c.Upstream, c.BotID, c.AccountID, c.OrgID, c.ClientID, secret, c.PublicURL, c.RateLimit,
		c.AuditCheckpointEvery, webhook, c.AuditSyslog)
}

// Environment variable names, one per flag.
const (
	EnvAddr         = "DASHBOARD_ADDR"
	EnvData         = "DASHBOARD_DATA"
	EnvUpstream     = "SMARTASSIST_URL"
	EnvBotID        = "SMARTASSIST_BOT_ID"
	EnvAccountID    = "SMARTASSIST_ACCOUNT_ID"
	EnvOrgID        = "SMARTASSIST_ORG_ID"
	EnvClientID     = "SMARTASSIST_CLIENT_ID"
	EnvClientSecret = "SMARTASSIST_CLIENT_SECRET"
	EnvPublicURL    = "DASHBOARD_PUBLIC_URL"
	EnvRateLimit    = "SMARTASSIST_RATE_LIMIT"

	EnvAuditCheckpointEvery = "DASHBOARD_AUDIT_CHECKPOINT_EVERY"
	EnvAuditWebhook         = "DASHBOARD_AUDIT_WEBHOOK"
	EnvAuditSyslog          = "DASHBOARD_AUDIT_SYSLOG"
)

const (
	DefaultAddr      = "127.0.0.1:8080"
	DefaultDataDir   = "./data"
	DefaultRateLimit = 60
	// DefaultAuditCheckpointEvery matches audit.DefaultCheckpointEvery.
	DefaultAuditCheckpointEvery = 100
)

// option ties a flag to its environment variable, for messages and parsing.
type option struct {
	flag, env, usage string
	dst              *string
}

// Parse reads flags from args (without the program or subcommand name) and
// falls back to getenv for every flag that was not given. The returned error
// is one line that names what is wrong. Usage text goes to output.
func Parse(args []string, getenv func(string) string, output io.Writer) (Config, error) {
	var c Config
	var secretFile, rateLimit, checkpointEvery string
	fs := flag.NewFlagSet("dashboard serve", flag.ContinueOnError)
	fs.SetOutput(output)
	opts := []option{
		{"addr", EnvAddr, "listen address (default " + DefaultAddr + ")", &c.Addr},
		{"data", EnvData, "directory for the SQLite files and session keys (default " + DefaultDataDir + ")", &c.DataDir},
		{"upstream", EnvUpstream, "SmartAssist base URL, e.g. https://platform.kore.ai; empty runs the demo simulator", &c.Upstream},
		{"bot-id", EnvBotID, "the streamId/botId (st-…)", &c.BotID},
		{"account-id", EnvAccountID, "the accountId header", &c.AccountID},
		{"org-id", EnvOrgID, "the orgId (o-…)", &c.OrgID},
		{"client-id", EnvClientID, "the API app's client id (cs-…), the JWT's appId", &c.ClientID},
		{"public-url", EnvPublicURL, "how upstream reaches this dashboard, for callback URLs (default from -addr)", &c.PublicURL},
		{"rate-limit", EnvRateLimit, "upstream requests per minute (default 60)", &rateLimit},
		{"audit-checkpoint-every", EnvAuditCheckpointEvery, "audit entries between signed checkpoints of the hash chain (default 100)", &checkpointEvery},
		{"audit-webhook", EnvAuditWebhook, "URL every audit checkpoint is POSTed to (JSON)", &c.AuditWebhook},
		{"audit-syslog", EnvAuditSyslog, `send every audit checkpoint to syslog: "local" or a URL like udp://host:514`, &c.AuditSyslog},
	}
	for _, o := range opts {
		fs.StringVar(o.dst, o.flag, "", o.usage+" [$"+o.env+"]")
	}
	// The secret is only ever a file path on the command line, so it never
	// shows up in `ps` or shell history.
	fs.StringVar(&secretFile, "client-secret-file", "", "file holding the API app's client secret [$"+EnvClientSecret+" holds the secret itself]")
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	for _, o := range opts {
		if !given[o.flag] {
			*o.dst = getenv(o.env)
		}
		*o.dst = strings.TrimSpace(*o.dst)
	}

	switch {
	case given["client-secret-file"]:
		b, err := os.ReadFile(secretFile)
		if err != nil {
			return Config{}, fmt.Errorf("-client-secret-file: %v", errors.Unwrap(err))
		}
		c.ClientSecret = strings.TrimSpace(string(b))
		if c.ClientSecret == "" {
			return Config{}, fmt.Errorf("-client-secret-file %s is empty", secretFile)
		}
	default:
		c.ClientSecret = strings.TrimSpace(getenv(EnvClientSecret))
	}

	if c.Addr == "" {
		c.Addr = DefaultAddr
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return Config{}, fmt.Errorf("-addr %q is not host:port", c.Addr)
	}
	if c.DataDir == "" {
		c.DataDir = DefaultDataDir
	}
	c.RateLimit = DefaultRateLimit
	if rateLimit != "" {
		n, err := strconv.Atoi(rateLimit)
		if err != nil || n < 1 || n > 100000 {
			return Config{}, fmt.Errorf("-rate-limit %q must be a whole number of requests per minute between 1 and 100000", rateLimit)
		}
		c.RateLimit = n
	}
	c.AuditCheckpointEvery = DefaultAuditCheckpointEvery
	if checkpointEvery != "" {
		n, err := strconv.Atoi(checkpointEvery)
		if err != nil || n < 1 || n > 1000000 {
			return Config{}, fmt.Errorf("-audit-checkpoint-every %q must be a whole number of entries between 1 and 1000000", checkpointEvery)
		}
		c.AuditCheckpointEvery = n
	}
	if c.AuditWebhook != "" {
		if err := checkURL("-audit-webhook", c.AuditWebhook); err != nil {
			return Config{}, err
		}
	}
	if c.PublicURL == "" {
		c.PublicURL = publicURLFromAddr(c.Addr)
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	if err := checkURL("-public-url", c.PublicURL); err != nil {
		return Config{}, err
	}
	if err := c.validateMode(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// validateMode checks that live mode has every credential and that demo mode
// was not given half a live configuration, which would be a silent surprise.
func (c *Config) validateMode() error {
	creds := []struct {
		name, env, value, prefix string
	}{
		{"-bot-id", EnvBotID, c.BotID, "st-"},
		{"-account-id", EnvAccountID, c.AccountID, ""},
		{"-org-id", EnvOrgID, c.OrgID, "o-"},
		{"-client-id", EnvClientID, c.ClientID, ""},
		{"-client-secret-file", EnvClientSecret, c.ClientSecret, ""},
	}
	if c.Demo() {
		var stray []string
		for _, cr := range creds {
			if cr.value != "" {
				stray = append(stray, cr.name)
			}
		}
		if len(stray) > 0 {
			return fmt.Errorf("%s given but no -upstream (%s): set the upstream URL for live mode, or unset them for demo mode", strings.Join(stray, ", "), EnvUpstream)
		}
		return nil
	}
	if err := checkURL("-upstream", c.Upstream); err != nil {
		return err
	}
	c.Upstream = strings.TrimRight(c.Upstream, "/")
	var missing []string
	for _, cr := range creds {
		if cr.value == "" {
			missing = append(missing, fmt.Sprintf("%s (%s)", cr.name, cr.env))
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("live mode with -upstream %s is missing %s", c.Upstream, strings.Join(missing, ", "))
	}
	for _, cr := range creds {
		if cr.prefix != "" && !strings.HasPrefix(cr.value, cr.prefix) {
			return fmt.Errorf("%s %q should start with %q", cr.name, cr.value, cr.prefix)
		}
	}
	return nil
}

func checkURL(name, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%s %q must be an absolute http(s) URL", name, raw)
	}
	if u.User != nil {
		return fmt.Errorf("%s must not carry credentials", name)
	}
	return nil
}

// publicURLFromAddr guesses how a local upstream reaches us: a wildcard
// listen address is reachable on loopback.
func publicURLFromAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://" + addr
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}
