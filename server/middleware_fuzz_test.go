package server

import (
	"strings"
	"testing"
)

// FuzzRequestID: whatever a client sends as X-Request-Id, the id used is a
// valid one (kept only when it already was), at most 128 characters of the
// allowed set, so it cannot break a log line.
func FuzzRequestID(f *testing.F) {
	for _, s := range []string{"", "abc-123", "trace/1:2@x", "a b", "x\ny", "é", strings.Repeat("a", 128), strings.Repeat("a", 129), "\x00"} {
		f.Add(s)
	}
	ids := newIDSource()
	f.Fuzz(func(t *testing.T, h string) {
		id := ids.from(h)
		if !validRequestID(id) {
			t.Fatalf("%q gave the invalid id %q", h, id)
		}
		if validRequestID(h) != (id == h) {
			t.Fatalf("%q gave %q: a valid id must be kept and only it", h, id)
		}
		if strings.ContainsAny(id, " \t\r\n\"=\\") && id != h {
			t.Fatalf("generated id %q has a character that needs quoting", id)
		}
	})
}

// FuzzParseRate: a rate flag either parses to a positive limit (or off) that
// prints back to something that parses the same, or fails naming the value.
func FuzzParseRate(f *testing.F) {
	for _, s := range []string{"10/s", "30/m", "5/h", "off", "0", "", "1/second", "x/s", "10", "-1/s", "1/d", "9999999999/s", " 7 / MIN "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRate(s)
		if err != nil {
			if !strings.Contains(err.Error(), "rate ") {
				t.Fatalf("%q: error %q does not say what", s, err)
			}
			return
		}
		if r.N < 0 || (r.N > 0) != (r.Per > 0) {
			t.Fatalf("%q parsed to %+v", s, r)
		}
		back, err := ParseRate(r.String())
		if err != nil || back.N != r.N || back.Per != r.Per {
			t.Fatalf("%q -> %q -> %+v, %v", s, r.String(), back, err)
		}
		if newLimiter("x", r) == nil && r.N > 0 {
			t.Fatalf("%q: no limiter for a positive rate", s)
		}
	})
}
