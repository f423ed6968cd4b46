// Command armsflow-bench load-tests armsflow's tile serving on loopback, the
// way PERFORMANCE.md measures other tile servers: every countries tile of
// z0–z6 (5,461) in a fixed shuffled order, 64 keep-alive clients,
// Accept-Encoding: gzip; a cold pass on a fresh server, then warm passes;
// then one pass of every other layer. It prints tiles/s, p50/p99 latency
// overall and per zoom, body sizes, and the server's peak RSS, and runs wrk
// with ../shared/bench/tiles.lua as well when wrk is installed. Targets are
// reported, not asserted.
//
//	armsflow-bench -bin bin/armsflow            start `armsflow serve` on a free port with a temporary database
//	armsflow-bench -url http://127.0.0.1:8080   measure a server already running (-pid for its RSS)
//	armsflow-bench -bin bin/armsflow -postgres "$ARMSFLOW_TEST_POSTGRES"
//	                                            the same against a fresh PostgreSQL database made on that cluster
//
// With -bin the report also gives the time from start to ready: on a fresh
// database that is the schema, the default data load and the first
// snapshot, the part of serving where the store matters most (tiles are
// rendered from the in-memory snapshot).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/armsflow/armsflow/internal/loadtest"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "armsflow-bench:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("armsflow-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	bin := fs.String("bin", "", "armsflow binary to start (serve on 127.0.0.1, a free port, a temporary database)")
	base := fs.String("url", "", "base URL of a server already running on loopback (instead of -bin)")
	pid := fs.Int("pid", 0, "with -url: the server's process id, for its peak RSS")
	db := fs.String("db", "", "with -bin: the server's --db, a SQLite path or a postgres:// URL (default: a fresh temporary SQLite file)")
	pgBase := fs.String("postgres", "", "with -bin: postgres:// URL of a cluster (e.g. $ARMSFLOW_TEST_POSTGRES); serve from a fresh database made on it, dropped afterwards")
	layer := fs.String("layer", "countries", "layer list of the measured passes")
	maxZoom := fs.Int("max-zoom", 6, "last zoom requested")
	clients := fs.Int("clients", 64, "concurrent keep-alive clients")
	warm := fs.Duration("warm", 10*time.Second, "warm passes repeat for at least this long (at most -passes)")
	passes := fs.Int("passes", 20, "most warm passes")
	others := fs.Bool("other-layers", true, "also request every tile of every other layer once")
	wrkScript := fs.String("wrk-script", "../shared/bench/tiles.lua", "wrk script (run only when wrk is installed)")
	wrkDur := fs.Duration("wrk-duration", 20*time.Second, "wrk run length")
	baseline := fs.Bool("baseline", true, "after wrk, run the same wrk load against a bare net/http server in this process (the machine's ceiling, for ratios that hold on a noisy machine)")
	seed := fs.Uint64("seed", 1, "shuffle seed")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if (*bin == "") == (*base == "") {
		return errors.New("give exactly one of -bin (start a server) or -url (use a running one)")
	}
	if *bin == "" && (*db != "" || *pgBase != "") {
		return errors.New("-db and -postgres go with -bin (the bench starts the server)")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	storeLine := ""
	if *bin != "" {
		st, err := newBenchStore(ctx, *db, *pgBase)
		if err != nil {
			return err
		}
		defer func() {
			if err := st.cleanup(); err != nil {
				fmt.Fprintf(stderr, "armsflow-bench: remove the bench database: %v\n", err)
			}
		}()
		began := time.Now()
		srv, err := startServer(ctx, *bin, st.db, stderr)
		if err != nil {
			return err
		}
		defer srv.stop()
		*base, *pid = srv.url, srv.cmd.Process.Pid
		storeLine = fmt.Sprintf("store: %s; start to ready (schema, default data if new, first snapshot): %.2f s\n", st.label, time.Since(began).Seconds())
	}
	r, err := loadtest.NewRunner(loadtest.Config{BaseURL: *base, Layer: *layer, MaxZoom: *maxZoom, Clients: *clients,
		Seed: *seed, WarmFor: *warm, MaxPasses: *passes})
	if err != nil {
		return err
	}
	defer r.Close()
	fmt.Fprintf(stdout, "armsflow tile load test: %s, %d tiles of z0-z%d, %d clients, Accept-Encoding: gzip\n", *base, len(r.Tiles()), *maxZoom, *clients)
	fmt.Fprint(stdout, storeLine)
	cold := r.Pass(ctx, "cold "+*layer, *layer)
	cold.Write(stdout)
	w := r.Warm(ctx)
	w.Name = "warm " + *layer
	w.Write(stdout)
	var all []*loadtest.Pass
	all = append(all, cold, w)
	if *others {
		layers, err := catalogLayers(ctx, *base)
		if err != nil {
			fmt.Fprintf(stdout, "other layers: %v\n", err)
		}
		for _, l := range layers {
			if l == *layer {
				continue
			}
			p := r.Pass(ctx, "cold "+l, l)
			p.Write(stdout)
			all = append(all, p)
		}
	}
	if *pid > 0 {
		if rss, err := loadtest.PeakRSS(*pid); err == nil {
			fmt.Fprintf(stdout, "server peak RSS (VmHWM): %.1f MiB\n", float64(rss)/(1<<20))
		} else {
			fmt.Fprintf(stdout, "server peak RSS: %v\n", err)
		}
	}
	fmt.Fprintln(stdout, "targets (reported, not asserted):")
	fmt.Fprintf(stdout, "  warm >= 20,000 tiles/s with p99 < 5 ms: %.0f tiles/s, p99 %.2f ms -> %s\n", w.Rate(), msf(w.Overall.P99),
		verdict(w.Rate() >= 20000 && w.Overall.P99 < 5*time.Millisecond))
	worst := time.Duration(0)
	for _, l := range cold.PerZoom {
		worst = max(worst, l.P99)
	}
	fmt.Fprintf(stdout, "  cold countries p99 < 50 ms at every zoom: worst zoom p99 %.2f ms -> %s\n", msf(worst), verdict(worst < 50*time.Millisecond))
	biggest := 0
	for _, p := range all {
		biggest = max(biggest, p.MaxBody)
	}
	fmt.Fprintf(stdout, "  no tile over 500 KB (gzip): largest %d B -> %s\n", biggest, verdict(biggest <= 500_000))
	errs := 0
	for _, p := range all {
		errs += p.Errors
	}
	if errs > 0 {
		fmt.Fprintf(stdout, "  %d requests failed\n", errs)
	}

	if _, err := os.Stat(*wrkScript); err == nil {
		line, err := r.Wrk(ctx, *wrkScript, *layer, *wrkDur)
		switch {
		case errors.Is(err, exec.ErrNotFound):
			fmt.Fprintln(stdout, "wrk: not installed (apt-get install wrk), skipped")
		case err != nil:
			fmt.Fprintf(stdout, "wrk: %v\n", err)
		default:
			fmt.Fprintf(stdout, "wrk (warm cache, PERFORMANCE.md settings): %s\n", line)
		}
		if *pid > 0 {
			if rss, err := loadtest.PeakRSS(*pid); err == nil {
				fmt.Fprintf(stdout, "server peak RSS after wrk: %.1f MiB\n", float64(rss)/(1<<20))
			}
		}
		if err == nil && *baseline {
			bl, berr := wrkBaseline(ctx, r, *wrkScript, *layer, *wrkDur, int(w.MeanBody()))
			if berr != nil {
				fmt.Fprintf(stdout, "wrk baseline: %v\n", berr)
			} else {
				fmt.Fprintf(stdout, "wrk baseline (bare net/http, same load, fixed %d B body): %s\n", int(w.MeanBody()), bl)
				if a, b := wrkRate(line), wrkRate(bl); a > 0 && b > 0 {
					fmt.Fprintf(stdout, "  armsflow / bare net/http: %.2f of the requests/s\n", a/b)
				}
			}
		}
	}
	if errs > 0 {
		return fmt.Errorf("%d requests failed", errs)
	}
	return nil
}

func msf(d time.Duration) float64 { return float64(d) / 1e6 }

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT met"
}

// catalogLayers reads the layer names from /tiles/catalog.
func catalogLayers(ctx context.Context, base string) ([]string, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/tiles/catalog", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("catalog: %s", resp.Status)
	}
	var cat struct {
		Layers []struct {
			ID string `json:"id"`
		} `json:"layers"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&cat); err != nil {
		return nil, fmt.Errorf("catalog: %w", err)
	}
	var out []string
	for _, l := range cat.Layers {
		out = append(out, l.ID)
	}
	return out, nil
}

type childServer struct {
	cmd  *exec.Cmd
	url  string
	done chan error
}

// startServer runs `bin serve --db db` on a free loopback port and waits
// until it answers.
func startServer(ctx context.Context, bin, db string, stderr io.Writer) (*childServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(bin, "serve", "--addr", addr, "--db", db)
	cmd.Stdout, cmd.Stderr = io.Discard, stderr
	cmd.Env = slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "ARMSFLOW_") })
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	s := &childServer{cmd: cmd, url: "http://" + addr, done: make(chan error, 1)}
	go func() { s.done <- cmd.Wait() }()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.url+"/tiles/catalog", nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, nil
			}
		}
		select {
		case err := <-s.done:
			return nil, fmt.Errorf("%s serve exited before answering: %v", bin, err)
		case <-ctx.Done():
			s.stop()
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.stop()
			return nil, fmt.Errorf("%s serve did not answer /tiles/catalog with 200 within 2 minutes", bin)
		}
	}
}

// stop ends the server (SIGTERM, then SIGKILL after 10s).
func (s *childServer) stop() {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
}
