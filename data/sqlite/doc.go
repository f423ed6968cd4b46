// Package sqlite is armsflow's embedded default data.Store, on SQLite through
// github.com/mattn/go-sqlite3 (cgo).
//
// The database runs in WAL mode with foreign keys on and synchronous=FULL.
// WAL alone makes every transaction atomic, so a process killed in the middle
// of an import leaves all of the import or none of it (NORMAL would give that
// too); FULL also syncs the WAL at every commit, so a write that was
// acknowledged survives a power loss or an OS crash. armsflow writes rarely
// and in batches (one transaction per import or per API call), so the extra
// fsync a commit costs nothing that matters.
//
// Writes go through one connection (BEGIN IMMEDIATE, so a second process that
// writes, such as `armsflow import` beside a running server, waits on the
// busy timeout instead of failing); reads use a pool of read-only connections
// that see the last committed snapshot while a write is under way.
//
// The schema is a numbered list of SQL migrations embedded in the binary
// (migrations/NNNN_name.sql), applied at Open one transaction each and
// recorded in schema_migrations. A database written by a newer armsflow is
// refused.
package sqlite
