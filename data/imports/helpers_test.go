package imports

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/armsflow/armsflow/data"
)

// repoRoot returns the repository root (the directory holding go.mod),
// found by walking up from the package directory, or skips the test.
func repoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("repository root (go.mod) not found")
		}
		dir = parent
	}
	return dir
}

// sharedData returns the path of a file under ../shared/data (beside the
// repository root, found by walking up to go.mod), or skips the test when
// it is absent.
func sharedData(t testing.TB, rel string) string {
	t.Helper()
	dir := repoRoot(t)
	p := filepath.Join(dir, "..", "shared", "data", rel)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("real data file %s not present (%v): skipping", rel, err)
	}
	return p
}

// fakeStore is an in-memory Applier that simulates the store's keyed
// upserts: records are keyed by id (actors, conflicts, events) or natural
// key (transfers); a record whose JSON differs from the stored one is an
// update. Transfers must refer to known actors, as the store's foreign
// keys require.
type fakeStore struct {
	recs    map[string]map[string]string
	version int64
}

func newFakeStore() *fakeStore { return &fakeStore{recs: map[string]map[string]string{}} }

func (f *fakeStore) Apply(ctx context.Context, b *data.Batch, dryRun bool) (data.Change, error) {
	if err := ctx.Err(); err != nil {
		return data.Change{}, err
	}
	ch := data.Change{Inserted: map[string]int{}, Updated: map[string]int{}, Deleted: map[string]int{}}
	staged := map[string]map[string]string{}
	for k, m := range f.recs {
		staged[k] = map[string]string{}
		for kk, v := range m {
			staged[k][kk] = v
		}
	}
	put := func(kind, key string, v any) error {
		if key == "" {
			return fmt.Errorf("%s without a key", kind)
		}
		j, err := json.Marshal(v)
		if err != nil {
			return err
		}
		if staged[kind] == nil {
			staged[kind] = map[string]string{}
		}
		old, ok := staged[kind][key]
		switch {
		case !ok:
			ch.Inserted[kind]++
		case old != string(j):
			ch.Updated[kind]++
		}
		staged[kind][key] = string(j)
		return nil
	}
	for _, a := range b.Actors {
		if err := put("actors", a.ID, a); err != nil {
			return data.Change{}, err
		}
	}
	for _, c := range b.Conflicts {
		if err := put("conflicts", c.ID, c); err != nil {
			return data.Change{}, err
		}
	}
	for _, e := range b.Events {
		if err := put("events", e.ID, e); err != nil {
			return data.Change{}, err
		}
	}
	for _, t := range b.Transfers {
		for _, id := range []string{t.Supplier, t.Recipient} {
			if _, ok := staged["actors"][id]; !ok {
				return data.Change{}, fmt.Errorf("transfer %s: actor %s not stored (foreign key)", t.Key, id)
			}
		}
		t.ID = 0
		if err := put("transfers", t.Key, t); err != nil {
			return data.Change{}, err
		}
	}
	if !dryRun {
		f.recs = staged
		if !ch.Empty() {
			f.version++
		}
	}
	ch.Version = f.version
	return ch, nil
}

func (f *fakeStore) count(kind string) int { return len(f.recs[kind]) }

// termWriter is a writer that says it is a terminal.
type termWriter struct {
	buf []byte
	tty bool
}

func (w *termWriter) Write(p []byte) (int, error) { w.buf = append(w.buf, p...); return len(p), nil }
func (w *termWriter) IsTerminal() bool            { return w.tty }
