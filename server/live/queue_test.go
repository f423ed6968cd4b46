package live

import (
	"bytes"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestSendQueueBoundOrderAndWrap(t *testing.T) {
	q := newSendQueue(4)
	next := 0 // the next value to push
	want := 0 // the oldest value not popped
	for round := range 5 {
		// Fill it: a push over the bound is refused.
		for q.push(next) {
			next++
		}
		if next-want != 4 {
			t.Fatalf("round %d: %d queued when full, want 4", round, next-want)
		}
		// The writer sees them in order; until it pops, they still count.
		n := q.wait()
		if n != 4 {
			t.Fatalf("round %d: wait = %d, want 4", round, n)
		}
		for i := range n {
			if got := q.at(i).(int); got != want+i {
				t.Fatalf("round %d: at(%d) = %d, want %d", round, i, got, want+i)
			}
		}
		if q.push(-1) {
			t.Fatalf("round %d: push accepted while 4 are being written", round)
		}
		// Pop 3 of them (the ring's head moves round): room for 3 more.
		q.pop(3)
		want += 3
	}
	if n := q.wait(); n != 1 || q.at(0).(int) != want {
		t.Fatalf("left %d, first %v, want 1 and %d", n, q.at(0), want)
	}
}

func TestSendQueueWakesWriterAndCloses(t *testing.T) {
	q := newSendQueue(8)
	got := make(chan int, 1)
	go func() { got <- q.wait() }()
	time.Sleep(10 * time.Millisecond) // let it sleep (either way it must wake)
	q.push("a")
	select {
	case n := <-got:
		if n != 1 {
			t.Fatalf("wait = %d, want 1", n)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("writer not woken by a push")
	}
	q.pop(1)

	go func() { got <- q.wait() }()
	q.close()
	select {
	case n := <-got:
		if n != 0 {
			t.Fatalf("wait after close = %d, want 0", n)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("writer not woken by close")
	}
	if !q.push("b") {
		t.Fatal("a closed queue must discard, not report full")
	}
	if n := q.wait(); n != 0 {
		t.Fatalf("wait on a closed queue = %d, want 0", n)
	}
}

// TestSendQueueConcurrent: many pushers, one writer, nothing lost or
// reordered per pusher (run with -race).
func TestSendQueueConcurrent(t *testing.T) {
	const pushers, each = 4, 2000
	q := newSendQueue(16)
	var wg sync.WaitGroup
	for p := range pushers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; {
				if q.push([2]int{p, i}) {
					i++
				} else {
					time.Sleep(10 * time.Microsecond) // full: the writer catches up
				}
			}
		}()
	}
	last := make([]int, pushers)
	for i := range last {
		last[i] = -1
	}
	for seen := 0; seen < pushers*each; {
		n := q.wait()
		for i := range n {
			m := q.at(i).([2]int)
			if m[1] != last[m[0]]+1 {
				t.Fatalf("pusher %d: got %d after %d", m[0], m[1], last[m[0]])
			}
			last[m[0]] = m[1]
		}
		q.pop(n)
		seen += n
	}
	wg.Wait()
}

// recConn records what a netConn passes to the socket.
type recConn struct {
	net.Conn
	mu        sync.Mutex
	writes    [][]byte
	deadlines []time.Time
}

func (r *recConn) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.writes = append(r.writes, bytes.Clone(p))
	return len(p), nil
}

func (r *recConn) SetWriteDeadline(t time.Time) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.deadlines = append(r.deadlines, t)
	return nil
}

func TestNetConnGathersBatch(t *testing.T) {
	rec := &recConn{}
	n := &netConn{Conn: rec, pool: newBatchPool()}
	n.Write([]byte("plain"))
	n.cork()
	n.Write([]byte("a"))
	n.Write([]byte("b"))
	n.release()
	n.Write([]byte("c")) // the batch's last frame sends everything
	n.Write([]byte("after"))
	want := []string{"plain", "abc", "after"}
	if got := strs(rec.writes); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("socket writes %q, want %q", got, want)
	}

	// A batch whose last message wrote nothing is sent by flush.
	rec.writes = nil
	n.cork()
	n.Write([]byte("x"))
	n.release()
	if err := n.flush(); err != nil {
		t.Fatal(err)
	}
	n.Write([]byte("y"))
	if got := strs(rec.writes); strings.Join(got, "|") != "x|y" {
		t.Fatalf("socket writes %q, want [x y]", got)
	}

	// More than maxBatchBytes: sent in pieces of at most that, in order.
	rec.writes = nil
	frame := bytes.Repeat([]byte("f"), maxBatchBytes/3+1)
	n.cork()
	for range 5 {
		n.Write(frame)
	}
	n.release()
	n.Write([]byte("z"))
	var all []byte
	for _, w := range rec.writes {
		if len(w) > maxBatchBytes {
			t.Fatalf("one socket write of %d bytes, over %d", len(w), maxBatchBytes)
		}
		all = append(all, w...)
	}
	if want := append(bytes.Repeat(frame, 5), 'z'); !bytes.Equal(all, want) || len(rec.writes) >= 6 {
		t.Fatalf("%d socket writes of %d bytes in all, want the %d bytes in fewer than 6", len(rec.writes), len(all), len(want))
	}
}

func TestNetConnDeadlines(t *testing.T) {
	rec := &recConn{}
	n := &netConn{Conn: rec, pool: newBatchPool()}
	d1 := time.Now().Add(10 * time.Second)
	for range 3 {
		n.SetWriteDeadline(d1) // gorilla, before every frame
	}
	d2 := d1.Add(time.Second)
	n.SetWriteDeadline(d2)
	n.SetWriteDeadline(d2)
	if len(rec.deadlines) != 2 || !rec.deadlines[0].Equal(d1) || !rec.deadlines[1].Equal(d2) {
		t.Fatalf("socket deadlines %v, want [%v %v]", rec.deadlines, d1, d2)
	}
	// After limitWrites, nothing later than the limit, not even "none".
	limit := time.Now().Add(time.Second)
	n.limitWrites(limit)
	n.SetWriteDeadline(d2)
	n.SetWriteDeadline(time.Time{})
	early := limit.Add(-time.Millisecond)
	n.SetWriteDeadline(early)
	for _, d := range rec.deadlines[2:] {
		if d.IsZero() || d.After(limit) {
			t.Fatalf("socket deadline %v after the limit %v", d, limit)
		}
	}
	if last := rec.deadlines[len(rec.deadlines)-1]; !last.Equal(early) {
		t.Fatalf("last socket deadline %v, want the earlier %v", last, early)
	}
}

func strs(bs [][]byte) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = string(b)
	}
	return out
}
