// Package bintest runs the real armsflow binary for tests and tools that
// must see the whole program: it builds cmd/armsflow, starts `armsflow
// serve` on a free loopback port and waits until it is ready, stops it
// with a signal, and hashes a database's content through data.Store reads
// so a test can show that a refused input changed nothing.
package bintest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/data/sqlite"
)

// RepoRoot is the directory holding go.mod, found by walking up from the
// working directory.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod not found above the working directory")
		}
		dir = parent
	}
}

// Build compiles ./cmd/armsflow into dir and returns the binary's path.
func Build(ctx context.Context, dir string) (string, error) {
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "armsflow")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/armsflow")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/armsflow: %w\n%s", err, out)
	}
	return bin, nil
}

// FreeAddr returns a loopback address with a port free a moment ago.
func FreeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	addr := ln.Addr().String()
	return addr, ln.Close()
}

// Server is a running `armsflow serve`.
type Server struct {
	Addr string // host:port on 127.0.0.1
	URL  string // http://Addr
	Cmd  *exec.Cmd

	mu     sync.Mutex
	stderr bytes.Buffer
	logTo  io.Writer // when set, the log goes here instead of stderr
	inUse  bool      // the log said the address was taken
	done   chan struct{}
	err    error // from Wait, once done is closed
}

// Write collects the server's stderr (its log).
func (s *Server) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if bytes.Contains(p, []byte("address already in use")) {
		s.inUse = true
	}
	if s.logTo != nil {
		return s.logTo.Write(p)
	}
	return s.stderr.Write(p)
}

func (s *Server) addrInUse() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.inUse
}

// Log is what the server has logged so far.
func (s *Server) Log() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stderr.String()
}

// ReadyTimeout bounds the wait for a started server to answer /readyz: a
// fresh database loads the default data first, and the machine may be slow
// and busy.
const ReadyTimeout = 5 * time.Minute

// Start runs `bin serve --addr <free port> args...` with env added to the
// environment, and waits (up to ReadyTimeout) until /readyz answers 200.
func Start(ctx context.Context, bin string, env []string, args ...string) (*Server, error) {
	return StartWithLog(ctx, bin, env, nil, args...)
}

// StartWithLog is Start with the server's output written to log (a file,
// for long runs) instead of kept in memory; nil keeps it in memory.
//
// The port is free when chosen but another process may take it before
// the server listens: the server then exits saying so, and StartWithLog
// tries again on another port (a few times).
func StartWithLog(ctx context.Context, bin string, env []string, log io.Writer, args ...string) (*Server, error) {
	for attempt := 1; ; attempt++ {
		s, err := start(ctx, bin, env, log, args...)
		if err == nil {
			return s, nil
		}
		if s == nil || !s.addrInUse() || attempt == 3 {
			return nil, err
		}
	}
}

// start is one attempt of StartWithLog; when the server exits before it
// is ready, it returns the (ended) server with the error.
func start(ctx context.Context, bin string, env []string, log io.Writer, args ...string) (*Server, error) {
	addr, err := FreeAddr()
	if err != nil {
		return nil, err
	}
	s := &Server{Addr: addr, URL: "http://" + addr, done: make(chan struct{}), logTo: log}
	s.Cmd = exec.Command(bin, append([]string{"serve", "--addr", addr}, args...)...)
	s.Cmd.Env = append(os.Environ(), env...)
	s.Cmd.Stdout = s
	s.Cmd.Stderr = s
	if err := s.Cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	go func() {
		s.err = s.Cmd.Wait()
		close(s.done)
	}()
	probe := &http.Client{Timeout: 10 * time.Second}
	deadline := time.Now().Add(ReadyTimeout)
	for {
		select {
		case <-s.done:
			return s, fmt.Errorf("armsflow serve exited before it was ready: %v\n%s", s.err, s.Log())
		case <-ctx.Done():
			s.Kill()
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if res, err := probe.Get(s.URL + "/readyz"); err == nil {
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return s, nil
			}
		}
		if time.Now().After(deadline) {
			s.Kill()
			return nil, fmt.Errorf("armsflow serve not ready after %s\n%s", ReadyTimeout, s.Log())
		}
	}
}

// Done is closed when the process has exited.
func (s *Server) Done() <-chan struct{} { return s.done }

// ExitErr is the process's exit error, once Done is closed.
func (s *Server) ExitErr() error { <-s.done; return s.err }

// Signal sends sig to the process.
func (s *Server) Signal(sig os.Signal) error { return s.Cmd.Process.Signal(sig) }

// Stop sends SIGTERM and waits up to timeout for the process to end (then
// kills it) and returns its exit error.
func (s *Server) Stop(timeout time.Duration) error {
	_ = s.Cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
		return s.err
	case <-time.After(timeout):
		s.Kill()
		return fmt.Errorf("armsflow serve did not stop within %s after SIGTERM", timeout)
	}
}

// Kill sends SIGKILL and waits for the process to end.
func (s *Server) Kill() {
	_ = s.Cmd.Process.Kill()
	<-s.done
}

// HashStore hashes everything a store holds, read through data.Store:
// countries, actors, conflicts, events, transfers (each in the store's
// order) and the data version. Two stores with equal hashes hold the same
// data.
func HashStore(ctx context.Context, st data.Store) (string, error) {
	h := sha256.New()
	enc := json.NewEncoder(h)
	put := func(name string, v any, err error) error {
		if err != nil {
			return fmt.Errorf("read %s: %w", name, err)
		}
		fmt.Fprintf(h, "\n%s\n", name)
		return enc.Encode(v)
	}
	cs, err := st.Countries(ctx)
	if err := put("countries", cs, err); err != nil {
		return "", err
	}
	as, err := st.Actors(ctx)
	if err := put("actors", as, err); err != nil {
		return "", err
	}
	cf, err := st.Conflicts(ctx)
	if err := put("conflicts", cf, err); err != nil {
		return "", err
	}
	ev, err := st.Events(ctx, data.Filter{})
	if err := put("events", ev, err); err != nil {
		return "", err
	}
	ts, err := st.Transfers(ctx, data.Filter{})
	if err := put("transfers", ts, err); err != nil {
		return "", err
	}
	v, err := st.Version(ctx)
	if err := put("version", v, err); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// HashDB opens the SQLite database at path, hashes it with HashStore and
// closes it.
func HashDB(ctx context.Context, path string) (string, error) {
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		return "", err
	}
	defer st.Close()
	return HashStore(ctx, st)
}
