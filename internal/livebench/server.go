package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/armsflow/armsflow/server/live"
)

// roleEnv makes this program (or its test binary) the measured server.
const roleEnv = "LIVEBENCH_ROLE"

// serverStats is what the server reports about itself after a full GC.
type serverStats struct {
	RSS        int64 `json:"rss"`         // resident set, bytes
	HeapInuse  int64 `json:"heap_inuse"`  // Go heap in use
	StackInuse int64 `json:"stack_inuse"` // goroutine stacks
	Goroutines int   `json:"goroutines"`
	Conns      int   `json:"conns"`
	SlowDrops  int64 `json:"slow_drops"`
}

// serve runs a hub on a loopback port, prints "ADDR host:port" and serves
// /ws, POST /publish?seq=S&n=N&size=B (N broadcasts, S, S+1..., each
// stamped with the time it was published), GET /stats and GET /cpu (CPU time used, ns) until stdin
// closes or it is signalled.
func serve() error {
	raiseFileLimit()
	if p := os.Getenv("LIVEBENCH_CPUPROFILE"); p != "" {
		f, err := os.Create(p)
		if err != nil {
			return err
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	hub, err := live.NewHub(live.Options{ServerVersion: "livebench", MaxConnsPerIP: -1,
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))}, live.NewMemoryBus())
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("GET /ws", hub)
	mux.HandleFunc("POST /publish", func(w http.ResponseWriter, r *http.Request) {
		seq, _ := strconv.Atoi(r.URL.Query().Get("seq"))
		size, _ := strconv.Atoi(r.URL.Query().Get("size"))
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		pad := strings.Repeat("x", max(size, 0))
		for i := range max(n, 1) {
			ev := benchEvent{Seq: seq + i, Pad: pad}
			ev.T = time.Now().UnixNano()
			if err := hub.Publish(r.Context(), live.ChannelData, live.TypeTransferAdded, ev); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /cpu", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, cpuTime().Nanoseconds())
	})
	mux.HandleFunc("GET /stats", func(w http.ResponseWriter, r *http.Request) {
		// An idle server's forced GCs (every 2 min) shrink goroutine stacks
		// one halving at a time; a few GCs show that steady state.
		for range 4 {
			runtime.GC()
		}
		debug.FreeOSMemory()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		st := hub.Stats()
		json.NewEncoder(w).Encode(serverStats{RSS: rss(), HeapInuse: int64(ms.HeapInuse), StackInuse: int64(ms.StackInuse),
			Goroutines: runtime.NumGoroutine(), Conns: st.Conns, SlowDrops: int64(st.SlowDrops)})
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	fmt.Printf("ADDR %s\n", ln.Addr())

	// The driver holds our stdin: when it goes away, so do we.
	done := make(chan struct{})
	go func() { io.Copy(io.Discard, os.Stdin); close(done) }()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	select {
	case <-done:
	case <-sig:
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	hub.Shutdown(ctx)
	return hs.Shutdown(ctx)
}

// benchEvent is the broadcast: its sequence number and when it was
// published (Unix nanoseconds; server and clients share the clock).
type benchEvent struct {
	Seq int    `json:"seq"`
	T   int64  `json:"t"`
	Pad string `json:"pad"`
}

// rss reads this process's resident set size from /proc (0 elsewhere).
func rss() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// cpuTime is the CPU time (user + system) this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// raiseFileLimit lifts the open-file soft limit to the hard limit.
func raiseFileLimit() uint64 {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return 0
	}
	if l.Cur < l.Max {
		l.Cur = l.Max
		_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l)
	}
	return l.Cur
}
