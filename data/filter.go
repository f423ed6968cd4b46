package data

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Filter selects transfers. The zero Filter selects everything. Every list
// is a set: empty means "any".
type Filter struct {
	YearFrom   int // 0 = open
	YearTo     int // 0 = open
	Suppliers  []string
	Recipients []string
	Categories []Category
	Statuses   []Status
}

// FilterError names the query parameter that did not parse.
type FilterError struct {
	Param string
	Value string
	Err   error
}

func (e *FilterError) Error() string {
	return fmt.Sprintf("parameter %s=%q: %v", e.Param, e.Value, e.Err)
}

func (e *FilterError) Unwrap() error { return e.Err }

// FilterParams are the query parameters ParseFilter reads.
var FilterParams = []string{"years", "supplier", "recipient", "category", "status"}

// ParseFilter reads a filter from query parameters:
//
//	years=2014-2024 | years=2020 | years=2014- | years=-2020
//	supplier=USA,GBR  recipient=UKR  category=aircraft,missiles  status=delivered
//
// Values are trimmed, upper-cased (actor ids) or lower-cased (categories,
// statuses), de-duplicated and sorted, so equal filters canonicalize equally.
// Repeated parameters are merged.
func ParseFilter(q url.Values) (Filter, error) {
	var f Filter
	if ys := strings.TrimSpace(strings.Join(q["years"], "")); ys != "" {
		from, to, err := parseYears(ys)
		if err != nil {
			return Filter{}, &FilterError{"years", ys, err}
		}
		f.YearFrom, f.YearTo = from, to
	}
	var err error
	if f.Suppliers, err = parseActors(q, "supplier"); err != nil {
		return Filter{}, err
	}
	if f.Recipients, err = parseActors(q, "recipient"); err != nil {
		return Filter{}, err
	}
	for _, v := range splitList(q["category"]) {
		c, err := ParseCategory(v)
		if err != nil {
			return Filter{}, &FilterError{"category", v, err}
		}
		f.Categories = append(f.Categories, c)
	}
	for _, v := range splitList(q["status"]) {
		s, err := ParseStatus(v)
		if err != nil {
			return Filter{}, &FilterError{"status", v, err}
		}
		f.Statuses = append(f.Statuses, s)
	}
	f.normalize()
	return f, nil
}

func parseYears(s string) (int, int, error) {
	parse := func(p string) (int, error) {
		p = strings.TrimSpace(p)
		if p == "" {
			return 0, nil
		}
		y, err := strconv.Atoi(p)
		if err != nil || y < 1900 || y > 2100 {
			return 0, fmt.Errorf("year %q is not a year between 1900 and 2100", p)
		}
		return y, nil
	}
	lo, hi, found := strings.Cut(s, "-")
	from, err := parse(lo)
	if err != nil {
		return 0, 0, err
	}
	if !found {
		if from == 0 {
			return 0, 0, fmt.Errorf("want YYYY or YYYY-YYYY")
		}
		return from, from, nil
	}
	to, err := parse(hi)
	if err != nil {
		return 0, 0, err
	}
	if from != 0 && to != 0 && from > to {
		return 0, 0, fmt.Errorf("range starts after it ends")
	}
	return from, to, nil
}

func splitList(vals []string) []string {
	var out []string
	for _, v := range vals {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// ValidActorID reports whether s can be an actor id: 2 to 40 characters of
// A-Z, 0-9 and '-'.
func ValidActorID(s string) bool {
	if len(s) < 2 || len(s) > 40 {
		return false
	}
	for _, r := range s {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

func parseActors(q url.Values, param string) ([]string, error) {
	var out []string
	for _, v := range splitList(q[param]) {
		id := strings.ToUpper(v)
		if !ValidActorID(id) {
			return nil, &FilterError{param, v, fmt.Errorf("not an actor id (ISO 3166 alpha-3 such as USA, or a non-state id such as NS-HOUTHIS)")}
		}
		out = append(out, id)
	}
	return out, nil
}

func (f *Filter) normalize() {
	sortUniq := func(xs []string) []string {
		slices.Sort(xs)
		return slices.Compact(xs)
	}
	f.Suppliers = sortUniq(f.Suppliers)
	f.Recipients = sortUniq(f.Recipients)
	slices.Sort(f.Categories)
	f.Categories = slices.Compact(f.Categories)
	slices.Sort(f.Statuses)
	f.Statuses = slices.Compact(f.Statuses)
}

// Query renders the filter as canonical query parameters (empty parts
// omitted, fixed order): equal filters give equal strings.
func (f Filter) Query() url.Values {
	q := url.Values{}
	switch {
	case f.YearFrom != 0 && f.YearFrom == f.YearTo:
		q.Set("years", strconv.Itoa(f.YearFrom))
	case f.YearFrom != 0 || f.YearTo != 0:
		y := ""
		if f.YearFrom != 0 {
			y = strconv.Itoa(f.YearFrom)
		}
		y += "-"
		if f.YearTo != 0 {
			y += strconv.Itoa(f.YearTo)
		}
		q.Set("years", y)
	}
	if len(f.Suppliers) > 0 {
		q.Set("supplier", strings.Join(f.Suppliers, ","))
	}
	if len(f.Recipients) > 0 {
		q.Set("recipient", strings.Join(f.Recipients, ","))
	}
	if len(f.Categories) > 0 {
		q.Set("category", joinList(f.Categories))
	}
	if len(f.Statuses) > 0 {
		q.Set("status", joinList(f.Statuses))
	}
	return q
}

// Canonical is the filter's canonical query string ("" for no filter),
// used in cache keys and TileJSON tile URLs.
func (f Filter) Canonical() string {
	s := f.Query().Encode() // Encode sorts keys
	return strings.ReplaceAll(s, "%2C", ",")
}

// IsZero reports whether the filter selects everything.
func (f Filter) IsZero() bool { return f.Canonical() == "" }

// InYears reports whether year y is inside the filter's window.
func (f Filter) InYears(y int) bool {
	return (f.YearFrom == 0 || y >= f.YearFrom) && (f.YearTo == 0 || y <= f.YearTo)
}

// Match reports whether a transfer passes the filter. A transfer is in the
// year window when its order year or any of its delivery years is; a
// transfer with no year at all passes only an open window.
func (f Filter) Match(t *Transfer) bool {
	if len(f.Suppliers) > 0 && !slices.Contains(f.Suppliers, t.Supplier) {
		return false
	}
	if len(f.Recipients) > 0 && !slices.Contains(f.Recipients, t.Recipient) {
		return false
	}
	if len(f.Categories) > 0 && !slices.Contains(f.Categories, t.Category) {
		return false
	}
	if len(f.Statuses) > 0 && !slices.Contains(f.Statuses, t.Status) {
		return false
	}
	if f.YearFrom == 0 && f.YearTo == 0 {
		return true
	}
	for _, y := range t.Years() {
		if f.InYears(y) {
			return true
		}
	}
	return false
}

// joinList joins codes with "," for canonical query strings.
func joinList[T ~string](xs []T) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = string(x)
	}
	return strings.Join(s, ",")
}
