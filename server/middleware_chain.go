package server

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gorilla/mux"
)

// The middleware every request goes through, outermost first:
//
//  1. observe: a request id (X-Request-Id, echoed), X-Content-Type-Options:
//     nosniff, a panic safety net for handlers outside handle(), the access
//     log line and the request metrics;
//  2. the body limit: a Content-Length over Config.MaxBodyBytes is refused
//     with 413 before anything reads it, and every body is capped;
//  3. (after routing, as a mux middleware) the route template for logs and
//     metrics, and the rate limits on writes and room creation.

// Metrics records requests and serves /metrics; *metrics.Metrics (package
// internal/metrics) is one. Deps.Metrics may be nil: no metrics.
type Metrics interface {
	// ObserveRequest records one answered request by route template.
	ObserveRequest(route, method string, status int, bytes int64, d time.Duration)
	// InFlight adds delta to the requests being answered.
	InFlight(delta int)
	// RateLimited counts a request refused by a limit ("write", "room")
	// keyed "ip" or "token".
	RateLimited(limit, by string)
	// Handler serves the metrics (GET /metrics).
	Handler() http.Handler
}

// ops is the server's operational state: the middleware chain and what it
// keeps.
type ops struct {
	handler  http.Handler // the router behind the middleware
	metrics  Metrics
	write    *limiter // nil: writes not rate-limited
	room     *limiter
	draining atomic.Bool // set by Drain: /readyz answers 503
	started  time.Time
	ids      *idSource
	nosniff  []string // the header value, shared by every answer (read only)
}

// setupOps builds the middleware around the router; New calls it after
// routes().
func (s *Server) setupOps(d Deps) {
	s.ops.started = time.Now()
	s.ops.ids = newIDSource()
	s.ops.nosniff = []string{"nosniff"}
	s.ops.write = newLimiter("write", s.cfg.WriteRate)
	s.ops.room = newLimiter("room", s.cfg.RoomRate)
	s.router.Use(s.routeMiddleware)
	s.ops.handler = s.observe(s.limitBody(s.dispatch()))
}

// dispatch sends tile requests, by far the most frequent, straight to their
// handler, and everything else to the router. Matching a tile through mux
// would first try every other route's regexp and copy the request to carry
// the match, which costs more than serving a cached tile. Tiles are not
// rate-limited, so skipping routeMiddleware only skips its route label,
// which is set here instead.
func (s *Server) dispatch() http.Handler {
	if s.tileHandler == nil {
		return s.router
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !isTilePath(r.URL.Path) {
			s.router.ServeHTTP(w, r)
			return
		}
		if ri := requestInfo(r.Context()); ri != nil {
			ri.route = tileRoute
		}
		s.tileHandler.ServeHTTP(w, r)
	})
}

type reqInfoKey struct{}

// requestInfo is the request's recorder, which carries its id and route.
func requestInfo(ctx context.Context) *recorder {
	ri, _ := ctx.Value(reqInfoKey{}).(*recorder)
	return ri
}

// RequestID returns the id of the request ctx belongs to ("" outside one).
func RequestID(ctx context.Context) string {
	if ri := requestInfo(ctx); ri != nil {
		return ri.id
	}
	return ""
}

// unmatchedRoute labels requests no route matched (404, 405).
const unmatchedRoute = "unmatched"

// tileRoute labels tile requests: their route matches without a template.
const tileRoute = "/tiles/{layers}/{z}/{x}/{y}.mvt"

// observe is the outermost middleware.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rw := &recorder{ResponseWriter: w, route: unmatchedRoute}
		rw.id = s.ops.ids.from(r.Header.Get("X-Request-Id"))
		rw.idHeader[0] = rw.id
		r = r.WithContext(context.WithValue(r.Context(), reqInfoKey{}, rw))
		if len(s.cfg.TrustedProxies) > 0 {
			// r is this middleware's copy: the client's address replaces
			// the proxy's for everything after (limits, /ws caps, logs)
			if a, ok := forwardedClient(r.RemoteAddr, r.Header.Values("X-Forwarded-For"), s.cfg.TrustedProxies); ok {
				r.RemoteAddr = netip.AddrPortFrom(a, 0).String()
			}
		}
		h := w.Header()
		h["X-Request-Id"] = rw.idHeader[:]
		h["X-Content-Type-Options"] = s.ops.nosniff
		if m := s.ops.metrics; m != nil {
			m.InFlight(1)
			defer m.InFlight(-1)
		}
		defer func() {
			v := recover()
			if v != nil && v != http.ErrAbortHandler {
				s.log.ErrorContext(r.Context(), "panic serving request", "path", r.URL.Path, "panic", fmt.Sprint(v),
					"stack", string(debug.Stack()))
				if rw.status == 0 && !rw.hijacked {
					writeJSONError(rw, http.StatusInternalServerError, "internal error", "")
				}
			}
			s.finish(r, rw, time.Since(start))
			if v == http.ErrAbortHandler {
				panic(v) // net/http aborts the response
			}
		}()
		next.ServeHTTP(rw, r)
	})
}

// finish writes the access log line and records the request's metrics.
func (s *Server) finish(r *http.Request, rw *recorder, d time.Duration) {
	status := rw.status
	switch {
	case rw.hijacked:
		status = http.StatusSwitchingProtocols
	case status == 0:
		status = http.StatusOK // nothing written: net/http answers 200
	}
	if m := s.ops.metrics; m != nil {
		m.ObserveRequest(rw.route, r.Method, status, rw.bytes, d)
	}
	// One line per request at info only with Config.AccessLog: on the tile
	// hot path a log line costs more than serving a cached tile. Server
	// errors are always logged; everything is at debug.
	level := slog.LevelDebug
	switch {
	case status >= 500:
		level = slog.LevelWarn
	case s.cfg.AccessLog:
		level = slog.LevelInfo
	}
	ctx := r.Context()
	if !s.log.Enabled(ctx, level) {
		return
	}
	s.log.LogAttrs(ctx, level, "request",
		slog.String("method", r.Method),
		slog.String("route", rw.route),
		slog.String("path", r.URL.Path),
		slog.Int("status", status),
		slog.Int64("bytes", rw.bytes),
		slog.Duration("duration", d),
		slog.String("remote", clientIP(r)),
	)
}

// routeMiddleware runs after mux matched a route: it records the route
// template and applies the rate limits.
func (s *Server) routeMiddleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		route := routeTemplate(r)
		if ri := requestInfo(r.Context()); ri != nil {
			ri.route = route
		}
		if lim := s.limiterFor(route, r.Method); lim != nil && !s.allow(w, r, lim) {
			return
		}
		next.ServeHTTP(w, r)
	})
}

// routeTemplate is the matched route's path template, never the raw path.
func routeTemplate(r *http.Request) string {
	rt := mux.CurrentRoute(r)
	if rt == nil {
		return unmatchedRoute
	}
	// The tile route matches with a function, not a template (asking for
	// its template would allocate an error on the hottest route).
	if isTilePath(r.URL.Path) {
		return tileRoute
	}
	if t, err := rt.GetPathTemplate(); err == nil {
		return t
	}
	if n := rt.GetName(); n != "" {
		return n
	}
	return "other"
}

// limitBody refuses a declared body over Config.MaxBodyBytes with 413
// before anything reads it, and caps every body at that size (reading past
// it fails with *http.MaxBytesError, which readBody turns into 413).
func (s *Server) limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		max := s.cfg.MaxBodyBytes
		if r.ContentLength > max {
			w.Header().Set("Connection", "close")
			writeJSONError(w, http.StatusRequestEntityTooLarge,
				fmt.Sprintf("request body of %d bytes is over the %d-byte limit", r.ContentLength, max), "")
			return
		}
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = http.MaxBytesReader(w, r.Body, max)
		}
		next.ServeHTTP(w, r)
	})
}

// clientIP is the address a request came from (no port).
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// recorder is the ResponseWriter the middleware hands on: it notes the
// status and the bytes written, gives HTML answers a Content-Security-Policy
// when their handler set none, and still lets /ws hijack the connection.
type recorder struct {
	http.ResponseWriter
	status   int
	bytes    int64
	hijacked bool

	id       string    // the request id
	idHeader [1]string // id as a header value, without another allocation
	route    string    // the matched route template, set after routing
}

func (rw *recorder) WriteHeader(code int) {
	if rw.status == 0 && code >= 200 {
		rw.status = code
		h := rw.ResponseWriter.Header()
		if strings.HasPrefix(h.Get("Content-Type"), "text/html") && h.Get("Content-Security-Policy") == "" {
			setPageSecurity(rw.ResponseWriter, pageCSP(nil))
		}
	}
	rw.ResponseWriter.WriteHeader(code)
}

func (rw *recorder) Write(b []byte) (int, error) {
	if rw.status == 0 {
		rw.WriteHeader(http.StatusOK)
	}
	n, err := rw.ResponseWriter.Write(b)
	rw.bytes += int64(n)
	return n, err
}

// Flush sends buffered data to the client, when the connection can.
func (rw *recorder) Flush() {
	if f, ok := rw.ResponseWriter.(http.Flusher); ok {
		if rw.status == 0 {
			rw.WriteHeader(http.StatusOK)
		}
		f.Flush()
	}
}

// Hijack hands the connection over (the WebSocket upgrade).
func (rw *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := rw.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("server: the connection cannot be hijacked")
	}
	c, brw, err := hj.Hijack()
	if err == nil {
		rw.hijacked = true
	}
	return c, brw, err
}

// Unwrap lets http.ResponseController reach the connection's own writer.
func (rw *recorder) Unwrap() http.ResponseWriter { return rw.ResponseWriter }
