package tiles

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/geo"
	"github.com/paulmach/orb/maptile"
	"golang.org/x/sync/singleflight"
)

// TileRenderer is what the cache and the exporters need from a renderer;
// *Renderer is one.
type TileRenderer interface {
	// Layers lists the layers in a fixed order.
	Layers() []LayerInfo
	// Render returns the MVT of the named layers of one tile for a filter
	// (nil when empty) and the data version it was made from.
	Render(ctx context.Context, layers []string, t maptile.Tile, f data.Filter) ([]byte, int64, error)
}

var _ TileRenderer = (*Renderer)(nil)

// ErrDuplicateLayer is returned (wrapped) when a layer list names a layer twice.
var ErrDuplicateLayer = errors.New("layer named twice")

// MaxTileZoom is the deepest zoom a tile address may have: beyond it x and y
// no longer fit the tile math.
const MaxTileZoom = 30

// CacheOptions configures a Cache. The zero value is usable.
type CacheOptions struct {
	// MaxBytes is the byte budget of the cached tiles, raw and compressed
	// bodies plus a fixed overhead per tile. 0 means DefaultCacheBytes.
	MaxBytes int64
	// GzipLevel (1-9) and BrotliQuality (1-11); 0 means the defaults.
	GzipLevel     int
	BrotliQuality int
	// Margin is how much of a tile's width is added around it when checking
	// whether a change touches it; it must cover the renderer's buffer
	// (Options.Buffer/Options.Extent) plus the events layer's cluster cell
	// (1/16 of a tile). 0 means 1/8.
	Margin float64
	// RenderTimeout bounds one render. 0 means 30s.
	RenderTimeout time.Duration
	Logger        *slog.Logger
}

// DefaultCacheBytes is the default byte budget of a Cache.
const DefaultCacheBytes = 256 << 20

// Cache is an in-memory LRU of rendered tiles with a byte budget, in front of
// a TileRenderer. Each tile is compressed once, when cached; concurrent
// misses for one tile render it once. A cached tile is valid for the data
// version it was rendered from, and Invalidate carries the tiles a write did
// not touch over to the new version. It is safe for concurrent use.
type Cache struct {
	r      TileRenderer
	src    WorldSource
	comp   *compressor
	log    *slog.Logger
	max    int64
	margin float64
	tmo    time.Duration
	layers []LayerInfo
	known  map[string]bool
	flight singleflight.Group

	mu    sync.Mutex
	m     map[cacheKey]*entry
	lru   entry // sentinel: lru.next is the most recently used
	bytes int64

	wmu  sync.Mutex
	cur  atomic.Pointer[geo.World] // newest world seen
	prev *geo.World                // the one before it, kept until a change consumes it

	hits, misses, renders, evictions, dropped atomic.Int64
}

type cacheKey struct {
	layers string // as requested: comma-separated, validated
	filter string // data.Filter.Canonical
	z      maptile.Zoom
	x, y   uint32
}

type entry struct {
	key        cacheKey
	tile       *Tile
	valid      int64 // data version the tile is known valid for
	size       int64
	prev, next *entry
}

// NewCache makes a Cache in front of r. src is the world r renders from: the
// cache asks it for the current data version on every lookup (so writes
// made by another process are never served stale) and reads touched
// geometry from it in Invalidate.
func NewCache(r TileRenderer, src WorldSource, o CacheOptions) (*Cache, error) {
	comp, err := newCompressor(o.GzipLevel, o.BrotliQuality)
	if err != nil {
		return nil, fmt.Errorf("tile cache: %w", err)
	}
	c := &Cache{r: r, src: src, comp: comp, log: o.Logger, max: o.MaxBytes, margin: o.Margin, tmo: o.RenderTimeout,
		m: make(map[cacheKey]*entry), known: make(map[string]bool)}
	if c.log == nil {
		c.log = slog.Default()
	}
	if c.max <= 0 {
		c.max = DefaultCacheBytes
	}
	if c.margin <= 0 {
		c.margin = 1.0 / 8
	}
	if c.tmo <= 0 {
		c.tmo = 30 * time.Second
	}
	c.lru.next, c.lru.prev = &c.lru, &c.lru
	c.layers = r.Layers()
	for _, l := range c.layers {
		c.known[l.Name] = true
	}
	return c, nil
}

// Layers lists the renderer's layers.
func (c *Cache) Layers() []LayerInfo { return c.layers }

// CheckLayers validates a comma-separated layer list: every name known,
// none twice. Errors wrap ErrUnknownLayer or ErrDuplicateLayer.
func (c *Cache) CheckLayers(layers string) error {
	if layers == "" {
		return fmt.Errorf("%w: empty layer list", ErrUnknownLayer)
	}
	for rest, more := layers, true; more; {
		var name string
		name, rest, more = strings.Cut(rest, ",")
		if !c.known[name] {
			return fmt.Errorf("%w %q (layers: %s)", ErrUnknownLayer, name, strings.Join(layerNames(c.layers), ", "))
		}
		// Lists are short: a scan of what follows finds a repeat.
		for r := rest; r != ""; {
			var other string
			other, r, _ = strings.Cut(r, ",")
			if other == name {
				return fmt.Errorf("%w: %q", ErrDuplicateLayer, name)
			}
		}
	}
	return nil
}

func layerNames(ls []LayerInfo) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = l.Name
	}
	return out
}

// CheckTile reports an error wrapping ErrOutOfRange unless t is a valid tile
// address with z at most MaxTileZoom.
func CheckTile(t maptile.Tile) error {
	if t.Z > MaxTileZoom {
		return fmt.Errorf("%w: zoom %d is over %d", ErrOutOfRange, t.Z, MaxTileZoom)
	}
	if n := uint32(1) << t.Z; t.X >= n || t.Y >= n {
		return fmt.Errorf("%w: x and y must be below %d at zoom %d", ErrOutOfRange, n, t.Z)
	}
	return nil
}

// Tile returns the tile of a comma-separated layer list for a filter, from
// the cache when it holds it for the current data version, else rendered
// (once, however many callers ask at the same time) and cached. A caller
// that gives up (ctx done) gets ctx's error; the render it started goes on
// and fills the cache for the next asker.
func (c *Cache) Tile(ctx context.Context, layers string, t maptile.Tile, f data.Filter) (*Tile, error) {
	if err := c.CheckLayers(layers); err != nil {
		return nil, err
	}
	if err := CheckTile(t); err != nil {
		return nil, err
	}
	w, err := c.src.World(ctx)
	if err != nil {
		return nil, fmt.Errorf("tile %s/%d/%d/%d: %w", layers, t.Z, t.X, t.Y, err)
	}
	c.noteWorld(w)
	k := cacheKey{layers: layers, z: t.Z, x: t.X, y: t.Y}
	if !filterIsZero(&f) {
		k.filter = f.Canonical()
	}
	if tl := c.get(k, w.Version); tl != nil {
		c.hits.Add(1)
		return tl, nil
	}
	c.misses.Add(1)
	return c.fill(ctx, k, t, f, w.Version)
}

// filterIsZero is Filter.IsZero without formatting the canonical string.
func filterIsZero(f *data.Filter) bool {
	return f.YearFrom == 0 && f.YearTo == 0 && len(f.Suppliers) == 0 && len(f.Recipients) == 0 &&
		len(f.Categories) == 0 && len(f.Statuses) == 0
}

func (c *Cache) get(k cacheKey, version int64) *Tile {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.m[k]
	if e == nil || e.valid != version {
		return nil
	}
	c.unlink(e)
	c.pushFront(e)
	return e.tile
}

func (c *Cache) fill(ctx context.Context, k cacheKey, t maptile.Tile, f data.Filter, version int64) (*Tile, error) {
	fk := strconv.FormatInt(version, 10) + "|" + k.layers + "|" + strconv.Itoa(int(k.z)) + "/" +
		strconv.FormatUint(uint64(k.x), 10) + "/" + strconv.FormatUint(uint64(k.y), 10) + "?" + k.filter
	ch := c.flight.DoChan(fk, func() (v any, err error) {
		// The render outlives the caller that started it (the others may
		// still want it), bounded by the render timeout.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.tmo)
		defer cancel()
		defer func() {
			if p := recover(); p != nil {
				c.log.Error("tile render panicked", "tile", fk, "panic", fmt.Sprint(p))
				err = fmt.Errorf("tile %s: render panicked", fk)
			}
		}()
		c.renders.Add(1)
		raw, rv, err := c.r.Render(rctx, strings.Split(k.layers, ","), t, f)
		if err != nil {
			return nil, fmt.Errorf("render %s/%d/%d/%d: %w", k.layers, t.Z, t.X, t.Y, err)
		}
		tl := newTile(raw, rv, c.comp)
		c.insert(cacheKey{layers: strings.Clone(k.layers), filter: strings.Clone(k.filter), z: k.z, x: k.x, y: k.y}, tl)
		return tl, nil
	})
	select {
	case res := <-ch:
		if res.Err != nil {
			return nil, res.Err
		}
		return res.Val.(*Tile), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// insert caches tl under k unless a tile valid for a newer version is
// already there, then evicts from the cold end down to the budget.
func (c *Cache) insert(k cacheKey, tl *Tile) {
	size := tl.size() + int64(len(k.layers)+len(k.filter))
	if size > c.max/4 {
		return // one tile must not flush the cache
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.m[k]; old != nil {
		if old.valid > tl.Version {
			return
		}
		c.remove(old)
	}
	tl.owner, tl.key = c, k
	e := &entry{key: k, tile: tl, valid: tl.Version, size: size}
	c.m[k] = e
	c.pushFront(e)
	c.bytes += size
	c.evictLocked()
}

// grew accounts for a tile's lazily made brotli bytes.
func (c *Cache) grew(tl *Tile, n int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	// The tile may have been evicted or replaced meanwhile.
	if e := c.m[tl.key]; e != nil && e.tile == tl {
		e.size += n
		c.bytes += n
		c.evictLocked()
	}
}

func (c *Cache) evictLocked() {
	for c.bytes > c.max && c.lru.prev != &c.lru {
		c.remove(c.lru.prev)
		c.evictions.Add(1)
	}
}

func (c *Cache) remove(e *entry) {
	c.unlink(e)
	delete(c.m, e.key)
	c.bytes -= e.size
}

func (c *Cache) unlink(e *entry) {
	e.prev.next, e.next.prev = e.next, e.prev
	e.prev, e.next = nil, nil
}

func (c *Cache) pushFront(e *entry) {
	e.prev, e.next = &c.lru, c.lru.next
	c.lru.next.prev = e
	c.lru.next = e
}

// CacheStats are a Cache's counters.
type CacheStats struct {
	Entries   int   `json:"entries"`
	Bytes     int64 `json:"bytes"`
	MaxBytes  int64 `json:"max_bytes"`
	Hits      int64 `json:"hits"`
	Misses    int64 `json:"misses"`
	Renders   int64 `json:"renders"`
	Evictions int64 `json:"evictions"`
	Dropped   int64 `json:"dropped"` // tiles dropped by Invalidate
}

// Stats returns the cache's counters.
func (c *Cache) Stats() CacheStats {
	c.mu.Lock()
	n, b := len(c.m), c.bytes
	c.mu.Unlock()
	return CacheStats{Entries: n, Bytes: b, MaxBytes: c.max, Hits: c.hits.Load(), Misses: c.misses.Load(),
		Renders: c.renders.Load(), Evictions: c.evictions.Load(), Dropped: c.dropped.Load()}
}
