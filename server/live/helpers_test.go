package live

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// testHub starts a hub behind an httptest server on loopback; both are shut
// down when the test ends.
func testHub(t testing.TB, opts Options, bus Bus) (*Hub, *httptest.Server) {
	t.Helper()
	if bus == nil {
		bus = NewMemoryBus()
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	h, err := NewHub(opts, bus)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := h.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		ts.Close()
	})
	return h, ts
}

func wsURL(ts *httptest.Server) string { return "ws" + strings.TrimPrefix(ts.URL, "http") + "/ws" }

// client is a test WebSocket client.
type client struct {
	t  testing.TB
	ws *websocket.Conn
}

// dial connects and reads the welcome message.
func dial(t testing.TB, ts *httptest.Server, hdr http.Header) *client {
	t.Helper()
	c, err := tryDial(t, ts, hdr)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	if w := c.next(); w.Type != TypeWelcome {
		t.Fatalf("first message %s, want welcome", w.Type)
	}
	return c
}

func tryDial(t testing.TB, ts *httptest.Server, hdr http.Header) (*client, error) {
	ws, resp, err := websocket.DefaultDialer.Dial(wsURL(ts), hdr)
	if err != nil {
		if resp != nil {
			return nil, &dialError{status: resp.StatusCode, err: err}
		}
		return nil, err
	}
	c := &client{t: t, ws: ws}
	t.Cleanup(func() { ws.Close() })
	return c, nil
}

type dialError struct {
	status int
	err    error
}

func (e *dialError) Error() string { return e.err.Error() }

func (c *client) send(env Envelope) {
	c.t.Helper()
	env.V = ProtocolVersion
	if err := c.ws.WriteJSON(env); err != nil {
		c.t.Fatalf("send %s: %v", env.Type, err)
	}
}

func (c *client) sendRaw(mt int, b []byte) {
	c.t.Helper()
	if err := c.ws.WriteMessage(mt, b); err != nil {
		c.t.Fatalf("send raw: %v", err)
	}
}

// next reads one message (5s at most).
func (c *client) next() Envelope {
	c.t.Helper()
	env, err := c.read(5 * time.Second)
	if err != nil {
		c.t.Fatalf("read: %v", err)
	}
	return env
}

func (c *client) read(d time.Duration) (Envelope, error) {
	var env Envelope
	c.ws.SetReadDeadline(time.Now().Add(d))
	_, b, err := c.ws.ReadMessage()
	if err != nil {
		return env, err
	}
	if err := json.Unmarshal(b, &env); err != nil {
		c.t.Fatalf("server sent non-JSON %q: %v", b, err)
	}
	if env.V != ProtocolVersion {
		c.t.Fatalf("server sent v=%d: %s", env.V, b)
	}
	return env, nil
}

// expect reads one message and checks its type.
func (c *client) expect(typ string) Envelope {
	c.t.Helper()
	env := c.next()
	if env.Type != typ {
		c.t.Fatalf("got %s %s, want %s", env.Type, env.Data, typ)
	}
	return env
}

// expectError reads an error message and checks its code.
func (c *client) expectError(code string) ErrorData {
	c.t.Helper()
	env := c.expect(TypeError)
	var e ErrorData
	if err := json.Unmarshal(env.Data, &e); err != nil {
		c.t.Fatal(err)
	}
	if e.Code != code {
		c.t.Fatalf("error code %q (%s), want %q", e.Code, e.Message, code)
	}
	if e.Message == "" {
		c.t.Fatalf("error %s without a message", code)
	}
	return e
}

func (c *client) subscribe(channel string) {
	c.t.Helper()
	c.send(Envelope{Type: TypeSubscribe, Channel: channel})
	if env := c.expect(TypeSubscribed); env.Channel != channel {
		c.t.Fatalf("subscribed to %q, want %q", env.Channel, channel)
	}
}

// alive checks the connection still answers a ping with a pong.
func (c *client) alive() {
	c.t.Helper()
	c.send(Envelope{Type: TypePing, ID: "alive"})
	if env := c.expect(TypePong); env.ID != "alive" {
		c.t.Fatalf("pong id %q", env.ID)
	}
}

// closeCode reads until the socket ends and returns the close code (0 when
// it ended without a close frame).
func (c *client) closeCode() int {
	c.t.Helper()
	c.ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		_, _, err := c.ws.ReadMessage()
		if err == nil {
			continue
		}
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			return ce.Code
		}
		return 0
	}
}

// waitFor polls cond for up to 20s (the race detector is slow).
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
