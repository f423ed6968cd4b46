package glyphs

import (
	"fmt"

	"google.golang.org/protobuf/encoding/protowire"
)

// Field numbers of MapLibre's glyphs.proto.
const (
	fieldStacks = 1 // glyphs.stacks (fontstack)

	fieldStackName   = 1 // fontstack.name
	fieldStackRange  = 2 // fontstack.range
	fieldStackGlyphs = 3 // fontstack.glyphs

	fieldGlyphID      = 1
	fieldGlyphBitmap  = 2
	fieldGlyphWidth   = 3
	fieldGlyphHeight  = 4
	fieldGlyphLeft    = 5 // sint32
	fieldGlyphTop     = 6 // sint32
	fieldGlyphAdvance = 7
)

// Encode writes a glyphs message with one fontstack.
func Encode(name string, start, end rune, gs []Glyph) []byte {
	var stack []byte
	stack = protowire.AppendTag(stack, fieldStackName, protowire.BytesType)
	stack = protowire.AppendString(stack, name)
	stack = protowire.AppendTag(stack, fieldStackRange, protowire.BytesType)
	stack = protowire.AppendString(stack, fmt.Sprintf("%d-%d", start, end))
	var g []byte
	for _, gl := range gs {
		g = g[:0]
		g = appendUint(g, fieldGlyphID, uint64(gl.ID))
		if gl.Bitmap != nil {
			g = protowire.AppendTag(g, fieldGlyphBitmap, protowire.BytesType)
			g = protowire.AppendBytes(g, gl.Bitmap)
		}
		g = appendUint(g, fieldGlyphWidth, uint64(gl.Width))
		g = appendUint(g, fieldGlyphHeight, uint64(gl.Height))
		g = appendSint(g, fieldGlyphLeft, gl.Left)
		g = appendSint(g, fieldGlyphTop, gl.Top)
		g = appendUint(g, fieldGlyphAdvance, uint64(gl.Advance))
		stack = protowire.AppendTag(stack, fieldStackGlyphs, protowire.BytesType)
		stack = protowire.AppendBytes(stack, g)
	}
	out := protowire.AppendTag(nil, fieldStacks, protowire.BytesType)
	return protowire.AppendBytes(out, stack)
}

func appendUint(b []byte, field protowire.Number, v uint64) []byte {
	b = protowire.AppendTag(b, field, protowire.VarintType)
	return protowire.AppendVarint(b, v)
}

func appendSint(b []byte, field protowire.Number, v int) []byte {
	b = protowire.AppendTag(b, field, protowire.VarintType)
	return protowire.AppendVarint(b, protowire.EncodeZigZag(int64(v)))
}

// Stack is a decoded fontstack, for tests and tools.
type Stack struct {
	Name   string
	Range  string
	Glyphs []Glyph
}

// Decode reads a glyphs message (the inverse of Encode).
func Decode(b []byte) ([]Stack, error) {
	var stacks []Stack
	err := eachField(b, func(num protowire.Number, typ protowire.Type, v uint64, raw []byte) error {
		if num != fieldStacks || typ != protowire.BytesType {
			return nil
		}
		var st Stack
		err := eachField(raw, func(num protowire.Number, typ protowire.Type, v uint64, raw []byte) error {
			switch {
			case num == fieldStackName && typ == protowire.BytesType:
				st.Name = string(raw)
			case num == fieldStackRange && typ == protowire.BytesType:
				st.Range = string(raw)
			case num == fieldStackGlyphs && typ == protowire.BytesType:
				g, err := decodeGlyph(raw)
				if err != nil {
					return err
				}
				st.Glyphs = append(st.Glyphs, g)
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("fontstack %d: %w", len(stacks), err)
		}
		stacks = append(stacks, st)
		return nil
	})
	return stacks, err
}

func decodeGlyph(b []byte) (Glyph, error) {
	var g Glyph
	err := eachField(b, func(num protowire.Number, typ protowire.Type, v uint64, raw []byte) error {
		switch num {
		case fieldGlyphID:
			g.ID = rune(v)
		case fieldGlyphBitmap:
			g.Bitmap = append([]byte(nil), raw...)
		case fieldGlyphWidth:
			g.Width = int(v)
		case fieldGlyphHeight:
			g.Height = int(v)
		case fieldGlyphLeft:
			g.Left = int(protowire.DecodeZigZag(v))
		case fieldGlyphTop:
			g.Top = int(protowire.DecodeZigZag(v))
		case fieldGlyphAdvance:
			g.Advance = int(v)
		}
		return nil
	})
	return g, err
}

// eachField walks the fields of a message; v is set for varints, raw for
// length-delimited fields.
func eachField(b []byte, fn func(num protowire.Number, typ protowire.Type, v uint64, raw []byte) error) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return fmt.Errorf("bad tag: %w", protowire.ParseError(n))
		}
		b = b[n:]
		var (
			v   uint64
			raw []byte
		)
		switch typ {
		case protowire.VarintType:
			v, n = protowire.ConsumeVarint(b)
		case protowire.BytesType:
			raw, n = protowire.ConsumeBytes(b)
		default:
			n = protowire.ConsumeFieldValue(num, typ, b)
		}
		if n < 0 {
			return fmt.Errorf("field %d: %w", num, protowire.ParseError(n))
		}
		b = b[n:]
		if err := fn(num, typ, v, raw); err != nil {
			return err
		}
	}
	return nil
}
