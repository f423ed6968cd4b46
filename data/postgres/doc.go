// Package postgres is armsflow's scale-out data.Store, on PostgreSQL with
// PostGIS through github.com/jackc/pgx/v5 (pgxpool), so that several
// armsflow instances serve one shared database.
//
// It keeps data/sqlite's semantics exactly (both pass data/storetest):
// the same versioned schema (migrations/NNNN_name.sql, the same numbering
// and meaning in PostgreSQL's SQL), the same validation, upserts by
// natural key, Change reports and data version. Geometries live in PostGIS
// columns (country MultiPolygons, anchors and event points as Points,
// conflict areas as any geometry, all SRID 4326) with GiST indexes, and are
// read back as WKB (ST_AsBinary) through orb/encoding/wkb.
//
// Open applies the migrations the database lacks in one transaction under
// pg_advisory_xact_lock, so instances starting together do not race.
//
// Every write is one transaction that first locks the data_version row of
// meta: writes from every instance run one at a time, each sees the one
// before it, and the version they bump is shared. A write that changes
// something sends NOTIFY armsflow_version inside its transaction (delivered
// on commit) with its data.Change as JSON: the new version, the counts
// inserted, updated and deleted, the touched countries and layers, and All.
// A Change too long for a NOTIFY payload (8000 bytes) is sent with All set
// and no country list. WatchChanges LISTENs for them so every instance
// (the writer too) can reload its snapshot and drop from its tile cache
// only the tiles the write touched, without polling; after a reconnect, or
// for a payload it cannot read, it reports a Change with All set at the
// version found, and it reads the bare version an older armsflow sends as
// one too, so instances of both can share a database during an upgrade.
// WatchVersion reports the versions only. Within a write, the records
// already stored are read in a few set queries up front and the writes are
// pipelined, so a large import costs a few round trips, not one per row.
//
// The tables are created in the first schema of the connection's
// search_path (public by default); PostGIS must be reachable on that path.
// NOTIFY channels belong to a database, not a schema: give each deployment
// its own database.
package postgres
