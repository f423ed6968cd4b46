package glyphs

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"golang.org/x/image/font/gofont/goregular"
)

func goFont(t testing.TB) *Font {
	t.Helper()
	f, err := ParseFont("Go Regular", goregular.TTF)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// dejaVu loads the DejaVu Sans the frontend ships, from static/node_modules
// (installed by `make assets`); tests that need it skip without it.
func dejaVu(t testing.TB) *Font {
	t.Helper()
	dir, _ := os.Getwd()
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("repository root not found")
		}
		dir = parent
	}
	path := filepath.Join(dir, "static", "node_modules", "dejavu-fonts-ttf", "ttf", "DejaVuSans.ttf")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("DejaVu Sans not installed (run `make assets`): %v", err)
	}
	f, err := ParseFont("DejaVu Sans", b)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func byID(gs []Glyph) map[rune]Glyph {
	m := map[rune]Glyph{}
	for _, g := range gs {
		m[g.ID] = g
	}
	return m
}

// inkBox is the bounding box of the SDF pixels on or inside the edge
// (value >= 192 - a little), in bitmap coordinates.
func inkBox(g Glyph) (x0, y0, x1, y1 int) {
	w, h := g.Width+2*Buffer, g.Height+2*Buffer
	x0, y0, x1, y1 = w, h, -1, -1
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			if g.Bitmap[y*w+x] >= 180 {
				x0, y0 = min(x0, x), min(y0, y)
				x1, y1 = max(x1, x), max(y1, y)
			}
		}
	}
	return
}

func checkRange(t *testing.T, f *Font, start rune, want []rune) map[rune]Glyph {
	t.Helper()
	set := NewSet(f)
	pbf, err := set.PBF(f.Name, start)
	if err != nil {
		t.Fatal(err)
	}
	stacks, err := Decode(pbf)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	if len(stacks) != 1 {
		t.Fatalf("got %d fontstacks, want 1", len(stacks))
	}
	st := stacks[0]
	wantRange := strconv.Itoa(int(start)) + "-" + strconv.Itoa(int(start)+RangeSize-1)
	if st.Name != f.Name || st.Range != wantRange {
		t.Errorf("fontstack name %q range %q, want %q %q", st.Name, st.Range, f.Name, wantRange)
	}
	gs := byID(st.Glyphs)
	for _, r := range want {
		if _, ok := gs[r]; !ok {
			t.Errorf("glyph U+%04X missing from range %s", r, wantRange)
		}
	}
	prev := rune(-1)
	for _, g := range st.Glyphs {
		if g.ID < start || g.ID >= start+RangeSize || g.ID <= prev {
			t.Errorf("glyph id %d out of range or order", g.ID)
		}
		prev = g.ID
		if g.Width == 0 || g.Height == 0 {
			if g.Bitmap != nil {
				t.Errorf("U+%04X: blank glyph has a bitmap", g.ID)
			}
			continue
		}
		if got, want := len(g.Bitmap), (g.Width+2*Buffer)*(g.Height+2*Buffer); got != want {
			t.Errorf("U+%04X: bitmap %d bytes, want %d", g.ID, got, want)
		}
	}
	return gs
}

func TestRangeGoFont(t *testing.T) {
	f := goFont(t)
	gs := checkRange(t, f, 0, []rune("AgIl .,0123456789éÅß"))
	sp := gs[' ']
	if sp.Width != 0 || sp.Height != 0 || sp.Advance <= 0 {
		t.Errorf("space: width %d height %d advance %d, want a blank glyph with an advance", sp.Width, sp.Height, sp.Advance)
	}
	if _, ok := gs['\n']; ok {
		t.Errorf("control character U+000A rendered")
	}
	// 'A' sits on the baseline: its top is its ascent above the line's
	// baseline, LineAscent below the line's top; 'g' descends.
	a, g := gs['A'], gs['g']
	if a.Top+LineAscent != a.Height {
		t.Errorf("A: top %d + %d != height %d (A has no descent)", a.Top, LineAscent, a.Height)
	}
	if a.Top <= g.Top-g.Height/2 || a.Height < 14 || a.Height > 20 {
		t.Errorf("A metrics implausible at %d px: %+v", Size, a)
	}
	if g.Height-(a.Top-g.Top) <= a.Height-0 && g.Top-g.Height >= a.Top-a.Height {
		t.Errorf("g does not descend below A's baseline: A top %d h %d, g top %d h %d", a.Top, a.Height, g.Top, g.Height)
	}
	// The ink of each glyph fills its metrics box (within a pixel of anti-aliasing).
	for _, r := range "AHIlgW0" {
		gl := gs[r]
		x0, y0, x1, y1 := inkBox(gl)
		if abs(x0-Buffer) > 1 || abs(y0-Buffer) > 1 || abs(x1-(Buffer+gl.Width-1)) > 1 || abs(y1-(Buffer+gl.Height-1)) > 1 {
			t.Errorf("U+%04X %q: ink box (%d,%d)-(%d,%d) does not match the %dx%d metrics box at (%d,%d)",
				r, r, x0, y0, x1, y1, gl.Width, gl.Height, Buffer, Buffer)
		}
		// Corners of the buffer are outside the glyph, beyond the edge.
		if gl.Bitmap[0] >= 192 {
			t.Errorf("U+%04X: corner pixel %d is not outside", r, gl.Bitmap[0])
		}
	}
	// The middle of 'I''s stem is inside.
	i := gs['I']
	w := i.Width + 2*Buffer
	if v := i.Bitmap[(Buffer+i.Height/2)*w+Buffer+i.Width/2]; v < 192 {
		t.Errorf("middle of I is %d, want inside (>= 192)", v)
	}
}

func TestRangeDejaVu(t *testing.T) {
	f := dejaVu(t)
	gs := checkRange(t, f, 0, []rune("ABCabc Zz,.-"))
	// DejaVu Sans has 2048 units per em; 'A' advances 1401 units, the space 651.
	for r, units := range map[rune]int{'A': 1401, ' ': 651} {
		if want := int(math.Round(float64(units) * Size / 2048)); gs[r].Advance != want {
			t.Errorf("U+%04X advance %d, want %d", r, gs[r].Advance, want)
		}
	}
	arrows := checkRange(t, f, 0x2500, []rune("▶▲●"))
	tri := arrows['▶']
	if tri.Width < 10 || tri.Height < 10 {
		t.Errorf("▶ is %dx%d px, want a glyph of at least 10x10", tri.Width, tri.Height)
	}
	// Cyrillic and Greek names render too.
	checkRange(t, f, 0x0400, []rune("Україна"))
	checkRange(t, f, 0x0300, []rune("Ελλάδα"))
}

func TestSetErrorsAndCache(t *testing.T) {
	set := NewSet(goFont(t))
	if _, err := set.PBF("Arial Unicode MS", 0); !errors.Is(err, ErrUnknownFont) {
		t.Errorf("unknown font: err %v, want ErrUnknownFont", err)
	}
	if _, err := set.PBF("Go Regular", 100); !errors.Is(err, ErrBadRange) {
		t.Errorf("misaligned range: err %v, want ErrBadRange", err)
	}
	// A stack falls back to the first font the set has.
	a, err := set.PBF("Noto Sans Bold, Go Regular", 0)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	res := make([][]byte, 8)
	for i := range res {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res[i], _ = set.PBF("Go Regular", 0)
		}()
	}
	wg.Wait()
	for _, b := range res {
		if !bytes.Equal(a, b) || &b[0] != &a[0] {
			t.Fatal("concurrent requests for one range did not share the cached PBF")
		}
	}
	// A range the font has nothing in is a valid, empty fontstack.
	empty, err := set.PBF("Go Regular", 0xE000)
	if err != nil {
		t.Fatal(err)
	}
	st, err := Decode(empty)
	if err != nil || len(st) != 1 || len(st[0].Glyphs) != 0 {
		t.Errorf("private-use range: %v %+v, want one empty fontstack", err, st)
	}
}

func TestParseRange(t *testing.T) {
	for _, c := range []struct {
		in    string
		start rune
		ok    bool
	}{
		{"0-255.pbf", 0, true},
		{"256-511.pbf", 256, true},
		{"9472-9727.pbf", 9472, true},
		{"65280-65535", 65280, true},
		{"1114112-1114367.pbf", 0, false}, // past U+10FFFF
		{"0-256.pbf", 0, false},
		{"1-256.pbf", 0, false},
		{"-0-255.pbf", 0, false},
		{"0255.pbf", 0, false},
		{"a-b.pbf", 0, false},
		{"+0-255.pbf", 0, false},
		{"", 0, false},
		{"99999999999-99999999999.pbf", 0, false},
	} {
		got, err := ParseRange(c.in)
		if c.ok != (err == nil) || (c.ok && got != c.start) {
			t.Errorf("ParseRange(%q) = %d, %v; want %d ok=%v", c.in, got, err, c.start, c.ok)
		}
		if err != nil && !errors.Is(err, ErrBadRange) {
			t.Errorf("ParseRange(%q) error %v does not wrap ErrBadRange", c.in, err)
		}
	}
}

func FuzzParseRange(f *testing.F) {
	for _, s := range []string{"0-255.pbf", "256-511.pbf", "65280-65535.pbf", "1-2", "-", "0-255.pbf.pbf", "00000000-255"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		start, err := ParseRange(s)
		if err != nil {
			return
		}
		if start < 0 || start%RangeSize != 0 || start > MaxCodePoint {
			t.Fatalf("ParseRange(%q) accepted start %d", s, start)
		}
	})
}

func FuzzSplitFontstack(f *testing.F) {
	f.Add("DejaVu Sans,Arial Unicode MS")
	f.Add(" , ,")
	f.Fuzz(func(t *testing.T, s string) {
		for _, n := range SplitFontstack(s) {
			if n == "" || n[0] == ' ' || n[len(n)-1] == ' ' {
				t.Fatalf("SplitFontstack(%q) gave %q", s, n)
			}
		}
	})
}

// TestEDT checks the distance transform against brute force on random grids.
func TestEDT(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 50; trial++ {
		w, h := 1+rng.IntN(20), 1+rng.IntN(20)
		grid := make([]float64, w*h)
		var seeds [][2]int
		for i := range grid {
			if rng.IntN(7) == 0 {
				seeds = append(seeds, [2]int{i % w, i / w})
			} else {
				grid[i] = edtInf
			}
		}
		var ws sdfWorkspace
		ws.grow(w, h)
		ws.edt(grid, w, h)
		for i, got := range grid {
			x, y := i%w, i/w
			want := edtInf
			for _, s := range seeds {
				d := float64((x-s[0])*(x-s[0]) + (y-s[1])*(y-s[1]))
				want = math.Min(want, d)
			}
			if len(seeds) == 0 {
				if got < edtInf/2 {
					t.Fatalf("trial %d: no seeds but distance %v", trial, got)
				}
				continue
			}
			if got != want {
				t.Fatalf("trial %d (%dx%d): at (%d,%d) got %v, want %v", trial, w, h, x, y, got, want)
			}
		}
	}
}

// TestSDFSquare checks the byte encoding on a filled square. In TinySDF's
// scheme distances run between pixel centres: a pixel just outside is 1
// from the nearest inside one, a pixel just inside is -1 from the nearest
// outside one, so the edge (191.25) falls between them.
func TestSDFSquare(t *testing.T) {
	const n = 30
	alpha := make([]byte, n*n)
	for y := 10; y < 20; y++ {
		for x := 10; x < 20; x++ {
			alpha[y*n+x] = 255
		}
	}
	var ws sdfWorkspace
	out := ws.sdf(alpha, n, n)
	enc := func(d float64) byte { return byte(min(255, max(0, math.Round(255-255*(d/Radius+Cutoff))))) }
	for _, c := range []struct {
		x int
		d float64 // signed distance to the nearest pixel of the other side
	}{
		{15, -5}, {11, -2}, {10, -1}, {9, 1}, {8, 2}, {7, 3}, {3, 7},
	} {
		if got, want := out[15*n+c.x], enc(c.d); got != want {
			t.Errorf("x=%d: got %d, want %d (distance %v)", c.x, got, want, c.d)
		}
	}
	if v := out[15*n+10]; v < 192 {
		t.Errorf("first inside pixel %d, want >= 192", v)
	}
	if v := out[15*n+9]; v >= 191 {
		t.Errorf("first outside pixel %d, want < 191", v)
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func BenchmarkRenderLatinRange(b *testing.B) {
	f := goFont(b)
	for b.Loop() {
		if _, err := f.Render(0, 255); err != nil {
			b.Fatal(err)
		}
	}
}
