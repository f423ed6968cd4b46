package tiles

import (
	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/geo"
	"github.com/paulmach/orb/encoding/mvt/vectortile"
)

// The countries layer: one polygon feature per country with its joined
// figures for the filter. Feature id: countryID(iso3).
const (
	ckISO3 = iota
	ckName
	ckImportsValue
	ckImportsUnit
	ckImportsDeals
	ckImportsTIV
	ckImportsUSD
	ckImportsEUR
	ckExportsValue
	ckExportsUnit
	ckExportsDeals
	ckExportsTIV
	ckExportsUSD
	ckExportsEUR
	ckInConflict
	ckConflicts
)

// countriesBudget caps the features of a countries tile (there are about
// 250 countries; the cap only guards against a malformed World).
const countriesBudget = 1000

func countriesLayer(o Options) *layerDef {
	return newLayerDef("countries",
		"Admin-0 countries with the filter's imports and exports: *_value and *_unit are the total in the unit most deals are valued in "+
			"(units are never added together), *_tiv, *_usd, *_eur the per-unit totals (present only when non-zero), *_deals the number of deals.",
		"polygon", o.MinZoom, o.MaxZoom,
		[]field{
			{"iso3", typString}, {"name", typString},
			{"imports_value", typNumber}, {"imports_unit", typString}, {"imports_deals", typNumber},
			{"imports_tiv", typNumber}, {"imports_usd", typNumber}, {"imports_eur", typNumber},
			{"exports_value", typNumber}, {"exports_unit", typString}, {"exports_deals", typNumber},
			{"exports_tiv", typNumber}, {"exports_usd", typNumber}, {"exports_eur", typNumber},
			{"in_conflict", typBool}, {"conflicts", typNumber},
		},
		renderCountries)
}

func renderCountries(tc *tileCtx, le *layerEnc) {
	p := tc.p
	j := tc.join()
	tc.shapeFeatures(p.countries.shapes, countriesBudget, nil, func(shape int32, out *polyOut) {
		c := &p.world.Countries[shape]
		le.begin()
		le.str(ckISO3, c.ISO3)
		le.str(ckName, c.Name)
		if cs := j.Countries[c.ISO3]; cs != nil {
			totals(le, &cs.Imports, ckImportsValue)
			totals(le, &cs.Exports, ckExportsValue)
			le.bool(ckInConflict, cs.InConflict)
			le.int(ckConflicts, int64(len(cs.Conflicts)))
		} else {
			le.float(ckImportsValue, 0)
			le.int(ckImportsDeals, 0)
			le.float(ckExportsValue, 0)
			le.int(ckExportsDeals, 0)
			le.bool(ckInConflict, false)
			le.int(ckConflicts, 0)
		}
		le.geom.polygons(out)
		le.end(p.countries.ids[shape], vectortile.Tile_POLYGON)
	})
}

// totals writes one direction's figures; base is its *_value key, followed
// in the catalogue by *_unit, *_deals, *_tiv, *_usd, *_eur.
func totals(le *layerEnc, t *geo.Totals, base int) {
	v, u := t.Primary()
	le.float(base, v)
	if u != "" {
		le.str(base+1, string(u))
	}
	le.int(base+2, int64(t.Deals))
	for i, unit := range []data.Unit{data.UnitTIV, data.UnitUSD, data.UnitEUR} {
		if x := t.Values[unit]; x != 0 {
			le.float(base+3+i, x)
		}
	}
}
