package tiles

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/geo"
	"github.com/armsflow/armsflow/geo/geotest"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"
)

func fixtureRenderer(t testing.TB) *Renderer {
	t.Helper()
	src := geo.NewSource(geotest.NewStoreWith(geotest.Fixture()), time.Hour)
	return NewRenderer(src, Options{})
}

func TestExportMBTiles(t *testing.T) {
	r := fixtureRenderer(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "out.mbtiles")
	var progress bytes.Buffer
	f, _ := data.ParseFilter(map[string][]string{"years": {"2014-2024"}})
	st, err := ExportMBTiles(context.Background(), r, path, ExportOptions{Layers: []string{"countries", "flows"}, MinZoom: 0, MaxZoom: 4,
		Filter: f, Progress: &progress})
	if err != nil {
		t.Fatal(err)
	}
	if st.Tiles == 0 || st.Empty == 0 || st.Tiles+st.Empty != 341 || st.Version != 1 {
		t.Fatalf("stats %+v: want 341 tiles of z0-4 in all, some empty", st)
	}
	if !strings.Contains(progress.String(), "100%") || !strings.Contains(progress.String(), "341 tiles in") {
		t.Fatalf("progress output: %q", progress.String())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("directory holds %d files, want only the archive", len(entries))
	}

	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	meta := map[string]string{}
	rows, err := db.Query(`SELECT name, value FROM metadata`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			t.Fatal(err)
		}
		meta[k] = v
	}
	rows.Close()
	for k, want := range map[string]string{"format": "pbf", "minzoom": "0", "maxzoom": "4", "bounds": "-180,-85.0511287798066,180,85.0511287798066",
		"center": "0,0,2", "armsflow_filter": "years=2014-2024", "name": "armsflow countries, flows"} {
		if meta[k] != want {
			t.Errorf("metadata %s = %q, want %q", k, meta[k], want)
		}
	}
	if !strings.Contains(meta["attribution"], "SIPRI") {
		t.Errorf("attribution = %q", meta["attribution"])
	}
	var js struct {
		VectorLayers []LayerInfo `json:"vector_layers"`
	}
	if err := json.Unmarshal([]byte(meta["json"]), &js); err != nil || len(js.VectorLayers) != 2 || js.VectorLayers[1].Name != "flows" ||
		js.VectorLayers[0].Fields["iso3"] == "" {
		t.Fatalf("metadata json %q: %v", meta["json"], err)
	}
	var n int64
	if err := db.QueryRow(`SELECT count(*) FROM tiles`).Scan(&n); err != nil || n != st.Tiles {
		t.Fatalf("tiles table holds %d rows, stats say %d (%v)", n, st.Tiles, err)
	}

	// Tile 2/2/1 (Europe) is stored at TMS row 4-1-1 = 2, gzip-compressed,
	// and decodes to what the renderer makes.
	var gz []byte
	if err := db.QueryRow(`SELECT tile_data FROM tiles WHERE zoom_level = 2 AND tile_column = 2 AND tile_row = 2`).Scan(&gz); err != nil {
		t.Fatal(err)
	}
	raw := gunzip(t, gz)
	want, _, err := r.Render(context.Background(), []string{"countries", "flows"}, maptile.New(2, 1, 2), f)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(raw, want) {
		t.Fatal("stored tile 2/2/1 differs from a fresh render")
	}
	ls, err := mvt.Unmarshal(raw)
	if err != nil || len(ls) != 2 || len(ls[0].Features) == 0 {
		t.Fatalf("stored tile: %v layers, err %v", len(ls), err)
	}
}

func TestExportBoundsAndOptions(t *testing.T) {
	r := fixtureRenderer(t)
	// Europe only: at z4 the box covers x 7-9 (22.5° columns), y 4-6 (60°N is in row 4, 35°N in row 6).
	p, err := planExport(r, ExportOptions{MinZoom: 4, MaxZoom: 4, Bounds: orb.Bound{Min: orb.Point{-10, 35}, Max: orb.Point{30, 60}}})
	if err != nil {
		t.Fatal(err)
	}
	var got []maptile.Tile
	_ = p.eachTile(context.Background(), func(t maptile.Tile) error { got = append(got, t); return nil })
	if len(got) != 9 || p.total != 9 || got[0].X < 7 || got[0].Y < 4 {
		t.Fatalf("tiles %v (total %d), want 9", got, p.total)
	}
	for i := 1; i < len(got); i++ {
		if tileID(4, got[i-1].X, got[i-1].Y) >= tileID(4, got[i].X, got[i].Y) {
			t.Fatal("tiles not in Hilbert order")
		}
	}
	for _, o := range []ExportOptions{
		{MinZoom: 3, MaxZoom: 2},
		{MaxZoom: 25},
		{Layers: []string{"nope"}},
		{Layers: []string{"flows", "flows"}},
		{Bounds: orb.Bound{Min: orb.Point{10, 10}, Max: orb.Point{5, 20}}},
	} {
		if _, err := ExportMBTiles(context.Background(), r, filepath.Join(t.TempDir(), "x.mbtiles"), o); err == nil {
			t.Errorf("options %+v accepted", o)
		}
	}
}

// failingRenderer fails after some renders.
type failingRenderer struct {
	TileRenderer
	left int
	mu   chan struct{}
}

func (f *failingRenderer) Render(ctx context.Context, l []string, t maptile.Tile, fl data.Filter) ([]byte, int64, error) {
	f.mu <- struct{}{}
	f.left--
	left := f.left
	<-f.mu
	if left < 0 {
		return nil, 0, errors.New("disk on fire")
	}
	return f.TileRenderer.Render(ctx, l, t, fl)
}

func TestExportLeavesNothingOnError(t *testing.T) {
	for _, format := range []string{"mbtiles", "pmtiles"} {
		dir := t.TempDir()
		path := filepath.Join(dir, "out."+format)
		if err := os.WriteFile(path, []byte("previous archive"), 0o644); err != nil {
			t.Fatal(err)
		}
		fr := &failingRenderer{TileRenderer: fixtureRenderer(t), left: 50, mu: make(chan struct{}, 1)}
		export := ExportMBTiles
		if format == "pmtiles" {
			export = ExportPMTiles
		}
		_, err := export(context.Background(), fr, path, ExportOptions{MaxZoom: 4})
		if err == nil || !strings.Contains(err.Error(), "disk on fire") || !strings.Contains(err.Error(), path) {
			t.Fatalf("%s: error %v", format, err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := export(ctx, fixtureRenderer(t), path, ExportOptions{MaxZoom: 4}); !errors.Is(err, context.Canceled) {
			t.Fatalf("%s: cancelled export: %v", format, err)
		}
		entries, _ := os.ReadDir(dir)
		b, _ := os.ReadFile(path)
		if len(entries) != 1 || string(b) != "previous archive" {
			t.Fatalf("%s: after failed exports the directory holds %d files and the archive %q", format, len(entries), b)
		}
	}
}

func TestHilbertRoundTrip(t *testing.T) {
	for z := uint8(0); z <= 8; z++ {
		n := uint64(1) << z
		for d := range n * n {
			x, y := hilbertXY(z, d)
			if got := tileID(z, x, y); got != (n*n-1)/3+d {
				t.Fatalf("z%d d%d: tile %d/%d has id %d, want %d", z, d, x, y, got, (n*n-1)/3+d)
			}
		}
	}
}
