package handlers

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/teamlead/dashboard/internal/api"
	"github.com/teamlead/dashboard/internal/auth"
	"github.com/teamlead/dashboard/internal/casefile"
	"github.com/teamlead/dashboard/internal/directory"
	"github.com/teamlead/dashboard/internal/display"
	"github.com/teamlead/dashboard/internal/quota"
)

// problem is how the dashboard shows one kind of failure, on a page or in
// the token API's JSON: the HTTP status, a machine-readable code, and what
// to tell the person.
type problem struct {
	Status     int
	Code       string // the token API's error code
	Title      string
	Message    string
	Hint       string
	RetryAfter time.Duration
}

// StatusUpstreamFailed answers a request that needed upstream when
// upstream failed and the dashboard has no copy to show: 424 Failed
// Dependency. An upstream problem is never a 5xx, which is kept for the
// dashboard's own failures; rate limits are 429 with Retry-After.
const StatusUpstreamFailed = http.StatusFailedDependency

// directoryRetry is the Retry-After of a page that waits for the agent
// directory's first load.
const directoryRetry = 5 * time.Second

// explain is the one mapping from domain errors to HTTP. what names the
// thing that could not be read, e.g. "session 646af57b…" or "agent a-1…".
// Upstream failures are never a 5xx: they say whose fault it was.
func explain(err error, what string) problem {
	var ae *api.Error
	detail := err.Error()
	if errors.As(err, &ae) {
		detail = ae.Error()
	}
	switch {
	case errors.Is(err, quota.ErrExceeded):
		p := problem{Status: http.StatusTooManyRequests, Code: "too_many_lookups", Title: "Slow down",
			Message: "You have opened many conversations or agents that had to be fetched from SmartAssist in the last minute, " +
				"and each person's share of the upstream rate limit is used up for now, so " + what + " was not fetched.",
			Hint: "Wait a moment and try again; pages already fetched keep working."}
		var qe *quota.ExceededError
		if errors.As(err, &qe) {
			p.RetryAfter = qe.RetryAfter
			p.Hint = "Try again in " + humanWait(qe.RetryAfter) + "; pages already fetched keep working."
		}
		return p
	case errors.Is(err, auth.ErrNotAudited):
		return problem{Status: http.StatusServiceUnavailable, Code: "not_recorded", Title: "Not recorded",
			Message: "The audit log could not record this, so nothing was changed.",
			Hint:    "Try again; if it keeps happening, tell an administrator."}
	case errors.Is(err, casefile.ErrNotRecorded):
		return problem{Status: http.StatusServiceUnavailable, Code: "not_recorded", Title: "Not recorded",
			Message: "The audit log could not record this, so nothing is shown.",
			Hint:    "Try again; if it keeps happening, tell an administrator."}
	case errors.Is(err, api.ErrScope):
		scope := "the scope it needs"
		if ae != nil && ae.Scope != "" {
			scope = "the " + ae.Scope + " scope"
		}
		return problem{Status: StatusUpstreamFailed, Code: "upstream_scope", Title: "Upstream refused a scope",
			Message: capitalize(detail) + ", so " + what + " cannot be read from upstream, and there is no copy of it.",
			Hint:    "An administrator should add " + scope + " to the API app in SmartAssist (and publish the app), or configure the bot API app that holds it."}
	case errors.Is(err, api.ErrValidation) && ae != nil && ae.Status == http.StatusRequestedRangeNotSatisfiable:
		return problem{Status: http.StatusRequestedRangeNotSatisfiable, Code: "range_not_satisfiable", Title: "Not in the recording",
			Message: "The part of " + what + " asked for is not in it."}
	case errors.Is(err, directory.ErrLoading):
		return problem{Status: StatusUpstreamFailed, Code: "directory_loading", Title: "The agent directory is loading",
			Message: "The dashboard has no copy of the agent directory yet, so " + what + " cannot be shown: " + detail + ".",
			Hint:    "The directory keeps loading in the background; reload in a moment.", RetryAfter: directoryRetry}
	case errors.Is(err, api.ErrNotFound):
		return problem{Status: http.StatusNotFound, Code: "not_found", Title: "Not found",
			Message: "Upstream has no " + what + ", and the dashboard has no copy of it.",
			Hint:    "Check the id. Upstream forgets routing details after a while; the dashboard keeps what it has fetched once."}
	case errors.Is(err, api.ErrUnauthorized):
		return problem{Status: StatusUpstreamFailed, Code: "upstream_unauthorized", Title: "Upstream refused the credentials",
			Message: "SmartAssist did not accept the dashboard's API credentials (" + detail + "), and there is no copy of " + what + ".",
			Hint:    "An administrator should check the client id, secret, account id and the API app's scopes."}
	case errors.Is(err, api.ErrRateLimited):
		p := problem{Status: http.StatusTooManyRequests, Code: "rate_limited", Title: "Upstream is busy",
			Message: "The shared upstream rate limit is used up, and there is no copy of " + what + " yet.",
			Hint:    "Try again in a minute."}
		if ae != nil {
			p.RetryAfter = ae.RetryAfter
			p.Hint = "Try again in " + humanWait(ae.RetryAfter) + "."
		}
		return p
	case errors.Is(err, api.ErrValidation):
		return problem{Status: http.StatusBadRequest, Code: "bad_request", Title: "Not valid",
			Message: "Upstream refused the request for " + what + ": " + detail + "."}
	case errors.Is(err, api.ErrTransport), errors.Is(err, context.DeadlineExceeded):
		return problem{Status: StatusUpstreamFailed, Code: "upstream_timeout", Title: "Upstream unreachable",
			Message: "SmartAssist could not be reached (" + detail + "), and there is no copy of " + what + ".",
			Hint:    "Try again shortly; the upstream status is on the start page."}
	case errors.Is(err, api.ErrUpstream):
		return problem{Status: StatusUpstreamFailed, Code: "upstream_error", Title: "Upstream error",
			Message: "SmartAssist answered with an error (" + detail + "), and there is no copy of " + what + ".",
			Hint:    "Try again shortly."}
	}
	return problem{Status: http.StatusInternalServerError, Code: "internal", Title: "Something went wrong",
		Message: "The dashboard could not read " + what + ".",
		Hint:    "Try again; if it keeps happening, tell an administrator."}
}

// partBanner says what went wrong with one part of a case file, for the
// banner in its section: why it is missing, or how old the copy shown is
// and why it is not newer. The reason is the upstream error's own line
// ("The API app lacks the Chat History scope", "Upstream rate limit
// reached; retry in 60s"). kind is error (nothing shown) or warn (a copy is
// shown); both empty when all is well.
func partBanner(p casefile.Part) (msg, kind string) {
	switch {
	case p.NotApplicable != "":
		return "", ""
	case p.Err != nil:
		return "The " + strings.ToLower(p.Title) + " could not be read: " + partReason(p.Err) + ". There is no copy of it yet; the rest of the conversation is shown.", "error"
	case p.RefreshErr != nil:
		return "Showing the " + strings.ToLower(p.Title) + " fetched " + display.Duration(p.Age) + " ago: it could not be refreshed (" + partReason(p.RefreshErr) + ").", "warn"
	}
	return "", ""
}

// partReason is one line saying why a part could not be read.
func partReason(err error) string {
	var ae *api.Error
	switch {
	case errors.As(err, &ae):
		return capitalize(ae.Error())
	case errors.Is(err, quota.ErrExceeded):
		return capitalize(err.Error()) + " (your share of the upstream rate limit)"
	case errors.Is(err, context.DeadlineExceeded):
		return "Upstream did not answer in time"
	}
	return "The dashboard could not read it"
}

// renderProblem shows err as an error page.
func (h *Handler) renderProblem(w http.ResponseWriter, r *http.Request, what string, err error) {
	p := explain(err, what)
	if p.Status == http.StatusInternalServerError && r.Context().Err() == nil {
		h.logger.Error("request failed", "path", r.URL.Path, "what", what, "err", err)
	}
	if p.RetryAfter > 0 {
		setRetryAfter(w, p.RetryAfter)
	}
	h.renderError(w, r, p.Status, p.Title, p.Message, p.Hint)
}
