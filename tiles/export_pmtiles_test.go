package tiles

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/armsflow/armsflow/data"
	"github.com/paulmach/orb/maptile"
	"github.com/protomaps/go-pmtiles/pmtiles"
)

// pmArchive reads a PMTiles archive with the reference implementation.
type pmArchive struct {
	t      testing.TB
	b      []byte
	header pmtiles.HeaderV3
}

func openPM(t testing.TB, path string) *pmArchive {
	t.Helper()
	if err := pmtiles.Verify(log.New(io.Discard, "", 0), path); err != nil {
		t.Fatalf("go-pmtiles Verify: %v", err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	h, err := pmtiles.DeserializeHeader(b[:127])
	if err != nil {
		t.Fatal(err)
	}
	return &pmArchive{t: t, b: b, header: h}
}

// tile returns the stored (compressed) bytes of z/x/y, walking leaves.
func (a *pmArchive) tile(z uint8, x, y uint32) ([]byte, bool) {
	id := pmtiles.ZxyToID(z, x, y)
	off, n := a.header.RootOffset, a.header.RootLength
	for range 4 {
		es := pmtiles.DeserializeEntries(bytes.NewBuffer(a.b[off:off+n]), a.header.InternalCompression)
		e, ok := pmtiles.FindTile(es, id)
		if !ok {
			return nil, false
		}
		if e.RunLength > 0 {
			s := a.header.TileDataOffset + e.Offset
			return a.b[s : s+uint64(e.Length)], true
		}
		off, n = a.header.LeafDirectoryOffset+e.Offset, uint64(e.Length)
	}
	a.t.Fatal("directory deeper than 4 levels")
	return nil, false
}

func TestExportPMTiles(t *testing.T) {
	r := fixtureRenderer(t)
	path := filepath.Join(t.TempDir(), "out.pmtiles")
	f, _ := data.ParseFilter(map[string][]string{"supplier": {"USA"}})
	st, err := ExportPMTiles(context.Background(), r, path, ExportOptions{Layers: []string{"flows", "countries"}, MinZoom: 1, MaxZoom: 5, Filter: f})
	if err != nil {
		t.Fatal(err)
	}
	a := openPM(t, path)
	h := a.header
	if h.SpecVersion != 3 || h.MinZoom != 1 || h.MaxZoom != 5 || h.TileType != pmtiles.Mvt || h.TileCompression != pmtiles.Gzip ||
		!h.Clustered || h.AddressedTilesCount != uint64(st.Tiles) || h.TileContentsCount > h.AddressedTilesCount || h.MinLonE7 != -1800000000 {
		t.Fatalf("header %+v for stats %+v", h, st)
	}
	meta, err := pmtiles.DeserializeMetadata(bytes.NewReader(a.b[h.MetadataOffset:h.MetadataOffset+h.MetadataLength]), h.InternalCompression)
	if err != nil {
		t.Fatal(err)
	}
	vl, _ := json.Marshal(meta["vector_layers"])
	if meta["armsflow_filter"] != "supplier=USA" || !bytes.Contains(vl, []byte(`"id":"flows"`)) {
		t.Fatalf("metadata %v", meta)
	}
	found := 0
	for z := uint8(1); z <= 5; z++ {
		n := uint32(1) << z
		for x := range n {
			for y := range n {
				want, _, err := r.Render(context.Background(), []string{"flows", "countries"}, maptile.New(x, y, maptile.Zoom(z)), f)
				if err != nil {
					t.Fatal(err)
				}
				gz, ok := a.tile(z, x, y)
				if ok != (want != nil) {
					t.Fatalf("tile %d/%d/%d: stored %v, rendered %d bytes", z, x, y, ok, len(want))
				}
				if ok {
					found++
					if !bytes.Equal(gunzip(t, gz), want) {
						t.Fatalf("tile %d/%d/%d differs from a fresh render", z, x, y)
					}
				}
			}
		}
	}
	if int64(found) != st.Tiles {
		t.Fatalf("found %d tiles, stats say %d", found, st.Tiles)
	}
}

// TestPMTilesLeafDirectories writes an archive with enough distinct tiles
// that the directory spills into leaves, with runs of repeated tiles.
func TestPMTilesLeafDirectories(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.pmtiles")
	df, err := os.CreateTemp(t.TempDir(), "data")
	if err != nil {
		t.Fatal(err)
	}
	pw := &pmWriter{data: newBufWriter(df), seen: map[[32]byte]pmBlob{}}
	const z = 9
	n := uint64(1) << z
	base := (n*n - 1) / 3
	rng := rand.New(rand.NewPCG(1, 2))
	want := map[uint64]string{}
	for d := range n * n {
		if rng.IntN(10) < 4 {
			continue // sparse, so id deltas vary
		}
		body := fmt.Sprintf("tile %d %s", d, strings.Repeat("x", rng.IntN(300)))
		if d%7 < 3 { // runs of three equal tiles
			body = fmt.Sprintf("run %d", d/7)
		}
		want[d] = body
		if err := pw.add(base+d, []byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := pw.data.Flush(); err != nil {
		t.Fatal(err)
	}
	if _, err := df.Seek(0, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	p := &exportPlan{o: ExportOptions{MinZoom: z, MaxZoom: z}, bounds: fullWorld()}
	if err := pw.finish(out, df, p, []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255, 170, 174, 5, 4, 0, 0, 255, 255, 67, 191, 166, 163, 2, 0, 0, 0}); err != nil {
		t.Fatal(err)
	}
	out.Close()
	a := openPM(t, path)
	if a.header.LeafDirectoryLength == 0 || a.header.RootLength > 16384-127 {
		t.Fatalf("header %+v: want leaf directories and a root within 16 KiB", a.header)
	}
	if a.header.TileEntriesCount >= a.header.AddressedTilesCount {
		t.Fatalf("runs were not merged: %d entries for %d tiles", a.header.TileEntriesCount, a.header.AddressedTilesCount)
	}
	for d := uint64(0); d < n*n; d += 97 {
		x, y := hilbertXY(z, d)
		got, ok := a.tile(z, x, y)
		w, stored := want[d]
		if ok != stored || string(got) != w {
			t.Fatalf("tile %d (%d/%d/%d) = %q (found %v), want %.20q (stored %v)", d, z, x, y, got, ok, w, stored)
		}
	}
}

func TestTileIDMatchesReference(t *testing.T) {
	for z := uint8(0); z <= 12; z++ {
		n := uint32(1) << z
		for _, xy := range [][2]uint32{{0, 0}, {n - 1, 0}, {0, n - 1}, {n - 1, n - 1}, {n / 2, n / 3}, {n / 5, n * 2 / 3}} {
			if got, want := tileID(z, xy[0], xy[1]), pmtiles.ZxyToID(z, xy[0], xy[1]); got != want {
				t.Fatalf("tileID(%d, %d, %d) = %d, go-pmtiles says %d", z, xy[0], xy[1], got, want)
			}
		}
	}
}
