package metrics

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/tiles"
	"github.com/paulmach/orb/maptile"
	"github.com/prometheus/client_golang/prometheus"
)

// InstrumentRenderer wraps a tile renderer so every render is timed into
// armsflow_tile_render_seconds{layers, zoom} (failures counted in
// armsflow_tile_render_errors_total). Put it between the renderer and the
// cache: tiles.NewCache(m.InstrumentRenderer(r), src, ...), so only cache
// misses are timed. Layer names outside r.Layers() are labelled "other".
func (m *Metrics) InstrumentRenderer(r tiles.TileRenderer) tiles.TileRenderer {
	known := map[string]bool{}
	for _, l := range r.Layers() {
		known[l.Name] = true
	}
	return &timedRenderer{next: r, m: m, known: known}
}

type timedRenderer struct {
	next  tiles.TileRenderer
	m     *Metrics
	known map[string]bool
}

func (t *timedRenderer) Layers() []tiles.LayerInfo { return t.next.Layers() }

func (t *timedRenderer) Render(ctx context.Context, layers []string, tile maptile.Tile, f data.Filter) ([]byte, int64, error) {
	start := time.Now()
	b, v, err := t.next.Render(ctx, layers, tile, f)
	label := "other"
	if t.allKnown(layers) {
		label = layerLabel(layers)
	}
	if err != nil {
		// a bad address is the client's error, not a failed render
		if !errors.Is(err, tiles.ErrOutOfRange) && !errors.Is(err, tiles.ErrUnknownLayer) {
			t.m.tileErrors.WithLabelValues(label).Inc()
		}
		return b, v, err
	}
	t.m.tileRender.WithLabelValues(label, strconv.Itoa(int(tile.Z))).Observe(time.Since(start).Seconds())
	return b, v, nil
}

func (t *timedRenderer) allKnown(layers []string) bool {
	for _, l := range layers {
		if !t.known[l] {
			return false
		}
	}
	return len(layers) > 0
}

// WatchCache exports a tile cache's counters, read once per scrape from
// stats ((*tiles.Cache).Stats is one).
func (m *Metrics) WatchCache(stats func() tiles.CacheStats) {
	d := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc("armsflow_tile_cache_"+name, help, nil, nil)
	}
	m.reg.MustRegister(&cacheCollector{stats: stats,
		hits:      d("hits_total", "Tile requests answered from the cache."),
		misses:    d("misses_total", "Tile requests that had to render (or wait for a render)."),
		renders:   d("renders_total", "Tiles rendered by the cache."),
		evictions: d("evictions_total", "Tiles evicted to stay within the byte budget."),
		dropped:   d("invalidated_total", "Tiles dropped because a write touched them."),
		entries:   d("entries", "Tiles in the cache."),
		bytes:     d("bytes", "Bytes the cached tiles take (bodies in every encoding plus overhead)."),
		maxBytes:  d("max_bytes", "The cache's byte budget."),
	})
}

type cacheCollector struct {
	stats                                                               func() tiles.CacheStats
	hits, misses, renders, evictions, dropped, entries, bytes, maxBytes *prometheus.Desc
}

func (c *cacheCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.hits, c.misses, c.renders, c.evictions, c.dropped, c.entries, c.bytes, c.maxBytes} {
		ch <- d
	}
}

func (c *cacheCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.stats()
	counter := func(d *prometheus.Desc, v int64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v))
	}
	gauge := func(d *prometheus.Desc, v int64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, float64(v))
	}
	counter(c.hits, s.Hits)
	counter(c.misses, s.Misses)
	counter(c.renders, s.Renders)
	counter(c.evictions, s.Evictions)
	counter(c.dropped, s.Dropped)
	gauge(c.entries, int64(s.Entries))
	gauge(c.bytes, s.Bytes)
	gauge(c.maxBytes, s.MaxBytes)
}
