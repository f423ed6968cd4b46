package sqlite

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/data/storetest"
)

// pragmas reads the settings of n connections of db held at once (so they
// are n different connections).
func pragmas(t *testing.T, db *sql.DB, n int) []map[string]string {
	t.Helper()
	ctx := context.Background()
	var out []map[string]string
	var conns []*sql.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range n {
		c, err := db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		m := map[string]string{}
		for _, p := range []string{"journal_mode", "foreign_keys", "synchronous", "busy_timeout", "query_only"} {
			var v string
			if err := c.QueryRowContext(ctx, "PRAGMA "+p).Scan(&v); err != nil {
				t.Fatalf("PRAGMA %s: %v", p, err)
			}
			m[p] = v
		}
		out = append(out, m)
	}
	return out
}

func TestPragmas(t *testing.T) {
	s := openTemp(t)
	want := map[string]string{"journal_mode": "wal", "foreign_keys": "1", "synchronous": "2", "busy_timeout": fmt.Sprint(busyTimeoutMS)}
	check := func(who string, ps []map[string]string, queryOnly string) {
		for i, p := range ps {
			for k, v := range want {
				if p[k] != v {
					t.Errorf("%s connection %d: %s = %s, want %s", who, i, k, p[k], v)
				}
			}
			if p["query_only"] != queryOnly {
				t.Errorf("%s connection %d: query_only = %s, want %s", who, i, p["query_only"], queryOnly)
			}
		}
	}
	check("writer", pragmas(t, s.wdb, 1), "0")
	check("reader", pragmas(t, s.rdb, 3), "1")
	if got := s.wdb.Stats().MaxOpenConnections; got != 1 {
		t.Errorf("writer pool allows %d connections, want 1", got)
	}
	if got := s.rdb.Stats().MaxOpenConnections; got < 2 {
		t.Errorf("reader pool allows %d connections, want several", got)
	}
	if _, err := s.rdb.Exec(`DELETE FROM transfers`); err == nil {
		t.Errorf("a reader connection could write")
	}
}

func TestForeignKeysEnforced(t *testing.T) {
	s := openTemp(t)
	_, err := s.wdb.Exec(`INSERT INTO transfers (key, supplier, recipient, weapon, category, status, source_publisher,
		source_title, source_date) VALUES ('k', 'XQQ', 'XRR', 'w', 'other', 'ordered', 'p', 't', '2024')`)
	if err == nil || !strings.Contains(err.Error(), "FOREIGN KEY") {
		t.Errorf("insert with unknown actors: %v, want a foreign key error", err)
	}
}

// TestReadersDuringWrite holds a large Apply open halfway and checks that
// readers neither wait for it nor see any of it; after the commit they see
// all of it. Run with -race.
func TestReadersDuringWrite(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	places := storetest.Synthetic(1, 0)
	if _, err := s.Apply(ctx, places, false); err != nil {
		t.Fatal(err)
	}
	const n, readers = 4000, 4
	mid := make(chan struct{})
	var seenMid sync.WaitGroup
	seenMid.Add(readers)
	s.afterTransfer = func(i int) {
		if i != n/2 {
			return
		}
		close(mid)
		done := make(chan struct{})
		go func() { seenMid.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Errorf("readers did not get through while a write was open")
		}
	}
	var (
		wg        sync.WaitGroup
		writeDone = make(chan struct{})
	)
	for r := range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-mid
			ts, err := s.Transfers(ctx, data.Filter{})
			if err != nil || len(ts) != 0 {
				t.Errorf("reader %d mid-write: %d transfers, %v; want 0 (the write is not committed)", r, len(ts), err)
			}
			seenMid.Done()
			for i := 0; i < 1000; i++ { // bounded; stops when the write is done
				select {
				case <-writeDone:
					return
				default:
				}
				ts, err := s.Transfers(ctx, data.Filter{})
				if err != nil {
					t.Errorf("reader %d: %v", r, err)
					return
				}
				if len(ts) != 0 && len(ts) != n {
					t.Errorf("reader %d saw %d transfers: part of a transaction", r, len(ts))
					return
				}
			}
		}()
	}
	b := storetest.Synthetic(1, n)
	ch, err := s.Apply(ctx, &data.Batch{Transfers: b.Transfers}, false)
	close(writeDone)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if ch.Inserted["transfers"] != n {
		t.Fatalf("inserted %d, want %d", ch.Inserted["transfers"], n)
	}
	ts, err := s.Transfers(ctx, data.Filter{})
	if err != nil || len(ts) != n {
		t.Errorf("after the write: %d transfers, %v; want %d", len(ts), err, n)
	}
}

// TestTwoStoresOneFile is two processes' view of one database (a server and
// an `armsflow import`): a write through one is seen by the other, and
// concurrent writes wait for each other instead of failing.
func TestTwoStoresOneFile(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "shared.db")
	a, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if _, err := a.Apply(ctx, storetest.Synthetic(3, 0), false); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for i, st := range []*Store{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			batch := storetest.Synthetic(3, 2000)
			for j := range batch.Transfers {
				batch.Transfers[j].Key = fmt.Sprintf("store%d:%d", i, j)
			}
			_, err := st.Apply(ctx, &data.Batch{Transfers: batch.Transfers}, false)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("concurrent apply: %v", err)
		}
	}
	for _, st := range []*Store{a, b} {
		ts, err := st.Transfers(ctx, data.Filter{})
		if err != nil || len(ts) != 4000 {
			t.Errorf("%d transfers, %v; want 4000", len(ts), err)
		}
	}
	va, _ := a.Version(ctx)
	vb, _ := b.Version(ctx)
	if va != vb || va != 3 {
		t.Errorf("versions %d and %d, want 3 for both", va, vb)
	}
}

// crashEnv names the database the crash helper process writes to.
const crashEnv = "ARMSFLOW_SQLITE_CRASH_DB"

// crashTransfers is how many transfers the crash helper's import holds:
// enough for SQLite to spill pages to the WAL before the commit.
const crashTransfers = 20000

// TestCrashHelper is not a test on its own: TestKilledImport runs the test
// binary again with crashEnv set, and this function then starts an import
// and hangs halfway through it, waiting to be killed.
func TestCrashHelper(t *testing.T) {
	path := os.Getenv(crashEnv)
	if path == "" {
		t.Skip("helper process for TestKilledImport")
	}
	s, err := Open(context.Background(), path)
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	s.afterTransfer = func(i int) {
		if i == crashTransfers/2 {
			fmt.Println("halfway")
			os.Stdout.Sync()
			time.Sleep(time.Minute) // the parent kills the process well before this ends
		}
	}
	b := storetest.Synthetic(9, crashTransfers)
	s.Apply(context.Background(), &data.Batch{Transfers: b.Transfers}, false)
	fmt.Println("finished: not killed")
}

// TestKilledImport SIGKILLs a process in the middle of an import and checks
// that the database holds none of the import and still opens and works.
func TestKilledImport(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a child process")
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "crash.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	places := storetest.Synthetic(9, 0)
	if _, err := s.Apply(ctx, places, false); err != nil {
		t.Fatal(err)
	}
	before, _ := s.Version(ctx)
	s.Close()

	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashHelper$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(out)
	halfway := false
	for lines.Scan() {
		if lines.Text() == "halfway" {
			halfway = true
			break
		}
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL
		t.Fatal(err)
	}
	err = cmd.Wait()
	if !halfway {
		t.Fatalf("helper never reached the middle of its import (exit %v)", err)
	}
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.Success() {
		t.Fatalf("helper was not killed: %v", err)
	}
	if st, err := os.Stat(path + "-wal"); err != nil || st.Size() == 0 {
		t.Logf("no WAL left behind by the killed import (%v): the rollback was not exercised from a spilled WAL", err)
	}

	s, err = Open(ctx, path)
	if err != nil {
		t.Fatalf("open after the kill: %v", err)
	}
	defer s.Close()
	ts, err := s.Transfers(ctx, data.Filter{})
	if err != nil || len(ts) != 0 {
		t.Fatalf("after killing an import halfway: %d transfers, %v; want none of it", len(ts), err)
	}
	if v, _ := s.Version(ctx); v != before {
		t.Errorf("version %d after the killed import, want %d", v, before)
	}
	var check string
	if err := s.wdb.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Errorf("integrity check: %q, %v", check, err)
	}
	b := storetest.Synthetic(9, 100)
	if ch, err := s.Apply(ctx, &data.Batch{Transfers: b.Transfers}, false); err != nil || ch.Inserted["transfers"] != 100 {
		t.Errorf("import after the kill: %+v, %v", ch, err)
	}
}
