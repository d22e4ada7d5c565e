package simulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

const contentTypeJSON = "application/json; charset=utf-8"

// Error codes in the envelope. Upstream documents only 4002 (credentials);
// the others reuse the HTTP status so clients can still tell them apart.
const (
	codeNotFound   = 404
	codeValidation = 412
)

type apiError struct {
	Msg  string `json:"msg"`
	Code int    `json:"code"`
}

type errorEnvelope struct {
	Errors []apiError `json:"errors"`
}

// encodeJSON encodes like upstream's Node service: no HTML escaping.
func encodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func writeRaw(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", contentTypeJSON)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := encodeJSON(v)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "Could not encode the response", 500)
		return
	}
	writeRaw(w, status, body)
}

func writeError(w http.ResponseWriter, status int, msg string, code int) {
	body, _ := encodeJSON(errorEnvelope{Errors: []apiError{{Msg: msg, Code: code}}}) // always encodes
	writeRaw(w, status, body)
}

func notFound(w http.ResponseWriter, format string, args ...any) {
	writeError(w, http.StatusNotFound, fmt.Sprintf(format, args...), codeNotFound)
}

func invalid(w http.ResponseWriter, format string, args ...any) {
	writeError(w, http.StatusPreconditionFailed, fmt.Sprintf(format, args...), codeValidation)
}

// skipPage is the skip/limit pagination envelope.
type skipPage struct {
	Results      any  `json:"results"`
	Skip         int  `json:"skip"`
	Limit        int  `json:"limit"`
	HasMore      bool `json:"hasMore"`
	TotalPages   int  `json:"totalPages"`
	TotalResults int  `json:"totalResults"`
}

// numberedPage is the page/limit pagination envelope.
type numberedPage struct {
	Results      any  `json:"results"`
	Page         int  `json:"page"`
	Limit        int  `json:"limit"`
	HasMore      bool `json:"hasMore"`
	TotalPages   int  `json:"totalPages"`
	TotalResults int  `json:"totalResults"`
}

const (
	defaultLimit = 10
	maxLimit     = 100
)

// intParam parses an optional non-negative integer query parameter.
func intParam(q url.Values, name string, def, minimum int) (int, error) {
	raw := q.Get(name)
	if raw == "" {
		return def, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < minimum {
		return 0, fmt.Errorf("%s must be an integer ≥ %d, got %q", name, minimum, raw)
	}
	return n, nil
}

// limitParam parses `limit`: default 10, at least 1, capped at 100.
func limitParam(q url.Values) (int, error) {
	n, err := intParam(q, "limit", defaultLimit, 1)
	return min(n, maxLimit), err
}

// window returns the bounds of items [skip, skip+limit) within total.
func window(total, skip, limit int) (lo, hi int) {
	lo = min(skip, total)
	hi = min(lo+limit, total)
	return lo, hi
}

func totalPages(total, limit int) int {
	return (total + limit - 1) / limit
}

// paginateSkip slices items by skip/limit into the skip envelope.
func paginateSkip[T any](items []T, skip, limit int) skipPage {
	lo, hi := window(len(items), skip, limit)
	return skipPage{
		Results: nonNil(items[lo:hi]), Skip: skip, Limit: limit, HasMore: hi < len(items),
		TotalPages: totalPages(len(items), limit), TotalResults: len(items),
	}
}

// paginatePage slices items by a 1-based page into the page envelope.
func paginatePage[T any](items []T, page, limit int) numberedPage {
	skip := len(items) // a page far past the end (and no overflow on huge pages)
	if page-1 <= len(items)/limit {
		skip = (page - 1) * limit
	}
	lo, hi := window(len(items), skip, limit)
	return numberedPage{
		Results: nonNil(items[lo:hi]), Page: page, Limit: limit, HasMore: hi < len(items),
		TotalPages: totalPages(len(items), limit), TotalResults: len(items),
	}
}

// pageParams parses page (1-based) and limit.
func pageParams(q url.Values) (page, limit int, err error) {
	if page, err = intParam(q, "page", 1, 1); err != nil {
		return 0, 0, err
	}
	limit, err = limitParam(q)
	return page, limit, err
}

// skipParams parses skip and limit.
func skipParams(q url.Values) (skip, limit int, err error) {
	if skip, err = intParam(q, "skip", 0, 0); err != nil {
		return 0, 0, err
	}
	limit, err = limitParam(q)
	return skip, limit, err
}

// nonNil keeps empty result lists encoding as [] rather than null.
func nonNil[T any](items []T) []T {
	if items == nil {
		return []T{}
	}
	return items
}
