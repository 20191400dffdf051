package webhooks

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// AttemptTimeout bounds one delivery attempt: connecting, sending and reading the answer.
const AttemptTimeout = 15 * time.Second

// ErrPrivateAddress is the SSRF guard's refusal: the endpoint is on a loopback, private,
// link-local or otherwise internal address, and private endpoints are not allowed here.
var ErrPrivateAddress = errors.New("the endpoint's address is loopback, private, link-local or otherwise not public")

// IsPublic tells whether ip is an address webhooks may reach without AllowPrivate: not loopback,
// private (RFC 1918, fc00::/7), link-local (cloud metadata lives there), unspecified, multicast,
// carrier-grade NAT (100.64/10) or an IPv4-mapped form of any of those.
func IsPublic(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"), netip.MustParsePrefix("100.64.0.0/10"), netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"), netip.MustParsePrefix("240.0.0.0/4"), netip.MustParsePrefix("64:ff9b::/96"),
	netip.MustParsePrefix("2001:db8::/32"),
}

// CheckURL says what is wrong with an endpoint URL, or nil: absolute http or https, a host,
// no user info, at most 2000 characters, and — unless allowPrivate — a host that is not an
// internal name and does not resolve to a non-public address. Resolving can change later,
// so the client (NewClient) checks the address again on every connection.
func CheckURL(ctx context.Context, raw string, allowPrivate bool) error {
	if len(raw) > 2000 {
		return errors.New("must be at most 2000 characters")
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Hostname() == "" {
		return errors.New("must be an absolute http or https URL")
	}
	if u.User != nil {
		return errors.New("must not hold a user name or password")
	}
	if u.Fragment != "" {
		return errors.New("must not have a fragment")
	}
	if allowPrivate {
		return nil
	}
	host := strings.ToLower(u.Hostname())
	if host == "localhost" || strings.HasSuffix(host, ".localhost") || strings.HasSuffix(host, ".local") || strings.HasSuffix(host, ".internal") {
		return ErrPrivateAddress
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		if !IsPublic(ip) {
			return ErrPrivateAddress
		}
		return nil
	}
	rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupNetIP(rctx, "ip", host)
	if err != nil {
		return nil // not resolvable now: each attempt checks again when it connects
	}
	for _, a := range addrs {
		if !IsPublic(a) {
			return ErrPrivateAddress
		}
	}
	return nil
}

// NewClient is the HTTP client of deliveries: AttemptTimeout, no redirects (a 3xx is an answer
// like any other non-2xx, so a redirect cannot lead the request somewhere else), no proxy from
// the environment, and — unless allowPrivate — a dialer that refuses every non-public address
// at connect time, after DNS, so a name that resolves to an internal address is never reached.
func NewClient(allowPrivate bool) *http.Client {
	d := &net.Dialer{Timeout: 10 * time.Second}
	if !allowPrivate {
		d.Control = func(_, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return fmt.Errorf("%w: %s", ErrPrivateAddress, address)
			}
			if !IsPublic(ap.Addr()) {
				return fmt.Errorf("%w: %s", ErrPrivateAddress, ap.Addr())
			}
			return nil
		}
	}
	return &http.Client{
		Timeout: AttemptTimeout,
		Transport: &http.Transport{
			Proxy: nil, DialContext: d.DialContext, ForceAttemptHTTP2: true,
			MaxIdleConns: 50, IdleConnTimeout: 90 * time.Second, TLSHandshakeTimeout: 10 * time.Second,
			ResponseHeaderTimeout: AttemptTimeout,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
