// Package auth manages dashboard accounts: users and their password hashes,
// roles, failed-login throttling and cookie-based login sessions.
package auth

import (
	"errors"
	"fmt"
	"strings"

	"github.com/teamlead/dashboard/internal/privacy"
)

// Role is what a user may do. Roles are ordered: each includes the ones
// below it. The zero value is not a role, so a forgotten assignment grants
// nothing.
type Role int

const (
	RoleViewer Role = iota + 1 // read-only dashboards
	RoleLead                   // may act on the contact center (e.g. transfers)
	RoleAdmin                  // may also manage users
)

// ErrInvalidRole is returned by ParseRole for anything but viewer, lead or admin.
var ErrInvalidRole = errors.New("role must be viewer, lead or admin")

// ParseRole parses a role name as stored in the database ("viewer", "lead",
// "admin"), ignoring case and surrounding space.
func ParseRole(s string) (Role, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "viewer":
		return RoleViewer, nil
	case "lead":
		return RoleLead, nil
	case "admin":
		return RoleAdmin, nil
	}
	return 0, ErrInvalidRole
}

// String returns the stored name of the role.
func (r Role) String() string {
	switch r {
	case RoleViewer:
		return "viewer"
	case RoleLead:
		return "lead"
	case RoleAdmin:
		return "admin"
	}
	return fmt.Sprintf("Role(%d)", int(r))
}

// Valid reports whether r is one of the defined roles.
func (r Role) Valid() bool { return r >= RoleViewer && r <= RoleAdmin }

// AtLeast reports whether r grants everything min grants. An invalid role
// never does.
func (r Role) AtLeast(min Role) bool { return r.Valid() && min.Valid() && r >= min }

// Privacy is the masking policy for what this role reads: viewers see
// customers' contact details masked, leads and admins in full.
func (r Role) Privacy() privacy.Policy {
	if r.AtLeast(RoleLead) {
		return privacy.Full
	}
	return privacy.Masked
}
