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
	// RecordingAddresses decides whether recording links may point at
	// loopback, private or link-local addresses: RecordingAddressesAuto
	// (only when upstream itself is on such an address, as the demo
	// simulator is), RecordingAddressesPrivate or RecordingAddressesPublic.
	RecordingAddresses string
	// AlertWebhook is a Slack-compatible webhook the live floor posts new
	// alerts to; empty: none. Its path is a secret: read like ClientSecret,
	// never printed.
	AlertWebhook string
	// MetricsToken lets a scraper read /metrics from anywhere with
	// "Authorization: Bearer <token>"; from a file (-metrics-token-file) or
	// the environment, never printed.
	MetricsToken string
	// OIDC is sign-in with an OpenID Connect provider; off when Issuer is
	// empty.
	OIDC OIDC

	// AuditCheckpointEvery is how many audit entries pass between signed
	// checkpoints of the hash chain (written to the data directory, and to
	// AuditWebhook and AuditSyslog when set).
	AuditCheckpointEvery int
	AuditWebhook         string // URL every checkpoint is POSTed to; empty: none
	AuditSyslog          string // "local" or a syslog URL (udp://host:514); empty: none
}

// OIDC configures sign-in with an OpenID Connect provider.
type OIDC struct {
	Issuer   string // the provider's issuer URL (discovery at /.well-known/openid-configuration)
	ClientID string
	// ClientSecret is read from a file (-oidc-client-secret-file) or the
	// environment; never printed.
	ClientSecret string
	// RedirectURL is where the provider sends the browser back; default
	// the public URL + /login/oidc/callback.
	RedirectURL string
	// Groups maps the provider's groups to dashboard roles, in the order
	// given; a user gets the highest role any of their groups maps to.
	Groups []GroupRole
	// GroupsClaim names the ID token claim listing the user's groups
	// ("groups").
	GroupsClaim string
	// Scopes are asked for besides openid (profile, email, groups).
	Scopes []string
	// DefaultRole is the role of a user none of whose groups is mapped:
	// "viewer", "lead", "admin", or "" to refuse them.
	DefaultRole string
}

// GroupRole is one entry of -oidc-groups: members of Group get Role.
type GroupRole struct{ Role, Group string }

// Enabled reports whether OIDC sign-in is configured.
func (o OIDC) Enabled() bool { return o.Issuer != "" }

// ParseGroups parses "lead=cc-leads,admin=cc-admins": comma-separated
// role=group pairs; a role may appear more than once.
func ParseGroups(s string) ([]GroupRole, error) {
	var out []GroupRole
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		role, group, ok := strings.Cut(part, "=")
		role, group = strings.ToLower(strings.TrimSpace(role)), strings.TrimSpace(group)
		if !ok || group == "" || (role != "viewer" && role != "lead" && role != "admin") {
			return nil, fmt.Errorf("-oidc-groups entry %q must be role=group with role viewer, lead or admin", part)
		}
		out = append(out, GroupRole{Role: role, Group: group})
	}
	return out, nil
}

// Values of Config.RecordingAddresses.
const (
	RecordingAddressesAuto    = "auto"
	RecordingAddressesPrivate = "private"
	RecordingAddressesPublic  = "public"
)

// Demo reports whether no upstream is configured, so the embedded simulator
// stands in for it.
func (c Config) Demo() bool { return c.Upstream == "" }

// String describes the configuration for logs without the secrets.
func (c Config) String() string {
	mode := "live"
	if c.Demo() {
		mode = "demo"
	}
	metrics := "unset"
	if c.MetricsToken != "" {
		metrics = "set"
	}
	sso := "off"
	if c.OIDC.Enabled() {
		sso = fmt.Sprintf("%s client=%q", c.OIDC.Issuer, c.OIDC.ClientID)
	}
	webhook := "none"
	if u, err := url.Parse(c.AuditWebhook); err == nil && c.AuditWebhook != "" {
		webhook = u.Scheme + "://" + u.Host // the path or query may hold a secret
	}
	return fmt.Sprintf("mode=%s addr=%s data=%s upstream=%q bot=%q account=%q org=%q client=%q secret=%s bot-client=%q bot-secret=%s public=%s rate=%d/min share=%d%% metrics-token=%s sso=%s audit-checkpoint-every=%d audit-webhook=%s audit-syslog=%q alert-webhook=%s recording-addresses=%s",
		mode, c.Addr, c.DataDir, c.Upstream, c.BotID, c.AccountID, c.OrgID, c.ClientID, setOrUnset(c.ClientSecret),
		c.BotClientID, setOrUnset(c.BotClientSecret), c.PublicURL, c.RateLimit, c.RateShare, metrics, sso,
		c.AuditCheckpointEvery, webhook, c.AuditSyslog, setOrUnset(c.AlertWebhook), c.RecordingAddresses)
}

func setOrUnset(secret string) string {
	if secret != "" {
		return "set"
	}
	return "unset"
}

// Environment variable names, one per flag.
const (
	EnvAddr               = "DASHBOARD_ADDR"
	EnvData               = "DASHBOARD_DATA"
	EnvUpstream           = "SMARTASSIST_URL"
	EnvBotID              = "SMARTASSIST_BOT_ID"
	EnvAccountID          = "SMARTASSIST_ACCOUNT_ID"
	EnvOrgID              = "SMARTASSIST_ORG_ID"
	EnvClientID           = "SMARTASSIST_CLIENT_ID"
	EnvClientSecret       = "SMARTASSIST_CLIENT_SECRET"
	EnvBotClientID        = "SMARTASSIST_BOT_CLIENT_ID"
	EnvBotSecret          = "SMARTASSIST_BOT_CLIENT_SECRET"
	EnvPublicURL          = "DASHBOARD_PUBLIC_URL"
	EnvRateLimit          = "SMARTASSIST_RATE_LIMIT"
	EnvRateShare          = "SMARTASSIST_RATE_SHARE"
	EnvAlertWebhook       = "DASHBOARD_ALERT_WEBHOOK"
	EnvMetricsToken       = "DASHBOARD_METRICS_TOKEN"
	EnvRecordingAddresses = "DASHBOARD_RECORDING_ADDRESSES"

	EnvOIDCIssuer       = "DASHBOARD_OIDC_ISSUER"
	EnvOIDCClientID     = "DASHBOARD_OIDC_CLIENT_ID"
	EnvOIDCClientSecret = "DASHBOARD_OIDC_CLIENT_SECRET"
	EnvOIDCRedirectURL  = "DASHBOARD_OIDC_REDIRECT_URL"
	EnvOIDCGroups       = "DASHBOARD_OIDC_GROUPS"
	EnvOIDCGroupsClaim  = "DASHBOARD_OIDC_GROUPS_CLAIM"
	EnvOIDCScopes       = "DASHBOARD_OIDC_SCOPES"
	EnvOIDCDefaultRole  = "DASHBOARD_OIDC_DEFAULT_ROLE"

	EnvAuditCheckpointEvery = "DASHBOARD_AUDIT_CHECKPOINT_EVERY"
	EnvAuditWebhook         = "DASHBOARD_AUDIT_WEBHOOK"
	EnvAuditSyslog          = "DASHBOARD_AUDIT_SYSLOG"
)

const (
	DefaultAddr      = "127.0.0.1:8080"
	DefaultDataDir   = "./data"
	DefaultRateLimit = 60
	DefaultRateShare = 80
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
	var secretFile, botSecretFile, webhookFile, rateLimit, rateShare, metricsTokenFile, oidcSecretFile, oidcGroups, oidcScopes, checkpointEvery string
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
		{"recording-addresses", EnvRecordingAddresses, "where recording links may point: auto (private addresses only when upstream is on one), private, or public (default auto)", &c.RecordingAddresses},
		{"oidc-issuer", EnvOIDCIssuer, "OpenID Connect issuer URL for single sign-on; empty turns it off", &c.OIDC.Issuer},
		{"oidc-client-id", EnvOIDCClientID, "the dashboard's client id at the OpenID Connect provider", &c.OIDC.ClientID},
		{"oidc-redirect-url", EnvOIDCRedirectURL, "where the provider sends browsers back (default <public-url>/login/oidc/callback)", &c.OIDC.RedirectURL},
		{"oidc-groups", EnvOIDCGroups, "roles from provider groups, e.g. lead=cc-leads,admin=cc-admins", &oidcGroups},
		{"oidc-scopes", EnvOIDCScopes, "scopes to ask for besides openid, comma-separated (default profile,email,groups)", &oidcScopes},
		{"oidc-groups-claim", EnvOIDCGroupsClaim, "the ID token claim listing groups (default groups)", &c.OIDC.GroupsClaim},
		{"oidc-default-role", EnvOIDCDefaultRole, "role of users in no mapped group: viewer, lead, admin or none to refuse them (default none)", &c.OIDC.DefaultRole},
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
	fs.StringVar(&botSecretFile, "bot-client-secret-file", "", "file holding the bot API app's client secret [$"+EnvBotSecret+" holds the secret itself]")
	fs.StringVar(&webhookFile, "alert-webhook-file", "", "file holding a Slack-compatible webhook URL for the live floor's alerts [$"+EnvAlertWebhook+" holds the URL itself]")
	fs.StringVar(&metricsTokenFile, "metrics-token-file", "", "file holding a bearer token that may read /metrics from anywhere [$"+EnvMetricsToken+" holds the token itself]")
	fs.StringVar(&oidcSecretFile, "oidc-client-secret-file", "", "file holding the OpenID Connect client secret [$"+EnvOIDCClientSecret+" holds the secret itself]")
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

	for _, sec := range []struct {
		flag, file, env string
		dst             *string
	}{
		{"client-secret-file", secretFile, EnvClientSecret, &c.ClientSecret},
		{"bot-client-secret-file", botSecretFile, EnvBotSecret, &c.BotClientSecret},
		{"metrics-token-file", metricsTokenFile, EnvMetricsToken, &c.MetricsToken},
		{"oidc-client-secret-file", oidcSecretFile, EnvOIDCClientSecret, &c.OIDC.ClientSecret},
		{"alert-webhook-file", webhookFile, EnvAlertWebhook, &c.AlertWebhook},
	} {
		var err error
		if *sec.dst, err = readSecret(sec.flag, sec.file, given, getenv(sec.env)); err != nil {
			return Config{}, err
		}
	}
	if c.MetricsToken != "" && len(c.MetricsToken) < 16 {
		return Config{}, fmt.Errorf("the metrics token (-metrics-token-file, %s) must be at least 16 characters", EnvMetricsToken)
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
	switch c.RecordingAddresses {
	case "":
		c.RecordingAddresses = RecordingAddressesAuto
	case RecordingAddressesAuto, RecordingAddressesPrivate, RecordingAddressesPublic:
	default:
		return Config{}, fmt.Errorf("-recording-addresses %q must be auto, private or public", c.RecordingAddresses)
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
	for _, sc := range strings.Split(oidcScopes, ",") {
		if sc = strings.TrimSpace(sc); sc != "" && sc != "openid" {
			c.OIDC.Scopes = append(c.OIDC.Scopes, sc)
		}
	}
	if err := c.validateOIDC(oidcGroups); err != nil {
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

// validateOIDC checks the single sign-on settings: all or nothing.
func (c *Config) validateOIDC(groups string) error {
	o := &c.OIDC
	if !o.Enabled() {
		if o.ClientID != "" || o.ClientSecret != "" || groups != "" || len(o.Scopes) > 0 {
			return fmt.Errorf("OpenID Connect settings given but no -oidc-issuer (%s)", EnvOIDCIssuer)
		}
		return nil
	}
	if err := checkURL("-oidc-issuer", o.Issuer); err != nil {
		return err
	}
	var missing []string
	if o.ClientID == "" {
		missing = append(missing, "-oidc-client-id ("+EnvOIDCClientID+")")
	}
	if o.ClientSecret == "" {
		missing = append(missing, "-oidc-client-secret-file ("+EnvOIDCClientSecret+")")
	}
	if len(missing) > 0 {
		return fmt.Errorf("single sign-on with -oidc-issuer %s is missing %s", o.Issuer, strings.Join(missing, ", "))
	}
	if o.RedirectURL == "" {
		o.RedirectURL = c.PublicURL + "/login/oidc/callback"
	}
	if err := checkURL("-oidc-redirect-url", o.RedirectURL); err != nil {
		return err
	}
	if o.GroupsClaim == "" {
		o.GroupsClaim = "groups"
	}
	switch strings.ToLower(o.DefaultRole) {
	case "", "none":
		o.DefaultRole = ""
	case "viewer", "lead", "admin":
		o.DefaultRole = strings.ToLower(o.DefaultRole)
	default:
		return fmt.Errorf("-oidc-default-role %q must be viewer, lead, admin or none", o.DefaultRole)
	}
	var err error
	if o.Groups, err = ParseGroups(groups); err != nil {
		return err
	}
	if len(o.Groups) == 0 && o.DefaultRole == "" {
		return errors.New("single sign-on would let nobody in: set -oidc-groups (e.g. lead=cc-leads) or -oidc-default-role")
	}
	return nil
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
