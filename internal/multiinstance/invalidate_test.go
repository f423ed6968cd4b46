package multiinstance

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb/maptile"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/data/defaults"
	"github.com/armsflow/armsflow/data/postgres"
	"github.com/armsflow/armsflow/geo"
	"github.com/armsflow/armsflow/internal/pgtest"
	"github.com/armsflow/armsflow/internal/testenv"
	"github.com/armsflow/armsflow/tiles"
)

// cacheRig is one instance's tile cache in this process, wired to the
// database's change notifications as `armsflow serve` wires it (the world
// source marked stale, then the cache told of the change), with a gate
// that holds each notification until the test lets it through.
type cacheRig struct {
	st      *postgres.Store
	src     *geo.Source
	r       *tiles.Renderer
	c       *tiles.Cache
	gate    chan struct{}
	handled chan int64
}

func newCacheRig(t *testing.T) *cacheRig {
	t.Helper()
	if os.Getenv(pgtest.EnvVar) == "" {
		testenv.Missing(t, testenv.RequirePostgres, pgtest.EnvVar+` is not set: start a throwaway PostgreSQL/PostGIS cluster with eval "$(bash .ci/pg-setup.sh)"`)
	}
	ctx, cancel := context.WithCancel(context.Background())
	dsn := pgtest.NewDatabase(t)
	st, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := defaults.Load(ctx, st); err != nil {
		t.Fatal(err)
	}
	rig := &cacheRig{st: st, src: geo.NewSource(st, time.Hour), gate: make(chan struct{}), handled: make(chan int64, 10)}
	w0, err := rig.src.World(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rig.r = tiles.NewRenderer(rig.src, tiles.Options{Extent: 4096, Buffer: 64, MaxZoom: 14})
	if rig.c, err = tiles.NewCache(rig.r, rig.src, tiles.CacheOptions{}); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		done <- st.WatchChangesAfter(ctx, w0.Version, func(ch data.Change) {
			select {
			case <-rig.gate:
			case <-ctx.Done():
				return
			}
			rig.src.MarkStale()
			rig.c.Invalidate(ch)
			rig.handled <- ch.Version
		})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("WatchChangesAfter: %v", err)
		}
	})
	waitWatching(t, dsn)
	return rig
}

// waitWatching waits until a change watcher listens on the database dsn
// (its connection is idle after reading the version).
func waitWatching(t *testing.T, dsn string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if !waitFor(within, func() bool {
		var n int
		err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
			AND application_name = 'armsflow-watch-version' AND state = 'idle' AND query LIKE '%data_version%'`).Scan(&n)
		return err == nil && n > 0
	}) {
		t.Fatalf("no change watcher listening within %s", within)
	}
}

// notified lets one notification through and waits until the cache has
// been told of it; it returns its version.
func (rig *cacheRig) notified(t *testing.T) int64 {
	t.Helper()
	select {
	case rig.gate <- struct{}{}:
	case <-time.After(within):
		t.Fatalf("no change notified within %s", within)
	}
	select {
	case v := <-rig.handled:
		return v
	case <-time.After(within):
		t.Fatalf("notified change not handled within %s", within)
		return 0
	}
}

// local does what the write API's hooks do after a write on this instance.
func (rig *cacheRig) local(ch data.Change) {
	rig.src.MarkStale()
	rig.c.Invalidate(ch)
}

// put writes a made-up transfer between two countries.
func (rig *cacheRig) put(t *testing.T, supplier, recipient string) data.Change {
	t.Helper()
	_, ch, err := rig.st.PutTransfer(context.Background(), data.Transfer{Supplier: supplier, Recipient: recipient,
		Weapon: "multi-instance cache test item", Category: data.CatAircraft, Status: data.StatusOrdered,
		Source: data.Source{Publisher: "armsflow test", Title: "Invented row for the multi-instance cache test (not real data)", Date: "2026"}})
	if err != nil {
		t.Fatalf("put %s→%s: %v", supplier, recipient, err)
	}
	return ch
}

// rigTiles are the tiles the rig serves: every tile of zooms 0 to 2, and
// the Asian and South American tiles of zoom 3.
func rigTiles() []maptile.Tile {
	out := []maptile.Tile{asiaTile, saTile}
	for z := maptile.Zoom(0); z <= 2; z++ {
		for x := range uint32(1) << z {
			for y := range uint32(1) << z {
				out = append(out, maptile.New(x, y, z))
			}
		}
	}
	return out
}

var rigLayers = []string{"countries", "flows", "countries,flows,conflicts,events"}

// serveAll asks the cache for every rig tile and fails on any that is not
// byte for byte a fresh render at version want; it returns how many the
// cache rendered.
func (rig *cacheRig) serveAll(t *testing.T, want int64) int64 {
	t.Helper()
	ctx := context.Background()
	before := rig.c.Stats().Renders
	stale := 0
	for _, ls := range rigLayers {
		for _, tl := range rigTiles() {
			got, err := rig.c.Tile(ctx, ls, tl, data.Filter{})
			if err != nil {
				t.Fatal(err)
			}
			fresh, v, err := rig.r.Render(ctx, strings.Split(ls, ","), tl, data.Filter{})
			if err != nil {
				t.Fatal(err)
			}
			if v != want || !bytes.Equal(got.Raw(), fresh) {
				if stale++; stale <= 5 {
					t.Errorf("%s %v: served the tile of version %d, a fresh render of version %d differs (want version %d)",
						ls, tl, got.Version, v, want)
				}
			}
		}
	}
	if stale > 0 {
		t.Fatalf("%d stale tiles served", stale)
	}
	return rig.c.Stats().Renders - before
}

// TestNotifiedChangeInvalidatesOnce: an instance hears of its own writes
// twice, from its write hooks and from the database. In either order, the
// second drops nothing more, re-renders nothing more, and no tile is ever
// served stale. And when the notification of a write comes after a later
// write has committed (the World has moved past it), the cache falls back
// to dropping what it cannot prove untouched: no tile is served stale.
func TestNotifiedChangeInvalidatesOnce(t *testing.T) {
	rig := newCacheRig(t)
	total := int64(len(rigLayers) * len(rigTiles()))
	w, err := rig.src.World(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if n := rig.serveAll(t, w.Version); n != total {
		t.Fatalf("first pass rendered %d tiles, want %d", n, total)
	}

	for _, order := range []string{"hooks first", "notification first"} {
		d0 := rig.c.Stats().Dropped
		ch := rig.put(t, cacheSupplier, cacheRecipient)
		var first, second int64
		if order == "hooks first" {
			rig.local(ch)
			first = rig.c.Stats().Dropped
			if v := rig.notified(t); v != ch.Version {
				t.Fatalf("%s: notified version %d, want %d", order, v, ch.Version)
			}
		} else {
			if v := rig.notified(t); v != ch.Version {
				t.Fatalf("%s: notified version %d, want %d", order, v, ch.Version)
			}
			first = rig.c.Stats().Dropped
			rig.local(ch)
		}
		second = rig.c.Stats().Dropped
		rendered := rig.serveAll(t, ch.Version)
		t.Logf("%s: %d of %d tiles dropped by the first, %d by the second; %d re-rendered", order, first-d0, total, second-first, rendered)
		if first-d0 < 1 || first-d0 > total/2 {
			t.Errorf("%s: the write dropped %d of %d tiles, want some, not most", order, first-d0, total)
		}
		if second != first {
			t.Errorf("%s: handling the change again dropped %d more tiles", order, second-first)
		}
		if rendered != first-d0 {
			t.Errorf("%s: %d tiles re-rendered, want the %d dropped", order, rendered, first-d0)
		}
	}

	// Two writes, far apart, both committed before the first is notified.
	asia := rig.put(t, "KOR", "IND")
	sa := rig.put(t, "BRA", "ARG")
	if v := rig.notified(t); v != asia.Version {
		t.Fatalf("notified version %d, want %d", v, asia.Version)
	}
	rendered := rig.serveAll(t, sa.Version)
	if v := rig.notified(t); v != sa.Version {
		t.Fatalf("notified version %d, want %d", v, sa.Version)
	}
	again := rig.serveAll(t, sa.Version)
	t.Logf("world past the notified change: %d of %d tiles re-rendered, then %d", rendered, total, again)
	if again != 0 {
		t.Errorf("the later write's notification, after its tiles were rendered, made %d re-render", again)
	}
}
