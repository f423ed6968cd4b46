package geo

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// DefaultPoll is how often a Source checks the store's version when its
// Poll is 0.
const DefaultPoll = 2 * time.Second

// Source hands out the current World, reloading it when the store's version
// changes: at once after MarkStale (in-process writes), or within Poll for
// writes made by other processes (an `armsflow import`, another instance).
//
// After MarkStale, callers wait for the check (and reload) so they see the
// write they just made; when only Poll has elapsed, they are served the
// current World while the check runs in the background. Concurrent callers
// share one check and one reload; a caller whose context ends stops
// waiting, but the reload goes on for the others. A reload that
// fails keeps the old World in service (the error is then returned only
// when there is no World yet, and the next attempt comes after Poll).
type Source struct {
	Store WorldStore
	Poll  time.Duration // how often World checks the store's version; 0 = DefaultPoll

	mu       sync.Mutex
	cur      *World
	checked  time.Time // last successful or failed check
	gen      uint64    // bumped by MarkStale
	cleanGen uint64    // gen as of the last check that started after it
	inflight *reload
	now      func() time.Time // for tests; nil = time.Now
}

// reload is one shared version check and load.
type reload struct {
	gen  uint64 // Source.gen when it started: it sees writes marked stale up to gen
	done chan struct{}
	w    *World
	err  error
}

// NewSource makes a Source over a store.
func NewSource(s WorldStore, poll time.Duration) *Source { return &Source{Store: s, Poll: poll} }

// World returns the current snapshot, loading or reloading it if needed.
func (s *Source) World(ctx context.Context) (*World, error) {
	s.mu.Lock()
	want := s.gen // the MarkStale calls made before this call
	for {
		stale := s.gen != s.cleanGen
		if s.cur != nil && !stale && s.clock().Sub(s.checked) < s.poll() {
			w := s.cur
			s.mu.Unlock()
			return w, nil
		}
		r := s.inflight
		if r == nil {
			r = &reload{gen: s.gen, done: make(chan struct{})}
			s.inflight = r
			go s.run(context.WithoutCancel(ctx), r, s.cur, s.gen)
		}
		if s.cur != nil && !stale {
			// Only Poll elapsed: serve the current World while the check runs.
			w := s.cur
			s.mu.Unlock()
			return w, nil
		}
		s.mu.Unlock()
		select {
		case <-r.done:
		case <-ctx.Done():
			return nil, fmt.Errorf("world: %w", ctx.Err())
		}
		if r.gen >= want {
			return r.w, r.err
		}
		// That check began before a MarkStale this call must see (a poll
		// check in flight during the caller's write): it may have read the
		// version before the write. Check again.
		s.mu.Lock()
	}
}

// run checks the store's version and loads a new World if it differs from
// old's; it always finishes r.
func (s *Source) run(ctx context.Context, r *reload, old *World, gen uint64) {
	w, err := s.check(ctx, old)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.checked = s.clock()
	s.inflight = nil
	// Whatever happened, this check started after MarkStale calls up to gen.
	s.cleanGen = max(s.cleanGen, gen)
	switch {
	case err == nil:
		s.cur = w
	case s.cur != nil:
		err = nil // keep serving the old World
	}
	r.w, r.err = s.cur, err
	close(r.done)
}

func (s *Source) check(ctx context.Context, old *World) (*World, error) {
	if old != nil {
		v, err := s.Store.Version(ctx)
		if err != nil {
			return nil, fmt.Errorf("world: check version: %w", err)
		}
		if v == old.Version {
			return old, nil
		}
	}
	return LoadWorld(ctx, s.Store)
}

// MarkStale makes the next World call check the store's version.
func (s *Source) MarkStale() {
	s.mu.Lock()
	s.gen++
	s.mu.Unlock()
}

func (s *Source) poll() time.Duration {
	if s.Poll <= 0 {
		return DefaultPoll
	}
	return s.Poll
}

func (s *Source) clock() time.Time {
	if s.now != nil {
		return s.now()
	}
	return time.Now()
}
