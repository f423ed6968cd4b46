package postgres

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
)

// watchAppName is the application_name of WatchVersion's connection, so an
// operator (or a test) can find it in pg_stat_activity.
const watchAppName = "armsflow-watch-version"

// WatchVersion calls fn with the data version each time another write (from
// any instance sharing the database, this one included) commits a change,
// so an instance can mark its caches stale without polling. It LISTENs on
// a dedicated connection, outside the pool. When that connection drops it
// reconnects with exponential backoff (0.1 s doubling to 10 s) and, once
// back, reads the version and calls fn if it moved meanwhile, so no change
// is missed for long. fn is called from WatchVersion's goroutine, one call
// at a time, with versions strictly increasing.
//
// WatchVersion runs until ctx is done and then returns nil. It returns an
// error only when the first connection or LISTEN fails, which is a
// configuration problem better reported at start-up than retried forever.
func (s *Store) WatchVersion(ctx context.Context, fn func(version int64)) error {
	conn, last, err := s.listen(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("watch data version on %s: %w", s.name, err)
	}
	backoff := s.watchMin
	for {
		err := s.receive(ctx, conn, &last, fn)
		conn.Close(context.WithoutCancel(ctx))
		if ctx.Err() != nil {
			return nil
		}
		slog.Warn("postgres: data-version listener lost its connection; reconnecting", "db", s.name, "err", err)
		for {
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(backoff):
			}
			var v int64
			conn, v, err = s.listen(ctx)
			if err == nil {
				backoff = s.watchMin
				if v > last {
					last = v
					fn(v)
				}
				break
			}
			if ctx.Err() != nil {
				return nil
			}
			backoff = min(2*backoff, s.watchMax)
			slog.Warn("postgres: data-version listener cannot reconnect", "db", s.name, "retry_in", backoff, "err", err)
		}
	}
}

// listen opens the dedicated connection, LISTENs and reads the version
// (after LISTEN, so a write committed between the two is not lost: it is
// either in the version read or notified).
func (s *Store) listen(ctx context.Context) (*pgx.Conn, int64, error) {
	cfg := s.cfg.Copy()
	cfg.RuntimeParams["application_name"] = watchAppName
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, 0, fmt.Errorf("connect: %w", err)
	}
	if _, err := conn.Exec(ctx, `LISTEN `+notifyChannel); err != nil {
		conn.Close(context.WithoutCancel(ctx))
		return nil, 0, fmt.Errorf("listen: %w", err)
	}
	v, err := readVersion(ctx, conn)
	if err != nil {
		conn.Close(context.WithoutCancel(ctx))
		return nil, 0, fmt.Errorf("read data version: %w", err)
	}
	return conn, v, nil
}

// receive passes notifications to fn until the connection fails or ctx is
// done. Payloads that do not parse, or do not move the version past the one
// last passed on (a write the catch-up read after a reconnect already
// counted), are skipped.
func (s *Store) receive(ctx context.Context, conn *pgx.Conn, last *int64, fn func(int64)) error {
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		v, err := strconv.ParseInt(n.Payload, 10, 64)
		if err != nil {
			slog.Warn("postgres: ignoring a malformed data-version notification", "payload", n.Payload)
			continue
		}
		if v > *last {
			*last = v
			fn(v)
		}
	}
}
