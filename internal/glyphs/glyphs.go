// Package glyphs makes MapLibre glyph PBFs (signed-distance-field font
// ranges) from TrueType fonts, in Go, so the map can draw labels with no
// font server on the internet. Ranges are rendered on first request and
// kept in memory.
//
// The encoding follows the glyphs.proto that MapLibre GL reads: a fontstack
// with a name, a range "start-end", and glyphs each with id (code point),
// an SDF bitmap of (width+2*Buffer)×(height+2*Buffer) bytes, width, height,
// left, top and advance in pixels at a 24 px font size.
package glyphs

import (
	"errors"
	"fmt"
	"image"
	"math"
	"strings"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"
)

// Size is the font size (pixels per em) glyphs are rendered at, fixed by
// MapLibre's glyph format (ONE_EM = 24).
const Size = 24

// LineAscent is where MapLibre's text shaping expects the baseline below a
// line's top, in pixels at Size: a glyph's Top is its ascent minus this.
// It is the ascender of the fonts MapLibre's glyph PBFs are usually made
// from (node-fontnik and Open Sans: 26 px), not the font's own, so that
// labels sit centred on their anchor whatever the font's ascender (DejaVu
// Sans' is 22 px, which would lift every label by 4).
const LineAscent = 26

// RangeSize is the number of code points in one PBF range.
const RangeSize = 256

// MaxCodePoint is the largest code point a range may reach.
const MaxCodePoint = 0x10FFFF

// Errors that callers map to HTTP statuses (both are 404s).
var (
	ErrUnknownFont = errors.New("unknown font")
	ErrBadRange    = errors.New("bad glyph range")
)

// Glyph is one rendered glyph with its metrics in pixels at Size.
type Glyph struct {
	ID     rune
	Bitmap []byte // SDF, (Width+2*Buffer)*(Height+2*Buffer) bytes; nil when Width or Height is 0
	Width  int
	Height int
	Left   int // from the pen position to the bitmap's left edge (without buffer)
	Top    int // top edge of the glyph relative to MapLibre's line top: its ascent minus LineAscent

	Advance int
}

// Font is a parsed TrueType/OpenType font with its display name.
type Font struct {
	Name string
	f    *sfnt.Font
}

// ParseFont parses a TrueType/OpenType font. name is the fontstack name
// the style refers to it by (e.g. "DejaVu Sans").
func ParseFont(name string, ttf []byte) (*Font, error) {
	f, err := sfnt.Parse(ttf)
	if err != nil {
		return nil, fmt.Errorf("parse font %q: %w", name, err)
	}
	if _, err := f.Metrics(nil, fixed.I(Size), font.HintingNone); err != nil {
		return nil, fmt.Errorf("font %q metrics: %w", name, err)
	}
	return &Font{Name: name, f: f}, nil
}

// Render renders the glyphs of the code points [start, end] that the font
// has, in order. Code points the font lacks are left out.
func (fo *Font) Render(start, end rune) ([]Glyph, error) {
	var (
		buf sfnt.Buffer
		ws  sdfWorkspace
		out []Glyph
	)
	for r := start; r <= end; r++ {
		idx, err := fo.f.GlyphIndex(&buf, r)
		if err != nil {
			return nil, fmt.Errorf("font %q: glyph index of U+%04X: %w", fo.Name, r, err)
		}
		if idx == 0 {
			continue // .notdef: the font has no glyph for r
		}
		g, err := fo.renderGlyph(&buf, &ws, r, idx)
		if errors.Is(err, sfnt.ErrColoredGlyph) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, nil
}

func (fo *Font) renderGlyph(buf *sfnt.Buffer, ws *sdfWorkspace, r rune, idx sfnt.GlyphIndex) (Glyph, error) {
	ppem := fixed.I(Size)
	bounds, adv, err := fo.f.GlyphBounds(buf, idx, ppem, font.HintingNone)
	if err != nil {
		return Glyph{}, fmt.Errorf("font %q: bounds of U+%04X: %w", fo.Name, r, err)
	}
	g := Glyph{ID: r, Advance: adv.Round()}
	// Bounds are y-down: Min.Y is minus the ascent above the baseline.
	x0, y0 := bounds.Min.X.Floor(), bounds.Min.Y.Floor()
	x1, y1 := bounds.Max.X.Ceil(), bounds.Max.Y.Ceil()
	if x1 <= x0 || y1 <= y0 {
		return g, nil // blank glyph (a space): metrics only
	}
	g.Left = x0
	g.Top = -y0 - LineAscent
	g.Width, g.Height = x1-x0, y1-y0
	segs, err := fo.f.LoadGlyph(buf, idx, ppem, nil)
	if err != nil {
		return Glyph{}, fmt.Errorf("font %q: outline of U+%04X: %w", fo.Name, r, err)
	}
	w, h := g.Width+2*Buffer, g.Height+2*Buffer
	ras := vector.NewRasterizer(w, h)
	dx, dy := float32(Buffer-x0), float32(Buffer-y0)
	pt := func(p fixed.Point26_6) (float32, float32) {
		return float32(p.X)/64 + dx, float32(p.Y)/64 + dy
	}
	for _, s := range segs {
		switch s.Op {
		case sfnt.SegmentOpMoveTo:
			ras.MoveTo(pt(s.Args[0]))
		case sfnt.SegmentOpLineTo:
			ras.LineTo(pt(s.Args[0]))
		case sfnt.SegmentOpQuadTo:
			ax, ay := pt(s.Args[0])
			bx, by := pt(s.Args[1])
			ras.QuadTo(ax, ay, bx, by)
		case sfnt.SegmentOpCubeTo:
			ax, ay := pt(s.Args[0])
			bx, by := pt(s.Args[1])
			cx, cy := pt(s.Args[2])
			ras.CubeTo(ax, ay, bx, by, cx, cy)
		}
	}
	ras.ClosePath()
	mask := image.NewAlpha(image.Rect(0, 0, w, h))
	ras.Draw(mask, mask.Bounds(), image.Opaque, image.Point{})
	g.Bitmap = ws.sdf(mask.Pix, w, h)
	return g, nil
}

// Set serves glyph ranges for a set of named fonts, rendering each range
// once and keeping it in memory. It is safe for concurrent use.
type Set struct {
	fonts map[string]*Font
	order []string

	mu    sync.Mutex
	cache map[string]*rangeEntry
}

type rangeEntry struct {
	once sync.Once
	pbf  []byte
	err  error
}

// NewSet makes a Set over fonts; the first is the default for stacks that
// name several fonts.
func NewSet(fonts ...*Font) *Set {
	s := &Set{fonts: map[string]*Font{}, cache: map[string]*rangeEntry{}}
	for _, f := range fonts {
		if _, dup := s.fonts[f.Name]; !dup {
			s.order = append(s.order, f.Name)
		}
		s.fonts[f.Name] = f
	}
	return s
}

// Names lists the font names of the set in the order given.
func (s *Set) Names() []string { return append([]string(nil), s.order...) }

// Resolve picks the first font of a fontstack ("A,B,C") that the set has.
func (s *Set) Resolve(fontstack string) (*Font, error) {
	for _, name := range SplitFontstack(fontstack) {
		if f, ok := s.fonts[name]; ok {
			return f, nil
		}
	}
	return nil, fmt.Errorf("%w: no font of %q is served (have %s)", ErrUnknownFont, fontstack, strings.Join(s.order, ", "))
}

// PBF returns the glyph PBF for a fontstack and a range starting at start
// (a multiple of RangeSize).
func (s *Set) PBF(fontstack string, start rune) ([]byte, error) {
	f, err := s.Resolve(fontstack)
	if err != nil {
		return nil, err
	}
	if start < 0 || start%RangeSize != 0 || start > MaxCodePoint {
		return nil, fmt.Errorf("%w: start %d is not a multiple of %d up to U+10FFFF", ErrBadRange, start, RangeSize)
	}
	key := fmt.Sprintf("%s\x00%d", f.Name, start)
	s.mu.Lock()
	e := s.cache[key]
	if e == nil {
		e = &rangeEntry{}
		s.cache[key] = e
	}
	s.mu.Unlock()
	e.once.Do(func() {
		var gs []Glyph
		gs, e.err = f.Render(start, start+RangeSize-1)
		if e.err == nil {
			e.pbf = Encode(f.Name, start, start+RangeSize-1, gs)
		}
	})
	return e.pbf, e.err
}

// SplitFontstack splits a comma-separated fontstack into trimmed names.
func SplitFontstack(fontstack string) []string {
	var out []string
	for _, p := range strings.Split(fontstack, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// ParseRange parses the last part of a glyph URL, "start-end.pbf" (the
// ".pbf" suffix optional), and checks that it is one whole range:
// start a multiple of RangeSize and end = start+RangeSize-1.
func ParseRange(s string) (start rune, err error) {
	name := strings.TrimSuffix(s, ".pbf")
	lo, hi, ok := strings.Cut(name, "-")
	if !ok {
		return 0, fmt.Errorf("%w: %q is not START-END.pbf", ErrBadRange, s)
	}
	a, errA := parseUint(lo)
	b, errB := parseUint(hi)
	if errA != nil || errB != nil {
		return 0, fmt.Errorf("%w: %q: start and end must be decimal code points", ErrBadRange, s)
	}
	if a%RangeSize != 0 || b != a+RangeSize-1 || b > MaxCodePoint {
		return 0, fmt.Errorf("%w: %q: want START-END with START a multiple of %d and END = START+%d, up to U+10FFFF", ErrBadRange, s, RangeSize, RangeSize-1)
	}
	return rune(a), nil
}

func parseUint(s string) (int, error) {
	if s == "" || len(s) > 7 {
		return 0, errors.New("bad number")
	}
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, errors.New("bad number")
		}
		n = n*10 + int(c-'0')
	}
	if n > math.MaxInt32 {
		return 0, errors.New("bad number")
	}
	return n, nil
}
