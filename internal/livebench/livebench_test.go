package main

import (
	"bytes"
	"os"
	"regexp"
	"strconv"
	"testing"
)

// TestMain lets the test binary play the server when run re-executes it.
func TestMain(m *testing.M) {
	if os.Getenv(roleEnv) == "server" {
		if err := serve(); err != nil {
			os.Stderr.WriteString("livebench server: " + err.Error() + "\n")
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestRunSmall runs the whole measurement, server process included, at a
// small scale: every client gets every broadcast in order.
func TestRunSmall(t *testing.T) {
	for _, tc := range []struct {
		probe string
		burst int
	}{{probeEpoll, 1}, {probeGorilla, 1}, {probeEpoll, 4}} {
		t.Run(tc.probe+"/burst="+strconv.Itoa(tc.burst), func(t *testing.T) { runSmall(t, tc.probe, tc.burst) })
	}
}

func runSmall(t *testing.T, probe string, burst int) {
	var out bytes.Buffer
	if err := run(config{clients: []int{20, 50}, broadcasts: 10, size: 100, probe: probe, burst: burst}, &out); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	t.Log("\n" + out.String())
	for _, n := range []string{"20", "50"} {
		// | clients | connect | p50 / p99 / max | msgs/s | lost | dropped | CPU | memory |
		row := regexp.MustCompile(`(?m)^\| ` + n + ` \| [0-9.]+ \| [0-9.]+ / [0-9.]+ / [0-9.]+ \| [0-9]+ \| 0 \| 0 \| [0-9.]+ / [0-9.]+ \| -?[0-9.]+ \+ -?[0-9.]+ = -?[0-9.]+ / -?[0-9.]+ \|$`)
		if !row.MatchString(out.String()) {
			t.Errorf("no row for %s clients with nothing lost or dropped", n)
		}
	}
}
