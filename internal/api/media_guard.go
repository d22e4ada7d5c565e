package api

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// ErrMediaAddress is wrapped by the error of a recording fetch the media
// address guard refused: the link's host resolved to a loopback, private,
// link-local or otherwise non-public address. A signed link comes from
// upstream's answer, so a host that is not public is either a tampered
// answer or a request forgery aimed at the dashboard's own network.
var ErrMediaAddress = errors.New("api: media host address refused")

// WithMediaPrivateAddresses decides whether FetchMedia may connect to
// loopback, private (RFC 1918, fc00::/7), link-local, CGNAT (100.64/10),
// unspecified and multicast addresses. The default is no: only public
// addresses. Allow them when upstream itself is on such an address (the
// demo simulator on 127.0.0.1, a self-hosted platform on the LAN).
//
// The check runs in the dialer's Control hook, on the address actually
// dialled after name resolution, so a name that resolves differently on a
// second lookup (DNS rebinding) and redirects are checked too. Media is
// fetched directly, never through HTTP(S)_PROXY.
func WithMediaPrivateAddresses(allow bool) Option {
	return func(c *Client) { c.mediaPrivate = allow }
}

// PublicAddress reports whether ip is an address a media link may point
// at when private addresses are not allowed.
func PublicAddress(ip netip.Addr) bool {
	ip = ip.Unmap()
	switch {
	case !ip.IsValid(), ip.IsLoopback(), ip.IsPrivate(), ip.IsLinkLocalUnicast(), ip.IsLinkLocalMulticast(),
		ip.IsInterfaceLocalMulticast(), ip.IsMulticast(), ip.IsUnspecified():
		return false
	case cgnat.Contains(ip), benchmarking.Contains(ip), ip.Is4() && ip.As4()[0] == 0:
		return false
	}
	return true
}

var (
	cgnat        = netip.MustParsePrefix("100.64.0.0/10")
	benchmarking = netip.MustParsePrefix("198.18.0.0/15")
)

// mediaDialControl refuses connections to non-public addresses.
func mediaDialControl(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: %s", ErrMediaAddress, address)
	}
	if !PublicAddress(ap.Addr()) {
		return fmt.Errorf("%w: %s is not a public address", ErrMediaAddress, ap.Addr())
	}
	return nil
}

func mediaAddressMessage(err error) string {
	var ne *net.OpError
	if errors.As(err, &ne) && ne.Err != nil {
		err = ne.Err
	}
	return "the recording link points at an address the dashboard may not reach (" + err.Error() + ")"
}

// newMediaClient builds the HTTP client FetchMedia uses: the client's own
// transport settings, dialling directly, guarded unless private addresses
// are allowed.
func (c *Client) newMediaClient() *http.Client {
	base, ok := c.httpClient.Transport.(*http.Transport)
	if !ok || base == nil {
		base = http.DefaultTransport.(*http.Transport)
	}
	tr := base.Clone()
	tr.Proxy = nil
	d := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	if !c.mediaPrivate {
		d.Control = mediaDialControl
	}
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		return d.DialContext(ctx, network, addr)
	}
	hc := *c.httpClient
	hc.Transport = tr
	return &hc
}
