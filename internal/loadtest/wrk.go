package loadtest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Wrk runs wrk with PERFORMANCE.md's script and settings (-t2 -c64
// --latency, Accept-Encoding: gzip) over the runner's tile list for d, and
// returns the script's RESULT line. It returns an error wrapping
// exec.ErrNotFound when wrk is not installed.
func (r *Runner) Wrk(ctx context.Context, script, layers string, d time.Duration) (string, error) {
	return r.WrkAt(ctx, r.cfg.BaseURL, script, layers, d)
}

// WrkAt is Wrk against another server at base (loopback only), such as a
// bare net/http baseline on the same machine.
func (r *Runner) WrkAt(ctx context.Context, base, script, layers string, d time.Duration) (string, error) {
	if err := CheckLoopback(base); err != nil {
		return "", err
	}
	bin, err := exec.LookPath("wrk")
	if err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp("", "armsflow-wrk-*")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	var list bytes.Buffer
	for _, t := range r.tiles {
		fmt.Fprintf(&list, "%d/%d/%d\n", t.Z, t.X, t.Y)
	}
	lf := filepath.Join(dir, "tiles.txt")
	if err := os.WriteFile(lf, list.Bytes(), 0o644); err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, d+time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-t2", "-c"+strconv.Itoa(r.cfg.Clients), "-d"+strconv.Itoa(int(d.Seconds()))+"s", "--latency",
		"--timeout", "30s", "-s", script, base, "--", "/tiles/"+layers+"/{z}/{x}/{y}.mvt", lf, "2")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("wrk: %w: %s", err, out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(line, "RESULT ") {
			return line, nil
		}
	}
	return "", fmt.Errorf("wrk printed no RESULT line: %s", out)
}
