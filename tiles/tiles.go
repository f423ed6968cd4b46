// Package tiles turns armsflow's joined data into Mapbox Vector Tiles (MVT
// 2.1): the countries, flows, conflicts, events and labels layers, encoded
// with the spec fixes orb leaves to its callers, a tile cache, and
// MBTiles/PMTiles export. tiles knows nothing of HTTP.
//
// The renderer holds each World's geometry in memory, projected once to
// world units and simplified once per zoom behind an R-tree (index.go), clips
// it to the buffered tile with orb/clip plus a boundary walk that orb lacks
// (project_clip.go), rounds and repairs it (project.go) and writes the
// protobuf itself (encode.go). tiles/mvtcheck checks the result against the
// specification.
package tiles

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/geo"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"
)

// WorldSource hands out the current joined-data snapshot (geo.Source does).
type WorldSource interface {
	World(ctx context.Context) (*geo.World, error)
}

// Errors a caller maps to HTTP statuses.
var (
	ErrUnknownLayer = errors.New("unknown layer")     // 404
	ErrOutOfRange   = errors.New("tile out of range") // 400
)

// Options configures a Renderer. Zero fields take the defaults shown.
type Options struct {
	Extent  uint32 // 4096
	Buffer  uint32 // 64
	MinZoom int    // 0
	MaxZoom int    // 14
}

// LayerInfo describes a layer for TileJSON vector_layers and the catalog.
type LayerInfo struct {
	Name        string            `json:"id"`
	Description string            `json:"description"`
	Geometry    string            `json:"geometry"` // "polygon", "line", "point"
	MinZoom     int               `json:"minzoom"`
	MaxZoom     int               `json:"maxzoom"`
	Fields      map[string]string `json:"fields"` // name -> "String" | "Number" | "Boolean"
}

// Renderer makes tiles from a WorldSource. It is safe for concurrent use.
type Renderer struct {
	src    WorldSource
	opts   Options
	layers []*layerDef

	mu    sync.Mutex
	preps []*prepared // most recent first, at most keepPrepared
	pool  sync.Pool   // *renderState
}

// keepPrepared is how many Worlds' prepared data a Renderer keeps: the
// current one and the one before it, for requests still in flight.
const keepPrepared = 2

// NewRenderer makes a Renderer. Zero Options fields take their defaults; a
// MaxZoom above 24 is lowered to 24.
func NewRenderer(src WorldSource, opts Options) *Renderer {
	if opts.Extent == 0 {
		opts.Extent = 4096
	}
	if opts.Buffer == 0 {
		opts.Buffer = 64
	}
	if opts.MaxZoom == 0 {
		opts.MaxZoom = 14
	}
	opts.MaxZoom = min(opts.MaxZoom, maxZoomLevels-1)
	opts.MinZoom = max(0, min(opts.MinZoom, opts.MaxZoom))
	r := &Renderer{src: src, opts: opts}
	r.layers = allLayers(opts)
	r.pool.New = func() any { return new(renderState) }
	return r
}

// Layers lists the layers in a fixed order.
func (r *Renderer) Layers() []LayerInfo {
	out := make([]LayerInfo, len(r.layers))
	for i, l := range r.layers {
		out[i] = l.info
		out[i].Fields = make(map[string]string, len(l.info.Fields))
		for k, v := range l.info.Fields {
			out[i].Fields[k] = v
		}
	}
	return out
}

// Render encodes the named layers of one tile for a filter. It returns the
// uncompressed MVT bytes (nil when no layer has a feature in the tile) and
// the data version they were made from. No layer names means every layer.
// Errors wrap ErrUnknownLayer, ErrDuplicateLayer (cache.go) or
// ErrOutOfRange for bad requests, ctx's error when it is cancelled (checked
// between layers), or the source's.
func (r *Renderer) Render(ctx context.Context, layers []string, t maptile.Tile, f data.Filter) ([]byte, int64, error) {
	if err := r.checkTile(t); err != nil {
		return nil, 0, err
	}
	st := r.pool.Get().(*renderState)
	defer func() {
		st.tc = tileCtx{} // let go of the World until the next request
		r.pool.Put(st)
	}()
	defs, err := r.resolve(layers, st.defs[:0])
	if err != nil {
		return nil, 0, err
	}
	st.defs = defs
	if err := ctx.Err(); err != nil {
		return nil, 0, err
	}
	w, err := r.src.World(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("tile %d/%d/%d: world: %w", t.Z, t.X, t.Y, err)
	}
	p := r.prepared(w)
	tc := st.begin(r, p, t, f)
	tile := st.tile[:0]
	for _, d := range defs {
		if err := ctx.Err(); err != nil {
			return nil, 0, err
		}
		if tc.z < d.info.MinZoom || tc.z > d.info.MaxZoom {
			continue
		}
		st.enc.reset(d.keys)
		d.render(tc, &st.enc)
		tile = st.enc.appendTo(tile, d.info.Name, r.opts.Extent)
	}
	st.tile = tile
	if len(tile) == 0 {
		return nil, w.Version, nil
	}
	return slices.Clone(tile), w.Version, nil
}

// Warm loads the current World and builds what its first tiles would
// otherwise build on demand: the simplified geometry of every zoom up to
// the first full-resolution one, and the event clusters of the open year
// window. Call it after start-up (in a goroutine) so early requests do not
// pay for it. It honours ctx between zooms.
func (r *Renderer) Warm(ctx context.Context) error {
	w, err := r.src.World(ctx)
	if err != nil {
		return fmt.Errorf("warm: world: %w", err)
	}
	p := r.prepared(w)
	for z := r.opts.MinZoom; z <= min(r.opts.MaxZoom, fullResZoom-1); z++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		p.countries.shapes.level(z, r.opts.Extent)
		p.areas.level(z, r.opts.Extent)
	}
	p.events.clustersFor(0, 0)
	return nil
}

// resolve appends the definitions of the named layers to defs, rejecting
// unknown and repeated names.
func (r *Renderer) resolve(names []string, defs []*layerDef) ([]*layerDef, error) {
	if len(names) == 0 {
		return append(defs, r.layers...), nil
	}
	for i, n := range names {
		if slices.Contains(names[:i], n) {
			return nil, fmt.Errorf("layer %q requested twice: %w", n, ErrDuplicateLayer)
		}
		j := slices.IndexFunc(r.layers, func(d *layerDef) bool { return d.info.Name == n })
		if j < 0 {
			return nil, fmt.Errorf("layer %q (have %s): %w", n, r.layerNames(), ErrUnknownLayer)
		}
		defs = append(defs, r.layers[j])
	}
	return defs, nil
}

func (r *Renderer) layerNames() string {
	s := ""
	for i, l := range r.layers {
		if i > 0 {
			s += ", "
		}
		s += l.info.Name
	}
	return s
}

func (r *Renderer) checkTile(t maptile.Tile) error {
	z := int(t.Z)
	if z < r.opts.MinZoom || z > r.opts.MaxZoom {
		return fmt.Errorf("tile %d/%d/%d: zoom %d outside %d-%d: %w", t.Z, t.X, t.Y, z, r.opts.MinZoom, r.opts.MaxZoom, ErrOutOfRange)
	}
	if n := uint64(1) << t.Z; uint64(t.X) >= n || uint64(t.Y) >= n {
		return fmt.Errorf("tile %d/%d/%d: x and y must be below %d at zoom %d: %w", t.Z, t.X, t.Y, n, z, ErrOutOfRange)
	}
	return nil
}

// renderState is the per-request scratch memory, pooled.
type renderState struct {
	defs     []*layerDef
	tc       tileCtx
	enc      layerEnc
	clip     polyClipper
	out      polyOut
	hits     []hit
	boxes    []shiftBox
	pts      []ipt
	line     []orb.Point
	tile     []byte
	order    []int32
	clusters []clusterOut
}

// tileCtx is what a layer needs to draw one tile.
type tileCtx struct {
	r      *Renderer
	p      *prepared
	st     *renderState
	t      maptile.Tile
	z      int
	f      data.Filter
	extent float64
	scale  float64   // tile units per world unit
	box    orb.Bound // buffered tile in tile units
	nbox   [3]orb.Bound
	joined *geo.Joined
}

func (st *renderState) begin(r *Renderer, p *prepared, t maptile.Tile, f data.Filter) *tileCtx {
	e := float64(r.opts.Extent)
	b := float64(r.opts.Buffer)
	tc := &st.tc
	*tc = tileCtx{r: r, p: p, st: st, t: t, z: int(t.Z), f: f, extent: e, scale: e * math.Exp2(float64(t.Z))}
	tc.box = orb.Bound{Min: orb.Point{-b, -b}, Max: orb.Point{e + b, e + b}}
	nb := tc.xf(0).inverse(tc.box)
	st.boxes = tileBoxes(nb, st.boxes)
	for _, sb := range st.boxes {
		tc.nbox[sb.shift+1] = sb.box
	}
	st.clip.reset(tc.box)
	return tc
}

// xf is the transform from world units to this tile, for a world shift.
func (tc *tileCtx) xf(shift int8) xform {
	return xform{Scale: tc.scale, Off: orb.Point{
		float64(shift)*tc.scale - float64(tc.t.X)*tc.extent,
		-float64(tc.t.Y) * tc.extent,
	}}
}

// join returns the filter's join, computed (memoized by geo) on first use.
func (tc *tileCtx) join() *geo.Joined {
	if tc.joined == nil {
		tc.joined = tc.p.world.Join(tc.f)
	}
	return tc.joined
}

// shapeFeatures finds the shapes of a set in the tile, clips each that keep
// accepts (nil keeps all) and calls emit with the shape index and the
// clipped rings in st.out. It stops after budget shapes with geometry.
func (tc *tileCtx) shapeFeatures(set *shapeSet, budget int, keep func(shape int32) bool, emit func(shape int32, out *polyOut)) {
	st := tc.st
	st.hits = set.query(st.boxes, st.hits[:0])
	if len(st.hits) == 0 {
		return
	}
	slices.SortFunc(st.hits, func(a, b hit) int {
		if pa, pb := set.parts[a.idx].shape, set.parts[b.idx].shape; pa != pb {
			return int(pa - pb)
		}
		if a.idx != b.idx {
			return int(a.idx - b.idx)
		}
		return int(a.shift) - int(b.shift)
	})
	lvl := set.level(tc.z, tc.r.opts.Extent)
	n := 0
	for i := 0; i < len(st.hits) && n < budget; {
		shape := set.parts[st.hits[i].idx].shape
		if keep != nil && !keep(shape) {
			for i < len(st.hits) && set.parts[st.hits[i].idx].shape == shape {
				i++
			}
			continue
		}
		st.out.reset()
		for ; i < len(st.hits) && set.parts[st.hits[i].idx].shape == shape; i++ {
			h := st.hits[i]
			pt := &lvl[h.idx]
			st.clip.polygon(&st.out, pt.rings, pt.bounds, tc.xf(h.shift), tc.nbox[h.shift+1])
		}
		if len(st.out.rings) > 0 {
			emit(shape, &st.out)
			n++
		}
	}
}

// points finds the points of a set in the tile and appends them, with
// their tile coordinates, to st.hits and st.pts (same order), in point
// order (labels in rank order, which is also MapLibre's placement order).
func (tc *tileCtx) points(set *pointGrid) {
	st := tc.st
	st.hits = set.query(st.boxes, st.hits[:0])
	slices.SortFunc(st.hits, func(a, b hit) int { return int(a.idx - b.idx) })
	st.pts = st.pts[:0]
	for _, h := range st.hits {
		st.pts = append(st.pts, tc.xf(h.shift).round(set.pts[h.idx]))
	}
}
