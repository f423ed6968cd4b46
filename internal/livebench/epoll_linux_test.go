package main

import (
	"bytes"
	"encoding/binary"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// serverFrame is a frame as a server writes it: final, unmasked.
func serverFrame(op byte, payload []byte) []byte {
	b := []byte{0x80 | op}
	switch n := len(payload); {
	case n < 126:
		b = append(b, byte(n))
	case n < 1<<16:
		b = append(b, 126, byte(n>>8), byte(n))
	default:
		b = append(b, 127)
		b = binary.BigEndian.AppendUint64(b, uint64(n))
	}
	return append(b, payload...)
}

// TestEpollClientFrames feeds a client socket frames split at awkward
// places: every broadcast is recorded in order, pings are answered with a
// masked pong, and a masked (client-style) frame counts as an error.
func TestEpollClientFrames(t *testing.T) {
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(fds[0])
	defer syscall.Close(fds[1])
	if err := syscall.SetNonblock(fds[1], true); err != nil {
		t.Fatal(err)
	}
	c := &client{fd: fds[1], buf: make([]byte, 0, 64)} // small: the long frame grows it
	var p progress
	p.target.Store(1 << 30)

	sent := time.Now().UnixNano() - int64(time.Millisecond)
	msg := func(seq int, pad int) []byte {
		return serverFrame(0x1, []byte(`{"v":1,"type":"transfer.added","data":{"seq":`+strconv.Itoa(seq)+`,"t":`+strconv.FormatInt(sent, 10)+`,"pad":"`+string(bytes.Repeat([]byte("x"), pad))+`"}}`))
	}
	var stream []byte
	stream = append(stream, msg(0, 10)...)
	stream = append(stream, serverFrame(0x9, []byte("hi"))...)
	stream = append(stream, msg(1, 300)...)   // 16-bit length, longer than the buffer
	stream = append(stream, msg(2, 70000)...) // 64-bit length
	stream = append(stream, msg(3, 0)...)
	// Deliver it in pieces that cut headers and payloads.
	for _, cut := range [][2]int{{0, 1}, {1, 30}, {30, 41}, {41, 200}, {200, 70000}, {70000, len(stream)}} {
		if _, err := syscall.Write(fds[0], stream[cut[0]:cut[1]]); err != nil {
			t.Fatal(err)
		}
		for range 50 { // each read takes what fits; the rest: EAGAIN
			if !c.readSocket(&p) {
				t.Fatal("socket ended")
			}
		}
	}
	if c.next != 4 || c.gaps != 0 || len(c.lat) != 4 || c.errors != 0 {
		t.Fatalf("next %d, gaps %d, delays %d, errors %d: want 4, 0, 4, 0", c.next, c.gaps, len(c.lat), c.errors)
	}
	for _, d := range c.lat {
		if d < time.Millisecond || d > time.Minute {
			t.Fatalf("delay %v, want about 1ms", d)
		}
	}
	pong := make([]byte, 16)
	n, err := syscall.Read(fds[0], pong)
	if err != nil {
		t.Fatal(err)
	}
	if want := []byte{0x8a, 0x82, 0, 0, 0, 0, 'h', 'i'}; !bytes.Equal(pong[:n], want) {
		t.Fatalf("pong % x, want % x", pong[:n], want)
	}

	// A masked frame is not what a server sends.
	syscall.Write(fds[0], []byte{0x81, 0x81, 1, 2, 3, 4, 'x'})
	c.readSocket(&p)
	if c.errors != 1 {
		t.Fatalf("errors %d after a masked frame, want 1", c.errors)
	}
	// A close frame ends the socket.
	syscall.Write(fds[0], serverFrame(0x8, []byte{0x03, 0xe9}))
	if c.readSocket(&p) {
		t.Fatal("socket still read after a close frame")
	}
}
