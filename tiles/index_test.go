package tiles

import (
	"context"
	"testing"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/geo"
	"github.com/armsflow/armsflow/geo/geotest"
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
		if _, _, err := r.Render(ctx, nil, maptile.New(0, 0, 0), data.Filter{}); err != nil {
			t.Fatal(err)
		}
	}
	render()
	first := r.preps[0].countries
	src.w = mk(2)
	render()
	if r.preps[0].world != src.w || r.preps[0].countries != first {
		t.Fatal("unchanged geometry was not reused across versions")
	}
	if len(r.preps) != 2 {
		t.Fatalf("keeps %d prepared worlds, want 2", len(r.preps))
	}
	b.Countries[0].Geometry = geotest.Box(-101, 30, -90, 40)
	src.w = mk(3)
	render()
	if r.preps[0].countries == first {
		t.Fatal("changed geometry reused the old projection")
	}
	if len(r.preps) != keepPrepared {
		t.Fatalf("keeps %d prepared worlds", len(r.preps))
	}
}
