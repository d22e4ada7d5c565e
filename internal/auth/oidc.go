package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/gorilla/securecookie"
	"golang.org/x/oauth2"
)

// OIDCConfig configures sign-in with an OpenID Connect provider.
type OIDCConfig struct {
	Issuer       string
	ClientID     string
	ClientSecret string
	RedirectURL  string   // this dashboard's callback, …/login/oidc/callback
	Scopes       []string // besides "openid"; default profile, email, groups
	// Groups maps provider groups to roles; a user gets the highest role
	// any of their groups maps to, else DefaultRole (0: refused).
	Groups      []GroupRole
	GroupsClaim string // the ID token claim listing groups; default "groups"
	DefaultRole Role
	// SecureCookie marks the sign-in state cookie Secure even on plain
	// HTTP, as SessionConfig.SecureAlways does for the session cookie.
	SecureCookie bool
	// HTTPClient reaches the provider; nil: http.DefaultClient.
	HTTPClient *http.Client
}

// GroupRole is one mapping: members of Group get Role.
type GroupRole struct {
	Role  Role
	Group string
}

// Errors of the OIDC sign-in. Their messages can be shown on the sign-in
// page as they are.
var (
	ErrOIDCState    = errors.New("the single sign-on answer does not belong to a sign-in started here (or it took too long); start again")
	ErrOIDCDenied   = errors.New("the identity provider did not sign you in")
	ErrOIDCNoRole   = errors.New("your account at the identity provider is in none of the groups that may use the dashboard; ask an administrator")
	ErrOIDCUsername = fmt.Errorf("the identity provider gave no usable username (preferred_username or email; %v)", ErrInvalidUsername)
	ErrOIDCTaken    = errors.New("that username belongs to another single sign-on identity; ask an administrator")
)

// Identity is who the provider vouched for.
type Identity struct {
	Issuer, Subject string
	Username        string // from preferred_username, else email
	Email           string
	Groups          []string
	Role            Role // from the groups mapping
}

// stateCookie carries a sign-in in progress from Begin to Complete; it is
// authenticated and encrypted with the session keys.
const (
	stateCookie = "dashboard_oidc"
	statePath   = "/login/oidc"
	stateMaxAge = 10 * time.Minute
)

type pending struct {
	State, Nonce, Verifier, Next string
}

// OIDC signs people in with an OpenID Connect provider (go-oidc for
// discovery and ID token verification, x/oauth2 for the code exchange):
// authorization code flow with PKCE (S256), a random state and nonce kept
// in an encrypted cookie, and the role from the token's groups claim. The
// provider is discovered on first use, so a provider that is down does not
// stop the dashboard from starting. The zero OIDCConfig (no Issuer) makes
// a disabled OIDC. Token times are the provider's, so they are checked
// against the wall clock (go-oidc's default), not the dashboard's.
type OIDC struct {
	cfg    OIDCConfig
	cookie *securecookie.SecureCookie

	mu       sync.Mutex
	provider *oidc.Provider
}

// NewOIDC returns the single sign-on for cfg, keeping its state cookie
// with the session keys (LoadOrCreateKeys).
func NewOIDC(cfg OIDCConfig, hashKey, blockKey []byte) *OIDC {
	if cfg.GroupsClaim == "" {
		cfg.GroupsClaim = "groups"
	}
	if len(cfg.Scopes) == 0 {
		cfg.Scopes = []string{"profile", "email", "groups"}
	}
	sc := securecookie.New(hashKey, blockKey)
	sc.MaxAge(int(stateMaxAge / time.Second))
	return &OIDC{cfg: cfg, cookie: sc}
}

// Enabled reports whether single sign-on is configured.
func (o *OIDC) Enabled() bool { return o != nil && o.cfg.Issuer != "" }

func (o *OIDC) ctx(ctx context.Context) context.Context {
	if o.cfg.HTTPClient != nil {
		return oidc.ClientContext(ctx, o.cfg.HTTPClient)
	}
	return ctx
}

// discover returns the provider, fetching its discovery document once.
func (o *OIDC) discover(ctx context.Context) (*oidc.Provider, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.provider != nil {
		return o.provider, nil
	}
	// The provider keeps the context for fetching its keys later: it must
	// outlive this request.
	p, err := oidc.NewProvider(o.ctx(context.WithoutCancel(ctx)), o.cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("auth: single sign-on provider %s: %w", o.cfg.Issuer, err)
	}
	o.provider = p
	return p, nil
}

func (o *OIDC) oauth(p *oidc.Provider) *oauth2.Config {
	return &oauth2.Config{
		ClientID: o.cfg.ClientID, ClientSecret: o.cfg.ClientSecret, RedirectURL: o.cfg.RedirectURL,
		Endpoint: p.Endpoint(), Scopes: append([]string{oidc.ScopeOpenID}, o.cfg.Scopes...),
	}
}

func random() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func (o *OIDC) cookieOptions(r *http.Request, maxAge int) *http.Cookie {
	return &http.Cookie{Name: stateCookie, Path: statePath, MaxAge: maxAge, HttpOnly: true,
		Secure: o.cfg.SecureCookie || r.TLS != nil, SameSite: http.SameSiteLaxMode}
}

// Begin starts a sign-in that returns to next (a local path the caller
// checked): it sets the state cookie and returns the provider's URL to
// send the browser to.
func (o *OIDC) Begin(w http.ResponseWriter, r *http.Request, next string) (string, error) {
	p, err := o.discover(r.Context())
	if err != nil {
		return "", err
	}
	var st pending
	if st.State, err = random(); err != nil {
		return "", err
	}
	if st.Nonce, err = random(); err != nil {
		return "", err
	}
	st.Verifier, st.Next = oauth2.GenerateVerifier(), next
	enc, err := o.cookie.Encode(stateCookie, st)
	if err != nil {
		return "", fmt.Errorf("auth: single sign-on state: %w", err)
	}
	c := o.cookieOptions(r, int(stateMaxAge/time.Second))
	c.Value = enc
	http.SetCookie(w, c)
	return o.oauth(p).AuthCodeURL(st.State, oidc.Nonce(st.Nonce), oauth2.S256ChallengeOption(st.Verifier)), nil
}

// Complete finishes a sign-in on the callback request: it checks the state
// against the cookie (which it clears), exchanges the code with the PKCE
// verifier, verifies the ID token (signature, issuer, audience, expiry,
// nonce) and maps its groups to a role. It returns who signed in and the
// path the sign-in was to return to.
func (o *OIDC) Complete(w http.ResponseWriter, r *http.Request) (Identity, string, error) {
	var st pending
	c, err := r.Cookie(stateCookie)
	if err != nil || o.cookie.Decode(stateCookie, c.Value, &st) != nil || st.State == "" {
		return Identity{}, "", ErrOIDCState
	}
	http.SetCookie(w, o.cookieOptions(r, -1))
	q := r.URL.Query()
	if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(st.State)) != 1 {
		return Identity{}, st.Next, ErrOIDCState
	}
	if e := q.Get("error"); e != "" {
		return Identity{}, st.Next, fmt.Errorf("%w (%s)", ErrOIDCDenied, e)
	}
	code := q.Get("code")
	if code == "" {
		return Identity{}, st.Next, ErrOIDCDenied
	}
	p, err := o.discover(r.Context())
	if err != nil {
		return Identity{}, st.Next, err
	}
	ctx := o.ctx(r.Context())
	tok, err := o.oauth(p).Exchange(ctx, code, oauth2.VerifierOption(st.Verifier))
	if err != nil {
		return Identity{}, st.Next, fmt.Errorf("%w: code exchange: %v", ErrOIDCDenied, err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return Identity{}, st.Next, fmt.Errorf("%w: no ID token", ErrOIDCDenied)
	}
	idt, err := p.Verifier(&oidc.Config{ClientID: o.cfg.ClientID}).Verify(ctx, raw)
	if err != nil {
		return Identity{}, st.Next, fmt.Errorf("%w: %v", ErrOIDCDenied, err)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(st.Nonce)) != 1 {
		return Identity{}, st.Next, fmt.Errorf("%w: nonce mismatch", ErrOIDCDenied)
	}
	id, err := o.identity(idt)
	return id, st.Next, err
}

// identity reads who the token names and what role their groups give.
func (o *OIDC) identity(idt *oidc.IDToken) (Identity, error) {
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return Identity{}, fmt.Errorf("%w: %v", ErrOIDCDenied, err)
	}
	str := func(k string) string { s, _ := claims[k].(string); return strings.TrimSpace(s) }
	id := Identity{Issuer: idt.Issuer, Subject: idt.Subject, Email: str("email"), Groups: groupsOf(claims[o.cfg.GroupsClaim])}
	for _, cand := range []string{str("preferred_username"), id.Email} {
		if ValidateUsername(cand) == nil {
			id.Username = cand
			break
		}
	}
	if id.Username == "" {
		return id, ErrOIDCUsername
	}
	id.Role = o.cfg.DefaultRole
	for _, gr := range o.cfg.Groups {
		for _, g := range id.Groups {
			if g == gr.Group && gr.Role > id.Role {
				id.Role = gr.Role
			}
		}
	}
	if !id.Role.Valid() {
		return id, ErrOIDCNoRole
	}
	return id, nil
}

// groupsOf reads a groups claim: a list of strings, or one string.
func groupsOf(v any) []string {
	switch g := v.(type) {
	case string:
		return []string{g}
	case []any:
		var out []string
		for _, x := range g {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}
