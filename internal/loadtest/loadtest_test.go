package loadtest

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/armsflow/armsflow/geo"
	"github.com/armsflow/armsflow/geo/geotest"
	"github.com/armsflow/armsflow/server"
	"github.com/armsflow/armsflow/tiles"
)

// fixtureServer serves the geotest fixture through the real renderer, cache
// and server.
func fixtureServer(t *testing.T) *httptest.Server {
	t.Helper()
	store := geotest.NewStoreWith(geotest.Fixture())
	src := geo.NewSource(store, time.Hour)
	cache, err := tiles.NewCache(tiles.NewRenderer(src, tiles.Options{}), src, tiles.CacheOptions{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(server.New(server.Config{}, server.Deps{Store: store, Tiles: cache}))
	t.Cleanup(srv.Close)
	return srv
}

func TestRunnerPasses(t *testing.T) {
	srv := fixtureServer(t)
	r, err := NewRunner(Config{BaseURL: srv.URL, MaxZoom: 3, Clients: 8, WarmFor: time.Hour, MaxPasses: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	cold := r.Pass(context.Background(), "cold", "countries")
	if cold.Requests != 85 || cold.Errors != 0 || cold.OK+cold.Empty != 85 || cold.OK == 0 || len(cold.PerZoom) != 4 ||
		cold.PerZoom[3].N != 64 || cold.Overall.P50 <= 0 || cold.Overall.P99 < cold.Overall.P50 || cold.MeanBody() <= 0 ||
		cold.MeanBodyAll()*float64(cold.OK+cold.Empty) != float64(cold.Bytes) {
		t.Fatalf("cold pass %+v", cold)
	}
	w := r.Warm(context.Background())
	if w.Requests != 170 || w.Errors != 0 || w.Rate() <= 0 {
		t.Fatalf("warm passes %+v", w)
	}
	bad := r.Pass(context.Background(), "bad", "nope")
	if bad.Errors != 85 || len(bad.ErrorSamples) == 0 || !strings.Contains(bad.ErrorSamples[0], "404") {
		t.Fatalf("unknown layer pass %+v", bad)
	}
	var out bytes.Buffer
	cold.Write(&out)
	if !strings.Contains(out.String(), "tiles/s") || !strings.Contains(out.String(), "z3") {
		t.Fatalf("report %q", out.String())
	}
}

func TestTileListIsFixedAndComplete(t *testing.T) {
	a, b := TileList(0, 6, 1), TileList(0, 6, 1)
	if len(a) != 5461 {
		t.Fatalf("%d tiles for z0-z6, want 5461", len(a))
	}
	seen := map[[3]uint32]bool{}
	for i := range a {
		if a[i] != b[i] {
			t.Fatal("the order changes between runs")
		}
		seen[[3]uint32{uint32(a[i].Z), a[i].X, a[i].Y}] = true
	}
	if len(seen) != 5461 || a[0] == TileList(0, 6, 2)[0] && a[1] == TileList(0, 6, 2)[1] {
		t.Fatal("tiles repeat, or the seed does not change the order")
	}
}

func TestLoopbackOnly(t *testing.T) {
	for _, u := range []string{"http://127.0.0.1:8080", "http://localhost:1", "http://[::1]:80"} {
		if err := CheckLoopback(u); err != nil {
			t.Errorf("%s refused: %v", u, err)
		}
	}
	for _, u := range []string{"http://10.0.0.1:8080", "https://example.com", "http://0.0.0.0:80"} {
		if err := CheckLoopback(u); err == nil {
			t.Errorf("%s accepted", u)
		}
		if _, err := NewRunner(Config{BaseURL: u, MaxZoom: 1}); err == nil {
			t.Errorf("runner for %s made", u)
		}
	}
}

func TestPeakRSS(t *testing.T) {
	rss, err := PeakRSS(os.Getpid())
	if err != nil {
		t.Skipf("no /proc here: %v", err)
	}
	if rss < 1<<20 {
		t.Fatalf("peak RSS %d B", rss)
	}
}

// TestConnKeepAliveAndReconnect checks the hand-written request side of
// conn against net/http's server: bodies are read whole (fixed length and
// chunked), an answer with Connection: close makes the next request dial
// again, and a server gone is an error, not a hang.
func TestConnKeepAliveAndReconnect(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := n.Add(1)
		if r.Header.Get("Accept-Encoding") != "gzip" || r.Method != "GET" {
			http.Error(w, "bad request line", http.StatusBadRequest)
			return
		}
		switch {
		case strings.HasSuffix(r.URL.Path, "/empty.mvt"):
			w.WriteHeader(http.StatusNoContent)
			return
		case i%3 == 0:
			w.Header().Set("Connection", "close")
		case i%5 == 0:
			w.(http.Flusher).Flush() // chunked
		}
		w.Write(bytes.Repeat([]byte{'x'}, len(r.URL.Path)))
	}))
	c := newConn(strings.TrimPrefix(srv.URL, "http://"), "example.test", 5*time.Second)
	defer c.close()
	for i := range 20 {
		p := "/tiles/countries/" + strings.Repeat("1", i) + ".mvt"
		res, err := c.get(context.Background(), p)
		if err != nil || res.code != 200 || res.size != len(p) || res.d <= 0 {
			t.Fatalf("request %d: %+v %v", i, res, err)
		}
	}
	if res, err := c.get(context.Background(), "/tiles/countries/empty.mvt"); err != nil || res.code != 204 || res.size != 0 {
		t.Fatalf("empty tile: %+v %v", res, err)
	}
	srv.Close()
	if _, err := c.get(context.Background(), "/tiles/countries/0/0/0.mvt"); err == nil {
		t.Fatal("no error from a server that is gone")
	}
}
