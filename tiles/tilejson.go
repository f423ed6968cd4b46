package tiles

import (
	"fmt"
	"strings"
)

// Attribution credits the data every armsflow tileset is made from, as HTML
// (TileJSON lets clients render it; MapLibre does). SIPRI asks for this
// credit line with this URL.
const Attribution = `<a href="https://www.sipri.org/databases/armstransfers">Information from the SIPRI Arms Transfers Database</a>` +
	` · <a href="https://ucdp.uu.se/">UCDP</a>` +
	` · <a href="https://www.naturalearthdata.com/">Natural Earth</a>`

// WorldBounds returns the bounds of the Web Mercator world, in TileJSON
// order (west, south, east, north).
func WorldBounds() [4]float64 { return [4]float64{-180, -maxMercatorLat, 180, maxMercatorLat} }

// TileJSON is a TileJSON 3.0.0 document for vector tiles.
type TileJSON struct {
	TileJSON     string      `json:"tilejson"`
	Name         string      `json:"name"`
	Description  string      `json:"description"`
	Version      string      `json:"version"`
	Attribution  string      `json:"attribution"`
	Scheme       string      `json:"scheme"`
	Tiles        []string    `json:"tiles"`
	MinZoom      int         `json:"minzoom"`
	MaxZoom      int         `json:"maxzoom"`
	Bounds       [4]float64  `json:"bounds"`
	Center       [3]float64  `json:"center"`
	VectorLayers []LayerInfo `json:"vector_layers"`
}

// Tileset describes a set of layers as TileJSON and the MBTiles and PMTiles
// metadata do: the layers' infos in the order asked and their zoom range.
type Tileset struct {
	Name        string
	Description string
	Layers      []LayerInfo
	MinZoom     int
	MaxZoom     int
}

// NewTileset looks up the named layers (in the order given) among infos.
// Errors wrap ErrUnknownLayer or ErrDuplicateLayer.
func NewTileset(infos []LayerInfo, names []string) (Tileset, error) {
	if len(names) == 0 {
		return Tileset{}, fmt.Errorf("%w: empty layer list", ErrUnknownLayer)
	}
	ts := Tileset{MinZoom: MaxTileZoom}
	seen := map[string]bool{}
	for _, n := range names {
		if seen[n] {
			return Tileset{}, fmt.Errorf("%w: %q", ErrDuplicateLayer, n)
		}
		seen[n] = true
		i := indexOfLayer(infos, n)
		if i < 0 {
			return Tileset{}, fmt.Errorf("%w %q (layers: %s)", ErrUnknownLayer, n, strings.Join(layerNames(infos), ", "))
		}
		l := infos[i]
		ts.Layers = append(ts.Layers, l)
		ts.MinZoom = min(ts.MinZoom, l.MinZoom)
		ts.MaxZoom = max(ts.MaxZoom, l.MaxZoom)
	}
	ts.Name = "armsflow " + strings.Join(names, ", ")
	descs := make([]string, 0, len(ts.Layers))
	for _, l := range ts.Layers {
		if l.Description != "" {
			descs = append(descs, l.Name+": "+l.Description)
		}
	}
	ts.Description = "Arms transfers and armed conflicts as vector tiles"
	if len(descs) > 0 {
		ts.Description += ". " + strings.Join(descs, " ")
	}
	return ts, nil
}

func indexOfLayer(infos []LayerInfo, name string) int {
	for i, l := range infos {
		if l.Name == name {
			return i
		}
	}
	return -1
}

// TileJSON returns the tileset's TileJSON with one tile URL template
// (containing {z}, {x} and {y}, and the canonical filter query if any).
func (ts Tileset) TileJSON(tileURL string) TileJSON {
	return TileJSON{
		TileJSON:     "3.0.0",
		Name:         ts.Name,
		Description:  ts.Description,
		Version:      "1.0.0",
		Attribution:  Attribution,
		Scheme:       "xyz",
		Tiles:        []string{tileURL},
		MinZoom:      ts.MinZoom,
		MaxZoom:      ts.MaxZoom,
		Bounds:       WorldBounds(),
		Center:       [3]float64{0, 20, float64(max(ts.MinZoom, min(ts.MaxZoom, 2)))},
		VectorLayers: ts.Layers,
	}
}
