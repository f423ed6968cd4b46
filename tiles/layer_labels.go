package tiles

import (
	"github.com/paulmach/orb/encoding/mvt/vectortile"
)

// The labels layer: one point per country at its anchor (inside its
// largest polygon), with rank = 1 for the largest country by spherical
// area, for symbol-sort-key. Only anchors inside the tile proper are
// written: MapLibre places a point label only in the tile that holds its
// anchor, so buffer copies would be dead weight. Feature id: countryID.
const (
	lkISO3 = iota
	lkName
	lkRank
)

// labelsBudget caps the features of a labels tile (one per country, so
// it only guards against a malformed World).
const labelsBudget = 1000

func labelsLayer(o Options) *layerDef {
	return newLayerDef("labels",
		"One label point per country at its anchor; rank 1 is the largest country by area (use as symbol-sort-key).",
		"point", o.MinZoom, o.MaxZoom,
		[]field{{"iso3", typString}, {"name", typString}, {"rank", typNumber}},
		renderLabels)
}

func renderLabels(tc *tileCtx, le *layerEnc) {
	p, st := tc.p, tc.st
	cp := p.countries
	tc.points(cp.labels)
	e := int32(tc.extent)
	n := 0
	for k, h := range st.hits {
		if n == labelsBudget {
			break
		}
		pt := st.pts[k]
		if pt.X < 0 || pt.Y < 0 || pt.X >= e || pt.Y >= e {
			continue
		}
		c := &p.world.Countries[cp.labelOf[h.idx]]
		le.begin()
		le.geom.points(st.pts[k : k+1])
		le.str(lkISO3, c.ISO3)
		le.str(lkName, c.Name)
		le.int(lkRank, cp.labelRank[h.idx])
		le.end(cp.ids[cp.labelOf[h.idx]], vectortile.Tile_POINT)
		n++
	}
}
