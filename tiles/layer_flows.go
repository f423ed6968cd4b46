package tiles

import (
	"math"
	"sync"

	"github.com/armsflow/armsflow/geo"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
	"github.com/paulmach/orb/encoding/mvt/vectortile"
	"github.com/paulmach/orb/simplify"
)

// The flows layer: the filter's supplier→recipient flows as great-circle
// arcs (geo.Flow.Arc). Feature id: Flow.ID. rank is the flow's 1-based
// position in the join's largest-first order.
//
// Budget: at zoom z only flows ranked at most flowBudget(z) are drawn, so
// a low-zoom tile stays small (the world at z0 would otherwise carry every
// pair there is):
//
//	z0: 150  z1: 250  z2: 400  z3: 700  z4: 1200  z5: 2000  z6+: 5000
const (
	fkSupplier = iota
	fkRecipient
	fkValue
	fkUnit
	fkQuantity
	fkDeals
	fkTopCategory
	fkRank
)

var flowBudgets = [...]int{150, 250, 400, 700, 1200, 2000, 5000}

// flowBudget is the number of top-ranked flows drawn at zoom z.
func flowBudget(z int) int { return flowBudgets[min(z, len(flowBudgets)-1)] }

func flowsLayer(o Options) *layerDef {
	return newLayerDef("flows",
		"Aggregated supplier→recipient flows for the filter as great-circle arcs, largest first (rank 1); value/unit is the total in "+
			"the unit most deals are valued in. Low zooms carry only the top-ranked flows: z0 150, z1 250, z2 400, z3 700, z4 1200, z5 2000, z6+ 5000.",
		"line", o.MinZoom, o.MaxZoom,
		[]field{
			{"supplier", typString}, {"recipient", typString}, {"value", typNumber}, {"unit", typString},
			{"quantity", typNumber}, {"deals", typNumber}, {"top_category", typString}, {"rank", typNumber},
		},
		renderFlows)
}

// flowPrep is a join's flow arcs in world units, simplified per zoom on
// first use.
type flowPrep struct {
	lines  [][]orb.LineString // per flow, its arc's parts
	bounds [][]orb.Bound
	levels [fullResZoom]struct {
		once   sync.Once
		lines  [][]orb.LineString
		bounds [][]orb.Bound
	}
}

func newFlowPrep(j *geo.Joined) *flowPrep {
	fp := &flowPrep{lines: make([][]orb.LineString, len(j.Flows)), bounds: make([][]orb.Bound, len(j.Flows))}
	for i := range j.Flows {
		for _, ls := range j.Flows[i].Arc {
			if len(ls) < 2 {
				continue
			}
			pl := make(orb.LineString, len(ls))
			for k, p := range ls {
				pl[k] = project(p)
			}
			fp.lines[i] = append(fp.lines[i], pl)
			fp.bounds[i] = append(fp.bounds[i], pl.Bound())
		}
	}
	return fp
}

// level returns the arcs simplified for zoom z.
func (fp *flowPrep) level(z int, extent uint32) ([][]orb.LineString, [][]orb.Bound) {
	if z >= fullResZoom {
		return fp.lines, fp.bounds
	}
	l := &fp.levels[z]
	l.once.Do(func() {
		dp := simplify.DouglasPeucker(simplifyTolerance / (float64(extent) * math.Exp2(float64(z))))
		n := min(len(fp.lines), flowBudget(z))
		l.lines = make([][]orb.LineString, n)
		l.bounds = make([][]orb.Bound, n)
		for i := 0; i < n; i++ {
			for _, ls := range fp.lines[i] {
				s := dp.LineString(append(orb.LineString(nil), ls...))
				l.lines[i] = append(l.lines[i], s)
				l.bounds[i] = append(l.bounds[i], s.Bound())
			}
		}
	})
	return l.lines, l.bounds
}

func renderFlows(tc *tileCtx, le *layerEnc) {
	j := tc.join()
	if len(j.Flows) == 0 {
		return
	}
	fp := tc.p.flowsFor(j)
	lines, bounds := fp.level(tc.z, tc.r.opts.Extent)
	n := min(len(lines), flowBudget(tc.z))
	st := tc.st
	for i := 0; i < n; i++ {
		le.begin()
		for k, ls := range lines[i] {
			for _, sb := range st.boxes {
				if !sb.box.Intersects(bounds[i][k]) {
					continue
				}
				tc.drawLine(le, ls, tc.xf(sb.shift), contains(sb.box, bounds[i][k]))
			}
		}
		if len(le.geom.cmds) == 0 {
			continue
		}
		f := &j.Flows[i]
		v, u := f.Primary()
		le.str(fkSupplier, f.Supplier)
		le.str(fkRecipient, f.Recipient)
		le.float(fkValue, v)
		if u != "" {
			le.str(fkUnit, string(u))
		}
		le.int(fkQuantity, f.Quantity)
		le.int(fkDeals, int64(f.Deals))
		if f.TopCategory != "" {
			le.str(fkTopCategory, string(f.TopCategory))
		}
		le.int(fkRank, int64(i+1))
		le.end(f.ID, vectortile.Tile_LINESTRING)
	}
}

// drawLine clips a world-unit linestring to the tile and appends its
// pieces to the feature geometry.
func (tc *tileCtx) drawLine(le *layerEnc, ls orb.LineString, f xform, inside bool) {
	st := tc.st
	st.line = st.line[:0]
	for _, p := range ls {
		st.line = append(st.line, f.apply(p))
	}
	if inside {
		tc.emitLine(le, st.line)
		return
	}
	for _, piece := range clip.LineString(tc.box, orb.LineString(st.line)) {
		tc.emitLine(le, piece)
	}
}

func (tc *tileCtx) emitLine(le *layerEnc, l []orb.Point) {
	st := tc.st
	var ok bool
	if st.pts, ok = appendLine(st.pts[:0], l); ok {
		le.geom.line(st.pts)
	}
}
