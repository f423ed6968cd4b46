package live

import (
	"bufio"
	"errors"
	"net"
	"net/http"
	"sync"
	"syscall"
	"time"
)

// maxBatchBytes caps what a writer or a flusher gathers into one socket
// write (about 16 transfer events).
const maxBatchBytes = 16 << 10

// netConn is the socket under a client's websocket.Conn. Every write to the
// socket goes through it, under wmu, so writes go out whole and in order
// whoever makes them: gorilla (from the writer, or from the reader when it
// answers a ping or a close), the writer with broadcast frames, a flusher.
// It does what gorilla/websocket cannot be asked to:
//
//   - gorilla sets the socket's write deadline before every frame, and the
//     runtime then moves a timer each time; netConn passes a deadline on
//     only when it differs from the one set (the writer renews its deadline
//     now and then, not per message), or when it is later than a limit kill
//     has set.
//   - between cork and flush, frames are gathered in a buffer (from a pool,
//     so idle sockets hold none) and written with one system call: a writer
//     with several messages queued sends them together.
//   - tryFrames writes without waiting on the socket: what the socket does
//     not take at once is kept (rest) and written, before anything else, by
//     the next write that may wait.
type netConn struct {
	net.Conn
	raw  syscall.RawConn // nil: no writing without waiting (tryFrames refuses)
	pool *sync.Pool      // of *[]byte, capacity maxBatchBytes

	dmu      sync.Mutex
	deadline time.Time // the socket's write deadline, once known
	known    bool      // deadline is what the socket has
	limit    time.Time // non-zero: no write deadline later than this

	wmu    sync.Mutex // held while writing to the socket
	corked bool
	buf    *[]byte // frames gathered while corked
	rest   []byte  // taken by tryFrames, not yet written

	// tryWrite's system call, bound once (a closure per call would
	// allocate).
	tryFn   func(uintptr)
	tryBuf  []byte
	tryN    int
	tryErr  error
	tryDone bool
}

func newNetConn(c net.Conn, pool *sync.Pool) *netConn {
	n := &netConn{Conn: c, pool: pool}
	if sc, ok := c.(syscall.Conn); ok && canRawWrite {
		if raw, err := sc.SyscallConn(); err == nil {
			n.raw = raw
		}
	}
	n.tryFn = n.tryFd
	return n
}

// SetWriteDeadline sets the socket's write deadline, capped by limit,
// unless it has that deadline already.
func (n *netConn) SetWriteDeadline(t time.Time) error {
	n.dmu.Lock()
	defer n.dmu.Unlock()
	if !n.limit.IsZero() && (t.IsZero() || t.After(n.limit)) {
		t = n.limit
	}
	if n.known && t.Equal(n.deadline) {
		return nil
	}
	if err := n.Conn.SetWriteDeadline(t); err != nil {
		n.known = false
		return err
	}
	n.deadline, n.known = t, true
	return nil
}

// SetDeadline sets both deadlines (gorilla clears net/http's with it).
func (n *netConn) SetDeadline(t time.Time) error {
	if err := n.Conn.SetReadDeadline(t); err != nil {
		return err
	}
	return n.SetWriteDeadline(t)
}

// limitWrites makes every write fail after t, whatever deadline is asked
// for later: a killed connection's writer gets no more time than that.
func (n *netConn) limitWrites(t time.Time) {
	n.dmu.Lock()
	n.limit, n.known = t, false
	n.dmu.Unlock()
	_ = n.SetWriteDeadline(t)
}

// Write sends p (after rest), or gathers it while corked; a frame that
// does not fit sends what is gathered, then itself.
func (n *netConn) Write(p []byte) (int, error) {
	n.wmu.Lock()
	defer n.wmu.Unlock()
	if err := n.writeRestLocked(); err != nil {
		return 0, err
	}
	if !n.corked {
		return n.Conn.Write(p)
	}
	if len(*n.buf)+len(p) <= maxBatchBytes {
		*n.buf = append(*n.buf, p...)
		return len(p), nil
	}
	b := n.buf
	n.buf = n.pool.Get().(*[]byte)
	if err := n.sendLocked(b); err != nil {
		return 0, err
	}
	return n.Conn.Write(p)
}

// cork starts gathering frames.
func (n *netConn) cork() {
	n.wmu.Lock()
	if !n.corked {
		n.corked = true
		n.buf = n.pool.Get().(*[]byte)
	}
	n.wmu.Unlock()
}

// flush writes what was gathered since cork (after rest), in one system
// call, and stops gathering.
func (n *netConn) flush() error {
	n.wmu.Lock()
	defer n.wmu.Unlock()
	if err := n.writeRestLocked(); err != nil {
		return err
	}
	b := n.buf
	n.corked, n.buf = false, nil
	if b == nil {
		return nil
	}
	return n.sendLocked(b)
}

// sendLocked writes b and gives it back to the pool.
func (n *netConn) sendLocked(b *[]byte) error {
	var err error
	if len(*b) > 0 {
		_, err = n.Conn.Write(*b)
	}
	*b = (*b)[:0]
	n.pool.Put(b)
	return err
}

func (n *netConn) writeRestLocked() error {
	if len(n.rest) == 0 {
		return nil
	}
	r := n.rest
	n.rest = nil
	_, err := n.Conn.Write(r)
	return err
}

// errBusy: tryFrames could not write now (another write is under way, or
// rest is waiting): the writer must.
var errBusy = errors.New("live: socket busy")

// tryFrames writes the first broadcast frames of q's first n messages,
// gathered up to maxBatchBytes (or one larger frame), without waiting on
// the socket or on anyone writing to it. It returns how many messages it
// took: written, or kept in rest when the socket would not take them whole
// (then wrote is false). It takes none (errBusy) when a write is under way
// or rest is waiting, or when the first message is not a frame.
func (n *netConn) tryFrames(q *sendQueue, count int) (k int, wrote bool, err error) {
	if n.raw == nil || !n.wmu.TryLock() {
		return 0, false, errBusy
	}
	defer n.wmu.Unlock()
	if len(n.rest) > 0 {
		return 0, false, errBusy
	}
	first, ok := q.at(0).(frame)
	if !ok {
		return 0, false, errBusy
	}
	b, size := []byte(first), len(first)
	k = 1
	for k < count {
		f, ok := q.at(k).(frame)
		if !ok || size+len(f) > maxBatchBytes {
			break
		}
		size += len(f)
		k++
	}
	var gathered *[]byte
	if k > 1 {
		gathered = n.pool.Get().(*[]byte)
		for i := range k {
			*gathered = append(*gathered, q.at(i).(frame)...)
		}
		b = *gathered
	}
	w, err := n.tryWrite(b)
	if err == nil && w < len(b) {
		n.rest = append([]byte(nil), b[w:]...)
	}
	if gathered != nil {
		*gathered = (*gathered)[:0]
		n.pool.Put(gathered)
	}
	if err != nil {
		return 0, false, err
	}
	return k, w == len(b), nil
}

// tryWrite makes one write system call on the socket (rawWrite), which
// never waits (Go's sockets are non-blocking); the caller holds wmu, so no
// other write is under way. It does not go through Go's poller, which is
// fine: the next write that may wait still tries first and waits only on
// EAGAIN.
func (n *netConn) tryWrite(b []byte) (int, error) {
	n.tryBuf, n.tryN, n.tryErr, n.tryDone = b, 0, nil, false
	err := n.raw.Control(n.tryFn)
	w, werr, done := n.tryN, n.tryErr, n.tryDone
	n.tryBuf, n.tryErr = nil, nil
	switch {
	case err != nil:
		return 0, err
	case !done:
		return 0, net.ErrClosed
	case werr == syscall.EAGAIN || werr == syscall.EINTR:
		return 0, nil
	case werr != nil:
		return 0, werr
	}
	return max(w, 0), nil
}

func (n *netConn) tryFd(fd uintptr) {
	n.tryN, n.tryErr = rawWrite(fd, n.tryBuf)
	n.tryDone = true
}

// hijacker hands gorilla's Upgrader a netConn around the hijacked socket.
type hijacker struct {
	http.ResponseWriter
	pool *sync.Pool
	conn *netConn
}

func (h *hijacker) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c, brw, err := http.NewResponseController(h.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	h.conn = newNetConn(c, h.pool)
	return h.conn, brw, nil
}

func newBatchPool() *sync.Pool {
	return &sync.Pool{New: func() any {
		b := make([]byte, 0, maxBatchBytes)
		return &b
	}}
}
