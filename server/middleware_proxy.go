package server

import (
	"fmt"
	"net"
	"net/netip"
	"strings"
)

// ParseTrustedProxies reads reverse-proxy addresses: IP addresses or CIDR
// prefixes ("127.0.0.1", "10.0.0.0/8", "::1"). An entry that is neither is
// an error naming it.
func ParseTrustedProxies(list []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range list {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q is neither an IP address nor a CIDR prefix such as 10.0.0.0/8", s)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// trusted reports whether a is one of the proxies.
func trusted(a netip.Addr, proxies []netip.Prefix) bool {
	a = a.Unmap()
	for _, p := range proxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// forwardedClient returns the client address of a request whose peer
// (remoteAddr, "host:port") is a trusted proxy: the right-most address of
// its X-Forwarded-For headers that is not itself a trusted proxy, since
// every trusted proxy appends the address it got the request from and
// anything to the left of the first untrusted one may be forged by the
// client. It reports false, and the peer stays the client, when the peer
// is not trusted or no usable address was forwarded. An entry that does
// not parse ends the walk: the last trusted hop is then the client.
func forwardedClient(remoteAddr string, xff []string, proxies []netip.Prefix) (netip.Addr, bool) {
	if len(proxies) == 0 || len(xff) == 0 {
		return netip.Addr{}, false
	}
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil || !trusted(peer, proxies) {
		return netip.Addr{}, false
	}
	var client netip.Addr
	for i := len(xff) - 1; i >= 0; i-- {
		hops := strings.Split(xff[i], ",")
		for j := len(hops) - 1; j >= 0; j-- {
			a, ok := parseHop(hops[j])
			if !ok {
				return client, client.IsValid()
			}
			client = a
			if !trusted(a, proxies) {
				return client, true
			}
		}
	}
	return client, client.IsValid()
}

// parseHop reads one X-Forwarded-For entry: an address, possibly with a
// port ("203.0.113.7:5123", "[2001:db8::1]:443").
func parseHop(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap(), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), true
	}
	return netip.Addr{}, false
}
