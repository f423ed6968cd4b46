package tiles

import (
	"github.com/armsflow/armsflow/data"
	"github.com/paulmach/orb/encoding/mvt/vectortile"
)

// The conflicts layer: for every conflict active in the filter's year
// window, one polygon feature per country it is fought in (the country's
// polygon), or one feature with the conflict's own area when it has one.
// Feature id: a 53-bit hash of conflict id and ISO3 (or of the conflict id
// alone for an area). intensity is the highest UCDP intensity within the
// window (the conflict's overall intensity when it has no year map); end is
// absent while the conflict is ongoing.
const (
	xkID = iota
	xkName
	xkType
	xkIntensity
	xkStart
	xkEnd
	xkCountry
)

// conflictsBudget caps the features of a conflicts tile.
const conflictsBudget = 2000

func conflictsLayer(o Options) *layerDef {
	return newLayerDef("conflicts",
		"Armed conflicts active in the filter's years, one feature per conflict and country (the country's polygon) or the "+
			"conflict's own area; intensity is the highest UCDP intensity in the window (1: 25-999 deaths a year, 2: 1,000 or more); "+
			"end is absent while ongoing.",
		"polygon", o.MinZoom, o.MaxZoom,
		[]field{
			{"id", typString}, {"name", typString}, {"type", typString}, {"intensity", typNumber},
			{"start", typNumber}, {"end", typNumber}, {"country", typString},
		},
		renderConflicts)
}

func renderConflicts(tc *tileCtx, le *layerEnc) {
	p := tc.p
	w := p.world
	f := tc.f
	n := 0
	active := func(c *data.Conflict) bool { return c.ActiveIn(f.YearFrom, f.YearTo) }
	anyActive := func(shape int32) bool {
		for _, ci := range p.conflictsOf[shape] {
			if active(&w.Conflicts[ci]) {
				return true
			}
		}
		return false
	}
	tc.shapeFeatures(p.countries.shapes, countriesBudget, anyActive, func(shape int32, out *polyOut) {
		iso := w.Countries[shape].ISO3
		for _, ci := range p.conflictsOf[shape] {
			c := &w.Conflicts[ci]
			if n >= conflictsBudget || !active(c) {
				continue
			}
			le.begin()
			le.geom.polygons(out)
			conflictProps(le, c, f)
			le.str(xkCountry, iso)
			if le.end(hash53(c.ID, iso), vectortile.Tile_POLYGON) {
				n++
			}
		}
	})
	areaActive := func(shape int32) bool { return active(&w.Conflicts[p.areaOf[shape]]) }
	tc.shapeFeatures(p.areas, conflictsBudget, areaActive, func(shape int32, out *polyOut) {
		c := &w.Conflicts[p.areaOf[shape]]
		if n >= conflictsBudget {
			return
		}
		le.begin()
		le.geom.polygons(out)
		conflictProps(le, c, f)
		if le.end(hash53(c.ID), vectortile.Tile_POLYGON) {
			n++
		}
	})
}

func conflictProps(le *layerEnc, c *data.Conflict, f data.Filter) {
	le.str(xkID, c.ID)
	le.str(xkName, c.Name)
	if c.Type != "" {
		le.str(xkType, string(c.Type))
	}
	le.int(xkIntensity, int64(intensityIn(c, f)))
	if c.StartYear != 0 {
		le.int(xkStart, int64(c.StartYear))
	}
	if c.EndYear != 0 {
		le.int(xkEnd, int64(c.EndYear))
	}
}

// intensityIn is a conflict's highest intensity within the filter's years.
func intensityIn(c *data.Conflict, f data.Filter) int {
	if len(c.Years) == 0 {
		return c.Intensity
	}
	best := 0
	for y, i := range c.Years {
		if f.InYears(y) && i > best {
			best = i
		}
	}
	return best
}
