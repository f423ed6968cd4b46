package crashtest

import (
	"bytes"
	"context"
	"database/sql"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/data/sqlite"
	"github.com/armsflow/armsflow/internal/bintest"
	_ "github.com/mattn/go-sqlite3"
)

// rows is the size of the big file: CRASHTEST_ROWS, default 200000.
func rows(t *testing.T, def int) int {
	if v := os.Getenv("CRASHTEST_ROWS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1000 {
			t.Fatalf("CRASHTEST_ROWS=%q: want a number >= 1000", v)
		}
		return n
	}
	return def
}

// setup builds the binary and a base database (the default data plus one
// imported row), closed cleanly.
func setup(t *testing.T, ctx context.Context) (bin, dir, base string) {
	t.Helper()
	if testing.Short() {
		t.Skip("crash tests build and kill the binary")
	}
	dir = t.TempDir()
	bin, err := bintest.Build(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	one := filepath.Join(dir, "one.csv")
	f, err := os.Create(one)
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteTransfersCSV(f, 1, "base", 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	base = filepath.Join(dir, "base.db")
	if out, err := exec.CommandContext(ctx, bin, "import", "transfers", one, "--db", base, "--quiet").CombinedOutput(); err != nil {
		t.Fatalf("base import: %v\n%s", err, out)
	}
	return bin, dir, base
}

// writeCSV writes a generated CSV of n rows to dir/name.
func writeCSV(t *testing.T, dir, name string, n int, prefix string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteTransfersCSV(f, n, prefix, 7); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return p
}

func readCSV(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// copyDB copies a closed database (its WAL and shared-memory files too,
// when present) to dst.
func copyDB(t *testing.T, src, dst string) {
	t.Helper()
	for _, sfx := range []string{"", "-wal", "-shm"} {
		in, err := os.Open(src + sfx)
		if os.IsNotExist(err) && sfx != "" {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		out, err := os.Create(dst + sfx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(out, in); err != nil {
			t.Fatal(err)
		}
		in.Close()
		if err := out.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// integrity runs PRAGMA integrity_check on a database (recovering its WAL
// the way any opener does) and fails unless it says ok.
func integrity(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=10000")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var res string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&res); err != nil {
		t.Fatalf("integrity_check on %s: %v", filepath.Base(path), err)
	}
	if res != "ok" {
		t.Fatalf("integrity_check on %s: %s", filepath.Base(path), res)
	}
}

// state is what a database holds: its content hash and transfer count.
type state struct {
	hash      string
	transfers int
}

// allOrNone names what a database after a crash holds of a write: "none"
// or "all" of it, or "PARTIAL" (an error) when it is neither state.
func allOrNone(t *testing.T, name string, got, none, all state) string {
	t.Helper()
	switch got.hash {
	case none.hash:
		return "none"
	case all.hash:
		return "all"
	}
	t.Errorf("%s: the database holds %d transfers, neither %d (none) nor %d (all), or other content",
		name, got.transfers, none.transfers, all.transfers)
	return "PARTIAL"
}

func stateOf(t *testing.T, ctx context.Context, path string) state {
	t.Helper()
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatalf("open %s after the crash: %v", filepath.Base(path), err)
	}
	defer st.Close()
	h, err := bintest.HashStore(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	ts, err := st.Transfers(ctx, data.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	return state{hash: h, transfers: len(ts)}
}

func fileSize(p string) int64 {
	fi, err := os.Stat(p)
	if err != nil {
		return 0
	}
	return fi.Size()
}

// waitFor polls cond every 5 ms until it holds or d passes.
func waitFor(d time.Duration, cond func() bool) bool {
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		if cond() {
			return true
		}
		time.Sleep(5 * time.Millisecond)
	}
	return cond()
}

// countingReader reports when its reader is drained: done is closed
// then, and at (read only after done is closed) holds the time.
type countingReader struct {
	r    *bytes.Reader
	done chan struct{}
	once sync.Once
	at   time.Time
}

// waitDrained waits (a minute at most) until the client has read c to its
// end.
func waitDrained(t *testing.T, c *countingReader) {
	t.Helper()
	select {
	case <-c.done:
	case <-time.After(time.Minute):
		t.Fatal("the HTTP client did not read the request body to its end")
	}
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if err == io.EOF {
		c.once.Do(func() {
			c.at = time.Now()
			close(c.done)
		})
	}
	return n, err
}
