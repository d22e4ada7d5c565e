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
	// BotClientID and BotClientSecret are an optional second API app for
	// the bot family (both or neither); without them the first app signs
	// bot calls too. The secret is read like ClientSecret.
	BotClientID     string
	BotClientSecret string
	PublicURL       string // how upstream reaches us, for callback URLs
	RateLimit       int    // upstream requests per minute (the contact-center and analytics bucket)
	RateShare       int    // percent of upstream's limits this dashboard uses, 10–100
	// AlertWebhook is a Slack-compatible webhook the live floor posts new
	// alerts to; empty: none. Its path is a secret: read like ClientSecret,
	// never printed.
	AlertWebhook string
}

// Demo reports whether no upstream is configured, so the embedded simulator
// stands in for it.
func (c Config) Demo() bool { return c.Upstream == "" }

// String describes the configuration for logs without the secrets.
func (c Config) String() string {
	mode := "live"
	if c.Demo() {
		mode = "demo"
	}
	return fmt.Sprintf("mode=%s addr=%s data=%s upstream=%q bot=%q account=%q org=%q client=%q secret=%s bot-client=%q bot-secret=%s public=%s rate=%d/min share=%d%% alert-webhook=%s",
		mode, c.Addr, c.DataDir, c.Upstream, c.BotID, c.AccountID, c.OrgID, c.ClientID, setOrUnset(c.ClientSecret),
		c.BotClientID, setOrUnset(c.BotClientSecret), c.PublicURL, c.RateLimit, c.RateShare, setOrUnset(c.AlertWebhook))
}

func setOrUnset(secret string) string {
	if secret != "" {
		return "set"
	}
	return "unset"
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
	EnvBotClientID  = "SMARTASSIST_BOT_CLIENT_ID"
	EnvBotSecret    = "SMARTASSIST_BOT_CLIENT_SECRET"
	EnvPublicURL    = "DASHBOARD_PUBLIC_URL"
	EnvRateLimit    = "SMARTASSIST_RATE_LIMIT"
	EnvRateShare    = "SMARTASSIST_RATE_SHARE"
	EnvAlertWebhook = "DASHBOARD_ALERT_WEBHOOK"
)

const (
	DefaultAddr      = "127.0.0.1:8080"
	DefaultDataDir   = "./data"
	DefaultRateLimit = 60
	DefaultRateShare = 80
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
	var secretFile, botSecretFile, webhookFile, rateLimit, rateShare string
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
		{"bot-client-id", EnvBotClientID, "optional second API app for the bot family (chat history, bot sessions, feedback): its client id", &c.BotClientID},
		{"public-url", EnvPublicURL, "how upstream reaches this dashboard, for callback URLs (default from -addr)", &c.PublicURL},
		{"rate-limit", EnvRateLimit, "upstream requests per minute (default 60)", &rateLimit},
		{"rate-share", EnvRateShare, "percent of upstream's rate limits this dashboard uses, 10-100 (default 80)", &rateShare},
	}
	for _, o := range opts {
		fs.StringVar(o.dst, o.flag, "", o.usage+" [$"+o.env+"]")
	}
	// The secret is only ever a file path on the command line, so it never
	// shows up in `ps` or shell history.
	fs.StringVar(&secretFile, "client-secret-file", "", "file holding the API app's client secret [$"+EnvClientSecret+" holds the secret itself]")
	fs.StringVar(&botSecretFile, "bot-client-secret-file", "", "file holding the bot API app's client secret [$"+EnvBotSecret+" holds the secret itself]")
	fs.StringVar(&webhookFile, "alert-webhook-file", "", "file holding a Slack-compatible webhook URL for the live floor's alerts [$"+EnvAlertWebhook+" holds the URL itself]")
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

	var err error
	if c.ClientSecret, err = readSecret("client-secret-file", secretFile, given, getenv(EnvClientSecret)); err != nil {
		return Config{}, err
	}
	if c.BotClientSecret, err = readSecret("bot-client-secret-file", botSecretFile, given, getenv(EnvBotSecret)); err != nil {
		return Config{}, err
	}
	if c.AlertWebhook, err = readSecret("alert-webhook-file", webhookFile, given, getenv(EnvAlertWebhook)); err != nil {
		return Config{}, err
	}
	if c.AlertWebhook != "" {
		// The URL is the secret: say what is wrong without echoing it.
		if u, err := url.Parse(c.AlertWebhook); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return Config{}, fmt.Errorf("-alert-webhook-file (%s) must hold an absolute http(s) URL", EnvAlertWebhook)
		}
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
	c.RateShare = DefaultRateShare
	if rateShare != "" {
		n, err := strconv.Atoi(strings.TrimSuffix(rateShare, "%"))
		if err != nil || n < 10 || n > 100 {
			return Config{}, fmt.Errorf("-rate-share %q must be a whole percentage between 10 and 100", rateShare)
		}
		c.RateShare = n
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

// readSecret reads a secret from the file its flag names when the flag was
// given, else takes the environment's value: a secret is never a plain
// flag value, so it shows up in neither `ps` nor shell history.
func readSecret(flagName, file string, given map[string]bool, fromEnv string) (string, error) {
	if !given[flagName] {
		return strings.TrimSpace(fromEnv), nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("-%s: %v", flagName, errors.Unwrap(err))
	}
	secret := strings.TrimSpace(string(b))
	if secret == "" {
		return "", fmt.Errorf("-%s %s is empty", flagName, file)
	}
	return secret, nil
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
	bot := []struct{ name, env, value string }{
		{"-bot-client-id", EnvBotClientID, c.BotClientID},
		{"-bot-client-secret-file", EnvBotSecret, c.BotClientSecret},
	}
	if c.Demo() {
		var stray []string
		for _, cr := range creds {
			if cr.value != "" {
				stray = append(stray, cr.name)
			}
		}
		for _, cr := range bot {
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
	if (c.BotClientID == "") != (c.BotClientSecret == "") {
		have, lack := bot[0], bot[1]
		if c.BotClientID == "" {
			have, lack = bot[1], bot[0]
		}
		return fmt.Errorf("%s is set but %s (%s) is missing: the bot app needs both, or neither to sign bot calls with the first app", have.name, lack.name, lack.env)
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
