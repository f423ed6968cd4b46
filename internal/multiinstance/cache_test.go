package multiinstance

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"

	"github.com/armsflow/armsflow/internal/bintest"
)

// The write of the cache test lands between two Asian countries; its tiles
// are one over Asia (through both) and one over South America, far from
// anything the write touches.
const cacheSupplier, cacheRecipient = "CHN", "PAK"

var (
	asiaTile = maptile.At(orb.Point{69, 30}, 3)   // Pakistan, India, western China: 3/5/3
	saTile   = maptile.At(orb.Point{-50, -10}, 3) // Brazil: 3/2/4
)

// TestOtherInstancesWriteDropsOnlyTouchedTiles shows that a write on one
// instance costs the other instances' tile caches only the tiles the write
// touched: B, which cached a tile over South America and one over Asia,
// answers the first from its cache (no render, same bytes and ETag) after
// a write on A between two Asian countries, and the second re-rendered with
// the new figures, byte for byte what A renders. A, which gets its own
// write twice (its write hooks, then the database's notification, in
// either order), drops the Asian tile once and keeps the other.
func TestOtherInstancesWriteDropsOnlyTouchedTiles(t *testing.T) {
	a, b := newPair(t)

	// Both instances render and cache both tiles; a second fetch of each
	// is a cache hit.
	before := map[*bintest.Server]map[maptile.Tile]countriesTile{}
	for _, s := range []*bintest.Server{a, b} {
		before[s] = map[maptile.Tile]countriesTile{}
		for _, tl := range []maptile.Tile{saTile, asiaTile} {
			first := getCountriesTile(t, s, tl)
			m0 := cacheMetrics(t, s)
			again := getCountriesTile(t, s, tl)
			m1 := cacheMetrics(t, s)
			if m1.renders != m0.renders || m1.hits != m0.hits+1 || !bytes.Equal(first.raw, again.raw) {
				t.Fatalf("%s: second fetch of %v: renders %d -> %d, hits %d -> %d, same bytes %v; want a cache hit",
					s.URL, tl, m0.renders, m1.renders, m0.hits, m1.hits, bytes.Equal(first.raw, again.raw))
			}
			before[s][tl] = first
		}
	}
	deals0 := before[b][asiaTile].deals(t)
	if deals0[cacheRecipient].imports < 1 || deals0[cacheSupplier].exports < 1 {
		t.Fatalf("B's tile %v has no %s→%s deals in the default data: %+v", asiaTile, cacheSupplier, cacheRecipient, deals0)
	}
	mA, mB := cacheMetrics(t, a), cacheMetrics(t, b)

	// The write, on A.
	body := []byte(`{"supplier":"` + cacheSupplier + `","recipient":"` + cacheRecipient + `","weapon":"multi-instance cache test item",` +
		`"category":"aircraft","order_year":2024,"quantity":2,"value":5000000,"unit":"USD","status":"ordered",` +
		`"source":{"publisher":"armsflow test","title":"Invented row for the multi-instance cache test (not real data)","date":"2026"}}`)
	code, _, res := do(t, http.MethodPost, a.URL+"/api/transfers",
		map[string]string{"Authorization": "Bearer " + token, "Content-Type": "application/json"}, body)
	if code != http.StatusOK && code != http.StatusCreated {
		t.Fatalf("POST A /api/transfers: %d %s", code, res)
	}
	var wr struct {
		Change struct {
			Version   int64    `json:"version"`
			Countries []string `json:"countries"`
			All       bool     `json:"all"`
		} `json:"change"`
	}
	if err := json.Unmarshal(res, &wr); err != nil || wr.Change.Version == 0 || wr.Change.All {
		t.Fatalf("POST A /api/transfers answer: %v %s", err, res)
	}
	t.Logf("POST to A: data version %d, countries touched %v", wr.Change.Version, wr.Change.Countries)

	// Both instances hear of it from the database (A of its own write,
	// besides its write hooks); tiles are asked for only once they have.
	applied := fmt.Sprintf(`msg="data change from the shared database applied" version=%d all=false`, wr.Change.Version)
	for _, s := range []*bintest.Server{a, b} {
		if !waitFor(within, func() bool { return strings.Contains(s.Log(), applied) }) {
			t.Fatalf("%s did not log %q within %s", s.URL, applied, within)
		}
	}

	for _, c := range []struct {
		name string
		s    *bintest.Server
		m    metricsSnap
	}{{"A", a, mA}, {"B", b, mB}} {
		m := cacheMetrics(t, c.s)
		if m.invalidated != c.m.invalidated+1 {
			t.Errorf("instance %s: %d tiles invalidated by the write, want 1 (the Asian tile; the other is untouched)",
				c.name, m.invalidated-c.m.invalidated)
		}
		// The untouched tile: from the cache, unchanged.
		sa := getCountriesTile(t, c.s, saTile)
		m2 := cacheMetrics(t, c.s)
		if m2.renders != m.renders || m2.hits != m.hits+1 {
			t.Errorf("instance %s: tile %v after the write: renders %d -> %d, hits %d -> %d; want a cache hit, no render",
				c.name, saTile, m.renders, m2.renders, m.hits, m2.hits)
		}
		if old := before[c.s][saTile]; !bytes.Equal(sa.raw, old.raw) || sa.etag != old.etag {
			t.Errorf("instance %s: tile %v changed: ETag %s -> %s", c.name, saTile, old.etag, sa.etag)
		}
		// The touched tile: rendered again, with the new figures.
		as := getCountriesTile(t, c.s, asiaTile)
		m3 := cacheMetrics(t, c.s)
		if m3.renders != m2.renders+1 || m3.misses != m2.misses+1 {
			t.Errorf("instance %s: tile %v after the write: renders %d -> %d, misses %d -> %d; want one render",
				c.name, asiaTile, m2.renders, m3.renders, m2.misses, m3.misses)
		}
		d := as.deals(t)
		if d[cacheRecipient].imports != deals0[cacheRecipient].imports+1 || d[cacheSupplier].exports != deals0[cacheSupplier].exports+1 {
			t.Errorf("instance %s: tile %v: %s imports %d, %s exports %d; want %d and %d", c.name, asiaTile,
				cacheRecipient, d[cacheRecipient].imports, cacheSupplier, d[cacheSupplier].exports,
				deals0[cacheRecipient].imports+1, deals0[cacheSupplier].exports+1)
		}
		if as.etag == before[c.s][asiaTile].etag {
			t.Errorf("instance %s: tile %v kept its ETag %s after the write", c.name, asiaTile, as.etag)
		}
		t.Logf("instance %s: %v kept (ETag %s), %v re-rendered (%s imports %d -> %d)", c.name, saTile, sa.etag,
			asiaTile, cacheRecipient, deals0[cacheRecipient].imports, d[cacheRecipient].imports)
		before[c.s][asiaTile] = as
	}
	if !bytes.Equal(before[a][asiaTile].raw, before[b][asiaTile].raw) {
		t.Errorf("tile %v after the write: B's %d bytes differ from A's %d", asiaTile, len(before[b][asiaTile].raw), len(before[a][asiaTile].raw))
	}
}

// countriesTile is a countries tile as served: its raw MVT and ETag.
type countriesTile struct {
	raw  []byte
	etag string
}

// getCountriesTile fetches s's countries tile tl, uncompressed.
func getCountriesTile(t *testing.T, s *bintest.Server, tl maptile.Tile) countriesTile {
	t.Helper()
	url := fmt.Sprintf("%s/tiles/countries/%d/%d/%d.mvt", s.URL, tl.Z, tl.X, tl.Y)
	code, h, body := do(t, http.MethodGet, url, map[string]string{"Accept-Encoding": "identity"}, nil)
	if code != http.StatusOK || h.Get("Content-Encoding") != "" {
		t.Fatalf("GET %s: %d (Content-Encoding %q), want 200 uncompressed", url, code, h.Get("Content-Encoding"))
	}
	return countriesTile{raw: body, etag: h.Get("ETag")}
}

// countryDeals are a country's deal counts in a countries tile.
type countryDeals struct{ imports, exports int }

// deals reads the deal counts of every country in the tile, by ISO3.
func (ct countriesTile) deals(t *testing.T) map[string]countryDeals {
	t.Helper()
	layers, err := mvt.Unmarshal(ct.raw)
	if err != nil {
		t.Fatalf("decode countries tile: %v", err)
	}
	out := map[string]countryDeals{}
	for _, l := range layers {
		if l.Name != "countries" {
			continue
		}
		for _, f := range l.Features {
			iso, _ := f.Properties["iso3"].(string)
			imp, ok1 := f.Properties["imports_deals"].(float64)
			exp, ok2 := f.Properties["exports_deals"].(float64)
			if iso == "" || !ok1 || !ok2 {
				t.Fatalf("countries feature without iso3 or deal counts: %v", f.Properties)
			}
			out[iso] = countryDeals{int(imp), int(exp)}
		}
	}
	return out
}

// metricsSnap is an instance's tile cache counters.
type metricsSnap struct{ hits, misses, renders, invalidated int64 }

// cacheMetrics reads s's tile cache counters from /metrics.
func cacheMetrics(t *testing.T, s *bintest.Server) metricsSnap {
	t.Helper()
	code, _, body := do(t, http.MethodGet, s.URL+"/metrics", nil, nil)
	if code != http.StatusOK {
		t.Fatalf("GET %s/metrics: %d", s.URL, code)
	}
	vals := map[string]int64{}
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		name, v, ok := strings.Cut(sc.Text(), " ")
		if !ok || !strings.HasPrefix(name, "armsflow_tile_cache_") {
			continue
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			t.Fatalf("%s/metrics: %q: %v", s.URL, sc.Text(), err)
		}
		vals[name] = int64(f)
	}
	m := metricsSnap{hits: vals["armsflow_tile_cache_hits_total"], misses: vals["armsflow_tile_cache_misses_total"],
		renders: vals["armsflow_tile_cache_renders_total"], invalidated: vals["armsflow_tile_cache_invalidated_total"]}
	if _, ok := vals["armsflow_tile_cache_renders_total"]; !ok {
		t.Fatalf("%s/metrics has no armsflow_tile_cache_renders_total:\n%s", s.URL, body)
	}
	return m
}
