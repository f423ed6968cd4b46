package tiles

import (
	"hash/fnv"
	"strconv"
)

// layerDef is one layer: its public description, its key catalogue and
// how it draws a tile.
type layerDef struct {
	info   LayerInfo
	keys   []string
	render func(tc *tileCtx, le *layerEnc)
}

// field is a property key with its TileJSON type.
type field struct{ key, typ string }

const (
	typString = "String"
	typNumber = "Number"
	typBool   = "Boolean"
)

// newLayerDef builds a layerDef from an ordered field list; the key
// catalogue indices are the field positions.
func newLayerDef(name, desc, geom string, minZoom, maxZoom int, fields []field, render func(*tileCtx, *layerEnc)) *layerDef {
	d := &layerDef{
		info:   LayerInfo{Name: name, Description: desc, Geometry: geom, MinZoom: minZoom, MaxZoom: maxZoom, Fields: map[string]string{}},
		render: render,
	}
	for _, f := range fields {
		d.keys = append(d.keys, f.key)
		d.info.Fields[f.key] = f.typ
	}
	return d
}

// allLayers lists the layers in their fixed order.
func allLayers(o Options) []*layerDef {
	return []*layerDef{
		countriesLayer(o),
		conflictsLayer(o),
		flowsLayer(o),
		eventsLayer(o),
		labelsLayer(o),
	}
}

// Feature ids. MapLibre's promoteId and feature-state need an id that is
// the same for a feature in every tile and that a JavaScript number holds
// exactly (below 2^53).

// countryID is a stable id from an ISO3 code: codes of three letters A–Z
// map to 1..17576 (base 26); anything else to a 53-bit FNV-1a hash above
// that range.
func countryID(iso3 string) uint64 {
	if len(iso3) == 3 {
		var id uint64
		ok := true
		for i := 0; i < 3; i++ {
			c := iso3[i]
			if c < 'A' || c > 'Z' {
				ok = false
				break
			}
			id = id*26 + uint64(c-'A')
		}
		if ok {
			return id + 1
		}
	}
	return 17577 + hash53(iso3)%(1<<53-17577)
}

// hash53 is FNV-1a 64 of the parts joined by NUL, masked to 53 bits.
func hash53(parts ...string) uint64 {
	h := fnv.New64a()
	for i, p := range parts {
		if i > 0 {
			h.Write([]byte{0})
		}
		h.Write([]byte(p))
	}
	return h.Sum64() & (1<<53 - 1)
}

// stringID uses a decimal id below 2^53 as is (UCDP event ids are
// numbers), otherwise its hash.
func stringID(s string) uint64 {
	if n, err := strconv.ParseUint(s, 10, 64); err == nil && n > 0 && n < 1<<53 {
		return n
	}
	return hash53(s)
}
