package tiles

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"

	"github.com/paulmach/orb/maptile"
)

// ExportPMTiles renders the tiles of o and writes them to a PMTiles v3
// archive at path (clustered, gzip-compressed MVT and directories,
// identical tiles stored once, runs of them as one entry). Like
// ExportMBTiles it writes under a temporary name and renames.
//
// The writer follows the PMTiles v3 specification directly: the Go
// reference implementation (protomaps/go-pmtiles) is one package that pulls
// in cloud storage clients, which would triple the binary; the tests read
// the archives back with it.
func ExportPMTiles(ctx context.Context, r TileRenderer, path string, o ExportOptions) (ExportStats, error) {
	p, err := planExport(r, o)
	if err != nil {
		return ExportStats{}, err
	}
	comp, err := newCompressor(0, 0)
	if err != nil {
		return ExportStats{}, err
	}
	var st ExportStats
	err = atomicFile(path, func(tmp string) error {
		// Tile data go to a second temporary file as they come; the archive
		// is assembled once the directories are known.
		df, err := os.CreateTemp("", "armsflow-pmtiles-data-*")
		if err != nil {
			return err
		}
		defer os.Remove(df.Name())
		defer df.Close()
		pw := &pmWriter{data: newBufWriter(df), seen: map[[32]byte]pmBlob{}}
		st, err = renderAll(ctx, r, p, comp, func(t maptile.Tile, gz []byte) error {
			return pw.add(tileID(uint8(t.Z), t.X, t.Y), gz)
		})
		if err != nil {
			return err
		}
		if err := pw.data.Flush(); err != nil {
			return err
		}
		meta, err := json.Marshal(map[string]any{
			"name": p.ts.Name, "description": p.ts.Description, "attribution": Attribution, "type": "overlay",
			"version": fmt.Sprint(st.Version), "vector_layers": p.ts.Layers, "armsflow_filter": p.o.Filter.Canonical(),
		})
		if err != nil {
			return err
		}
		out, err := os.OpenFile(tmp, os.O_WRONLY|os.O_TRUNC, 0)
		if err != nil {
			return err
		}
		defer out.Close()
		if _, err := df.Seek(0, io.SeekStart); err != nil {
			return err
		}
		if err := pw.finish(out, df, p, comp.gzip(meta)); err != nil {
			return err
		}
		return out.Close()
	})
	if err != nil {
		return ExportStats{}, exportErr("PMTiles", path, err)
	}
	return st, nil
}

// pmEntry is a PMTiles directory entry. In a leaf-pointing root entry
// RunLength is 0 and Offset/Length locate the leaf directory.
type pmEntry struct {
	TileID, Offset uint64
	Length         uint32
	RunLength      uint32
}

type pmBlob struct {
	off uint64
	n   uint32
}

// pmWriter collects tile entries in tile id order, writing each distinct
// tile's bytes once to data.
type pmWriter struct {
	data     *bufio.Writer
	size     uint64
	seen     map[[32]byte]pmBlob
	entries  []pmEntry
	addr     uint64 // addressed tiles
	contents uint64 // distinct tile contents
}

func (w *pmWriter) add(id uint64, gz []byte) error {
	w.addr++
	sum := sha256.Sum256(gz)
	b, ok := w.seen[sum]
	if !ok {
		b = pmBlob{w.size, uint32(len(gz))}
		if _, err := w.data.Write(gz); err != nil {
			return err
		}
		w.size += uint64(len(gz))
		w.seen[sum] = b
		w.contents++
	}
	if n := len(w.entries); n > 0 {
		last := &w.entries[n-1]
		if last.Offset == b.off && last.Length == b.n && last.TileID+uint64(last.RunLength) == id {
			last.RunLength++
			return nil
		}
	}
	w.entries = append(w.entries, pmEntry{TileID: id, Offset: b.off, Length: b.n, RunLength: 1})
	return nil
}

// pmRootMax is the most the header and root directory may take together.
const (
	pmHeaderLen = 127
	pmRootMax   = 16384 - pmHeaderLen
)

// finish writes the archive: header, root directory, metadata, leaf
// directories, tile data (copied from data).
func (w *pmWriter) finish(out io.Writer, data io.Reader, p *exportPlan, meta []byte) error {
	root, leaves, err := w.directories()
	if err != nil {
		return err
	}
	b := p.bounds
	c := p.center()
	e7 := func(v float64) int32 { return int32(math.Round(v * 1e7)) }
	h := make([]byte, pmHeaderLen)
	copy(h, "PMTiles")
	h[7] = 3
	le := binary.LittleEndian
	rootOff := uint64(pmHeaderLen)
	metaOff := rootOff + uint64(len(root))
	leafOff := metaOff + uint64(len(meta))
	dataOff := leafOff + uint64(len(leaves))
	for i, v := range []uint64{rootOff, uint64(len(root)), metaOff, uint64(len(meta)), leafOff, uint64(len(leaves)),
		dataOff, w.size, w.addr, uint64(len(w.entries)), w.contents} {
		le.PutUint64(h[8+8*i:], v)
	}
	h[96] = 1 // clustered
	h[97] = 2 // internal compression: gzip
	h[98] = 2 // tile compression: gzip
	h[99] = 1 // tile type: MVT
	h[100], h[101] = uint8(p.o.MinZoom), uint8(p.o.MaxZoom)
	for i, v := range []int32{e7(b.Min[0]), e7(b.Min[1]), e7(b.Max[0]), e7(b.Max[1])} {
		le.PutUint32(h[102+4*i:], uint32(v))
	}
	h[118] = uint8(c[2])
	le.PutUint32(h[119:], uint32(e7(c[0])))
	le.PutUint32(h[123:], uint32(e7(c[1])))
	for _, part := range [][]byte{h, root, meta, leaves} {
		if _, err := out.Write(part); err != nil {
			return err
		}
	}
	n, err := io.Copy(out, data)
	if err != nil {
		return err
	}
	if uint64(n) != w.size {
		return fmt.Errorf("tile data: copied %d bytes of %d", n, w.size)
	}
	return nil
}

// directories serializes the entries as a root directory alone when it
// fits in the first 16 KiB, else as leaf directories of growing size under
// a root of pointers to them.
func (w *pmWriter) directories() (root, leaves []byte, err error) {
	comp, err := newCompressor(0, 0)
	if err != nil {
		return nil, nil, err
	}
	root = comp.gzip(serializeDirectory(w.entries))
	if len(root) <= pmRootMax {
		return root, nil, nil
	}
	for leafSize := max(4096, len(w.entries)/3500); ; leafSize = leafSize * 6 / 5 {
		var rootEntries []pmEntry
		var buf bytes.Buffer
		for i := 0; i < len(w.entries); i += leafSize {
			leaf := comp.gzip(serializeDirectory(w.entries[i:min(i+leafSize, len(w.entries))]))
			rootEntries = append(rootEntries, pmEntry{TileID: w.entries[i].TileID, Offset: uint64(buf.Len()), Length: uint32(len(leaf))})
			buf.Write(leaf)
		}
		root = comp.gzip(serializeDirectory(rootEntries))
		if len(root) <= pmRootMax {
			return root, buf.Bytes(), nil
		}
	}
}

// serializeDirectory encodes entries as the spec's columns of varints:
// count, tile id deltas, run lengths, lengths, offsets (0 = right after the
// previous entry's data, else offset+1).
func serializeDirectory(es []pmEntry) []byte {
	b := binary.AppendUvarint(nil, uint64(len(es)))
	var last uint64
	for _, e := range es {
		b = binary.AppendUvarint(b, e.TileID-last)
		last = e.TileID
	}
	for _, e := range es {
		b = binary.AppendUvarint(b, uint64(e.RunLength))
	}
	for _, e := range es {
		b = binary.AppendUvarint(b, uint64(e.Length))
	}
	for i, e := range es {
		if i > 0 && e.Offset == es[i-1].Offset+uint64(es[i-1].Length) {
			b = binary.AppendUvarint(b, 0)
		} else {
			b = binary.AppendUvarint(b, e.Offset+1)
		}
	}
	return b
}

// tileID is the PMTiles tile id: the tiles of all lower zooms, plus the
// tile's position on the zoom's Hilbert curve.
func tileID(z uint8, x, y uint32) uint64 {
	base := (uint64(1)<<(2*uint(z)) - 1) / 3 // 4^0 + ... + 4^(z-1)
	n := uint64(1) << z
	tx, ty := uint64(x), uint64(y)
	var d uint64
	for s := n / 2; s > 0; s /= 2 {
		var rx, ry uint64
		if tx&s > 0 {
			rx = 1
		}
		if ty&s > 0 {
			ry = 1
		}
		d += s * s * ((3 * rx) ^ ry)
		tx, ty = hilbertRotate(n, tx, ty, rx, ry)
	}
	return base + d
}

// hilbertXY is the tile at position d of the Hilbert curve of zoom z.
func hilbertXY(z uint8, d uint64) (uint32, uint32) {
	n := uint64(1) << z
	var x, y uint64
	for s := uint64(1); s < n; s *= 2 {
		rx := 1 & (d / 2)
		ry := 1 & (d ^ rx)
		x, y = hilbertRotate(s, x, y, rx, ry)
		x += s * rx
		y += s * ry
		d /= 4
	}
	return uint32(x), uint32(y)
}

func hilbertRotate(n, x, y, rx, ry uint64) (uint64, uint64) {
	if ry == 0 {
		if rx == 1 {
			x, y = n-1-x, n-1-y
		}
		x, y = y, x
	}
	return x, y
}

func newBufWriter(w io.Writer) *bufio.Writer { return bufio.NewWriterSize(w, 1<<20) }
