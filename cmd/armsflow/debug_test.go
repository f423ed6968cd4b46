package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
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
