package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/teamlead/dashboard/internal/clock"
)

// DefaultMaxMediaBytes bounds one recording fetched with FetchMedia.
const DefaultMaxMediaBytes = 256 << 20

// maxMediaRedirects bounds the redirects a media host may answer with.
const maxMediaRedirects = 5

// WithMaxMediaBytes bounds a recording fetched with FetchMedia (default
// 256 MiB).
func WithMaxMediaBytes(n int64) Option {
	return func(c *Client) {
		if n <= 0 {
			c.optionErrors = append(c.optionErrors, "max media bytes must be positive")
			return
		}
		c.maxMedia = n
	}
}

// Media is a recording being streamed from its media host. Close it.
type Media struct {
	// Body yields at most the client's media limit; past it a read fails
	// with an ErrUpstream *Error. Closing it ends the download.
	Body        io.ReadCloser
	ContentType string // as the media host sent it; "application/octet-stream" when it sent none
	Length      int64  // -1 when the host did not say
	// Status is 200, or 206 when a range was asked for and the host sent
	// only that range (ContentRange says which).
	Status       int
	ContentRange string
	AcceptRanges string // the host's Accept-Ranges, e.g. "bytes"
	LastModified string
}

var errMediaRedirect = errors.New("media host redirected to a URL that is not http(s)")

// FetchMedia starts downloading a recording's signed URL (a fileUrl from
// Recordings) so the dashboard can stream it on. The URL is a third-party
// media host's, signed and expiring: it is fetched without the JWT or any
// upstream header, spends no rate budget, and is never logged (its query
// is the signature). Only http(s) URLs are fetched and only redirects to
// http(s) followed. The per-attempt timeout bounds the wait for the
// response headers; the body is bounded by ctx and the media limit.
//
// An expired or refused link (401, 403, 404, 410) is ErrNotFound: fetch
// the recording again for a fresh link.
func (c *Client) FetchMedia(ctx context.Context, fileURL string) (*Media, error) {
	return c.FetchMediaRange(ctx, fileURL, "")
}

// maxRangeHeader bounds a Range header passed on to a media host.
const maxRangeHeader = 200

// FetchMediaRange is FetchMedia for part of a recording: rng is an HTTP
// Range header value ("bytes=0-1023"), passed to the media host as it is;
// "" fetches the whole recording. A host that ignores the range answers the
// whole recording (Status 200); one that cannot satisfy it is an
// ErrValidation *Error with Status 416. A range that is not "bytes=…" is
// refused before anything is sent.
//
// The connection is subject to the client's media address guard (see
// WithMediaPrivateAddresses).
func (c *Client) FetchMediaRange(ctx context.Context, fileURL, rng string) (*Media, error) {
	const endpoint = "recordings.media"
	if rng != "" && (!strings.HasPrefix(rng, "bytes=") || len(rng) > maxRangeHeader || strings.ContainsAny(rng, "\r\n")) {
		return nil, validationError(endpoint, "range must be bytes=…")
	}
	u, err := url.Parse(fileURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, validationError(endpoint, "recording URL must be an absolute http(s) URL")
	}
	if u.User != nil {
		return nil, validationError(endpoint, "recording URL must not carry credentials")
	}
	sw := clock.StartStopwatch()
	m, e := c.fetchMedia(ctx, u, rng)
	if c.observer != nil {
		if e != nil {
			c.observer(endpoint, http.MethodGet, Outcome(e), sw.Elapsed())
		} else {
			c.observer(endpoint, http.MethodGet, Outcome(nil), sw.Elapsed())
		}
	}
	if e != nil {
		e.Endpoint, e.Method = endpoint, http.MethodGet
		c.logger.LogAttrs(ctx, slog.LevelInfo, "recording media fetch failed",
			slog.String("host", u.Host), slog.Int("status", e.Status), slog.String("error", e.Error()))
		return nil, e
	}
	return m, nil
}

func (c *Client) fetchMedia(ctx context.Context, u *url.URL, rng string) (*Media, *Error) {
	// The request lives as long as the body is read; the timeout covers
	// only the wait for the headers.
	rctx, cancel := context.WithCancel(ctx)
	headers := time.AfterFunc(c.timeout, cancel)
	hr, err := http.NewRequestWithContext(rctx, http.MethodGet, u.String(), nil)
	if err != nil {
		headers.Stop()
		cancel()
		return nil, &Error{Kind: ErrValidation, Messages: []string{"could not build the request"}, Err: err}
	}
	hr.Header.Set("User-Agent", c.userAgent)
	if rng != "" {
		hr.Header.Set("Range", rng)
	}
	hc := *c.mediaClient
	hc.Jar = nil // no cookies to or from the media host
	hc.CheckRedirect = func(r *http.Request, via []*http.Request) error {
		if r.URL.Scheme != "http" && r.URL.Scheme != "https" {
			return errMediaRedirect
		}
		if len(via) >= maxMediaRedirects {
			return fmt.Errorf("media host redirected more than %d times", maxMediaRedirects)
		}
		return nil
	}
	resp, err := hc.Do(hr)
	stoppedInTime := headers.Stop()
	if err != nil {
		cancel()
		switch {
		case errors.Is(err, errMediaRedirect):
			return nil, &Error{Kind: ErrUpstream, Messages: []string{errMediaRedirect.Error()}}
		case errors.Is(err, ErrMediaAddress):
			return nil, &Error{Kind: ErrUpstream, Err: ErrMediaAddress, Messages: []string{mediaAddressMessage(err)}}
		case !stoppedInTime && ctx.Err() == nil:
			return nil, &Error{Kind: ErrTransport, Err: fmt.Errorf("no answer within %s: %w", c.timeout, context.DeadlineExceeded)}
		case ctx.Err() != nil:
			return nil, &Error{Kind: ErrTransport, Err: ctx.Err()}
		}
		var ue *url.Error
		if errors.As(err, &ue) && ue.Err != nil {
			err = ue.Err // *url.Error repeats the signed URL
		}
		return nil, &Error{Kind: ErrTransport, Err: err}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		_ = resp.Body.Close()
		cancel()
		switch resp.StatusCode {
		case http.StatusRequestedRangeNotSatisfiable:
			return nil, &Error{Kind: ErrValidation, Status: resp.StatusCode, Messages: []string{"the range asked for is not in the recording"}}
		case http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusGone:
			return nil, &Error{Kind: ErrNotFound, Status: resp.StatusCode,
				Messages: []string{"the recording link expired or was refused; fetch the recording again"}}
		}
		kind := kindForStatus(resp.StatusCode, 0)
		if kind == ErrUnauthorized || kind == ErrNotFound {
			kind = ErrUpstream
		}
		return nil, &Error{Kind: kind, Status: resp.StatusCode}
	}
	if resp.ContentLength > c.maxMedia {
		_ = resp.Body.Close()
		cancel()
		return nil, &Error{Kind: ErrUpstream, Status: resp.StatusCode,
			Messages: []string{fmt.Sprintf("recording too large (%d bytes, the limit is %d)", resp.ContentLength, c.maxMedia)}}
	}
	ct := strings.TrimSpace(resp.Header.Get("Content-Type"))
	if ct == "" {
		ct = "application/octet-stream"
	}
	status := http.StatusOK
	if resp.StatusCode == http.StatusPartialContent && rng != "" {
		status = http.StatusPartialContent
	}
	return &Media{
		Body:         &mediaBody{body: resp.Body, left: c.maxMedia, limit: c.maxMedia, cancel: cancel},
		ContentType:  ct,
		Length:       resp.ContentLength,
		Status:       status,
		ContentRange: resp.Header.Get("Content-Range"),
		AcceptRanges: resp.Header.Get("Accept-Ranges"),
		LastModified: resp.Header.Get("Last-Modified"),
	}, nil
}

// mediaBody stops a download at the media limit and releases the request
// on Close.
type mediaBody struct {
	body   io.ReadCloser
	left   int64
	limit  int64
	cancel context.CancelFunc
	once   sync.Once
}

func (m *mediaBody) Read(p []byte) (int, error) {
	if m.left <= 0 {
		// One byte more tells a body of exactly the limit from a longer one.
		var one [1]byte
		n, err := m.body.Read(one[:])
		switch {
		case n > 0:
			return 0, &Error{Kind: ErrUpstream, Endpoint: "recordings.media", Method: http.MethodGet,
				Messages: []string{fmt.Sprintf("recording larger than the limit of %d bytes", m.limit)}}
		case err == nil:
			return 0, nil
		case errors.Is(err, io.EOF):
			return 0, io.EOF
		}
		return 0, &Error{Kind: ErrTransport, Endpoint: "recordings.media", Method: http.MethodGet, Err: err}
	}
	if int64(len(p)) > m.left {
		p = p[:m.left]
	}
	n, err := m.body.Read(p)
	m.left -= int64(n)
	if err != nil && !errors.Is(err, io.EOF) {
		err = &Error{Kind: ErrTransport, Endpoint: "recordings.media", Method: http.MethodGet, Err: err}
	}
	return n, err
}

func (m *mediaBody) Close() error {
	err := m.body.Close()
	m.once.Do(m.cancel)
	return err
}
