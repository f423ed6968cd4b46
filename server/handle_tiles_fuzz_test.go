package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/andybalholm/brotli"
	"github.com/armsflow/armsflow/geo"
	"github.com/armsflow/armsflow/geo/geotest"
	"github.com/armsflow/armsflow/server"
	"github.com/armsflow/armsflow/tiles"
	"github.com/klauspost/compress/gzip"
	"github.com/paulmach/orb/encoding/mvt"
)

// FuzzTileRequest sends arbitrary tile paths, query strings (the filter),
// Accept-Encoding and If-None-Match headers to /tiles/... served by the
// real renderer and cache over the geotest fixture: the answer is a
// decodable MVT (200), empty (204), 304, or a JSON 4xx error; never a 5xx
// or a panic.
func FuzzTileRequest(f *testing.F) {
	for _, s := range [][4]string{
		{"countries/0/0/0.mvt", "", "gzip", ""},
		{"countries,flows/2/1/1.mvt", "years=2014-2024&supplier=usa", "br;q=1, gzip;q=0.5", ""},
		{"flows/30/1073741823/1073741823.mvt", "", "", ""},
		{"flows/31/0/0.mvt", "", "", ""},
		{"flows/3/-1/0.mvt", "", "", ""},
		{"flows/3/8/0.mvt", "", "", ""},
		{"events/5/16/10.mvt", "category=missiles&status=delivered", "identity", `W/"x", *`},
		{"countries,countries/1/0/0.mvt", "", "", ""},
		{"nope/1/0/0.mvt", "", "", ""},
		{"labels/1/0/0.mvt", "supplier=USA'%20OR%201=1--", "", ""},
		{"conflicts/1/0/0.mvt", "years=%zz", "gzip;q=abc", ""},
		{"countries/1/0/0.mvt", "bogus=1", "", ""},
		{"countries/1/0/0.mvt", "years=2020&v=17", "gzip", ""},
		{"countries/1/0/0.mvt", "v=-1&v=%2B2", "", ""},
		{"countries/01/0/0.mvt", "years=2020-2010", "", ""},
		{"/countries/0/0/0.mvt", "", "", ""},
		{"countries/0/0/0/0.mvt", "", "*;q=0", ""},
		{"countries/+1/0/0.mvt", "", "", ""},
		{"countries/99999999999999999999/0/0.mvt", "", "", ""},
	} {
		f.Add(s[0], s[1], s[2], s[3])
	}
	store := geotest.NewStoreWith(geotest.Fixture())
	src := geo.NewSource(store, 0)
	r := tiles.NewRenderer(src, tiles.Options{Extent: 4096, Buffer: 64, MinZoom: 0, MaxZoom: 14})
	cache, err := tiles.NewCache(r, src, tiles.CacheOptions{MaxBytes: 8 << 20, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		f.Fatal(err)
	}
	srv := server.New(server.Config{CORSOrigins: []string{"*"}}, server.Deps{Store: store, World: src, Tiles: cache,
		Logger: slog.New(slog.DiscardHandler)})
	f.Fuzz(func(t *testing.T, path, query, acceptEnc, inm string) {
		req := httptest.NewRequest("GET", "http://example.test/", nil)
		req.URL = &url.URL{Path: "/tiles/" + path, RawQuery: query}
		req.Header.Set("Accept-Encoding", acceptEnc)
		req.Header.Set("If-None-Match", inm)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK:
			body := rec.Body.Bytes()
			var rd io.Reader = bytes.NewReader(body)
			switch rec.Header().Get("Content-Encoding") {
			case "gzip":
				zr, err := gzip.NewReader(rd)
				if err != nil {
					t.Fatalf("%s: bad gzip: %v", req.URL, err)
				}
				rd = zr
			case "br":
				rd = brotli.NewReader(rd)
			case "":
			default:
				t.Fatalf("%s: Content-Encoding %q", req.URL, rec.Header().Get("Content-Encoding"))
			}
			raw, err := io.ReadAll(rd)
			if err != nil {
				t.Fatalf("%s: body: %v", req.URL, err)
			}
			if rec.Header().Get("Content-Type") == "application/vnd.mapbox-vector-tile" {
				if _, err := mvt.Unmarshal(raw); err != nil {
					t.Fatalf("%s: undecodable MVT: %v", req.URL, err)
				}
			}
		case http.StatusNoContent, http.StatusNotModified, http.StatusMovedPermanently:
		case http.StatusBadRequest, http.StatusNotFound, http.StatusMethodNotAllowed:
			var e struct {
				Error string `json:"error"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error == "" {
				t.Fatalf("%s: %d without a JSON error: %q", req.URL, rec.Code, rec.Body)
			}
		default:
			t.Fatalf("%s (Accept-Encoding %q, If-None-Match %q): status %d: %s", req.URL, acceptEnc, inm, rec.Code, rec.Body)
		}
	})
}
