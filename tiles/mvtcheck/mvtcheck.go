// Package mvtcheck checks Mapbox Vector Tiles against the MVT 2.1
// specification (github.com/mapbox/vector-tile-spec, 2.1/README.md).
//
// A decoder is not a validator: orb's mvt.Unmarshal and @mapbox/vector-tile
// accept many tiles the specification forbids. Check reads the raw protobuf
// into orb's encoding/mvt/vectortile types and walks every layer, value,
// tag and geometry command integer itself. Each finding is an Issue at
// level Error (a MUST of the specification is broken) or Warning (a SHOULD
// is broken, or a version 1 layer was found).
//
// The checker is proven on the labelled fixtures of npm's
// @mapbox/mvt-fixtures (see mvtcheck_test.go).
package mvtcheck

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	"github.com/gogo/protobuf/proto"
	"github.com/paulmach/orb/encoding/mvt/vectortile"
)

// Level says how bad an Issue is.
type Level int

// The issue levels.
const (
	Warning Level = iota + 1 // a SHOULD of the specification, or a version 1 layer
	Error                    // a MUST of the specification
)

func (l Level) String() string {
	switch l {
	case Warning:
		return "warning"
	case Error:
		return "error"
	}
	return fmt.Sprintf("level(%d)", int(l))
}

// Issue is one finding.
type Issue struct {
	Level   Level
	Layer   string // layer name ("" for tile-level issues or unnamed layers)
	Feature int    // feature index in the layer, -1 when not about a feature
	Msg     string
}

func (i Issue) String() string {
	var b strings.Builder
	b.WriteString(i.Level.String())
	if i.Layer != "" {
		fmt.Fprintf(&b, " layer %q", i.Layer)
	}
	if i.Feature >= 0 {
		fmt.Fprintf(&b, " feature %d", i.Feature)
	}
	b.WriteString(": ")
	b.WriteString(i.Msg)
	return b.String()
}

// Options tunes the checks that go beyond the specification.
type Options struct {
	// CheckBounds makes coordinates outside [-Buffer, extent+Buffer] an
	// Error. The specification lets geometry extend past the extent without
	// a limit (a buffer), so this is a check of a server's own promise.
	CheckBounds bool
	Buffer      int64
	// Simple checks that polygon rings neither cross nor touch themselves
	// and that a polygon's rings do not cross (spec 4.3.4.4). It costs a
	// plane sweep per polygon.
	Simple bool
}

// Report is the result of Check.
type Report struct {
	Issues []Issue
}

// Valid reports whether no Error was found (warnings allowed).
func (r Report) Valid() bool { return r.count(Error) == 0 }

// Clean reports whether nothing at all was found.
func (r Report) Clean() bool { return len(r.Issues) == 0 }

func (r Report) count(l Level) int {
	n := 0
	for _, i := range r.Issues {
		if i.Level == l {
			n++
		}
	}
	return n
}

// Err returns nil when the report is clean, otherwise an error listing the
// issues (warnings included).
func (r Report) Err() error {
	if r.Clean() {
		return nil
	}
	msgs := make([]string, len(r.Issues))
	for i, is := range r.Issues {
		msgs[i] = is.String()
	}
	return errors.New("mvtcheck: " + strings.Join(msgs, "; "))
}

// Check decodes a tile and checks it. Empty input is a valid tile with no
// layers.
func Check(b []byte, opts Options) Report {
	c := checker{opts: opts}
	layers, err := splitLayers(b)
	if err != nil {
		c.add(Error, "", -1, fmt.Sprintf("protobuf does not decode as vector_tile.Tile: %v", err))
	}
	if len(layers) == 0 && len(b) > 0 && err == nil {
		c.add(Warning, "", -1, "tile has no layers (a tile SHOULD contain at least one layer)")
	}
	names := make(map[string]bool, len(layers))
	for i, raw := range layers {
		var l vectortile.Tile_Layer
		if err := l.Unmarshal(raw); err != nil {
			// A missing required field (version, name) is reported by
			// layer() from the fully decoded message; anything else (a
			// wrong wire type, a truncated field) stops this layer.
			var req *proto.RequiredNotSetError
			if !errors.As(err, &req) {
				c.add(Error, l.GetName(), -1, fmt.Sprintf("layer %d does not decode as vector_tile.Tile.Layer: %v", i, err))
				continue
			}
		}
		name := l.GetName()
		if names[name] && name != "" {
			c.add(Error, name, -1, "two or more layers have this name (names MUST be unique)")
		}
		names[name] = true
		c.layer(&l)
	}
	return Report{Issues: c.issues}
}

// splitLayers walks the top-level Tile message and returns the bytes of
// each layers field (number 3), skipping other fields as a decoder would.
func splitLayers(b []byte) ([][]byte, error) {
	var layers [][]byte
	for len(b) > 0 {
		key, n := binary.Uvarint(b)
		if n <= 0 {
			return layers, errors.New("bad field key varint")
		}
		b = b[n:]
		field, wire := key>>3, key&7
		switch wire {
		case 0:
			if _, n = binary.Uvarint(b); n <= 0 {
				return layers, fmt.Errorf("field %d: bad varint", field)
			}
			b = b[n:]
		case 1, 5:
			size := 8
			if wire == 5 {
				size = 4
			}
			if len(b) < size {
				return layers, fmt.Errorf("field %d: truncated fixed-size value", field)
			}
			b = b[size:]
		case 2:
			l, n := binary.Uvarint(b)
			if n <= 0 || l > uint64(len(b)-n) {
				return layers, fmt.Errorf("field %d: bad or truncated length", field)
			}
			if field == 3 {
				layers = append(layers, b[n:n+int(l)])
			}
			b = b[n+int(l):]
		default:
			return layers, fmt.Errorf("field %d: unsupported wire type %d", field, wire)
		}
		if field == 3 && wire != 2 {
			return layers, fmt.Errorf("layers field with wire type %d (want 2, length-delimited)", wire)
		}
	}
	return layers, nil
}

type checker struct {
	opts   Options
	issues []Issue
}

func (c *checker) add(l Level, layer string, feature int, msg string) {
	c.issues = append(c.issues, Issue{Level: l, Layer: layer, Feature: feature, Msg: msg})
}

func (c *checker) layer(l *vectortile.Tile_Layer) {
	name := l.GetName()
	if l.Name == nil || name == "" {
		c.add(Error, name, -1, "layer has no name (a layer MUST contain a name field)")
	}
	v2 := true
	switch v := l.GetVersion(); {
	case l.Version == nil:
		c.add(Error, name, -1, "layer has no version field")
	case v == 1:
		v2 = false
		c.add(Warning, name, -1, "layer version 1 (this checker applies the 2.1 rules)")
	case v != 2:
		c.add(Error, name, -1, fmt.Sprintf("layer version %d is not a known specification version", v))
	}
	if l.Extent != nil && *l.Extent == 0 {
		c.add(Error, name, -1, "layer extent is 0")
	}
	if len(l.Features) == 0 {
		c.add(Warning, name, -1, "layer has no features (a layer SHOULD contain at least one feature)")
	}
	seenKey := make(map[string]bool, len(l.Keys))
	for _, k := range l.Keys {
		if seenKey[k] {
			c.add(Warning, name, -1, fmt.Sprintf("key %q appears more than once (keys SHOULD be unique)", k))
		}
		seenKey[k] = true
	}
	seenVal := make(map[string]bool, len(l.Values))
	for i, v := range l.Values {
		n, desc := valueFields(v)
		if n != 1 {
			c.add(Error, name, -1, fmt.Sprintf("value %d has %d known fields set (a value MUST contain exactly one)", i, n))
			continue
		}
		if seenVal[desc] {
			c.add(Warning, name, -1, fmt.Sprintf("value %d (%s) appears more than once (values SHOULD be unique)", i, desc))
		}
		seenVal[desc] = true
	}
	ids := make(map[uint64]int, len(l.Features))
	for i, f := range l.Features {
		if f == nil {
			continue
		}
		if f.Id != nil {
			if j, dup := ids[*f.Id]; dup {
				c.add(Warning, name, i, fmt.Sprintf("id %d is also the id of feature %d (ids SHOULD be unique in a layer)", *f.Id, j))
			} else {
				ids[*f.Id] = i
			}
		}
		c.tags(name, i, f.Tags, len(l.Keys), len(l.Values))
		extent := int64(4096)
		if l.Extent != nil {
			extent = int64(*l.Extent)
		}
		c.geometry(name, i, f, v2, extent)
	}
}

// valueFields counts the known fields set in a value and describes it.
func valueFields(v *vectortile.Tile_Value) (int, string) {
	n := 0
	desc := ""
	set := func(d string) {
		n++
		desc = d
	}
	if v == nil {
		return 0, ""
	}
	if v.StringValue != nil {
		set("string " + *v.StringValue)
	}
	if v.FloatValue != nil {
		set(fmt.Sprintf("float %v", *v.FloatValue))
	}
	if v.DoubleValue != nil {
		set(fmt.Sprintf("double %v", *v.DoubleValue))
	}
	if v.IntValue != nil {
		set(fmt.Sprintf("int %d", *v.IntValue))
	}
	if v.UintValue != nil {
		set(fmt.Sprintf("uint %d", *v.UintValue))
	}
	if v.SintValue != nil {
		set(fmt.Sprintf("sint %d", *v.SintValue))
	}
	if v.BoolValue != nil {
		set(fmt.Sprintf("bool %t", *v.BoolValue))
	}
	return n, desc
}

func (c *checker) tags(layer string, fi int, tags []uint32, nkeys, nvals int) {
	if len(tags)%2 != 0 {
		c.add(Error, layer, fi, fmt.Sprintf("%d tag integers (a feature MUST have an even number)", len(tags)))
		return
	}
	var seen map[uint32]bool
	for i := 0; i < len(tags); i += 2 {
		k, v := tags[i], tags[i+1]
		if int64(k) >= int64(nkeys) {
			c.add(Error, layer, fi, fmt.Sprintf("tag key index %d out of range (%d keys)", k, nkeys))
		}
		if int64(v) >= int64(nvals) {
			c.add(Error, layer, fi, fmt.Sprintf("tag value index %d out of range (%d values)", v, nvals))
		}
		if seen == nil {
			seen = make(map[uint32]bool, len(tags)/2)
		}
		if seen[k] {
			c.add(Error, layer, fi, fmt.Sprintf("key index %d used twice (key indices MUST be unique within a feature)", k))
		}
		seen[k] = true
	}
}
