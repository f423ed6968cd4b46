package postgres

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/data/internal/sqlmigrate"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

var _ data.Store = (*Store)(nil)

// Store is a data.Store on one PostgreSQL database. It is safe for
// concurrent use, and any number of Stores, in any number of processes,
// may share the database.
type Store struct {
	pool *pgxpool.Pool
	cfg  *pgx.ConnConfig // for WatchChanges's dedicated connection
	name string          // the DSN without its password, for errors

	// watchMin and watchMax bound WatchChanges's reconnect backoff.
	watchMin, watchMax time.Duration
}

// Open connects to the database named by dsn (a postgres:// or
// postgresql:// URL, or key=value pairs, as libpq reads them) and brings its
// schema up to date.
func Open(ctx context.Context, dsn string) (*Store, error) {
	return openWith(ctx, dsn, migrations)
}

// openWith is Open with a given schema history (tests pass a prefix of it to
// build a database as an older armsflow left it).
func openWith(ctx context.Context, dsn string, ms []sqlmigrate.Migration) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: parse DSN %s: %w", redact(dsn), err)
	}
	s := &Store{cfg: cfg.ConnConfig.Copy(), name: redact(dsn), watchMin: 100 * time.Millisecond, watchMax: 10 * time.Second}
	if s.pool, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
		return nil, fmt.Errorf("postgres %s: %w", s.name, err)
	}
	if err := s.pool.Ping(ctx); err != nil {
		s.pool.Close()
		return nil, fmt.Errorf("postgres %s: connect: %w", s.name, err)
	}
	if err := migrate(ctx, s.pool, ms); err != nil {
		s.pool.Close()
		return nil, fmt.Errorf("postgres %s: %w", s.name, err)
	}
	return s, nil
}

// redact drops the password from a DSN for messages.
func redact(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.Scheme != "" {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
		return u.String()
	}
	if strings.Contains(dsn, "://") {
		return "(a DSN that is not a valid URL)"
	}
	return passwordField.ReplaceAllString(dsn, "password=xxxxx")
}

// passwordField is a password in a key=value DSN, quoted or not.
var passwordField = regexp.MustCompile(`password\s*=\s*('(?:\\.|[^'])*'|\S*)`)

// Close closes the connection pool. It is safe to call more than once.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// Version returns the data version.
func (s *Store) Version(ctx context.Context) (int64, error) {
	v, err := readVersion(ctx, s.pool)
	if err != nil {
		return 0, fmt.Errorf("read data version: %w", err)
	}
	return v, nil
}

// querier is what a pool, a connection and a transaction share: reads run
// on any of them.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

func readVersion(ctx context.Context, q querier) (int64, error) {
	var v int64
	err := q.QueryRow(ctx, `SELECT value FROM meta WHERE key = 'data_version'`).Scan(&v)
	return v, err
}

// write runs fn in one transaction that holds the data_version row's lock,
// committing when fn returns nil and commit is true, rolling back
// otherwise. fn gets the version as it was when the lock was taken.
func (s *Store) write(ctx context.Context, commit bool, fn func(tx pgx.Tx, version int64) error) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin write: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	var v int64
	if err := tx.QueryRow(ctx, `SELECT value FROM meta WHERE key = 'data_version' FOR UPDATE`).Scan(&v); err != nil {
		return fmt.Errorf("lock data version: %w", err)
	}
	if err := fn(tx, v); err != nil {
		return err
	}
	if !commit {
		return nil // the deferred Rollback
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}
