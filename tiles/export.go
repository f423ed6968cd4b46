package tiles

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/armsflow/armsflow/data"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
	"golang.org/x/sync/errgroup"
)

// ExportOptions says what ExportMBTiles and ExportPMTiles write.
type ExportOptions struct {
	Layers   []string    // the layers, in this order; empty = every layer
	MinZoom  int         // first zoom written
	MaxZoom  int         // last zoom written (at most the layers' maxzoom)
	Filter   data.Filter // the filter every tile is rendered with
	Bounds   orb.Bound   // lon/lat area; the zero Bound = the whole world
	Progress io.Writer   // progress reports (a bar on a terminal); nil = none
	Workers  int         // parallel renders; 0 = GOMAXPROCS
}

// ExportStats tells what an export wrote.
type ExportStats struct {
	Tiles   int64 // tiles written (empty tiles are skipped)
	Empty   int64 // tiles with no feature
	Bytes   int64 // gzip-compressed tile bytes written
	Version int64 // the data version every tile was rendered from
}

// exportPlan is an export's validated options.
type exportPlan struct {
	o      ExportOptions
	ts     Tileset
	layers []string
	bounds orb.Bound
	total  int64
}

func planExport(r TileRenderer, o ExportOptions) (*exportPlan, error) {
	infos := r.Layers()
	names := o.Layers
	if len(names) == 0 {
		names = layerNames(infos)
	}
	ts, err := NewTileset(infos, names)
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	if o.MinZoom < 0 || o.MinZoom > o.MaxZoom || o.MaxZoom > ts.MaxZoom {
		return nil, fmt.Errorf("export: zoom range %d-%d: want 0 <= min <= max <= %d (the layers' maxzoom)", o.MinZoom, o.MaxZoom, ts.MaxZoom)
	}
	b := o.Bounds
	if b == (orb.Bound{}) {
		b = fullWorld()
	}
	b.Min[1], b.Max[1] = math.Max(b.Min[1], -maxMercatorLat), math.Min(b.Max[1], maxMercatorLat)
	b.Min[0], b.Max[0] = math.Max(b.Min[0], -180), math.Min(b.Max[0], 180)
	if b.Min[0] >= b.Max[0] || b.Min[1] >= b.Max[1] {
		return nil, fmt.Errorf("export: bounds %v are empty (want west < east and south < north, in degrees)", o.Bounds)
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	p := &exportPlan{o: o, ts: ts, layers: names, bounds: b}
	for z := o.MinZoom; z <= o.MaxZoom; z++ {
		x0, y0, x1, y1 := p.tileRange(maptile.Zoom(z))
		p.total += int64(x1-x0+1) * int64(y1-y0+1)
	}
	return p, nil
}

// fullWorld is the Web Mercator world in lon/lat.
func fullWorld() orb.Bound {
	return orb.Bound{Min: orb.Point{-180, -maxMercatorLat}, Max: orb.Point{180, maxMercatorLat}}
}

// tileRange is the inclusive range of tiles at zoom z that meet the bounds.
func (p *exportPlan) tileRange(z maptile.Zoom) (x0, y0, x1, y1 uint32) {
	n := uint32(1) << z
	nw := maptile.Fraction(orb.Point{p.bounds.Min[0], p.bounds.Max[1]}, z)
	se := maptile.Fraction(orb.Point{p.bounds.Max[0], p.bounds.Min[1]}, z)
	clampT := func(f float64) uint32 { return uint32(math.Max(0, math.Min(float64(n-1), math.Floor(f)))) }
	return clampT(nw[0]), clampT(nw[1]), clampT(se[0]), clampT(se[1])
}

// eachTile calls fn for every tile of the plan, zoom by zoom, in Hilbert
// (PMTiles tile id) order within a zoom.
func (p *exportPlan) eachTile(ctx context.Context, fn func(maptile.Tile) error) error {
	for z := maptile.Zoom(p.o.MinZoom); z <= maptile.Zoom(p.o.MaxZoom); z++ {
		x0, y0, x1, y1 := p.tileRange(z)
		n := uint64(1) << z
		count := uint64(x1-x0+1) * uint64(y1-y0+1)
		if count*4 >= n*n || count > 1<<20 {
			// Most of the zoom: walk the curve and skip what is outside.
			for d := range n * n {
				x, y := hilbertXY(uint8(z), d)
				if x < x0 || x > x1 || y < y0 || y > y1 {
					continue
				}
				if err := fn(maptile.New(x, y, z)); err != nil {
					return err
				}
			}
			continue
		}
		ts := make([]maptile.Tile, 0, count)
		for x := x0; x <= x1; x++ {
			for y := y0; y <= y1; y++ {
				ts = append(ts, maptile.New(x, y, z))
			}
		}
		slices.SortFunc(ts, func(a, b maptile.Tile) int {
			return cmpUint64(tileID(uint8(a.Z), a.X, a.Y), tileID(uint8(b.Z), b.X, b.Y))
		})
		for _, t := range ts {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := fn(t); err != nil {
				return err
			}
		}
	}
	return nil
}

func cmpUint64(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// renderAll renders every tile of the plan on o.Workers goroutines and
// hands the non-empty ones, gzip-compressed, to emit in eachTile's order.
// Every tile must come from one data version: a write landing during the
// export fails it rather than mixing versions.
func renderAll(ctx context.Context, r TileRenderer, p *exportPlan, comp *compressor, emit func(maptile.Tile, []byte) error) (ExportStats, error) {
	type job struct {
		seq int64
		t   maptile.Tile
	}
	type result struct {
		seq     int64
		t       maptile.Tile
		gz      []byte
		version int64
	}
	window := int64(p.o.Workers * 64)
	g, ctx := errgroup.WithContext(ctx)
	jobs := make(chan job)
	results := make(chan result, window)
	slots := make(chan struct{}, window) // bounds the tiles rendered ahead of emit
	g.Go(func() error {
		defer close(jobs)
		var seq int64
		return p.eachTile(ctx, func(t maptile.Tile) error {
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return ctx.Err()
			}
			select {
			case jobs <- job{seq, t}:
				seq++
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
	})
	workers, wctx := errgroup.WithContext(ctx)
	for range p.o.Workers {
		workers.Go(func() error {
			for j := range jobs {
				raw, v, err := r.Render(wctx, p.layers, j.t, p.o.Filter)
				if err != nil {
					return fmt.Errorf("render %d/%d/%d: %w", j.t.Z, j.t.X, j.t.Y, err)
				}
				res := result{seq: j.seq, t: j.t, version: v}
				if len(raw) > 0 {
					res.gz = comp.gzip(raw)
				}
				select {
				case results <- res:
				case <-wctx.Done():
					return wctx.Err()
				}
			}
			return nil
		})
	}
	g.Go(func() error {
		err := workers.Wait()
		close(results)
		return err
	})
	var st ExportStats
	bar := newProgressBar(p.o.Progress, p.total)
	g.Go(func() error {
		pending := map[int64]result{}
		next := int64(0)
		for res := range results {
			pending[res.seq] = res
			for {
				res, ok := pending[next]
				if !ok {
					break
				}
				delete(pending, next)
				next++
				<-slots
				if next == 1 {
					st.Version = res.version
				} else if res.version != st.Version {
					return fmt.Errorf("export: the data changed during the export (version %d, then %d); run it again", st.Version, res.version)
				}
				bar.add(1)
				if res.gz == nil {
					st.Empty++
					continue
				}
				if err := emit(res.t, res.gz); err != nil {
					return err
				}
				st.Tiles++
				st.Bytes += int64(len(res.gz))
			}
		}
		return nil
	})
	err := g.Wait()
	bar.finish(err == nil)
	return st, err
}

// atomicFile writes a file through a temporary file in the same directory,
// renamed over path only when write succeeds; nothing is left on failure.
func atomicFile(path string, write func(tmp string) error) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("create temporary file beside %s: %w", path, err)
	}
	tmp := f.Name()
	f.Close()
	defer func() {
		if err != nil {
			os.Remove(tmp)
			os.Remove(tmp + "-journal")
		}
	}()
	if err := write(tmp); err != nil {
		return err
	}
	f, err = os.OpenFile(tmp, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sync %s: %w", tmp, err)
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp, 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("rename into place: %w", err)
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync() // make the rename durable where the platform allows
		d.Close()
	}
	return nil
}

// progressBar reports an export's progress: a redrawn bar on a terminal,
// a line every 10% elsewhere.
type progressBar struct {
	w           io.Writer
	tty         bool
	total, done int64
	start, last time.Time
	lastPct     int64
}

func newProgressBar(w io.Writer, total int64) *progressBar {
	b := &progressBar{w: w, total: max(total, 1), start: time.Now(), lastPct: -1}
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			b.tty = true
		}
	}
	return b
}

func (b *progressBar) add(n int64) {
	if b.w == nil {
		return
	}
	b.done += n
	now := time.Now()
	pct := b.done * 100 / b.total
	switch {
	case b.tty && (now.Sub(b.last) >= 100*time.Millisecond || b.done == b.total):
		b.last = now
		fmt.Fprintf(b.w, "\r%s", b.line(now))
	case !b.tty && pct/10 != b.lastPct/10:
		b.lastPct = pct
		fmt.Fprintln(b.w, b.line(now))
	}
}

func (b *progressBar) line(now time.Time) string {
	const width = 30
	filled := int(b.done * width / b.total)
	el := now.Sub(b.start).Seconds()
	rate := float64(b.done) / math.Max(el, 1e-3)
	eta := "?"
	if rate > 0 {
		eta = time.Duration(float64(b.total-b.done) / rate * float64(time.Second)).Round(time.Second).String()
	}
	return fmt.Sprintf("[%s%s] %3d%% %d/%d tiles, %.0f tiles/s, ETA %s", strings.Repeat("#", filled), strings.Repeat(" ", width-filled),
		b.done*100/b.total, b.done, b.total, rate, eta)
}

func (b *progressBar) finish(ok bool) {
	if b.w == nil {
		return
	}
	if b.tty {
		fmt.Fprintln(b.w)
	}
	if ok {
		fmt.Fprintf(b.w, "%d tiles in %s\n", b.done, time.Since(b.start).Round(time.Millisecond))
	}
}

func exportErr(format, path string, err error) error {
	return fmt.Errorf("%s export to %s: %w", format, path, err)
}
