package live

import "sync"

// sendQueue is a connection's bounded queue of outgoing messages: shared
// broadcast frames, shared *websocket.PreparedMessage messages, the
// client's own []byte replies and markers. Many goroutines push; one
// consumer at a time takes: the connection's writer goroutine, or a flusher
// the queue is listed with.
//
// The writer sleeps on wake only when the queue is empty, so a message
// pushed while it is busy costs no wake-up, and after a wake-up it takes
// everything queued at once. A broadcast pushed while the writer sleeps
// does not wake it: the queue is listed with a flusher instead, which
// writes broadcast frames without waiting on the socket and hands the
// queue back to the writer (kick) for anything else.
//
// A message stays counted until it has been written (pop), so the bound
// covers the messages being written too.
type sendQueue struct {
	mu       sync.Mutex
	items    []any // ring buffer; its length is the capacity
	head, n  int
	closed   bool          // the connection is closing: pushes are discarded
	sleeping bool          // the writer waits on wake
	listed   bool          // a flusher has the queue (the writer sleeps meanwhile)
	kicked   bool          // the writer must finish what a flusher began
	wake     chan struct{} // capacity 1: one token per sleep
}

func newSendQueue(capacity int) *sendQueue {
	return &sendQueue{items: make([]any, max(capacity, 1)), wake: make(chan struct{}, 1)}
}

// push queues m without waiting, waking the writer if it sleeps and no
// flusher has the queue. It reports false when the queue is full; a closed
// queue discards m and reports true.
func (q *sendQueue) push(m any) bool {
	ok, _ := q.add(m, false)
	return ok
}

// pushListed queues m like push, but a sleeping writer is not woken:
// list reports that the queue is now listed, and the caller must hand it
// to a flusher.
func (q *sendQueue) pushListed(m any) (ok, list bool) { return q.add(m, true) }

func (q *sendQueue) add(m any, listing bool) (ok, list bool) {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return true, false
	}
	if q.n == len(q.items) {
		q.mu.Unlock()
		return false, false
	}
	i := q.head + q.n
	if i >= len(q.items) {
		i -= len(q.items)
	}
	q.items[i] = m
	q.n++
	wake := false
	if q.sleeping && !q.listed {
		if listing {
			q.listed, list = true, true
		} else {
			q.sleeping, wake = false, true
		}
	}
	q.mu.Unlock()
	if wake {
		q.wake <- struct{}{}
	}
	return true, list
}

// close refuses more messages and wakes the writer, which then writes no
// more of what is queued.
func (q *sendQueue) close() {
	q.mu.Lock()
	q.closed = true
	wake := q.sleeping
	q.sleeping = false
	q.mu.Unlock()
	if wake {
		q.wake <- struct{}{}
	}
}

// wait blocks until a message is queued, a flusher hands the queue back or
// the queue is closed, and returns how many messages are queued; ok is
// false once closed. Only the writer calls it.
func (q *sendQueue) wait() (n int, ok bool) {
	q.mu.Lock()
	for (q.n == 0 || q.listed) && !q.kicked && !q.closed {
		q.sleeping = true
		q.mu.Unlock()
		<-q.wake
		q.mu.Lock()
	}
	n, ok = q.n, !q.closed
	q.kicked = false
	q.mu.Unlock()
	return n, ok
}

// take starts a flusher's turn on a listed queue: how many messages are
// queued, or 0 (and the queue no longer listed) if it is closed or empty.
func (q *sendQueue) take() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed || q.n == 0 {
		q.listed = false
		return 0
	}
	return q.n
}

// done ends a flusher's turn: the first k messages are written. handBack
// gives the queue (and whatever the flusher left unwritten) to the writer;
// otherwise, relist reports that more messages came meanwhile and the
// queue stays listed for another turn.
func (q *sendQueue) done(k int, handBack bool) (relist bool) {
	q.mu.Lock()
	q.popLocked(k)
	wake := false
	switch {
	case q.closed:
		q.listed = false
	case handBack:
		q.listed, q.kicked = false, true
		wake, q.sleeping = q.sleeping, false
	case q.n > 0:
		relist = true
	default:
		q.listed = false
	}
	q.mu.Unlock()
	if wake {
		q.wake <- struct{}{}
	}
	return relist
}

// at returns the i-th queued message, i below what wait or take returned.
// Only the queue's consumer calls it, between wait (or take) and pop (or
// done): pushes write other slots, and only the consumer moves head.
func (q *sendQueue) at(i int) any {
	i += q.head
	if i >= len(q.items) {
		i -= len(q.items)
	}
	return q.items[i]
}

// pop removes the first n messages, written.
func (q *sendQueue) pop(n int) {
	q.mu.Lock()
	q.popLocked(n)
	q.mu.Unlock()
}

func (q *sendQueue) popLocked(n int) {
	for range n {
		q.items[q.head] = nil // let the message go
		if q.head++; q.head == len(q.items) {
			q.head = 0
		}
	}
	q.n -= n
}
