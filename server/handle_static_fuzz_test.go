package server_test

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/armsflow/armsflow/geo/geotest"
	"github.com/armsflow/armsflow/server"
)

// FuzzStaticQuery sends arbitrary query strings to the query-reading
// frontend routes (/style.json, /oembed, /tiles/catalog, the TileJSON):
// answers are 200, 304, a JSON 4xx error, or 501 for an oEmbed format it
// does not make; never another 5xx or a panic.
func FuzzStaticQuery(f *testing.F) {
	for _, s := range []string{
		"", "years=2014-2024&mode=exports&measure=tiv", "mode=bogus", "measure=usd&supplier=usa", "years=2020-2014",
		"url=http://example.test/?years=2020&maxwidth=600&maxheight=400&format=json", "url=javascript:alert(1)",
		"url=http://evil.example/", "format=xml&url=http://example.test/", "maxwidth=-1&url=http://example.test/",
		"maxwidth=99999999999999999999&url=http://example.test/embed", "url=%zz", "bogus=1",
	} {
		f.Add(s)
	}
	srv := server.New(server.Config{}, server.Deps{Store: geotest.NewStoreWith(geotest.Fixture()), Logger: slog.New(slog.DiscardHandler)})
	paths := []string{"/style.json", "/oembed", "/tiles/catalog", "/tiles/countries,flows.json"}
	f.Fuzz(func(t *testing.T, query string) {
		for _, p := range paths {
			req := httptest.NewRequest(http.MethodGet, "http://example.test"+p, nil)
			req.URL.RawQuery = query
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, req)
			switch {
			case rec.Code == http.StatusOK || rec.Code == http.StatusNotModified:
			case rec.Code >= 400 && rec.Code < 500, rec.Code == http.StatusNotImplemented, rec.Code == http.StatusServiceUnavailable:
				var e struct {
					Error string `json:"error"`
				}
				if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error == "" {
					t.Errorf("%s?%s: %d without a JSON error: %q", p, query, rec.Code, rec.Body)
				}
			default:
				t.Errorf("%s?%s: status %d: %s", p, query, rec.Code, rec.Body)
			}
		}
	})
}
