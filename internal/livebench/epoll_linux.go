package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

// epollReader reads many clients' sockets with a few goroutines, each
// waiting on its own epoll set: one read system call per burst of data that
// arrives on a socket, and no goroutine woken per message. It is the
// cheaper probe: a goroutine per client (gorilla's reader) makes a second,
// empty read and a park and wake-up of its goroutine for every message,
// CPU the probe then takes from the server it measures on the same cores.
//
// It parses the server's frames itself (unmasked, unfragmented text
// frames; pings are answered; anything else counts as an error) and
// records every message as the gorilla reader does.
type epollReader struct {
	sets []*epollSet
	stop chan struct{}
	wg   sync.WaitGroup
}

// epollSet is one goroutine's share of the clients. The goroutine never
// blocks in epoll_wait: the set's descriptor is itself registered with Go's
// poller, which parks the goroutine while none of the set's sockets has
// anything (a blocking system call would make the runtime hand the
// goroutine's P to another thread each time).
type epollSet struct {
	epfd    int
	file    *os.File // epfd, in Go's poller
	clients map[int32]*client
}

// startEpoll takes over the sockets of cs (their gorilla connections are
// closed; the sockets stay open on duplicated descriptors) and reads them
// on sets goroutines until stop.
func startEpoll(cs []*client, sets int, p *progress) (*epollReader, error) {
	r := &epollReader{stop: make(chan struct{})}
	for range max(sets, 1) {
		epfd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
		if err != nil {
			r.close()
			return nil, fmt.Errorf("epoll: %w", err)
		}
		if err := syscall.SetNonblock(epfd, true); err != nil {
			syscall.Close(epfd)
			r.close()
			return nil, fmt.Errorf("epoll: %w", err)
		}
		r.sets = append(r.sets, &epollSet{epfd: epfd, file: os.NewFile(uintptr(epfd), "epoll"), clients: map[int32]*client{}})
	}
	for i, c := range cs {
		fd, err := detach(c)
		if err != nil {
			r.close()
			return nil, err
		}
		s := r.sets[i%len(r.sets)]
		c.fd = fd
		c.buf = make([]byte, 0, 4096)
		s.clients[int32(fd)] = c
		ev := syscall.EpollEvent{Events: syscall.EPOLLIN | syscall.EPOLLRDHUP, Fd: int32(fd)}
		if err := syscall.EpollCtl(s.epfd, syscall.EPOLL_CTL_ADD, fd, &ev); err != nil {
			r.close()
			return nil, fmt.Errorf("epoll add: %w", err)
		}
	}
	for _, s := range r.sets {
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			s.run(r.stop, p)
		}()
	}
	return r, nil
}

// detach duplicates the client's socket descriptor and closes its gorilla
// connection (and Go's poller registration with it). gorilla has read up
// to the "subscribed" reply and the server sends nothing more until the
// first broadcast, so no byte is left in gorilla's buffer.
func detach(c *client) (int, error) {
	tc, ok := c.ws.NetConn().(*net.TCPConn)
	if !ok {
		return 0, errors.New("epoll: not a TCP connection")
	}
	rc, err := tc.SyscallConn()
	if err != nil {
		return 0, err
	}
	fd, derr := -1, error(nil)
	if err := rc.Control(func(s uintptr) { fd, derr = syscall.Dup(int(s)) }); err != nil {
		return 0, err
	}
	if derr != nil {
		return 0, fmt.Errorf("epoll: dup: %w", derr)
	}
	syscall.CloseOnExec(fd)
	if err := syscall.SetNonblock(fd, true); err != nil {
		syscall.Close(fd)
		return 0, err
	}
	c.ws.Close()
	return fd, nil
}

func (s *epollSet) run(stop chan struct{}, p *progress) {
	rc, err := s.file.SyscallConn()
	if err != nil {
		return
	}
	events := make([]syscall.EpollEvent, 512)
	ready := func(fd uintptr) bool {
		n, err := epollPoll(int(fd), events) // never waits
		if n <= 0 || err != nil {
			return false // park until the set has something
		}
		for _, ev := range events[:n] {
			c := s.clients[ev.Fd]
			if c == nil {
				continue
			}
			if !c.readSocket(p) {
				syscall.EpollCtl(int(fd), syscall.EPOLL_CTL_DEL, c.fd, nil)
				delete(s.clients, ev.Fd)
			}
		}
		return true
	}
	for {
		select {
		case <-stop:
			return
		default:
		}
		if err := rc.Read(ready); err != nil {
			return // closed
		}
	}
}

// close stops the goroutines and closes every socket.
func (r *epollReader) close() {
	close(r.stop)
	for _, s := range r.sets {
		s.file.Close() // wakes its goroutine
	}
	r.wg.Wait()
	for _, s := range r.sets {
		for _, c := range s.clients {
			syscall.Close(c.fd)
		}
	}
}

// readSocket reads what the socket has (one system call) and handles every
// whole frame in it; false once the socket is done.
func (c *client) readSocket(p *progress) bool {
	if len(c.buf) == cap(c.buf) { // a frame larger than the buffer
		c.buf = append(c.buf, make([]byte, cap(c.buf))...)[:len(c.buf)]
	}
	n, err := rawRead(c.fd, c.buf[len(c.buf):cap(c.buf)])
	if err == syscall.EAGAIN || err == syscall.EINTR {
		return true
	}
	if err != nil || n == 0 {
		return false
	}
	now := time.Now().UnixNano()
	c.buf = c.buf[:len(c.buf)+n]
	b := c.buf
	for {
		op, payload, size, ok := parseFrame(b)
		if !ok {
			break
		}
		switch op {
		case 0x1: // text, final
			c.record(payload, now, p)
		case 0x9: // ping: answer with a masked, empty-keyed pong
			pong := append([]byte{0x8a, 0x80 | byte(len(payload)), 0, 0, 0, 0}, payload...)
			syscall.Write(c.fd, pong)
		case 0xa: // pong
		case 0x8: // close
			return false
		default:
			c.mu.Lock()
			c.errors++
			c.mu.Unlock()
		}
		b = b[size:]
	}
	c.buf = c.buf[:copy(c.buf, b)]
	return true
}

// parseFrame reads one whole server frame from b: its opcode (with 0x80
// added when it is not final, or masked), payload and size on the wire.
func parseFrame(b []byte) (op byte, payload []byte, size int, ok bool) {
	if len(b) < 2 {
		return 0, nil, 0, false
	}
	op = b[0] & 0x0f
	if b[0]&0x80 == 0 || b[1]&0x80 != 0 {
		op |= 0x80 // fragmented or masked: not what a server sends
	}
	n, h := uint64(b[1]&0x7f), 2
	switch n {
	case 126:
		if len(b) < 4 {
			return 0, nil, 0, false
		}
		n, h = uint64(binary.BigEndian.Uint16(b[2:4])), 4
	case 127:
		if len(b) < 10 {
			return 0, nil, 0, false
		}
		n, h = binary.BigEndian.Uint64(b[2:10]), 10
	}
	if b[1]&0x80 != 0 {
		h += 4
	}
	if len(b) < h || uint64(len(b)-h) < n {
		return 0, nil, 0, false
	}
	return op, b[h : h+int(n)], h + int(n), true
}

// The probe's system calls never wait (its sockets are non-blocking; the
// epoll sets are polled with a zero timeout), so they are made raw: the
// scheduler is not told, and a thread the kernel preempts in one does not
// have its P handed to another thread, churn that would take CPU from the
// server measured.

func rawRead(fd int, b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	n, _, errno := syscall.RawSyscall(syscall.SYS_READ, uintptr(fd), uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)))
	if errno != 0 {
		return 0, errno
	}
	return int(n), nil
}

// epollPoll is epoll_pwait with a zero timeout.
func epollPoll(epfd int, events []syscall.EpollEvent) (int, error) {
	n, _, errno := syscall.RawSyscall6(syscall.SYS_EPOLL_PWAIT, uintptr(epfd), uintptr(unsafe.Pointer(&events[0])), uintptr(len(events)), 0, 0, 0)
	if errno != 0 {
		return 0, errno
	}
	return int(n), nil
}
