package tiles

import (
	"context"
	"math"
	"net/url"
	"reflect"
	"slices"
	"strings"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/geo"
	"github.com/paulmach/orb"
)

// noteWorld remembers the newest world seen and the one before it, which
// Invalidate needs to find where a change's old geometry was.
func (c *Cache) noteWorld(w *geo.World) {
	if w == nil {
		return
	}
	if cur := c.cur.Load(); cur == w || cur != nil && cur.Version >= w.Version {
		return
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	cur := c.cur.Load()
	if cur != nil && cur.Version >= w.Version {
		return
	}
	c.prev = cur
	c.cur.Store(w)
}

// worldAt returns the remembered world of version v, or nil.
func (c *Cache) worldAt(v int64) *geo.World {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if cur := c.cur.Load(); cur != nil && cur.Version == v {
		return cur
	}
	if c.prev != nil && c.prev.Version == v {
		return c.prev
	}
	return nil
}

// Invalidate is told of a write (wire it to the server's OnChange hooks,
// after the world source's MarkStale). Tiles valid for the version before
// the write that the change cannot have touched are carried over to the
// change's version; the others are dropped. A tile is touched when one of
// its layers is among the change's layers and, for the countries,
// conflicts and events layers, its bounds (grown by the margin, and
// wrapped across the antimeridian as the renderer does) meet the old or new
// bounding box of a touched country (its polygons and anchor, its
// conflicts' areas, its events); for the flows layer, when the old or new
// arc of a flow whose figures or rank differ between the old and the new
// join for the tile's filter crosses them. Any other layer (labels carry a
// global rank by area) is dropped whole when touched, and so is everything
// when the cache cannot prove more: change.All, no remembered world at the
// version before or at the change's version, or no touched country named.
//
// Versions are taken to go up by one per write, as data.Store's do; tiles
// valid for an older version than the one before the change are dropped,
// since a write the cache was not told of came between.
func (c *Cache) Invalidate(ch data.Change) {
	if !ch.All && ch.Empty() {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.tmo)
	defer cancel()
	if w, err := c.src.World(ctx); err != nil {
		c.log.Warn("tile cache: no world to invalidate against; dropping the changed layers", "version", ch.Version, "err", err)
	} else {
		c.noteWorld(w)
	}
	old, nu := c.worldAt(ch.Version-1), c.worldAt(ch.Version)

	// Collect the candidates under the lock, test them outside it (joins
	// and arcs cost a little), then apply under the lock to the entries
	// still unchanged.
	var cands []*entry
	c.mu.Lock()
	for _, e := range c.m {
		switch {
		case e.valid >= ch.Version:
		case e.valid == ch.Version-1:
			cands = append(cands, e)
		default:
			c.remove(e)
			c.dropped.Add(1)
		}
	}
	c.mu.Unlock()
	filters := map[string]bool{}
	for _, e := range cands {
		if hasLayer(e.key.layers, "flows") {
			filters[e.key.filter] = true
		}
	}
	reg := newChangeRegion(old, nu, ch, c.margin, filters)
	touched := make([]bool, len(cands))
	for i, e := range cands {
		touched[i] = reg.touches(e.key)
	}
	c.mu.Lock()
	n := 0
	for i, e := range cands {
		if c.m[e.key] != e || e.valid != ch.Version-1 {
			continue
		}
		if touched[i] {
			c.remove(e)
			n++
		} else {
			e.valid = ch.Version
		}
	}
	c.mu.Unlock()
	c.dropped.Add(int64(n))
	c.log.Debug("tile cache invalidated", "version", ch.Version, "dropped", n, "kept", len(cands)-n, "all", reg.all)

	// The older world is not needed once its successor's change is applied.
	c.wmu.Lock()
	if c.prev != nil && c.prev.Version < ch.Version {
		if cur := c.cur.Load(); cur != nil && cur.Version >= ch.Version {
			c.prev = nil
		}
	}
	c.wmu.Unlock()
}

// mbox is an axis-aligned box in normalized Web Mercator: x and y in [0, 1],
// y growing southwards, as tile rows do.
type mbox struct{ x0, y0, x1, y1 float64 }

func (b mbox) meets(o mbox) bool { return b.x0 <= o.x1 && o.x0 <= b.x1 && b.y0 <= o.y1 && o.y0 <= b.y1 }

func (b *mbox) extend(p [2]float64) {
	b.x0, b.y0 = math.Min(b.x0, p[0]), math.Min(b.y0, p[1])
	b.x1, b.y1 = math.Max(b.x1, p[0]), math.Max(b.y1, p[1])
}

func emptyBox() mbox { return mbox{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)} }

// maxMercatorLat is where Web Mercator tiles end.
const maxMercatorLat = 85.0511287798066

// mercator projects lon/lat to normalized Web Mercator.
func mercator(p orb.Point) [2]float64 {
	lat := math.Max(-maxMercatorLat, math.Min(maxMercatorLat, p[1]))
	s := math.Sin(lat * math.Pi / 180)
	return [2]float64{(p[0] + 180) / 360, 0.5 - math.Log((1+s)/(1-s))/(4*math.Pi)}
}

func boundBox(b orb.Bound) mbox {
	lo, hi := mercator(b.Min), mercator(b.Max)
	return mbox{lo[0], hi[1], hi[0], lo[1]} // north (max lat) has the smaller y
}

// tileBox is a tile's extent grown by margin (a fraction of its width).
func tileBox(z uint32, x, y uint32, margin float64) mbox {
	n := float64(uint64(1) << z)
	return mbox{(float64(x) - margin) / n, (float64(y) - margin) / n, (float64(x) + 1 + margin) / n, (float64(y) + 1 + margin) / n}
}

// mline is a projected polyline with its bounding box.
type mline struct {
	pts []([2]float64)
	box mbox
}

// crosses reports whether the polyline meets box b.
func (l *mline) crosses(b mbox) bool {
	if !l.box.meets(b) {
		return false
	}
	if len(l.pts) == 1 {
		return true
	}
	for i := 1; i < len(l.pts); i++ {
		if segmentMeetsBox(l.pts[i-1], l.pts[i], b) {
			return true
		}
	}
	return false
}

// segmentMeetsBox clips segment p-q against b (Liang-Barsky).
func segmentMeetsBox(p, q [2]float64, b mbox) bool {
	t0, t1 := 0.0, 1.0
	d := [2]float64{q[0] - p[0], q[1] - p[1]}
	lo := [2]float64{b.x0, b.y0}
	hi := [2]float64{b.x1, b.y1}
	for i := range 2 {
		if d[i] == 0 {
			if p[i] < lo[i] || p[i] > hi[i] {
				return false
			}
			continue
		}
		a, e := (lo[i]-p[i])/d[i], (hi[i]-p[i])/d[i]
		if a > e {
			a, e = e, a
		}
		t0, t1 = math.Max(t0, a), math.Min(t1, e)
		if t0 > t1 {
			return false
		}
	}
	return true
}

// regionKind says what part of a change a layer's tiles depend on.
type regionKind uint8

const (
	regionAll  regionKind = iota // any change to the layer may touch any tile
	regionArea                   // features of the touched countries only
	regionArcs                   // the arcs of flows whose figures or rank changed
)

// layerRegion maps the renderer's layers to what their tiles depend on:
// countries, conflicts and events draw each country's own figures and
// events; flows carry a rank (a flow's place in the join) and a per-zoom
// budget of top-ranked flows, so a change touches every flow whose place
// or figures changed; labels carry a rank by country area, so they change
// everywhere when any country does (which is the only write that touches
// them).
func layerRegion(name string) regionKind {
	switch name {
	case "countries", "conflicts", "events":
		return regionArea
	case "flows":
		return regionArcs
	}
	return regionAll
}

// maxFlowFilters bounds the filters whose joins Invalidate compares; flows
// tiles of further filters are dropped.
const maxFlowFilters = 32

// changeRegion is where a change may have altered tiles.
type changeRegion struct {
	all    bool            // every tile of the touched layers
	layers map[string]bool // touched layers; nil = every layer
	margin float64
	boxes  []mbox
	arcs   map[string][]mline // by canonical filter; a filter not here: every flows tile
}

// newChangeRegion gathers the old and new geometry of what ch touched, and
// for each filter in flowFilters the arcs of flows whose place or figures
// differ between the old and the new join. Without both worlds, or with
// nothing to place, it covers everything.
func newChangeRegion(old, nu *geo.World, ch data.Change, margin float64, flowFilters map[string]bool) (reg *changeRegion) {
	reg = &changeRegion{margin: margin, arcs: map[string][]mline{}}
	if len(ch.Layers) > 0 {
		reg.layers = make(map[string]bool, len(ch.Layers))
		for _, l := range ch.Layers {
			reg.layers[l] = true
		}
	}
	// A country re-imported may move its anchor (every flow to it), change
	// the areas labels are ranked by, and redraw conflicts: all layers.
	countriesChanged := ch.Inserted["countries"]+ch.Updated["countries"]+ch.Deleted["countries"] > 0
	if countriesChanged {
		reg.layers = nil
	}
	if ch.All || countriesChanged || old == nil || nu == nil {
		reg.all = true
		return reg
	}
	defer func() {
		// A world that cannot be read here cannot prove anything either.
		if p := recover(); p != nil {
			reg.all, reg.boxes, reg.arcs = true, nil, nil
		}
	}()
	touched := make(map[string]bool, len(ch.Countries))
	for _, iso := range ch.Countries {
		touched[strings.ToUpper(iso)] = true
	}
	reg.addArea(old, touched)
	reg.addArea(nu, touched)
	reg.addChangedEvents(old, nu)
	if len(reg.boxes) == 0 && len(touched) == 0 {
		reg.all = true // nothing to place the change by
		return reg
	}
	if reg.layers == nil || reg.layers["flows"] {
		n := 0
		for fs := range flowFilters {
			if n == maxFlowFilters {
				break
			}
			f, err := parseCanonical(fs)
			if err != nil {
				continue
			}
			reg.arcs[fs] = changedArcs(old.Join(f), nu.Join(f))
			n++
		}
	}
	return reg
}

func parseCanonical(s string) (data.Filter, error) {
	q, err := url.ParseQuery(s)
	if err != nil {
		return data.Filter{}, err
	}
	return data.ParseFilter(q)
}

// changedArcs returns the old and new arcs of every flow whose place in
// the order or whose figures differ between two joins.
func changedArcs(a, b *geo.Joined) []mline {
	pos := make(map[uint64]int, len(b.Flows))
	for i := range b.Flows {
		pos[b.Flows[i].ID] = i
	}
	var out []mline
	seen := make(map[uint64]bool, len(a.Flows))
	for i := range a.Flows {
		fa := &a.Flows[i]
		seen[fa.ID] = true
		j, ok := pos[fa.ID]
		if ok && j == i && reflect.DeepEqual(*fa, b.Flows[j]) {
			continue
		}
		out = appendArc(out, fa.Arc)
		if ok {
			out = appendArc(out, b.Flows[j].Arc)
		}
	}
	for i := range b.Flows {
		if !seen[b.Flows[i].ID] {
			out = appendArc(out, b.Flows[i].Arc)
		}
	}
	return out
}

func appendArc(out []mline, arc orb.MultiLineString) []mline {
	for _, part := range arc {
		if len(part) == 0 {
			continue
		}
		l := mline{pts: make([][2]float64, len(part)), box: emptyBox()}
		for i, p := range part {
			l.pts[i] = mercator(p)
			l.box.extend(l.pts[i])
		}
		out = append(out, l)
	}
	return out
}

// addArea adds the bounding boxes of the touched countries in w: their
// polygons and anchors, their conflicts' areas and their events.
func (reg *changeRegion) addArea(w *geo.World, touched map[string]bool) {
	for iso := range touched {
		if c := w.Country[iso]; c != nil {
			b := boundBox(c.Geometry.Bound())
			b.extend(mercator(c.Anchor))
			reg.boxes = append(reg.boxes, b)
		}
	}
	for i := range w.Conflicts {
		cf := &w.Conflicts[i]
		if cf.Geometry != nil && slices.ContainsFunc(cf.Countries, func(s string) bool { return touched[s] }) {
			reg.boxes = append(reg.boxes, boundBox(cf.Geometry.Bound()))
		}
	}
	evBoxes := map[string]mbox{}
	for i := range w.Events {
		ev := &w.Events[i]
		if !touched[ev.Country] {
			continue
		}
		b, ok := evBoxes[ev.Country]
		if !ok {
			b = emptyBox()
		}
		b.extend(mercator(ev.Point))
		evBoxes[ev.Country] = b
	}
	for _, b := range evBoxes {
		reg.boxes = append(reg.boxes, b)
	}
}

// addChangedEvents adds the old and new points of every event that differs
// between the worlds (events may name no country).
func (reg *changeRegion) addChangedEvents(a, b *geo.World) {
	byID := make(map[string]*data.Event, len(a.Events))
	for i := range a.Events {
		byID[a.Events[i].ID] = &a.Events[i]
	}
	for i := range b.Events {
		e := &b.Events[i]
		o := byID[e.ID]
		delete(byID, e.ID)
		if o != nil && reflect.DeepEqual(*o, *e) {
			continue
		}
		reg.addPoint(e.Point)
		if o != nil {
			reg.addPoint(o.Point)
		}
	}
	for _, o := range byID { // deleted
		reg.addPoint(o.Point)
	}
}

func (reg *changeRegion) addPoint(p orb.Point) {
	m := mercator(p)
	reg.boxes = append(reg.boxes, mbox{m[0], m[1], m[0], m[1]})
}

func hasLayer(layers, name string) bool {
	for rest, more := layers, true; more; {
		var l string
		l, rest, more = strings.Cut(rest, ",")
		if l == name {
			return true
		}
	}
	return false
}

// touches reports whether the change may have altered the cached tile k.
func (reg *changeRegion) touches(k cacheKey) bool {
	var boxes [3]mbox // the tile, and its copies a world to the east and west (the renderer wraps)
	nb := 0
	for rest, more := k.layers, true; more; {
		var name string
		name, rest, more = strings.Cut(rest, ",")
		if reg.layers != nil && !reg.layers[name] {
			continue
		}
		kind := layerRegion(name)
		if reg.all || kind == regionAll {
			return true
		}
		if nb == 0 {
			tb := tileBox(uint32(k.z), k.x, k.y, reg.margin)
			boxes[0], nb = tb, 1
			if tb.x0 < 0 {
				boxes[nb], nb = mbox{tb.x0 + 1, tb.y0, tb.x1 + 1, tb.y1}, nb+1
			}
			if tb.x1 > 1 {
				boxes[nb], nb = mbox{tb.x0 - 1, tb.y0, tb.x1 - 1, tb.y1}, nb+1
			}
		}
		switch kind {
		case regionArea:
			for _, b := range reg.boxes {
				for _, tb := range boxes[:nb] {
					if b.meets(tb) {
						return true
					}
				}
			}
		case regionArcs:
			arcs, ok := reg.arcs[k.filter]
			if !ok {
				return true
			}
			for i := range arcs {
				for _, tb := range boxes[:nb] {
					if arcs[i].crosses(tb) {
						return true
					}
				}
			}
		}
	}
	return false
}
