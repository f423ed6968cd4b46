package metrics

import (
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/server/live"
	"github.com/armsflow/armsflow/tiles"
	"github.com/paulmach/orb/maptile"
)

func scrape(t *testing.T, m *Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != 200 {
		t.Fatalf("scrape: %d %s", rec.Code, rec.Body)
	}
	b, _ := io.ReadAll(rec.Body)
	return string(b)
}

func wantLines(t *testing.T, s string, lines ...string) {
	t.Helper()
	for _, l := range lines {
		if !strings.Contains(s, l+"\n") {
			t.Errorf("no line %q in the scrape", l)
		}
	}
}

type fakeRenderer struct{ err error }

func (fakeRenderer) Layers() []tiles.LayerInfo {
	return []tiles.LayerInfo{{Name: "countries"}, {Name: "flows"}}
}

func (f fakeRenderer) Render(ctx context.Context, layers []string, t maptile.Tile, flt data.Filter) ([]byte, int64, error) {
	return []byte{1}, 7, f.err
}

func TestInstrumentRenderer(t *testing.T) {
	m := New()
	r := m.InstrumentRenderer(fakeRenderer{})
	ctx := context.Background()
	for _, ls := range [][]string{{"flows", "countries"}, {"countries", "flows"}, {"countries"}, {"bogus"}} {
		if b, v, err := r.Render(ctx, ls, maptile.New(1, 1, 3), data.Filter{}); err != nil || v != 7 || len(b) != 1 {
			t.Fatalf("render passes through: %v %d %v", b, v, err)
		}
	}
	bad := m.InstrumentRenderer(fakeRenderer{err: errors.New("boom")})
	_, _, _ = bad.Render(ctx, []string{"flows"}, maptile.New(0, 0, 0), data.Filter{})
	_, _, _ = m.InstrumentRenderer(fakeRenderer{err: tiles.ErrOutOfRange}).Render(ctx, []string{"flows"}, maptile.New(0, 0, 0), data.Filter{})
	s := scrape(t, m)
	wantLines(t, s,
		`armsflow_tile_render_seconds_count{layers="countries,flows",zoom="3"} 2`,
		`armsflow_tile_render_seconds_count{layers="countries",zoom="3"} 1`,
		`armsflow_tile_render_seconds_count{layers="other",zoom="3"} 1`,
		`armsflow_tile_render_errors_total{layers="flows"} 1`,
	)
}

func TestCollectors(t *testing.T) {
	m := New()
	m.WatchCache(func() tiles.CacheStats {
		return tiles.CacheStats{Entries: 3, Bytes: 4096, MaxBytes: 1 << 20, Hits: 10, Misses: 2, Renders: 2, Evictions: 1, Dropped: 5}
	})
	m.WatchHub(func() live.Stats { return live.Stats{Conns: 4, Rooms: 1, SlowDrops: 2} })
	up := true
	m.WatchVersion(func(context.Context) (int64, error) {
		if !up {
			return 0, errors.New("down")
		}
		return 42, nil
	})
	m.CountChange(data.Change{Inserted: map[string]int{"transfers": 3, "actors": 1}, Updated: map[string]int{"transfers": 2},
		Deleted: map[string]int{"weird": 1}})
	m.CountChange(data.Change{Inserted: map[string]int{"transfers": 1}})
	s := scrape(t, m)
	wantLines(t, s,
		"armsflow_tile_cache_hits_total 10", "armsflow_tile_cache_misses_total 2", "armsflow_tile_cache_entries 3",
		"armsflow_tile_cache_bytes 4096", "armsflow_tile_cache_max_bytes 1.048576e+06", "armsflow_tile_cache_invalidated_total 5",
		"armsflow_live_connections 4", "armsflow_live_rooms 1", "armsflow_live_slow_drops_total 2",
		"armsflow_data_version 42", "armsflow_store_up 1",
		`armsflow_rows_written_total{kind="transfers",op="inserted"} 4`,
		`armsflow_rows_written_total{kind="transfers",op="updated"} 2`,
		`armsflow_rows_written_total{kind="actors",op="inserted"} 1`,
		`armsflow_rows_written_total{kind="other",op="deleted"} 1`,
	)
	up = false
	s = scrape(t, m)
	wantLines(t, s, "armsflow_store_up 0")
	if strings.Contains(s, "armsflow_data_version ") {
		t.Error("a version reported while the store is down")
	}
}

func TestObserveRequestBoundsLabels(t *testing.T) {
	m := New()
	m.ObserveRequest("/api/flows", "GET", 200, 100, 0)
	m.ObserveRequest("/api/flows", "FOO\x00", 405, 0, 0)
	s := scrape(t, m)
	wantLines(t, s,
		`armsflow_http_requests_total{method="GET",route="/api/flows",status="200"} 1`,
		`armsflow_http_requests_total{method="OTHER",route="/api/flows",status="405"} 1`,
		`armsflow_http_response_bytes_total{route="/api/flows"} 100`)
}

func TestWriteTextfile(t *testing.T) {
	m := New()
	m.CountChange(data.Change{Inserted: map[string]int{"transfers": 5}})
	p := t.TempDir() + "/armsflow.prom"
	if err := m.WriteTextfile(p); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	wantLines(t, string(b), `armsflow_rows_written_total{kind="transfers",op="inserted"} 5`)
}
