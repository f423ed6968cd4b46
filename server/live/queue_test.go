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
		n, _ := q.wait()
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
	if n, _ := q.wait(); n != 1 || q.at(0).(int) != want {
		t.Fatalf("left %d, first %v, want 1 and %d", n, q.at(0), want)
	}
}

func TestSendQueueWakesWriterAndCloses(t *testing.T) {
	q := newSendQueue(8)
	got := make(chan int, 1)
	wait := func() {
		n, ok := q.wait()
		if !ok {
			n = -1
		}
		got <- n
	}
	go wait()
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

	go wait()
	q.close()
	select {
	case n := <-got:
		if n != -1 {
			t.Fatalf("wait after close = %d, want 0", n)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("writer not woken by close")
	}
	if !q.push("b") {
		t.Fatal("a closed queue must discard, not report full")
	}
	if _, ok := q.wait(); ok {
		t.Fatal("wait on a closed queue reports it open")
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
		n, _ := q.wait()
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
	n := newNetConn(rec, newBatchPool())
	n.Write([]byte("plain"))
	n.cork()
	n.Write([]byte("a"))
	n.Write([]byte("b"))
	n.Write([]byte("c"))
	if len(rec.writes) != 1 {
		t.Fatalf("socket writes %q while corked, want only the first", strs(rec.writes))
	}
	if err := n.flush(); err != nil {
		t.Fatal(err)
	}
	n.Write([]byte("after"))
	want := []string{"plain", "abc", "after"}
	if got := strs(rec.writes); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("socket writes %q, want %q", got, want)
	}

	// More than maxBatchBytes: sent in pieces of at most that, in order.
	rec.writes = nil
	frame := bytes.Repeat([]byte("f"), maxBatchBytes/3+1)
	n.cork()
	for range 5 {
		n.Write(frame)
	}
	n.Write([]byte("z"))
	n.flush()
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

// TestSendQueueListing: a broadcast to a sleeping writer lists the queue
// instead of waking it; a flusher's turn ends in another turn, an idle
// queue, or the writer's hands.
func TestSendQueueListing(t *testing.T) {
	q := newSendQueue(8)
	woken := make(chan int, 1)
	go func() {
		n, _ := q.wait()
		woken <- n
	}()
	for !sleeping(q) {
		time.Sleep(time.Millisecond)
	}
	if ok, list := q.pushListed("f1"); !ok || !list {
		t.Fatalf("pushListed to a sleeping writer = %v, %v; want listed", ok, list)
	}
	if ok, list := q.pushListed("f2"); !ok || list {
		t.Fatalf("second pushListed = %v, %v; want queued, listed already", ok, list)
	}
	q.push("reply") // the writer stays asleep while a flusher has the queue
	select {
	case n := <-woken:
		t.Fatalf("writer woken (%d) while the queue is listed", n)
	case <-time.After(20 * time.Millisecond):
	}
	if n := q.take(); n != 3 || q.at(0) != "f1" || q.at(2) != "reply" {
		t.Fatalf("take = %d, first %v", n, q.at(0))
	}
	if !q.done(2, false) {
		t.Fatal("done with a message left: want another turn")
	}
	if n := q.take(); n != 1 {
		t.Fatalf("second take = %d, want 1", n)
	}
	q.done(0, true) // the reply is the writer's
	select {
	case n := <-woken:
		if n != 1 {
			t.Fatalf("writer woken with %d queued, want 1", n)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("writer not woken when the queue was handed back")
	}
	q.pop(1)

	// A turn that writes everything leaves the queue idle: the next push
	// wakes the writer as usual.
	go func() {
		n, _ := q.wait()
		woken <- n
	}()
	for !sleeping(q) {
		time.Sleep(time.Millisecond)
	}
	if _, list := q.pushListed("f3"); !list {
		t.Fatal("not listed")
	}
	q.take()
	if q.done(1, false) {
		t.Fatal("another turn for an empty queue")
	}
	q.push("r2")
	select {
	case n := <-woken:
		if n != 1 {
			t.Fatalf("writer woken with %d, want 1", n)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("writer not woken by a push after the turn")
	}
}

func sleeping(q *sendQueue) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.sleeping
}

// TestNetConnTryFrames writes frames without waiting to a socket whose
// reader does not read: they go out whole while the socket takes them,
// then the rest is kept and written first by the next write that may wait;
// the reader gets every byte in order.
func TestNetConnTryFrames(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		accepted <- c
	}()
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	client.(*net.TCPConn).SetReadBuffer(4 << 10)
	server := <-accepted
	defer server.Close()
	server.(*net.TCPConn).SetWriteBuffer(4 << 10)
	n := newNetConn(server, newBatchPool())

	q := newSendQueue(80)
	var sent []byte
	for i := range 64 {
		f := newFrame([]byte(strings.Repeat(string(rune('a'+i%26)), 1000)))
		q.push(f)
		sent = append(sent, f...)
	}
	if !q.push([]byte("not a frame")) {
		t.Fatal("queue full")
	}
	left, wroteAll, kept := 64, 0, false
	for left > 0 {
		got, _ := q.wait()
		k, wrote, err := n.tryFrames(q, got)
		if err != nil {
			t.Fatalf("tryFrames: %v (after %d frames)", err, 64-left)
		}
		q.pop(k)
		left -= k
		if !wrote {
			kept = true
			break
		}
		wroteAll += k
	}
	if !kept {
		t.Fatal("a socket that is not read took 64 KiB at once: no rest to test")
	}
	if _, _, err := n.tryFrames(q, 1); err != errBusy {
		t.Fatalf("tryFrames with rest waiting = %v, want errBusy", err)
	}
	// The reader reads everything while the rest of the frames are written
	// the way a writer does, waiting.
	got := make(chan []byte, 1)
	go func() {
		b := make([]byte, 0, len(sent))
		buf := make([]byte, 8192)
		for len(b) < len(sent) {
			m, err := client.Read(buf)
			if err != nil {
				break
			}
			b = append(b, buf[:m]...)
		}
		got <- b
	}()
	for i := range left {
		if _, err := n.Write(q.at(i).(frame)); err != nil {
			t.Fatal(err)
		}
	}
	if b := <-got; !bytes.Equal(b, sent) {
		t.Fatalf("reader got %d bytes, want the %d sent in order (%d frames written at once before the socket filled)", len(b), len(sent), wroteAll)
	}
	q.pop(left)
	if n, _ := q.wait(); n != 1 {
		t.Fatalf("%d left, want the reply", n)
	}
	if _, _, err := n.tryFrames(q, 1); err != errBusy {
		t.Fatalf("tryFrames on a reply = %v, want errBusy", err)
	}
}

func TestNetConnDeadlines(t *testing.T) {
	rec := &recConn{}
	n := newNetConn(rec, newBatchPool())
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
