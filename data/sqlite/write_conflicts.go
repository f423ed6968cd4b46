package sqlite

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/data/internal/changeset"
	"github.com/armsflow/armsflow/data/internal/geomcodec"
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
	parties := "[]"
	if len(c.Parties) > 0 {
		b, err := json.Marshal(c.Parties)
		if err != nil {
			return fmt.Errorf("encode parties: %w", err)
		}
		parties = string(b)
	}
	old, oldGeoms, err := queryConflicts(w.ctx, w, "WHERE id = ?", c.ID)
	if err != nil {
		return fmt.Errorf("read stored conflict: %w", err)
	}
	args := []any{c.Name, c.Type, c.StartYear, c.EndYear, c.Intensity, parties, geom,
		c.Source.Publisher, c.Source.Title, c.Source.Date, c.Source.URL, c.Source.Identifier, c.ID}
	switch {
	case len(old) == 0:
		if _, err := w.exec(`INSERT INTO conflicts (name, type, start_year, end_year, intensity, parties, geometry,
			source_publisher, source_title, source_date, source_url, source_identifier, id)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, args...); err != nil {
			return fmt.Errorf("insert: %w", err)
		}
		w.cs.Inserted[changeset.Conflicts]++
	case sameConflict(&old[0], oldGeoms[0], c, geom):
		w.cs.Unchanged[changeset.Conflicts]++
		return nil
	default:
		if _, err := w.exec(`UPDATE conflicts SET name = ?, type = ?, start_year = ?, end_year = ?, intensity = ?,
			parties = ?, geometry = ?, source_publisher = ?, source_title = ?, source_date = ?, source_url = ?,
			source_identifier = ? WHERE id = ?`, args...); err != nil {
			return fmt.Errorf("update: %w", err)
		}
		for _, q := range []string{`DELETE FROM conflict_years WHERE conflict_id = ?`, `DELETE FROM conflict_countries WHERE conflict_id = ?`} {
			if _, err := w.exec(q, c.ID); err != nil {
				return fmt.Errorf("update: %w", err)
			}
		}
		w.cs.Updated[changeset.Conflicts]++
		w.cs.Touch(changeset.LayersConflict, old[0].Countries...)
	}
	for _, y := range slices.Sorted(maps.Keys(c.Years)) {
		if _, err := w.exec(`INSERT INTO conflict_years (conflict_id, year, intensity) VALUES (?, ?, ?)`, c.ID, y, c.Years[y]); err != nil {
			return fmt.Errorf("year %d: %w", y, err)
		}
	}
	for i, iso3 := range c.Countries {
		if _, err := w.exec(`INSERT INTO conflict_countries (conflict_id, pos, iso3) VALUES (?, ?, ?)`, c.ID, i, iso3); err != nil {
			return fmt.Errorf("country %q: %w", iso3, err)
		}
	}
	w.cs.Touch(changeset.LayersConflict, c.Countries...)
	return nil
}

func sameConflict(old *data.Conflict, oldGeom []byte, c *data.Conflict, geom []byte) bool {
	return old.Name == c.Name && old.Type == c.Type && old.StartYear == c.StartYear && old.EndYear == c.EndYear &&
		old.Intensity == c.Intensity && maps.Equal(old.Years, c.Years) && slices.Equal(old.Countries, c.Countries) &&
		slices.Equal(old.Parties, c.Parties) && bytes.Equal(oldGeom, geom) && old.Source == c.Source
}

// putEvent upserts an event by ID. Its conflict, when named, must be stored
// already (or earlier in the same batch).
func (w *writer) putEvent(e *data.Event) error {
	if err := e.Validate(); err != nil {
		return err
	}
	var conflictID any // NULL when the event names no conflict
	if e.ConflictID != "" {
		var one int
		err := w.QueryRowContext(w.ctx, `SELECT 1 FROM conflicts WHERE id = ?`, e.ConflictID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return &data.ValidationError{Problems: []string{fmt.Sprintf(
				"conflict %q is not stored (put the conflict in the batch or import it first)", e.ConflictID)}}
		}
		if err != nil {
			return fmt.Errorf("look up conflict %q: %w", e.ConflictID, err)
		}
		conflictID = e.ConflictID
	}
	old, err := queryEvents(w.ctx, w, "WHERE id = ?", e.ID)
	if err != nil {
		return fmt.Errorf("read stored event: %w", err)
	}
	args := []any{conflictID, e.Date, e.Year(), e.Point.Lon(), e.Point.Lat(), e.Country, e.Deaths,
		e.Source.Publisher, e.Source.Title, e.Source.Date, e.Source.URL, e.Source.Identifier, e.ID}
	switch {
	case len(old) == 0:
		if _, err := w.exec(`INSERT INTO events (conflict_id, date, year, lon, lat, country, deaths, source_publisher,
			source_title, source_date, source_url, source_identifier, id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, args...); err != nil {
			return fmt.Errorf("insert: %w", err)
		}
		w.cs.Inserted[changeset.Events]++
		w.cs.Touch(changeset.LayersEvent, e.Country)
	case old[0] == *e:
		w.cs.Unchanged[changeset.Events]++
	default:
		if _, err := w.exec(`UPDATE events SET conflict_id = ?, date = ?, year = ?, lon = ?, lat = ?, country = ?, deaths = ?,
			source_publisher = ?, source_title = ?, source_date = ?, source_url = ?, source_identifier = ? WHERE id = ?`, args...); err != nil {
			return fmt.Errorf("update: %w", err)
		}
		w.cs.Updated[changeset.Events]++
		w.cs.Touch(changeset.LayersEvent, old[0].Country, e.Country)
	}
	return nil
}
