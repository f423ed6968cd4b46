package main

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/armsflow/armsflow/internal/loadtest"
)

// wrkBaseline runs the wrk load against the least a Go tile server can do:
// a bare net/http handler answering every tile with a fixed body of size
// bytes and a tile's headers, on loopback in this process (idle otherwise
// while wrk runs). Its requests/s are this machine's ceiling for a
// net/http server, so armsflow's share of it is a figure that holds while
// other work moves the absolute numbers.
func wrkBaseline(ctx context.Context, r *loadtest.Runner, script, layer string, d time.Duration, size int) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	body := make([]byte, max(size, 1))
	hdr := map[string][]string{
		"Content-Type":     {"application/vnd.mapbox-vector-tile"},
		"Content-Encoding": {"gzip"},
		"Content-Length":   {strconv.Itoa(len(body))},
	}
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		h := w.Header()
		for k, v := range hdr {
			h[k] = v
		}
		_, _ = w.Write(body)
	})}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	line, err := r.WrkAt(ctx, "http://"+ln.Addr().String(), script, layer, d)
	_ = srv.Close()
	if serr := <-done; serr != nil && !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	return line, err
}

// wrkRate reads rps= from a RESULT line of the wrk script (0 when absent).
func wrkRate(line string) float64 {
	for _, f := range strings.Fields(line) {
		if v, ok := strings.CutPrefix(f, "rps="); ok {
			x, _ := strconv.ParseFloat(v, 64)
			return x
		}
	}
	return 0
}
