package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/geo"
	"github.com/gorilla/mux"
)

// WorldSource hands out the current joined snapshot; *geo.Source is one.
type WorldSource interface {
	World(ctx context.Context) (*geo.World, error)
}

var _ WorldSource = (*geo.Source)(nil)

// apiEndpoint is one data API endpoint: its path, the query parameters it
// takes besides data.FilterParams, and its handler, which gets the parsed
// request.
type apiEndpoint struct {
	path   string
	params []string
	serve  func(w http.ResponseWriter, r *http.Request, a *apiRequest) error
}

// apiEndpoints lists the data API; openapi.json documents each one (a test
// holds them together).
func (s *Server) apiEndpoints() []apiEndpoint {
	return []apiEndpoint{
		{"/api/countries", []string{"format", "geometry"}, s.apiCountries},
		{"/api/countries/{iso3}", nil, s.apiCountry},
		{"/api/flows", []string{"format", "limit"}, s.apiFlows},
		{"/api/transfers", []string{"format", "limit", "offset"}, s.apiTransfers},
		{"/api/conflicts", []string{"format", "country"}, s.apiConflicts},
		{"/api/actors", []string{"format", "kind"}, s.apiActors},
	}
}

// routesAPI registers the read-only data API (/api/...). Owner: data API.
//
// Every endpoint answers GET, HEAD and OPTIONS, takes the filter parameters
// (data.FilterParams) plus its own, and answers 400 naming any parameter it
// does not know or cannot parse. Bodies carry an ETag made of the data
// version and the request, so a client revalidating gets 304.
//
// Without Deps.World, the API makes its own geo.Source over the Store and
// marks it stale after every write made through the server.
func (s *Server) routesAPI(r *mux.Router) {
	if s.world == nil && s.store != nil {
		src := geo.NewSource(s.store, 0)
		s.world = src
		s.onChange = append(s.onChange, func(data.Change) { src.MarkStale() })
	}
	cors := newTileHeaders(s.cfg) // the read API shares the tiles' CORS policy (--cors-origins)
	get := func(path string, h HandlerFunc) {
		r.Handle(path, s.handle(func(w http.ResponseWriter, r *http.Request) error {
			cors.readCORS(w.Header(), r.Header.Get("Origin"))
			return h(w, r)
		})).Methods(http.MethodGet, http.MethodHead)
		r.Handle(path, s.handle(s.apiOptions)).Methods(http.MethodOptions)
	}
	get("/api/openapi.json", s.apiOpenAPI)
	for _, e := range s.apiEndpoints() {
		get(e.path, func(w http.ResponseWriter, r *http.Request) error {
			a, err := s.parseAPI(r, e.params...)
			if err != nil {
				return err
			}
			return e.serve(w, r, a)
		})
	}
}

// apiOptions answers OPTIONS with the methods the router has for the path.
func (s *Server) apiOptions(w http.ResponseWriter, r *http.Request) error {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
		http.MethodPatch, http.MethodDelete, http.MethodOptions} {
		req := r.Clone(r.Context())
		req.Method = m
		var rm mux.RouteMatch
		if s.router.Match(req, &rm) && rm.MatchErr == nil {
			allow = append(allow, m)
		}
	}
	w.Header().Set("Allow", strings.Join(allow, ", "))
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// apiRequest is a parsed data API request.
type apiRequest struct {
	filter data.Filter
	query  url.Values
	csv    bool
	world  *geo.World
}

// parseAPI reads the query (the filter, format, and the endpoint's own
// parameters), rejecting unknown parameters, and gets the current World.
func (s *Server) parseAPI(r *http.Request, own ...string) (*apiRequest, error) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, &Error{Status: http.StatusBadRequest, Msg: "malformed query string", Err: err}
	}
	known := append(slices.Clone(data.FilterParams), own...)
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !slices.Contains(known, k) {
			return nil, &Error{Status: http.StatusBadRequest, Param: k,
				Msg: fmt.Sprintf("unknown query parameter %q (%s takes %s)", k, r.URL.Path, strings.Join(known, ", "))}
		}
	}
	f, err := data.ParseFilter(q)
	if err != nil {
		return nil, err
	}
	a := &apiRequest{filter: f, query: q}
	if slices.Contains(own, "format") {
		switch v := strings.ToLower(strings.TrimSpace(q.Get("format"))); v {
		case "", "json", "geojson":
		case "csv":
			a.csv = true
		default:
			return nil, paramError("format", v, "want json or csv")
		}
	}
	if s.world == nil {
		return nil, Errorf(http.StatusServiceUnavailable, "no data source is configured")
	}
	if a.world, err = s.world.World(r.Context()); err != nil {
		return nil, &Error{Status: http.StatusServiceUnavailable, Msg: "data not available", Err: err}
	}
	return a, nil
}

// paramError is a 400 naming a query parameter.
func paramError(param, value, why string) *Error {
	return &Error{Status: http.StatusBadRequest, Param: param,
		Msg: fmt.Sprintf("parameter %s=%q: %s", param, value, why)}
}

// intParam reads a non-negative integer parameter (def when absent), at
// most max.
func (a *apiRequest) intParam(name string, def, max int) (int, error) {
	v := strings.TrimSpace(a.query.Get(name))
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, paramError(name, v, "want a whole number ≥ 0")
	}
	if n > max {
		return 0, paramError(name, v, fmt.Sprintf("at most %d", max))
	}
	return n, nil
}

// notModified sets the ETag (data version + request) and reports whether
// the client's copy is current, in which case it has answered 304.
func notModified(w http.ResponseWriter, r *http.Request, version int64) bool {
	h := fnv.New64a()
	h.Write([]byte(r.URL.Path))
	h.Write([]byte{'?'})
	h.Write([]byte(r.URL.RawQuery))
	etag := fmt.Sprintf(`"v%d-%x"`, version, h.Sum64())
	w.Header().Set("ETag", etag)
	w.Header().Set("Cache-Control", "no-cache")
	for _, m := range strings.Split(r.Header.Get("If-None-Match"), ",") {
		if m = strings.TrimSpace(m); m == etag || m == "W/"+etag || m == "*" {
			w.WriteHeader(http.StatusNotModified)
			return true
		}
	}
	return false
}

// writeBody encodes v as JSON with a content type, whole or not at all:
// an encoding error becomes a 500 before anything is written.
func writeBody(w http.ResponseWriter, contentType string, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("encode response: %w", err)
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(buf.Bytes())
	return err
}

const (
	contentJSON    = "application/json; charset=utf-8"
	contentGeoJSON = "application/geo+json; charset=utf-8"
)
