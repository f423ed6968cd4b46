package tiles_test

import (
	"context"
	"sync"
	"testing"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/tiles"
	"github.com/armsflow/armsflow/tiles/mvtcheck"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// TestConflicts: one feature per conflict and country for conflicts active
// in the filter's years, the conflict's own area when it has one, and the
// intensity of the window.
func TestConflicts(t *testing.T) {
	w := testWorld(t, 10)
	r := tiles.NewRenderer(staticSource{w}, tiles.Options{})
	cases := []struct {
		name string
		f    data.Filter
		want map[string]float64 // "id/country" -> intensity
	}{
		{"all years", data.Filter{}, map[string]float64{"T-UKR/UKR": 2, "T-UKR/RUS": 2, "T-YEM/YEM": 2, "T-YEM/SAU": 2, "T-AREA/": 1}},
		{"2022", data.Filter{YearFrom: 2022, YearTo: 2022}, map[string]float64{"T-UKR/UKR": 2, "T-UKR/RUS": 2, "T-YEM/YEM": 1, "T-YEM/SAU": 1}},
		{"2016-2018", data.Filter{YearFrom: 2016, YearTo: 2018}, map[string]float64{"T-AREA/": 1}},
		{"2019", data.Filter{YearFrom: 2019, YearTo: 2019}, map[string]float64{"T-YEM/YEM": 2, "T-YEM/SAU": 2, "T-AREA/": 1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, ls := render(t, r, []string{"conflicts"}, maptile.New(0, 0, 0), c.f)
			got := map[string]float64{}
			for _, f := range featuresOf(layerByName(ls, "conflicts")) {
				country, _ := f.Properties["country"].(string)
				got[f.Properties["id"].(string)+"/"+country] = f.Properties["intensity"].(float64)
				if f.Properties["id"] == "T-AREA" {
					// The area is the conflict's own box (-5..2 E, 14..20 N), not Mali.
					b := f.Geometry.Bound()
					if b.Max[0]-b.Min[0] > 4096*8/360+2 || b.Max[0]-b.Min[0] < 4096*6/360-2 {
						t.Errorf("T-AREA width %v tile units, want its 7° box", b.Max[0]-b.Min[0])
					}
					if f.Properties["end"] != 2020.0 || f.Properties["start"] != 2012.0 {
						t.Errorf("T-AREA start/end %v", f.Properties)
					}
				}
				if f.Properties["id"] == "T-UKR" && f.Properties["end"] != nil {
					t.Errorf("ongoing conflict has end %v", f.Properties["end"])
				}
			}
			if len(got) != len(c.want) {
				t.Fatalf("got %v, want %v", got, c.want)
			}
			for k, v := range c.want {
				if got[k] != v {
					t.Errorf("%s: intensity %v, want %v (all: %v)", k, got[k], v, got)
				}
			}
		})
	}
}

// TestLabels: one point per country inside the tile, ranked by area.
func TestLabels(t *testing.T) {
	w := testWorld(t, 10)
	r := tiles.NewRenderer(staticSource{w}, tiles.Options{})
	_, ls := render(t, r, []string{"labels"}, maptile.New(0, 0, 0), data.Filter{})
	l := layerByName(ls, "labels")
	if l == nil || len(l.Features) != len(w.Countries) {
		t.Fatalf("want %d labels at z0, got %d", len(w.Countries), len(featuresOf(l)))
	}
	rank := map[string]float64{}
	for _, f := range l.Features {
		rank[f.Properties["iso3"].(string)] = f.Properties["rank"].(float64)
	}
	if rank["RUS"] != 1 || !(rank["CAN"] < rank["FRA"]) || !(rank["FRA"] < rank["LUX"]) {
		t.Errorf("ranks RUS %v CAN %v FRA %v LUX %v", rank["RUS"], rank["CAN"], rank["FRA"], rank["LUX"])
	}
	// At z4 a label sits in the one tile holding its anchor.
	owners := map[string]int{}
	for x := 0; x < 16; x++ {
		for y := 0; y < 16; y++ {
			_, ls := render(t, r, []string{"labels"}, maptile.New(uint32(x), uint32(y), 4), data.Filter{})
			for _, f := range featuresOf(layerByName(ls, "labels")) {
				owners[f.Properties["iso3"].(string)]++
			}
		}
	}
	for iso, n := range owners {
		if n != 1 {
			t.Errorf("%s labelled in %d tiles at z4", iso, n)
		}
	}
	if len(owners) != len(w.Countries) {
		t.Errorf("%d of %d countries labelled at z4", len(owners), len(w.Countries))
	}
}

// TestRenderConcurrent renders from many goroutines at once: per-zoom
// levels, flow and cluster caches fill under contention (run with -race).
func TestRenderConcurrent(t *testing.T) {
	w := testWorld(t, 2000)
	r := tiles.NewRenderer(staticSource{w}, tiles.Options{})
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			f := data.Filter{YearFrom: 2015 + g%3}
			for z := 0; z <= 6; z++ {
				tl := maptile.At(orb.Point{float64(g*40 - 170), 20}, maptile.Zoom(z))
				b, _, err := r.Render(context.Background(), nil, tl, f)
				if err == nil {
					err = mvtcheck.Check(b, checkOpts).Err()
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
