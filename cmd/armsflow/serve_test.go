package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestServeDebug(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	for _, addr := range []string{"0.0.0.0:0", ":0", "10.1.2.3:0", "example.org:0", "nonsense"} {
		_, err := serveDebug(context.Background(), addr, log)
		var ue usageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), "--debug-addr") {
			t.Errorf("--debug-addr %q: got %v, want a usage error naming the flag", addr, err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a, err := serveDebug(ctx, "127.0.0.1:0", log)
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.Get("http://" + a.String() + "/debug/pprof/goroutine?debug=1")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(b), "goroutine profile:") {
		t.Fatalf("goroutine profile: %d %.200s", res.StatusCode, b)
	}
}

// TestServeRefusesBadFlags: flags that do not parse stop serve before it
// opens the database, with exit status 2 and the flag named.
func TestServeRefusesBadFlags(t *testing.T) {
	db := filepath.Join(t.TempDir(), "never.db")
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--trusted-proxies", "10.0.0.0/8,proxy.example"}, `--trusted-proxies: trusted proxy "proxy.example"`},
		{[]string{"--max-zoom", "30"}, "--max-zoom"},
		{[]string{"--log-format", "xml"}, "--log-format"},
	} {
		_, _, err := runCLI(t, append([]string{"serve", "--db", db}, tt.args...)...)
		if exitCode(err) != 2 || err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("serve %v: exit %d, %v; want 2 and %q", tt.args, exitCode(err), err, tt.want)
		}
	}
	if _, err := os.Stat(db); !os.IsNotExist(err) {
		t.Fatalf("a refused serve created its database: %v", err)
	}
}
