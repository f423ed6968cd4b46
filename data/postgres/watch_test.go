package postgres

import (
	"context"
	"testing"
	"time"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/data/storetest"
	"github.com/armsflow/armsflow/internal/pgtest"
)

// pair opens two stores (two "instances") on one new database.
func pair(t *testing.T) (*Store, *Store) {
	t.Helper()
	ctx := context.Background()
	dsn := pgtest.NewDatabase(t)
	var out [2]*Store
	for i := range out {
		s, err := Open(ctx, dsn)
		if err != nil {
			t.Fatalf("open: %v", err)
		}
		t.Cleanup(func() { s.Close() })
		out[i] = s
	}
	return out[0], out[1]
}

// watcher runs WatchVersion on s until the test ends and returns the
// versions it reports.
func watcher(t *testing.T, s *Store) <-chan int64 {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	got := make(chan int64, 100)
	done := make(chan error, 1)
	go func() { done <- s.WatchVersion(ctx, func(v int64) { got <- v }) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("WatchVersion returned %v after cancel, want nil", err)
			}
		case <-time.After(10 * time.Second):
			t.Errorf("WatchVersion did not return within 10s of its context's end")
		}
	})
	waitListening(t, s, 0)
	return got
}

// waitListening waits (at most 20 s) until a WatchVersion connection other
// than the backend notPID has LISTENed and read the version, and returns
// its backend pid.
func waitListening(t *testing.T, s *Store, notPID int32) int32 {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		var pid int32
		err := s.pool.QueryRow(context.Background(), `SELECT pid FROM pg_stat_activity
			WHERE datname = current_database() AND application_name = $1 AND state = 'idle'
			AND query LIKE '%data_version%' AND pid <> $2`, watchAppName, notPID).Scan(&pid)
		if err == nil {
			return pid
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no WatchVersion connection is listening after 20s")
	return 0
}

// next waits (at most 10 s) for the next reported version.
func next(t *testing.T, got <-chan int64) int64 {
	t.Helper()
	select {
	case v := <-got:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("no version reported within 10s")
		return 0
	}
}

func TestWatchVersionSeesOtherInstancesWrites(t *testing.T) {
	ctx := context.Background()
	writerStore, reader := pair(t)
	got := watcher(t, reader)

	ch, err := writerStore.Apply(ctx, storetest.Fixture(), false)
	if err != nil {
		t.Fatal(err)
	}
	if v := next(t, got); v != ch.Version {
		t.Errorf("after Apply: reported %d, want %d", v, ch.Version)
	}
	// A dry run and a write that changes nothing notify nothing: the next
	// version reported is the next real write's.
	if _, err := writerStore.Apply(ctx, storetest.Fixture(), true); err != nil {
		t.Fatal(err)
	}
	if _, err := writerStore.Apply(ctx, storetest.Fixture(), false); err != nil {
		t.Fatal(err)
	}
	tr, ch, err := writerStore.PutTransfer(ctx, data.Transfer{Supplier: "XAA", Recipient: "XBB", Weapon: "Test gun",
		Category: data.CatArtillery, Status: data.StatusOrdered, Source: storetest.Fixture().Transfers[0].Source})
	if err != nil {
		t.Fatal(err)
	}
	if v := next(t, got); v != ch.Version {
		t.Errorf("after PutTransfer: reported %d, want %d", v, ch.Version)
	}
	// The reader's own writes are reported too.
	_, ch, err = reader.DeleteTransfer(ctx, tr.ID)
	if err != nil {
		t.Fatal(err)
	}
	if v := next(t, got); v != ch.Version {
		t.Errorf("after its own DeleteTransfer: reported %d, want %d", v, ch.Version)
	}
	// A rolled-back write (a failing batch) notifies nothing.
	bad := storetest.Fixture()
	bad.Transfers[0].Weapon = "Edited"
	bad.Transfers[1].Supplier = "XQQ"
	if _, err := writerStore.Apply(ctx, bad, false); err == nil {
		t.Fatal("bad batch applied")
	}
	good := storetest.Fixture()
	good.Transfers[0].Weapon = "Edited"
	if ch, err = writerStore.Apply(ctx, good, false); err != nil {
		t.Fatal(err)
	}
	if v := next(t, got); v != ch.Version {
		t.Errorf("after a failed and a good write: reported %d, want %d", v, ch.Version)
	}
}

func TestWatchVersionReconnects(t *testing.T) {
	ctx := context.Background()
	writerStore, reader := pair(t)
	reader.watchMin, reader.watchMax = 20*time.Millisecond, 200*time.Millisecond
	got := watcher(t, reader)
	pid := waitListening(t, reader, 0)

	// Cut the listener's connection, then write while it is down: the
	// write's NOTIFY reaches nobody, but the reconnect's catch-up read
	// reports it.
	var ok bool
	if err := writerStore.pool.QueryRow(ctx, `SELECT pg_terminate_backend($1)`, pid).Scan(&ok); err != nil || !ok {
		t.Fatalf("terminate listener %d: %v, %v", pid, ok, err)
	}
	ch, err := writerStore.Apply(ctx, storetest.Fixture(), false)
	if err != nil {
		t.Fatal(err)
	}
	if v := next(t, got); v != ch.Version {
		t.Errorf("after a reconnect: reported %d, want %d", v, ch.Version)
	}
	// The new connection listens: the next write is notified.
	waitListening(t, reader, pid)
	b := storetest.Fixture()
	b.Events[0].Deaths++
	if ch, err = writerStore.Apply(ctx, b, false); err != nil {
		t.Fatal(err)
	}
	if v := next(t, got); v != ch.Version {
		t.Errorf("after reconnecting: reported %d, want %d", v, ch.Version)
	}
}

func TestWatchVersionFirstConnectFails(t *testing.T) {
	s := openTemp(t)
	s.cfg.Database = "armsflow_no_such_database"
	err := s.WatchVersion(context.Background(), func(int64) { t.Error("fn called") })
	if err == nil {
		t.Fatal("WatchVersion on a missing database returned nil")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.WatchVersion(ctx, func(int64) {}); err != nil {
		t.Errorf("WatchVersion with a done context: %v, want nil", err)
	}
}
