package sqlite

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/armsflow/armsflow/data"
	"github.com/paulmach/orb"
)

// Checks for the record kinds data.Transfer.Validate does not cover. Each
// returns a *data.ValidationError listing every problem.

func validateCountry(c *data.Country) error {
	var p problems
	if !data.ValidActorID(c.ISO3) {
		p.addf("iso3 %q is not a code of 2-40 characters A-Z, 0-9, '-'", c.ISO3)
	}
	if strings.TrimSpace(c.Name) == "" {
		p.addf("name is empty")
	}
	p.lonLat("anchor", c.Anchor)
	return p.err()
}

func validateActor(a *data.Actor) error {
	var p problems
	if !data.ValidActorID(a.ID) {
		p.addf("id %q is not an actor id of 2-40 characters A-Z, 0-9, '-'", a.ID)
	}
	if strings.TrimSpace(a.Name) == "" {
		p.addf("name is empty")
	}
	switch a.Kind {
	case data.ActorState, data.ActorFormer, data.ActorNonState:
	default:
		p.addf("kind %q is not one of state, former, non-state", a.Kind)
	}
	if a.Country != "" && !data.ValidActorID(a.Country) {
		p.addf("country %q is not an ISO3 code", a.Country)
	}
	return p.err()
}

func validateConflict(c *data.Conflict) error {
	var p problems
	if strings.TrimSpace(c.ID) == "" {
		p.addf("id is empty")
	}
	if strings.TrimSpace(c.Name) == "" {
		p.addf("name is empty")
	}
	switch c.Type {
	case "", data.ConflictExtrasystemic, data.ConflictInterstate, data.ConflictIntrastate, data.ConflictInternationized:
	default:
		p.addf("type %q is not a UCDP conflict type (extrasystemic, interstate, intrastate, internationalized-intrastate) or empty", c.Type)
	}
	if c.EndYear != 0 && c.EndYear < c.StartYear {
		p.addf("end year %d is before start year %d", c.EndYear, c.StartYear)
	}
	return p.err()
}

func validateEvent(e *data.Event) error {
	var p problems
	if strings.TrimSpace(e.ID) == "" {
		p.addf("id is empty")
	}
	if !validDate(e.Date) {
		p.addf("date %q is not YYYY-MM-DD, YYYY-MM, YYYY or empty (unknown)", e.Date)
	}
	if e.Deaths < 0 {
		p.addf("deaths %d is negative", e.Deaths)
	}
	p.lonLat("point", e.Point)
	return p.err()
}

// validDate accepts a date as precise as it is known: YYYY-MM-DD, YYYY-MM,
// YYYY, or "" when unknown.
func validDate(s string) bool {
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
	return &data.ValidationError{Problems: p}
}

// canonicalTransfer validates t and returns it with its codes in canonical
// form (category, status and unit as the data package spells them), the form
// it is stored and compared in.
func canonicalTransfer(t data.Transfer) (data.Transfer, error) {
	if err := t.Validate(); err != nil {
		return t, err
	}
	t.Category, _ = data.ParseCategory(string(t.Category))
	t.Status, _ = data.ParseStatus(string(t.Status))
	if u, err := data.ParseUnit(string(t.Unit)); err == nil {
		t.Unit = u
	}
	if len(t.DeliveryYears) == 0 {
		t.DeliveryYears = nil
	}
	return t, nil
}

// checkDuplicates refuses a batch that names one record twice: the last
// copy would silently win, and re-applying the batch would never settle.
func checkDuplicates(b *data.Batch) error {
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
