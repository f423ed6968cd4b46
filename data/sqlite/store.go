package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"strings"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/data/internal/sqlmigrate"
	_ "github.com/mattn/go-sqlite3" // registers the "sqlite3" driver
)

var _ data.Store = (*Store)(nil)

// busyTimeoutMS is how long a connection waits for another process's write
// lock before giving up with SQLITE_BUSY.
const busyTimeoutMS = 10000

// Store is a data.Store on one SQLite database file. It is safe for
// concurrent use.
type Store struct {
	path string
	wdb  *sql.DB // the single writer connection
	rdb  *sql.DB // read-only connections; the same as wdb for an in-memory database

	// afterTransfer, when set (by tests), runs inside Apply's transaction
	// after the i-th transfer of the batch is written.
	afterTransfer func(i int)
}

// Open opens (creating it if needed) the database at path and brings its
// schema up to date. path ":memory:" (or "") opens a private in-memory
// database on a single connection, for tests and throwaway runs.
func Open(ctx context.Context, path string) (*Store, error) {
	return openWith(ctx, path, migrations)
}

// openWith is Open with a given schema history (tests pass a prefix of it to
// build a database as an older armsflow left it).
func openWith(ctx context.Context, path string, ms []sqlmigrate.Migration) (*Store, error) {
	s := &Store{path: path}
	memory := path == "" || path == ":memory:"
	var err error
	if memory {
		// A private in-memory database lives and dies with its connection:
		// one connection, kept open, does both reads and writes.
		if s.wdb, err = sql.Open("sqlite3", dsn(":memory:", false, false)); err != nil {
			return nil, fmt.Errorf("open in-memory database: %w", err)
		}
		s.wdb.SetMaxOpenConns(1)
		s.wdb.SetMaxIdleConns(1)
		s.wdb.SetConnMaxLifetime(0)
		s.wdb.SetConnMaxIdleTime(0)
		s.rdb = s.wdb
	} else {
		if s.wdb, err = sql.Open("sqlite3", dsn(path, true, false)); err != nil {
			return nil, fmt.Errorf("open database %s: %w", path, err)
		}
		s.wdb.SetMaxOpenConns(1)
		s.wdb.SetMaxIdleConns(1)
		s.wdb.SetConnMaxIdleTime(0)
	}
	if err := s.wdb.PingContext(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("open database %s: %w", s.name(), err)
	}
	if err := migrate(ctx, s.wdb, ms); err != nil {
		s.Close()
		return nil, fmt.Errorf("database %s: %w", s.name(), err)
	}
	s.optimize(ctx)
	if !memory {
		// Readers open after the migrations so they never see a half-made
		// schema; query_only makes any write through them an error.
		if s.rdb, err = sql.Open("sqlite3", dsn(path, false, true)); err != nil {
			s.Close()
			return nil, fmt.Errorf("open database %s: %w", path, err)
		}
		n := max(4, runtime.GOMAXPROCS(0))
		s.rdb.SetMaxOpenConns(n)
		s.rdb.SetMaxIdleConns(n)
	}
	return s, nil
}

// optimize lets SQLite refresh the statistics its query planner uses to
// pick an index for a filter (cheap: it analyzes only tables whose size
// changed a lot). It is a tuning step, so a failure is not an error of the
// write before it; the next one tries again.
func (s *Store) optimize(ctx context.Context) {
	_, _ = s.wdb.ExecContext(ctx, `PRAGMA optimize=0x10002`)
}

// dsn builds a go-sqlite3 data source name. Every connection gets WAL,
// foreign keys, the busy timeout and synchronous=FULL; the writer begins its
// transactions IMMEDIATE (taking the write lock at BEGIN), readers are
// query-only.
func dsn(path string, writer, reader bool) string {
	q := url.Values{}
	q.Set("_foreign_keys", "on")
	q.Set("_busy_timeout", fmt.Sprint(busyTimeoutMS))
	q.Set("_synchronous", "FULL")
	if path != ":memory:" {
		q.Set("_journal_mode", "WAL")
	}
	if writer {
		q.Set("_txlock", "immediate")
	}
	if reader {
		q.Set("_query_only", "on")
	}
	if path == ":memory:" {
		return "file::memory:?" + q.Encode()
	}
	// SQLite reads the path as a URI: escape what would end or alter it.
	p := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	return "file:" + p + "?" + q.Encode()
}

func (s *Store) name() string {
	if s.path == "" {
		return ":memory:"
	}
	return s.path
}

// Close closes the database. It is safe to call more than once.
func (s *Store) Close() error {
	var errs []error
	if s.rdb != nil && s.rdb != s.wdb {
		errs = append(errs, s.rdb.Close())
	}
	if s.wdb != nil {
		errs = append(errs, s.wdb.Close())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close database %s: %w", s.name(), err)
	}
	return nil
}

// Version returns the data version.
func (s *Store) Version(ctx context.Context) (int64, error) {
	v, err := readVersion(ctx, s.rdb)
	if err != nil {
		return 0, fmt.Errorf("read data version: %w", err)
	}
	return v, nil
}

// queryer is what *sql.DB and *sql.Tx share: reads run on either.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func readVersion(ctx context.Context, q queryer) (int64, error) {
	var v int64
	err := q.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'data_version'`).Scan(&v)
	return v, err
}

// bumpVersion increases the data version inside a write transaction and
// returns the new one.
func bumpVersion(ctx context.Context, tx *sql.Tx) (int64, error) {
	var v int64
	err := tx.QueryRowContext(ctx,
		`UPDATE meta SET value = value + 1 WHERE key = 'data_version' RETURNING value`).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("bump data version: %w", err)
	}
	return v, nil
}

// write runs fn in one write transaction, committing when it returns nil
// and commit is true, rolling back otherwise.
func (s *Store) write(ctx context.Context, commit bool, fn func(tx *sql.Tx) error) error {
	tx, err := s.wdb.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin write: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if !commit {
		if err := tx.Rollback(); err != nil {
			return fmt.Errorf("roll back: %w", err)
		}
		return nil
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}
