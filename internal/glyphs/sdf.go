package glyphs

import "math"

// Signed distance fields, computed the way TinySDF (MapLibre's own glyph
// renderer) does: an anti-aliased coverage mask is turned into two squared
// distance grids (to the outside and to the inside), each run through an
// exact Euclidean distance transform, and the signed distance is encoded
// in a byte with the glyph edge at 192 (0.75), as MapLibre's SDF shader
// expects.

const (
	// Buffer is the border (in pixels) around every glyph bitmap, as in
	// MapLibre's glyph PBFs (GLYPH_PBF_BORDER).
	Buffer = 3
	// Radius is the distance (in pixels) the SDF spans, as TinySDF's default.
	Radius = 8
	// Cutoff places the glyph edge at 255*(1-Cutoff) in the byte encoding.
	Cutoff = 0.25

	edtInf = 1e20 // "far": finite so the envelope arithmetic stays finite
)

// sdfWorkspace holds the scratch slices of the distance transform so a
// range of glyphs reuses them.
type sdfWorkspace struct {
	outer, inner []float64
	f, d, z      []float64
	v            []int
}

func (ws *sdfWorkspace) grow(w, h int) {
	n := w * h
	if cap(ws.outer) < n {
		ws.outer = make([]float64, n)
		ws.inner = make([]float64, n)
	}
	ws.outer, ws.inner = ws.outer[:n], ws.inner[:n]
	m := max(w, h)
	if cap(ws.f) < m {
		ws.f = make([]float64, m)
		ws.d = make([]float64, m)
		ws.v = make([]int, m)
		ws.z = make([]float64, m+1)
	}
}

// sdf turns a w×h coverage mask (0 = outside, 255 = inside) into an SDF
// bitmap of the same size.
func (ws *sdfWorkspace) sdf(alpha []byte, w, h int) []byte {
	ws.grow(w, h)
	for i, a := range alpha {
		switch a {
		case 255:
			ws.outer[i], ws.inner[i] = 0, edtInf
		case 0:
			ws.outer[i], ws.inner[i] = edtInf, 0
		default:
			// Partly covered: the edge is inside this pixel, at a distance
			// estimated from the coverage (TinySDF's anti-aliased seed).
			d := 0.5 - float64(a)/255
			if d > 0 {
				ws.outer[i], ws.inner[i] = d*d, 0
			} else {
				ws.outer[i], ws.inner[i] = 0, d*d
			}
		}
	}
	ws.edt(ws.outer, w, h)
	ws.edt(ws.inner, w, h)
	out := make([]byte, w*h)
	for i := range out {
		dist := math.Sqrt(ws.outer[i]) - math.Sqrt(ws.inner[i])
		v := math.Round(255 - 255*(dist/Radius+Cutoff))
		out[i] = byte(min(255, max(0, v)))
	}
	return out
}

// edt replaces the squared-distance seeds in grid (w×h, row-major) by the
// squared Euclidean distance to the nearest zero, with Felzenszwalb and
// Huttenlocher's separable lower-envelope algorithm: columns, then rows.
func (ws *sdfWorkspace) edt(grid []float64, w, h int) {
	for x := 0; x < w; x++ {
		for y := 0; y < h; y++ {
			ws.f[y] = grid[y*w+x]
		}
		ws.edt1d(h)
		for y := 0; y < h; y++ {
			grid[y*w+x] = ws.d[y]
		}
	}
	for y := 0; y < h; y++ {
		copy(ws.f[:w], grid[y*w:(y+1)*w])
		ws.edt1d(w)
		copy(grid[y*w:(y+1)*w], ws.d[:w])
	}
}

// edt1d computes d[q] = min_p (q-p)² + f[p] for q in [0, n): the lower
// envelope of the parabolas rooted at each p, then sampled at each q.
func (ws *sdfWorkspace) edt1d(n int) {
	f, d, v, z := ws.f, ws.d, ws.v, ws.z
	k := 0
	v[0] = 0
	z[0] = math.Inf(-1)
	z[1] = math.Inf(1)
	for q := 1; q < n; q++ {
		fq := f[q] + float64(q*q)
		s := intersect(fq, f, v[k], q)
		for s <= z[k] { // z[0] is -Inf, so k never drops below 0
			k--
			s = intersect(fq, f, v[k], q)
		}
		k++
		v[k] = q
		z[k] = s
		z[k+1] = math.Inf(1)
	}
	k = 0
	for q := 0; q < n; q++ {
		for z[k+1] < float64(q) {
			k++
		}
		r := v[k]
		d[q] = float64((q-r)*(q-r)) + f[r]
	}
}

// intersect is where the parabola rooted at q (with fq = f[q]+q²) crosses
// the one rooted at r.
func intersect(fq float64, f []float64, r, q int) float64 {
	return (fq - f[r] - float64(r*r)) / float64(2*(q-r))
}
