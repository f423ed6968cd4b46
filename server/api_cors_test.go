package server

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/armsflow/armsflow/geo/geotest"
)

// TestAPICORS: researchers' pages on an allowed origin can read the data
// API with fetch; other origins get no CORS header; writes are not opened.
func TestAPICORS(t *testing.T) {
	for _, tt := range []struct {
		name      string
		origins   []string
		origin    string
		wantAllow string
		wantVary  bool
	}{
		{"any origin", []string{"*"}, "https://researcher.example", "*", false},
		{"listed origin echoed", []string{"https://a.example"}, "https://a.example", "https://a.example", true},
		{"unlisted origin", []string{"https://a.example"}, "https://b.example", "", false},
		{"no origin header", []string{"*"}, "", "", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := New(Config{CORSOrigins: tt.origins}, Deps{Store: geotest.NewStoreWith(geotest.Fixture())})
			for _, path := range []string{"/api/countries", "/api/flows?format=csv", "/api/openapi.json"} {
				req := httptest.NewRequest("GET", path, nil)
				if tt.origin != "" {
					req.Header.Set("Origin", tt.origin)
				}
				rec := httptest.NewRecorder()
				s.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					t.Fatalf("%s: status %d: %s", path, rec.Code, rec.Body)
				}
				if got := rec.Header().Get("Access-Control-Allow-Origin"); got != tt.wantAllow {
					t.Errorf("%s: Access-Control-Allow-Origin %q, want %q", path, got, tt.wantAllow)
				}
				vary := strings.Join(rec.Header().Values("Vary"), ",")
				if strings.Contains(vary, "Origin") != tt.wantVary {
					t.Errorf("%s: Vary %q, want Origin listed: %v", path, vary, tt.wantVary)
				}
			}
		})
	}
	// a write is not a CORS-readable endpoint
	s := New(Config{CORSOrigins: []string{"*"}}, Deps{Store: geotest.NewStore()})
	req := httptest.NewRequest("POST", "/api/transfers", strings.NewReader("{}"))
	req.Header.Set("Origin", "https://researcher.example")
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if got := rec.Header().Get("Access-Control-Allow-Origin"); got != "" {
		t.Errorf("POST /api/transfers: Access-Control-Allow-Origin %q, want none", got)
	}
}
