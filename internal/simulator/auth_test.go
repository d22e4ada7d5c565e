package simulator

import (
	"net/http"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func TestAuthRejects(t *testing.T) {
	e := newEnv(t, Options{Conversations: 20})
	sign := func(method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
		tok, err := jwt.NewWithClaims(method, claims).SignedString(key)
		if err != nil {
			t.Fatalf("sign: %v", err)
		}
		return tok
	}
	valid := jwt.MapClaims{"appId": e.creds.ClientID, "exp": testNow.Add(time.Minute).Unix()}
	tests := []struct {
		name    string
		headers map[string]string
		wantMsg string
	}{
		{"missing auth", map[string]string{"accountId": e.creds.AccountID}, msgInvalidJWT},
		{"garbage token", map[string]string{"auth": "not-a-jwt", "accountId": e.creds.AccountID}, msgInvalidJWT},
		{"bad signature", map[string]string{"auth": sign(jwt.SigningMethodHS256, []byte("wrong secret"), valid), "accountId": e.creds.AccountID}, msgInvalidJWT},
		{"none alg", map[string]string{"auth": sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, valid), "accountId": e.creds.AccountID}, msgInvalidJWT},
		{"HS384 not allowed", map[string]string{"auth": sign(jwt.SigningMethodHS384, []byte(e.creds.ClientSecret), valid), "accountId": e.creds.AccountID}, msgInvalidJWT},
		{"expired", map[string]string{"auth": e.token(func(c jwt.MapClaims) { c["exp"] = testNow.Add(-time.Second).Unix() }), "accountId": e.creds.AccountID}, msgInvalidJWT},
		{"wrong appId", map[string]string{"auth": e.token(func(c jwt.MapClaims) { c["appId"] = "cs-someone-else" }), "accountId": e.creds.AccountID}, msgInvalidSDKCred},
		{"missing appId", map[string]string{"auth": e.token(func(c jwt.MapClaims) { delete(c, "appId") }), "accountId": e.creds.AccountID}, msgInvalidSDKCred},
		{"wrong accountId", map[string]string{"auth": e.token(nil), "accountId": "000000000000000000000000"}, msgInvalidSDKCred},
		{"missing accountId", map[string]string{"auth": e.token(nil)}, msgInvalidSDKCred},
		{"Authorization instead of auth", map[string]string{"Authorization": "Bearer " + e.token(nil), "accountId": e.creds.AccountID}, msgInvalidJWT},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.doWith(http.MethodGet, e.url("/agent-groups"), nil, tt.headers)
			if r.status != http.StatusUnauthorized {
				t.Fatalf("status %d, want 401; body %s", r.status, r.body)
			}
			msg, code := r.errorMsg(t)
			if msg != tt.wantMsg || code != 4002 {
				t.Fatalf("envelope (%q, %d), want (%q, 4002)", msg, code, tt.wantMsg)
			}
		})
	}
}

func TestAuthAccepts(t *testing.T) {
	e := newEnv(t, Options{Conversations: 20})
	tests := []struct {
		name    string
		headers map[string]string
	}{
		{"fresh token", map[string]string{"auth": e.token(nil), "accountId": e.creds.AccountID}},
		{"lower-case accountid header", map[string]string{"auth": e.token(nil), "accountid": e.creds.AccountID}},
		{"no exp, no jti", map[string]string{"auth": e.token(func(c jwt.MapClaims) { delete(c, "exp"); delete(c, "jti") }), "accountId": e.creds.AccountID}},
		{"with sub", map[string]string{"auth": e.token(func(c jwt.MapClaims) { c["sub"] = "dashboard" }), "accountId": e.creds.AccountID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.doWith(http.MethodGet, e.url("/agent-groups"), nil, tt.headers)
			mustOK(t, r)
		})
	}
}

func TestAuthReplayedJTI(t *testing.T) {
	e := newEnv(t, Options{Conversations: 20})
	tok := e.token(func(c jwt.MapClaims) { c["exp"] = testNow.Add(2 * time.Minute).Unix() })
	headers := map[string]string{"auth": tok, "accountId": e.creds.AccountID}
	mustOK(t, e.doWith(http.MethodGet, e.url("/agent-groups"), nil, headers))

	r := e.doWith(http.MethodGet, e.url("/agent-groups"), nil, headers)
	if r.status != http.StatusUnauthorized {
		t.Fatalf("replay: status %d, want 401", r.status)
	}
	if msg, _ := r.errorMsg(t); msg != msgInvalidJWT {
		t.Fatalf("replay msg %q", msg)
	}

	// A token without jti may be reused: only jti tokens are single-use.
	noJTI := e.token(func(c jwt.MapClaims) { delete(c, "jti") })
	for range 2 {
		mustOK(t, e.doWith(http.MethodGet, e.url("/agent-groups"), nil, map[string]string{"auth": noJTI, "accountId": e.creds.AccountID}))
	}
}

func TestJTICacheForgetsExpired(t *testing.T) {
	c := newJTICache()
	if !c.remember("a", testNow.Add(time.Minute), testNow) {
		t.Fatal("first use refused")
	}
	if c.remember("a", testNow.Add(time.Minute), testNow.Add(30*time.Second)) {
		t.Fatal("replay within lifetime accepted")
	}
	if !c.remember("a", testNow.Add(3*time.Minute), testNow.Add(2*time.Minute)) {
		t.Fatal("reuse after expiry refused")
	}
}
