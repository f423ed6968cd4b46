package tiles

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/geo"
	"github.com/armsflow/armsflow/geo/geotest"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// allTiles lists every tile of zooms 0..maxZ.
func allTiles(maxZ maptile.Zoom) []maptile.Tile {
	var out []maptile.Tile
	for z := maptile.Zoom(0); z <= maxZ; z++ {
		n := uint32(1) << z
		for x := range n {
			for y := range n {
				out = append(out, maptile.New(x, y, z))
			}
		}
	}
	return out
}

// fill requests every tile of every layer list and returns the render log
// made by it, as "layers|z/x/y" ids.
func fill(t *testing.T, c *Cache, r *fakeRenderer, layerLists []string, tiles []maptile.Tile) map[string]bool {
	t.Helper()
	r.takeLog()
	for _, ls := range layerLists {
		for _, tl := range tiles {
			if _, err := c.Tile(context.Background(), ls, tl, data.Filter{}); err != nil {
				t.Fatal(err)
			}
		}
	}
	got := map[string]bool{}
	for _, id := range r.takeLog() {
		got[strings.TrimSuffix(id, "|")] = true
	}
	return got
}

func renderID(layers string, t maptile.Tile) string {
	return fmt.Sprintf("%s|%d/%d/%d", layers, t.Z, t.X, t.Y)
}

// TestCacheInvalidationDropsExactlyTheTouchedTiles: after a write that adds
// a USA→UKR transfer, exactly the countries tiles over the USA or Ukraine
// (computed here independently with orb's tile bounds) and the flows tiles
// the USA–UKR arc crosses are re-rendered; every other tile, events tiles
// included, is served from the cache at the new version.
func TestCacheInvalidationDropsExactlyTheTouchedTiles(t *testing.T) {
	const margin = 1.0 / 8
	c, r, store, src := newTestCache(t, CacheOptions{Margin: margin})
	tiles := allTiles(5)
	lists := []string{"countries", "flows", "events", "events,countries"}
	if first := fill(t, c, r, lists, tiles); len(first) != len(lists)*len(tiles) {
		t.Fatalf("first pass rendered %d tiles, want %d", len(first), len(lists)*len(tiles))
	}

	q, v := int64(12), 30.0
	_, ch, err := store.PutTransfer(context.Background(), data.Transfer{Supplier: "USA", Recipient: "UKR", Weapon: "HIMARS",
		Category: data.CatArtillery, OrderYear: 2022, Quantity: &q, Value: &v, Unit: data.UnitTIV,
		Status: data.StatusDelivered, Source: geotest.SourceA})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ch.Countries, []string{"UKR", "USA"}) || !slices.Contains(ch.Layers, "flows") || slices.Contains(ch.Layers, "events") {
		t.Fatalf("unexpected change %+v", ch)
	}
	oldWorld, _ := src.World(context.Background())
	src.MarkStale() // the lead's OnChange order: the world source first, then the cache
	c.Invalidate(ch)
	again := fill(t, c, r, lists, tiles)

	// Expected, independently: countries tiles whose grown bounds meet the
	// bounding box of the USA or Ukraine (they did not move).
	w, _ := src.World(context.Background())
	var boxes []orb.Bound
	for _, iso := range ch.Countries {
		boxes = append(boxes, w.Country[iso].Geometry.Bound())
	}
	want := map[string]bool{}
	for _, tl := range tiles {
		tb := tl.Bound(margin)
		for _, b := range boxes {
			if tb.Intersects(b) {
				want[renderID("countries", tl)] = true
				want[renderID("events,countries", tl)] = true
			}
		}
	}
	var gotArea, gotFlows []string
	for id := range again {
		if strings.HasPrefix(id, "flows|") {
			gotFlows = append(gotFlows, id)
		} else {
			gotArea = append(gotArea, id)
		}
	}
	var wantArea []string
	for id := range want {
		wantArea = append(wantArea, id)
	}
	sort.Strings(gotArea)
	sort.Strings(wantArea)
	if !slices.Equal(gotArea, wantArea) {
		t.Fatalf("re-rendered area tiles:\n got %d %v\nwant %d %v", len(gotArea), gotArea, len(wantArea), wantArea)
	}

	// Flows: every tile a point of a flow whose figures or rank changed
	// (the USA–UKR flow and those it overtook) falls in must have been
	// dropped; tiles more than half a tile from all of them must have been
	// kept.
	oldW, newJ := oldWorld.Join(data.Filter{}), w.Join(data.Filter{})
	var arcs []orb.LineString
	changed := 0
	for i, fl := range newJ.Flows {
		j := slices.IndexFunc(oldWorld.Join(data.Filter{}).Flows, func(o geo.Flow) bool { return o.ID == fl.ID })
		if j == i && reflect.DeepEqual(oldW.Flows[j], fl) {
			continue
		}
		changed++
		arcs = append(arcs, fl.Arc...)
		if j >= 0 {
			arcs = append(arcs, oldW.Flows[j].Arc...)
		}
	}
	if changed == 0 || changed == len(newJ.Flows) {
		t.Fatalf("%d of %d flows changed; the test wants some, not all", changed, len(newJ.Flows))
	}
	dropped := map[string]bool{}
	for _, id := range gotFlows {
		dropped[id] = true
	}
	var samples []orb.Point // points along each segment of the touched arcs
	for _, ls := range arcs {
		for i := 1; i < len(ls); i++ {
			for k := range 8 {
				f := float64(k) / 8
				samples = append(samples, orb.Point{ls[i-1][0] + f*(ls[i][0]-ls[i-1][0]), ls[i-1][1] + f*(ls[i][1]-ls[i-1][1])})
			}
		}
		samples = append(samples, ls[len(ls)-1])
	}
	for _, tl := range tiles {
		near, on := false, false
		tb, nb := tl.Bound(), tl.Bound(0.5)
		for _, p := range samples {
			on = on || tb.Contains(p)
			near = near || nb.Contains(p)
		}
		id := renderID("flows", tl)
		if on && !dropped[id] {
			t.Errorf("flows tile %s lies on a touched arc but was kept", id)
		}
		if !near && dropped[id] {
			t.Errorf("flows tile %s is far from every touched arc but was dropped", id)
		}
	}
	if len(gotFlows) == 0 || len(gotFlows) > len(tiles)/4 {
		t.Fatalf("%d of %d flows tiles dropped", len(gotFlows), len(tiles))
	}
	st := c.Stats()
	if st.Dropped != int64(len(again)) {
		t.Fatalf("stats say %d dropped, %d re-rendered", st.Dropped, len(again))
	}
	t.Logf("dropped %d countries, %d events+countries, %d flows tiles of %d each", len(want)/2, len(want)/2, len(gotFlows), len(tiles))

	// The kept tiles are served at the new version without a render, and a
	// third pass renders nothing.
	if third := fill(t, c, r, lists, tiles); len(third) != 0 {
		t.Fatalf("third pass rendered %d tiles", len(third))
	}
}

func TestCacheInvalidationConservativeCases(t *testing.T) {
	ctx := context.Background()
	tiles := allTiles(3)
	for _, tc := range []struct {
		name  string
		write func(s *geotest.Store) data.Change
		// which layers' tiles must all be re-rendered
		allOf []string
	}{
		{"change.All", func(s *geotest.Store) data.Change {
			s.Bump()
			v, _ := s.Version(ctx)
			return data.Change{Version: v, All: true, Layers: []string{"countries"}, Updated: map[string]int{"conflicts": 1}}
		}, []string{"countries"}},
		{"no touched country named", func(s *geotest.Store) data.Change {
			s.Bump() // say, a non-state actor renamed: flows carry actor names
			v, _ := s.Version(ctx)
			return data.Change{Version: v, Layers: []string{"flows"}, Updated: map[string]int{"actors": 1}}
		}, []string{"flows"}},
		{"a write the cache was not told of came between", func(s *geotest.Store) data.Change {
			s.Bump()
			_, ch, _ := s.PutTransfer(ctx, data.Transfer{Supplier: "GBR", Recipient: "AUS", Weapon: "Hawk",
				Category: data.CatAircraft, Status: data.StatusDelivered, Source: geotest.SourceA})
			return ch
		}, []string{"flows", "countries", "events"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, r, store, src := newTestCache(t, CacheOptions{})
			lists := []string{"countries", "flows", "events"}
			fill(t, c, r, lists, tiles)
			ch := tc.write(store)
			src.MarkStale()
			c.Invalidate(ch)
			again := fill(t, c, r, lists, tiles)
			for _, l := range lists {
				n := 0
				for id := range again {
					if strings.HasPrefix(id, l+"|") {
						n++
					}
				}
				if slices.Contains(tc.allOf, l) != (n == len(tiles)) {
					t.Errorf("layer %s: %d of %d tiles re-rendered (all expected: %v)", l, n, len(tiles), slices.Contains(tc.allOf, l))
				}
			}
		})
	}
}

func TestSegmentMeetsBox(t *testing.T) {
	b := mbox{0.4, 0.4, 0.6, 0.6}
	for _, tc := range []struct {
		p, q [2]float64
		want bool
	}{
		{[2]float64{0, 0}, [2]float64{1, 1}, true},        // through the middle
		{[2]float64{0, 0.5}, [2]float64{0.3, 0.5}, false}, // stops short
		{[2]float64{0.5, 0}, [2]float64{0.5, 1}, true},    // vertical
		{[2]float64{0, 0.39}, [2]float64{1, 0.39}, false},
		{[2]float64{0.45, 0.45}, [2]float64{0.5, 0.5}, true}, // inside
		{[2]float64{0, 0.9}, [2]float64{0.9, 0}, true},       // corner diagonal
		{[2]float64{0, 0.7}, [2]float64{0.7, 0}, false},
	} {
		if got := segmentMeetsBox(tc.p, tc.q, b); got != tc.want {
			t.Errorf("segment %v-%v: %v, want %v", tc.p, tc.q, got, tc.want)
		}
	}
	// Mercator agrees with orb's tile math.
	for _, p := range []orb.Point{{-100, 30}, {36, 50}, {179.9, -84}, {0, 0}} {
		m := mercator(p)
		f := maptile.Fraction(p, 20)
		if math.Abs(m[0]*(1<<20)-f[0]) > 1e-6 || math.Abs(m[1]*(1<<20)-f[1]) > 1e-6 {
			t.Errorf("mercator(%v) = %v, orb fraction %v", p, m, f)
		}
	}
}

// TestCacheInvalidationNeverServesStale runs writes of every kind against
// the real renderer: after each Invalidate, every tile the cache serves must
// equal a fresh render of the new data, and a transfer write must keep
// most tiles.
func TestCacheInvalidationNeverServesStale(t *testing.T) {
	ctx := context.Background()
	store := geotest.NewStoreWith(geotest.Fixture())
	src := geo.NewSource(store, time.Hour)
	r := NewRenderer(src, Options{})
	c, err := NewCache(r, src, CacheOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tiles := allTiles(4)
	f2022, _ := data.ParseFilter(map[string][]string{"years": {"2022"}})
	filters := []data.Filter{{}, f2022}
	lists := []string{"countries", "conflicts", "flows", "events", "labels", "flows,countries"}
	get := func() int {
		before := c.Stats().Renders
		for _, f := range filters {
			for _, ls := range lists {
				for _, tl := range tiles {
					if _, err := c.Tile(ctx, ls, tl, f); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
		return int(c.Stats().Renders - before)
	}
	total := get()
	q := int64(5)
	val := 40.0
	for _, w := range []struct {
		name   string
		write  func() (data.Change, error)
		mostly bool // most tiles must survive
	}{
		{"new transfer USA→UKR", func() (data.Change, error) {
			_, ch, err := store.PutTransfer(ctx, data.Transfer{Supplier: "USA", Recipient: "UKR", Weapon: "Patriot", Category: data.CatAirDefence,
				OrderYear: 2022, DeliveryYears: []int{2023}, Quantity: &q, Value: &val, Unit: data.UnitTIV, Status: data.StatusDelivered, Source: geotest.SourceA})
			return ch, err
		}, true},
		{"delete transfer GBR→UKR", func() (data.Change, error) {
			_, ch, err := store.DeleteTransfer(ctx, 3)
			return ch, err
		}, true},
		{"new event in Yemen", func() (data.Change, error) {
			return store.Apply(ctx, &data.Batch{Events: []data.Event{{ID: "E9", ConflictID: "C-YEM", Date: "2022-01-02",
				Point: orb.Point{45, 14}, Country: "YEM", Deaths: 4, Source: geotest.SourceA}}}, false)
		}, true},
		{"Israel's geometry re-imported", func() (data.Change, error) {
			return store.Apply(ctx, &data.Batch{Countries: []data.Country{{ISO3: "ISR", Name: "Israel", Region: "Asia",
				Geometry: geotest.Box(34, 30, 36, 33)}}}, false)
		}, false},
	} {
		ch, err := w.write()
		if err != nil {
			t.Fatalf("%s: %v", w.name, err)
		}
		src.MarkStale()
		c.Invalidate(ch)
		rerendered := get()
		stale := 0
		for _, f := range filters {
			for _, ls := range lists {
				for _, tl := range tiles {
					got, _ := c.Tile(ctx, ls, tl, f)
					want, v, err := r.Render(ctx, strings.Split(ls, ","), tl, f)
					if err != nil {
						t.Fatal(err)
					}
					if v != ch.Version || got.Version > v || !bytes.Equal(got.Raw(), want) {
						stale++
						if stale < 5 {
							t.Errorf("%s: %s %v %s served stale (cached from version %d, now %d)", w.name, ls, tl, f.Canonical(), got.Version, v)
						}
					}
				}
			}
		}
		if stale > 0 {
			t.Fatalf("%s: %d stale tiles", w.name, stale)
		}
		t.Logf("%s (layers %v, countries %v): re-rendered %d of %d tiles", w.name, ch.Layers, ch.Countries, rerendered, total)
		if w.mostly && rerendered > total/2 {
			t.Errorf("%s re-rendered %d of %d tiles", w.name, rerendered, total)
		}
	}
}
