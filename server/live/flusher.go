package live

import (
	"encoding/binary"
	"sync"
)

// frame is a broadcast message framed once for every socket: a final,
// unmasked WebSocket text frame (RFC 6455, section 5.2), header and
// payload, the bytes gorilla/websocket would write for it. The hub never
// negotiates compression, so this is the frame every client gets.
type frame []byte

func newFrame(msg []byte) frame {
	f := make([]byte, 0, 10+len(msg))
	f = append(f, 0x81) // FIN, text
	switch n := len(msg); {
	case n <= 125:
		f = append(f, byte(n))
	case n <= 0xffff:
		f = append(f, 126)
		f = binary.BigEndian.AppendUint16(f, uint16(n))
	default:
		f = append(f, 127)
		f = binary.BigEndian.AppendUint64(f, uint64(n))
	}
	return append(f, msg...)
}

// flusher writes broadcasts to the sockets whose writer sleeps, without
// waking it: one flusher per CPU goes down its list of queues, writing what
// each socket takes at once (conn.flushTurn). Waking one goroutine per
// socket for every broadcast costs about as much CPU as the write itself;
// a flusher is woken once per broadcast. It never waits on a socket: what
// would wait goes back to the socket's writer.
type flusher struct {
	mu       sync.Mutex
	list     []*conn
	sleeping bool
	wake     chan struct{} // capacity 1
}

func newFlusher() *flusher { return &flusher{wake: make(chan struct{}, 1)} }

// add lists queues (each listed by pushListed) and wakes the flusher.
func (f *flusher) add(cs []*conn) {
	if len(cs) == 0 {
		return
	}
	f.mu.Lock()
	f.list = append(f.list, cs...)
	wake := f.sleeping
	f.sleeping = false
	f.mu.Unlock()
	if wake {
		f.wake <- struct{}{}
	}
}

// run serves the list until stop is closed.
func (f *flusher) run(stop <-chan struct{}) {
	var turn, again []*conn
	for {
		f.mu.Lock()
		for len(f.list) == 0 {
			f.sleeping = true
			f.mu.Unlock()
			select {
			case <-f.wake:
			case <-stop:
				return
			}
			f.mu.Lock()
		}
		turn, f.list = f.list, turn[:0]
		f.mu.Unlock()
		for _, c := range turn {
			if c.flushTurn() {
				again = append(again, c)
			}
		}
		clear(turn)
		f.add(again)
		clear(again)
		again = again[:0]
	}
}
