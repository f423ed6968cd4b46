package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/armsflow/armsflow/server/live"
	"github.com/gorilla/websocket"
)

// client is one measuring WebSocket client.
type client struct {
	ws *websocket.Conn

	fd  int    // the epoll reader's socket
	buf []byte // the epoll reader's unparsed bytes

	mu     sync.Mutex
	lat    []time.Duration // delay of each broadcast received
	next   int             // the sequence number expected next
	gaps   int             // broadcasts missing or out of order
	errors int             // frames a server should not send
}

var dialer = &websocket.Dialer{HandshakeTimeout: 30 * time.Second, ReadBufferSize: 4096, WriteBufferSize: 1024}

// connectAll opens n subscribed clients, a bounded number of handshakes at
// a time so the listen backlog does not overflow.
func connectAll(url string, n, expect int) ([]*client, error) {
	cs := make([]*client, n)
	errs := make(chan error, n)
	sem := make(chan struct{}, 64)
	var wg sync.WaitGroup
	for i := range cs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			c, err := connect(url, expect)
			if err != nil {
				errs <- err
				return
			}
			cs[i] = c
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return cs, fmt.Errorf("connect: %w", err)
	}
	return cs, nil
}

func connect(url string, expect int) (*client, error) {
	ws, _, err := dialer.Dial(url, nil)
	if err != nil {
		return nil, err
	}
	c := &client{ws: ws, lat: make([]time.Duration, 0, expect)}
	ws.SetReadDeadline(time.Now().Add(30 * time.Second))
	if err := c.expect(live.TypeWelcome); err != nil {
		ws.Close()
		return nil, err
	}
	if err := ws.WriteJSON(live.Envelope{V: live.ProtocolVersion, Type: live.TypeSubscribe, Channel: live.ChannelData}); err != nil {
		ws.Close()
		return nil, err
	}
	if err := c.expect(live.TypeSubscribed); err != nil {
		ws.Close()
		return nil, err
	}
	ws.SetReadDeadline(time.Time{})
	return c, nil
}

func (c *client) expect(typ string) error {
	_, b, err := c.ws.ReadMessage()
	if err != nil {
		return err
	}
	var env live.Envelope
	if err := json.Unmarshal(b, &env); err != nil || env.Type != typ {
		return fmt.Errorf("got %s, want %s", b, typ)
	}
	return nil
}

// read records every broadcast until the socket closes (the gorilla probe:
// one goroutine per client). It reuses one buffer and parses only the two
// numbers it needs, to leave the shared CPU to the server.
func (c *client) read(p *progress) {
	var buf bytes.Buffer
	for {
		_, r, err := c.ws.NextReader()
		if err != nil {
			return
		}
		buf.Reset()
		if _, err := buf.ReadFrom(r); err != nil {
			return
		}
		c.record(buf.Bytes(), time.Now().UnixNano(), p)
	}
}

// record checks a broadcast's sequence number and keeps its delay (now:
// when it was read, Unix nanoseconds).
func (c *client) record(b []byte, now int64, p *progress) {
	seq, ok1 := intField(b, `"seq":`)
	sent, ok2 := intField(b, `"t":`)
	if !ok1 || !ok2 {
		return
	}
	c.mu.Lock()
	if int(seq) != c.next {
		c.gaps++
	}
	c.next = int(seq) + 1
	c.lat = append(c.lat, time.Duration(now-sent))
	c.mu.Unlock()
	p.delivered()
}

// intField reads the integer after the first occurrence of key.
func intField(b []byte, key string) (int64, bool) {
	i := bytes.Index(b, []byte(key))
	if i < 0 {
		return 0, false
	}
	b = b[i+len(key):]
	j := 0
	for j < len(b) && (b[j] >= '0' && b[j] <= '9' || b[j] == '-') {
		j++
	}
	v, err := strconv.ParseInt(string(b[:j]), 10, 64)
	return v, err == nil
}

func closeAll(cs []*client) {
	for _, c := range cs {
		if c != nil {
			c.ws.Close()
		}
	}
}
