package tiles

import (
	"context"
	"testing"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/geo"
	"github.com/armsflow/armsflow/geo/geotest"
	"github.com/armsflow/armsflow/tiles/mvtcheck"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

type worldSeq struct{ w *geo.World }

func (s *worldSeq) World(context.Context) (*geo.World, error) { return s.w, nil }

// TestPreparedReuse: a new World version with the same country geometry
// reuses the projected and simplified countries; changed geometry does not.
func TestPreparedReuse(t *testing.T) {
	b := geotest.Fixture()
	mk := func(v int64) *geo.World {
		cs := append([]data.Country(nil), b.Countries...)
		return geo.NewWorld(v, cs, b.Actors, b.Conflicts, b.Events, nil)
	}
	src := &worldSeq{w: mk(1)}
	r := NewRenderer(src, Options{})
	ctx := context.Background()
	render := func() {
		b, _, err := r.Render(ctx, nil, maptile.New(0, 0, 0), data.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if err := mvtcheck.Check(b, mvtcheck.Options{CheckBounds: true, Buffer: 64, Simple: true}).Err(); err != nil {
			t.Fatal(err)
		}
	}
	render()
	first, events := r.preps[0].countries, r.preps[0].events
	src.w = mk(2)
	render()
	if r.preps[0].world != src.w || r.preps[0].countries != first || r.preps[0].events != events {
		t.Fatal("unchanged countries and events were not reused across versions")
	}
	if len(r.preps) != 2 {
		t.Fatalf("keeps %d prepared worlds, want 2", len(r.preps))
	}
	b.Countries[0].Geometry = geotest.Box(-101, 30, -90, 40)
	src.w = mk(3)
	render()
	if r.preps[0].countries == first || r.preps[0].events != events {
		t.Fatal("changed geometry reused the old projection, or unchanged events were rebuilt")
	}
	b.Events[0].Deaths++
	src.w = mk(4)
	render()
	if r.preps[0].events == events {
		t.Fatal("changed events reused the old index")
	}
	if len(r.preps) != keepPrepared {
		t.Fatalf("keeps %d prepared worlds", len(r.preps))
	}
}

// TestPointGrid: the grid finds exactly the points in a box.
func TestPointGrid(t *testing.T) {
	var lls []orb.Point
	for i := 0; i < 5000; i++ {
		lls = append(lls, orb.Point{float64(i%360) - 179.5, float64(i%170) - 84.5})
	}
	g := newPointGrid(lls)
	if g.gz < 5 {
		t.Fatalf("grid zoom %d for 5000 points", g.gz)
	}
	box := orb.Bound{Min: orb.Point{0.3, 0.2}, Max: orb.Point{0.55, 0.61}}
	hits := g.query([]shiftBox{{box: box}}, nil)
	want := 0
	for _, p := range g.pts {
		if box.Contains(p) {
			want++
		}
	}
	if len(hits) != want || want == 0 {
		t.Fatalf("query found %d points, %d in the box", len(hits), want)
	}
	for _, h := range hits {
		if !box.Contains(g.pts[h.idx]) {
			t.Fatalf("point %v outside %v", g.pts[h.idx], box)
		}
	}
}

// TestWarm builds the levels ahead of the first tile.
func TestWarm(t *testing.T) {
	b := geotest.Fixture()
	w := geo.NewWorld(1, b.Countries, b.Actors, b.Conflicts, b.Events, nil)
	r := NewRenderer(&worldSeq{w: w}, Options{MaxZoom: 12})
	if err := r.Warm(context.Background()); err != nil {
		t.Fatal(err)
	}
	p := r.preps[0]
	for z := 0; z < fullResZoom; z++ {
		if p.countries.shapes.levels[z].parts == nil {
			t.Errorf("zoom %d not built", z)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := NewRenderer(&worldSeq{w: w}, Options{}).Warm(ctx); err == nil {
		t.Error("Warm ignores a cancelled context")
	}
}
