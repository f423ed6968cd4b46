package tiles_test

import (
	"fmt"
	"sort"
	"testing"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/geo"
	"github.com/armsflow/armsflow/tiles"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// TestEventsClusteredBelowZ6: below z6 every event in the filter's years
// is counted exactly once in the z0 tile, and its deaths summed.
func TestEventsClusteredBelowZ6(t *testing.T) {
	w := testWorld(t, 3000)
	r := tiles.NewRenderer(staticSource{w}, tiles.Options{})
	for _, f := range []data.Filter{{}, {YearFrom: 2020, YearTo: 2022}, {YearFrom: 2024}} {
		wantN, wantDeaths := int64(0), int64(0)
		for _, e := range w.Events {
			if f.InYears(e.Year()) {
				wantN++
				wantDeaths += e.Deaths
			}
		}
		_, ls := render(t, r, []string{"events"}, maptile.New(0, 0, 0), f)
		l := layerByName(ls, "events")
		if l == nil {
			t.Fatalf("filter %q: no events layer", f.Canonical())
		}
		var n, deaths float64
		for _, ft := range l.Features {
			c := ft.Properties["count"].(float64)
			if c < 1 {
				t.Errorf("cluster with count %v", c)
			}
			if (c == 1) != (ft.Properties["id"] != nil) {
				t.Errorf("cluster of %v events with id %v: only one-event clusters carry the event id", c, ft.Properties["id"])
			}
			n += c
			deaths += ft.Properties["deaths"].(float64)
		}
		if int64(n) != wantN || int64(deaths) != wantDeaths {
			t.Errorf("filter %q: clusters count %v events, %v deaths; want %d, %d", f.Canonical(), n, deaths, wantN, wantDeaths)
		}
		if len(l.Features) >= int(wantN) {
			t.Errorf("filter %q: %d features for %d events: not thinned", f.Canonical(), len(l.Features), wantN)
		}
		t.Logf("filter %q: %d events in %d clusters at z0", f.Canonical(), wantN, len(l.Features))
	}
}

// TestClustersAgreeAcrossTiles: at z3, summing the clusters owned by each
// tile (anchored inside it, not in its buffer) counts every event once.
func TestClustersAgreeAcrossTiles(t *testing.T) {
	w := testWorld(t, 3000)
	r := tiles.NewRenderer(staticSource{w}, tiles.Options{})
	total := 0.0
	ids := map[any]float64{}
	for x := 0; x < 8; x++ {
		for y := 0; y < 8; y++ {
			_, ls := render(t, r, []string{"events"}, maptile.New(uint32(x), uint32(y), 3), data.Filter{})
			for _, f := range featuresOf(layerByName(ls, "events")) {
				p := f.Geometry.(orb.Point)
				c := f.Properties["count"].(float64)
				if old, ok := ids[f.ID]; ok && old != c {
					t.Errorf("cluster %v has count %v in one tile and %v in another", f.ID, c, old)
				}
				ids[f.ID] = c
				if p[0] >= 0 && p[0] < 4096 && p[1] >= 0 && p[1] < 4096 {
					total += c
				}
			}
		}
	}
	if int(total) != len(w.Events) {
		t.Errorf("tiles own %v events, world has %d", total, len(w.Events))
	}
}

// TestEventsBudgetAtZ6: a z6+ tile holding more than 4000 events keeps the
// 4000 with the most deaths.
func TestEventsBudgetAtZ6(t *testing.T) {
	var evs []data.Event
	for i := 0; i < 4500; i++ {
		evs = append(evs, data.Event{ID: fmt.Sprint(i + 1), Date: "2020-01-01", Deaths: int64(i % 1000),
			Point: orb.Point{31 + float64(i%67)/100, 49 + float64(i/67)/100}, Source: invented})
	}
	w := geo.NewWorld(1, naturalEarth(t), nil, nil, evs, nil)
	r := tiles.NewRenderer(staticSource{w}, tiles.Options{})
	_, ls := render(t, r, []string{"events"}, maptile.At(orb.Point{31.3, 49.3}, 6), data.Filter{})
	l := layerByName(ls, "events")
	if l == nil || len(l.Features) != 4000 {
		t.Fatalf("want 4000 events, got %d", len(featuresOf(l)))
	}
	kept := map[string]bool{}
	minKept := 1e9
	for _, f := range l.Features {
		kept[f.Properties["id"].(string)] = true
		if d := f.Properties["deaths"].(float64); d < minKept {
			minKept = d
		}
		if f.Properties["count"] != 1.0 || f.Properties["date"] != "2020-01-01" {
			t.Fatalf("event properties %v", f.Properties)
		}
	}
	var dropped []float64
	for _, e := range evs {
		if !kept[e.ID] {
			dropped = append(dropped, float64(e.Deaths))
		}
	}
	sort.Float64s(dropped)
	if len(dropped) != 500 || dropped[len(dropped)-1] > minKept {
		t.Errorf("dropped %d events, the largest with %v deaths; smallest kept %v", len(dropped), dropped[len(dropped)-1], minKept)
	}
}
