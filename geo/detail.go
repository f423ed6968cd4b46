package geo

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/armsflow/armsflow/data"
	"github.com/paulmach/orb"
)

// CountryReport is one country's figures for a filter: what the country
// page and /api/countries/{iso3} show.
type CountryReport struct {
	ISO3       string    `json:"iso3"`
	Name       string    `json:"name"`
	Region     string    `json:"region,omitempty"`
	Subregion  string    `json:"subregion,omitempty"`
	Anchor     orb.Point `json:"anchor"`
	Filter     string    `json:"filter"` // canonical query string of the filter
	Version    int64     `json:"version"`
	Imports    Totals    `json:"imports"`
	Exports    Totals    `json:"exports"`
	InConflict bool      `json:"in_conflict"`
	// Suppliers are the actors the country imports from, Recipients those it
	// exports to, largest first (ranked like Flows).
	Suppliers  []Partner `json:"suppliers"`
	Recipients []Partner `json:"recipients"`
	// Years has one entry per year with transfers, ascending. A transfer
	// counts once, in the earliest of its years (order year, delivery years)
	// inside the filter's window; transfers with no year at all are in the
	// totals but in no year.
	Years     []YearStat      `json:"years"`
	Conflicts []data.Conflict `json:"conflicts"` // active in the window, by ID
	// Sources are the distinct citations of the transfers counted, sorted.
	Sources []data.Source `json:"sources"`
}

// Partner is the other end of a country's transfers, with their totals.
type Partner struct {
	ID     string         `json:"id"`
	Name   string         `json:"name"`
	Kind   data.ActorKind `json:"kind"`
	FlowID uint64         `json:"flow_id"`
	Totals
}

// YearStat is a country's imports and exports in one year.
type YearStat struct {
	Year    int            `json:"year"`
	Imports CategoryTotals `json:"imports"`
	Exports CategoryTotals `json:"exports"`
}

// CategoryTotals are Totals with their split by category.
type CategoryTotals struct {
	Totals
	ByCategory map[data.Category]Totals `json:"by_category"`
}

func newCategoryTotals() CategoryTotals {
	return CategoryTotals{Totals: NewTotals(), ByCategory: map[data.Category]Totals{}}
}

func (c *CategoryTotals) addTransfer(t *data.Transfer) {
	c.Totals.addTransfer(t)
	ct, ok := c.ByCategory[t.Category]
	if !ok {
		ct = NewTotals()
	}
	ct.addTransfer(t)
	c.ByCategory[t.Category] = ct
}

// CountryDetail reports one country (ISO3, any case) for a filter, from the
// World's memoized join. An unknown ISO3 gives an error wrapping
// data.ErrNotFound.
func CountryDetail(w *World, iso3 string, f data.Filter) (*CountryReport, error) {
	iso3 = strings.ToUpper(strings.TrimSpace(iso3))
	c, ok := w.Country[iso3]
	if !ok {
		return nil, fmt.Errorf("country %q: %w", iso3, data.ErrNotFound)
	}
	j := w.Join(f)
	cs := j.Countries[iso3]
	r := &CountryReport{
		ISO3: c.ISO3, Name: c.Name, Region: c.Region, Subregion: c.Subregion, Anchor: c.Anchor,
		Filter: j.Filter.Canonical(), Version: j.Version,
		Imports: cs.Imports, Exports: cs.Exports, InConflict: cs.InConflict,
		Suppliers: []Partner{}, Recipients: []Partner{}, Years: []YearStat{},
		Conflicts: []data.Conflict{}, Sources: []data.Source{},
	}

	years := map[int]*YearStat{}
	sources := map[data.Source]bool{}
	count := func(fl *Flow, imports bool) {
		for _, id := range fl.TransferIDs {
			t := w.TransferByID(id)
			if t == nil {
				continue
			}
			sources[t.Source] = true
			y := countYear(t, j.Filter)
			if y == 0 {
				continue
			}
			ys := years[y]
			if ys == nil {
				ys = &YearStat{Year: y, Imports: newCategoryTotals(), Exports: newCategoryTotals()}
				years[y] = ys
			}
			if imports {
				ys.Imports.addTransfer(t)
			} else {
				ys.Exports.addTransfer(t)
			}
		}
	}
	for i := range j.Flows {
		fl := &j.Flows[i]
		if fl.Recipient == iso3 {
			r.Suppliers = append(r.Suppliers, w.partner(fl.Supplier, fl))
			count(fl, true)
		}
		if fl.Supplier == iso3 {
			r.Recipients = append(r.Recipients, w.partner(fl.Recipient, fl))
			count(fl, false)
		}
	}
	byID := func(a, b *Partner) int { return cmp.Compare(a.ID, b.ID) }
	rankByTotals(r.Suppliers, func(p *Partner) *Totals { return &p.Totals }, byID)
	rankByTotals(r.Recipients, func(p *Partner) *Totals { return &p.Totals }, byID)

	for _, ys := range years {
		r.Years = append(r.Years, *ys)
	}
	slices.SortFunc(r.Years, func(a, b YearStat) int { return cmp.Compare(a.Year, b.Year) })

	for s := range sources {
		r.Sources = append(r.Sources, s)
	}
	slices.SortFunc(r.Sources, func(a, b data.Source) int {
		return cmp.Or(cmp.Compare(a.Publisher, b.Publisher), cmp.Compare(a.Title, b.Title),
			cmp.Compare(a.Date, b.Date), cmp.Compare(a.URL, b.URL), cmp.Compare(a.Identifier, b.Identifier))
	})

	for _, id := range cs.Conflicts {
		if i, ok := slices.BinarySearchFunc(w.Conflicts, id, func(c data.Conflict, id string) int {
			return cmp.Compare(c.ID, id)
		}); ok {
			r.Conflicts = append(r.Conflicts, w.Conflicts[i])
		}
	}
	return r, nil
}

// partner describes the actor at the other end of a flow.
func (w *World) partner(id string, fl *Flow) Partner {
	p := Partner{ID: id, FlowID: fl.ID, Totals: fl.Totals}
	p.Name, p.Kind = w.ActorName(id)
	return p
}

// countYear is the year a transfer counts in for a filter: the earliest of
// its years inside the window, or 0 when it has none there.
func countYear(t *data.Transfer, f data.Filter) int {
	y := 0
	for _, v := range t.Years() {
		if f.InYears(v) && (y == 0 || v < y) {
			y = v
		}
	}
	return y
}
