package tiles

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/geo"
	"github.com/armsflow/armsflow/geo/geotest"
	"github.com/klauspost/compress/gzip"
	"github.com/paulmach/orb/maptile"
)

// fakeRenderer stands in for the real renderer: its "MVT" names what was
// asked and the data version, so tests can tell renders apart. Tiles in row
// 0 below zoom 1 are empty. It logs every render.
type fakeRenderer struct {
	src   WorldSource
	block chan struct{} // when set, renders wait for it to close
	mu    sync.Mutex
	log   []string
	n     atomic.Int64
	fail  error
}

func (r *fakeRenderer) Layers() []LayerInfo {
	return []LayerInfo{
		{Name: "countries", Geometry: "polygon", MaxZoom: 14, Fields: map[string]string{"iso3": "String"}},
		{Name: "flows", Geometry: "line", MaxZoom: 14, Fields: map[string]string{"deals": "Number"}},
		{Name: "conflicts", Geometry: "polygon", MaxZoom: 14},
		{Name: "events", Geometry: "point", MinZoom: 2, MaxZoom: 14},
		{Name: "labels", Geometry: "point", MaxZoom: 14},
	}
}

func (r *fakeRenderer) Render(ctx context.Context, layers []string, t maptile.Tile, f data.Filter) ([]byte, int64, error) {
	if r.block != nil {
		<-r.block
	}
	if r.fail != nil {
		return nil, 0, r.fail
	}
	w, err := r.src.World(ctx)
	if err != nil {
		return nil, 0, err
	}
	id := fmt.Sprintf("%s|%d/%d/%d|%s", strings.Join(layers, ","), t.Z, t.X, t.Y, f.Canonical())
	r.n.Add(1)
	r.mu.Lock()
	r.log = append(r.log, id)
	r.mu.Unlock()
	if t.Z >= 1 && t.Y == 0 {
		return nil, w.Version, nil
	}
	return []byte(strings.Repeat(id+fmt.Sprintf("|v%d;", w.Version), 20)), w.Version, nil
}

func (r *fakeRenderer) takeLog() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	l := r.log
	r.log = nil
	return l
}

// newTestCache builds a cache over the geotest fixture world.
func newTestCache(t testing.TB, o CacheOptions) (*Cache, *fakeRenderer, *geotest.Store, *geo.Source) {
	t.Helper()
	store := geotest.NewStoreWith(geotest.Fixture())
	src := geo.NewSource(store, time.Hour)
	r := &fakeRenderer{src: src}
	c, err := NewCache(r, src, o)
	if err != nil {
		t.Fatal(err)
	}
	return c, r, store, src
}

func gunzip(t testing.TB, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func unbrotli(t testing.TB, b []byte) []byte {
	t.Helper()
	out, err := io.ReadAll(brotli.NewReader(bytes.NewReader(b)))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestCacheHitMissAndEncodings(t *testing.T) {
	c, r, _, _ := newTestCache(t, CacheOptions{})
	ctx := context.Background()
	tl := maptile.New(1, 1, 1)
	a, err := c.Tile(ctx, "countries", tl, data.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.Tile(ctx, "countries", tl, data.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if a != b || r.n.Load() != 1 {
		t.Fatalf("second lookup: same tile %v, renders %d; want a hit and 1 render", a == b, r.n.Load())
	}
	raw := a.Raw()
	if !bytes.HasPrefix(raw, []byte("countries|1/1/1||v1;")) {
		t.Fatalf("raw = %.40q", raw)
	}
	if got := gunzip(t, a.Variant(EncGzip).Body); !bytes.Equal(got, raw) {
		t.Fatal("gzip body does not decode to the raw tile")
	}
	if got := unbrotli(t, a.Variant(EncBrotli).Body); !bytes.Equal(got, raw) {
		t.Fatal("brotli body does not decode to the raw tile")
	}
	if len(a.Variant(EncGzip).Body) >= len(raw) || len(a.Variant(EncBrotli).Body) >= len(raw) {
		t.Fatal("compressed bodies are not smaller than a repetitive raw tile")
	}
	seen := map[string]bool{}
	for e := range numEncodings {
		v := a.Variant(e)
		if v.ETag != a.ETag(e) || v.ETagValue[0] != v.ETag || v.LengthValue[0] != fmt.Sprint(len(v.Body)) {
			t.Fatalf("encoding %d: variant headers %q %q disagree with ETag %q / length %d", e, v.ETagValue, v.LengthValue, a.ETag(e), len(v.Body))
		}
		if !strings.HasPrefix(v.ETag, `"`) || !strings.HasSuffix(v.ETag, `"`) || strings.HasPrefix(v.ETag, "W/") {
			t.Fatalf("ETag %s is not a quoted strong ETag", v.ETag)
		}
		seen[v.ETag] = true
	}
	if len(seen) != 3 {
		t.Fatalf("the three encodings share ETags: %v", seen)
	}

	// Another filter is another tile; an equal filter spelled differently is not.
	f1, _ := data.ParseFilter(map[string][]string{"supplier": {"usa, gbr"}})
	f2, _ := data.ParseFilter(map[string][]string{"supplier": {"GBR", "USA"}})
	x, _ := c.Tile(ctx, "countries", tl, f1)
	y, _ := c.Tile(ctx, "countries", tl, f2)
	if x == a || x != y || r.n.Load() != 2 {
		t.Fatalf("filtered lookups: renders %d, want 2 (one per canonical filter)", r.n.Load())
	}
	// Layer order is part of the key.
	if _, err := c.Tile(ctx, "flows,countries", tl, data.Filter{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Tile(ctx, "countries,flows", tl, data.Filter{}); err != nil {
		t.Fatal(err)
	}
	if r.n.Load() != 4 {
		t.Fatalf("renders = %d, want 4", r.n.Load())
	}
}

func TestCacheEmptyTiles(t *testing.T) {
	c, r, _, _ := newTestCache(t, CacheOptions{})
	for range 3 {
		tl, err := c.Tile(context.Background(), "events", maptile.New(0, 0, 2), data.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if !tl.Empty || tl.Raw() != nil || tl.Variant(EncGzip) != nil || tl.ETag(EncIdentity) == "" {
			t.Fatalf("empty tile: Empty=%v raw=%q", tl.Empty, tl.Raw())
		}
	}
	if r.n.Load() != 1 {
		t.Fatalf("empty tile rendered %d times, want 1 (cached)", r.n.Load())
	}
}

func TestCacheBadRequests(t *testing.T) {
	c, r, _, _ := newTestCache(t, CacheOptions{})
	for _, tc := range []struct {
		layers string
		tile   maptile.Tile
		want   error
	}{
		{"nope", maptile.New(0, 0, 0), ErrUnknownLayer},
		{"countries,nope", maptile.New(0, 0, 0), ErrUnknownLayer},
		{"", maptile.New(0, 0, 0), ErrUnknownLayer},
		{"countries,", maptile.New(0, 0, 0), ErrUnknownLayer},
		{"countries,flows,countries", maptile.New(0, 0, 0), ErrDuplicateLayer},
		{"countries", maptile.New(2, 0, 1), ErrOutOfRange},
		{"countries", maptile.New(0, 4, 2), ErrOutOfRange},
		{"countries", maptile.New(0, 0, 31), ErrOutOfRange},
	} {
		_, err := c.Tile(context.Background(), tc.layers, tc.tile, data.Filter{})
		if !errors.Is(err, tc.want) {
			t.Errorf("Tile(%q, %v) error = %v, want %v", tc.layers, tc.tile, err, tc.want)
		}
	}
	if r.n.Load() != 0 {
		t.Fatalf("bad requests reached the renderer %d times", r.n.Load())
	}
	// Render errors pass through, wrapped, and are not cached.
	r.fail = fmt.Errorf("zoom too deep: %w", ErrOutOfRange)
	for range 2 {
		if _, err := c.Tile(context.Background(), "countries", maptile.New(0, 0, 20), data.Filter{}); !errors.Is(err, ErrOutOfRange) {
			t.Fatalf("render error = %v", err)
		}
	}
	if c.Stats().Entries != 0 {
		t.Fatal("a failed render was cached")
	}
}

func TestCacheSingleflight(t *testing.T) {
	c, r, _, _ := newTestCache(t, CacheOptions{})
	r.block = make(chan struct{})
	const n = 32
	var wg sync.WaitGroup
	got := make([]*Tile, n)
	errs := make([]error, n)
	var started sync.WaitGroup
	started.Add(n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			started.Done()
			got[i], errs[i] = c.Tile(context.Background(), "countries", maptile.New(0, 0, 0), data.Filter{})
		}()
	}
	started.Wait()
	// A caller that gives up gets its context's error at once.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Tile(ctx, "countries", maptile.New(0, 0, 0), data.Filter{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled caller: %v", err)
	}
	time.Sleep(20 * time.Millisecond) // let the callers pile up on the flight
	close(r.block)
	wg.Wait()
	// A caller the scheduler started late finds the tile cached instead of
	// joining the flight: either way it gets the same bytes and no render.
	for i := range n {
		if errs[i] != nil || got[i] == nil || !bytes.Equal(got[i].Raw(), got[0].Raw()) {
			t.Fatalf("caller %d: %v", i, errs[i])
		}
	}
	if r.n.Load() != 1 {
		t.Fatalf("%d concurrent misses rendered %d times, want 1", n, r.n.Load())
	}
}

func TestCacheLRUBudget(t *testing.T) {
	// Each fake tile costs about 1.2 KB; a 40 KB budget holds a few dozen.
	c, r, _, _ := newTestCache(t, CacheOptions{MaxBytes: 40 << 10})
	ctx := context.Background()
	get := func(x, y uint32) {
		t.Helper()
		if _, err := c.Tile(ctx, "countries", maptile.New(x, y, 6), data.Filter{}); err != nil {
			t.Fatal(err)
		}
	}
	get(0, 1) // the tile kept warm
	for i := range uint32(200) {
		get(i%64, 1+i/64)
		get(0, 1)
	}
	st := c.Stats()
	if st.Bytes > st.MaxBytes || st.Evictions == 0 || st.Entries < 10 {
		t.Fatalf("stats %+v: want bytes within budget, evictions, and a few dozen entries", st)
	}
	before := r.n.Load()
	get(0, 1)
	if r.n.Load() != before {
		t.Fatal("the most recently used tile was evicted")
	}
	get(1, 1) // long evicted
	if r.n.Load() != before+1 {
		t.Fatal("an old tile was still cached past the budget")
	}
	// Lazily made brotli bytes count against the budget too.
	tl, _ := c.Tile(ctx, "countries", maptile.New(0, 1, 6), data.Filter{})
	b0 := c.Stats().Bytes
	tl.Variant(EncBrotli)
	if b1 := c.Stats().Bytes; b1 <= b0 {
		t.Fatalf("bytes %d -> %d after making brotli", b0, b1)
	}
}

func TestCacheSeesOtherProcessWrites(t *testing.T) {
	c, r, store, src := newTestCache(t, CacheOptions{})
	ctx := context.Background()
	tl := maptile.New(1, 1, 1)
	if _, err := c.Tile(ctx, "countries", tl, data.Filter{}); err != nil {
		t.Fatal(err)
	}
	store.Bump() // a write by another process: no Invalidate
	src.MarkStale()
	got, err := c.Tile(ctx, "countries", tl, data.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	if r.n.Load() != 2 || got.Version != 2 {
		t.Fatalf("after another process's write: renders %d, version %d; want a re-render at version 2", r.n.Load(), got.Version)
	}
}
