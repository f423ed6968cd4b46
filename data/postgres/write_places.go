package postgres

import (
	"fmt"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/data/internal/changeset"
	"github.com/armsflow/armsflow/data/internal/geomcodec"
)

// putCountry upserts a country by ISO3 and, with withActor, the state actor
// of the same id. A new country, or a changed geometry or anchor, may touch
// every tile (Change.All).
func (w *writer) putCountry(c *data.Country, withActor bool) error {
	if err := c.Validate(); err != nil {
		return err
	}
	geom, err := geomcodec.Encode(c.Geometry)
	if err != nil {
		return err
	}
	label := fmt.Sprintf("country %q: ", c.ISO3)
	args := []any{c.ISO3, c.Name, c.Region, c.Subregion, geom, c.Anchor.Lon(), c.Anchor.Lat()}
	old, had := w.countries[c.ISO3]
	switch {
	case !had:
		w.queue(label+"insert", `INSERT INTO countries (iso3, name, region, subregion, geometry, anchor)
			VALUES ($1, $2, $3, $4, ST_GeomFromWKB($5, 4326), ST_SetSRID(ST_MakePoint($6, $7), 4326))`, args...)
		w.cs.Inserted[changeset.Countries]++
		w.cs.Touch(changeset.LayersCountry, c.ISO3)
		w.cs.TouchAll()
	case old.Name == c.Name && old.Region == c.Region && old.Subregion == c.Subregion &&
		old.Anchor == c.Anchor && geomcodec.Same(old.Geometry, geom):
		w.cs.Unchanged[changeset.Countries]++
	default:
		w.queue(label+"update", `UPDATE countries SET name = $2, region = $3, subregion = $4,
			geometry = ST_GeomFromWKB($5, 4326), anchor = ST_SetSRID(ST_MakePoint($6, $7), 4326) WHERE iso3 = $1`, args...)
		w.cs.Updated[changeset.Countries]++
		w.cs.Touch(changeset.LayersCountry, c.ISO3)
		if !geomcodec.Same(old.Geometry, geom) || old.Anchor != c.Anchor {
			w.cs.TouchAll()
		}
	}
	w.countries[c.ISO3] = *c
	if !withActor {
		return nil
	}
	a := data.Actor{ID: c.ISO3, Name: c.Name, Kind: data.ActorState, Country: c.ISO3}
	if err := w.putActor(&a); err != nil {
		return fmt.Errorf("its state actor: %w", err)
	}
	return nil
}

// putActor upserts an actor by ID. A new actor has no transfers yet, so it
// touches nothing on the map; a changed one touches where it was and where
// it is.
func (w *writer) putActor(a *data.Actor) error {
	if err := a.Validate(); err != nil {
		return err
	}
	if err := w.loadActors(a.ID); err != nil {
		return err
	}
	label := fmt.Sprintf("actor %q: ", a.ID)
	old, had := w.actors[a.ID]
	switch {
	case !had:
		w.queue(label+"insert", `INSERT INTO actors (id, name, kind, country) VALUES ($1, $2, $3, $4)`,
			a.ID, a.Name, string(a.Kind), a.Country)
		w.cs.Inserted[changeset.Actors]++
	case old == *a:
		w.cs.Unchanged[changeset.Actors]++
	default:
		w.queue(label+"update", `UPDATE actors SET name = $2, kind = $3, country = $4 WHERE id = $1`,
			a.ID, a.Name, string(a.Kind), a.Country)
		w.cs.Updated[changeset.Actors]++
		w.cs.Touch(changeset.LayersActor, changeset.PlaceOf(old).ISO3, changeset.PlaceOf(*a).ISO3)
	}
	w.actors[a.ID] = *a
	w.places[a.ID] = changeset.PlaceOf(*a)
	return nil
}
