package tiles

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"

	_ "github.com/mattn/go-sqlite3" // the sqlite3 database/sql driver
	"github.com/paulmach/orb/maptile"
)

// ExportMBTiles renders the tiles of o and writes them to an MBTiles 1.3
// file at path: gzip-compressed MVT in the tiles table (TMS row order), and
// the metadata table with name, format (pbf), bounds, center, minzoom,
// maxzoom, attribution and json (vector_layers). The file appears whole or
// not at all: it is written beside path under a temporary name and renamed.
func ExportMBTiles(ctx context.Context, r TileRenderer, path string, o ExportOptions) (ExportStats, error) {
	p, err := planExport(r, o)
	if err != nil {
		return ExportStats{}, err
	}
	comp, err := newCompressor(0, 0)
	if err != nil {
		return ExportStats{}, err
	}
	var st ExportStats
	err = atomicFile(path, func(tmp string) error {
		db, err := sql.Open("sqlite3", "file:"+tmp+"?_journal_mode=OFF&_synchronous=OFF")
		if err != nil {
			return err
		}
		defer db.Close()
		db.SetMaxOpenConns(1)
		for _, q := range []string{
			`CREATE TABLE metadata (name TEXT, value TEXT)`,
			`CREATE UNIQUE INDEX name ON metadata (name)`,
			`CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB)`,
			`CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row)`,
		} {
			if _, err := db.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("create schema: %w", err)
			}
		}
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		ins, err := tx.PrepareContext(ctx, `INSERT INTO tiles (zoom_level, tile_column, tile_row, tile_data) VALUES (?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer ins.Close()
		st, err = renderAll(ctx, r, p, comp, func(t maptile.Tile, gz []byte) error {
			tmsY := (uint32(1) << t.Z) - 1 - t.Y
			if _, err := ins.ExecContext(ctx, int(t.Z), t.X, tmsY, gz); err != nil {
				return fmt.Errorf("insert tile %d/%d/%d: %w", t.Z, t.X, t.Y, err)
			}
			return nil
		})
		if err != nil {
			return err
		}
		meta, err := p.metadata(st.Version)
		if err != nil {
			return err
		}
		for _, kv := range meta {
			if _, err := tx.ExecContext(ctx, `INSERT INTO metadata (name, value) VALUES (?, ?)`, kv[0], kv[1]); err != nil {
				return fmt.Errorf("write metadata %s: %w", kv[0], err)
			}
		}
		if err := tx.Commit(); err != nil {
			return err
		}
		return db.Close()
	})
	if err != nil {
		return ExportStats{}, exportErr("MBTiles", path, err)
	}
	return st, nil
}

// metadata is the MBTiles metadata of a plan, as name/value pairs.
func (p *exportPlan) metadata(version int64) ([][2]string, error) {
	js, err := json.Marshal(map[string]any{"vector_layers": p.ts.Layers})
	if err != nil {
		return nil, err
	}
	b := p.bounds
	c := p.center()
	f := strconv.FormatFloat
	return [][2]string{
		{"name", p.ts.Name},
		{"description", p.ts.Description},
		{"format", "pbf"},
		{"type", "overlay"},
		{"version", strconv.FormatInt(version, 10)},
		{"attribution", Attribution},
		{"bounds", f(b.Min[0], 'f', -1, 64) + "," + f(b.Min[1], 'f', -1, 64) + "," + f(b.Max[0], 'f', -1, 64) + "," + f(b.Max[1], 'f', -1, 64)},
		{"center", f(c[0], 'f', -1, 64) + "," + f(c[1], 'f', -1, 64) + "," + strconv.Itoa(int(c[2]))},
		{"minzoom", strconv.Itoa(p.o.MinZoom)},
		{"maxzoom", strconv.Itoa(p.o.MaxZoom)},
		{"json", string(js)},
		{"armsflow_filter", p.o.Filter.Canonical()},
		{"armsflow_data_version", strconv.FormatInt(version, 10)},
	}, nil
}

// center is the middle of the bounds at a zoom inside the range.
func (p *exportPlan) center() [3]float64 {
	b := p.bounds
	return [3]float64{(b.Min[0] + b.Max[0]) / 2, (b.Min[1] + b.Max[1]) / 2, float64(max(p.o.MinZoom, min(p.o.MaxZoom, 2)))}
}
