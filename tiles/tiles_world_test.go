package tiles_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/geo"
	"github.com/armsflow/armsflow/tiles"
	"github.com/armsflow/armsflow/tiles/mvtcheck"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"
)

// Test data: the real Natural Earth 1:50m admin-0 countries from
// ../shared/data (skipped when absent), with transfers, conflicts and
// events INVENTED for these tests (their source says so). No figure here is
// a real transfer.

func repoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test directory")
		}
		dir = parent
	}
}

var (
	neOnce      sync.Once
	neCountries []data.Country
	neErr       error
)

// naturalEarth loads ne_50m_admin_0_countries.json, keyed by ADM0_A3 (the
// ISO_A3 column is "-99" for France, Norway and others).
func naturalEarth(t testing.TB) []data.Country {
	t.Helper()
	path := filepath.Join(repoRoot(t), "..", "shared", "data", "naturalearth-geojson", "ne_50m_admin_0_countries.json")
	neOnce.Do(func() {
		raw, err := os.ReadFile(path)
		if err != nil {
			neErr = err
			return
		}
		fc, err := geojson.UnmarshalFeatureCollection(raw)
		if err != nil {
			neErr = fmt.Errorf("%s: %w", path, err)
			return
		}
		for _, f := range fc.Features {
			var mp orb.MultiPolygon
			switch g := f.Geometry.(type) {
			case orb.Polygon:
				mp = orb.MultiPolygon{g}
			case orb.MultiPolygon:
				mp = g
			default:
				continue
			}
			neCountries = append(neCountries, data.Country{
				ISO3: f.Properties.MustString("ADM0_A3", ""), Name: f.Properties.MustString("NAME", ""), Geometry: mp,
			})
		}
	})
	if neErr != nil {
		t.Skipf("Natural Earth countries not available (%v): tests need ../shared/data", neErr)
	}
	// Every World takes ownership of its slice: hand out copies.
	out := make([]data.Country, len(neCountries))
	copy(out, neCountries)
	return out
}

var invented = data.Source{Publisher: "armsflow tiles tests", Title: "Invented rows for tile tests (not real data)", Date: "2026"}

func i64(v int64) *int64     { return &v }
func f64(v float64) *float64 { return &v }

// handTransfers are a few invented transfers between real countries.
func handTransfers() []data.Transfer {
	t := func(id int64, sup, rec string, cat data.Category, order int, del []int, q int64, v float64, u data.Unit) data.Transfer {
		return data.Transfer{ID: id, Key: fmt.Sprintf("test:%d", id), Supplier: sup, Recipient: rec, Weapon: fmt.Sprintf("W-%d", id),
			Category: cat, OrderYear: order, DeliveryYears: del, Quantity: i64(q), Value: f64(v), Unit: u,
			Status: data.StatusDelivered, Source: invented}
	}
	return []data.Transfer{
		t(1, "USA", "UKR", data.CatMissiles, 2022, []int{2022, 2023}, 100, 50, data.UnitTIV),
		t(2, "USA", "UKR", data.CatArtillery, 2022, []int{2022}, 90, 400e6, data.UnitUSD),
		t(3, "GBR", "UKR", data.CatArmoured, 2023, []int{2023}, 14, 300e6, data.UnitEUR),
		t(4, "DEU", "UKR", data.CatAirDefence, 2023, []int{2023, 2024}, 3, 120, data.UnitTIV),
		t(5, "USA", "SAU", data.CatAircraft, 2012, []int{2016, 2017, 2018, 2019}, 84, 1200, data.UnitTIV),
		t(6, "FRA", "IND", data.CatAircraft, 2016, []int{2020, 2021}, 36, 900, data.UnitTIV),
		t(7, "RUS", "IND", data.CatAirDefence, 2018, []int{2021, 2022, 2023}, 5, 1500, data.UnitTIV),
		t(8, "CHN", "PAK", data.CatNaval, 2015, []int{2021, 2022, 2023}, 8, 700, data.UnitTIV),
		t(9, "USA", "AUS", data.CatAircraft, 2014, []int{2018, 2019, 2020}, 72, 2000, data.UnitTIV),
		t(10, "USA", "NZL", data.CatAircraft, 2019, []int{2022}, 4, 500e6, data.UnitUSD), // crosses the antimeridian
		t(11, "RUS", "SRB", data.CatArmoured, 2019, []int{2020}, 30, 40, data.UnitTIV),
		t(12, "TUR", "UKR", data.CatDrones, 2019, []int{2019, 2022}, 20, 70, data.UnitTIV),
	}
}

func handConflicts() []data.Conflict {
	return []data.Conflict{
		{ID: "T-UKR", Name: "Invented interstate conflict", Type: data.ConflictInterstate, StartYear: 2022, Intensity: 2,
			Countries: []string{"UKR", "RUS"}, Source: invented},
		{ID: "T-YEM", Name: "Invented internationalized conflict", Type: data.ConflictInternationized, StartYear: 2015, Intensity: 2,
			Years: map[int]int{2015: 2, 2019: 2, 2022: 1}, Countries: []string{"YEM", "SAU"}, Source: invented},
		{ID: "T-AREA", Name: "Invented conflict with its own area", Type: data.ConflictIntrastate, StartYear: 2012, EndYear: 2020, Intensity: 1,
			Countries: []string{"MLI"}, Geometry: orb.Polygon{{{-5, 14}, {2, 14}, {2, 20}, {-5, 20}, {-5, 14}}}, Source: invented},
	}
}

// inventedEvents scatters n events over a few lon/lat boxes, reproducibly.
func inventedEvents(n int, seed uint64) []data.Event {
	r := rand.New(rand.NewPCG(seed, 7))
	boxes := []struct {
		b    orb.Bound
		conf string
	}{
		{orb.Bound{Min: orb.Point{30, 46}, Max: orb.Point{40, 52}}, "T-UKR"},
		{orb.Bound{Min: orb.Point{43, 13}, Max: orb.Point{53, 18}}, "T-YEM"},
		{orb.Bound{Min: orb.Point{-5, 14}, Max: orb.Point{2, 20}}, "T-AREA"},
		{orb.Bound{Min: orb.Point{177, -19}, Max: orb.Point{180, -16}}, ""},
	}
	evs := make([]data.Event, n)
	for i := range evs {
		bx := boxes[i%len(boxes)]
		p := orb.Point{bx.b.Min[0] + r.Float64()*(bx.b.Max[0]-bx.b.Min[0]), bx.b.Min[1] + r.Float64()*(bx.b.Max[1]-bx.b.Min[1])}
		evs[i] = data.Event{ID: fmt.Sprint(100000 + i), ConflictID: bx.conf,
			Date: fmt.Sprintf("%d-%02d-%02d", 2012+r.IntN(13), 1+r.IntN(12), 1+r.IntN(28)), Point: p,
			Deaths: int64(r.IntN(50)), Source: invented}
	}
	return evs
}

// testWorld is Natural Earth plus the hand-made rows and nEvents events.
func testWorld(t testing.TB, nEvents int) *geo.World {
	return geo.NewWorld(1, naturalEarth(t), nil, handConflicts(), inventedEvents(nEvents, 1), handTransfers())
}

// staticSource serves one World.
type staticSource struct{ w *geo.World }

func (s staticSource) World(context.Context) (*geo.World, error) { return s.w, nil }

// checkOpts is what every tile these tests make must pass cleanly: no
// error and no warning, coordinates within the 64-unit buffer.
var checkOpts = mvtcheck.Options{CheckBounds: true, Buffer: 64}

// render renders a tile, checks it with mvtcheck and decodes it with orb.
func render(t testing.TB, r *tiles.Renderer, layers []string, tl maptile.Tile, f data.Filter) ([]byte, mvt.Layers) {
	t.Helper()
	b, _, err := r.Render(context.Background(), layers, tl, f)
	if err != nil {
		t.Fatalf("render %v: %v", tl, err)
	}
	if b == nil {
		return nil, nil
	}
	if rep := mvtcheck.Check(b, checkOpts); !rep.Clean() {
		t.Fatalf("tile %d/%d/%d fails mvtcheck: %v", tl.Z, tl.X, tl.Y, rep.Err())
	}
	ls, err := mvt.Unmarshal(b)
	if err != nil {
		t.Fatalf("tile %d/%d/%d: orb cannot decode: %v", tl.Z, tl.X, tl.Y, err)
	}
	return b, ls
}

func layerByName(ls mvt.Layers, name string) *mvt.Layer {
	for _, l := range ls {
		if l.Name == name {
			return l
		}
	}
	return nil
}

// featureWith returns the first feature of a layer whose property key
// equals val.
func featureWith(l *mvt.Layer, key string, val any) *geojson.Feature {
	if l == nil {
		return nil
	}
	for _, f := range l.Features {
		if f.Properties[key] == val {
			return f
		}
	}
	return nil
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// featuresOf is a layer's features, none for a missing layer.
func featuresOf(l *mvt.Layer) []*geojson.Feature {
	if l == nil {
		return nil
	}
	return l.Features
}
