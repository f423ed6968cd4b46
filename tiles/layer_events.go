package tiles

import (
	"cmp"
	"math"
	"slices"

	"github.com/armsflow/armsflow/data"
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
	ep := p.events
	tc.points(ep.grid)
	st.order = st.order[:0]
	for k, h := range st.hits {
		if f.InYears(int(ep.year[h.idx])) {
			st.order = append(st.order, int32(k))
		}
	}
	if len(st.order) > eventsBudget {
		deaths := ep.deaths
		slices.SortStableFunc(st.order, func(a, b int32) int {
			return cmp.Compare(deaths[st.hits[b].idx], deaths[st.hits[a].idx])
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
		le.end(ep.ids[i], vectortile.Tile_POINT)
	}
}

// gridCell is one non-empty cluster cell of a zoom's global grid, with
// sums in world units.
type gridCell struct {
	key    uint64 // gy<<32 | gx
	count  int64
	deaths int64
	sx, sy float64
	first  int32 // event index of the first member
}

// clusterGrid holds, for one year window, every zoom's non-empty cells
// sorted by key, so a tile reads its cells without touching the events.
type clusterGrid struct {
	zooms [clusterMaxZoom][]gridCell
}

// newClusterGrid aggregates the events in [from, to] (0 = open) into the
// grids of z0..clusterMaxZoom-1, in one pass per zoom.
func newClusterGrid(ep *eventPrep, from, to int) *clusterGrid {
	f := data.Filter{YearFrom: from, YearTo: to}
	g := &clusterGrid{}
	idx := make(map[uint64]int32)
	for z := 0; z < clusterMaxZoom; z++ {
		clear(idx)
		perRow := float64(uint64(clusterCells) << z)
		var cells []gridCell
		for i, pt := range ep.grid.pts {
			if !f.InYears(int(ep.year[i])) {
				continue
			}
			gx := uint64(min(math.Floor(pt[0]*perRow), perRow-1))
			gy := uint64(min(math.Floor(pt[1]*perRow), perRow-1))
			key := gy<<32 | gx
			k, ok := idx[key]
			if !ok {
				k = int32(len(cells))
				idx[key] = k
				cells = append(cells, gridCell{key: key, first: int32(i)})
			}
			c := &cells[k]
			c.count++
			c.deaths += ep.deaths[i]
			c.sx += pt[0]
			c.sy += pt[1]
		}
		slices.SortFunc(cells, func(a, b gridCell) int { return cmp.Compare(a.key, b.key) })
		g.zooms[z] = cells
	}
	return g
}

// clusterSpan is the cells of a tile plus one ring of neighbours, whose
// clusters may fall in the tile's buffer.
const clusterSpan = clusterCells + 2

func renderClusters(tc *tileCtx, le *layerEnc) {
	p, st := tc.p, tc.st
	grid := p.events.clustersFor(tc.f.YearFrom, tc.f.YearTo).zooms[tc.z]
	if len(grid) == 0 {
		return
	}
	perRow := int64(clusterCells) << tc.z
	// At z0 the tile's buffer holds wrapped copies of its own edge cells:
	// a cluster and its copy share the cell number, so they are written as
	// one multipoint feature.
	outs := st.clusters[:0]
	x0 := int64(tc.t.X)*clusterCells - 1
	for gy := int64(tc.t.Y)*clusterCells - 1; gy <= int64(tc.t.Y+1)*clusterCells; gy++ {
		if gy < 0 || gy >= perRow {
			continue
		}
		// The row's cells x0..x0+clusterSpan-1, split where they wrap
		// across the antimeridian.
		for _, r := range [3]struct {
			lo, hi int64
			shift  int8
		}{
			{x0 + perRow, min(perRow-1, x0+clusterSpan-1+perRow), -1},
			{max(0, x0), min(perRow-1, x0+clusterSpan-1), 0},
			{x0 - perRow, x0 + clusterSpan - 1 - perRow, 1},
		} {
			lo := max(r.lo, 0)
			if lo > r.hi || lo >= perRow {
				continue
			}
			hi := uint64(gy)<<32 | uint64(r.hi)
			k, _ := slices.BinarySearchFunc(grid, uint64(gy)<<32|uint64(lo), func(c gridCell, key uint64) int { return cmp.Compare(c.key, key) })
			for ; k < len(grid) && grid[k].key <= hi; k++ {
				c := &grid[k]
				pt := tc.xf(r.shift).apply(orb.Point{c.sx / float64(c.count), c.sy / float64(c.count)})
				if tc.box.Contains(pt) {
					outs = append(outs, clusterOut{cell: c, pt: ipt{int32(math.Round(pt[0])), int32(math.Round(pt[1]))}})
				}
			}
		}
	}
	slices.SortFunc(outs, func(a, b clusterOut) int { return cmp.Compare(a.cell.key, b.cell.key) })
	st.clusters = outs
	for i := 0; i < len(outs); {
		j := i
		st.pts = st.pts[:0]
		for ; j < len(outs) && outs[j].cell == outs[i].cell; j++ {
			st.pts = append(st.pts, outs[j].pt)
		}
		c := outs[i].cell
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
		gx, gy := c.key&(1<<32-1), c.key>>32
		le.end(gy*uint64(perRow)+gx+1, vectortile.Tile_POINT)
		i = j
	}
}

// clusterOut is a cluster cell placed in the tile.
type clusterOut struct {
	cell *gridCell
	pt   ipt
}
