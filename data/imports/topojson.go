package imports

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/paulmach/orb"
)

// A small TopoJSON decoder (https://github.com/topojson/topojson-specification):
// shared arcs, optionally quantized and delta-encoded under a transform,
// negative arc indices meaning the one's complement arc reversed, and the
// Polygon, MultiPolygon and GeometryCollection objects country files use.
// github.com/rubenv/topojson, the one Go TopoJSON library, is built on the
// older paulmach/go.geo and go.geojson packages rather than orb, so armsflow
// decodes the format itself.

// maxTopoPoints bounds the points a TopoJSON document may decode to, so that
// a small file re-using a long arc many times cannot exhaust memory.
const maxTopoPoints = 64 << 20

// topoFeature is one decoded geometry object of a TopoJSON object.
type topoFeature struct {
	Index      int    // position in the object's geometries (0 for a lone geometry)
	ID         string // the "id" member as text ("" when absent or null)
	Properties map[string]any
	Geometry   orb.Geometry // orb.Polygon or orb.MultiPolygon; nil for a null geometry
}

// Name returns the feature's "name" property, or "".
func (f *topoFeature) Name() string {
	s, _ := f.Properties["name"].(string)
	return s
}

type topoTransform struct {
	Scale     []float64 `json:"scale"`
	Translate []float64 `json:"translate"`
}

type topoDoc struct {
	Type      string                     `json:"type"`
	Transform *topoTransform             `json:"transform"`
	Arcs      [][][]float64              `json:"arcs"`
	Objects   map[string]json.RawMessage `json:"objects"`
}

type topoObject struct {
	Type       string          `json:"type"`
	ID         json.RawMessage `json:"id"`
	Properties map[string]any  `json:"properties"`
	Arcs       json.RawMessage `json:"arcs"`
	Geometries []topoObject    `json:"geometries"`
}

// topology is a decoded TopoJSON document with its arcs in absolute
// coordinates.
type topology struct {
	objects map[string]json.RawMessage
	arcs    []orb.LineString
	points  int // points produced so far
	limit   int // most points it may produce (maxTopoPoints)
}

// decodeTopology parses a TopoJSON Topology and decodes its arcs.
func decodeTopology(b []byte) (*topology, error) {
	var doc topoDoc
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("invalid TopoJSON: %w", err)
	}
	if doc.Type != "Topology" {
		return nil, fmt.Errorf("invalid TopoJSON: type is %q, want \"Topology\"", doc.Type)
	}
	if len(doc.Objects) == 0 {
		return nil, errors.New("invalid TopoJSON: no objects")
	}
	scale, translate := [2]float64{1, 1}, [2]float64{0, 0}
	quantized := doc.Transform != nil
	if quantized {
		t := doc.Transform
		if len(t.Scale) != 2 || len(t.Translate) != 2 {
			return nil, errors.New("invalid TopoJSON: transform needs a scale and a translate of two numbers each")
		}
		copy(scale[:], t.Scale)
		copy(translate[:], t.Translate)
		for _, v := range [4]float64{scale[0], scale[1], translate[0], translate[1]} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, errors.New("invalid TopoJSON: transform is not finite")
			}
		}
	}
	topo := &topology{objects: doc.Objects, arcs: make([]orb.LineString, len(doc.Arcs)), limit: maxTopoPoints}
	for i, arc := range doc.Arcs {
		if len(arc) < 2 {
			return nil, fmt.Errorf("invalid TopoJSON: arc %d has %d positions, want at least 2", i, len(arc))
		}
		ls := make(orb.LineString, len(arc))
		var x, y float64
		for j, pos := range arc {
			if len(pos) < 2 {
				return nil, fmt.Errorf("invalid TopoJSON: arc %d position %d has %d numbers, want at least 2", i, j, len(pos))
			}
			if quantized {
				x += pos[0]
				y += pos[1]
				ls[j] = orb.Point{x*scale[0] + translate[0], y*scale[1] + translate[1]}
			} else {
				ls[j] = orb.Point{pos[0], pos[1]}
			}
		}
		topo.arcs[i] = ls
	}
	return topo, nil
}

// objectNames lists the topology's object names.
func (t *topology) objectNames() []string {
	names := make([]string, 0, len(t.objects))
	for k := range t.objects {
		names = append(names, k)
	}
	return names
}

// features decodes one named object into features: the members of a
// GeometryCollection (nested collections are flattened), or the object itself.
func (t *topology) features(object string) ([]topoFeature, error) {
	raw, ok := t.objects[object]
	if !ok {
		return nil, fmt.Errorf("invalid TopoJSON: no object %q", object)
	}
	var obj topoObject
	if err := json.Unmarshal(raw, &obj); err != nil {
		return nil, fmt.Errorf("invalid TopoJSON object %q: %w", object, err)
	}
	var out []topoFeature
	if obj.Type != "GeometryCollection" {
		f, err := t.feature(0, obj)
		if err != nil {
			return nil, fmt.Errorf("object %q: %w", object, err)
		}
		return append(out, f), nil
	}
	var walk func(objs []topoObject, depth int) error
	walk = func(objs []topoObject, depth int) error {
		for _, o := range objs {
			if o.Type == "GeometryCollection" {
				if depth > 16 {
					return fmt.Errorf("object %q: geometry collections nested too deep", object)
				}
				if err := walk(o.Geometries, depth+1); err != nil {
					return err
				}
				continue
			}
			f, err := t.feature(len(out), o)
			if err != nil {
				return fmt.Errorf("object %q: %w", object, err)
			}
			out = append(out, f)
		}
		return nil
	}
	if err := walk(obj.Geometries, 0); err != nil {
		return nil, err
	}
	return out, nil
}

// feature decodes one geometry object.
func (t *topology) feature(index int, o topoObject) (topoFeature, error) {
	f := topoFeature{Index: index, ID: topoID(o.ID), Properties: o.Properties}
	if f.Properties == nil {
		f.Properties = map[string]any{}
	}
	label := featureLabel(index, f.Name())
	switch o.Type {
	case "", "null":
		// A null geometry: a feature without a shape.
		if o.Type == "" && len(o.Arcs) > 0 {
			return f, fmt.Errorf("%s: geometry has arcs but no type", label)
		}
		return f, nil
	case "Polygon":
		var rings [][]int
		if err := json.Unmarshal(o.Arcs, &rings); err != nil {
			return f, fmt.Errorf("%s: Polygon arcs: %w", label, err)
		}
		p, err := t.polygon(rings)
		if err != nil {
			return f, fmt.Errorf("%s: %w", label, err)
		}
		f.Geometry = p
	case "MultiPolygon":
		var polys [][][]int
		if err := json.Unmarshal(o.Arcs, &polys); err != nil {
			return f, fmt.Errorf("%s: MultiPolygon arcs: %w", label, err)
		}
		mp := make(orb.MultiPolygon, 0, len(polys))
		for k, rings := range polys {
			p, err := t.polygon(rings)
			if err != nil {
				return f, fmt.Errorf("%s: polygon %d: %w", label, k, err)
			}
			mp = append(mp, p)
		}
		f.Geometry = mp
	default:
		return f, fmt.Errorf("%s: unsupported geometry type %q (want Polygon or MultiPolygon)", label, o.Type)
	}
	return f, nil
}

// polygon stitches a polygon's rings from arc indices.
func (t *topology) polygon(rings [][]int) (orb.Polygon, error) {
	p := make(orb.Polygon, 0, len(rings))
	for k, idx := range rings {
		r, err := t.ring(idx)
		if err != nil {
			return nil, fmt.Errorf("ring %d: %w", k, err)
		}
		p = append(p, r)
	}
	return p, nil
}

// ring concatenates arcs: each arc after the first starts where the previous
// one ended, so its first point is skipped. A negative index ^i (that is,
// -i-1) stands for arc i reversed.
func (t *topology) ring(idx []int) (orb.Ring, error) {
	var r orb.Ring
	for n, i := range idx {
		k, rev := i, false
		if i < 0 {
			k, rev = ^i, true
		}
		if k >= len(t.arcs) {
			return nil, fmt.Errorf("arc index %d out of range (%d arcs)", i, len(t.arcs))
		}
		arc := t.arcs[k]
		t.points += len(arc)
		if t.points > t.limit {
			return nil, fmt.Errorf("more than %d points", t.limit)
		}
		start := 0
		if n > 0 {
			start = 1
		}
		for j := start; j < len(arc); j++ {
			if rev {
				r = append(r, arc[len(arc)-1-j])
			} else {
				r = append(r, arc[j])
			}
		}
	}
	return r, nil
}

// topoID renders a TopoJSON id (string or number) as text.
func topoID(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var f float64
	if json.Unmarshal(raw, &f) == nil {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return string(raw)
}

// featureLabel names a feature in messages: "feature 12 (France)".
func featureLabel(index int, name string) string {
	if name == "" {
		return fmt.Sprintf("feature %d", index)
	}
	return fmt.Sprintf("feature %d (%s)", index, name)
}
