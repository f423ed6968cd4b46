package server

import (
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/armsflow/armsflow/geo"
	"github.com/armsflow/armsflow/geo/geotest"
	"github.com/armsflow/armsflow/internal/metrics"
	"github.com/armsflow/armsflow/tiles"
)

// BenchmarkServeTileWarmOps is BenchmarkServeTileWarm as deployed: the
// middleware with metrics on, and the access log on (to a discarding
// handler that still formats, "log") or off (level warn, "quiet").
func BenchmarkServeTileWarmOps(b *testing.B) {
	for _, c := range []struct {
		name  string
		level slog.Level
	}{{"quiet", slog.LevelWarn}, {"log", slog.LevelInfo}} {
		b.Run(c.name, func(b *testing.B) {
			store := geotest.NewStoreWith(geotest.Fixture())
			src := geo.NewSource(store, time.Hour)
			cache, err := tiles.NewCache(&mvtRenderer{src: src}, src, tiles.CacheOptions{})
			if err != nil {
				b.Fatal(err)
			}
			log := slog.New(slog.NewTextHandler(discard{}, &slog.HandlerOptions{Level: c.level}))
			s := New(Config{CORSOrigins: []string{"*"}}, Deps{Store: store, Tiles: cache, Logger: log, Metrics: metrics.New()})
			req, _ := http.NewRequest("GET", "/tiles/countries/3/5/2.mvt", nil)
			req.Header.Set("Accept-Encoding", "gzip, deflate, br")
			req.RemoteAddr = "192.0.2.1:1234"
			w := &nopWriter{h: http.Header{}}
			s.ServeHTTP(w, req)
			if w.code != 200 {
				b.Fatalf("status %d", w.code)
			}
			b.ReportAllocs()
			for b.Loop() {
				clear(w.h)
				s.ServeHTTP(w, req)
			}
		})
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
