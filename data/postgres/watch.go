package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/armsflow/armsflow/data"
	"github.com/jackc/pgx/v5"
)

// watchAppName is the application_name of the watcher's connection, so an
// operator (or a test) can find it in pg_stat_activity.
const watchAppName = "armsflow-watch-version"

// maxPayload is the longest NOTIFY payload sent: PostgreSQL refuses one of
// 8000 bytes or more.
const maxPayload = 7999

// notifyPayload is the NOTIFY text of a write's change: the Change as JSON
// without its Unchanged counts. A change whose JSON would be too long is
// sent as touching everything in its layers (All, no country list), which
// the receivers treat conservatively; one still too long (it cannot be: the
// counts name a handful of kinds) as its bare version.
func notifyPayload(ch data.Change) string {
	ch.Unchanged = nil
	if b, err := json.Marshal(ch); err == nil && len(b) <= maxPayload {
		return string(b)
	}
	ch.Countries, ch.All = nil, true
	if b, err := json.Marshal(ch); err == nil && len(b) <= maxPayload {
		return string(b)
	}
	return strconv.FormatInt(ch.Version, 10)
}

// parsePayload reads a NOTIFY payload: a Change as JSON, or the bare data
// version that armsflow sent before the Change was (read as a change that
// may touch everything). It reports false for anything else, and for a
// version below 1.
func parsePayload(p string) (data.Change, bool) {
	if v, err := strconv.ParseInt(p, 10, 64); err == nil {
		return everything(v), v > 0
	}
	var ch data.Change
	if err := json.Unmarshal([]byte(p), &ch); err != nil || ch.Version <= 0 {
		return data.Change{}, false
	}
	return ch, true
}

// everything is a change at version v that may have touched anything.
func everything(v int64) data.Change { return data.Change{Version: v, All: true} }

// WatchChanges calls fn with the Change of each write that commits a change
// to the database, from any instance sharing it (this one included), so an
// instance can refresh its caches, and drop from them only what the write
// touched, without polling. It LISTENs on a dedicated connection, outside
// the pool. When that connection drops it reconnects with exponential
// backoff (0.1 s doubling to 10 s) and, once back, reads the version and,
// if it moved meanwhile, calls fn with a Change at the new version that
// has All set (what changed in between is unknown), so no change is missed
// for long. A notification that does not parse is handled the same way.
// fn is called from WatchChanges' goroutine, one call at a time, with
// versions strictly increasing; a Change's Unchanged counts are not sent.
// A write made by an armsflow that sent only the version is reported with
// All set.
//
// WatchChanges runs until ctx is done and then returns nil. It returns an
// error only when the first connection or LISTEN fails, which is a
// configuration problem better reported at start-up than retried forever.
func (s *Store) WatchChanges(ctx context.Context, fn func(data.Change)) error {
	return s.watch(ctx, -1, fn)
}

// WatchChangesAfter is WatchChanges for a caller that already holds the
// data as of version after (a snapshot read before the listener was up):
// when the version found on first connecting is past it, fn is called at
// once with a Change at that version with All set, so the writes committed
// in between are not missed.
func (s *Store) WatchChangesAfter(ctx context.Context, after int64, fn func(data.Change)) error {
	if after < 0 {
		after = 0
	}
	return s.watch(ctx, after, fn)
}

// WatchVersion is WatchChanges reporting the versions only.
func (s *Store) WatchVersion(ctx context.Context, fn func(version int64)) error {
	return s.WatchChanges(ctx, func(ch data.Change) { fn(ch.Version) })
}

// watch is WatchChanges; after, when not negative, is the version the
// caller already holds.
func (s *Store) watch(ctx context.Context, after int64, fn func(data.Change)) error {
	conn, last, err := s.listen(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("watch data changes on %s: %w", s.name, err)
	}
	if after >= 0 && last > after {
		fn(everything(last))
	}
	backoff := s.watchMin
	for {
		err := s.receive(ctx, conn, &last, fn)
		conn.Close(context.WithoutCancel(ctx))
		if ctx.Err() != nil {
			return nil
		}
		slog.Warn("postgres: data-change listener lost its connection; reconnecting", "db", s.name, "err", err)
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
					fn(everything(v))
				}
				break
			}
			if ctx.Err() != nil {
				return nil
			}
			backoff = min(2*backoff, s.watchMax)
			slog.Warn("postgres: data-change listener cannot reconnect", "db", s.name, "retry_in", backoff, "err", err)
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
// done. A payload that does not parse is taken as a change to everything
// at the version read then. Changes that do not move the version past the
// one last passed on (a write the catch-up read after a reconnect already
// counted) are skipped.
func (s *Store) receive(ctx context.Context, conn *pgx.Conn, last *int64, fn func(data.Change)) error {
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		ch, ok := parsePayload(n.Payload)
		if !ok {
			p := n.Payload
			if len(p) > 200 {
				p = p[:200] + "..."
			}
			slog.Warn("postgres: a data-change notification does not parse; taking it as a change to everything", "payload", p)
			v, err := readVersion(ctx, conn)
			if err != nil {
				return fmt.Errorf("read data version: %w", err)
			}
			ch = everything(v)
		}
		if ch.Version > *last {
			*last = ch.Version
			fn(ch)
		}
	}
}
