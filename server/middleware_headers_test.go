package server

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/armsflow/armsflow/geo/geotest"
	"github.com/armsflow/armsflow/static"
)

// TestSecurityHeadersEverywhere walks one request of every route family:
// every answer carries X-Content-Type-Options: nosniff and a request id;
// every HTML answer a Content-Security-Policy allowing nothing outside the
// server, framable by others only on /embed.
func TestSecurityHeadersEverywhere(t *testing.T) {
	s := New(Config{FrameAncestors: []string{"https://news.example"}}, Deps{
		Store: geotest.NewStoreWith(geotest.Fixture()), Logger: slog.New(slog.DiscardHandler)})
	paths := []string{"/", "/embed", "/?room=abc", "/style.json", "/oembed?url=http://example.test/", "/fonts/LICENSE",
		"/fonts/DejaVu%20Sans/0-255.pbf", "/api/countries", "/api/flows?format=csv", "/api/transfers?format=geojson",
		"/tiles/catalog", "/tiles/countries.json", "/tiles/countries/0/0/0.mvt", "/healthz", "/readyz", "/no/such/page",
		"/api/openapi.json", "/assets/nope.js"}
	htmlSeen := 0
	for _, p := range paths {
		req := httptest.NewRequest("GET", "http://example.test"+p, nil)
		req.Header.Set("Accept", "text/html,*/*")
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		h := rec.Header()
		if h.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s (%d): no nosniff", p, rec.Code)
		}
		if h.Get("X-Request-Id") == "" {
			t.Errorf("GET %s: no X-Request-Id", p)
		}
		if rec.Code >= 500 && rec.Code != http.StatusServiceUnavailable {
			t.Errorf("GET %s: %d %s", p, rec.Code, rec.Body)
		}
		if !strings.HasPrefix(h.Get("Content-Type"), "text/html") {
			continue
		}
		htmlSeen++
		csp := h.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'self'", "script-src 'self'", "connect-src 'self'", "object-src 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("GET %s: CSP %q lacks %s", p, csp, want)
			}
		}
		if strings.Contains(csp, "http:") || strings.Contains(csp, "https:") && !strings.Contains(csp, "frame-ancestors https://news.example") {
			t.Errorf("GET %s: CSP %q allows an outside origin", p, csp)
		}
		fa := csp[strings.Index(csp, "frame-ancestors"):]
		if strings.HasPrefix(p, "/embed") {
			if fa != "frame-ancestors https://news.example" {
				t.Errorf("GET %s: %q, want the configured ancestors", p, fa)
			}
		} else if fa != "frame-ancestors 'self'" {
			t.Errorf("GET %s: %q, want only 'self'", p, fa)
		}
	}
	if static.Built(static.FS()) && htmlSeen < 3 {
		t.Errorf("only %d HTML answers seen, want the pages", htmlSeen)
	}
}

// TestHTMLWithoutCSPGetsOne: the safety net gives an HTML answer whose
// handler set no policy the strict one.
func TestHTMLWithoutCSPGetsOne(t *testing.T) {
	rec := httptest.NewRecorder()
	rw := &recorder{ResponseWriter: rec}
	rw.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = rw.Write([]byte("<p>hi</p>"))
	if csp := rec.Header().Get("Content-Security-Policy"); csp != pageCSP(nil) {
		t.Fatalf("CSP %q, want the strict page policy", csp)
	}
	if rec.Header().Get("X-Frame-Options") != "SAMEORIGIN" || rw.status != 200 || rw.bytes != 9 {
		t.Fatalf("headers %v, status %d, bytes %d", rec.Header(), rw.status, rw.bytes)
	}
}
