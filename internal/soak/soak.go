package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/data/sqlite"
	"github.com/armsflow/armsflow/internal/bintest"
)

// config is one soak run.
type config struct {
	duration    time.Duration
	tileWorkers int
	apiWorkers  int
	writers     int
	writeEvery  time.Duration // pause between one writer's writes
	wsClients   int
	bin         string // a built armsflow; empty: build one
	keep        bool   // keep the temp dir (database, server log)
}

const token = "soak-write-token-0123456789abcdef"

// kinds of request measured separately.
var kinds = []string{"tile", "api", "write", "ws-event"}

// stats gathers latencies and errors by kind.
type stats struct {
	mu     sync.Mutex
	lat    map[string][]time.Duration
	errs   map[string]int
	sample map[string][]string // the first errors of each kind
}

func newStats() *stats {
	return &stats{lat: map[string][]time.Duration{}, errs: map[string]int{}, sample: map[string][]string{}}
}

func (s *stats) ok(kind string, d time.Duration) {
	s.mu.Lock()
	s.lat[kind] = append(s.lat[kind], d)
	s.mu.Unlock()
}

func (s *stats) fail(kind, format string, args ...any) {
	s.mu.Lock()
	s.errs[kind]++
	if len(s.sample[kind]) < 5 {
		s.sample[kind] = append(s.sample[kind], fmt.Sprintf(format, args...))
	}
	s.mu.Unlock()
}

// result is what a run found.
type result struct {
	requests, errors int
	lostWrites       int // acknowledged writes the database does not show
	missedEvents     int // live events a client should have had and did not
}

// run starts the server, runs the load for cfg.duration, checks the
// database and prints the report to out.
func run(ctx context.Context, cfg config, out io.Writer) (result, error) {
	var res result
	dir, err := os.MkdirTemp("", "armsflow-soak-")
	if err != nil {
		return res, err
	}
	if cfg.keep {
		fmt.Fprintf(out, "soak: files in %s\n", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	bin := cfg.bin
	if bin == "" {
		fmt.Fprintln(out, "soak: building armsflow")
		if bin, err = bintest.Build(ctx, dir); err != nil {
			return res, err
		}
	}
	logf, err := os.Create(filepath.Join(dir, "server.log"))
	if err != nil {
		return res, err
	}
	defer logf.Close()
	db := filepath.Join(dir, "soak.db")
	srv, err := bintest.StartWithLog(ctx, bin, []string{"ARMSFLOW_WRITE_TOKENS=" + token}, logf,
		"--db", db, "--write-rate", "100000/s", "--max-zoom", "14")
	if err != nil {
		return res, err
	}
	stopped := false
	defer func() {
		if !stopped {
			srv.Kill()
		}
	}()
	fmt.Fprintf(out, "soak: armsflow serving %s for %s: %d tile readers, %d API readers, %d writers (one write per %s each), %d WebSocket clients\n",
		srv.URL, cfg.duration, cfg.tileWorkers, cfg.apiWorkers, cfg.writers, cfg.writeEvery, cfg.wsClients)

	l, err := newLoad(ctx, srv.URL, cfg)
	if err != nil {
		return res, err
	}
	baseTransfers, err := l.countTransfers(ctx)
	if err != nil {
		return res, err
	}
	clients, err := l.connectWS(ctx, srv.Addr, cfg.wsClients)
	if err != nil {
		return res, err
	}

	lctx, cancel := context.WithTimeout(ctx, cfg.duration)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range cfg.tileWorkers {
		wg.Go(func() { l.tileWorker(lctx, uint64(i)) })
	}
	for i := range cfg.apiWorkers {
		wg.Go(func() { l.apiWorker(lctx, uint64(100+i)) })
	}
	for i := range cfg.writers {
		wg.Go(func() { l.writer(lctx, i, uint64(200+i)) })
	}
	wg.Wait()
	cancel()
	elapsed := time.Since(start)

	// Let the last events arrive (a minute at most: the machine may be slow
	// and busy), then close the sockets.
	expected := l.expectedEvents()
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) && minEvents(clients) < expected {
		time.Sleep(50 * time.Millisecond)
	}
	for _, c := range clients {
		c.close()
	}
	scrape, _ := l.get(ctx, "/metrics")

	if err := srv.Stop(30 * time.Second); err != nil {
		return res, fmt.Errorf("stop the server: %w", err)
	}
	stopped = true

	// What the database holds against what was acknowledged.
	alive, gone := l.ledger()
	st, err := sqlite.Open(ctx, db)
	if err != nil {
		return res, fmt.Errorf("open the database after the run: %w", err)
	}
	defer st.Close()
	all, err := st.Transfers(ctx, data.Filter{})
	if err != nil {
		return res, err
	}
	byID := map[int64]data.Transfer{}
	for _, t := range all {
		byID[t.ID] = t
	}
	for id, weapon := range alive {
		if t, ok := byID[id]; !ok || t.Weapon != weapon {
			res.lostWrites++
		}
	}
	for id := range gone {
		if _, ok := byID[id]; ok {
			res.lostWrites++ // an acknowledged delete that did not hold
		}
	}
	wantCount := baseTransfers + len(alive)
	if len(all) != wantCount {
		res.lostWrites += abs(len(all) - wantCount)
	}

	// The report.
	s := l.stats
	s.mu.Lock()
	defer s.mu.Unlock()
	fmt.Fprintf(out, "\nsoak: %s of load\n\n", elapsed.Round(time.Second))
	fmt.Fprintf(out, "| kind | requests | errors | req/s | p50 ms | p99 ms | max ms |\n|---|---|---|---|---|---|---|\n")
	for _, k := range kinds {
		lat := s.lat[k]
		slices.Sort(lat)
		if k != "ws-event" {
			res.requests += len(lat) + s.errs[k]
		}
		res.errors += s.errs[k]
		fmt.Fprintf(out, "| %s | %d | %d | %.0f | %s | %s | %s |\n", k, len(lat)+s.errs[k], s.errs[k],
			float64(len(lat)+s.errs[k])/elapsed.Seconds(), pct(lat, 0.50), pct(lat, 0.99), pct(lat, 1))
	}
	for _, k := range kinds {
		for _, e := range s.sample[k] {
			fmt.Fprintf(out, "  %s error: %s\n", k, e)
		}
	}
	fmt.Fprintf(out, "\nwrites acknowledged: %d (POST %d, PUT %d, DELETE %d); transfers alive from them %d, deleted %d\n",
		l.acked.post+l.acked.put+l.acked.del, l.acked.post, l.acked.put, l.acked.del, len(alive), len(gone))
	fmt.Fprintf(out, "database: %d transfers, expected %d (%d before + %d alive); lost writes: %d\n",
		len(all), wantCount, baseTransfers, len(alive), res.lostWrites)
	lo, hi := minEvents(clients), maxEvents(clients)
	res.missedEvents = (expected - lo) * boolInt(lo < expected)
	fmt.Fprintf(out, "WebSocket: %d clients, transfer events expected %d each, received min %d max %d; socket errors %d\n",
		len(clients), expected, lo, hi, s.errs["ws"])
	res.errors += s.errs["ws"]
	for _, name := range []string{"armsflow_tile_cache_hits_total", "armsflow_tile_cache_misses_total", "armsflow_live_slow_drops_total",
		"armsflow_data_version", "process_resident_memory_bytes", "go_goroutines"} {
		if v := metricValue(scrape, name); v != "" {
			fmt.Fprintf(out, "server %s %s\n", name, v)
		}
	}
	if fi, err := logf.Stat(); err == nil {
		fmt.Fprintf(out, "server log: %.1f MiB of access and other lines\n", float64(fi.Size())/(1<<20))
	}
	return res, nil
}

func pct(lat []time.Duration, p float64) string {
	if len(lat) == 0 {
		return "-"
	}
	i := int(p * float64(len(lat)-1))
	return fmt.Sprintf("%.1f", float64(lat[i].Microseconds())/1000)
}

func metricValue(scrape, name string) string {
	for _, l := range strings.Split(scrape, "\n") {
		if v, ok := strings.CutPrefix(l, name+" "); ok {
			return v
		}
	}
	return ""
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// countTransfers reads the API's total of transfers.
func (l *load) countTransfers(ctx context.Context) (int, error) {
	b, err := l.get(ctx, "/api/transfers?limit=1")
	if err != nil {
		return 0, err
	}
	var v struct {
		Total int `json:"total"`
	}
	if err := json.Unmarshal([]byte(b), &v); err != nil {
		return 0, fmt.Errorf("/api/transfers: %w", err)
	}
	return v.Total, nil
}

func (l *load) get(ctx context.Context, path string) (string, error) {
	req, _ := http.NewRequestWithContext(ctx, "GET", l.base+path, nil)
	res, err := l.client.Do(req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		return "", fmt.Errorf("GET %s: %d", path, res.StatusCode)
	}
	return string(b), err
}
