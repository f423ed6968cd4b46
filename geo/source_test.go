package geo_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/geo"
	"github.com/armsflow/armsflow/geo/geotest"
)

// fakeClock is a settable clock for Source.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newTestSource(st geo.WorldStore) (*geo.Source, *fakeClock) {
	clk := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	src := geo.NewSource(st, time.Minute)
	geo.SetClock(src, clk.now)
	return src, clk
}

func TestSourceMarkStale(t *testing.T) {
	ctx := context.Background()
	st := geotest.NewStoreWith(geotest.Fixture())
	src, _ := newTestSource(st)
	w1, err := src.World(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if w2, _ := src.World(ctx); w2 != w1 {
		t.Fatal("second call reloaded with nothing stale")
	}
	if n := st.Calls("Transfers"); n != 1 {
		t.Errorf("%d loads, want 1", n)
	}

	// A write in process: MarkStale, then the next call sees it.
	tr := geotest.Fixture().Transfers[0]
	tr.Key, tr.Recipient = "fix:new", "GBR"
	if _, _, err := st.PutTransfer(ctx, tr); err != nil {
		t.Fatal(err)
	}
	if w, _ := src.World(ctx); w != w1 {
		t.Fatal("reloaded before MarkStale or Poll")
	}
	src.MarkStale()
	w3, err := src.World(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if w3 == w1 || w3.Version != w1.Version+1 || len(w3.Transfers) != len(w1.Transfers)+1 {
		t.Fatalf("after MarkStale: version %d, %d transfers", w3.Version, len(w3.Transfers))
	}
	// MarkStale with no new version checks but keeps the World.
	src.MarkStale()
	if w, _ := src.World(ctx); w != w3 {
		t.Error("same version gave a new World")
	}
	if n := st.Calls("Transfers"); n != 2 {
		t.Errorf("%d loads, want 2", n)
	}
}

func TestSourcePoll(t *testing.T) {
	ctx := context.Background()
	st := geotest.NewStoreWith(geotest.Fixture())
	src, clk := newTestSource(st)
	w1, _ := src.World(ctx)
	versions := st.Calls("Version")

	st.Bump() // another process wrote
	clk.advance(30 * time.Second)
	if w, _ := src.World(ctx); w != w1 {
		t.Fatal("reloaded before Poll elapsed")
	}
	if st.Calls("Version") != versions {
		t.Error("checked the version before Poll elapsed")
	}
	clk.advance(31 * time.Second)
	// Poll elapsed: the current World is served while the check runs.
	w2 := waitNewWorld(t, src, w1)
	if w2.Version != w1.Version+1 {
		t.Fatalf("after Poll: version %d", w2.Version)
	}
	// Poll elapsed with the same version: a check, no reload.
	clk.advance(2 * time.Minute)
	calls := st.Calls("Version")
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline) && st.Calls("Version") == calls; {
		if w, _ := src.World(ctx); w != w2 {
			t.Fatal("unchanged version gave a new World")
		}
		time.Sleep(time.Millisecond)
	}
	if st.Calls("Version") == calls {
		t.Error("no version check after Poll elapsed")
	}
	if n := st.Calls("Transfers"); n != 2 {
		t.Errorf("%d loads, want 2", n)
	}
}

func TestSourceErrors(t *testing.T) {
	ctx := context.Background()
	st := geotest.NewStoreWith(geotest.Fixture())
	src, clk := newTestSource(st)
	boom := errors.New("disk on fire")

	st.SetErr(boom)
	if w, err := src.World(ctx); !errors.Is(err, boom) || w != nil {
		t.Fatalf("first load with a failing store: %v, %v", w, err)
	}
	st.SetErr(nil)
	w1, err := src.World(ctx)
	if err != nil {
		t.Fatalf("store healed, still failing: %v", err)
	}
	st.SetErr(boom)
	src.MarkStale()
	if w, err := src.World(ctx); err != nil || w != w1 {
		t.Fatalf("failing reload: %v, %v; want the old World and no error", w, err)
	}
	clk.advance(2 * time.Minute)
	if w, err := src.World(ctx); err != nil || w != w1 {
		t.Fatalf("failing poll: %v, %v", w, err)
	}
	st.SetErr(nil)
	st.Bump()
	clk.advance(2 * time.Minute)
	waitNewWorld(t, src, w1)
}

// waitNewWorld calls World until it hands out a World other than old (a
// poll-triggered reload runs in the background), for at most 30 seconds
// (the race detector on a busy machine is slow).
func waitNewWorld(t *testing.T, src *geo.Source, old *geo.World) *geo.World {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); {
		w, err := src.World(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if w != old {
			return w
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatal("the World was not reloaded")
	return nil
}

// heldStore stalls one Version call, after it has read the version, until
// released: a check in flight that has already looked at the store.
type heldStore struct {
	*geotest.Store
	mu            sync.Mutex
	read, release chan struct{}
}

// hold arms the stall of the next Version call: read is closed when it has
// read the version; closing release lets it return.
func (s *heldStore) hold() (read, release chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.read, s.release = make(chan struct{}), make(chan struct{})
	return s.read, s.release
}

func (s *heldStore) Version(ctx context.Context) (int64, error) {
	v, err := s.Store.Version(ctx)
	s.mu.Lock()
	read, release := s.read, s.release
	s.read, s.release = nil, nil
	s.mu.Unlock()
	if read != nil {
		close(read)
		<-release
	}
	return v, err
}

// TestSourceMarkStaleDuringPollCheck: a write made while a poll check is in
// flight (it read the version before the write) is seen by the next World
// call after MarkStale, as the server's live events need.
func TestSourceMarkStaleDuringPollCheck(t *testing.T) {
	ctx := context.Background()
	st := &heldStore{Store: geotest.NewStoreWith(geotest.Fixture())}
	src, clk := newTestSource(st)
	w1, err := src.World(ctx)
	if err != nil {
		t.Fatal(err)
	}
	read, release := st.hold()
	clk.advance(2 * time.Minute)
	if w, _ := src.World(ctx); w != w1 {
		t.Fatal("Poll elapsed: the current World was not served during the check")
	}
	select {
	case <-read:
	case <-time.After(30 * time.Second):
		t.Fatal("no poll check started")
	}
	tr := geotest.Fixture().Transfers[0]
	tr.Key, tr.Recipient = "fix:during-poll", "GBR"
	if _, _, err := st.PutTransfer(ctx, tr); err != nil {
		t.Fatal(err)
	}
	src.MarkStale()
	type answer struct {
		w   *geo.World
		err error
	}
	got := make(chan answer, 1)
	go func() {
		w, err := src.World(ctx)
		got <- answer{w, err}
	}()
	// Give the caller the time to join the stalled check. Whatever the
	// timing, the caller must get the World with the write.
	time.Sleep(50 * time.Millisecond)
	close(release)
	select {
	case a := <-got:
		w := a.w
		if a.err != nil || w == nil {
			t.Fatalf("World after the write and MarkStale: %v, %v", w, a.err)
		}
		if w.Version != w1.Version+1 || len(w.Transfers) != len(w1.Transfers)+1 {
			t.Fatalf("World after the write and MarkStale: version %d with %d transfers, want %d with %d",
				w.Version, len(w.Transfers), w1.Version+1, len(w1.Transfers)+1)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("World did not return")
	}
}

// slowStore blocks Transfers until released, to pile callers up on one load.
type slowStore struct {
	*geotest.Store
	release chan struct{}
	loads   atomic.Int32
}

func (s *slowStore) Transfers(ctx context.Context, f data.Filter) ([]data.Transfer, error) {
	s.loads.Add(1)
	<-s.release
	return s.Store.Transfers(ctx, f)
}

func TestSourceSingleflight(t *testing.T) {
	st := &slowStore{Store: geotest.NewStoreWith(geotest.Fixture()), release: make(chan struct{})}
	src, _ := newTestSource(st)
	const callers = 20
	var wg sync.WaitGroup
	worlds := make([]*geo.World, callers)
	for i := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w, err := src.World(context.Background())
			if err != nil {
				t.Error(err)
			}
			worlds[i] = w
		}()
	}
	// A caller that gives up does not cancel the load for the others.
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		_, err := src.World(ctx)
		done <- err
	}()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled caller got %v", err)
	}
	close(st.release)
	wg.Wait()
	if n := st.loads.Load(); n != 1 {
		t.Errorf("%d loads for %d concurrent callers, want 1", n, callers)
	}
	for i, w := range worlds {
		if w == nil || w != worlds[0] {
			t.Errorf("caller %d got a different World", i)
		}
	}
}

// Concurrent World, MarkStale and writes under -race.
func TestSourceConcurrent(t *testing.T) {
	ctx := context.Background()
	st := geotest.NewStoreWith(geotest.Fixture())
	src := geo.NewSource(st, time.Millisecond)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				w, err := src.World(ctx)
				if err != nil {
					t.Error(err)
					return
				}
				w.Join(data.Filter{YearFrom: 2000 + i%20})
				if g == 0 && i%10 == 0 {
					tr := geotest.Fixture().Transfers[1]
					tr.Key = ""
					if _, _, err := st.PutTransfer(ctx, tr); err != nil {
						t.Error(err)
					}
					src.MarkStale()
				}
			}
		}()
	}
	wg.Wait()
	w, err := src.World(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Transfers) != 12+5 {
		t.Errorf("final World has %d transfers, want 17", len(w.Transfers))
	}
}
