package sqlite

import (
	"slices"

	"github.com/armsflow/armsflow/data"
)

// Record kinds, the keys of data.Change's counts.
const (
	kindCountries = "countries"
	kindActors    = "actors"
	kindConflicts = "conflicts"
	kindEvents    = "events"
	kindTransfers = "transfers"
)

// allLayers is every map layer, in display order.
var allLayers = []string{"countries", "flows", "conflicts", "events", "labels"}

// Layers each kind of record can change when it changes: transfers and
// actors move the countries' totals, the flows and the labels; conflicts
// mark countries as in conflict and draw their areas; countries carry names
// and anchors for every layer. A country geometry or anchor change sets
// Change.All and every layer.
var (
	layersCountry  = []string{"countries", "flows", "labels"}
	layersActor    = []string{"countries", "flows", "labels"}
	layersTransfer = []string{"countries", "flows", "labels"}
	layersConflict = []string{"countries", "conflicts", "labels"}
	layersEvent    = []string{"events"}
)

// changeSet collects what one write did; result turns it into a data.Change.
type changeSet struct {
	inserted, updated, deleted, unchanged map[string]int
	countries                             map[string]bool
	layers                                map[string]bool
	all                                   bool
}

func newChangeSet() *changeSet {
	return &changeSet{
		inserted: map[string]int{}, updated: map[string]int{}, deleted: map[string]int{}, unchanged: map[string]int{},
		countries: map[string]bool{}, layers: map[string]bool{},
	}
}

// touch records the countries and layers a changed record affects; empty
// codes (an actor with no anchor country) are skipped.
func (c *changeSet) touch(layers []string, iso3 ...string) {
	for _, l := range layers {
		c.layers[l] = true
	}
	for _, code := range iso3 {
		if code != "" {
			c.countries[code] = true
		}
	}
}

// touchAll records a change that may affect every tile.
func (c *changeSet) touchAll() {
	c.all = true
	c.touch(allLayers)
}

// changed reports whether anything was inserted, updated or deleted.
func (c *changeSet) changed() bool {
	for _, m := range []map[string]int{c.inserted, c.updated, c.deleted} {
		for _, n := range m {
			if n > 0 {
				return true
			}
		}
	}
	return false
}

// result is the data.Change at data version v. Countries and Layers are
// sorted (layers in display order) and never nil.
func (c *changeSet) result(v int64) data.Change {
	ch := data.Change{
		Version: v, Inserted: c.inserted, Updated: c.updated, Deleted: c.deleted, Unchanged: c.unchanged,
		Countries: []string{}, Layers: []string{}, All: c.all,
	}
	for code := range c.countries {
		ch.Countries = append(ch.Countries, code)
	}
	slices.Sort(ch.Countries)
	for _, l := range allLayers {
		if c.layers[l] {
			ch.Layers = append(ch.Layers, l)
		}
	}
	return ch
}
