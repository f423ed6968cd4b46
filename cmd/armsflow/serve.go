package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/geo"
	"github.com/armsflow/armsflow/internal/cli"
	"github.com/armsflow/armsflow/internal/metrics"
	"github.com/armsflow/armsflow/server"
	"github.com/armsflow/armsflow/server/live"
	"github.com/armsflow/armsflow/tiles"
)

type serveFlags struct {
	addr, db, publicURL         string
	logLevel, logFormat         string
	corsOrigins, frameAncestors cli.List
	wsOrigins, writeTokens      cli.List
	trustedProxies              cli.List
	noDefaults                  bool
	poll                        time.Duration
	maxBody                     int64
	minZoom, maxZoom, buffer    int
	cacheMB                     int
	bus                         string
	roomIdle                    time.Duration
	maxConnsPerIP               int
	gcPercent                   int
	accessLog                   bool
	memLimitMB                  int
	readHeaderTimeout           time.Duration
	readTimeout, writeTimeout   time.Duration
	idleTimeout, shutdownGrace  time.Duration
	writeRate, roomRate         server.Rate
	metrics                     bool
	debugAddr                   string
}

func (f *serveFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.addr, "addr", "127.0.0.1:8080", "listen address host:port")
	fs.StringVar(&f.db, "db", "armsflow.db", "database: a SQLite file path or a postgres:// URL (filled with the default data when new)")
	fs.StringVar(&f.publicURL, "public-url", "", "public base URL for links in TileJSON and oEmbed (default: from each request)")
	fs.StringVar(&f.logLevel, "log-level", "info", "log level: debug, info, warn, error")
	fs.StringVar(&f.logFormat, "log-format", "text", "log format: text or json")
	fs.Var(&f.corsOrigins, "cors-origins", "origins allowed to fetch tiles and TileJSON cross-origin, comma list or * (default *)")
	fs.Var(&f.frameAncestors, "frame-ancestors", "origins allowed to frame /embed, comma list or * (default *)")
	fs.Var(&f.wsOrigins, "ws-origins", "extra origins allowed to open /ws (the server's own host is always allowed)")
	fs.Var(&f.trustedProxies, "trusted-proxies", "reverse proxies (IPs or CIDR prefixes, comma list) whose X-Forwarded-For gives the client address for limits and logs (default: none, the header is ignored)")
	fs.Var(&f.writeTokens, "write-tokens", "bearer tokens allowed to write, comma list or @file (none: writes refused)")
	fs.BoolVar(&f.noDefaults, "no-defaults", false, "do not load the embedded default data into a fresh database")
	fs.DurationVar(&f.poll, "poll", 2*time.Second, "how often to check the database for writes by other processes")
	fs.Int64Var(&f.maxBody, "max-body", 8<<20, "maximum request body in bytes")
	fs.IntVar(&f.minZoom, "min-zoom", 0, "lowest tile zoom served")
	fs.IntVar(&f.maxZoom, "max-zoom", 14, "highest tile zoom served")
	fs.IntVar(&f.buffer, "tile-buffer", 64, "tile buffer in tile units (extent 4096)")
	fs.IntVar(&f.cacheMB, "cache-mb", 256, "tile cache budget in MiB")
	fs.StringVar(&f.bus, "bus", "", "live event bus: empty for in-process, or nats://HOST:PORT to share live events and rooms between instances")
	fs.DurationVar(&f.roomIdle, "room-idle", time.Hour, "close a presenter room after this long without a state update")
	fs.IntVar(&f.maxConnsPerIP, "max-conns-per-ip", 500, "WebSocket connections allowed per client address (negative: no cap)")
	fs.BoolVar(&f.accessLog, "access-log", false, "log one line per request at info level (default: at debug level; server errors always)")
	fs.IntVar(&f.gcPercent, "gc-percent", 100, "Go GC target percentage (the GOGC environment variable wins when set)")
	fs.IntVar(&f.memLimitMB, "memory-limit-mb", 0, "soft memory limit in MiB (default: --cache-mb + 128; the GOMEMLIMIT environment variable wins when set)")
	fs.DurationVar(&f.readHeaderTimeout, "read-header-timeout", 5*time.Second, "HTTP read-header timeout")
	fs.DurationVar(&f.readTimeout, "read-timeout", 30*time.Second, "HTTP read timeout")
	fs.DurationVar(&f.writeTimeout, "write-timeout", 60*time.Second, "HTTP write timeout (not applied to WebSockets)")
	fs.DurationVar(&f.idleTimeout, "idle-timeout", 120*time.Second, "HTTP keep-alive idle timeout")
	fs.DurationVar(&f.shutdownGrace, "shutdown-grace", 10*time.Second, "how long in-flight requests may finish on shutdown")
	f.writeRate, _ = server.ParseRate("10/s")
	f.roomRate, _ = server.ParseRate("10/m")
	fs.Var(&f.writeRate, "write-rate", "writes (POST/PUT/DELETE /api/transfers) allowed per client address and per write token: N/s, N/m, N/h or off")
	fs.Var(&f.roomRate, "room-rate", "presenter rooms created per client address and per write token: N/s, N/m, N/h or off")
	fs.BoolVar(&f.metrics, "metrics", true, "serve Prometheus metrics at /metrics")
	fs.StringVar(&f.debugAddr, "debug-addr", "", "serve Go's profiler (/debug/pprof/) on this loopback host:port (default: off)")
}

func newLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, usageError{fmt.Sprintf("--log-level %q: want debug, info, warn or error", level)}
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, usageError{fmt.Sprintf("--log-format %q: want text or json", format)}
}

func cmdServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f serveFlags
	f.register(fs)
	if err := cli.Parse(fs, args, os.Getenv); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("serve takes no arguments, got %q", fs.Args())}
	}
	log, err := newLogger(stderr, f.logLevel, f.logFormat)
	if err != nil {
		return err
	}
	proxies, err := server.ParseTrustedProxies(f.trustedProxies)
	if err != nil {
		return usageError{"--trusted-proxies: " + err.Error()}
	}
	if f.minZoom < 0 || f.maxZoom > 22 || f.minZoom > f.maxZoom {
		return usageError{fmt.Sprintf("--min-zoom %d / --max-zoom %d: want 0 <= min <= max <= 22", f.minZoom, f.maxZoom)}
	}

	tuneGC(f, log)
	if f.debugAddr != "" {
		if _, err := serveDebug(ctx, f.debugAddr, log); err != nil {
			return err
		}
	}

	st, err := openStore(ctx, f.db)
	if err != nil {
		return err
	}
	defer st.Close()
	if !f.noDefaults {
		if err := loadDefaults(ctx, st, log); err != nil {
			return err
		}
	}

	src := geo.NewSource(st, f.poll)
	world0, err := src.World(ctx)
	if err != nil {
		return fmt.Errorf("load data: %w", err)
	}
	m := metrics.New()
	base := tiles.NewRenderer(src, tiles.Options{Extent: 4096, Buffer: uint32(f.buffer), MinZoom: f.minZoom, MaxZoom: f.maxZoom})
	renderer := m.InstrumentRenderer(base)
	// prepare each zoom's projected, simplified geometry before taking
	// requests (about 0.2 s for the default countries), so no visitor pays for it
	warmStart := time.Now()
	if err := base.Warm(ctx); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		log.Warn("tile warm-up failed; zooms are prepared on first use", "err", err)
	} else {
		log.Info("tile geometry prepared", "took", time.Since(warmStart).Round(time.Millisecond))
	}
	cache, err := tiles.NewCache(renderer, src, tiles.CacheOptions{MaxBytes: int64(f.cacheMB) << 20, Logger: log})
	if err != nil {
		return fmt.Errorf("tile cache: %w", err)
	}
	if w, ok := st.(changeWatcher); ok {
		// a shared database: a write by any instance reloads the snapshot at
		// once, not at the next poll, and the tile cache drops only the tiles
		// the write touched, as it does for this instance's own writes. Those
		// come here too, after or before the OnChange hooks below: a change
		// the cache already applied drops nothing more. Rows are not counted
		// here (armsflow_rows_written_total counts this process's writes).
		go func() {
			err := w.WatchChangesAfter(ctx, world0.Version, func(ch data.Change) {
				src.MarkStale()
				cache.Invalidate(ch)
				log.Debug("data change from the shared database applied", "version", ch.Version, "all", ch.All,
					"countries", len(ch.Countries), "layers", ch.Layers)
			})
			if err != nil {
				log.Warn("not watching the database for other instances' writes; relying on --poll", "err", err)
			}
		}()
	}
	hub, bus, err := newHub(f, log)
	if err != nil {
		return err
	}
	m.WatchCache(cache.Stats)
	m.WatchHub(hub.Stats)
	m.WatchVersion(st.Version)
	var srvMetrics server.Metrics
	if f.metrics {
		srvMetrics = m
	}

	cfg := server.Config{
		PublicURL:      f.publicURL,
		CORSOrigins:    orDefault(f.corsOrigins, "*"),
		FrameAncestors: orDefault(f.frameAncestors, "*"),
		WriteTokens:    f.writeTokens,
		MaxBodyBytes:   f.maxBody,
		AccessLog:      f.accessLog,
		TrustedProxies: proxies,
		WriteRate:      f.writeRate,
		RoomRate:       f.roomRate,
		Version:        version,
	}
	srv := server.New(cfg, server.Deps{
		Store:   st,
		World:   src,
		Tiles:   cache,
		Live:    m.InstrumentHub(hub),
		Logger:  log,
		Metrics: srvMetrics,
		// the geo snapshot reloads first, then the cache drops what the write touched
		OnChange: []func(data.Change){func(data.Change) { src.MarkStale() }, cache.Invalidate, m.CountChange},
	})
	if len(f.writeTokens) == 0 {
		log.Warn("no --write-tokens: the write API and room creation answer 403")
	}

	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", f.addr, err)
	}
	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: f.readHeaderTimeout,
		ReadTimeout:       f.readTimeout,
		WriteTimeout:      f.writeTimeout,
		IdleTimeout:       f.idleTimeout,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	log.Info("armsflow serving", "url", "http://"+ln.Addr().String(), "db", f.db, "version", version)
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	srv.Drain()
	sctx, cancel := context.WithTimeout(context.Background(), f.shutdownGrace)
	defer cancel()
	hs.RegisterOnShutdown(func() { _ = hub.Shutdown(sctx) })
	defer bus.Close()
	if err := hs.Shutdown(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("shutdown: %w", err)
	}
	return hub.Shutdown(sctx)
}

// newHub makes the live hub on an in-process bus, or on NATS with --bus.
func newHub(f serveFlags, log *slog.Logger) (*live.Hub, live.Bus, error) {
	var bus live.Bus = live.NewMemoryBus()
	if f.bus != "" {
		if !strings.HasPrefix(f.bus, "nats://") {
			return nil, nil, usageError{fmt.Sprintf("--bus %q: want nats://HOST:PORT or nothing", f.bus)}
		}
		host, _ := os.Hostname()
		nb, err := live.NewNATSBus(f.bus, fmt.Sprintf("%s-%d", host, os.Getpid()))
		if err != nil {
			return nil, nil, err
		}
		bus = nb
	}
	hub, err := live.NewHub(live.Options{
		ServerVersion:  version,
		AllowedOrigins: f.wsOrigins,
		MaxConnsPerIP:  f.maxConnsPerIP,
		RoomIdle:       f.roomIdle,
		Logger:         log,
	}, bus)
	if err != nil {
		bus.Close()
		return nil, nil, fmt.Errorf("live hub: %w", err)
	}
	return hub, bus, nil
}

func orDefault(l cli.List, def string) []string {
	if len(l) == 0 {
		return []string{def}
	}
	return l
}

// tuneGC trades a little memory for fewer collections on the tile hot path:
// a higher GC percentage, bounded by a soft memory limit above the tile
// cache's budget so the heap cannot run away. GOGC and GOMEMLIMIT, when set,
// are left to the runtime.
func tuneGC(f serveFlags, log *slog.Logger) {
	if os.Getenv("GOGC") == "" && f.gcPercent > 0 {
		debug.SetGCPercent(f.gcPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		mb := f.memLimitMB
		if mb <= 0 {
			mb = f.cacheMB + 128
		}
		debug.SetMemoryLimit(int64(mb) << 20)
		log.Debug("gc tuned", "gc_percent", f.gcPercent, "memory_limit_mb", mb)
	}
}
