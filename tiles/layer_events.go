package tiles

import (
	"cmp"
	"math"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt/vectortile"
)

// The events layer: georeferenced conflict events in the filter's years.
//
// Below clusterMaxZoom (z0–z5) events are clustered on a grid of
// clusterCells×clusterCells cells per tile (256 tile units, 32 pixels of a
// 512-pixel tile, at the default extent): one point per non-empty cell at
// the mean position of its events, with count and summed deaths; a cell
// holding a single event also carries that event's id, date and
// conflict_id. The feature id is the cell's number at that zoom, so the
// same cluster in a neighbouring tile's buffer has the same id.
//
// From clusterMaxZoom on every event is a point (count 1) with its own id;
// a tile holding more than eventsBudget events keeps those with the most
// deaths.
const (
	ekID = iota
	ekDate
	ekDeaths
	ekConflictID
	ekCount
)

const (
	clusterMaxZoom = 6
	clusterCells   = 16
	eventsBudget   = 4000
)

func eventsLayer(o Options) *layerDef {
	return newLayerDef("events",
		"Georeferenced conflict events in the filter's years. Below z6 grid clusters (16x16 cells a tile) with count and summed deaths "+
			"(a one-event cluster keeps the event's id, date and conflict_id); from z6 single events, at most 4000 a tile, most deaths first.",
		"point", o.MinZoom, o.MaxZoom,
		[]field{
			{"id", typString}, {"date", typString}, {"deaths", typNumber}, {"conflict_id", typString}, {"count", typNumber},
		},
		renderEvents)
}

func renderEvents(tc *tileCtx, le *layerEnc) {
	if len(tc.p.world.Events) == 0 {
		return
	}
	if tc.z < clusterMaxZoom {
		renderClusters(tc, le)
		return
	}
	p, st, f := tc.p, tc.st, tc.f
	tc.points(p.events)
	st.order = st.order[:0]
	for k, h := range st.hits {
		if f.InYears(int(p.eventYear[h.idx])) {
			st.order = append(st.order, int32(k))
		}
	}
	if len(st.order) > eventsBudget {
		ev := p.world.Events
		slices.SortStableFunc(st.order, func(a, b int32) int {
			return cmp.Compare(ev[st.hits[b].idx].Deaths, ev[st.hits[a].idx].Deaths)
		})
		st.order = st.order[:eventsBudget]
		slices.Sort(st.order)
	}
	for _, k := range st.order {
		i := st.hits[k].idx
		e := &p.world.Events[i]
		le.begin()
		le.geom.points(st.pts[k : k+1])
		le.str(ekID, e.ID)
		le.str(ekDate, e.Date)
		le.int(ekDeaths, e.Deaths)
		if e.ConflictID != "" {
			le.str(ekConflictID, e.ConflictID)
		}
		le.int(ekCount, 1)
		le.end(p.eventIDs[i], vectortile.Tile_POINT)
	}
}

// cluster accumulates one grid cell.
type cluster struct {
	count  int64
	deaths int64
	sx, sy float64
	first  int32 // event index of the first member
}

// clusterSpan is the cells of a tile plus one ring of neighbours, whose
// clusters may fall in the tile's buffer.
const clusterSpan = clusterCells + 2

func renderClusters(tc *tileCtx, le *layerEnc) {
	p, st, f := tc.p, tc.st, tc.f
	cell := tc.extent / clusterCells
	// Search the tile grown by one cell, wrapping across the antimeridian.
	grown := orb.Bound{Min: orb.Point{-cell, -cell}, Max: orb.Point{tc.extent + cell, tc.extent + cell}}
	var boxes [3]shiftBox
	bs := tileBoxes(tc.xf(0).inverse(grown), boxes[:0])
	st.hits = p.events.query(bs, st.hits[:0])
	var cells [clusterSpan * clusterSpan]cluster
	for _, h := range st.hits {
		if !f.InYears(int(p.eventYear[h.idx])) {
			continue
		}
		t := tc.xf(h.shift).apply(p.events.pts[h.idx])
		cx, cy := int(math.Floor(t[0]/cell))+1, int(math.Floor(t[1]/cell))+1
		if cx < 0 || cy < 0 || cx >= clusterSpan || cy >= clusterSpan {
			continue
		}
		c := &cells[cy*clusterSpan+cx]
		if c.count == 0 {
			c.first = h.idx
		}
		c.count++
		c.deaths += p.world.Events[h.idx].Deaths
		c.sx += t[0]
		c.sy += t[1]
	}
	perRow := uint64(clusterCells) << tc.z
	// At z0 the tile's buffer holds wrapped copies of its own edge cells:
	// a cluster and its copy share the cell number, so they are written as
	// one multipoint feature.
	type out struct {
		id uint64
		k  int
		pt ipt
	}
	var outs [clusterSpan * clusterSpan]out
	n := 0
	for k := range cells {
		c := &cells[k]
		if c.count == 0 {
			continue
		}
		pt := orb.Point{c.sx / float64(c.count), c.sy / float64(c.count)}
		if !tc.box.Contains(pt) {
			continue
		}
		cx, cy := k%clusterSpan-1, k/clusterSpan-1
		gx := (int64(tc.t.X)*clusterCells + int64(cx) + int64(perRow)) % int64(perRow)
		gy := int64(tc.t.Y)*clusterCells + int64(cy)
		outs[n] = out{id: uint64(gy)*perRow + uint64(gx) + 1, k: k, pt: ipt{int32(math.Round(pt[0])), int32(math.Round(pt[1]))}}
		n++
	}
	slices.SortFunc(outs[:n], func(a, b out) int { return cmp.Compare(a.id, b.id) })
	for i := 0; i < n; {
		j := i
		st.pts = st.pts[:0]
		for ; j < n && outs[j].id == outs[i].id; j++ {
			st.pts = append(st.pts, outs[j].pt)
		}
		c := &cells[outs[i].k]
		le.begin()
		le.geom.points(st.pts)
		le.int(ekCount, c.count)
		le.int(ekDeaths, c.deaths)
		if c.count == 1 {
			e := &p.world.Events[c.first]
			le.str(ekID, e.ID)
			le.str(ekDate, e.Date)
			if e.ConflictID != "" {
				le.str(ekConflictID, e.ConflictID)
			}
		}
		le.end(outs[i].id, vectortile.Tile_POINT)
		i = j
	}
}
