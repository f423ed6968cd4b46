package geotest

import (
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"

	"github.com/armsflow/armsflow/data"
	"github.com/paulmach/orb"
)

// write applies records to a state, validating them and building the
// Change the data.Store contract describes.
type write struct {
	st      *state
	ch      *data.Change
	touched map[string]bool
	layers  map[string]bool
}

func newWrite(st *state) *write {
	return &write{st: st, touched: map[string]bool{}, layers: map[string]bool{},
		ch: &data.Change{Inserted: map[string]int{}, Updated: map[string]int{}, Deleted: map[string]int{},
			Unchanged: map[string]int{}}}
}

func (w *write) layer(ls ...string) {
	for _, l := range ls {
		w.layers[l] = true
	}
}

// touchCountry marks an ISO3 touched when it is a stored country.
func (w *write) touchCountry(isos ...string) {
	for _, iso := range isos {
		if _, ok := w.st.countries[iso]; ok {
			w.touched[iso] = true
		}
	}
}

// touchActors marks the countries actors are drawn at: a country itself, or
// an actor's Country.
func (w *write) touchActors(ids ...string) {
	for _, id := range ids {
		if _, ok := w.st.countries[id]; ok {
			w.touched[id] = true
		} else if a, ok := w.st.actors[id]; ok {
			w.touchCountry(a.Country)
		}
	}
}

// count records one record's fate and reports whether it changed.
func (w *write) count(kind string, had, same bool) bool {
	switch {
	case had && same:
		w.ch.Unchanged[kind]++
		return false
	case had:
		w.ch.Updated[kind]++
	default:
		w.ch.Inserted[kind]++
	}
	return true
}

// batch validates and applies a batch, collecting every problem.
func (w *write) batch(b *data.Batch) error {
	var problems []string
	explicit := map[string]bool{}
	for _, a := range b.Actors {
		explicit[a.ID] = true
	}
	for _, c := range b.Countries {
		problems = append(problems, w.country(c, explicit[c.ISO3])...)
	}
	for _, a := range b.Actors {
		problems = append(problems, w.actor(a)...)
	}
	for _, c := range b.Conflicts {
		problems = append(problems, w.conflict(c)...)
	}
	for _, e := range b.Events {
		problems = append(problems, w.event(e)...)
	}
	seen := map[string]bool{}
	for i, t := range b.Transfers {
		switch {
		case t.Key == "":
			problems = append(problems, fmt.Sprintf("transfer #%d: key is empty", i+1))
			continue
		case seen[t.Key]:
			problems = append(problems, fmt.Sprintf("transfer %q: key given twice in the batch", t.Key))
			continue
		}
		seen[t.Key] = true
		t = cloneTransfer(t)
		t.ID = w.st.byKey[t.Key]
		_, ps := w.transfer(t, fmt.Sprintf("transfer %q", t.Key))
		problems = append(problems, ps...)
	}
	if len(problems) > 0 {
		return &data.ValidationError{Problems: problems}
	}
	return nil
}

// country upserts a country and, unless the batch lists an actor with its
// ID, its state actor.
func (w *write) country(c data.Country, explicitActor bool) []string {
	if ps := invalid(fmt.Sprintf("country %q", c.ISO3), c.Validate()); len(ps) > 0 {
		return ps
	}
	c = cloneCountry(c)
	old, had := w.st.countries[c.ISO3]
	if w.count("countries", had, reflect.DeepEqual(old, c)) {
		w.st.countries[c.ISO3] = c
		w.touched[c.ISO3] = true
		switch {
		case !had || !reflect.DeepEqual(old.Geometry, c.Geometry):
			w.ch.All = true
			w.layer("countries", "flows", "conflicts", "events", "labels")
		case old.Anchor != c.Anchor:
			w.ch.All = true
			w.layer("countries", "flows", "labels")
		default:
			w.layer("countries", "labels")
		}
	}
	if !explicitActor {
		a := data.Actor{ID: c.ISO3, Name: c.Name, Kind: data.ActorState, Country: c.ISO3}
		old, had := w.st.actors[a.ID]
		if w.count("actors", had, old == a) {
			w.st.actors[a.ID] = a
			w.layer("flows")
		}
	}
	return nil
}

func (w *write) actor(a data.Actor) []string {
	if ps := invalid(fmt.Sprintf("actor %q", a.ID), a.Validate()); len(ps) > 0 {
		return ps
	}
	old, had := w.st.actors[a.ID]
	if w.count("actors", had, old == a) {
		w.touchCountry(old.Country, a.Country)
		w.st.actors[a.ID] = a
		w.layer("flows")
	}
	return nil
}

func (w *write) conflict(c data.Conflict) []string {
	if ps := invalid(fmt.Sprintf("conflict %q", c.ID), c.Validate()); len(ps) > 0 {
		return ps
	}
	c = cloneConflict(c)
	old, had := w.st.conflicts[c.ID]
	if w.count("conflicts", had, reflect.DeepEqual(old, c)) {
		w.touchCountry(old.Countries...)
		w.touchCountry(c.Countries...)
		w.st.conflicts[c.ID] = c
		w.layer("conflicts", "countries")
	}
	return nil
}

func (w *write) event(e data.Event) []string {
	label := fmt.Sprintf("event %q", e.ID)
	if ps := invalid(label, e.Validate()); len(ps) > 0 {
		return ps
	}
	if _, ok := w.st.conflicts[e.ConflictID]; e.ConflictID != "" && !ok {
		return []string{fmt.Sprintf("%s: unknown conflict %q", label, e.ConflictID)}
	}
	old, had := w.st.events[e.ID]
	if w.count("events", had, reflect.DeepEqual(old, e)) {
		w.touchCountry(old.Country, e.Country)
		w.st.events[e.ID] = e
		w.layer("events")
	}
	return nil
}

// transfer canonicalizes, validates and upserts one transfer whose ID is
// set (0 = new) and key is unique, returning it as stored.
func (w *write) transfer(t data.Transfer, label string) (data.Transfer, []string) {
	if c, err := data.ParseCategory(string(t.Category)); err == nil {
		t.Category = c
	}
	if s, err := data.ParseStatus(string(t.Status)); err == nil {
		t.Status = s
	}
	if u, err := data.ParseUnit(string(t.Unit)); err == nil {
		t.Unit = u
	}
	problems := invalid(label, t.Validate())
	for _, end := range []struct{ role, id string }{{"supplier", t.Supplier}, {"recipient", t.Recipient}} {
		if _, ok := w.st.actors[end.id]; end.id != "" && !ok {
			problems = append(problems, fmt.Sprintf("%s: unknown %s %q", label, end.role, end.id))
		}
	}
	if len(problems) > 0 {
		return data.Transfer{}, problems
	}
	old, had := w.st.transfers[t.ID]
	if !had {
		w.st.nextID++
		t.ID = w.st.nextID
	}
	if w.count("transfers", had, reflect.DeepEqual(old, t)) {
		if had {
			w.touchActors(old.Supplier, old.Recipient)
		}
		w.touchActors(t.Supplier, t.Recipient)
		w.st.transfers[t.ID] = t
		w.st.byKey[t.Key] = t.ID
		w.layer("flows", "countries")
	}
	return t, nil
}

// finish fills the Change's version, countries and layers.
func (w *write) finish(version int64) data.Change {
	ch := *w.ch
	ch.Version = version
	if ch.Empty() {
		return ch
	}
	ch.Countries = sortedKeys(w.touched)
	ch.Layers = sortedKeys(w.layers)
	return ch
}

// invalid gives the problems a record's Validate found, each after the
// record's label (none for a nil error).
func invalid(label string, err error) []string {
	if err == nil {
		return nil
	}
	var ve *data.ValidationError
	if !errors.As(err, &ve) {
		return []string{label + ": " + err.Error()}
	}
	out := make([]string, len(ve.Problems))
	for i, p := range ve.Problems {
		out[i] = label + ": " + p
	}
	return out
}

// The clone functions deep-copy records so no caller shares memory with
// the store.

func cloneCountry(c data.Country) data.Country {
	if c.Geometry != nil {
		c.Geometry = c.Geometry.Clone()
	}
	return c
}

func cloneConflict(c data.Conflict) data.Conflict {
	c.Years = maps.Clone(c.Years)
	c.Countries = slices.Clone(c.Countries)
	c.Parties = slices.Clone(c.Parties)
	if c.Geometry != nil {
		c.Geometry = orb.Clone(c.Geometry)
	}
	return c
}

func cloneTransfer(t data.Transfer) data.Transfer {
	t.DeliveryYears = slices.Clone(t.DeliveryYears)
	if t.Quantity != nil {
		q := *t.Quantity
		t.Quantity = &q
	}
	if t.Value != nil {
		v := *t.Value
		t.Value = &v
	}
	return t
}
