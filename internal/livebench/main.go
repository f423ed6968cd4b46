// Command livebench measures armsflow's live fan-out on loopback, the way
// /work/shared/PERFORMANCE.md measures Centrifugo: N WebSocket clients
// subscribed to the data channel, one broadcast at a time, time until every
// client has it; the CPU time the server and the clients spend per message
// delivered (figures that vary less than delays when other work shares the
// machine); and the server's memory per idle connection.
//
// The server (a live.Hub behind net/http) runs in a child process, this
// program re-executed, so the clients' memory does not count. Each
// broadcast carries the time it was published; a client's delay is when it
// read it minus that. Everything runs on 127.0.0.1, every wait has a
// timeout, and the run ends by itself.
//
//	go run ./internal/livebench [-clients 1000,5000,10000] [-broadcasts 100] [-burst 1] [-size 512] [-probe epoll|gorilla]
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	if os.Getenv(roleEnv) == "server" {
		if err := serve(); err != nil {
			fmt.Fprintln(os.Stderr, "livebench server:", err)
			os.Exit(1)
		}
		return
	}
	var cfg config
	var clients string
	flag.StringVar(&clients, "clients", "1000,5000,10000", "client counts to measure, comma-separated")
	flag.IntVar(&cfg.broadcasts, "broadcasts", 100, "broadcasts per client count")
	flag.IntVar(&cfg.burst, "burst", 1, "broadcasts published at once (a bulk write publishes one event per transfer)")
	flag.IntVar(&cfg.size, "size", 512, "padding bytes per broadcast (a transfer event with its flow is about 1 KiB)")
	flag.DurationVar(&cfg.interval, "interval", 0, "time between broadcasts (0: the next one as soon as every client has the last)")
	flag.StringVar(&cfg.probe, "probe", probeEpoll, "how the clients read: "+probeEpoll+" (a few goroutines on epoll sets: the cheaper probe) or "+probeGorilla+" (a gorilla/websocket reader goroutine per client)")
	cpuprofile := flag.String("cpuprofile", "", "write the clients' CPU profile to this file (the server's: LIVEBENCH_CPUPROFILE=file)")
	flag.Parse()
	if cfg.probe != probeEpoll && cfg.probe != probeGorilla {
		fmt.Fprintf(os.Stderr, "livebench: -probe %q: want %s or %s\n", cfg.probe, probeEpoll, probeGorilla)
		os.Exit(2)
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "livebench:", err)
			os.Exit(1)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	for _, s := range strings.Split(clients, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			fmt.Fprintf(os.Stderr, "livebench: -clients %q: want positive whole numbers\n", s)
			os.Exit(2)
		}
		cfg.clients = append(cfg.clients, n)
	}
	if err := run(cfg, os.Stdout); err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintln(os.Stderr, "livebench:", err)
		os.Exit(1)
	}
}

type config struct {
	clients    []int
	broadcasts int
	size       int
	interval   time.Duration
	probe      string // probeEpoll (also when empty) or probeGorilla
	burst      int    // broadcasts published at once [1]
}

// The probes: how the clients read their sockets.
const (
	probeEpoll   = "epoll"
	probeGorilla = "gorilla"
)

// result is one client count's figures.
type result struct {
	clients          int
	connect          time.Duration
	p50, p99, max    time.Duration
	msgsPerSec       float64
	lost, dropped    int64
	idleHeapPerConn  float64 // bytes: heap in use delta / clients
	idleStackPerConn float64 // bytes: goroutine stacks delta / clients
	idleRSSPerConn   float64 // bytes: RSS delta / clients
	serverGoroutines int
	serverCPU        time.Duration // server CPU time per delivery during the broadcasts
	probeCPU         time.Duration // this process's (the clients') CPU time per delivery
}

func run(cfg config, out io.Writer) error {
	limit := raiseFileLimit()
	srv, err := startServer()
	if err != nil {
		return err
	}
	defer srv.stop()
	if cfg.probe == "" {
		cfg.probe = probeEpoll
	}
	cfg.burst = max(cfg.burst, 1)
	fmt.Fprintf(out, "live fan-out on loopback: %d broadcasts of ~%d B per client count, %d at a time; %s probe; open-file limit %d\n\n",
		cfg.broadcasts, cfg.size+80, cfg.burst, cfg.probe, limit)
	fmt.Fprintln(out, "| clients | connect, s | delivery p50 / p99 / max, ms | messages/s | lost | dropped | CPU per delivery, µs: server / probe | per idle connection: heap + stacks = total / RSS, KiB |")
	fmt.Fprintln(out, "|---|---|---|---|---|---|---|---|")
	for _, n := range cfg.clients {
		if uint64(n)+64 > limit {
			fmt.Fprintf(out, "| %d | skipped: open-file limit %d |\n", n, limit)
			continue
		}
		r, err := measure(srv, n, cfg)
		if err != nil {
			return fmt.Errorf("%d clients: %w", n, err)
		}
		fmt.Fprintf(out, "| %d | %.2f | %.1f / %.1f / %.1f | %.0f | %d | %d | %.1f / %.1f | %.1f + %.1f = %.1f / %.1f |\n", r.clients, r.connect.Seconds(),
			ms(r.p50), ms(r.p99), ms(r.max), r.msgsPerSec, r.lost, r.dropped, us(r.serverCPU), us(r.probeCPU),
			r.idleHeapPerConn/1024, r.idleStackPerConn/1024, (r.idleHeapPerConn+r.idleStackPerConn)/1024, r.idleRSSPerConn/1024)
	}
	return nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func us(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }

// measure connects n clients, measures idle memory, runs the broadcasts
// and disconnects everyone.
func measure(srv *server, n int, cfg config) (result, error) {
	r := result{clients: n}
	// The previous count's clients may still be closing on the server's
	// side: start from none, or they would count here.
	if err := srv.waitConns(0, 30*time.Second); err != nil {
		return r, err
	}
	before, err := srv.stats()
	if err != nil {
		return r, err
	}
	start := time.Now()
	cs, err := connectAll(srv.wsURL(), n, cfg.broadcasts)
	defer closeAll(cs)
	if err != nil {
		return r, err
	}
	r.connect = time.Since(start)
	time.Sleep(500 * time.Millisecond) // let handshake garbage settle
	idle, err := srv.stats()
	if err != nil {
		return r, err
	}
	if idle.Conns != n {
		return r, fmt.Errorf("server holds %d connections, want %d", idle.Conns, n)
	}
	r.idleHeapPerConn = float64(idle.HeapInuse-before.HeapInuse) / float64(n)
	r.idleStackPerConn = float64(idle.StackInuse-before.StackInuse) / float64(n)
	r.idleRSSPerConn = float64(idle.RSS-before.RSS) / float64(n)
	r.serverGoroutines = idle.Goroutines

	var p progress
	if cfg.probe == probeGorilla {
		for _, c := range cs {
			go c.read(&p)
		}
	} else {
		er, err := startEpoll(cs, runtime.GOMAXPROCS(0), &p)
		if err != nil {
			return r, err
		}
		defer er.close()
	}
	srvCPU0, err := srv.cpu()
	if err != nil {
		return r, err
	}
	probeCPU0 := cpuTime()
	start = time.Now()
	for seq := 0; seq < cfg.broadcasts; seq += cfg.burst {
		k := min(cfg.burst, cfg.broadcasts-seq)
		p.target.Store(int64(n) * int64(seq+k))
		if err := srv.publish(seq, k, cfg.size); err != nil {
			return r, err
		}
		if cfg.interval > 0 {
			time.Sleep(cfg.interval)
			continue
		}
		// Lockstep: the next broadcast (or burst) once every client has
		// this one (or 10s passed: a lost message then shows in the count).
		p.wait(10 * time.Second)
	}
	want := int64(n) * int64(cfg.broadcasts)
	p.target.Store(want)
	p.wait(time.Minute) // what has not come by then is lost
	elapsed := time.Since(start)
	probeCPU := cpuTime() - probeCPU0
	srvCPU1, err := srv.cpu()
	if err != nil {
		return r, err
	}
	if got := p.got.Load(); got > 0 {
		r.serverCPU = (srvCPU1 - srvCPU0) / time.Duration(got)
		r.probeCPU = probeCPU / time.Duration(got)
	}
	r.msgsPerSec = float64(p.got.Load()) / elapsed.Seconds()
	r.lost = want - p.got.Load()
	after, err := srv.stats()
	if err != nil {
		return r, err
	}
	r.dropped = after.SlowDrops - before.SlowDrops

	lat := make([]time.Duration, 0, want)
	gaps, bad := 0, 0
	for _, c := range cs {
		c.mu.Lock()
		lat = append(lat, c.lat...)
		gaps += c.gaps
		bad += c.errors
		c.mu.Unlock()
	}
	if bad > 0 {
		return r, fmt.Errorf("clients got %d frames a server should not send", bad)
	}
	if len(lat) == 0 {
		return r, errors.New("no message was delivered")
	}
	if gaps > 0 {
		return r, fmt.Errorf("clients saw %d gaps or reorderings in the sequence", gaps)
	}
	slices.Sort(lat)
	r.p50, r.p99, r.max = lat[len(lat)/2], lat[len(lat)*99/100], lat[len(lat)-1]
	return r, nil
}

// progress counts deliveries and wakes the driver when they reach target.
type progress struct {
	got, target atomic.Int64
	reached     chan struct{}
	once        sync.Once
}

func (p *progress) ch() chan struct{} {
	p.once.Do(func() { p.reached = make(chan struct{}, 1) })
	return p.reached
}

// delivered counts one delivery.
func (p *progress) delivered() {
	if p.got.Add(1) >= p.target.Load() {
		select {
		case p.ch() <- struct{}{}:
		default:
		}
	}
}

// wait returns once got reaches target, or after d.
func (p *progress) wait(d time.Duration) {
	deadline := time.NewTimer(d)
	defer deadline.Stop()
	for p.got.Load() < p.target.Load() {
		select {
		case <-p.ch():
		case <-deadline.C:
			return
		}
	}
}

// server is the child process running serve.
type server struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	addr  string
	http  *http.Client
}

func startServer() (*server, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe)
	if strings.HasSuffix(exe, ".test") {
		cmd.Args = append(cmd.Args, "-test.run=^$") // a test binary: run no tests, just main's role
	}
	cmd.Env = append(os.Environ(), roleEnv+"=server")
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start server: %w", err)
	}
	s := &server{cmd: cmd, stdin: stdin, http: &http.Client{Timeout: 30 * time.Second}}
	line := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), "ADDR "); ok {
				line <- a
			}
		}
	}()
	select {
	case s.addr = <-line:
	case <-time.After(30 * time.Second):
		s.stop()
		return nil, errors.New("server did not start within 30s")
	}
	if !strings.HasPrefix(s.addr, "127.0.0.1:") {
		s.stop()
		return nil, fmt.Errorf("server address %s is not loopback", s.addr)
	}
	return s, nil
}

func (s *server) wsURL() string { return "ws://" + s.addr + "/ws" }

func (s *server) stop() {
	s.stdin.Close()
	done := make(chan struct{})
	go func() { s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		s.cmd.Process.Kill()
		<-done
	}
}

func (s *server) stats() (serverStats, error) {
	var st serverStats
	resp, err := s.http.Get("http://" + s.addr + "/stats")
	if err != nil {
		return st, err
	}
	defer resp.Body.Close()
	return st, json.NewDecoder(resp.Body).Decode(&st)
}

// cpu is the server process's CPU time so far.
func (s *server) cpu() (time.Duration, error) {
	resp, err := s.http.Get("http://" + s.addr + "/cpu")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	ns, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("server cpu: %w", err)
	}
	return time.Duration(ns), nil
}

// waitConns polls the server until it holds n connections, for at most d.
func (s *server) waitConns(n int, d time.Duration) error {
	deadline := time.Now().Add(d)
	for {
		st, err := s.stats()
		if err != nil {
			return err
		}
		if st.Conns == n {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("server holds %d connections after %s, want %d", st.Conns, d, n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// publish has the server broadcast n messages, seq, seq+1...
func (s *server) publish(seq, n, size int) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "POST", fmt.Sprintf("http://%s/publish?seq=%d&n=%d&size=%d", s.addr, seq, n, size), nil)
	resp, err := s.http.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		return fmt.Errorf("publish: %s", resp.Status)
	}
	return nil
}
