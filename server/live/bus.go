package live

import (
	"context"
	"errors"
	"slices"
	"sync"
)

// Bus carries events and room states between the hubs of several armsflow
// instances serving one audience. It is a plain pipe: the hub wraps every
// message with its origin instance id and ignores its own, so a Bus may or
// may not echo a publisher's messages back to it.
//
// Handlers registered on one subject run one at a time, in publish order
// for any one publisher.
type Bus interface {
	// Publish sends msg to every subscriber of subject.
	Publish(ctx context.Context, subject string, msg []byte) error
	// Subscribe calls fn with every message published on subject.
	Subscribe(subject string, fn func(msg []byte)) (unsubscribe func(), err error)
	// Request asks every replier on subject and returns the first non-nil
	// answer; ErrNoReply when none answers before ctx is done.
	Request(ctx context.Context, subject string, msg []byte) ([]byte, error)
	// Reply answers requests on subject with fn's result; a nil result is
	// no answer (another replier may have one).
	Reply(subject string, fn func(msg []byte) []byte) (unsubscribe func(), err error)
	// Close releases the bus.
	Close() error
}

// ErrNoReply is returned by Request when no replier answered.
var ErrNoReply = errors.New("live bus: no reply")

// ErrBusClosed is returned after Close.
var ErrBusClosed = errors.New("live bus: closed")

// MemoryBus is the in-process Bus: a single instance, or several hubs in one
// process (tests). Publish calls the subscribers synchronously, in order.
type MemoryBus struct {
	mu      sync.RWMutex
	subs    map[string][]*memHandler
	repls   map[string][]*memHandler
	closed  bool
	deliver sync.Mutex // one delivery at a time: every subscriber sees one order
}

type memHandler struct {
	sub   func([]byte)
	reply func([]byte) []byte
}

// NewMemoryBus makes an in-process Bus.
func NewMemoryBus() *MemoryBus {
	return &MemoryBus{subs: map[string][]*memHandler{}, repls: map[string][]*memHandler{}}
}

var _ Bus = (*MemoryBus)(nil)

// Publish calls every subscriber of subject with msg before returning.
func (b *MemoryBus) Publish(ctx context.Context, subject string, msg []byte) error {
	b.mu.RLock()
	hs, closed := b.subs[subject], b.closed
	b.mu.RUnlock()
	if closed {
		return ErrBusClosed
	}
	b.deliver.Lock()
	defer b.deliver.Unlock()
	for _, h := range hs {
		h.sub(msg)
	}
	return nil
}

// Subscribe registers fn for subject.
func (b *MemoryBus) Subscribe(subject string, fn func([]byte)) (func(), error) {
	return b.add(b.subs, subject, &memHandler{sub: fn})
}

// Reply registers fn to answer requests on subject.
func (b *MemoryBus) Reply(subject string, fn func([]byte) []byte) (func(), error) {
	return b.add(b.repls, subject, &memHandler{reply: fn})
}

func (b *MemoryBus) add(m map[string][]*memHandler, subject string, h *memHandler) (func(), error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, ErrBusClosed
	}
	// Copy on write: Publish iterates a snapshot without the lock.
	m[subject] = append(slices.Clip(m[subject]), h)
	return func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		m[subject] = slices.DeleteFunc(slices.Clone(m[subject]), func(x *memHandler) bool { return x == h })
	}, nil
}

// Request asks the repliers of subject in turn and returns the first answer.
func (b *MemoryBus) Request(ctx context.Context, subject string, msg []byte) ([]byte, error) {
	b.mu.RLock()
	hs, closed := b.repls[subject], b.closed
	b.mu.RUnlock()
	if closed {
		return nil, ErrBusClosed
	}
	for _, h := range hs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if r := h.reply(msg); r != nil {
			return r, nil
		}
	}
	return nil, ErrNoReply
}

// Close drops every handler; later calls fail with ErrBusClosed.
func (b *MemoryBus) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	b.subs, b.repls = map[string][]*memHandler{}, map[string][]*memHandler{}
	return nil
}
