package server

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/tiles"
	"github.com/gorilla/mux"
	"github.com/paulmach/orb/maptile"
)

// TileService is what the tile routes need: the layers, cached tiles, and a
// hook for writes. *tiles.Cache is one.
type TileService interface {
	// Layers lists the layers in a fixed order.
	Layers() []tiles.LayerInfo
	// Tile returns one tile of a comma-separated layer list for a filter.
	// Errors wrap tiles.ErrUnknownLayer, tiles.ErrDuplicateLayer or
	// tiles.ErrOutOfRange for bad requests.
	Tile(ctx context.Context, layers string, t maptile.Tile, f data.Filter) (*tiles.Tile, error)
	// Invalidate is told of every write (hook it into Deps.OnChange).
	Invalidate(data.Change)
}

var _ TileService = (*tiles.Cache)(nil)

// tileCacheControl lets browsers and shared caches reuse a tile for a
// minute, then revalidate it with its ETag (a 304 costs a map lookup here).
// Writes can land at any time and the map refreshes on live updates, so a
// longer life would show stale arcs; a shorter one would turn every pan
// back over the same area into requests.
const tileCacheControl = "public, max-age=60"

// tileHeaders are header values made once, shared by every response (the
// http package only reads them).
type tileHeaders struct {
	contentType, vary, varyOrigin, cacheControl, gzip, br, star, expose []string

	origins   map[string][]string // allowed origin -> itself as a header value
	anyOrigin bool
}

func newTileHeaders(cfg Config) *tileHeaders {
	h := &tileHeaders{
		contentType:  []string{"application/vnd.mapbox-vector-tile"},
		vary:         []string{"Accept-Encoding"},
		varyOrigin:   []string{"Accept-Encoding, Origin"},
		cacheControl: []string{tileCacheControl},
		gzip:         []string{"gzip"},
		br:           []string{"br"},
		star:         []string{"*"},
		expose:       []string{"ETag"},
		origins:      map[string][]string{},
	}
	for _, o := range cfg.CORSOrigins {
		o = strings.TrimRight(strings.TrimSpace(o), "/")
		if o == "*" {
			h.anyOrigin = true
		} else if o != "" {
			h.origins[o] = []string{o}
		}
	}
	return h
}

// cors sets the CORS headers of a response to a request from origin and
// reports whether the origin is allowed.
func (th *tileHeaders) cors(h http.Header, origin string) bool {
	if origin == "" {
		return false
	}
	if th.anyOrigin {
		h["Access-Control-Allow-Origin"] = th.star
	} else if v, ok := th.origins[origin]; ok {
		h["Access-Control-Allow-Origin"] = v
	} else {
		return false
	}
	h["Access-Control-Expose-Headers"] = th.expose
	return true
}

// readCORS lets pages on allowed origins read a read-only API answer with
// fetch: Access-Control-Allow-Origin (and Vary: Origin when the origin is
// echoed rather than "*"). Simple GETs need no preflight.
func (th *tileHeaders) readCORS(h http.Header, origin string) {
	if th.cors(h, origin) && !th.anyOrigin {
		h.Add("Vary", "Origin")
	}
}

// varyValue is the Vary header: Origin too when the allowed origin is echoed.
func (th *tileHeaders) varyValue() []string {
	if th.anyOrigin || len(th.origins) == 0 {
		return th.vary
	}
	return th.varyOrigin
}

// routesTiles registers /tiles/...: the tiles themselves, each layer set's
// TileJSON and the catalog.
func (s *Server) routesTiles(r *mux.Router) {
	th := newTileHeaders(s.cfg)
	r.Handle("/tiles/catalog", s.handle(func(w http.ResponseWriter, r *http.Request) error {
		return s.serveCatalog(w, r, th)
	})).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/tiles/{layers}.json", s.handle(func(w http.ResponseWriter, r *http.Request) error {
		return s.serveTileJSON(w, r, th, mux.Vars(r)["layers"])
	})).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/tiles/catalog", s.handle(func(w http.ResponseWriter, r *http.Request) error {
		return th.preflight(w, r)
	})).Methods(http.MethodOptions)
	r.Handle("/tiles/{layers}.json", s.handle(func(w http.ResponseWriter, r *http.Request) error {
		return th.preflight(w, r)
	})).Methods(http.MethodOptions)
	// Tiles match with a plain prefix test rather than a path template:
	// mux's regexps would cost allocations on the hottest route. The
	// middleware sends tile requests to s.tileHandler before the router
	// (see dispatch); the route stays registered so the router knows it.
	s.tileHandler = s.handle(func(w http.ResponseWriter, r *http.Request) error {
		switch r.Method {
		case http.MethodGet, http.MethodHead:
			return s.serveTile(w, r, th)
		case http.MethodOptions:
			return th.preflight(w, r)
		}
		w.Header().Set("Allow", "GET, HEAD, OPTIONS")
		return Errorf(http.StatusMethodNotAllowed, "method %s not allowed on %s", r.Method, r.URL.Path)
	})
	r.MatcherFunc(func(r *http.Request, _ *mux.RouteMatch) bool {
		return isTilePath(r.URL.Path)
	}).Handler(s.tileHandler)
}

// isTilePath reports whether p is a tile's path, /tiles/.../*.mvt.
func isTilePath(p string) bool {
	return strings.HasPrefix(p, "/tiles/") && strings.HasSuffix(p, ".mvt")
}

// preflight answers a CORS preflight for the tile routes.
func (th *tileHeaders) preflight(w http.ResponseWriter, r *http.Request) error {
	h := w.Header()
	h.Set("Allow", "GET, HEAD, OPTIONS")
	origin := r.Header.Get("Origin")
	if origin == "" {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	h.Set("Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers")
	if !th.cors(h, origin) {
		return Errorf(http.StatusForbidden, "origin %s may not fetch tiles (see the CORS origins setting)", origin)
	}
	if m := r.Header.Get("Access-Control-Request-Method"); m != "" && m != http.MethodGet && m != http.MethodHead {
		return Errorf(http.StatusMethodNotAllowed, "tiles are read with GET or HEAD, not %s", m)
	}
	h.Set("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
	if rh := r.Header.Get("Access-Control-Request-Headers"); rh != "" {
		h.Set("Access-Control-Allow-Headers", rh)
	}
	h.Set("Access-Control-Max-Age", "600")
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) serveTile(w http.ResponseWriter, r *http.Request, th *tileHeaders) error {
	if s.tiles == nil {
		return Errorf(http.StatusServiceUnavailable, "tiles are not configured on this server")
	}
	layers, t, err := parseTilePath(r.URL.Path)
	if err != nil {
		return err
	}
	f, _, err := tileFilter(r)
	if err != nil {
		return err
	}
	tl, err := s.tiles.Tile(r.Context(), layers, t, f)
	if err != nil {
		return tileError(err)
	}
	h := w.Header()
	th.cors(h, r.Header.Get("Origin"))
	h["Vary"] = th.varyValue()
	h["Cache-Control"] = th.cacheControl
	enc := chooseEncoding(r.Header.Get("Accept-Encoding"))
	if tl.Empty {
		enc = tiles.EncIdentity
	}
	etag := tl.ETag(enc)
	if inm := r.Header.Get("If-None-Match"); inm != "" && etagMatch(inm, tl) {
		h.Set("ETag", etag)
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	if tl.Empty {
		h.Set("ETag", etag)
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	v := tl.Variant(enc)
	h["Content-Type"] = th.contentType
	h["Etag"] = v.ETagValue
	h["Content-Length"] = v.LengthValue
	switch enc {
	case tiles.EncGzip:
		h["Content-Encoding"] = th.gzip
	case tiles.EncBrotli:
		h["Content-Encoding"] = th.br
	}
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(v.Body) // a client gone mid-body is not our error
	}
	return nil
}

// parseTilePath splits "/tiles/{layers}/{z}/{x}/{y}.mvt".
func parseTilePath(p string) (string, maptile.Tile, error) {
	rest := strings.TrimSuffix(strings.TrimPrefix(p, "/tiles/"), ".mvt")
	var parts [4]string
	for i := 3; i > 0; i-- {
		j := strings.LastIndexByte(rest, '/')
		if j < 0 {
			return "", maptile.Tile{}, Errorf(http.StatusNotFound, "no such path %s (want /tiles/{layers}/{z}/{x}/{y}.mvt)", p)
		}
		parts[i], rest = rest[j+1:], rest[:j]
	}
	parts[0] = rest
	if parts[0] == "" || strings.Contains(parts[0], "/") {
		return "", maptile.Tile{}, Errorf(http.StatusNotFound, "no such path %s (want /tiles/{layers}/{z}/{x}/{y}.mvt)", p)
	}
	z, err := strconv.ParseUint(parts[1], 10, 8)
	if err != nil || z > tiles.MaxTileZoom {
		e := Errorf(http.StatusBadRequest, "tile zoom %q is not a whole number from 0 to %d", parts[1], tiles.MaxTileZoom)
		e.Param = "z"
		return "", maptile.Tile{}, e
	}
	n := uint64(1) << z
	var xy [2]uint32
	for i, name := range [2]string{"x", "y"} {
		v, err := strconv.ParseUint(parts[2+i], 10, 32)
		if err != nil || v >= n {
			e := Errorf(http.StatusBadRequest, "tile %s %q is not a whole number from 0 to %d at zoom %d", name, parts[2+i], n-1, z)
			e.Param = name
			return "", maptile.Tile{}, e
		}
		xy[i] = uint32(v)
	}
	return parts[0], maptile.New(xy[0], xy[1], maptile.Zoom(z)), nil
}

// tileVersionParam is the optional data version of the tile, TileJSON and
// catalog routes. The frontend adds v=VERSION to its tile URLs when it
// learns of a write, so that browsers (which keep a tile for a minute, see
// tileCacheControl) fetch the new tiles instead of reusing those cached
// under the old URL. The server checks it is a whole number and otherwise
// ignores it: the cache key, the bytes and the ETag are those of the same
// request without it. TileJSON and catalog URLs pass it on to their tiles.
const tileVersionParam = "v"

// tileFilter reads the filter of a tile, TileJSON or catalog request and
// its data version parameter (canonical, "" when absent); parameters that
// are neither are refused by name.
func tileFilter(r *http.Request) (data.Filter, string, error) {
	if r.URL.RawQuery == "" {
		return data.Filter{}, "", nil
	}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return data.Filter{}, "", Errorf(http.StatusBadRequest, "query string does not parse: %v", err)
	}
	var unknown []string
	for k := range q {
		if k != tileVersionParam && !slices.Contains(data.FilterParams, k) {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		e := Errorf(http.StatusBadRequest, "unknown query parameter %s (tiles take %s and %s)", strings.Join(unknown, ", "),
			strings.Join(data.FilterParams, ", "), tileVersionParam)
		e.Param = unknown[0]
		return data.Filter{}, "", e
	}
	version := ""
	if vs, ok := q[tileVersionParam]; ok {
		if version, err = parseTileVersion(vs); err != nil {
			return data.Filter{}, "", err
		}
		delete(q, tileVersionParam)
	}
	f, err := data.ParseFilter(q)
	return f, version, err
}

// parseTileVersion checks the v parameter: one whole number from 0 up,
// digits only; it returns it without leading zeros.
func parseTileVersion(vs []string) (string, error) {
	bad := func(format string, args ...any) error {
		e := Errorf(http.StatusBadRequest, format, args...)
		e.Param = tileVersionParam
		return e
	}
	if len(vs) != 1 {
		return "", bad("query parameter %s given %d times (want one data version)", tileVersionParam, len(vs))
	}
	v := vs[0]
	digits := v != "" && len(v) <= 19
	for i := 0; digits && i < len(v); i++ {
		digits = v[i] >= '0' && v[i] <= '9'
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if !digits || err != nil {
		return "", bad("query parameter %s %q is not a data version (a whole number from 0)", tileVersionParam, v)
	}
	return strconv.FormatInt(n, 10), nil
}

// tileError gives the tiles layer's errors their HTTP status.
func tileError(err error) error {
	switch {
	case errors.Is(err, tiles.ErrUnknownLayer):
		return &Error{Status: http.StatusNotFound, Msg: "no such tiles", Param: "layers", Err: err}
	case errors.Is(err, tiles.ErrDuplicateLayer):
		return &Error{Status: http.StatusBadRequest, Msg: "bad layer list", Param: "layers", Err: err}
	case errors.Is(err, tiles.ErrOutOfRange):
		return &Error{Status: http.StatusBadRequest, Msg: "tile out of range", Err: err}
	}
	return err
}

// chooseEncoding picks br or gzip by the Accept-Encoding q-values (br on a
// tie: it is smaller), identity when neither is acceptable.
func chooseEncoding(ae string) tiles.Encoding {
	qBr, qGz, qStar := -1.0, -1.0, -1.0 // -1: not listed
	for rest, more := ae, ae != ""; more; {
		var part string
		part, rest, more = strings.Cut(rest, ",")
		name, params, _ := strings.Cut(part, ";")
		name = strings.TrimSpace(name)
		q := 1.0
		for params != "" {
			var p string
			p, params, _ = strings.Cut(params, ";")
			k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
			if strings.EqualFold(strings.TrimSpace(k), "q") {
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil && f >= 0 && f <= 1 {
					q = f
				} else {
					q = 0 // a malformed weight accepts nothing
				}
			}
		}
		switch {
		case strings.EqualFold(name, "br"):
			qBr = q
		case strings.EqualFold(name, "gzip"), strings.EqualFold(name, "x-gzip"):
			qGz = q
		case name == "*":
			qStar = q
		}
	}
	if qBr < 0 {
		qBr = max(qStar, 0)
	}
	if qGz < 0 {
		qGz = max(qStar, 0)
	}
	switch {
	case qBr > 0 && qBr >= qGz:
		return tiles.EncBrotli
	case qGz > 0:
		return tiles.EncGzip
	}
	return tiles.EncIdentity
}

// etagMatch is If-None-Match's weak comparison against every encoding of
// the tile: they all carry the same content, so a client holding one of
// them has what it asked for.
func etagMatch(inm string, t *tiles.Tile) bool {
	for rest, more := inm, true; more; {
		var tag string
		tag, rest, more = strings.Cut(rest, ",")
		tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
		if tag == "*" {
			return true
		}
		for e := tiles.EncIdentity; e <= tiles.EncBrotli; e++ {
			if tag == t.ETag(e) {
				return true
			}
		}
	}
	return false
}

// serveTileJSON answers /tiles/{layers}.json with TileJSON 3.0.0 whose tile
// URL carries the request's filter in canonical form.
func (s *Server) serveTileJSON(w http.ResponseWriter, r *http.Request, th *tileHeaders, layers string) error {
	if s.tiles == nil {
		return Errorf(http.StatusServiceUnavailable, "tiles are not configured on this server")
	}
	f, version, err := tileFilter(r)
	if err != nil {
		return err
	}
	ts, err := tiles.NewTileset(s.tiles.Layers(), strings.Split(layers, ","))
	if err != nil {
		return tileError(err)
	}
	base := s.requestBaseURL(r)
	tj := ts.TileJSON(tileURL(base, layers, f, version))
	h := w.Header()
	th.cors(h, r.Header.Get("Origin"))
	h["Cache-Control"] = th.cacheControl
	if !th.anyOrigin && len(th.origins) > 0 {
		h.Set("Vary", "Origin")
	}
	return writeJSON(w, http.StatusOK, tj)
}

// catalogLayer is a layer in the catalog, with its TileJSON and tile URLs.
type catalogLayer struct {
	tiles.LayerInfo
	TileJSON string `json:"tilejson"`
	Tiles    string `json:"tiles"`
}

// serveCatalog answers /tiles/catalog: every layer with its TileJSON URL,
// and the TileJSON of all layers together (one request for a whole map).
func (s *Server) serveCatalog(w http.ResponseWriter, r *http.Request, th *tileHeaders) error {
	if s.tiles == nil {
		return Errorf(http.StatusServiceUnavailable, "tiles are not configured on this server")
	}
	f, version, err := tileFilter(r)
	if err != nil {
		return err
	}
	base := s.requestBaseURL(r)
	infos := s.tiles.Layers()
	out := struct {
		Layers      []catalogLayer `json:"layers"`
		All         string         `json:"all"`
		Attribution string         `json:"attribution"`
	}{Layers: make([]catalogLayer, 0, len(infos)), Attribution: tiles.Attribution}
	names := make([]string, 0, len(infos))
	for _, l := range infos {
		out.Layers = append(out.Layers, catalogLayer{LayerInfo: l, TileJSON: tileJSONURL(base, l.Name, f, version), Tiles: tileURL(base, l.Name, f, version)})
		names = append(names, l.Name)
	}
	out.All = tileJSONURL(base, strings.Join(names, ","), f, version)
	h := w.Header()
	th.cors(h, r.Header.Get("Origin"))
	h["Cache-Control"] = th.cacheControl
	return writeJSON(w, http.StatusOK, out)
}

// withFilter adds the canonical filter and the data version (when not "")
// to a URL.
func withFilter(u string, f data.Filter, version string) string {
	q := f.Canonical()
	if version != "" {
		if q != "" {
			q += "&"
		}
		q += tileVersionParam + "=" + version
	}
	if q != "" {
		return u + "?" + q
	}
	return u
}

func tileURL(base, layers string, f data.Filter, version string) string {
	return withFilter(base+"/tiles/"+layers+"/{z}/{x}/{y}.mvt", f, version)
}

func tileJSONURL(base, layers string, f data.Filter, version string) string {
	return withFilter(base+"/tiles/"+layers+".json", f, version)
}

// requestBaseURL is the public base URL (no trailing slash): the configured
// PublicURL, else the scheme and host the request came to (https when it
// came over TLS or a proxy says X-Forwarded-Proto: https).
func (s *Server) requestBaseURL(r *http.Request) string {
	if s.cfg.PublicURL != "" {
		return strings.TrimRight(s.cfg.PublicURL, "/")
	}
	scheme := "http"
	if r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
