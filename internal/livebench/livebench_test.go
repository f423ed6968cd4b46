package main

import (
	"bytes"
	"os"
	"regexp"
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
	for _, probe := range []string{probeEpoll, probeGorilla} {
		t.Run(probe, func(t *testing.T) { runSmall(t, probe) })
	}
}

func runSmall(t *testing.T, probe string) {
	var out bytes.Buffer
	if err := run(config{clients: []int{20, 50}, broadcasts: 5, size: 100, probe: probe}, &out); err != nil {
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
