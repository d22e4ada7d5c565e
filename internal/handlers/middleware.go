package handlers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"runtime/debug"

	"github.com/teamlead/dashboard/internal/auth"
	"github.com/teamlead/dashboard/internal/clock"
	"github.com/teamlead/dashboard/internal/quota"
)

type ctxKey int

const (
	userKey ctxKey = iota
	sessionKey
)

// currentUser returns who is signed in; require guarantees it is set.
func currentUser(r *http.Request) *auth.User {
	u, _ := r.Context().Value(userKey).(*auth.User)
	return u
}

// currentSession returns the signed-in session, as require found it.
func currentSession(r *http.Request) (auth.SessionInfo, bool) {
	s, ok := r.Context().Value(sessionKey).(auth.SessionInfo)
	return s, ok
}

// require lets a request through only with a valid session of a user whose
// role is at least min. Anonymous GETs are sent to the sign-in page.
func (h *Handler) require(min auth.Role, next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, info, ok := h.sessionUser(w, r)
		if !ok {
			h.unauthenticated(w, r)
			return
		}
		r = r.WithContext(quota.WithUser(context.WithValue(r.Context(), sessionKey, info), user.Username))
		if !user.Role.AtLeast(min) {
			h.renderError(w, r, http.StatusForbidden, "Not allowed",
				fmt.Sprintf("This needs the %s role; you are signed in as %s.", min, user.Role), "Ask an administrator if you need more access.")
			return
		}
		if rw, ok := w.(*loggingWriter); ok {
			rw.user = user.Username
		}
		next(w, r.WithContext(contextWithUser(r, user)))
	})
}

// sessionUser resolves the session cookie to an enabled user whose sessions
// have not been revoked since the cookie was issued.
func (h *Handler) sessionUser(w http.ResponseWriter, r *http.Request) (*auth.User, auth.SessionInfo, bool) {
	info, ok := h.sessions.Current(w, r)
	if !ok {
		return nil, auth.SessionInfo{}, false
	}
	user, err := h.users.ForSession(r.Context(), info)
	if err != nil {
		if err := h.sessions.Logout(w, r); err != nil {
			h.logger.Warn("end session of a disabled user", "err", err)
		}
		return nil, auth.SessionInfo{}, false
	}
	return user, info, true
}

func (h *Handler) unauthenticated(w http.ResponseWriter, r *http.Request) {
	target := "/login"
	if r.Method == http.MethodGet && r.URL.Path != "/" {
		target += "?next=" + url.QueryEscape(r.URL.RequestURI())
	}
	if isHTMX(r) {
		// htmx would swap the login page into a fragment; make it navigate.
		w.Header().Set("HX-Redirect", target)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h.renderError(w, r, http.StatusUnauthorized, "Signed out", "Your session has ended.", "Sign in again and repeat the action.")
		return
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

func (h *Handler) crossOriginDenied(w http.ResponseWriter, r *http.Request) {
	h.logger.Warn("cross-origin request refused", "method", r.Method, "path", r.URL.Path,
		"origin", r.Header.Get("Origin"), "sec_fetch_site", r.Header.Get("Sec-Fetch-Site"))
	h.renderError(w, r, http.StatusForbidden, "Request refused",
		"This request came from another site, so it was refused to protect your account.", "Use the dashboard's own forms.")
}

// securityHeaders sets a strict CSP (no inline script or style) and the usual
// hardening headers on every response.
func securityHeaders(next http.Handler) http.Handler {
	const csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self'; " +
		"connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hdr := w.Header()
		hdr.Set("Content-Security-Policy", csp)
		hdr.Set("X-Content-Type-Options", "nosniff")
		hdr.Set("X-Frame-Options", "DENY")
		hdr.Set("Referrer-Policy", "same-origin")
		hdr.Set("Cross-Origin-Opener-Policy", "same-origin")
		hdr.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		if r.TLS != nil {
			hdr.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

// MaxHeaderBytes is how large a request's line and headers may be. The
// dashboard answers a larger one itself (limitHeaders), so the 431 carries
// the security headers; the server's own limit (net/http's
// MaxHeaderBytes) must be set well above it, and what exceeds that is
// answered by net/http without them.
const MaxHeaderBytes = 64 << 10

// limitHeaders refuses requests whose request line and headers exceed
// MaxHeaderBytes with a readable 431.
func (h *Handler) limitHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := len(r.Method) + len(r.RequestURI) + len(r.Proto) + len(r.Host) + 16
		for k, vs := range r.Header {
			for _, v := range vs {
				n += len(k) + len(v) + 4
			}
		}
		if n > MaxHeaderBytes {
			w.Header().Set("Connection", "close")
			h.renderError(w, r, http.StatusRequestHeaderFieldsTooLarge, "Request too large",
				"The request's headers are larger than the dashboard accepts.",
				"Clear this site's cookies and try again; if it keeps happening, tell an administrator.")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// StatusClientClosedRequest is how the request log and metrics record a
// request whose client went away before it was answered.
const StatusClientClosedRequest = 499

// loggingWriter records what a handler answered, for the request log.
type loggingWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
	user   string
}

func (lw *loggingWriter) WriteHeader(code int) {
	if lw.status == 0 {
		lw.status = code
	}
	lw.ResponseWriter.WriteHeader(code)
}

func (lw *loggingWriter) Write(b []byte) (int, error) {
	if lw.status == 0 {
		lw.status = http.StatusOK
	}
	n, err := lw.ResponseWriter.Write(b)
	lw.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach Flush and deadlines.
func (lw *loggingWriter) Unwrap() http.ResponseWriter { return lw.ResponseWriter }

func (h *Handler) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := clock.StartStopwatch()
		lw := &loggingWriter{ResponseWriter: w}
		next.ServeHTTP(lw, r)
		if lw.status == 0 {
			lw.status = http.StatusOK
		}
		if lw.status >= 400 && errors.Is(r.Context().Err(), context.Canceled) {
			// The client went away (or the server is shutting down): the
			// failure it caused (a cut upstream call answered 424, say)
			// is neither the dashboard's nor upstream's. Logged and
			// counted as 499, nginx's "client closed request".
			lw.status = StatusClientClosedRequest
		}
		// r.Pattern was set by the ServeMux on this same request.
		h.metrics.ObserveRequest(r.Pattern, lw.status, sw.Elapsed())
		level := slog.LevelInfo
		if lw.status >= 500 {
			level = slog.LevelError
		}
		h.logger.LogAttrs(r.Context(), level, "request",
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.Int("status", lw.status),
			slog.Int64("bytes", lw.bytes),
			slog.Duration("duration", sw.Elapsed()),
			slog.String("user", lw.user),
			slog.String("remote", clientAddr(r)),
			slog.Bool("htmx", isHTMX(r)),
		)
	})
}

// recoverPanics turns a bug into a logged 500 page instead of a dropped
// connection.
func (h *Handler) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				h.logger.Error("panic serving request", "path", r.URL.Path, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				h.renderError(w, r, http.StatusInternalServerError, "Something broke",
					"The dashboard hit an internal error; it has been logged.", "Try again; if it keeps happening, tell an administrator.")
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// clientAddr is the peer's IP. Forwarded headers are not trusted: anyone can
// set them, and throttling by them would be trivially bypassed.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func isHTMX(r *http.Request) bool { return r.Header.Get("HX-Request") == "true" }

func contextWithUser(r *http.Request, u *auth.User) context.Context {
	return context.WithValue(r.Context(), userKey, u)
}
