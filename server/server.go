// Package server is armsflow's HTTP face: routes (gorilla/mux), handlers that
// return errors, middleware, and the one place that turns errors into JSON
// bodies. It wires the Store, the geo join, the tile renderer and the live
// hub together; it holds no state in package globals.
package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"runtime/debug"

	"github.com/armsflow/armsflow/data"
	"github.com/gorilla/mux"
)

// Config is the server's configuration, filled by cmd/armsflow from flags
// and ARMSFLOW_* environment variables.
type Config struct {
	// PublicURL is the externally visible base URL (no trailing slash) used
	// in TileJSON and oEmbed answers; empty means derive it from each request.
	PublicURL string
	// CORSOrigins are the origins allowed to read tiles, TileJSON and the
	// read-only data API from their own pages ("*" for any).
	CORSOrigins []string
	// FrameAncestors are the origins allowed to frame /embed ("*" for any).
	FrameAncestors []string
	// WriteTokens are the bearer tokens that may write; none means writes are refused.
	WriteTokens []string
	// AccessLog logs one line per request at info level (otherwise at
	// debug; server errors are logged either way).
	AccessLog bool
	// MaxBodyBytes caps request bodies.
	MaxBodyBytes int64
	// WriteRate and RoomRate limit writes and room creation per client
	// address and per write token (zero: no limit).
	WriteRate, RoomRate Rate
	// Version is the server's version, shown by /healthz.
	Version string
	// TrustedProxies are the reverse proxies (see ParseTrustedProxies)
	// whose X-Forwarded-For is believed: a request from one of them is
	// taken to come from the client address it forwards, for the
	// per-address limits, the WebSocket per-address cap and the logs.
	// Empty: X-Forwarded-For is ignored and the peer is the client.
	TrustedProxies []netip.Prefix
}

// Deps are what the server is built from.
type Deps struct {
	Store data.Store
	Tiles TileService // may be nil until the tiles layer is wired
	Live  LiveService // may be nil: no live endpoint
	// World hands out the joined in-memory snapshot (a *geo.Source); nil
	// means the data API makes its own Source over Store.
	World  WorldSource
	Logger *slog.Logger
	// OnChange hooks run after every successful write made through the
	// server (the geo source's MarkStale, the tile cache's Invalidate).
	OnChange []func(data.Change)
	// Metrics records requests and serves /metrics; nil means none.
	Metrics Metrics
}

// Server serves armsflow over HTTP.
type Server struct {
	cfg      Config
	store    data.Store
	tiles    TileService
	live     LiveService
	world    WorldSource
	log      *slog.Logger
	router   *mux.Router
	onChange []func(data.Change)
	ops      ops // middleware, limits, readiness (middleware_chain.go)

	tileHandler http.Handler // the tile route's handler, which dispatch calls directly
}

// New builds a Server and its routes.
func New(cfg Config, d Deps) *Server {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	d.Logger = withRequestID(d.Logger)
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = 8 << 20
	}
	s := &Server{cfg: cfg, store: d.Store, tiles: d.Tiles, live: d.Live, world: d.World, log: d.Logger, router: mux.NewRouter(), onChange: d.OnChange}
	s.ops.metrics = d.Metrics
	s.routes()
	s.setupOps(d)
	return s
}

// ServeHTTP makes Server an http.Handler: the middleware, then the routes.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.ops.handler.ServeHTTP(w, r) }

func (s *Server) routes() {
	r := s.router
	r.NotFoundHandler = s.handle(func(w http.ResponseWriter, r *http.Request) error {
		return Errorf(http.StatusNotFound, "no such path %s", r.URL.Path)
	})
	r.MethodNotAllowedHandler = s.handle(func(w http.ResponseWriter, r *http.Request) error {
		return Errorf(http.StatusMethodNotAllowed, "method %s not allowed on %s", r.Method, r.URL.Path)
	})
	s.routesHealth(r)
	s.routesAPI(r)
	s.routesTiles(r)
	s.routesLive(r)
	s.routesStatic(r) // last: it may own "/"
}

// afterWrite runs the OnChange hooks after a successful write; handlers that
// write call it before broadcasting.
func (s *Server) afterWrite(ch data.Change) {
	for _, f := range s.onChange {
		f(ch)
	}
}

// HandlerFunc is a handler that returns an error; see (*Server).handle.
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// Error is an error carrying an HTTP status and a message safe to show.
type Error struct {
	Status int
	Msg    string
	Param  string // the query parameter at fault, if any
	Err    error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Msg + ": " + e.Err.Error()
	}
	return e.Msg
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf makes an *Error with a status.
func Errorf(status int, format string, args ...any) *Error {
	return &Error{Status: status, Msg: fmt.Sprintf(format, args...)}
}

// handle turns a HandlerFunc into an http.Handler: the one place errors
// become JSON bodies. A panic becomes a 500 without a stack in the body.
func (s *Server) handle(h HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.ErrorContext(r.Context(), "panic in handler", "path", r.URL.Path, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				writeJSONError(w, http.StatusInternalServerError, "internal error", "")
			}
		}()
		if err := h(w, r); err != nil {
			s.writeError(w, r, err)
		}
	})
}

func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var he *Error
	var fe *data.FilterError
	var ve *data.ValidationError
	switch {
	case errors.As(err, &he):
		param := he.Param
		if param == "" && errors.As(err, &fe) {
			param = fe.Param
		}
		if he.Status >= 500 {
			s.log.ErrorContext(r.Context(), "request failed", "path", r.URL.Path, "err", err)
			writeJSONError(w, he.Status, he.Msg, param)
			return
		}
		writeJSONError(w, he.Status, he.Error(), param)
	case errors.As(err, &fe):
		writeJSONError(w, http.StatusBadRequest, fe.Error(), fe.Param)
	case errors.As(err, &ve):
		writeJSONError(w, http.StatusBadRequest, ve.Error(), "")
	case errors.Is(err, data.ErrNotFound):
		writeJSONError(w, http.StatusNotFound, err.Error(), "")
	case errors.Is(r.Context().Err(), err) || r.Context().Err() != nil:
		// client went away; nothing useful to write
	default:
		s.log.ErrorContext(r.Context(), "request failed", "path", r.URL.Path, "err", err)
		writeJSONError(w, http.StatusInternalServerError, "internal error", "")
	}
}

func writeJSONError(w http.ResponseWriter, status int, msg, param string) {
	body := map[string]any{"error": msg, "status": status}
	if param != "" {
		body["param"] = param
	}
	h := w.Header()
	h.Del("Content-Encoding")
	h.Del("ETag")
	writeJSON(w, status, body)
}

// writeJSON writes v as a JSON body with a status.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
