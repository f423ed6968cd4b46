package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// wsClient is a WebSocket client subscribed to the data channel, counting
// the transfer events it gets and when.
type wsClient struct {
	ws     *websocket.Conn
	l      *load
	mu     sync.Mutex
	events int
	got    []received
	closed bool
	done   chan struct{}
}

type received struct {
	version int64
	at      time.Time
}

// connectWS opens n subscribed clients.
func (l *load) connectWS(ctx context.Context, addr string, n int) ([]*wsClient, error) {
	var out []*wsClient
	for range n {
		d := websocket.Dialer{HandshakeTimeout: 10 * time.Second}
		ws, _, err := d.DialContext(ctx, "ws://"+addr+"/ws", nil)
		if err != nil {
			return out, fmt.Errorf("WebSocket: %w", err)
		}
		c := &wsClient{ws: ws, l: l, done: make(chan struct{})}
		if err := ws.WriteJSON(map[string]any{"v": 1, "type": "subscribe", "channel": "data"}); err != nil {
			return out, err
		}
		_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
		for typ := ""; typ != "subscribed"; {
			var env struct {
				Type string `json:"type"`
			}
			if err := ws.ReadJSON(&env); err != nil {
				return out, fmt.Errorf("WebSocket subscribe: %w", err)
			}
			typ = env.Type
		}
		_ = ws.SetReadDeadline(time.Time{})
		go c.read()
		out = append(out, c)
	}
	return out, nil
}

func (c *wsClient) read() {
	defer close(c.done)
	for {
		_, b, err := c.ws.ReadMessage()
		at := time.Now()
		if err != nil {
			c.mu.Lock()
			closed := c.closed
			c.mu.Unlock()
			if !closed {
				c.l.stats.fail("ws", "read: %v", err)
			}
			return
		}
		var env struct {
			Type string `json:"type"`
			Data struct {
				Version int64 `json:"version"`
			} `json:"data"`
		}
		if err := json.Unmarshal(b, &env); err != nil {
			c.l.stats.fail("ws", "message %.100s: %v", b, err)
			continue
		}
		if strings.HasPrefix(env.Type, "transfer.") {
			c.mu.Lock()
			c.events++
			c.got = append(c.got, received{env.Data.Version, at})
			c.mu.Unlock()
		}
	}
}

// close ends the client and records its events' delivery times: from
// sending the write to reading its event.
func (c *wsClient) close() {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
	_ = c.ws.Close()
	<-c.done
	for _, r := range c.got {
		if sent, ok := c.l.sentAt(r.version); ok {
			c.l.stats.ok("ws-event", r.at.Sub(sent))
		}
	}
}

func (c *wsClient) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.events
}

func minEvents(cs []*wsClient) int {
	if len(cs) == 0 {
		return 0
	}
	m := cs[0].count()
	for _, c := range cs[1:] {
		m = min(m, c.count())
	}
	return m
}

func maxEvents(cs []*wsClient) int {
	m := 0
	for _, c := range cs {
		m = max(m, c.count())
	}
	return m
}
