// Package changeset is what armsflow's SQL stores (data/sqlite,
// data/postgres) share when they work out what a write did: the record
// kinds, the map layers each kind touches, where an actor sits on the map,
// field-by-field transfer comparison, the Set that collects a write's
// counts, countries and layers into a data.Change, and the PutTransfer and
// DeleteTransfer flow (keys, key conflicts, error wording) over a store's Tx.
package changeset

import (
	"slices"

	"github.com/armsflow/armsflow/data"
)

// Record kinds, the keys of data.Change's counts.
const (
	Countries = "countries"
	Actors    = "actors"
	Conflicts = "conflicts"
	Events    = "events"
	Transfers = "transfers"
)

// AllLayers is every map layer, in display order.
var AllLayers = []string{"countries", "flows", "conflicts", "events", "labels"}

// Layers each kind of record can change when it changes: transfers and
// actors move the countries' totals, the flows and the labels; conflicts
// mark countries as in conflict and draw their areas; countries carry names
// and anchors for every layer. A country geometry or anchor change touches
// everything (Set.TouchAll).
var (
	LayersCountry  = []string{"countries", "flows", "labels"}
	LayersActor    = []string{"countries", "flows", "labels"}
	LayersTransfer = []string{"countries", "flows", "labels"}
	LayersConflict = []string{"countries", "conflicts", "labels"}
	LayersEvent    = []string{"events"}
)

// Place is where an actor sits on the map.
type Place struct {
	Exists bool
	ISO3   string // the state itself, or a former/non-state actor's Country; may be empty
}

// PlaceOf resolves an actor to the country its figures count for: a state
// is itself, a former state or non-state actor is its Country.
func PlaceOf(a data.Actor) Place {
	if a.Kind == data.ActorState {
		return Place{Exists: true, ISO3: a.ID}
	}
	return Place{Exists: true, ISO3: a.Country}
}

// Set collects what one write did; Result turns it into a data.Change.
type Set struct {
	Inserted, Updated, Deleted, Unchanged map[string]int
	countries                             map[string]bool
	layers                                map[string]bool
	all                                   bool
}

// New returns an empty Set.
func New() *Set {
	return &Set{
		Inserted: map[string]int{}, Updated: map[string]int{}, Deleted: map[string]int{}, Unchanged: map[string]int{},
		countries: map[string]bool{}, layers: map[string]bool{},
	}
}

// Touch records the countries and layers a changed record affects; empty
// codes (an actor with no anchor country) are skipped.
func (c *Set) Touch(layers []string, iso3 ...string) {
	for _, l := range layers {
		c.layers[l] = true
	}
	for _, code := range iso3 {
		if code != "" {
			c.countries[code] = true
		}
	}
}

// TouchAll records a change that may affect every tile.
func (c *Set) TouchAll() {
	c.all = true
	c.Touch(AllLayers)
}

// Changed reports whether anything was inserted, updated or deleted.
func (c *Set) Changed() bool {
	for _, m := range []map[string]int{c.Inserted, c.Updated, c.Deleted} {
		for _, n := range m {
			if n > 0 {
				return true
			}
		}
	}
	return false
}

// Result is the data.Change at data version v. Countries and Layers are
// sorted (layers in display order) and never nil.
func (c *Set) Result(v int64) data.Change {
	ch := data.Change{
		Version: v, Inserted: c.Inserted, Updated: c.Updated, Deleted: c.Deleted, Unchanged: c.Unchanged,
		Countries: []string{}, Layers: []string{}, All: c.all,
	}
	for code := range c.countries {
		ch.Countries = append(ch.Countries, code)
	}
	slices.Sort(ch.Countries)
	for _, l := range AllLayers {
		if c.layers[l] {
			ch.Layers = append(ch.Layers, l)
		}
	}
	return ch
}

// SameTransfer reports whether two transfers hold the same values, IDs
// aside.
func SameTransfer(a, b *data.Transfer) bool {
	return a.Key == b.Key && a.Supplier == b.Supplier && a.Recipient == b.Recipient && a.Weapon == b.Weapon &&
		a.Description == b.Description && a.Category == b.Category && a.SourceCategory == b.SourceCategory &&
		a.OrderYear == b.OrderYear && slices.Equal(a.DeliveryYears, b.DeliveryYears) &&
		samePtr(a.Quantity, b.Quantity) && samePtr(a.Value, b.Value) && a.Unit == b.Unit && a.Status == b.Status &&
		a.Source == b.Source && a.Notes == b.Notes
}

func samePtr[T comparable](a, b *T) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}
