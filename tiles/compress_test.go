package tiles

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/data/imports"
	"github.com/armsflow/armsflow/geo"
	"github.com/paulmach/orb/maptile"
)

type worldSource struct{ w *geo.World }

func (s worldSource) World(context.Context) (*geo.World, error) { return s.w, nil }

// naturalEarthTiles renders countries tiles of Natural Earth 1:50m (the
// PERFORMANCE.md data) at a low, middle and high zoom.
func naturalEarthTiles(b testing.TB) map[string][]byte {
	b.Helper()
	dir, _ := os.Getwd()
	for ; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		if dir == filepath.Dir(dir) {
			b.Fatal("no go.mod above the test")
		}
	}
	path := filepath.Join(dir, "..", "shared", "data", "naturalearth-geojson", "ne_50m_admin_0_countries.json")
	f, err := os.Open(path)
	if err != nil {
		b.Skipf("Natural Earth countries not available (%v): benchmarks need ../shared/data", err)
	}
	defer f.Close()
	cs, err := imports.ParseCountries(f, path)
	if err != nil {
		b.Fatal(err)
	}
	r := NewRenderer(worldSource{geo.NewWorld(1, cs, nil, nil, nil, nil)}, Options{})
	out := map[string][]byte{}
	for name, t := range map[string]maptile.Tile{"z0": maptile.New(0, 0, 0), "z3-europe": maptile.New(4, 2, 3), "z6-benelux": maptile.New(33, 21, 6)} {
		raw, _, err := r.Render(context.Background(), []string{"countries"}, t, data.Filter{})
		if err != nil || len(raw) == 0 {
			b.Fatalf("render %s: %d bytes, %v", name, len(raw), err)
		}
		out[name] = raw
	}
	return out
}

// BenchmarkCompress measures the encodings a cached tile gets: the ratio
// metric is compressed/raw size.
func BenchmarkCompress(b *testing.B) {
	tiles := naturalEarthTiles(b)
	for _, name := range []string{"z0", "z3-europe", "z6-benelux"} {
		raw := tiles[name]
		for _, c := range []struct {
			name string
			gz   int
			br   int
		}{{"gzip-6", 6, 0}, {"gzip-9", 9, 0}, {"brotli-4", 0, 4}, {"brotli-6", 0, 6}, {"brotli-11", 0, 11}} {
			comp, err := newCompressor(c.gz, c.br)
			if err != nil {
				b.Fatal(err)
			}
			f := comp.gzip
			if c.br != 0 {
				f = comp.brotli
			}
			b.Run(fmt.Sprintf("%s/%s-%dB", c.name, name, len(raw)), func(b *testing.B) {
				b.SetBytes(int64(len(raw)))
				b.ReportAllocs()
				var out []byte
				for b.Loop() {
					out = f(raw)
				}
				b.ReportMetric(float64(len(out))/float64(len(raw)), "ratio")
			})
		}
	}
}

// BenchmarkCacheHit is the warm path of a tile request below HTTP: version
// check, key, map lookup, LRU move.
func BenchmarkCacheHit(b *testing.B) {
	c, _, _, _ := newTestCache(b, CacheOptions{})
	ctx := context.Background()
	t := maptile.New(5, 9, 4)
	if _, err := c.Tile(ctx, "countries", t, data.Filter{}); err != nil {
		b.Fatal(err)
	}
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.Tile(ctx, "countries", t, data.Filter{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := c.Tile(ctx, "countries", t, data.Filter{}); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
	if s := c.Stats(); s.Renders != 1 {
		b.Fatalf("%d renders", s.Renders)
	}
}
