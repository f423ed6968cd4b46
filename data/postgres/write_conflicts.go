package postgres

import (
	"fmt"
	"maps"
	"slices"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/data/internal/changeset"
	"github.com/armsflow/armsflow/data/internal/geomcodec"
	"github.com/paulmach/orb/encoding/ewkb"
)

// putConflict upserts a conflict by ID with its per-year intensities and
// countries; it touches the countries it was and is fought in.
func (w *writer) putConflict(c *data.Conflict) error {
	if err := c.Validate(); err != nil {
		return err
	}
	geom, err := geomcodec.Encode(c.Geometry)
	if err != nil {
		return err
	}
	parties := c.Parties
	if parties == nil {
		parties = []string{}
	}
	label := fmt.Sprintf("conflict %q: ", c.ID)
	args := []any{c.ID, c.Name, string(c.Type), c.StartYear, c.EndYear, c.Intensity, parties, geom,
		c.Source.Publisher, c.Source.Title, c.Source.Date, c.Source.URL, c.Source.Identifier}
	old, had := w.conflicts[c.ID]
	switch {
	case !had:
		w.queue(label+"insert", `INSERT INTO conflicts (id, name, type, start_year, end_year, intensity, parties, geometry,
			source_publisher, source_title, source_date, source_url, source_identifier)
			VALUES ($1, $2, $3, $4, $5, $6, $7, ST_GeomFromWKB($8, 4326), $9, $10, $11, $12, $13)`, args...)
		w.cs.Inserted[changeset.Conflicts]++
	case sameConflict(&old, c, geom):
		w.cs.Unchanged[changeset.Conflicts]++
		return nil
	default:
		w.queue(label+"update", `UPDATE conflicts SET name = $2, type = $3, start_year = $4, end_year = $5, intensity = $6,
			parties = $7, geometry = ST_GeomFromWKB($8, 4326), source_publisher = $9, source_title = $10, source_date = $11,
			source_url = $12, source_identifier = $13 WHERE id = $1`, args...)
		w.queue(label+"update years", `DELETE FROM conflict_years WHERE conflict_id = $1`, c.ID)
		w.queue(label+"update countries", `DELETE FROM conflict_countries WHERE conflict_id = $1`, c.ID)
		w.cs.Updated[changeset.Conflicts]++
		w.cs.Touch(changeset.LayersConflict, old.Countries...)
	}
	if len(c.Years) > 0 {
		years := slices.Sorted(maps.Keys(c.Years))
		intensities := make([]int, len(years))
		for i, y := range years {
			intensities[i] = c.Years[y]
		}
		w.queue(label+"years", `INSERT INTO conflict_years (conflict_id, year, intensity)
			SELECT $1, u.year, u.intensity FROM unnest($2::integer[], $3::integer[]) AS u (year, intensity)`, c.ID, years, intensities)
	}
	if len(c.Countries) > 0 {
		w.queue(label+"countries", `INSERT INTO conflict_countries (conflict_id, pos, iso3)
			SELECT $1, u.pos - 1, u.iso3 FROM unnest($2::text[]) WITH ORDINALITY AS u (iso3, pos)`, c.ID, c.Countries)
	}
	w.cs.Touch(changeset.LayersConflict, c.Countries...)
	w.conflicts[c.ID] = *c
	w.hasConfl[c.ID] = true
	return nil
}

func sameConflict(old, c *data.Conflict, geom []byte) bool {
	return old.Name == c.Name && old.Type == c.Type && old.StartYear == c.StartYear && old.EndYear == c.EndYear &&
		old.Intensity == c.Intensity && maps.Equal(old.Years, c.Years) && slices.Equal(old.Countries, c.Countries) &&
		slices.Equal(old.Parties, c.Parties) && geomcodec.Same(old.Geometry, geom) && old.Source == c.Source
}

// putEvent upserts an event by ID. Its conflict, when named, must be stored
// already (or earlier in the same batch).
func (w *writer) putEvent(e *data.Event) error {
	if err := e.Validate(); err != nil {
		return err
	}
	var conflictID any // NULL when the event names no conflict
	if e.ConflictID != "" {
		if !w.hasConfl[e.ConflictID] {
			return &data.ValidationError{Problems: []string{fmt.Sprintf(
				"conflict %q is not stored (put the conflict in the batch or import it first)", e.ConflictID)}}
		}
		conflictID = e.ConflictID
	}
	label := fmt.Sprintf("event %q: ", e.ID)
	args := []any{e.ID, conflictID, e.Date, e.Year(), e.Point.Lon(), e.Point.Lat(), e.Country, e.Deaths,
		e.Source.Publisher, e.Source.Title, e.Source.Date, e.Source.URL, e.Source.Identifier}
	old, had := w.events[e.ID]
	switch {
	case !had && w.bulk:
		pt, err := ewkb.Marshal(e.Point, 4326)
		if err != nil {
			return fmt.Errorf("encode point: %w", err)
		}
		w.copyRow(copyEvents, e.ID, conflictID, e.Date, e.Year(), pt, e.Country, e.Deaths,
			e.Source.Publisher, e.Source.Title, e.Source.Date, e.Source.URL, e.Source.Identifier)
		w.cs.Inserted[changeset.Events]++
		w.cs.Touch(changeset.LayersEvent, e.Country)
	case !had:
		w.queue(label+"insert", `INSERT INTO events (id, conflict_id, date, year, point, country, deaths,
			source_publisher, source_title, source_date, source_url, source_identifier)
			VALUES ($1, $2, $3, $4, ST_SetSRID(ST_MakePoint($5, $6), 4326), $7, $8, $9, $10, $11, $12, $13)`, args...)
		w.cs.Inserted[changeset.Events]++
		w.cs.Touch(changeset.LayersEvent, e.Country)
	case old == *e:
		w.cs.Unchanged[changeset.Events]++
	default:
		w.queue(label+"update", `UPDATE events SET conflict_id = $2, date = $3, year = $4,
			point = ST_SetSRID(ST_MakePoint($5, $6), 4326), country = $7, deaths = $8, source_publisher = $9,
			source_title = $10, source_date = $11, source_url = $12, source_identifier = $13 WHERE id = $1`, args...)
		w.cs.Updated[changeset.Events]++
		w.cs.Touch(changeset.LayersEvent, old.Country, e.Country)
	}
	w.events[e.ID] = *e
	return nil
}
