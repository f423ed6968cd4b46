package tiles

import (
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"sync"
	"sync/atomic"
)

// Tile is one rendered tile as the cache holds it: the MVT and its encodings
// with their validators, immutable once made except that the brotli
// encoding is made once, on first use.
type Tile struct {
	// Version is the data version the tile was rendered from.
	Version int64
	// Empty is set when no layer has a feature in the tile (served as 204).
	Empty bool

	etags  [numEncodings]string // quoted strong ETags, one per encoding
	vars   [EncBrotli]Variant   // identity and gzip, made at insert
	br     atomic.Pointer[Variant]
	brOnce sync.Once
	comp   *compressor
	owner  *Cache   // nil for a tile not held by a cache
	key    cacheKey // where owner holds it
}

// Variant is a tile in one encoding, with the values sent beside it made
// ahead, so that serving a cached tile formats nothing.
type Variant struct {
	Body []byte
	ETag string // quoted strong ETag of this encoding
	// ETagValue and LengthValue are ETag and len(Body) as one-element
	// slices, ready to be assigned as header values; treat them as read-only.
	ETagValue   []string
	LengthValue []string
}

// etagSuffix tells the encodings apart: a strong ETag names one
// representation, and gzip or brotli bytes are a different one from the
// raw MVT (RFC 9110 section 8.8.3).
var etagSuffix = [numEncodings]string{EncIdentity: "", EncGzip: "-gz", EncBrotli: "-br"}

// newTile builds a Tile from raw MVT bytes (nil or empty for an empty tile),
// compressing it with c. The ETags hash the raw bytes only: equal bytes are
// an equal representation whatever data version made them, so a tile that a
// write did not change keeps its ETag and clients revalidate it with a 304.
func newTile(raw []byte, version int64, c *compressor) *Tile {
	t := &Tile{Version: version, Empty: len(raw) == 0, comp: c}
	sum := sha256.Sum256(raw)
	base := `"` + base64.RawURLEncoding.EncodeToString(sum[:16])
	for e := range numEncodings {
		t.etags[e] = base + etagSuffix[e] + `"`
	}
	if t.Empty {
		return t
	}
	t.vars[EncIdentity] = makeVariant(raw, t.etags[EncIdentity])
	t.vars[EncGzip] = makeVariant(c.gzip(raw), t.etags[EncGzip])
	return t
}

func makeVariant(body []byte, etag string) Variant {
	return Variant{Body: body, ETag: etag, ETagValue: []string{etag}, LengthValue: []string{strconv.Itoa(len(body))}}
}

// ETag returns the quoted strong ETag of the tile in encoding e.
func (t *Tile) ETag(e Encoding) string { return t.etags[e] }

// Raw returns the uncompressed MVT (nil for an empty tile).
func (t *Tile) Raw() []byte { return t.vars[EncIdentity].Body }

// Variant returns the tile in encoding e, making the brotli encoding on the
// first call that asks for it. It returns nil for an empty tile.
func (t *Tile) Variant(e Encoding) *Variant {
	if t.Empty || e >= numEncodings {
		return nil
	}
	if e != EncBrotli {
		return &t.vars[e]
	}
	if v := t.br.Load(); v != nil {
		return v
	}
	t.brOnce.Do(func() {
		v := makeVariant(t.comp.brotli(t.vars[EncIdentity].Body), t.etags[EncBrotli])
		t.br.Store(&v)
		if t.owner != nil {
			t.owner.grew(t, int64(len(v.Body)))
		}
	})
	return t.br.Load()
}

// size is what the tile costs the cache's byte budget.
func (t *Tile) size() int64 {
	n := int64(tileOverhead)
	for _, v := range t.vars {
		n += int64(len(v.Body))
	}
	if v := t.br.Load(); v != nil {
		n += int64(len(v.Body))
	}
	return n
}

// tileOverhead approximates a cached tile's fixed memory: the Tile, its
// ETags and header slices, the entry and its map slot.
const tileOverhead = 512
