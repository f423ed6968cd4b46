package geo_test

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/armsflow/armsflow/geo"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/planar"
)

// sharedData returns the path of a file under ../shared/data beside the
// repository root (the directory holding go.mod), skipping the test when
// the shared data folder is absent.
func sharedData(tb testing.TB, rel string) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Skip("no go.mod above the test directory; cannot find ../shared/data")
		}
		dir = parent
	}
	p := filepath.Join(dir, "..", "shared", "data", rel)
	if _, err := os.Stat(p); err != nil {
		tb.Skipf("shared data %s not available: %v", p, err)
	}
	return p
}

var (
	ne50Once sync.Once
	ne50     map[string]orb.MultiPolygon
	ne50Err  error
)

// naturalEarth50m loads the Natural Earth 1:50m admin-0 countries keyed by
// ADM0_A3 (ISO_A3 is "-99" for France and Norway).
func naturalEarth50m(tb testing.TB) map[string]orb.MultiPolygon {
	tb.Helper()
	path := sharedData(tb, "naturalearth-geojson/ne_50m_admin_0_countries.json")
	ne50Once.Do(func() {
		b, err := os.ReadFile(path)
		if err != nil {
			ne50Err = err
			return
		}
		fc, err := geojson.UnmarshalFeatureCollection(b)
		if err != nil {
			ne50Err = err
			return
		}
		ne50 = make(map[string]orb.MultiPolygon)
		for _, f := range fc.Features {
			id := f.Properties.MustString("ADM0_A3", "")
			switch g := f.Geometry.(type) {
			case orb.Polygon:
				ne50[id] = orb.MultiPolygon{g}
			case orb.MultiPolygon:
				ne50[id] = g
			}
		}
	})
	if ne50Err != nil {
		tb.Fatalf("read natural earth: %v", ne50Err)
	}
	return ne50
}

func TestAnchorNaturalEarth(t *testing.T) {
	countries := naturalEarth50m(t)
	// Boxes the anchor must fall in: the part of the country it belongs to.
	tests := []struct {
		iso3     string
		min, max orb.Point // lon/lat box
	}{
		{"FRA", orb.Point{-5, 42}, orb.Point{8.5, 51.5}},      // metropolitan France, not French Guiana
		{"USA", orb.Point{-125, 25}, orb.Point{-67, 49.5}},    // contiguous US, not Alaska
		{"NOR", orb.Point{4, 57.5}, orb.Point{31.5, 71.5}},    // mainland, not Svalbard
		{"RUS", orb.Point{27, 41}, orb.Point{180, 82}},        // the main landmass, not Chukotka's east part
		{"FJI", orb.Point{177, -18.5}, orb.Point{178.8, -17}}, // Viti Levu
		{"NZL", orb.Point{166, -47.5}, orb.Point{175, -40}},   // South Island is the larger one
		{"GBR", orb.Point{-6, 50}, orb.Point{2, 59}},          // Great Britain
		{"CHL", orb.Point{-76, -56}, orb.Point{-66, -17}},
		{"IDN", orb.Point{95, -11}, orb.Point{141, 6}},
	}
	for _, tt := range tests {
		t.Run(tt.iso3, func(t *testing.T) {
			mp, ok := countries[tt.iso3]
			if !ok {
				t.Fatalf("%s not in the data", tt.iso3)
			}
			a := geo.Anchor(mp)
			if a[0] < tt.min[0] || a[0] > tt.max[0] || a[1] < tt.min[1] || a[1] > tt.max[1] {
				t.Errorf("Anchor(%s) = %v, want inside %v–%v", tt.iso3, a, tt.min, tt.max)
			}
			if !planar.MultiPolygonContains(mp, a) {
				t.Errorf("Anchor(%s) = %v is not inside the country", tt.iso3, a)
			}
		})
	}
}

// Every Natural Earth country gets an anchor on its own land.
func TestAnchorAllCountriesOnLand(t *testing.T) {
	countries := naturalEarth50m(t)
	if len(countries) < 200 {
		t.Fatalf("only %d countries read", len(countries))
	}
	for id, mp := range countries {
		a := geo.Anchor(mp)
		if a[0] < -180 || a[0] > 180 || a[1] < -90 || a[1] > 90 {
			t.Errorf("%s: anchor %v out of range", id, a)
		}
		if !planar.MultiPolygonContains(mp, a) {
			t.Errorf("%s: anchor %v is not inside the country", id, a)
		}
	}
}

func square(x0, y0, size float64) orb.Polygon {
	return orb.Polygon{{{x0, y0}, {x0 + size, y0}, {x0 + size, y0 + size}, {x0, y0 + size}, {x0, y0}}}
}

func TestAnchorSynthetic(t *testing.T) {
	tests := []struct {
		name string
		mp   orb.MultiPolygon
		want orb.Point
		tol  float64
	}{
		{"empty", nil, orb.Point{}, 0},
		{"square", orb.MultiPolygon{square(10, 20, 2)}, orb.Point{11, 21}, 0.02},
		{"largest wins", orb.MultiPolygon{square(0, 0, 1), square(30, 0, 4)}, orb.Point{32, 2}, 0.02},
		// Spherical area: a 10°×10° square at 65–75°N covers
		// R²·0.1745·(sin 75° − sin 65°) = 0.0104 R², a 6°×6° square on the
		// equator R²·0.1047·(sin 3° − sin −3°) = 0.0110 R², so the equatorial
		// one wins although it is smaller in plain degrees.
		{"spherical area", orb.MultiPolygon{square(0, 65, 10), square(50, -3, 6)}, orb.Point{53, 0}, 0.02},
		// A tiny island (about 0.02° across): the anchor must be on it.
		{"tiny island", orb.MultiPolygon{square(173.01, 1.33, 0.02)}, orb.Point{173.02, 1.34}, 0.001},
		{"degenerate", orb.MultiPolygon{{{{5, 5}, {5, 5}, {5, 5}, {5, 5}}}}, orb.Point{5, 5}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := geo.Anchor(tt.mp)
			if math.Abs(got[0]-tt.want[0]) > tt.tol || math.Abs(got[1]-tt.want[1]) > tt.tol {
				t.Errorf("Anchor = %v, want %v ± %v", got, tt.want, tt.tol)
			}
		})
	}
}

// A polygon whose ring crosses the antimeridian (178°E to 178°W) anchors at
// its middle, on the antimeridian, not at 0°.
func TestAnchorAntimeridianRing(t *testing.T) {
	p := orb.Polygon{{{178, -20}, {-178, -20}, {-178, -16}, {178, -16}, {178, -20}}}
	got := geo.Anchor(orb.MultiPolygon{p})
	if math.Abs(math.Abs(got[0])-180) > 0.02 || math.Abs(got[1]+18) > 0.02 {
		t.Errorf("Anchor = %v, want ±180, -18", got)
	}
	// A hole on the anchor's natural spot pushes it aside but keeps it inside.
	holed := orb.Polygon{
		{{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 0}},
		{{4, 4}, {4, 6}, {6, 6}, {6, 4}, {4, 4}},
	}
	a := geo.Anchor(orb.MultiPolygon{holed})
	if !planar.PolygonContains(holed, a) {
		t.Errorf("Anchor of holed square = %v, not inside", a)
	}
}

// star is a big polygon with n vertices for the benchmark.
func star(n int) orb.Polygon {
	r := make(orb.Ring, 0, n+1)
	for i := 0; i < n; i++ {
		t := 2 * math.Pi * float64(i) / float64(n)
		rad := 10 + 3*math.Sin(7*t) + 0.5*math.Sin(97*t)
		r = append(r, orb.Point{60 + rad*math.Cos(t), 50 + rad*math.Sin(t)*0.7})
	}
	r = append(r, r[0])
	return orb.Polygon{r}
}

func BenchmarkAnchorBigPolygon(b *testing.B) {
	mp := orb.MultiPolygon{star(20000)}
	b.ReportAllocs()
	for b.Loop() {
		geo.Anchor(mp)
	}
}

func BenchmarkAnchorRussia(b *testing.B) {
	mp := naturalEarth50m(b)["RUS"]
	b.ReportAllocs()
	for b.Loop() {
		geo.Anchor(mp)
	}
}

func ExampleAnchor() {
	// A country of two islands: the anchor is in the middle of the larger.
	mp := orb.MultiPolygon{
		{{{0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}}},
		{{{10, 0}, {14, 0}, {14, 4}, {10, 4}, {10, 0}}},
	}
	a := geo.Anchor(mp)
	fmt.Printf("%.1f %.1f\n", a[0], a[1])
	// Output: 12.0 2.0
}
