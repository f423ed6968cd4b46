package data

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/paulmach/orb"
)

// Checks every Store runs on what it is given, so that every engine accepts
// and refuses the same records with the same words. Each returns a
// *ValidationError listing every problem, or nil.

// Validate checks a country: a code of 2-40 characters A-Z, 0-9, '-', a
// name, and an anchor on the globe.
func (c *Country) Validate() error {
	var p problems
	if !ValidActorID(c.ISO3) {
		p.addf("iso3 %q is not a code of 2-40 characters A-Z, 0-9, '-'", c.ISO3)
	}
	if strings.TrimSpace(c.Name) == "" {
		p.addf("name is empty")
	}
	p.lonLat("anchor", c.Anchor)
	return p.err()
}

// Validate checks an actor: its id, name, kind and (optional) country code.
func (a *Actor) Validate() error {
	var p problems
	if !ValidActorID(a.ID) {
		p.addf("id %q is not an actor id of 2-40 characters A-Z, 0-9, '-'", a.ID)
	}
	if strings.TrimSpace(a.Name) == "" {
		p.addf("name is empty")
	}
	switch a.Kind {
	case ActorState, ActorFormer, ActorNonState:
	default:
		p.addf("kind %q is not one of state, former, non-state", a.Kind)
	}
	if a.Country != "" && !ValidActorID(a.Country) {
		p.addf("country %q is not an ISO3 code", a.Country)
	}
	return p.err()
}

// Validate checks a conflict: id, name, UCDP type (or empty) and a year
// range that does not end before it starts.
func (c *Conflict) Validate() error {
	var p problems
	if strings.TrimSpace(c.ID) == "" {
		p.addf("id is empty")
	}
	if strings.TrimSpace(c.Name) == "" {
		p.addf("name is empty")
	}
	switch c.Type {
	case "", ConflictExtrasystemic, ConflictInterstate, ConflictIntrastate, ConflictInternationized:
	default:
		p.addf("type %q is not a UCDP conflict type (extrasystemic, interstate, intrastate, internationalized-intrastate) or empty", c.Type)
	}
	if c.EndYear != 0 && c.EndYear < c.StartYear {
		p.addf("end year %d is before start year %d", c.EndYear, c.StartYear)
	}
	return p.err()
}

// Validate checks an event: id, a date as precise as it is known (see
// ValidDate), a non-negative death count and a point on the globe.
func (e *Event) Validate() error {
	var p problems
	if strings.TrimSpace(e.ID) == "" {
		p.addf("id is empty")
	}
	if !ValidDate(e.Date) {
		p.addf("date %q is not YYYY-MM-DD, YYYY-MM, YYYY or empty (unknown)", e.Date)
	}
	if e.Deaths < 0 {
		p.addf("deaths %d is negative", e.Deaths)
	}
	p.lonLat("point", e.Point)
	return p.err()
}

// ValidDate accepts a date as precise as it is known: YYYY-MM-DD, YYYY-MM,
// YYYY, or "" when unknown.
func ValidDate(s string) bool {
	if s == "" {
		return true
	}
	for _, layout := range []string{"2006-01-02", "2006-01", "2006"} {
		if _, err := time.Parse(layout, s); err == nil {
			return true
		}
	}
	return false
}

// Canonical validates t and returns it with its codes in canonical form
// (category, status and unit as this package spells them) and no empty
// delivery-year slice: the form stores keep and compare.
func (t Transfer) Canonical() (Transfer, error) {
	if err := t.Validate(); err != nil {
		return t, err
	}
	t.Category, _ = ParseCategory(string(t.Category))
	t.Status, _ = ParseStatus(string(t.Status))
	if u, err := ParseUnit(string(t.Unit)); err == nil {
		t.Unit = u
	}
	if len(t.DeliveryYears) == 0 {
		t.DeliveryYears = nil
	}
	return t, nil
}

// CheckDuplicates refuses a batch that names one record twice (by ISO3, ID
// or transfer Key): the last copy would silently win, and re-applying the
// batch would never settle.
func (b *Batch) CheckDuplicates() error {
	type key struct{ kind, id string }
	seen := map[key]int{}
	check := func(kind, id string, i int) error {
		if id == "" {
			return nil // reported, more clearly, by the record's own check
		}
		k := key{kind, id}
		if j, ok := seen[k]; ok {
			return fmt.Errorf("%s %q appears twice in the batch (records %d and %d)", kind, id, j+1, i+1)
		}
		seen[k] = i
		return nil
	}
	for i := range b.Countries {
		if err := check("country", b.Countries[i].ISO3, i); err != nil {
			return err
		}
	}
	for i := range b.Actors {
		if err := check("actor", b.Actors[i].ID, i); err != nil {
			return err
		}
	}
	for i := range b.Conflicts {
		if err := check("conflict", b.Conflicts[i].ID, i); err != nil {
			return err
		}
	}
	for i := range b.Events {
		if err := check("event", b.Events[i].ID, i); err != nil {
			return err
		}
	}
	for i := range b.Transfers {
		if err := check("transfer", b.Transfers[i].Key, i); err != nil {
			return err
		}
	}
	return nil
}

// problems gathers validation messages.
type problems []string

func (p *problems) addf(format string, args ...any) { *p = append(*p, fmt.Sprintf(format, args...)) }

func (p *problems) lonLat(what string, pt orb.Point) {
	lon, lat := pt.Lon(), pt.Lat()
	if math.IsNaN(lon) || math.IsNaN(lat) || lon < -180 || lon > 180 || lat < -90 || lat > 90 {
		p.addf("%s %v is not a lon/lat point (lon -180..180, lat -90..90)", what, pt)
	}
}

func (p problems) err() error {
	if len(p) == 0 {
		return nil
	}
	return &ValidationError{Problems: p}
}
