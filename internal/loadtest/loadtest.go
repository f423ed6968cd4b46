// Package loadtest drives an armsflow server's tile endpoint the way
// PERFORMANCE.md measures tile servers: every tile of a zoom range in a
// fixed shuffled order, many keep-alive clients, Accept-Encoding: gzip, a
// cold pass then warm passes. It only talks to loopback addresses and every
// run is bounded.
package loadtest

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/paulmach/orb/maptile"
)

// Config is one load test.
type Config struct {
	BaseURL   string        // the server, e.g. http://127.0.0.1:8080 (loopback only)
	Layer     string        // the layer list of the measured passes; "" = countries
	MinZoom   int           // first zoom (0)
	MaxZoom   int           // last zoom (6: 5,461 tiles)
	Clients   int           // concurrent keep-alive clients; 0 = 64
	Seed      uint64        // shuffle seed; the order is fixed for a seed
	WarmFor   time.Duration // warm passes repeat until this long has passed...
	MaxPasses int           // ...or this many warm passes were made (0 = 20)
	Timeout   time.Duration // per request; 0 = 30s
}

// Pass is the outcome of requesting every tile of the list once or more.
type Pass struct {
	Name         string
	Requests     int
	Elapsed      time.Duration
	OK, Empty    int // 200 and 204 answers
	Errors       int // anything else, with the first few in ErrorSamples
	ErrorSamples []string
	Bytes        int64   // body bytes of the 200 answers
	MaxBody      int     // the largest body
	MaxTile      string  // where it was
	Overall      Latency // over all requests
	PerZoom      map[int]Latency
}

// Latency summarizes request times.
type Latency struct {
	N        int
	P50, P99 time.Duration
	Max      time.Duration
}

// Rate is requests per second.
func (p *Pass) Rate() float64 { return float64(p.Requests) / p.Elapsed.Seconds() }

// MeanBodyAll is the mean body size over every answer, an empty tile (204)
// counting as 0 bytes: what a client downloads per tile on average, and the
// way PERFORMANCE.md's figures for other servers (which answer an empty
// tile with an empty 200) are measured.
func (p *Pass) MeanBodyAll() float64 {
	if p.OK+p.Empty == 0 {
		return 0
	}
	return float64(p.Bytes) / float64(p.OK+p.Empty)
}

// MeanBody is the mean body size of the 200 answers (non-empty tiles).
func (p *Pass) MeanBody() float64 {
	if p.OK == 0 {
		return 0
	}
	return float64(p.Bytes) / float64(p.OK)
}

// TileList returns every tile of zooms min..max in a fixed shuffled order.
func TileList(minZ, maxZ int, seed uint64) []maptile.Tile {
	var ts []maptile.Tile
	for z := minZ; z <= maxZ; z++ {
		n := uint32(1) << z
		for x := range n {
			for y := range n {
				ts = append(ts, maptile.New(x, y, maptile.Zoom(z)))
			}
		}
	}
	rng := rand.New(rand.NewPCG(seed, seed^0x5851f42d4c957f2d))
	rng.Shuffle(len(ts), func(i, j int) { ts[i], ts[j] = ts[j], ts[i] })
	return ts
}

// CheckLoopback refuses any base URL whose host is not a loopback address.
func CheckLoopback(base string) error {
	u, err := url.Parse(base)
	if err != nil {
		return fmt.Errorf("base URL %q: %w", base, err)
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("base URL %q: load tests only target loopback (127.0.0.1, localhost, [::1])", base)
}

// Runner runs passes against one server with one keep-alive connection
// per client, kept from pass to pass.
type Runner struct {
	cfg   Config
	addr  string // host:port of BaseURL
	conns []*conn
	tiles []maptile.Tile
}

// NewRunner checks the config and makes the client.
func NewRunner(cfg Config) (*Runner, error) {
	if err := CheckLoopback(cfg.BaseURL); err != nil {
		return nil, err
	}
	if cfg.Layer == "" {
		cfg.Layer = "countries"
	}
	if cfg.Clients <= 0 {
		cfg.Clients = 64
	}
	if cfg.MaxPasses <= 0 {
		cfg.MaxPasses = 20
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.MinZoom < 0 || cfg.MinZoom > cfg.MaxZoom || cfg.MaxZoom > 12 {
		return nil, fmt.Errorf("zoom range %d-%d: want 0 <= min <= max <= 12", cfg.MinZoom, cfg.MaxZoom)
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || u.Scheme != "http" || u.Port() == "" || (u.Path != "" && u.Path != "/") {
		return nil, fmt.Errorf("base URL %q: want http://HOST:PORT", cfg.BaseURL)
	}
	r := &Runner{cfg: cfg, addr: u.Host, tiles: TileList(cfg.MinZoom, cfg.MaxZoom, cfg.Seed)}
	for range cfg.Clients {
		r.conns = append(r.conns, newConn(u.Host, u.Host, cfg.Timeout))
	}
	return r, nil
}

// Close closes the connections.
func (r *Runner) Close() {
	for _, c := range r.conns {
		c.close()
	}
}

// Tiles is the shuffled tile list.
func (r *Runner) Tiles() []maptile.Tile { return r.tiles }

// Pass requests every tile of layers once with cfg.Clients clients.
func (r *Runner) Pass(ctx context.Context, name, layers string) *Pass {
	return r.passes(ctx, name, layers, 1, 0)
}

// Warm repeats passes of the configured layer until WarmFor has passed or
// MaxPasses were made, and reports them together.
func (r *Runner) Warm(ctx context.Context) *Pass {
	return r.passes(ctx, "warm", r.cfg.Layer, r.cfg.MaxPasses, r.cfg.WarmFor)
}

func (r *Runner) passes(ctx context.Context, name, layers string, maxPasses int, minDur time.Duration) *Pass {
	p := &Pass{Name: name, PerZoom: map[int]Latency{}}
	n := len(r.tiles)
	var all [][]result
	var errMu sync.Mutex
	start := time.Now()
	for pass := 0; pass < maxPasses; pass++ {
		if pass > 0 && time.Since(start) >= minDur {
			break
		}
		samples := make([]result, n)
		var next atomic.Int64
		var wg sync.WaitGroup
		for _, c := range r.conns {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var path []byte
				for {
					i := int(next.Add(1) - 1)
					if i >= n || ctx.Err() != nil {
						return
					}
					t := r.tiles[i]
					path = tilePath(path[:0], layers, t)
					s, err := c.get(ctx, string(path))
					if err != nil {
						errMu.Lock()
						if len(p.ErrorSamples) < 5 {
							p.ErrorSamples = append(p.ErrorSamples, err.Error())
						}
						errMu.Unlock()
					}
					samples[i] = s
				}
			}()
		}
		wg.Wait()
		all = append(all, samples)
	}
	p.Elapsed = time.Since(start)
	var lat []time.Duration
	perZoom := map[int][]time.Duration{}
	for _, samples := range all {
		for i, s := range samples {
			p.Requests++
			t := r.tiles[i]
			switch s.code {
			case http.StatusOK:
				p.OK++
				p.Bytes += int64(s.size)
				if s.size > p.MaxBody {
					p.MaxBody, p.MaxTile = s.size, fmt.Sprintf("%d/%d/%d", t.Z, t.X, t.Y)
				}
			case http.StatusNoContent:
				p.Empty++
			default:
				p.Errors++
			}
			lat = append(lat, s.d)
			perZoom[int(t.Z)] = append(perZoom[int(t.Z)], s.d)
		}
	}
	p.Overall = summarize(lat)
	for z, ds := range perZoom {
		p.PerZoom[z] = summarize(ds)
	}
	return p
}

type result struct {
	d    time.Duration
	size int
	code int
}

// tilePath appends "/tiles/{layers}/{z}/{x}/{y}.mvt" to b.
func tilePath(b []byte, layers string, t maptile.Tile) []byte {
	b = append(b, "/tiles/"...)
	b = append(b, layers...)
	b = append(b, '/')
	b = strconv.AppendUint(b, uint64(t.Z), 10)
	b = append(b, '/')
	b = strconv.AppendUint(b, uint64(t.X), 10)
	b = append(b, '/')
	b = strconv.AppendUint(b, uint64(t.Y), 10)
	return append(b, ".mvt"...)
}

func summarize(ds []time.Duration) Latency {
	if len(ds) == 0 {
		return Latency{}
	}
	slices.Sort(ds)
	q := func(f float64) time.Duration { return ds[min(len(ds)-1, int(f*float64(len(ds))))] }
	return Latency{N: len(ds), P50: q(0.50), P99: q(0.99), Max: ds[len(ds)-1]}
}

// PeakRSS returns a process's peak resident set size in bytes (VmHWM from
// /proc/PID/status; Linux only).
func PeakRSS(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("VmHWM %q: %w", v, err)
			}
			return kb << 10, nil
		}
	}
	return 0, fmt.Errorf("no VmHWM in /proc/%d/status", pid)
}

// Write prints a pass as a small table.
func (p *Pass) Write(w io.Writer) {
	fmt.Fprintf(w, "%-22s %6d req in %6.2fs = %8.0f tiles/s  p50 %7s  p99 %7s  max %7s  200: %d  204: %d  errors: %d  mean body %.0f B per tile, %.0f B per non-empty tile  max body %d B (%s)\n",
		p.Name, p.Requests, p.Elapsed.Seconds(), p.Rate(), ms(p.Overall.P50), ms(p.Overall.P99), ms(p.Overall.Max), p.OK, p.Empty, p.Errors,
		p.MeanBodyAll(), p.MeanBody(), p.MaxBody, p.MaxTile)
	zs := make([]int, 0, len(p.PerZoom))
	for z := range p.PerZoom {
		zs = append(zs, z)
	}
	slices.Sort(zs)
	for _, z := range zs {
		l := p.PerZoom[z]
		fmt.Fprintf(w, "    z%-2d %6d req  p50 %7s  p99 %7s  max %7s\n", z, l.N, ms(l.P50), ms(l.P99), ms(l.Max))
	}
	for _, e := range p.ErrorSamples {
		fmt.Fprintf(w, "    error: %s\n", e)
	}
}

func ms(d time.Duration) string { return strconv.FormatFloat(float64(d)/1e6, 'f', 2, 64) + "ms" }
