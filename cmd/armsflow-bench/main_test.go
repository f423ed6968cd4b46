package main

import (
	"bytes"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/armsflow/armsflow/geo"
	"github.com/armsflow/armsflow/geo/geotest"
	"github.com/armsflow/armsflow/server"
	"github.com/armsflow/armsflow/tiles"
)

// TestBenchAgainstRunningServer runs the command with -url against an
// in-process server over the geotest fixture (small zooms, short run).
func TestBenchAgainstRunningServer(t *testing.T) {
	store := geotest.NewStoreWith(geotest.Fixture())
	src := geo.NewSource(store, time.Hour)
	cache, err := tiles.NewCache(tiles.NewRenderer(src, tiles.Options{}), src, tiles.CacheOptions{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(server.New(server.Config{}, server.Deps{Store: store, Tiles: cache}))
	defer srv.Close()
	var out, errOut bytes.Buffer
	err = run([]string{"-url", srv.URL, "-pid", strconv.Itoa(os.Getpid()), "-max-zoom", "3", "-clients", "4", "-warm", "0s",
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
