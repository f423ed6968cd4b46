package sqlite

import (
	"bytes"
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
	old, oldGeoms, err := queryCountries(w.ctx, w, "WHERE iso3 = ?", c.ISO3)
	if err != nil {
		return fmt.Errorf("read stored country: %w", err)
	}
	bbox := bboxArgs(c.Geometry)
	switch {
	case len(old) == 0:
		_, err = w.exec(`INSERT INTO countries (iso3, name, region, subregion, geometry, anchor_lon, anchor_lat,
			min_lon, min_lat, max_lon, max_lat) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.ISO3, c.Name, c.Region, c.Subregion, geom, c.Anchor.Lon(), c.Anchor.Lat(), bbox[0], bbox[1], bbox[2], bbox[3])
		if err != nil {
			return fmt.Errorf("insert: %w", err)
		}
		w.cs.Inserted[changeset.Countries]++
		w.cs.Touch(changeset.LayersCountry, c.ISO3)
		w.cs.TouchAll()
	case sameCountry(&old[0], oldGeoms[0], c, geom):
		w.cs.Unchanged[changeset.Countries]++
	default:
		_, err = w.exec(`UPDATE countries SET name = ?, region = ?, subregion = ?, geometry = ?, anchor_lon = ?, anchor_lat = ?,
			min_lon = ?, min_lat = ?, max_lon = ?, max_lat = ? WHERE iso3 = ?`,
			c.Name, c.Region, c.Subregion, geom, c.Anchor.Lon(), c.Anchor.Lat(), bbox[0], bbox[1], bbox[2], bbox[3], c.ISO3)
		if err != nil {
			return fmt.Errorf("update: %w", err)
		}
		w.cs.Updated[changeset.Countries]++
		w.cs.Touch(changeset.LayersCountry, c.ISO3)
		if !bytes.Equal(oldGeoms[0], geom) || old[0].Anchor != c.Anchor {
			w.cs.TouchAll()
		}
	}
	if !withActor {
		return nil
	}
	a := data.Actor{ID: c.ISO3, Name: c.Name, Kind: data.ActorState, Country: c.ISO3}
	if err := w.putActor(&a); err != nil {
		return fmt.Errorf("its state actor: %w", err)
	}
	return nil
}

func sameCountry(old *data.Country, oldGeom []byte, c *data.Country, geom []byte) bool {
	return old.Name == c.Name && old.Region == c.Region && old.Subregion == c.Subregion &&
		old.Anchor == c.Anchor && bytes.Equal(oldGeom, geom)
}

// putActor upserts an actor by ID. A new actor has no transfers yet, so it
// touches nothing on the map; a changed one touches where it was and where
// it is.
func (w *writer) putActor(a *data.Actor) error {
	if err := a.Validate(); err != nil {
		return err
	}
	old, err := queryActors(w.ctx, w, "WHERE id = ?", a.ID)
	if err != nil {
		return fmt.Errorf("read stored actor: %w", err)
	}
	switch {
	case len(old) == 0:
		if _, err := w.exec(`INSERT INTO actors (id, name, kind, country) VALUES (?, ?, ?, ?)`,
			a.ID, a.Name, a.Kind, a.Country); err != nil {
			return fmt.Errorf("insert: %w", err)
		}
		w.cs.Inserted[changeset.Actors]++
	case old[0] == *a:
		w.cs.Unchanged[changeset.Actors]++
	default:
		if _, err := w.exec(`UPDATE actors SET name = ?, kind = ?, country = ? WHERE id = ?`,
			a.Name, a.Kind, a.Country, a.ID); err != nil {
			return fmt.Errorf("update: %w", err)
		}
		w.cs.Updated[changeset.Actors]++
		w.cs.Touch(changeset.LayersActor, changeset.PlaceOf(old[0]).ISO3, changeset.PlaceOf(*a).ISO3)
	}
	w.places[a.ID] = changeset.PlaceOf(*a)
	return nil
}
