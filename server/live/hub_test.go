package live_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/armsflow/armsflow/server/live"
	"github.com/armsflow/armsflow/server/live/livetest"
)

func TestWelcomeSubscribeReceive(t *testing.T) {
	h, ts := testHub(t, live.Options{ServerVersion: "1.2.3"}, nil)
	ws, resp, err := websocket.DefaultDialer.Dial(wsURL(ts), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	if resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("status %d", resp.StatusCode)
	}
	c := &livetest.Client{T: t, WS: ws}
	w := c.Expect(live.TypeWelcome)
	var wd struct {
		Server   string `json:"server"`
		Protocol int    `json:"protocol"`
	}
	if err := json.Unmarshal(w.Data, &wd); err != nil || wd.Server != "armsflow/1.2.3" || wd.Protocol != 1 {
		t.Fatalf("welcome %s (%v)", w.Data, err)
	}

	c.Subscribe(live.ChannelData)
	other := dial(t, ts, nil) // not subscribed: gets nothing
	payload := map[string]any{"transfer": map[string]any{"id": 7, "weapon": "F-16C"}, "version": 3}
	if err := h.Publish(context.Background(), live.ChannelData, live.TypeTransferAdded, payload); err != nil {
		t.Fatal(err)
	}
	got := c.Expect(live.TypeTransferAdded)
	if got.Channel != live.ChannelData || !bytes.Equal(got.Data, mustJSON(payload)) {
		t.Fatalf("event %s on %q", got.Data, got.Channel)
	}
	other.Alive() // its next message is the pong, not the event

	// Unsubscribed: the next message after an event is the pong.
	c.Send(live.Envelope{Type: live.TypeUnsubscribe, Channel: live.ChannelData, ID: "u1"})
	if env := c.Expect(live.TypeUnsubscribed); env.ID != "u1" || env.Channel != live.ChannelData {
		t.Fatalf("unsubscribed %+v", env)
	}
	if err := h.Publish(context.Background(), live.ChannelData, live.TypeTransferDeleted, payload); err != nil {
		t.Fatal(err)
	}
	c.Alive()

	if err := h.Publish(context.Background(), "room:x", live.TypeTransferAdded, payload); err == nil {
		t.Fatal("publishing to a room channel was accepted")
	}
}

func TestBadMessagesAnsweredConnectionSurvives(t *testing.T) {
	_, ts := testHub(t, live.Options{MaxMessageBytes: 20 << 10, ReadLimit: 1 << 20, MaxRoomStateBytes: 1024}, nil)
	c := dial(t, ts, nil)
	big := `{"v":1,"type":"ping","id":"` + strings.Repeat("x", 30<<10) + `"}`
	bigState := `{"v":1,"type":"room.state","channel":"room:abc","token":"t","data":{"s":"` + strings.Repeat("y", 2000) + `"}}`
	for _, tc := range []struct {
		name, msg, code string
		binary          bool
	}{
		{"not json", `{"v":1,"type":`, live.CodeBadMessage, false},
		{"not an object", `[1,2,3]`, live.CodeBadMessage, false},
		{"wrong field type", `{"v":1,"type":"subscribe","channel":5}`, live.CodeBadMessage, false},
		{"version", `{"v":2,"type":"ping"}`, live.CodeUnsupportedVersion, false},
		{"no version", `{"type":"ping"}`, live.CodeUnsupportedVersion, false},
		{"no type", `{"v":1}`, live.CodeBadMessage, false},
		{"unknown type", `{"v":1,"type":"shutdown"}`, live.CodeUnknownType, false},
		{"unknown channel", `{"v":1,"type":"subscribe","channel":"admin"}`, live.CodeUnknownChannel, false},
		{"bad room id", `{"v":1,"type":"subscribe","channel":"room:../x"}`, live.CodeUnknownChannel, false},
		{"no such room", `{"v":1,"type":"subscribe","channel":"room:nope"}`, live.CodeNotFound, false},
		{"state without token", `{"v":1,"type":"room.state","channel":"room:abc","data":{}}`, live.CodeUnauthorized, false},
		{"state not object", `{"v":1,"type":"room.state","channel":"room:abc","token":"t","data":[1]}`, live.CodeBadMessage, false},
		{"state on data", `{"v":1,"type":"room.state","channel":"data","token":"t","data":{}}`, live.CodeUnknownChannel, false},
		{"state too large", bigState, live.CodeTooLarge, false},
		{"message too large", big, live.CodeTooLarge, false},
		{"binary", `{"v":1,"type":"ping"}`, live.CodeBadMessage, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c.T = t
			mt := websocket.TextMessage
			if tc.binary {
				mt = websocket.BinaryMessage
			}
			c.SendRaw(mt, []byte(tc.msg))
			c.ExpectError(tc.code)
			c.Alive()
		})
	}
	c.T = t

	// Over the hard read limit, in one frame or in several: the socket is
	// closed with 1009.
	_, ts2 := testHub(t, live.Options{MaxRoomStateBytes: 512, MaxMessageBytes: 2048, ReadLimit: 4096}, nil)
	for _, frame := range []int{1024, 16 << 10} {
		d := websocket.Dialer{WriteBufferSize: frame}
		ws, _, err := d.Dial(wsURL(ts2), nil)
		if err != nil {
			t.Fatal(err)
		}
		c2 := &livetest.Client{T: t, WS: ws}
		c2.Expect(live.TypeWelcome)
		c2.SendRaw(websocket.TextMessage, bytes.Repeat([]byte("z"), 8192))
		if code := c2.CloseCode(); code != websocket.CloseMessageTooBig {
			t.Fatalf("frames of %d bytes: close code %d, want 1009", frame, code)
		}
		ws.Close()
	}
}

func TestRateLimited(t *testing.T) {
	// A bucket of 4 that refills once in 100s: nothing refills during the test.
	h, ts := testHub(t, live.Options{MessageRate: 0.01, MessageBurst: 4}, nil)
	c := dial(t, ts, nil)
	c.Subscribe(live.ChannelData) // 1
	for i := 0; i < 6; i++ {
		c.Send(live.Envelope{Type: live.TypePing}) // 3 answered, 3 dropped
	}
	for i := 0; i < 3; i++ {
		c.Expect(live.TypePong)
	}
	c.ExpectError(live.CodeRateLimited)
	// Dropped messages get no answer: the next message is an event (or,
	// on a slow machine, one more rate_limited notice), never a pong.
	c.Send(live.Envelope{Type: live.TypePing, ID: "dropped"})
	if err := h.Publish(context.Background(), live.ChannelData, live.TypeDataChanged, map[string]int{"version": 1}); err != nil {
		t.Fatal(err)
	}
	for {
		env := c.Next()
		if env.Type == live.TypeDataChanged {
			break
		}
		if env.Type != live.TypeError {
			t.Fatalf("got %s %s after the limit, want the event", env.Type, env.ID)
		}
	}
}

func TestOriginCheck(t *testing.T) {
	_, ts := testHub(t, live.Options{AllowedOrigins: []string{"https://newsroom.example"}}, nil)
	host := strings.TrimPrefix(ts.URL, "http://")
	for _, tc := range []struct {
		origin string
		ok     bool
	}{
		{"", true},
		{"http://" + host, true},
		{"https://newsroom.example", true},
		{"https://NEWSROOM.example", true},
		{"https://evil.example", false},
		{"https://newsroom.example.evil.example", false},
		{"null", false},
	} {
		hdr := http.Header{}
		if tc.origin != "" {
			hdr.Set("Origin", tc.origin)
		}
		c, err := livetest.TryDial(t, websocket.DefaultDialer, wsURL(ts), hdr)
		if tc.ok && err != nil {
			t.Errorf("origin %q refused: %v", tc.origin, err)
		}
		if !tc.ok {
			var de *livetest.DialError
			if !errors.As(err, &de) || de.Status != http.StatusForbidden {
				t.Errorf("origin %q: %v, want 403", tc.origin, err)
			}
		}
		if c != nil {
			c.WS.Close()
		}
	}
}

func TestPerIPCap(t *testing.T) {
	h, ts := testHub(t, live.Options{MaxConnsPerIP: 2}, nil)
	a := dial(t, ts, nil)
	dial(t, ts, nil)
	_, err := livetest.TryDial(t, websocket.DefaultDialer, wsURL(ts), nil)
	var de *livetest.DialError
	if !errors.As(err, &de) || de.Status != http.StatusTooManyRequests {
		t.Fatalf("third connection: %v, want 429", err)
	}
	a.WS.Close()
	livetest.WaitFor(t, "the closed socket to be released", func() bool { return h.Stats().Conns == 1 })
	dial(t, ts, nil).Alive()
}

func TestShutdownClosesWithGoingAway(t *testing.T) {
	h, ts := testHub(t, live.Options{}, nil)
	var cs []*livetest.Client
	for i := 0; i < 5; i++ {
		c := dial(t, ts, nil)
		c.Subscribe(live.ChannelData)
		cs = append(cs, c)
	}
	ctx, cancel := context.WithTimeout(context.Background(), livetest.Timeout)
	defer cancel()
	codes := make(chan int, len(cs))
	for _, c := range cs {
		go func() { codes <- c.CloseCode() }()
	}
	if err := h.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	for range cs {
		if code := <-codes; code != websocket.CloseGoingAway {
			t.Errorf("close code %d, want 1001", code)
		}
	}
	if n := h.Stats().Conns; n != 0 {
		t.Fatalf("%d connections left after shutdown", n)
	}
	_, err := livetest.TryDial(t, websocket.DefaultDialer, wsURL(ts), nil)
	var de *livetest.DialError
	if !errors.As(err, &de) || de.Status != http.StatusServiceUnavailable {
		t.Fatalf("dial after shutdown: %v, want 503", err)
	}
}

func TestPingPongAndIdleDrop(t *testing.T) {
	// A client that answers pings stays; gorilla's client answers them
	// while it reads. The interval leaves a busy machine room to answer:
	// a client is dropped after twice the interval without a pong.
	const interval, enough = 500 * time.Millisecond, 3
	_, ts := testHub(t, live.Options{PingInterval: interval}, nil)
	c := dial(t, ts, nil)
	pings := 0 // the handler runs inside c.Read, on this goroutine
	c.WS.SetPingHandler(func(string) error {
		pings++
		if pings == enough {
			// This client has outlived the idle limit: end the read below.
			_ = c.WS.SetReadDeadline(time.Now())
		}
		return c.WS.WriteControl(websocket.PongMessage, nil, time.Now().Add(livetest.Timeout))
	})
	start := time.Now()
	if _, err := c.Read(livetest.Timeout); err == nil || !isTimeout(err) {
		t.Fatalf("read: %v, want a timeout (no data, not dropped)", err)
	}
	if pings < enough {
		t.Fatalf("%d pings in %v at a %v interval, want %d", pings, time.Since(start), interval, enough)
	}
	t.Logf("%d pings answered in %v at a %v interval", pings, time.Since(start).Round(time.Millisecond), interval)
	// gorilla's Conn cannot read again after a timeout; a fresh client that
	// never answers pings is dropped after twice the interval.
	d := dial(t, ts, nil)
	d.WS.SetPingHandler(func(string) error { return nil })
	if code := d.CloseCode(); code != 0 && code != websocket.CloseAbnormalClosure {
		t.Fatalf("silent client: close code %d (-1: still open after %v)", code, livetest.Timeout)
	}
}

func isTimeout(err error) bool {
	var ne interface{ Timeout() bool }
	return errors.As(err, &ne) && ne.Timeout()
}
