package auth

import (
	"errors"
	"testing"
)

func TestParseRole(t *testing.T) {
	tests := []struct {
		in      string
		want    Role
		wantErr bool
	}{
		{"viewer", RoleViewer, false},
		{"lead", RoleLead, false},
		{"admin", RoleAdmin, false},
		{" Admin ", RoleAdmin, false},
		{"", 0, true},
		{"root", 0, true},
		{"administrator", 0, true},
	}
	for _, tt := range tests {
		got, err := ParseRole(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseRole(%q) = %v, %v; want %v, err=%v", tt.in, got, err, tt.want, tt.wantErr)
		}
		if tt.wantErr && !errors.Is(err, ErrInvalidRole) {
			t.Errorf("ParseRole(%q) error = %v, want ErrInvalidRole", tt.in, err)
		}
	}
}

func TestRoleStringRoundTrip(t *testing.T) {
	for _, r := range []Role{RoleViewer, RoleLead, RoleAdmin} {
		got, err := ParseRole(r.String())
		if err != nil || got != r {
			t.Errorf("ParseRole(%v.String()) = %v, %v", r, got, err)
		}
	}
	if s := Role(0).String(); s != "Role(0)" {
		t.Errorf("Role(0).String() = %q", s)
	}
}

func TestRoleAtLeast(t *testing.T) {
	roles := []Role{RoleViewer, RoleLead, RoleAdmin}
	for i, r := range roles {
		for j, min := range roles {
			if got, want := r.AtLeast(min), i >= j; got != want {
				t.Errorf("%v.AtLeast(%v) = %v, want %v", r, min, got, want)
			}
		}
	}
	for _, bad := range []Role{0, -1, 4} {
		if bad.AtLeast(RoleViewer) {
			t.Errorf("invalid %v.AtLeast(viewer) = true", bad)
		}
		if RoleAdmin.AtLeast(bad) {
			t.Errorf("admin.AtLeast(invalid %v) = true", bad)
		}
	}
}
