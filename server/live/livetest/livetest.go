// Package livetest is test support for the live protocol: a WebSocket
// client that speaks server/live's envelopes and fails the test on
// anything unexpected. It is not for production use.
package livetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/armsflow/armsflow/server/live"
	"github.com/gorilla/websocket"
)

// WSURL turns a server's http:// base URL into its /ws URL.
func WSURL(base string) string { return "ws" + strings.TrimPrefix(base, "http") + "/ws" }

// Client is a test WebSocket client. Set T to a subtest's t to report there.
type Client struct {
	T  testing.TB
	WS *websocket.Conn
}

// DialError is a refused handshake with its HTTP status.
type DialError struct {
	Status int
	Err    error
}

func (e *DialError) Error() string { return e.Err.Error() }

// Dial connects to a /ws URL, reads the welcome message and closes the
// socket when the test ends.
func Dial(t testing.TB, url string, hdr http.Header) *Client {
	t.Helper()
	c, err := TryDial(t, websocket.DefaultDialer, url, hdr)
	if err != nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	c.Expect(live.TypeWelcome)
	return c
}

// TryDial connects without reading anything; a refused handshake is a
// *DialError.
func TryDial(t testing.TB, d *websocket.Dialer, url string, hdr http.Header) (*Client, error) {
	ws, resp, err := d.Dial(url, hdr)
	if err != nil {
		if resp != nil {
			return nil, &DialError{Status: resp.StatusCode, Err: err}
		}
		return nil, err
	}
	t.Cleanup(func() { ws.Close() })
	return &Client{T: t, WS: ws}, nil
}

// Send writes a message (v is set to the protocol version).
func (c *Client) Send(env live.Envelope) {
	c.T.Helper()
	env.V = live.ProtocolVersion
	if err := c.WS.WriteJSON(env); err != nil {
		c.T.Fatalf("send %s: %v", env.Type, err)
	}
}

// SendRaw writes a raw message of type mt.
func (c *Client) SendRaw(mt int, b []byte) {
	c.T.Helper()
	if err := c.WS.WriteMessage(mt, b); err != nil {
		c.T.Fatalf("send raw: %v", err)
	}
}

// Timeout bounds every wait of this package (a read, a close, WaitFor):
// generous, since it only matters when something is wrong and the race
// detector on a busy machine is slow.
const Timeout = 30 * time.Second

// Read reads one message within d; the server must send valid envelopes.
// A message that is not one fails the test (with T.Errorf, so Read may be
// called from any goroutine) and is returned as an error.
func (c *Client) Read(d time.Duration) (live.Envelope, error) {
	var env live.Envelope
	c.WS.SetReadDeadline(time.Now().Add(d))
	_, b, err := c.WS.ReadMessage()
	if err != nil {
		return env, err
	}
	if err := json.Unmarshal(b, &env); err != nil {
		err = fmt.Errorf("server sent non-JSON %q: %w", b, err)
		c.T.Errorf("%v", err)
		return env, err
	}
	if env.V != live.ProtocolVersion {
		err := fmt.Errorf("server sent v=%d: %s", env.V, b)
		c.T.Errorf("%v", err)
		return env, err
	}
	return env, nil
}

// Next reads one message (within Timeout). Call it from the test's
// goroutine only: it stops the test on failure.
func (c *Client) Next() live.Envelope {
	c.T.Helper()
	env, err := c.Read(Timeout)
	if err != nil {
		c.T.Fatalf("read: %v", err)
	}
	return env
}

// Expect reads one message and checks its type.
func (c *Client) Expect(typ string) live.Envelope {
	c.T.Helper()
	env := c.Next()
	if env.Type != typ {
		c.T.Fatalf("got %s %s, want %s", env.Type, env.Data, typ)
	}
	return env
}

// ExpectError reads an error message and checks its code and that it has
// a message.
func (c *Client) ExpectError(code string) live.ErrorData {
	c.T.Helper()
	env := c.Expect(live.TypeError)
	var e live.ErrorData
	if err := json.Unmarshal(env.Data, &e); err != nil {
		c.T.Fatal(err)
	}
	if e.Code != code || e.Message == "" {
		c.T.Fatalf("error %q (%s), want code %q with a message", e.Code, e.Message, code)
	}
	return e
}

// Subscribe subscribes to a channel and reads the ack.
func (c *Client) Subscribe(channel string) {
	c.T.Helper()
	c.Send(live.Envelope{Type: live.TypeSubscribe, Channel: channel})
	if env := c.Expect(live.TypeSubscribed); env.Channel != channel {
		c.T.Fatalf("subscribed to %q, want %q", env.Channel, channel)
	}
}

// Alive checks the next message answers a ping: nothing else was queued.
func (c *Client) Alive() {
	c.T.Helper()
	c.Send(live.Envelope{Type: live.TypePing, ID: "alive"})
	if env := c.Expect(live.TypePong); env.ID != "alive" {
		c.T.Fatalf("pong id %q", env.ID)
	}
}

// CloseCode reads until the socket ends and returns the close frame's code:
// 0 when it ended without one, -1 when it was still open after Timeout. It
// does not stop the test, so it may be called from any goroutine.
func (c *Client) CloseCode() int {
	c.WS.SetReadDeadline(time.Now().Add(Timeout))
	for {
		_, _, err := c.WS.ReadMessage()
		if err == nil {
			continue
		}
		if ce, ok := errors.AsType[*websocket.CloseError](err); ok {
			return ce.Code
		}
		if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
			return -1
		}
		return 0
	}
}

// WaitFor polls cond for up to Timeout (the race detector is slow).
func WaitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(Timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
