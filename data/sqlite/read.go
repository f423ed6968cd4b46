package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/data/internal/geomcodec"
	"github.com/armsflow/armsflow/data/internal/sqlquery"
	"github.com/paulmach/orb"
)

// Countries returns every country, ordered by ISO3.
func (s *Store) Countries(ctx context.Context) ([]data.Country, error) {
	cs, _, err := queryCountries(ctx, s.rdb, "")
	if err != nil {
		return nil, fmt.Errorf("read countries: %w", err)
	}
	return cs, nil
}

const countryCols = `iso3, name, region, subregion, geometry, anchor_lon, anchor_lat`

// queryCountries reads countries (all, or those matching where) with their
// stored WKB alongside.
func queryCountries(ctx context.Context, q queryer, where string, args ...any) ([]data.Country, [][]byte, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+countryCols+` FROM countries `+where+` ORDER BY iso3`, args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var (
		out   []data.Country
		geoms [][]byte
	)
	for rows.Next() {
		var (
			c        data.Country
			g        []byte
			lon, lat float64
		)
		if err := rows.Scan(&c.ISO3, &c.Name, &c.Region, &c.Subregion, &g, &lon, &lat); err != nil {
			return nil, nil, err
		}
		c.Anchor = orb.Point{lon, lat}
		if c.Geometry, err = geomcodec.DecodeMultiPolygon(g); err != nil {
			return nil, nil, fmt.Errorf("country %s: %w", c.ISO3, err)
		}
		out = append(out, c)
		geoms = append(geoms, g)
	}
	return out, geoms, rows.Err()
}

// Actors returns every actor, ordered by ID.
func (s *Store) Actors(ctx context.Context) ([]data.Actor, error) {
	as, err := queryActors(ctx, s.rdb, "")
	if err != nil {
		return nil, fmt.Errorf("read actors: %w", err)
	}
	return as, nil
}

func queryActors(ctx context.Context, q queryer, where string, args ...any) ([]data.Actor, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, name, kind, country FROM actors `+where+` ORDER BY id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []data.Actor
	for rows.Next() {
		var a data.Actor
		if err := rows.Scan(&a.ID, &a.Name, &a.Kind, &a.Country); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Conflicts returns every conflict, ordered by ID.
func (s *Store) Conflicts(ctx context.Context) ([]data.Conflict, error) {
	var cs []data.Conflict
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		cs, _, err = queryConflicts(ctx, tx, "")
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read conflicts: %w", err)
	}
	return cs, nil
}

const conflictCols = `id, name, type, start_year, end_year, intensity, parties, geometry,
	source_publisher, source_title, source_date, source_url, source_identifier`

// queryConflicts reads conflicts (all, or the one with id = the single
// argument when where is non-empty) with their years and countries, and the
// stored WKB alongside.
func queryConflicts(ctx context.Context, q queryer, where string, args ...any) ([]data.Conflict, [][]byte, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+conflictCols+` FROM conflicts `+where+` ORDER BY id`, args...)
	if err != nil {
		return nil, nil, err
	}
	var (
		out   []data.Conflict
		geoms [][]byte
		index = map[string]int{}
	)
	for rows.Next() {
		var (
			c       data.Conflict
			parties string
			g       []byte
		)
		if err := rows.Scan(&c.ID, &c.Name, &c.Type, &c.StartYear, &c.EndYear, &c.Intensity, &parties, &g,
			&c.Source.Publisher, &c.Source.Title, &c.Source.Date, &c.Source.URL, &c.Source.Identifier); err != nil {
			rows.Close()
			return nil, nil, err
		}
		if err := json.Unmarshal([]byte(parties), &c.Parties); err != nil {
			rows.Close()
			return nil, nil, fmt.Errorf("conflict %s: parties: %w", c.ID, err)
		}
		if len(c.Parties) == 0 {
			c.Parties = nil
		}
		if c.Geometry, err = geomcodec.Decode(g); err != nil {
			rows.Close()
			return nil, nil, fmt.Errorf("conflict %s: %w", c.ID, err)
		}
		index[c.ID] = len(out)
		out = append(out, c)
		geoms = append(geoms, g)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	if len(out) == 0 {
		return nil, nil, nil
	}
	childWhere := ""
	if where != "" {
		childWhere = "WHERE conflict_id = ?"
	}
	err = eachRow(ctx, q, `SELECT conflict_id, year, intensity FROM conflict_years `+childWhere+` ORDER BY conflict_id, year`, args,
		func(r *sql.Rows) error {
			var (
				id      string
				y, intn int
			)
			if err := r.Scan(&id, &y, &intn); err != nil {
				return err
			}
			if i, ok := index[id]; ok {
				if out[i].Years == nil {
					out[i].Years = map[int]int{}
				}
				out[i].Years[y] = intn
			}
			return nil
		})
	if err != nil {
		return nil, nil, fmt.Errorf("conflict years: %w", err)
	}
	err = eachRow(ctx, q, `SELECT conflict_id, iso3 FROM conflict_countries `+childWhere+` ORDER BY conflict_id, pos`, args,
		func(r *sql.Rows) error {
			var id, iso3 string
			if err := r.Scan(&id, &iso3); err != nil {
				return err
			}
			if i, ok := index[id]; ok {
				out[i].Countries = append(out[i].Countries, iso3)
			}
			return nil
		})
	if err != nil {
		return nil, nil, fmt.Errorf("conflict countries: %w", err)
	}
	return out, geoms, nil
}

// Events returns the events in f's year window (by the year of their date),
// ordered by ID. Only f's years apply to events.
func (s *Store) Events(ctx context.Context, f data.Filter) ([]data.Event, error) {
	where, args := sqlquery.EventsWhere(f, dialect)
	es, err := queryEvents(ctx, s.rdb, where, args...)
	if err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	return es, nil
}

const eventCols = `id, coalesce(conflict_id, ''), date, lon, lat, country, deaths,
	source_publisher, source_title, source_date, source_url, source_identifier`

func queryEvents(ctx context.Context, q queryer, where string, args ...any) ([]data.Event, error) {
	var out []data.Event
	err := eachRow(ctx, q, `SELECT `+eventCols+` FROM events `+where+` ORDER BY id`, args, func(r *sql.Rows) error {
		var (
			e        data.Event
			lon, lat float64
		)
		if err := r.Scan(&e.ID, &e.ConflictID, &e.Date, &lon, &lat, &e.Country, &e.Deaths,
			&e.Source.Publisher, &e.Source.Title, &e.Source.Date, &e.Source.URL, &e.Source.Identifier); err != nil {
			return err
		}
		e.Point = orb.Point{lon, lat}
		out = append(out, e)
		return nil
	})
	return out, err
}

// read runs fn in one read transaction, so queries over several tables see
// one snapshot.
func (s *Store) read(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.rdb.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin read: %w", err)
	}
	defer tx.Rollback()
	return fn(tx)
}

// eachRow runs a query and calls fn for each row.
func eachRow(ctx context.Context, q queryer, query string, args []any, fn func(*sql.Rows) error) error {
	rows, err := q.QueryContext(ctx, query, args...)
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
