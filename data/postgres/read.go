package postgres

import (
	"context"
	"fmt"
	"slices"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/data/internal/geomcodec"
	"github.com/armsflow/armsflow/data/internal/sqlquery"
	"github.com/jackc/pgx/v5"
)

// Countries returns every country, ordered by ISO3.
func (s *Store) Countries(ctx context.Context) ([]data.Country, error) {
	cs, err := queryCountries(ctx, s.pool, "")
	if err != nil {
		return nil, fmt.Errorf("read countries: %w", err)
	}
	return cs, nil
}

const countryCols = `iso3, name, region, subregion, ST_AsBinary(geometry, 'NDR'), ST_AsBinary(anchor, 'NDR')`

// queryCountries reads countries (all, or those matching where).
func queryCountries(ctx context.Context, q querier, where string, args ...any) ([]data.Country, error) {
	var out []data.Country
	err := eachRow(ctx, q, `SELECT `+countryCols+` FROM countries `+where+` ORDER BY iso3`, args, func(r pgx.Rows) error {
		var (
			c       data.Country
			g, anch []byte
		)
		if err := r.Scan(&c.ISO3, &c.Name, &c.Region, &c.Subregion, &g, &anch); err != nil {
			return err
		}
		var err error
		if c.Geometry, err = geomcodec.DecodeMultiPolygon(g); err != nil {
			return fmt.Errorf("country %s: %w", c.ISO3, err)
		}
		if c.Anchor, err = geomcodec.DecodePoint(anch); err != nil {
			return fmt.Errorf("country %s: anchor: %w", c.ISO3, err)
		}
		out = append(out, c)
		return nil
	})
	return out, err
}

// Actors returns every actor, ordered by ID.
func (s *Store) Actors(ctx context.Context) ([]data.Actor, error) {
	as, err := queryActors(ctx, s.pool, "")
	if err != nil {
		return nil, fmt.Errorf("read actors: %w", err)
	}
	return as, nil
}

func queryActors(ctx context.Context, q querier, where string, args ...any) ([]data.Actor, error) {
	var out []data.Actor
	err := eachRow(ctx, q, `SELECT id, name, kind, country FROM actors `+where+` ORDER BY id`, args, func(r pgx.Rows) error {
		var a data.Actor
		if err := r.Scan(&a.ID, &a.Name, &a.Kind, &a.Country); err != nil {
			return err
		}
		out = append(out, a)
		return nil
	})
	return out, err
}

// Conflicts returns every conflict, ordered by ID.
func (s *Store) Conflicts(ctx context.Context) ([]data.Conflict, error) {
	cs, err := queryConflicts(ctx, s.pool, "")
	if err != nil {
		return nil, fmt.Errorf("read conflicts: %w", err)
	}
	return cs, nil
}

// conflictCols reads a conflict with its years and countries gathered into
// arrays, in one statement and so one snapshot.
const conflictCols = `c.id, c.name, c.type, c.start_year, c.end_year, c.intensity, c.parties, ST_AsBinary(c.geometry, 'NDR'),
	c.source_publisher, c.source_title, c.source_date, c.source_url, c.source_identifier,
	ARRAY(SELECT y.year FROM conflict_years y WHERE y.conflict_id = c.id ORDER BY y.year),
	ARRAY(SELECT y.intensity FROM conflict_years y WHERE y.conflict_id = c.id ORDER BY y.year),
	ARRAY(SELECT k.iso3 FROM conflict_countries k WHERE k.conflict_id = c.id ORDER BY k.pos)`

// queryConflicts reads conflicts (all, or those matching where over c).
func queryConflicts(ctx context.Context, q querier, where string, args ...any) ([]data.Conflict, error) {
	var out []data.Conflict
	err := eachRow(ctx, q, `SELECT `+conflictCols+` FROM conflicts c `+where+` ORDER BY c.id`, args, func(r pgx.Rows) error {
		var (
			c                  data.Conflict
			g                  []byte
			years, intensities []int
		)
		if err := r.Scan(&c.ID, &c.Name, &c.Type, &c.StartYear, &c.EndYear, &c.Intensity, &c.Parties, &g,
			&c.Source.Publisher, &c.Source.Title, &c.Source.Date, &c.Source.URL, &c.Source.Identifier,
			&years, &intensities, &c.Countries); err != nil {
			return err
		}
		if len(years) != len(intensities) {
			return fmt.Errorf("conflict %s: %d years but %d intensities", c.ID, len(years), len(intensities))
		}
		if len(years) > 0 {
			c.Years = make(map[int]int, len(years))
			for i, y := range years {
				c.Years[y] = intensities[i]
			}
		}
		if len(c.Parties) == 0 {
			c.Parties = nil
		}
		if len(c.Countries) == 0 {
			c.Countries = nil
		}
		var err error
		if c.Geometry, err = geomcodec.Decode(g); err != nil {
			return fmt.Errorf("conflict %s: %w", c.ID, err)
		}
		out = append(out, c)
		return nil
	})
	return out, err
}

// Events returns the events in f's year window (by the year of their date),
// ordered by ID. Only f's years apply to events; an event of unknown date
// (year 0) is only in an open window.
func (s *Store) Events(ctx context.Context, f data.Filter) ([]data.Event, error) {
	where, args := sqlquery.EventsWhere(f, dialect)
	es, err := queryEvents(ctx, s.pool, where, args...)
	if err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	return es, nil
}

const eventCols = `id, coalesce(conflict_id, ''), date, ST_AsBinary(point, 'NDR'), country, deaths,
	source_publisher, source_title, source_date, source_url, source_identifier`

func queryEvents(ctx context.Context, q querier, where string, args ...any) ([]data.Event, error) {
	var out []data.Event
	err := eachRow(ctx, q, `SELECT `+eventCols+` FROM events `+where+` ORDER BY id`, args, func(r pgx.Rows) error {
		var (
			e  data.Event
			pt []byte
		)
		if err := r.Scan(&e.ID, &e.ConflictID, &e.Date, &pt, &e.Country, &e.Deaths,
			&e.Source.Publisher, &e.Source.Title, &e.Source.Date, &e.Source.URL, &e.Source.Identifier); err != nil {
			return err
		}
		var err error
		if e.Point, err = geomcodec.DecodePoint(pt); err != nil {
			return fmt.Errorf("event %s: %w", e.ID, err)
		}
		out = append(out, e)
		return nil
	})
	return out, err
}

// eachRow runs a query and calls fn for each row.
func eachRow(ctx context.Context, q querier, sql string, args []any, fn func(pgx.Rows) error) error {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// sortedKeys returns a map's keys, sorted (for deterministic arguments).
func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
