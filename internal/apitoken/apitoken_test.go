package apitoken

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/teamlead/dashboard/internal/clock"
	"github.com/teamlead/dashboard/internal/store"
)

func newService(t *testing.T) (*Service, *clock.Manual, string) {
	t.Helper()
	dir := t.TempDir()
	db, err := store.Open(context.Background(), filepath.Join(dir, "dashboard.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	key, err := LoadOrCreateKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewManual(time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC))
	s, err := New(db, key, clk)
	if err != nil {
		t.Fatal(err)
	}
	return s, clk, dir
}

func TestIssueVerifyExpireRevoke(t *testing.T) {
	ctx := context.Background()
	s, clk, _ := newService(t)
	tok, raw, err := s.Issue(ctx, "auditor", "ticketing", "admin", 7)
	if err != nil {
		t.Fatal(err)
	}
	if tok.ExpiresAt.Sub(tok.CreatedAt) != 7*24*time.Hour || raw == "" || strings.Contains(raw, tok.Label) {
		t.Fatalf("issued %+v", tok)
	}
	got, err := s.Verify(ctx, raw)
	if err != nil || got.ID != tok.ID || got.Owner != "auditor" {
		t.Fatalf("verify fresh token: %+v %v", got, err)
	}

	// Expiry: valid just before, refused at and after.
	clk.Advance(7*24*time.Hour - time.Second)
	if _, err := s.Verify(ctx, raw); err != nil {
		t.Errorf("one second before expiry: %v", err)
	}
	clk.Advance(time.Second)
	if _, err := s.Verify(ctx, raw); !errors.Is(err, ErrExpired) {
		t.Errorf("at expiry: %v", err)
	}

	// Revocation takes effect at once and is recorded.
	clk.Set(tok.CreatedAt)
	tok2, raw2, err := s.Issue(ctx, "auditor", "", "admin", 30)
	if err != nil {
		t.Fatal(err)
	}
	before, err := s.Revoke(ctx, tok2.ID, "boss")
	if err != nil || !before.RevokedAt.IsZero() {
		t.Fatalf("revoke: %+v %v", before, err)
	}
	if _, err := s.Verify(ctx, raw2); !errors.Is(err, ErrRevoked) {
		t.Errorf("revoked token: %v", err)
	}
	if _, err := s.Revoke(ctx, tok2.ID, "boss"); !errors.Is(err, ErrAlreadyRevoked) {
		t.Errorf("second revoke: %v", err)
	}
	if _, err := s.Revoke(ctx, "nope", "boss"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown revoke: %v", err)
	}
	list, err := s.List(ctx)
	if err != nil || len(list) != 2 {
		t.Fatalf("list: %v %v", list, err)
	}
	statuses := map[string]string{}
	for _, l := range list {
		statuses[l.ID] = l.Status(clk.Now())
	}
	if statuses[tok.ID] != "active" || statuses[tok2.ID] != "revoked" {
		t.Errorf("statuses %v", statuses)
	}
	if r, _ := s.Get(ctx, tok2.ID); r.RevokedBy != "boss" {
		t.Errorf("revoked by %q", r.RevokedBy)
	}
}

func TestVerifyRefusesForgeries(t *testing.T) {
	ctx := context.Background()
	s, clk, _ := newService(t)
	_, raw, err := s.Issue(ctx, "auditor", "", "admin", 1)
	if err != nil {
		t.Fatal(err)
	}
	sign := func(key any, method jwt.SigningMethod, c jwt.RegisteredClaims) string {
		v, err := jwt.NewWithClaims(method, c).SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	good := jwt.RegisteredClaims{Issuer: issuer, Audience: jwt.ClaimStrings{audience}, Subject: "auditor",
		ID: "not-issued", ExpiresAt: jwt.NewNumericDate(clk.Now().Add(time.Hour))}
	parts := strings.Split(raw, ".")
	otherSubject := good
	tests := map[string]string{
		"empty":              "",
		"garbage":            "abc.def.ghi",
		"tampered payload":   parts[0] + "." + strings.TrimRight(parts[1], "A") + "B." + parts[2],
		"other key":          sign([]byte(strings.Repeat("k", 32)), jwt.SigningMethodHS256, good),
		"unissued id":        sign(s.key, jwt.SigningMethodHS256, good),
		"alg none":           sign(jwt.UnsafeAllowNoneSignatureType, jwt.SigningMethodNone, good),
		"HS512 with the key": sign(s.key, jwt.SigningMethodHS512, good),
		"no expiry":          sign(s.key, jwt.SigningMethodHS256, jwt.RegisteredClaims{Issuer: issuer, Audience: jwt.ClaimStrings{audience}, ID: "x"}),
		"wrong audience":     sign(s.key, jwt.SigningMethodHS256, jwt.RegisteredClaims{Issuer: issuer, Audience: jwt.ClaimStrings{"other"}, ID: "x", ExpiresAt: good.ExpiresAt}),
		"no issue time": func() string {
			list, _ := s.List(ctx)
			c := good
			c.ID = list[0].ID
			return sign(s.key, jwt.SigningMethodHS256, c)
		}(),
		"issued in the future": func() string {
			list, _ := s.List(ctx)
			c := good
			c.ID, c.IssuedAt = list[0].ID, jwt.NewNumericDate(clk.Now().Add(time.Hour))
			return sign(s.key, jwt.SigningMethodHS256, c)
		}(),
		"subject differs from row": func() string {
			list, _ := s.List(ctx)
			otherSubject.ID, otherSubject.Subject = list[0].ID, "admin"
			return sign(s.key, jwt.SigningMethodHS256, otherSubject)
		}(),
	}
	for name, tok := range tests {
		if _, err := s.Verify(ctx, tok); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
}

func TestIssueValidation(t *testing.T) {
	s, _, _ := newService(t)
	for _, tc := range []struct {
		label string
		days  int
		want  error
	}{
		{"", 0, ErrBadLifetime},
		{"", 366, ErrBadLifetime},
		{"bad\nlabel", 5, ErrBadLabel},
		{strings.Repeat("x", 101), 5, ErrBadLabel},
	} {
		if _, _, err := s.Issue(context.Background(), "auditor", tc.label, "admin", tc.days); !errors.Is(err, tc.want) {
			t.Errorf("%q/%d: %v, want %v", tc.label, tc.days, err, tc.want)
		}
	}
	for _, days := range []int{MinDays, MaxDays} {
		if _, _, err := s.Issue(context.Background(), "auditor", "", "admin", days); err != nil {
			t.Errorf("%d days: %v", days, err)
		}
	}
}

func TestLoadOrCreateKey(t *testing.T) {
	dir := t.TempDir()
	a, err := LoadOrCreateKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	b, err := LoadOrCreateKey(dir)
	if err != nil || string(a) != string(b) {
		t.Fatalf("key not kept: %v", err)
	}
	fi, err := os.Stat(filepath.Join(dir, KeyFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode: %v %v", fi.Mode(), err)
	}
	if err := os.WriteFile(filepath.Join(dir, KeyFile), []byte("short\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreateKey(dir); err == nil || !strings.Contains(err.Error(), "corrupt") {
		t.Errorf("corrupt key: %v", err)
	}
	if _, err := New(nil, []byte("short"), nil); err == nil {
		t.Error("short key accepted")
	}
}
