package data

import (
	"errors"
	"net/url"
	"slices"
	"testing"
)

// FuzzParseFilter feeds arbitrary query strings to ParseFilter: it never
// panics; an error is a *FilterError naming one of FilterParams; a filter
// it accepts has a canonical form that parses back to the same filter and
// holds only valid actor ids, categories and statuses.
func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{
		"", "years=2014-2024", "years=2020", "years=-2020", "years=2014-", "years=2024-2014",
		"supplier=usa,%20gbr&supplier=USA", "recipient=ns-houthis", "category=Missiles,aircraft&status=DELIVERED",
		"supplier=USA'%20OR%201=1--", "supplier=USA;DROP%20TABLE%20transfers", "years=1e3", "years=%00",
		"years=2020&years=2021", "category=,,,", "status=delivered,,ordered", "years=--", "years=-", "supplier=A",
		"supplier=ÉTATS", "years=９９９９",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return // the HTTP layer refuses these before ParseFilter
		}
		flt, err := ParseFilter(q)
		if err != nil {
			var fe *FilterError
			if !errors.As(err, &fe) || !slices.Contains(FilterParams, fe.Param) {
				t.Fatalf("%q: error %v does not name a filter parameter", raw, err)
			}
			return
		}
		for _, id := range slices.Concat(flt.Suppliers, flt.Recipients) {
			if !ValidActorID(id) {
				t.Fatalf("%q: accepted actor id %q", raw, id)
			}
		}
		for _, c := range flt.Categories {
			if !slices.Contains(Categories, c) {
				t.Fatalf("%q: accepted category %q", raw, c)
			}
		}
		for _, s := range flt.Statuses {
			if !slices.Contains(Statuses, s) {
				t.Fatalf("%q: accepted status %q", raw, s)
			}
		}
		if flt.YearFrom != 0 && flt.YearTo != 0 && flt.YearFrom > flt.YearTo {
			t.Fatalf("%q: years %d-%d run backwards", raw, flt.YearFrom, flt.YearTo)
		}
		c := flt.Canonical()
		q2, err := url.ParseQuery(c)
		if err != nil {
			t.Fatalf("%q: canonical %q does not parse as a query: %v", raw, c, err)
		}
		f2, err := ParseFilter(q2)
		if err != nil {
			t.Fatalf("%q: canonical %q does not parse back: %v", raw, c, err)
		}
		if c2 := f2.Canonical(); c2 != c {
			t.Fatalf("%q: canonical %q parses back as %q", raw, c, c2)
		}
	})
}
