package server

import (
	"net/netip"
	"strings"
	"testing"
)

func TestForwardedClient(t *testing.T) {
	proxies, err := ParseTrustedProxies([]string{"127.0.0.1", "10.0.0.0/8", " ::1 ", ""})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name   string
		remote string
		xff    []string
		want   string // "" = not forwarded: the peer is the client
	}{
		{"no header", "127.0.0.1:5000", nil, ""},
		{"peer not trusted", "198.51.100.9:5000", []string{"203.0.113.7"}, ""},
		{"one hop", "127.0.0.1:5000", []string{"203.0.113.7"}, "203.0.113.7"},
		{"ipv6 peer", "[::1]:5000", []string{"2001:db8::7"}, "2001:db8::7"},
		{"forged left part ignored", "127.0.0.1:5000", []string{"1.2.3.4, 203.0.113.7"}, "203.0.113.7"},
		{"trusted hops skipped", "127.0.0.1:5000", []string{"203.0.113.7, 10.1.2.3", "10.9.9.9"}, "203.0.113.7"},
		{"with ports", "127.0.0.1:5000", []string{"[2001:db8::1]:443, 203.0.113.7:5123"}, "203.0.113.7"},
		{"mapped ipv4", "127.0.0.1:5000", []string{"::ffff:203.0.113.7"}, "203.0.113.7"},
		{"all trusted: the left-most", "127.0.0.1:5000", []string{"10.0.0.5, 10.0.0.6"}, "10.0.0.5"},
		{"garbage ends the walk", "127.0.0.1:5000", []string{"203.0.113.7, <script>, 10.0.0.6"}, "10.0.0.6"},
		{"only garbage", "127.0.0.1:5000", []string{"unknown"}, ""},
		{"empty entry", "127.0.0.1:5000", []string{""}, ""},
		{"peer without port", "127.0.0.1", []string{"203.0.113.7"}, "203.0.113.7"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := forwardedClient(tt.remote, tt.xff, proxies)
			if tt.want == "" {
				if ok {
					t.Fatalf("forwarded %v, want the peer", got)
				}
				return
			}
			if !ok || got != netip.MustParseAddr(tt.want) {
				t.Fatalf("got %v %v, want %s", got, ok, tt.want)
			}
		})
	}
	if _, ok := forwardedClient("127.0.0.1:5000", []string{"203.0.113.7"}, nil); ok {
		t.Fatal("no trusted proxies configured, yet X-Forwarded-For was believed")
	}
}

func TestParseTrustedProxies(t *testing.T) {
	got, err := ParseTrustedProxies([]string{"10.1.2.3/8", "::ffff:127.0.0.1", "fd00::/8"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"10.0.0.0/8", "127.0.0.1/32", "fd00::/8"}
	for i := range want {
		if i >= len(got) || got[i].String() != want[i] {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
	for _, bad := range []string{"localhost", "10.0.0.0/33", "1.2.3"} {
		if _, err := ParseTrustedProxies([]string{bad}); err == nil || !strings.Contains(err.Error(), bad) {
			t.Errorf("%q: %v, want an error naming it", bad, err)
		}
	}
}

func FuzzForwardedClient(f *testing.F) {
	proxies, _ := ParseTrustedProxies([]string{"127.0.0.1", "10.0.0.0/8", "::1"})
	f.Add("127.0.0.1:1", "203.0.113.7, 10.0.0.1")
	f.Add("[::1]:1", "[2001:db8::1]:443,unknown")
	f.Add("10.2.3.4:9", ",,,")
	f.Fuzz(func(t *testing.T, remote, xff string) {
		a, ok := forwardedClient(remote, []string{xff}, proxies)
		if ok && !a.IsValid() {
			t.Fatalf("ok with an invalid address for %q %q", remote, xff)
		}
		if ok && a.Is4In6() {
			t.Fatalf("mapped address %v not unmapped", a)
		}
	})
}
