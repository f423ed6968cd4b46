package live

import (
	"bufio"
	"net"
	"net/http"
	"sync"
	"time"
)

// maxBatchBytes caps what a writer gathers into one socket write (about 16
// transfer events).
const maxBatchBytes = 16 << 10

// netConn is the socket under a client's websocket.Conn. It does two things
// gorilla/websocket cannot be asked to:
//
//   - gorilla sets the socket's write deadline before every frame, and the
//     runtime then moves a timer each time; netConn passes a deadline on
//     only when it differs from the one set (the writer renews its deadline
//     now and then, not per message), or when it is later than a limit kill
//     has set.
//   - between cork and release, frames are gathered in a buffer (from a
//     pool, so idle sockets hold none) and written with one system call: a
//     writer with several messages queued sends them together.
//
// Frames written by other goroutines (gorilla answers pings and close frames
// from the reader) go into the buffer while it is corked, whole and in
// order: gorilla writes a frame under its own lock.
type netConn struct {
	net.Conn
	pool *sync.Pool // of *[]byte, capacity maxBatchBytes

	dmu      sync.Mutex
	deadline time.Time // the socket's write deadline, once known
	known    bool      // deadline is what the socket has
	limit    time.Time // non-zero: no write deadline later than this

	wmu    sync.Mutex
	corked bool
	last   bool    // the next write ends the batch
	buf    *[]byte // frames gathered while corked
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

// Write sends p, or gathers it while corked. The write after release sends
// everything gathered, and so does a frame that does not fit.
func (n *netConn) Write(p []byte) (int, error) {
	n.wmu.Lock()
	if !n.corked {
		n.wmu.Unlock()
		return n.Conn.Write(p)
	}
	size := len(p)
	b := n.buf
	if len(*b)+len(p) <= maxBatchBytes {
		*b = append(*b, p...)
		if !n.last {
			n.wmu.Unlock()
			return size, nil
		}
		p = nil
	}
	if n.last {
		n.corked, n.last, n.buf = false, false, nil
	} else {
		n.buf = n.pool.Get().(*[]byte)
	}
	n.wmu.Unlock()
	if err := n.send(b); err != nil {
		return 0, err
	}
	if p != nil {
		return n.Conn.Write(p)
	}
	return size, nil
}

// cork starts gathering frames.
func (n *netConn) cork() {
	n.wmu.Lock()
	if !n.corked {
		n.corked, n.last = true, false
		n.buf = n.pool.Get().(*[]byte)
	}
	n.wmu.Unlock()
}

// release makes the next write send everything gathered and stop
// gathering: the batch then goes out inside gorilla's write of its last
// frame, under gorilla's lock and write deadline.
func (n *netConn) release() {
	n.wmu.Lock()
	n.last = n.corked
	n.wmu.Unlock()
}

// flush writes what is still gathered, if anything (the batch's last
// message wrote nothing), and stops gathering.
func (n *netConn) flush() error {
	n.wmu.Lock()
	b := n.buf
	n.corked, n.last, n.buf = false, false, nil
	n.wmu.Unlock()
	if b == nil {
		return nil
	}
	return n.send(b)
}

// send writes b and gives it back to the pool.
func (n *netConn) send(b *[]byte) error {
	var err error
	if len(*b) > 0 {
		_, err = n.Conn.Write(*b)
	}
	*b = (*b)[:0]
	n.pool.Put(b)
	return err
}

func newBatchPool() *sync.Pool {
	return &sync.Pool{New: func() any {
		b := make([]byte, 0, maxBatchBytes)
		return &b
	}}
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
	h.conn = &netConn{Conn: c, pool: h.pool}
	return h.conn, brw, nil
}
