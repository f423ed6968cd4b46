package server_test

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/armsflow/armsflow/geo/geotest"
	"github.com/armsflow/armsflow/server"
)

// FuzzAPIQuery sends arbitrary query strings to every data API endpoint:
// the answer is always 200, 304, 400 or 404, never a 500 or a panic, and a
// 400 is a JSON error.
func FuzzAPIQuery(f *testing.F) {
	for _, seed := range []string{
		"", "years=2022-2023", "years=-2020&supplier=usa,gbr", "category=missiles&status=delivered",
		"format=csv", "geometry=full", "limit=5&offset=2", "country=YEM", "kind=non-state,former",
		"years=%zz", "limit=99999999999999999999", "supplier=" + strings.Repeat("A", 50), "bogus&years",
		"years=2020&years=2021", "format=CSV&limit=0",
	} {
		f.Add(seed)
	}
	srv := server.New(server.Config{}, server.Deps{Store: geotest.NewStoreWith(geotest.Fixture()),
		Logger: slog.New(slog.DiscardHandler)})
	paths := []string{"/api/countries", "/api/countries/UKR", "/api/flows", "/api/transfers", "/api/conflicts", "/api/actors"}
	f.Fuzz(func(t *testing.T, query string) {
		for _, p := range paths {
			req := httptest.NewRequest(http.MethodGet, "http://example.test"+p, nil)
			req.URL.RawQuery = query
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, req)
			switch rec.Code {
			case http.StatusOK, http.StatusNotModified, http.StatusNotFound:
			case http.StatusBadRequest:
				var e struct {
					Error string `json:"error"`
				}
				if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error == "" {
					t.Errorf("%s?%s: 400 without a JSON error: %q", p, query, rec.Body.String())
				}
			default:
				t.Errorf("%s?%s: status %d: %s", p, query, rec.Code, rec.Body.String())
			}
		}
	})
}
