package tiles_test

import (
	"fmt"
	"testing"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/geo"
	"github.com/armsflow/armsflow/tiles"
	"github.com/paulmach/orb/maptile"
)

// manyFlows is a World with one invented transfer for each of about 2,000
// supplier→recipient pairs of real countries, values all different.
func manyFlows(t testing.TB) *geo.World {
	cs := naturalEarth(t)
	var trs []data.Transfer
	id := int64(1)
	for i := 0; i < len(cs); i += 3 {
		for k := 1; k <= 25; k++ {
			j := (i + k*7) % len(cs)
			if i == j {
				continue
			}
			v := float64(id)
			trs = append(trs, data.Transfer{ID: id, Key: fmt.Sprint("many:", id), Supplier: cs[i].ISO3, Recipient: cs[j].ISO3,
				Weapon: "W", Category: data.CatOther, OrderYear: 2000 + int(id%20), Value: &v, Unit: data.UnitTIV,
				Status: data.StatusDelivered, Source: invented})
			id++
		}
	}
	return geo.NewWorld(1, cs, nil, nil, nil, trs)
}

// TestFlowBudget: a tile at zoom z carries only flows ranked within that
// zoom's documented budget, the largest flows, each with its join figures.
func TestFlowBudget(t *testing.T) {
	w := manyFlows(t)
	j := w.Join(data.Filter{})
	if len(j.Flows) < 1500 {
		t.Fatalf("test world has only %d flows", len(j.Flows))
	}
	r := tiles.NewRenderer(staticSource{w}, tiles.Options{})
	budgets := map[int]int{0: 150, 1: 250, 2: 400, 3: 700}
	for z, budget := range budgets {
		maxRank, n := 0.0, 0
		ranks := map[float64]bool{}
		for x := 0; x < 1<<z; x++ {
			for y := 0; y < 1<<z; y++ {
				_, ls := render(t, r, []string{"flows"}, maptile.New(uint32(x), uint32(y), maptile.Zoom(z)), data.Filter{})
				l := layerByName(ls, "flows")
				if l != nil && len(l.Features) > budget {
					t.Errorf("z%d tile %d/%d: %d flows, budget %d", z, x, y, len(l.Features), budget)
				}
				for _, f := range featuresOf(l) {
					rank := f.Properties["rank"].(float64)
					ranks[rank] = true
					maxRank = max(maxRank, rank)
					fl := j.Flows[int(rank)-1]
					v, u := fl.Primary()
					if f.ID != float64(fl.ID) || f.Properties["supplier"] != fl.Supplier || f.Properties["recipient"] != fl.Recipient ||
						f.Properties["value"] != v || f.Properties["unit"] != string(u) || f.Properties["deals"] != float64(fl.Deals) {
						t.Fatalf("z%d flow rank %v: tile %v id %v, join %+v", z, rank, f.Properties, f.ID, fl)
					}
				}
				n++
			}
		}
		if maxRank > float64(budget) {
			t.Errorf("z%d: a flow ranked %v is drawn, budget %d", z, maxRank, budget)
		}
		drawable := 0
		for i := 0; i < budget; i++ {
			if len(j.Flows[i].Arc) > 0 {
				drawable++
			}
		}
		if len(ranks) != drawable {
			t.Errorf("z%d: %d distinct flows drawn, want the %d drawable among the top %d", z, len(ranks), drawable, budget)
		}
	}
}
