package geo

import (
	"cmp"
	"hash/fnv"
	"slices"

	"github.com/armsflow/armsflow/data"
)

// Units lists the value units in the order Primary prefers on a tie.
var Units = []data.Unit{data.UnitTIV, data.UnitUSD, data.UnitEUR}

// MaxTopWeapons is how many designations a Flow lists in TopWeapons.
const MaxTopWeapons = 5

// NewTotals returns empty Totals with their maps made, so they encode as
// {} rather than null.
func NewTotals() Totals {
	return Totals{Values: map[data.Unit]float64{}, ValueDeals: map[data.Unit]int{}}
}

// addTransfer counts one transfer: a deal, its quantity if known, its value
// under its unit if both are known (see acc.add).
func (t *Totals) addTransfer(tr *data.Transfer) {
	var a acc
	a.add(tr)
	t.Add(a.totals())
}

// Add adds o's figures to t, unit by unit.
func (t *Totals) Add(o Totals) {
	t.Deals += o.Deals
	t.Quantity += o.Quantity
	for u, v := range o.Values {
		if t.Values == nil {
			t.Values = map[data.Unit]float64{}
		}
		t.Values[u] += v
	}
	for u, n := range o.ValueDeals {
		if t.ValueDeals == nil {
			t.ValueDeals = map[data.Unit]int{}
		}
		t.ValueDeals[u] += n
	}
}

// Primary returns one figure for callers that need a single number: the
// value in the dominant unit, the unit with the most deals of known value
// (ties: TIV, then USD, then EUR). With no known value it returns (0, "").
// The other units' values are not converted or added: there is no honest
// exchange rate between SIPRI TIV and money.
func (t Totals) Primary() (float64, data.Unit) {
	var best data.Unit
	n := 0
	for _, u := range Units {
		if c := t.ValueDeals[u]; c > n {
			best, n = u, c
		}
	}
	if best == "" {
		// Totals built by hand without ValueDeals: fall back to any value.
		for _, u := range Units {
			if _, ok := t.Values[u]; ok {
				return t.Values[u], u
			}
		}
		return 0, ""
	}
	return t.Values[best], best
}

// FlowID is the stable ID of the flow from supplier to recipient: FNV-1a
// 64 of "SUPPLIER>RECIPIENT" masked to 53 bits, so it survives JSON and
// JavaScript numbers.
func FlowID(supplier, recipient string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(supplier))
	h.Write([]byte{'>'})
	h.Write([]byte(recipient))
	return h.Sum64() & (1<<53 - 1)
}

// acc accumulates Totals without maps: values and value deals indexed as
// Units.
type acc struct {
	deals  int
	qty    int64
	vals   [3]float64
	vdeals [3]int
}

func (a *acc) add(t *data.Transfer) {
	a.deals++
	if t.Quantity != nil {
		a.qty += *t.Quantity
	}
	if t.Value != nil {
		if i := slices.Index(Units, t.Unit); i >= 0 {
			a.vals[i] += *t.Value
			a.vdeals[i]++
		}
	}
}

func (a *acc) totals() Totals {
	t := NewTotals()
	t.Deals, t.Quantity = a.deals, a.qty
	for i, u := range Units {
		if a.vdeals[i] > 0 {
			t.Values[u], t.ValueDeals[u] = a.vals[i], a.vdeals[i]
		}
	}
	return t
}

// flowAcc accumulates one supplier→recipient pair.
type flowAcc struct {
	supplier, recipient string
	acc
	ids     []int64
	cats    [16]int // deals by index in data.Categories
	weapons []weaponCount
}

type weaponCount struct {
	name string
	n    int
}

// join computes the join of w for a canonical filter.
//
// Attribution: a country's Imports and Exports count only the transfers in
// which the country itself (the state actor with its ISO3 as ID) is the
// recipient or the supplier. Transfers of former states (e.g. SUN) and of
// non-state actors are not added to their successor's or host country's
// totals; they appear in Flows, drawn from or to that country's anchor.
func (w *World) join(f data.Filter) *Joined {
	j := &Joined{Filter: f, Version: w.Version, Countries: make(map[string]*CountryStat, len(w.Countries))}
	imports := make([]acc, len(w.Countries))
	exports := make([]acc, len(w.Countries))

	pairs := make(map[[2]string]*flowAcc)
	var order []*flowAcc
	for i := range w.Transfers {
		t := &w.Transfers[i]
		if !f.Match(t) {
			continue
		}
		if k, ok := w.countryIndex[t.Supplier]; ok {
			exports[k].add(t)
		}
		if k, ok := w.countryIndex[t.Recipient]; ok {
			imports[k].add(t)
		}
		key := [2]string{t.Supplier, t.Recipient}
		fa := pairs[key]
		if fa == nil {
			fa = &flowAcc{supplier: t.Supplier, recipient: t.Recipient}
			pairs[key] = fa
			order = append(order, fa)
		}
		fa.add(t)
		fa.ids = append(fa.ids, t.ID)
		if c := slices.Index(data.Categories, t.Category); c >= 0 && c < len(fa.cats) {
			fa.cats[c]++
		}
		if name := weaponName(t); name != "" {
			if k := slices.IndexFunc(fa.weapons, func(wc weaponCount) bool { return wc.name == name }); k >= 0 {
				fa.weapons[k].n++
			} else {
				fa.weapons = append(fa.weapons, weaponCount{name, 1})
			}
		}
	}

	for i := range w.Countries {
		c := &w.Countries[i]
		j.Countries[c.ISO3] = &CountryStat{ISO3: c.ISO3, Name: c.Name,
			Imports: imports[i].totals(), Exports: exports[i].totals(), Conflicts: []string{}}
	}
	for i := range w.Conflicts {
		c := &w.Conflicts[i]
		if !c.ActiveIn(f.YearFrom, f.YearTo) {
			continue
		}
		for _, iso := range c.Countries {
			if cs := j.Countries[iso]; cs != nil && !slices.Contains(cs.Conflicts, c.ID) {
				cs.InConflict = true
				cs.Conflicts = append(cs.Conflicts, c.ID)
			}
		}
	}

	j.Flows = make([]Flow, len(order))
	for i, fa := range order {
		fl := Flow{
			ID: FlowID(fa.supplier, fa.recipient), Supplier: fa.supplier, Recipient: fa.recipient,
			Totals: fa.totals(), TopCategory: topCategory(fa.cats[:]),
			TopWeapons: topWeapons(fa.weapons, MaxTopWeapons), TransferIDs: fa.ids,
		}
		var okFrom, okTo bool
		fl.From, okFrom = w.AnchorOf(fl.Supplier)
		fl.To, okTo = w.AnchorOf(fl.Recipient)
		if okFrom && okTo {
			fl.Arc = w.arc(fl.From, fl.To)
		}
		j.Flows[i] = fl
	}
	rankByTotals(j.Flows, func(f *Flow) *Totals { return &f.Totals },
		func(a, b *Flow) int { return cmp.Compare(a.ID, b.ID) })
	return j
}

// weaponName is a transfer's designation, or its description when it has
// none.
func weaponName(t *data.Transfer) string {
	if t.Weapon != "" {
		return t.Weapon
	}
	return t.Description
}

// topCategory is the category with the most deals, given deals by index
// in data.Categories (ties: the earlier category).
func topCategory(counts []int) data.Category {
	var best data.Category
	n := 0
	for i, c := range data.Categories {
		if i < len(counts) && counts[i] > n {
			best, n = c, counts[i]
		}
	}
	return best
}

// topWeapons lists up to k designations, most deals first (ties: by name).
func topWeapons(counts []weaponCount, k int) []string {
	slices.SortFunc(counts, func(a, b weaponCount) int {
		return cmp.Or(cmp.Compare(b.n, a.n), cmp.Compare(a.name, b.name))
	})
	names := make([]string, 0, min(k, len(counts)))
	for _, wc := range counts[:min(k, len(counts))] {
		names = append(names, wc.name)
	}
	return names
}

// rankByTotals orders xs largest first. There is no honest common currency
// for SIPRI TIV, USD and EUR, so the rank is unit-free: each item's Primary
// value divided by the largest Primary value in the same unit among xs (the
// largest TIV flow and the largest EUR flow both score 1), then deals, then
// tie (for a stable, deterministic order). Items with no known value score 0
// and follow by deals.
func rankByTotals[T any](xs []T, totals func(*T) *Totals, tie func(a, b *T) int) {
	type key struct {
		score float64
		deals int
	}
	largest := make(map[data.Unit]float64)
	keys := make([]key, len(xs))
	for i := range xs {
		t := totals(&xs[i])
		v, u := t.Primary()
		keys[i] = key{score: v, deals: t.Deals}
		if u != "" && v > largest[u] {
			largest[u] = v
		}
		if u == "" {
			keys[i].score = 0
		}
	}
	for i := range xs {
		if _, u := totals(&xs[i]).Primary(); u != "" && largest[u] > 0 {
			keys[i].score /= largest[u]
		}
	}
	idx := make([]int, len(xs))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int {
		if c := cmp.Compare(keys[b].score, keys[a].score); c != 0 {
			return c
		}
		if c := cmp.Compare(keys[b].deals, keys[a].deals); c != 0 {
			return c
		}
		return tie(&xs[a], &xs[b])
	})
	sorted := make([]T, len(xs))
	for i, k := range idx {
		sorted[i] = xs[k]
	}
	copy(xs, sorted)
}
