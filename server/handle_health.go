package server

import (
	"context"
	"net/http"
	"time"

	"github.com/gorilla/mux"
)

// Operations endpoints:
//
//	GET /healthz   the process is up: 200 {"status":"ok"}
//	GET /readyz    the store answers (its version can be read, so its schema
//	               is migrated) and the server is not shutting down: 200,
//	               else 503 with the reason
//	GET /metrics   Prometheus metrics (when Deps.Metrics is set)

// readyTimeout bounds the store check of /readyz.
const readyTimeout = 2 * time.Second

// Readier is a store that can say more precisely whether it is ready (a
// database that is migrating, a pool with no connection); /readyz asks it
// after reading the version.
type Readier interface {
	Ready(ctx context.Context) error
}

func (s *Server) routesHealth(r *mux.Router) {
	r.Handle("/healthz", http.HandlerFunc(s.healthz)).Methods(http.MethodGet, http.MethodHead)
	r.Handle("/readyz", http.HandlerFunc(s.readyz)).Methods(http.MethodGet, http.MethodHead)
	if m := s.ops.metrics; m != nil {
		r.Handle("/metrics", m.Handler()).Methods(http.MethodGet, http.MethodHead)
	}
}

// Drain marks the server as shutting down: /readyz answers 503 from now on
// so load balancers stop sending new requests, while requests already
// accepted are served as usual. Call it before http.Server.Shutdown.
func (s *Server) Drain() { s.ops.draining.Store(true) }

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	_ = writeJSON(w, http.StatusOK, map[string]any{
		"status":         "ok",
		"version":        s.cfg.Version,
		"uptime_seconds": int64(time.Since(s.ops.started).Seconds()),
	})
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	notReady := func(why string) {
		writeJSONError(w, http.StatusServiceUnavailable, "not ready: "+why, "")
	}
	if s.ops.draining.Load() {
		notReady("shutting down")
		return
	}
	if s.store == nil {
		notReady("no data store configured")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
	defer cancel()
	v, err := s.store.Version(ctx)
	if err != nil {
		s.log.WarnContext(r.Context(), "readiness check: store not answering", "err", err)
		notReady("data store not answering")
		return
	}
	if rd, ok := s.store.(Readier); ok {
		if err := rd.Ready(ctx); err != nil {
			s.log.WarnContext(r.Context(), "readiness check: store not ready", "err", err)
			notReady("data store not ready")
			return
		}
	}
	_ = writeJSON(w, http.StatusOK, map[string]any{"status": "ready", "data_version": v})
}
