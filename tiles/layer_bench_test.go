package tiles_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/geo"
	"github.com/armsflow/armsflow/tiles"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"
)

// Benchmarks render with the real Natural Earth 1:50m countries, the
// invented transfers and conflicts of tiles_world_test.go and 50,000
// invented events. Each reports bytes/tile (mean uncompressed size) beside
// ns/op, B/op and allocs/op. Geometry levels are warmed before timing:
// "cold" here means not cached by tiles.Cache, as on a server that has
// served the zoom once.

// pyramid returns every tile of zooms lo..hi in a fixed shuffled order.
func pyramid(lo, hi int) []maptile.Tile {
	var ts []maptile.Tile
	for z := lo; z <= hi; z++ {
		for x := 0; x < 1<<z; x++ {
			for y := 0; y < 1<<z; y++ {
				ts = append(ts, maptile.New(uint32(x), uint32(y), maptile.Zoom(z)))
			}
		}
	}
	r := rand.New(rand.NewPCG(42, 42))
	r.Shuffle(len(ts), func(i, j int) { ts[i], ts[j] = ts[j], ts[i] })
	return ts
}

// zoomSample is every tile of z when there are at most 256, else the 256
// tiles around Europe, Africa and the Middle East at z (a dense area).
func zoomSample(z int) []maptile.Tile {
	if z <= 4 {
		return pyramid(z, z)
	}
	c := maptile.At([2]float64{30, 30}, maptile.Zoom(z))
	var ts []maptile.Tile
	for dx := -8; dx < 8; dx++ {
		for dy := -8; dy < 8; dy++ {
			ts = append(ts, maptile.New(uint32(int(c.X)+dx), uint32(int(c.Y)+dy), maptile.Zoom(z)))
		}
	}
	return ts
}

func benchRenderer(b *testing.B) *tiles.Renderer {
	w := testWorld(b, 50000)
	return tiles.NewRenderer(staticSource{w}, tiles.Options{})
}

func runTiles(b *testing.B, r *tiles.Renderer, layers []string, ts []maptile.Tile) {
	ctx := context.Background()
	var f data.Filter
	total := 0
	for _, t := range ts { // warm the per-zoom levels and the join; measure sizes
		buf, _, err := r.Render(ctx, layers, t, f)
		if err != nil {
			b.Fatal(err)
		}
		total += len(buf)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := r.Render(ctx, layers, ts[i%len(ts)], f); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(total)/float64(len(ts)), "bytes/tile")
}

func BenchmarkRender(b *testing.B) {
	r := benchRenderer(b)
	for _, layer := range allLayerNames {
		for _, z := range []int{0, 4, 8} {
			b.Run(fmt.Sprintf("%s/z%d", layer, z), func(b *testing.B) {
				runTiles(b, r, []string{layer}, zoomSample(z))
			})
		}
	}
}

// BenchmarkCountriesPyramid renders all 5,461 tiles of z0–z6 of the
// countries layer in a shuffled order: the load of PERFORMANCE.md.
func BenchmarkCountriesPyramid(b *testing.B) {
	runTiles(b, benchRenderer(b), []string{"countries"}, pyramid(0, 6))
}

// BenchmarkAllLayersPyramid is the same with every layer in one tile.
func BenchmarkAllLayersPyramid(b *testing.B) {
	runTiles(b, benchRenderer(b), nil, pyramid(0, 6))
}

// BenchmarkPrepare measures building a World's prepared geometry and the
// simplified levels z0–z9 (what the first requests after a reload pay).
func BenchmarkPrepare(b *testing.B) {
	w := testWorld(b, 50000)
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		r := tiles.NewRenderer(staticSource{w}, tiles.Options{})
		for z := 0; z < 10; z++ {
			if _, _, err := r.Render(ctx, []string{"countries"}, maptile.New(0, 0, maptile.Zoom(z)), data.Filter{}); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkNewVersion measures what a new World version costs the first
// tile rendered from it when only transfers changed (geometry reused).
func BenchmarkNewVersion(b *testing.B) {
	w := testWorld(b, 50000)
	ctx := context.Background()
	src := &staticSource{w}
	r := tiles.NewRenderer(src, tiles.Options{})
	tl := maptile.New(9, 5, 4)
	if _, _, err := r.Render(ctx, []string{"countries"}, tl, data.Filter{}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		src.w = geo.NewWorld(int64(i+2), w.Countries, nil, w.Conflicts, w.Events, w.Transfers)
		b.StartTimer()
		if _, _, err := r.Render(ctx, []string{"countries"}, tl, data.Filter{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOrbMarshal re-encodes the z4 countries tiles, decoded, with
// orb's mvt.Marshal (geojson features, map properties, gogo structs): the
// encoding step alone, for comparison with BenchmarkRender/countries/z4,
// which finds, clips and encodes with this package's writer.
func BenchmarkOrbMarshal(b *testing.B) {
	r := benchRenderer(b)
	var all []mvt.Layers
	for _, t := range zoomSample(4) {
		buf, _, err := r.Render(context.Background(), []string{"countries"}, t, data.Filter{})
		if err != nil {
			b.Fatal(err)
		}
		if buf == nil {
			continue
		}
		ls, err := mvt.Unmarshal(buf)
		if err != nil {
			b.Fatal(err)
		}
		all = append(all, ls)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := mvt.Marshal(all[i%len(all)]); err != nil {
			b.Fatal(err)
		}
	}
}
