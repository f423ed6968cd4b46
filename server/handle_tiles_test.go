package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/geo"
	"github.com/armsflow/armsflow/geo/geotest"
	"github.com/armsflow/armsflow/tiles"
	"github.com/klauspost/compress/gzip"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"
)

// mvtRenderer renders a real (if simple) MVT: one layer per name asked,
// holding a square feature with the tile address and the canonical filter
// as properties. Tiles with x = 0 at zoom 2 and deeper are empty.
type mvtRenderer struct {
	src     tiles.WorldSource
	renders atomic.Int64
}

func (m *mvtRenderer) Layers() []tiles.LayerInfo {
	return []tiles.LayerInfo{
		{Name: "countries", Description: "Countries with their joined figures", Geometry: "polygon", MaxZoom: 10,
			Fields: map[string]string{"iso3": "String", "z": "Number"}},
		{Name: "flows", Description: "Aggregated transfers", Geometry: "line", MinZoom: 0, MaxZoom: 8,
			Fields: map[string]string{"deals": "Number"}},
	}
}

func (m *mvtRenderer) Render(ctx context.Context, layers []string, t maptile.Tile, f data.Filter) ([]byte, int64, error) {
	w, err := m.src.World(ctx)
	if err != nil {
		return nil, 0, err
	}
	if t.Z > 10 {
		return nil, 0, fmt.Errorf("zoom %d over 10: %w", t.Z, tiles.ErrOutOfRange)
	}
	m.renders.Add(1)
	if t.Z >= 2 && t.X == 0 {
		return nil, w.Version, nil
	}
	var ls mvt.Layers
	for _, name := range layers {
		fc := geojson.NewFeatureCollection()
		ft := geojson.NewFeature(orb.Polygon{{{100, 100}, {4000, 100}, {4000, 4000}, {100, 4000}, {100, 100}}})
		ft.Properties["z"] = int64(t.Z)
		ft.Properties["filter"] = f.Canonical()
		ft.Properties["pad"] = strings.Repeat("armsflow ", 40) // something to compress
		fc.Append(ft)
		l := mvt.NewLayer(name, fc)
		l.Version = 2
		ls = append(ls, l)
	}
	b, err := mvt.Marshal(ls)
	return b, w.Version, err
}

type tileTest struct {
	srv   *httptest.Server
	r     *mvtRenderer
	store *geotest.Store
	src   *geo.Source
	cache *tiles.Cache
}

func newTileTest(t testing.TB, cfg Config) *tileTest {
	t.Helper()
	store := geotest.NewStoreWith(geotest.Fixture())
	src := geo.NewSource(store, time.Hour)
	r := &mvtRenderer{src: src}
	cache, err := tiles.NewCache(r, src, tiles.CacheOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s := New(cfg, Deps{Store: store, Tiles: cache})
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return &tileTest{srv: srv, r: r, store: store, src: src, cache: cache}
}

// get requests path with headers ("Name: value" strings) and returns the
// response with its body read.
func (tt *tileTest) get(t *testing.T, method, path string, headers ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, tt.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ": ")
		req.Header.Set(k, v)
	}
	// A transport that leaves Accept-Encoding and the body alone.
	tr := &http.Transport{DisableCompression: true}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

func decodeMVT(t *testing.T, b []byte) mvt.Layers {
	t.Helper()
	ls, err := mvt.Unmarshal(b)
	if err != nil {
		t.Fatalf("body is not an MVT: %v", err)
	}
	return ls
}

func TestTilesEncodingsAndETags(t *testing.T) {
	tt := newTileTest(t, Config{})
	const path = "/tiles/countries,flows/3/5/2.mvt"

	// Identity without Accept-Encoding.
	resp, raw := tt.get(t, "GET", path)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != "" {
		t.Fatalf("identity: %d, Content-Encoding %q", resp.StatusCode, resp.Header.Get("Content-Encoding"))
	}
	ls := decodeMVT(t, raw)
	if len(ls) != 2 || ls[0].Name != "countries" || ls[1].Name != "flows" {
		t.Fatalf("layers %v, want countries then flows (the order asked)", ls)
	}
	for k, want := range map[string]string{"Content-Type": "application/vnd.mapbox-vector-tile", "Vary": "Accept-Encoding",
		"Cache-Control": "public, max-age=60", "Content-Length": fmt.Sprint(len(raw))} {
		if got := resp.Header.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	etags := map[string]string{"": resp.Header.Get("ETag")}

	for _, tc := range []struct{ ae, want string }{
		{"gzip", "gzip"},
		{"gzip, deflate, br, zstd", "br"},
		{"br;q=0.5, gzip;q=0.8", "gzip"},
		{"br;q=0, gzip", "gzip"},
		{"*", "br"},
		{"*;q=0.3, br;q=0", "gzip"},
		{"deflate", ""},
		{"gzip;q=0, br;q=0", ""},
		{"identity", ""},
	} {
		resp, body := tt.get(t, "GET", path, "Accept-Encoding: "+tc.ae)
		if ce := resp.Header.Get("Content-Encoding"); resp.StatusCode != 200 || ce != tc.want {
			t.Errorf("Accept-Encoding %q: %d, Content-Encoding %q, want %q", tc.ae, resp.StatusCode, ce, tc.want)
			continue
		}
		var dec []byte
		switch tc.want {
		case "gzip":
			zr, err := gzip.NewReader(bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			dec, _ = io.ReadAll(zr)
		case "br":
			dec, _ = io.ReadAll(brotli.NewReader(bytes.NewReader(body)))
		default:
			dec = body
		}
		if !bytes.Equal(dec, raw) {
			t.Errorf("Accept-Encoding %q: body does not decode to the identity MVT", tc.ae)
		}
		if resp.Header.Get("Content-Length") != fmt.Sprint(len(body)) || resp.Header.Get("Vary") != "Accept-Encoding" {
			t.Errorf("Accept-Encoding %q: Content-Length %q for %d bytes, Vary %q", tc.ae, resp.Header.Get("Content-Length"), len(body), resp.Header.Get("Vary"))
		}
		etags[tc.want] = resp.Header.Get("ETag")
	}
	if len(etags) != 3 || etags[""] == etags["gzip"] || etags["gzip"] == etags["br"] || !strings.HasPrefix(etags["gzip"], `"`) {
		t.Fatalf("ETags per encoding: %q (want three distinct strong tags)", etags)
	}
	if n := tt.r.renders.Load(); n != 1 {
		t.Fatalf("%d renders for one tile in three encodings", n)
	}

	// Revalidation: 304 with no body for a matching tag, from any encoding.
	for _, inm := range []string{etags["gzip"], `W/` + etags["gzip"], `"nope", ` + etags["br"], "*"} {
		resp, body := tt.get(t, "GET", path, "Accept-Encoding: gzip", "If-None-Match: "+inm)
		if resp.StatusCode != http.StatusNotModified || len(body) != 0 || resp.Header.Get("ETag") != etags["gzip"] {
			t.Errorf("If-None-Match %s: %d, %d bytes, ETag %q", inm, resp.StatusCode, len(body), resp.Header.Get("ETag"))
		}
	}
	resp, _ = tt.get(t, "GET", path, "Accept-Encoding: gzip", `If-None-Match: "other"`)
	if resp.StatusCode != 200 {
		t.Fatalf("non-matching If-None-Match: %d", resp.StatusCode)
	}

	// HEAD: headers, no body.
	resp, body := tt.get(t, "HEAD", path, "Accept-Encoding: gzip")
	if resp.StatusCode != 200 || len(body) != 0 || resp.Header.Get("ETag") != etags["gzip"] {
		t.Fatalf("HEAD: %d, %d bytes", resp.StatusCode, len(body))
	}
}

func TestTilesEmptyTileIs204(t *testing.T) {
	tt := newTileTest(t, Config{})
	resp, body := tt.get(t, "GET", "/tiles/countries/2/0/1.mvt", "Accept-Encoding: gzip")
	if resp.StatusCode != http.StatusNoContent || len(body) != 0 || resp.Header.Get("Content-Encoding") != "" {
		t.Fatalf("empty tile: %d, %d bytes, Content-Encoding %q", resp.StatusCode, len(body), resp.Header.Get("Content-Encoding"))
	}
	if resp.Header.Get("ETag") == "" || resp.Header.Get("Cache-Control") == "" {
		t.Fatal("an empty tile should still carry ETag and Cache-Control")
	}
	tt.get(t, "GET", "/tiles/countries/2/0/1.mvt")
	if tt.r.renders.Load() != 1 {
		t.Fatal("empty tile not cached")
	}
}

func TestTilesBadRequests(t *testing.T) {
	tt := newTileTest(t, Config{})
	for _, tc := range []struct {
		path   string
		status int
		param  string
		msg    string
	}{
		{"/tiles/countries/30/0/0.mvt", 400, "", "out of range"}, // deeper than the renderer goes
		{"/tiles/countries/31/0/0.mvt", 400, "z", "zoom"},
		{"/tiles/countries/z/0/0.mvt", 400, "z", "zoom"},
		{"/tiles/countries/2/-1/0.mvt", 400, "x", "tile x"},
		{"/tiles/countries/2/4/0.mvt", 400, "x", "tile x"},
		{"/tiles/countries/2/0/4.mvt", 400, "y", "tile y"},
		{"/tiles/countries/2/1/1.mvt?years=1800", 400, "years", "year"},
		{"/tiles/countries/2/1/1.mvt?category=spaceships", 400, "category", "category"},
		{"/tiles/countries/2/1/1.mvt?supplier=gbr&colour=red&a=1", 400, "a", "a, colour"},
		{"/tiles/countries/2/1/1.mvt?%zz", 400, "", "query"},
		{"/tiles/nope/2/1/1.mvt", 404, "layers", "nope"},
		{"/tiles/countries,nope/2/1/1.mvt", 404, "layers", "nope"},
		{"/tiles/countries,countries/2/1/1.mvt", 400, "layers", "twice"},
		{"/tiles/countries/2/1.mvt", 404, "", "no such path"},
		{"/tiles/a/b/countries/2/1/1.mvt", 404, "", "no such path"},
		{"/tiles/nope.json", 404, "layers", "nope"},
		{"/tiles/countries.json?bogus=1", 400, "bogus", "bogus"},
		{"/tiles/catalog?years=x", 400, "years", "years"},
	} {
		resp, body := tt.get(t, "GET", tc.path, "Accept-Encoding: gzip")
		var e struct {
			Error  string `json:"error"`
			Status int    `json:"status"`
			Param  string `json:"param"`
		}
		if err := json.Unmarshal(body, &e); err != nil {
			t.Errorf("%s: %d, body %q is not a JSON error", tc.path, resp.StatusCode, body)
			continue
		}
		if resp.StatusCode != tc.status || e.Status != tc.status || e.Param != tc.param || !strings.Contains(e.Error, tc.msg) {
			t.Errorf("%s: %d %+v; want %d, param %q, message containing %q", tc.path, resp.StatusCode, e, tc.status, tc.param, tc.msg)
		}
		if resp.Header.Get("Content-Encoding") != "" || resp.Header.Get("ETag") != "" {
			t.Errorf("%s: error carries tile headers", tc.path)
		}
	}
	resp, _ := tt.get(t, "POST", "/tiles/countries/0/0/0.mvt")
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("POST a tile: %d", resp.StatusCode)
	}
}

func TestTilesFilterIsCanonicalInKeyAndTileJSON(t *testing.T) {
	tt := newTileTest(t, Config{PublicURL: "https://maps.example.org/"})
	_, b1 := tt.get(t, "GET", "/tiles/countries/1/1/1.mvt?supplier=gbr,%20usa")
	_, b2 := tt.get(t, "GET", "/tiles/countries/1/1/1.mvt?supplier=USA&supplier=GBR")
	if !bytes.Equal(b1, b2) || tt.r.renders.Load() != 1 {
		t.Fatalf("equal filters rendered %d times", tt.r.renders.Load())
	}
	props := decodeMVT(t, b1)[0].Features[0].Properties
	if props["filter"] != "supplier=GBR,USA" {
		t.Fatalf("renderer saw filter %q", props["filter"])
	}

	resp, body := tt.get(t, "GET", "/tiles/flows,countries.json?supplier=gbr,%20usa&years=2014-2024")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("TileJSON: %d %s", resp.StatusCode, body)
	}
	var tj map[string]any
	if err := json.Unmarshal(body, &tj); err != nil {
		t.Fatal(err)
	}
	if tj["tilejson"] != "3.0.0" || tj["minzoom"] != 0.0 || tj["maxzoom"] != 10.0 || tj["scheme"] != "xyz" {
		t.Fatalf("TileJSON head: %v", tj)
	}
	wantURL := "https://maps.example.org/tiles/flows,countries/{z}/{x}/{y}.mvt?supplier=GBR,USA&years=2014-2024"
	if ts, _ := tj["tiles"].([]any); len(ts) != 1 || ts[0] != wantURL {
		t.Fatalf("tiles = %v, want [%s]", tj["tiles"], wantURL)
	}
	for _, credit := range []string{"SIPRI Arms Transfers Database", "UCDP", "Natural Earth"} {
		if !strings.Contains(tj["attribution"].(string), credit) {
			t.Errorf("attribution lacks %s", credit)
		}
	}
	if b, _ := tj["bounds"].([]any); len(b) != 4 || b[0] != -180.0 || b[2] != 180.0 {
		t.Errorf("bounds = %v", tj["bounds"])
	}
	if c, _ := tj["center"].([]any); len(c) != 3 {
		t.Errorf("center = %v", tj["center"])
	}
	if tj["name"] == "" || tj["description"] == "" {
		t.Errorf("name/description empty: %v", tj)
	}
	vl, _ := tj["vector_layers"].([]any)
	if len(vl) != 2 {
		t.Fatalf("vector_layers = %v", tj["vector_layers"])
	}
	first := vl[0].(map[string]any)
	if first["id"] != "flows" || first["maxzoom"] != 8.0 || first["fields"].(map[string]any)["deals"] != "Number" {
		t.Fatalf("vector_layers[0] = %v", first)
	}

	// Without PublicURL the base comes from the request.
	tt2 := newTileTest(t, Config{})
	_, body = tt2.get(t, "GET", "/tiles/countries.json")
	_ = json.Unmarshal(body, &tj)
	if ts := tj["tiles"].([]any); ts[0] != tt2.srv.URL+"/tiles/countries/{z}/{x}/{y}.mvt" {
		t.Fatalf("tiles = %v", ts)
	}

	// The catalog lists every layer with its TileJSON.
	_, body = tt2.get(t, "GET", "/tiles/catalog?recipient=ukr")
	var cat struct {
		Layers []struct {
			ID       string `json:"id"`
			TileJSON string `json:"tilejson"`
			Tiles    string `json:"tiles"`
		} `json:"layers"`
		All string `json:"all"`
	}
	if err := json.Unmarshal(body, &cat); err != nil {
		t.Fatal(err)
	}
	if len(cat.Layers) != 2 || cat.Layers[0].ID != "countries" || cat.Layers[0].TileJSON != tt2.srv.URL+"/tiles/countries.json?recipient=UKR" ||
		cat.All != tt2.srv.URL+"/tiles/countries,flows.json?recipient=UKR" {
		t.Fatalf("catalog: %s", body)
	}
	resp, _ = tt2.get(t, "GET", strings.TrimPrefix(cat.All, tt2.srv.URL))
	if resp.StatusCode != 200 {
		t.Fatalf("the catalog's TileJSON URL answers %d", resp.StatusCode)
	}
}

func TestTilesCORS(t *testing.T) {
	tt := newTileTest(t, Config{CORSOrigins: []string{"https://news.example.com", "https://ngo.example.net/"}})
	resp, _ := tt.get(t, "GET", "/tiles/countries/1/1/1.mvt", "Origin: https://ngo.example.net", "Accept-Encoding: gzip")
	if resp.Header.Get("Access-Control-Allow-Origin") != "https://ngo.example.net" || resp.Header.Get("Vary") != "Accept-Encoding, Origin" ||
		resp.Header.Get("Access-Control-Expose-Headers") != "ETag" {
		t.Fatalf("allowed origin: ACAO %q, Vary %q", resp.Header.Get("Access-Control-Allow-Origin"), resp.Header.Get("Vary"))
	}
	resp, _ = tt.get(t, "GET", "/tiles/countries/1/1/1.mvt", "Origin: https://evil.example")
	if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("other origin: %d, ACAO %q", resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
	}
	resp, _ = tt.get(t, "GET", "/tiles/countries.json", "Origin: https://news.example.com")
	if resp.Header.Get("Access-Control-Allow-Origin") != "https://news.example.com" {
		t.Fatal("TileJSON lacks CORS")
	}
	for _, path := range []string{"/tiles/countries/1/1/1.mvt", "/tiles/countries.json", "/tiles/catalog"} {
		resp, body := tt.get(t, "OPTIONS", path, "Origin: https://news.example.com", "Access-Control-Request-Method: GET",
			"Access-Control-Request-Headers: if-none-match")
		if resp.StatusCode != http.StatusNoContent || len(body) != 0 || resp.Header.Get("Access-Control-Allow-Origin") != "https://news.example.com" ||
			!strings.Contains(resp.Header.Get("Access-Control-Allow-Methods"), "GET") || resp.Header.Get("Access-Control-Allow-Headers") != "if-none-match" ||
			resp.Header.Get("Access-Control-Max-Age") == "" {
			t.Errorf("preflight %s: %d %v", path, resp.StatusCode, resp.Header)
		}
		resp, _ = tt.get(t, "OPTIONS", path, "Origin: https://evil.example", "Access-Control-Request-Method: GET")
		if resp.StatusCode != http.StatusForbidden || resp.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("preflight from a foreign origin %s: %d", path, resp.StatusCode)
		}
	}

	any := newTileTest(t, Config{CORSOrigins: []string{"*"}})
	resp, _ = any.get(t, "GET", "/tiles/countries/1/1/1.mvt", "Origin: https://anyone.example")
	if resp.Header.Get("Access-Control-Allow-Origin") != "*" || resp.Header.Get("Vary") != "Accept-Encoding" {
		t.Fatalf("any origin: ACAO %q Vary %q", resp.Header.Get("Access-Control-Allow-Origin"), resp.Header.Get("Vary"))
	}
}

func TestTilesInvalidateThroughOnChange(t *testing.T) {
	tt := newTileTest(t, Config{})
	resp, _ := tt.get(t, "GET", "/tiles/countries/3/4/2.mvt", "Accept-Encoding: gzip")
	etag := resp.Header.Get("ETag")
	// A write far from this tile over Europe (the USA and Australia): the
	// tile stays cached and its ETag still validates.
	_, ch, err := tt.store.PutTransfer(context.Background(), data.Transfer{Supplier: "AUS", Recipient: "AUS-X", Weapon: "x"})
	if err == nil {
		t.Fatalf("invalid transfer accepted: %+v", ch)
	}
	q := int64(1)
	_, ch, err = tt.store.PutTransfer(context.Background(), data.Transfer{Supplier: "USA", Recipient: "AUS", Weapon: "MQ-9B",
		Category: data.CatDrones, Quantity: &q, Status: data.StatusOrdered, Source: geotest.SourceB})
	if err != nil {
		t.Fatal(err)
	}
	tt.src.MarkStale()
	tt.cache.Invalidate(ch)
	before := tt.r.renders.Load()
	resp, _ = tt.get(t, "GET", "/tiles/countries/3/4/2.mvt", "Accept-Encoding: gzip", "If-None-Match: "+etag)
	if resp.StatusCode != http.StatusNotModified || tt.r.renders.Load() != before {
		t.Fatalf("untouched tile after a write: %d, renders %d -> %d", resp.StatusCode, before, tt.r.renders.Load())
	}
	tt.get(t, "GET", "/tiles/countries/3/7/4.mvt", "Accept-Encoding: gzip")
	if tt.r.renders.Load() != before+1 {
		t.Fatal("the touched tile over Australia was not re-rendered")
	}
}

// TestTilesVersionParam: the frontend adds v=DATA_VERSION to its tile URLs
// after a write so browsers do not reuse cached tiles. The server accepts
// it on tiles, TileJSON and the catalog, refuses a bad one by name, and
// answers the same bytes and ETag as without it (one render: v is not part
// of the cache key). TileJSON passes it on to its tile URLs.
func TestTilesVersionParam(t *testing.T) {
	tt := newTileTest(t, Config{})
	const path = "/tiles/countries,flows/3/5/2.mvt?years=2014-2024"
	want, wantBody := tt.get(t, "GET", path, "Accept-Encoding: gzip")
	if want.StatusCode != 200 {
		t.Fatalf("without v: %d", want.StatusCode)
	}
	for _, v := range []string{"0", "7", "0042", "9223372036854775807"} {
		resp, body := tt.get(t, "GET", path+"&v="+v, "Accept-Encoding: gzip")
		if resp.StatusCode != 200 || !bytes.Equal(body, wantBody) || resp.Header.Get("ETag") != want.Header.Get("ETag") ||
			resp.Header.Get("Cache-Control") != want.Header.Get("Cache-Control") {
			t.Errorf("v=%s: %d, %d bytes (want %d), ETag %q (want %q)", v, resp.StatusCode, len(body), len(wantBody),
				resp.Header.Get("ETag"), want.Header.Get("ETag"))
		}
		// A revalidation with the tag from the URL without v is a 304.
		resp, _ = tt.get(t, "GET", path+"&v="+v, "Accept-Encoding: gzip", "If-None-Match: "+want.Header.Get("ETag"))
		if resp.StatusCode != http.StatusNotModified {
			t.Errorf("v=%s revalidated: %d", v, resp.StatusCode)
		}
	}
	if n := tt.r.renders.Load(); n != 1 {
		t.Fatalf("%d renders: v must not be part of the cache key", n)
	}

	for _, tc := range []struct{ query, msg string }{
		{"v=-1", `"-1" is not a data version`},
		{"v=abc", `"abc" is not a data version`},
		{"v=", `"" is not a data version`},
		{"v=%2B3", `"+3" is not a data version`},
		{"v=1.5", `"1.5" is not a data version`},
		{"v=99999999999999999999", "is not a data version"},
		{"v=1&v=2", "given 2 times"},
		{"years=2020&v=x", `"x" is not a data version`},
	} {
		for _, p := range []string{"/tiles/countries/1/1/1.mvt", "/tiles/countries.json", "/tiles/catalog"} {
			resp, body := tt.get(t, "GET", p+"?"+tc.query)
			var e struct {
				Error string `json:"error"`
				Param string `json:"param"`
			}
			_ = json.Unmarshal(body, &e)
			if resp.StatusCode != 400 || e.Param != "v" || !strings.Contains(e.Error, tc.msg) {
				t.Errorf("%s?%s: %d %s; want 400 naming v with %q", p, tc.query, resp.StatusCode, body, tc.msg)
			}
		}
	}
	// Unknown parameters are still refused, and the message lists v.
	resp, body := tt.get(t, "GET", "/tiles/countries/1/1/1.mvt?v=3&ver=3")
	if resp.StatusCode != 400 || !strings.Contains(string(body), `"param":"ver"`) || !strings.Contains(string(body), "and v") {
		t.Errorf("unknown parameter beside v: %d %s", resp.StatusCode, body)
	}

	// TileJSON and catalog carry the canonical v into their URLs.
	_, body = tt.get(t, "GET", "/tiles/countries.json?v=012&supplier=gbr")
	var tj struct {
		Tiles []string `json:"tiles"`
	}
	if err := json.Unmarshal(body, &tj); err != nil {
		t.Fatal(err)
	}
	if len(tj.Tiles) != 1 || tj.Tiles[0] != tt.srv.URL+"/tiles/countries/{z}/{x}/{y}.mvt?supplier=GBR&v=12" {
		t.Fatalf("TileJSON tiles with v: %v", tj.Tiles)
	}
	_, body = tt.get(t, "GET", "/tiles/countries.json?v=5")
	_ = json.Unmarshal(body, &tj)
	if tj.Tiles[0] != tt.srv.URL+"/tiles/countries/{z}/{x}/{y}.mvt?v=5" {
		t.Fatalf("TileJSON tiles with v only: %v", tj.Tiles)
	}
	_, body = tt.get(t, "GET", "/tiles/catalog?v=5")
	var cat struct {
		All    string `json:"all"`
		Layers []struct {
			Tiles string `json:"tiles"`
		} `json:"layers"`
	}
	if err := json.Unmarshal(body, &cat); err != nil {
		t.Fatal(err)
	}
	if cat.All != tt.srv.URL+"/tiles/countries,flows.json?v=5" || cat.Layers[0].Tiles != tt.srv.URL+"/tiles/countries/{z}/{x}/{y}.mvt?v=5" {
		t.Fatalf("catalog with v: %s", body)
	}
}
