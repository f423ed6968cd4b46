package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/armsflow/armsflow/server"
)

func TestWritesNeedABearerToken(t *testing.T) {
	ls := newLiveServer(t, liveSetup{cfg: server.Config{WriteTokens: []string{writeToken}}})
	c := ls.watch(t)
	body := newTransferJSON("NASAMS")
	writes := []struct{ method, path, body string }{
		{"POST", "/api/transfers", body},
		{"PUT", "/api/transfers/1", body},
		{"DELETE", "/api/transfers/1", ""},
		{"POST", "/api/rooms", ""},
	}
	for _, tc := range []struct {
		name, query string
		hdr         []string
		challenge   string // in WWW-Authenticate
	}{
		{"no token", "", nil, `Bearer realm="armsflow"`},
		{"wrong token", "", []string{"Authorization: Bearer " + writeToken + "x"}, `error="invalid_token"`},
		{"prefix of the token", "", []string{"Authorization: Bearer " + writeToken[:10]}, `error="invalid_token"`},
		{"empty bearer", "", []string{"Authorization: Bearer "}, `error="invalid_request"`},
		{"basic scheme", "", []string{"Authorization: Basic " + writeToken}, `error="invalid_request"`},
		{"right token in the query", "?access_token=" + writeToken, nil, `error="invalid_request"`},
		{"right token in the query, also in the header", "?token=" + writeToken, []string{"Authorization: Bearer " + writeToken}, `error="invalid_request"`},
		{"right token in X-Api-Key", "", []string{"X-Api-Key: " + writeToken}, `error="invalid_request"`},
	} {
		for _, w := range writes {
			status, h, b := ls.do(t, w.method, w.path+tc.query, w.body, append(tc.hdr, "Content-Type: application/json")...)
			if status != http.StatusUnauthorized || !strings.Contains(h.Get("WWW-Authenticate"), tc.challenge) {
				t.Errorf("%s: %s %s: %d, WWW-Authenticate %q, want 401 with %s", tc.name, w.method, w.path, status, h.Get("WWW-Authenticate"), tc.challenge)
			}
			if strings.Contains(string(b), writeToken[:10]) {
				t.Errorf("%s: the answer repeats the token: %s", tc.name, b)
			}
			decodeError(t, b)
		}
	}
	c.Alive() // nothing broadcast
	if v, _ := ls.store.Version(t.Context()); v != 1 || ls.hooks() != 0 || ls.hub.Stats().Rooms != 0 {
		t.Fatalf("a refused write changed something: version %d, hooks %d, rooms %d", v, ls.hooks(), ls.hub.Stats().Rooms)
	}
	for _, n := range []string{"Apply", "PutTransfer", "DeleteTransfer"} {
		if k := ls.store.Calls(n); n == "Apply" && k != 1 || n != "Apply" && k != 0 {
			t.Fatalf("store.%s called %d times", n, k)
		}
	}
}

func TestWritesRefusedWithoutConfiguredTokens(t *testing.T) {
	ls := newLiveServer(t, liveSetup{})
	c := ls.watch(t)
	for _, hdr := range [][]string{nil, {"Authorization: Bearer anything"}, {"Authorization: Bearer "}} {
		for _, w := range []struct{ method, path string }{{"POST", "/api/transfers"}, {"PUT", "/api/transfers/1"},
			{"DELETE", "/api/transfers/1"}, {"POST", "/api/rooms"}} {
			status, _, b := ls.do(t, w.method, w.path, newTransferJSON("X"), hdr...)
			if e := decodeError(t, b); status != http.StatusForbidden || !strings.Contains(e.Error, "writes are disabled") {
				t.Errorf("%s %s %v: %d %s, want 403", w.method, w.path, hdr, status, b)
			}
		}
	}
	c.Alive()
	if v, _ := ls.store.Version(t.Context()); v != 1 || ls.hooks() != 0 {
		t.Fatalf("version %d, hooks %d", v, ls.hooks())
	}
}
