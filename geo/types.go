package geo

import (
	"github.com/armsflow/armsflow/data"
	"github.com/paulmach/orb"
)

// Totals aggregates transfers. Values are kept per unit: SIPRI TIV, USD and
// EUR are never added together.
type Totals struct {
	Deals    int                   `json:"deals"`
	Quantity int64                 `json:"quantity"` // sum of known quantities
	Values   map[data.Unit]float64 `json:"values"`   // sum of known values per unit
	// ValueDeals counts, per unit, the deals whose value is known in that
	// unit; Primary picks the unit with the most.
	ValueDeals map[data.Unit]int `json:"value_deals"`
}

// CountryStat is one country's joined figures for a filter.
type CountryStat struct {
	ISO3       string   `json:"iso3"`
	Name       string   `json:"name"`
	Imports    Totals   `json:"imports"`
	Exports    Totals   `json:"exports"`
	InConflict bool     `json:"in_conflict"`
	Conflicts  []string `json:"conflicts"` // IDs of conflicts active in the filter's window with this country among their Countries
}

// Flow is the aggregate of all transfers from one supplier to one recipient
// that pass a filter, drawn as a great-circle arc between their anchors.
type Flow struct {
	ID          uint64        `json:"id"` // stable across filters and versions: derived from supplier and recipient
	Supplier    string        `json:"supplier"`
	Recipient   string        `json:"recipient"`
	From        string        `json:"from"` // ISO3 of the anchor used for the supplier ("" if none)
	To          string        `json:"to"`   // ISO3 of the anchor used for the recipient ("" if none)
	Totals                    // deals, quantity, values per unit
	TopCategory data.Category `json:"top_category"`
	TopWeapons  []string      `json:"top_weapons"` // up to 5 designations, most deals first
	TransferIDs []int64       `json:"transfer_ids"`
	// Arc is the great-circle path in lon/lat, split at the antimeridian
	// into parts whose longitudes stay within [-180, 180], coordinates
	// rounded to 6 decimals. Empty when an end has no anchor (such flows are
	// listed but not drawn). Shared by every Join of a World: do not modify.
	Arc orb.MultiLineString `json:"-"`
}
