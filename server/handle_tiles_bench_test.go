package server

import (
	"net/http"
	"testing"
)

// nopWriter is a ResponseWriter that keeps nothing, so the benchmark sees
// the server's own allocations.
type nopWriter struct {
	h    http.Header
	code int
	n    int
}

func (w *nopWriter) Header() http.Header         { return w.h }
func (w *nopWriter) WriteHeader(code int)        { w.code = code }
func (w *nopWriter) Write(b []byte) (int, error) { w.n += len(b); return len(b), nil }

// BenchmarkServeTileWarm is a cached tile through the whole router: mux,
// the error wrapper, path and header parsing, the cache, the response
// headers. The handler itself formats and allocates nothing; what remains
// is gorilla/mux's (route variables and the request copies it makes).
func BenchmarkServeTileWarm(b *testing.B) {
	tt := newTileTest(b, Config{CORSOrigins: []string{"*"}})
	req, _ := http.NewRequest("GET", "/tiles/countries/3/5/2.mvt", nil)
	req.Header.Set("Accept-Encoding", "gzip, deflate, br")
	req.Header.Set("Origin", "https://example.org")
	w := &nopWriter{h: http.Header{}}
	tt.srv.Config.Handler.ServeHTTP(w, req)
	if w.code != 200 {
		b.Fatalf("status %d", w.code)
	}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		tt.srv.Config.Handler.ServeHTTP(w, req)
	}
	if w.code != 200 || tt.r.renders.Load() != 1 {
		b.Fatalf("status %d, %d renders", w.code, tt.r.renders.Load())
	}
}
