package live

import "sync"

// sendQueue is a connection's bounded queue of outgoing messages: shared
// *websocket.PreparedMessage events, the client's own []byte replies and
// markers. Many goroutines push; one writer takes. The writer sleeps on
// wake only when the queue is empty, so a message pushed while it is busy
// costs no wake-up, and after a wake-up it takes everything queued at once.
//
// A message stays counted until the writer has written it (pop), so the
// bound covers the messages being written too.
type sendQueue struct {
	mu       sync.Mutex
	items    []any // ring buffer; its length is the capacity
	head, n  int
	closed   bool          // the connection is closing: pushes are discarded
	sleeping bool          // the writer waits on wake
	wake     chan struct{} // capacity 1: one token per sleep
}

func newSendQueue(capacity int) *sendQueue {
	return &sendQueue{items: make([]any, max(capacity, 1)), wake: make(chan struct{}, 1)}
}

// push queues m without waiting. It reports false when the queue is full;
// a closed queue discards m and reports true.
func (q *sendQueue) push(m any) bool {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return true
	}
	if q.n == len(q.items) {
		q.mu.Unlock()
		return false
	}
	i := q.head + q.n
	if i >= len(q.items) {
		i -= len(q.items)
	}
	q.items[i] = m
	q.n++
	wake := q.sleeping
	q.sleeping = false
	q.mu.Unlock()
	if wake {
		q.wake <- struct{}{}
	}
	return true
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

// wait blocks until a message is queued or the queue is closed, and
// returns how many are queued (0: closed). Only the writer calls it.
func (q *sendQueue) wait() int {
	q.mu.Lock()
	for q.n == 0 && !q.closed {
		q.sleeping = true
		q.mu.Unlock()
		<-q.wake
		q.mu.Lock()
	}
	n := q.n
	if q.closed {
		n = 0
	}
	q.mu.Unlock()
	return n
}

// at returns the i-th queued message, i < what wait returned. Only the
// writer calls it, between wait and pop: pushes write other slots, and
// only pop moves head.
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
	for range n {
		q.items[q.head] = nil // let the message go
		if q.head++; q.head == len(q.items) {
			q.head = 0
		}
	}
	q.n -= n
	q.mu.Unlock()
}
