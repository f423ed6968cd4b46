// Package tiles turns armsflow's joined data into Mapbox Vector Tiles (MVT
// 2.1): the countries, flows, conflicts, events and labels layers, encoded
// with orb's encoding/mvt plus the spec fixes orb leaves to its callers, a
// tile cache, and MBTiles/PMTiles export. tiles knows nothing of HTTP.
package tiles

// CONTRACT STUB written by the lead: signatures are fixed, bodies are to be
// implemented (and this comment removed) by the tiles owner.

import (
	"context"
	"errors"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/geo"
	"github.com/paulmach/orb/maptile"
)

// WorldSource hands out the current joined-data snapshot (geo.Source does).
type WorldSource interface {
	World(ctx context.Context) (*geo.World, error)
}

// Errors a caller maps to HTTP statuses.
var (
	ErrUnknownLayer = errors.New("unknown layer")    // 404
	ErrOutOfRange   = errors.New("tile out of range") // 400
)

// Options configures a Renderer.
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

// Renderer makes tiles from a WorldSource.
type Renderer struct {
	src  WorldSource
	opts Options
}

// NewRenderer makes a Renderer.
func NewRenderer(src WorldSource, opts Options) *Renderer { return &Renderer{src: src, opts: opts} }

// Layers lists the layers in a fixed order.
func (r *Renderer) Layers() []LayerInfo { return nil }

// Render encodes the named layers of one tile for a filter. It returns the
// uncompressed MVT bytes (nil when no layer has a feature in the tile) and
// the data version they were made from. Errors wrap ErrUnknownLayer or
// ErrOutOfRange for bad requests.
func (r *Renderer) Render(ctx context.Context, layers []string, t maptile.Tile, f data.Filter) ([]byte, int64, error) {
	return nil, 0, errors.New("tiles: not implemented yet")
}
