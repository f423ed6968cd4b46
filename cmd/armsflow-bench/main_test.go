package main

import (
	"bytes"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/armsflow/armsflow/geo"
	"github.com/armsflow/armsflow/geo/geotest"
	"github.com/armsflow/armsflow/internal/bintest"
	"github.com/armsflow/armsflow/internal/testenv"
	"github.com/armsflow/armsflow/server"
	"github.com/armsflow/armsflow/tiles"
)

// TestBenchAgainstRunningServer runs the command with -url against an
// in-process server over the geotest fixture (small zooms, short run).
func TestBenchAgainstRunningServer(t *testing.T) {
	srv := fixtureServer(t)
	var out, errOut bytes.Buffer
	err := run([]string{"-url", srv.URL, "-pid", strconv.Itoa(os.Getpid()), "-max-zoom", "3", "-clients", "4", "-warm", "0s",
		"-passes", "1", "-wrk-script", "/nonexistent"}, &out, &errOut)
	if err != nil {
		t.Fatalf("run: %v\n%s%s", err, out.String(), errOut.String())
	}
	for _, want := range []string{"cold countries", "warm countries", "cold flows", "cold events", "cold labels", "cold conflicts",
		"peak RSS", "targets", "z3"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if err := run([]string{"-url", "http://10.1.2.3:80"}, &out, &errOut); err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Fatalf("non-loopback URL: %v", err)
	}
	if err := run(nil, &out, &errOut); err == nil {
		t.Fatal("no -bin or -url accepted")
	}
}

// TestBenchWrkAndBaseline runs the wrk part of the bench for a second
// against the fixture server and the bare net/http baseline, and checks
// that both RESULT lines and their ratio are printed.
func TestBenchWrkAndBaseline(t *testing.T) {
	if _, err := exec.LookPath("wrk"); err != nil {
		testenv.Missing(t, testenv.RequireWrk, "wrk is not installed (apt-get install wrk)")
	}
	root, err := bintest.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(root, "..", "shared", "bench", "tiles.lua")
	if _, err := os.Stat(script); err != nil {
		t.Skipf("no wrk script at %s (../shared is absent)", script)
	}
	srv := fixtureServer(t)
	var out, errOut bytes.Buffer
	err = run([]string{"-url", srv.URL, "-max-zoom", "2", "-clients", "4", "-warm", "0s", "-passes", "1",
		"-other-layers=false", "-wrk-script", script, "-wrk-duration", "1s"}, &out, &errOut)
	if err != nil {
		t.Fatalf("run: %v\n%s%s", err, out.String(), errOut.String())
	}
	var rates []float64
	for _, line := range strings.Split(out.String(), "\n") {
		if strings.HasPrefix(line, "wrk (warm cache") || strings.HasPrefix(line, "wrk baseline") {
			if r := wrkRate(line); r > 0 && strings.Contains(line, "non2xx3xx=0") {
				rates = append(rates, r)
			}
		}
	}
	if len(rates) != 2 || !strings.Contains(out.String(), "armsflow / bare net/http: ") {
		t.Fatalf("want two wrk RESULT lines with rps > 0 and no errors, and their ratio:\n%s", out.String())
	}
}

func TestWrkRate(t *testing.T) {
	for line, want := range map[string]float64{
		"RESULT requests=10 duration_s=1.00 rps=68869.2 p50_ms=0.84": 68869.2,
		"RESULT requests=10":       0,
		"wrk: not installed":       0,
		"RESULT rps=oops p50_ms=1": 0,
	} {
		if got := wrkRate(line); got != want {
			t.Errorf("wrkRate(%q) = %v, want %v", line, got, want)
		}
	}
}

// fixtureServer serves the geotest fixture through the real renderer,
// cache and server, in this process.
func fixtureServer(t *testing.T) *httptest.Server {
	t.Helper()
	store := geotest.NewStoreWith(geotest.Fixture())
	src := geo.NewSource(store, time.Hour)
	cache, err := tiles.NewCache(tiles.NewRenderer(src, tiles.Options{}), src, tiles.CacheOptions{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(server.New(server.Config{}, server.Deps{Store: store, Tiles: cache}))
	t.Cleanup(srv.Close)
	return srv
}
