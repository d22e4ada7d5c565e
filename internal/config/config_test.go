package config

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func liveEnv() map[string]string {
	return map[string]string{
		EnvUpstream:     "https://platform.kore.ai/",
		EnvBotID:        "st-3bf09bef-f979-5489-b337-f465bd5d0001",
		EnvAccountID:    "637368b4a1d039e34ba60001",
		EnvOrgID:        "o-ca23f4c5-cc3e-586d-90e6-8375bf2d0001",
		EnvClientID:     "cs-b6296994-21c9-5108-9dee-1ab3dbbd0001",
		EnvClientSecret: "s3cret-value",
	}
}

func TestParseDefaultsAreDemo(t *testing.T) {
	c, err := Parse(nil, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Demo() || c.Addr != DefaultAddr || c.DataDir != DefaultDataDir || c.RateLimit != 60 || c.RateShare != 80 ||
		c.BotClientID != "" || c.BotClientSecret != "" || c.RecordingAddresses != RecordingAddressesAuto {
		t.Fatalf("defaults: %+v", c)
	}
	if c.PublicURL != "http://127.0.0.1:8080" {
		t.Fatalf("public url %q", c.PublicURL)
	}
}

func TestParseRecordingAddresses(t *testing.T) {
	c, err := Parse([]string{"-recording-addresses", "public"}, env(map[string]string{EnvRecordingAddresses: "private"}), io.Discard)
	if err != nil || c.RecordingAddresses != RecordingAddressesPublic {
		t.Fatalf("%v %q", err, c.RecordingAddresses)
	}
	c, err = Parse(nil, env(map[string]string{EnvRecordingAddresses: "private"}), io.Discard)
	if err != nil || c.RecordingAddresses != RecordingAddressesPrivate {
		t.Fatalf("%v %q", err, c.RecordingAddresses)
	}
}

func TestParseFlagWinsOverEnv(t *testing.T) {
	e := liveEnv()
	e[EnvAddr] = "127.0.0.1:9999"
	e[EnvRateLimit] = "30"
	e[EnvRateShare] = "50"
	c, err := Parse([]string{"-addr", "0.0.0.0:7000", "-rate-limit", "120", "-bot-id", "st-flag", "-rate-share", "90"}, env(e), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "0.0.0.0:7000" || c.RateLimit != 120 || c.BotID != "st-flag" || c.RateShare != 90 {
		t.Fatalf("flags should win: %+v", c)
	}
	if c.PublicURL != "http://127.0.0.1:7000" {
		t.Fatalf("wildcard addr should map to loopback public url, got %q", c.PublicURL)
	}
	if c.Upstream != "https://platform.kore.ai" {
		t.Fatalf("trailing slash should be trimmed: %q", c.Upstream)
	}
	if c.Demo() {
		t.Fatal("upstream set means live mode")
	}
}

func TestParseAuditAnchor(t *testing.T) {
	tests := []struct {
		name        string
		args        []string
		env         map[string]string
		wantEvery   int
		wantWebhook string
		wantSyslog  string
	}{
		{"defaults", nil, nil, DefaultAuditCheckpointEvery, "", ""},
		{"from the environment", nil, map[string]string{EnvAuditCheckpointEvery: "500", EnvAuditWebhook: "https://anchor.example/in?k=hush-42", EnvAuditSyslog: "local"},
			500, "https://anchor.example/in?k=hush-42", "local"},
		{"flags win", []string{"-audit-checkpoint-every", "10", "-audit-syslog", "udp://logs:514"}, map[string]string{EnvAuditCheckpointEvery: "500", EnvAuditSyslog: "local"},
			10, "", "udp://logs:514"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse(tt.args, env(tt.env), io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			if c.AuditCheckpointEvery != tt.wantEvery || c.AuditWebhook != tt.wantWebhook || c.AuditSyslog != tt.wantSyslog {
				t.Errorf("got every %d webhook %q syslog %q", c.AuditCheckpointEvery, c.AuditWebhook, c.AuditSyslog)
			}
			if strings.Contains(c.String(), "hush-42") {
				t.Errorf("String shows the webhook's query: %s", c)
			}
		})
	}
}

func TestParseSecretFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "secret")
	if err := os.WriteFile(path, []byte("from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Parse([]string{"-client-secret-file", path}, env(liveEnv()), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.ClientSecret != "from-file" {
		t.Fatalf("secret %q", c.ClientSecret)
	}
	if strings.Contains(c.String(), "from-file") || strings.Contains(c.String(), "s3cret") {
		t.Fatalf("String leaks the secret: %s", c)
	}
}

func TestParseBotApp(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "bot-secret")
	if err := os.WriteFile(path, []byte("bot-from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name               string
		args               []string
		env                map[string]string
		wantID, wantSecret string
		wantSecretInString string
	}{
		{"none: the first app signs bot calls", nil, nil, "", "", "bot-secret=unset"},
		{"from the environment", nil, map[string]string{EnvBotClientID: "cs-bot", EnvBotSecret: "bot-env-secret"}, "cs-bot", "bot-env-secret", "bot-secret=set"},
		{"flag and secret file", []string{"-bot-client-id", "cs-flag", "-bot-client-secret-file", path},
			map[string]string{EnvBotClientID: "cs-env", EnvBotSecret: "bot-env-secret"}, "cs-flag", "bot-from-file", "bot-secret=set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := liveEnv()
			for k, v := range tt.env {
				e[k] = v
			}
			c, err := Parse(tt.args, env(e), io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			if c.BotClientID != tt.wantID || c.BotClientSecret != tt.wantSecret {
				t.Errorf("bot app = %q / %q", c.BotClientID, c.BotClientSecret)
			}
			s := c.String()
			if !strings.Contains(s, tt.wantSecretInString) || strings.Contains(s, "bot-env-secret") || strings.Contains(s, "bot-from-file") ||
				strings.Contains(s, "s3cret") || !strings.Contains(s, "share=80%") {
				t.Errorf("String = %s", s)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     func() map[string]string
		wantSub []string
	}{
		{"live missing creds", nil, func() map[string]string {
			return map[string]string{EnvUpstream: "https://x.example"}
		}, []string{"missing", "-bot-id (SMARTASSIST_BOT_ID)", "-client-secret-file (SMARTASSIST_CLIENT_SECRET)"}},
		{"live missing only secret", nil, func() map[string]string {
			e := liveEnv()
			delete(e, EnvClientSecret)
			return e
		}, []string{"missing -client-secret-file"}},
		{"creds without upstream", []string{"-bot-id", "st-1"}, func() map[string]string { return nil },
			[]string{"-bot-id given but no -upstream"}},
		{"bad upstream", nil, func() map[string]string {
			e := liveEnv()
			e[EnvUpstream] = "platform.kore.ai"
			return e
		}, []string{"-upstream", "absolute http(s) URL"}},
		{"bad bot prefix", []string{"-bot-id", "bot-1"}, liveEnv, []string{`-bot-id "bot-1" should start with "st-"`}},
		{"bad rate", []string{"-rate-limit", "lots"}, func() map[string]string { return nil }, []string{"-rate-limit"}},
		{"zero rate", nil, func() map[string]string { return map[string]string{EnvRateLimit: "0"} }, []string{"-rate-limit"}},
		{"bad addr", []string{"-addr", "8080"}, func() map[string]string { return nil }, []string{"-addr"}},
		{"missing secret file", []string{"-client-secret-file", "/nonexistent/secret"}, liveEnv, []string{"-client-secret-file"}},
		{"stray argument", []string{"extra"}, func() map[string]string { return nil }, []string{"unexpected argument"}},
		{"public url with credentials", []string{"-public-url", "http://u:p@host"}, func() map[string]string { return nil }, []string{"credentials"}},
		{"share too low", []string{"-rate-share", "5"}, func() map[string]string { return nil }, []string{"-rate-share", "between 10 and 100"}},
		{"share not a number", nil, func() map[string]string { return map[string]string{EnvRateShare: "most"} }, []string{"-rate-share"}},
		{"bot id without its secret", []string{"-bot-client-id", "cs-bot"}, liveEnv,
			[]string{"-bot-client-id is set but -bot-client-secret-file (SMARTASSIST_BOT_CLIENT_SECRET) is missing"}},
		{"bot secret without its id", nil, func() map[string]string {
			e := liveEnv()
			e[EnvBotSecret] = "s3cret-bot"
			return e
		}, []string{"-bot-client-secret-file is set but -bot-client-id (SMARTASSIST_BOT_CLIENT_ID) is missing"}},
		{"bot app without upstream", nil, func() map[string]string { return map[string]string{EnvBotClientID: "cs-bot"} },
			[]string{"-bot-client-id given but no -upstream"}},
		{"missing bot secret file", []string{"-bot-client-secret-file", "/nonexistent/bot"}, liveEnv, []string{"-bot-client-secret-file"}},
		{"bad recording addresses", nil, func() map[string]string { return map[string]string{EnvRecordingAddresses: "all"} },
			[]string{`-recording-addresses "all" must be auto, private or public`}},
		{"zero checkpoint interval", []string{"-audit-checkpoint-every", "0"}, func() map[string]string { return nil }, []string{"-audit-checkpoint-every"}},
		{"bad checkpoint interval", nil, func() map[string]string { return map[string]string{EnvAuditCheckpointEvery: "often"} }, []string{"-audit-checkpoint-every"}},
		{"relative webhook", []string{"-audit-webhook", "/hooks/audit"}, func() map[string]string { return nil }, []string{"-audit-webhook", "absolute"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.args, env(tt.env()), io.Discard)
			if err == nil {
				t.Fatal("want error")
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") {
				t.Errorf("error should be one line: %q", msg)
			}
			if strings.Contains(msg, "s3cret") {
				t.Errorf("error leaks the secret: %q", msg)
			}
			for _, s := range tt.wantSub {
				if !strings.Contains(msg, s) {
					t.Errorf("error %q does not mention %q", msg, s)
				}
			}
		})
	}
}

// The alert webhook comes from the environment or a file, like a secret:
// its URL never appears in String or in an error.
func TestParseAlertWebhook(t *testing.T) {
	const hook = "https://hooks.slack.com/services/T0/B0/secret-part"
	c, err := Parse(nil, env(map[string]string{EnvAlertWebhook: hook}), io.Discard)
	if err != nil || c.AlertWebhook != hook {
		t.Fatalf("%q %v", c.AlertWebhook, err)
	}
	if strings.Contains(c.String(), "secret-part") || !strings.Contains(c.String(), "alert-webhook=set") {
		t.Fatalf("String: %s", c)
	}
	path := filepath.Join(t.TempDir(), "hook")
	if err := os.WriteFile(path, []byte(hook+"-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err = Parse([]string{"-alert-webhook-file", path}, env(map[string]string{EnvAlertWebhook: hook}), io.Discard)
	if err != nil || c.AlertWebhook != hook+"-file" {
		t.Fatalf("the flag's file should win: %q %v", c.AlertWebhook, err)
	}
	_, err = Parse(nil, env(map[string]string{EnvAlertWebhook: "hooks.slack.com/secret-part"}), io.Discard)
	if err == nil || strings.Contains(err.Error(), "secret-part") {
		t.Fatalf("bad URL: %v", err)
	}
}

func TestParseSingleSignOnAndMetricsToken(t *testing.T) {
	dir := t.TempDir()
	secretFile := filepath.Join(dir, "oidc-secret")
	if err := os.WriteFile(secretFile, []byte("oidc-secret-value\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	base := func() map[string]string {
		return map[string]string{EnvOIDCIssuer: "https://login.example/realms/cc", EnvOIDCClientID: "dashboard",
			EnvOIDCClientSecret: "from-env", EnvOIDCGroups: "lead=cc-leads, admin=cc-admins,lead=supervisors"}
	}
	c, err := Parse([]string{"-oidc-client-secret-file", secretFile, "-public-url", "https://dash.example/"}, env(base()), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	o := c.OIDC
	want := []GroupRole{{"lead", "cc-leads"}, {"admin", "cc-admins"}, {"lead", "supervisors"}}
	if !o.Enabled() || o.ClientSecret != "oidc-secret-value" || o.RedirectURL != "https://dash.example/login/oidc/callback" ||
		o.GroupsClaim != "groups" || o.DefaultRole != "" || len(o.Groups) != 3 || o.Groups[2] != want[2] {
		t.Errorf("oidc = %+v", o)
	}
	if s := c.String(); strings.Contains(s, "oidc-secret-value") || strings.Contains(s, "from-env") {
		t.Errorf("String shows the secret: %s", s)
	}
	tok := map[string]string{EnvMetricsToken: "a-long-enough-metrics-token"}
	if c, err := Parse(nil, env(tok), io.Discard); err != nil || c.MetricsToken != tok[EnvMetricsToken] || strings.Contains(c.String(), tok[EnvMetricsToken]) {
		t.Errorf("metrics token: %v %q", err, c.String())
	}

	for name, tc := range map[string]struct {
		args []string
		env  map[string]string
		want string
	}{
		"client id missing":        {nil, map[string]string{EnvOIDCIssuer: "https://x.example", EnvOIDCClientSecret: "s", EnvOIDCDefaultRole: "viewer"}, "missing -oidc-client-id"},
		"secret missing":           {nil, map[string]string{EnvOIDCIssuer: "https://x.example", EnvOIDCClientID: "c", EnvOIDCDefaultRole: "viewer"}, "missing -oidc-client-secret-file"},
		"settings without issuer":  {nil, map[string]string{EnvOIDCClientID: "c"}, "no -oidc-issuer"},
		"bad issuer":               {[]string{"-oidc-issuer", "login.example"}, map[string]string{EnvOIDCClientID: "c", EnvOIDCClientSecret: "s"}, "-oidc-issuer"},
		"bad group entry":          {nil, map[string]string{EnvOIDCIssuer: "https://x.example", EnvOIDCClientID: "c", EnvOIDCClientSecret: "s", EnvOIDCGroups: "root=wheel"}, "role=group"},
		"bad default role":         {nil, map[string]string{EnvOIDCIssuer: "https://x.example", EnvOIDCClientID: "c", EnvOIDCClientSecret: "s", EnvOIDCDefaultRole: "owner"}, "-oidc-default-role"},
		"nobody let in":            {nil, map[string]string{EnvOIDCIssuer: "https://x.example", EnvOIDCClientID: "c", EnvOIDCClientSecret: "s"}, "let nobody in"},
		"short metrics token":      {nil, map[string]string{EnvMetricsToken: "short"}, "at least 16"},
		"empty metrics token file": {[]string{"-metrics-token-file", filepath.Join(dir, "nope")}, nil, "-metrics-token-file"},
	} {
		if _, err := Parse(tc.args, env(tc.env), io.Discard); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error with %q", name, err, tc.want)
		}
	}
}
