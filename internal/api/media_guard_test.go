package api_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/teamlead/dashboard/internal/api"
)

func TestPublicAddress(t *testing.T) {
	for addr, want := range map[string]bool{
		"8.8.8.8": true, "2606:4700:4700::1111": true, "151.101.1.69": true,
		"127.0.0.1": false, "::1": false, "10.1.2.3": false, "172.16.0.1": false, "192.168.1.1": false,
		"169.254.169.254": false, "fe80::1": false, "fc00::1": false, "0.0.0.0": false, "::": false,
		"100.64.0.1": false, "224.0.0.1": false, "::ffff:127.0.0.1": false, "::ffff:10.0.0.1": false,
		"198.18.0.1": false, "0.1.2.3": false,
	} {
		if got := api.PublicAddress(netip.MustParseAddr(addr)); got != want {
			t.Errorf("PublicAddress(%s) = %v, want %v", addr, got, want)
		}
	}
}

// By default a recording link on a loopback host is refused at dial time,
// before any request reaches it; allowed when the client says so.
func TestFetchMediaRefusesPrivateAddressesByDefault(t *testing.T) {
	var reached bool
	media := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached = true
		_, _ = w.Write([]byte("RIFF"))
	}))
	t.Cleanup(media.Close)
	up := newUpstream(t, func(w http.ResponseWriter, r *http.Request) { t.Errorf("upstream called: %s", r.URL) })
	// A name that resolves to loopback is refused like the literal address.
	for _, u := range []string{media.URL + "/a.wav?e=1&s=sig", strings.Replace(media.URL, "127.0.0.1", "localhost", 1) + "/a.wav"} {
		_, err := up.client().FetchMedia(context.Background(), u)
		var ae *api.Error
		if !errors.Is(err, api.ErrMediaAddress) || !errors.Is(err, api.ErrUpstream) || !errors.As(err, &ae) {
			t.Fatalf("%s: err = %v, want a refused media address", u, err)
		}
		if strings.Contains(err.Error(), "sig") || !strings.Contains(err.Error(), "not a public address") {
			t.Errorf("message %q", err.Error())
		}
	}
	if reached {
		t.Error("the guarded client reached the loopback host")
	}
	m, err := up.client(api.WithMediaPrivateAddresses(true)).FetchMedia(context.Background(), media.URL+"/a.wav")
	if err != nil {
		t.Fatal(err)
	}
	_ = m.Body.Close()
}

// A Range is passed on; the host's partial answer comes back as 206 with
// its Content-Range, an unsatisfiable one as a 416 validation error, and a
// range that is not bytes=… is refused before anything is sent.
func TestFetchMediaRange(t *testing.T) {
	wav := bytes.Repeat([]byte("0123456789"), 100)
	var ranges []string
	media := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ranges = append(ranges, r.Header.Get("Range"))
		w.Header().Set("Content-Type", "audio/wav")
		http.ServeContent(w, r, "a.wav", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), bytes.NewReader(wav))
	}))
	t.Cleanup(media.Close)
	c := newUpstream(t, nil).client(api.WithMediaPrivateAddresses(true))

	m, err := c.FetchMediaRange(context.Background(), media.URL+"/a.wav", "bytes=10-19")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(m.Body)
	_ = m.Body.Close()
	if m.Status != http.StatusPartialContent || m.ContentRange != "bytes 10-19/1000" || string(got) != "0123456789" ||
		m.AcceptRanges != "bytes" || m.Length != 10 || m.LastModified == "" {
		t.Errorf("partial: %+v, body %q", m, got)
	}

	m, err = c.FetchMediaRange(context.Background(), media.URL+"/a.wav", "")
	if err != nil {
		t.Fatal(err)
	}
	_ = m.Body.Close()
	if m.Status != http.StatusOK || m.Length != 1000 {
		t.Errorf("whole: status %d length %d", m.Status, m.Length)
	}

	_, err = c.FetchMediaRange(context.Background(), media.URL+"/a.wav", "bytes=5000-")
	var ae *api.Error
	if !errors.Is(err, api.ErrValidation) || !errors.As(err, &ae) || ae.Status != http.StatusRequestedRangeNotSatisfiable {
		t.Errorf("beyond the end: %v", err)
	}
	sent := len(ranges)
	for _, bad := range []string{"items=1-2", "bytes=1-2\r\nX-Evil: 1", "bytes=" + strings.Repeat("1", 300)} {
		if _, err := c.FetchMediaRange(context.Background(), media.URL+"/a.wav", bad); !errors.Is(err, api.ErrValidation) {
			t.Errorf("range %q: err = %v", bad, err)
		}
	}
	if len(ranges) != sent {
		t.Error("a refused range reached the media host")
	}
	if ranges[0] != "bytes=10-19" || ranges[1] != "" {
		t.Errorf("ranges sent: %q", ranges)
	}
}
