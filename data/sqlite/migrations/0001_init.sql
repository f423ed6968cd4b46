-- 0001: armsflow's base schema. Every table is STRICT so a wrong type is an
-- error, not a silent conversion. Unknown text values are stored as '' and
-- unknown numbers as NULL (quantity, value) or 0 (years), never invented.

-- meta holds store-wide values; 'data_version' increases with every write
-- that changes something.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) STRICT;
INSERT INTO meta (key, value) VALUES ('data_version', 0);

-- countries are Natural Earth admin-0 countries. geometry is a WKB
-- MultiPolygon in WGS84 lon/lat; the bbox columns are derived from it.
CREATE TABLE countries (
    iso3       TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    region     TEXT NOT NULL DEFAULT '',
    subregion  TEXT NOT NULL DEFAULT '',
    geometry   BLOB,
    anchor_lon REAL NOT NULL,
    anchor_lat REAL NOT NULL,
    min_lon    REAL,
    min_lat    REAL,
    max_lon    REAL,
    max_lat    REAL
) STRICT;

-- actors are the parties to transfers: every country is also a 'state'
-- actor with the same id.
CREATE TABLE actors (
    id      TEXT PRIMARY KEY,
    name    TEXT NOT NULL,
    kind    TEXT NOT NULL CHECK (kind IN ('state', 'former', 'non-state')),
    country TEXT NOT NULL DEFAULT ''
) STRICT;

-- conflicts are armed conflicts; type '' means unknown.
CREATE TABLE conflicts (
    id                TEXT PRIMARY KEY,
    name              TEXT NOT NULL,
    type              TEXT NOT NULL CHECK (type IN ('', 'extrasystemic', 'interstate', 'intrastate', 'internationalized-intrastate')),
    start_year        INTEGER NOT NULL,
    end_year          INTEGER NOT NULL DEFAULT 0,
    intensity         INTEGER NOT NULL,
    parties           TEXT NOT NULL DEFAULT '[]', -- JSON array of strings
    geometry          BLOB,                       -- optional WKB area
    source_publisher  TEXT NOT NULL DEFAULT '',
    source_title      TEXT NOT NULL DEFAULT '',
    source_date       TEXT NOT NULL DEFAULT '',
    source_url        TEXT NOT NULL DEFAULT '',
    source_identifier TEXT NOT NULL DEFAULT ''
) STRICT;

-- conflict_years is the per-year intensity (UCDP conflict-years).
CREATE TABLE conflict_years (
    conflict_id TEXT NOT NULL REFERENCES conflicts (id) ON DELETE CASCADE,
    year        INTEGER NOT NULL,
    intensity   INTEGER NOT NULL,
    PRIMARY KEY (conflict_id, year)
) STRICT, WITHOUT ROWID;

-- conflict_countries lists, in order, the countries a conflict is fought in.
CREATE TABLE conflict_countries (
    conflict_id TEXT NOT NULL REFERENCES conflicts (id) ON DELETE CASCADE,
    pos         INTEGER NOT NULL,
    iso3        TEXT NOT NULL,
    PRIMARY KEY (conflict_id, pos)
) STRICT, WITHOUT ROWID;
CREATE INDEX conflict_countries_iso3 ON conflict_countries (iso3);

-- events are georeferenced conflict events; year is derived from date
-- (0 when the date is malformed) for the year filter.
CREATE TABLE events (
    id                TEXT PRIMARY KEY,
    conflict_id       TEXT REFERENCES conflicts (id),
    date              TEXT NOT NULL,
    year              INTEGER NOT NULL,
    lon               REAL NOT NULL,
    lat               REAL NOT NULL,
    country           TEXT NOT NULL DEFAULT '',
    deaths            INTEGER NOT NULL DEFAULT 0,
    source_publisher  TEXT NOT NULL DEFAULT '',
    source_title      TEXT NOT NULL DEFAULT '',
    source_date       TEXT NOT NULL DEFAULT '',
    source_url        TEXT NOT NULL DEFAULT '',
    source_identifier TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX events_year ON events (year);
CREATE INDEX events_conflict ON events (conflict_id);

-- transfers are arms transfers. id is never reused (AUTOINCREMENT) so an id
-- a client saw never names another deal; key is the natural key that makes
-- re-imports idempotent. order_year 0 = unknown; quantity and value NULL =
-- unknown.
CREATE TABLE transfers (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    key               TEXT NOT NULL UNIQUE,
    supplier          TEXT NOT NULL REFERENCES actors (id),
    recipient         TEXT NOT NULL REFERENCES actors (id),
    weapon            TEXT NOT NULL DEFAULT '',
    description       TEXT NOT NULL DEFAULT '',
    category          TEXT NOT NULL CHECK (category IN ('aircraft', 'air-defence', 'armoured-vehicles', 'artillery',
                          'missiles', 'naval', 'drones', 'small-arms', 'ammunition', 'sensors', 'engines', 'other')),
    source_category   TEXT NOT NULL DEFAULT '',
    order_year        INTEGER NOT NULL DEFAULT 0,
    quantity          INTEGER CHECK (quantity >= 0),
    value             REAL CHECK (value >= 0),
    unit              TEXT NOT NULL DEFAULT '',
    status            TEXT NOT NULL CHECK (status IN ('notified', 'ordered', 'delivered', 'cancelled')),
    source_publisher  TEXT NOT NULL,
    source_title      TEXT NOT NULL,
    source_date       TEXT NOT NULL,
    source_url        TEXT NOT NULL DEFAULT '',
    source_identifier TEXT NOT NULL DEFAULT '',
    notes             TEXT NOT NULL DEFAULT '',
    CHECK (supplier <> recipient)
) STRICT;

-- transfer_deliveries lists, in order, the years a transfer was delivered in.
CREATE TABLE transfer_deliveries (
    transfer_id INTEGER NOT NULL REFERENCES transfers (id) ON DELETE CASCADE,
    pos         INTEGER NOT NULL,
    year        INTEGER NOT NULL,
    PRIMARY KEY (transfer_id, pos)
) STRICT, WITHOUT ROWID;
