package live_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/armsflow/armsflow/server/live"
	"github.com/armsflow/armsflow/server/live/livetest"
)

// countingListener's sockets count their writes and have a small kernel
// send buffer.
type countingListener struct {
	net.Listener
	writes atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetWriteBuffer(8 << 10)
	}
	return &countingConn{Conn: c, n: &l.writes}, nil
}

type countingConn struct {
	net.Conn
	n *atomic.Int64
}

func (c *countingConn) Write(p []byte) (int, error) {
	c.n.Add(1)
	return c.Conn.Write(p)
}

// TestQueuedMessagesBatchedInOrder: messages that queue up while the writer
// waits on a client go out together, in fewer socket writes than messages,
// in order, none lost.
func TestQueuedMessagesBatchedInOrder(t *testing.T) {
	const total = 40 // about 40 KiB: more than the socket buffers, fewer than the queue's 64
	h, err := live.NewHub(live.Options{SendQueue: 64, MaxConnsPerIP: -1, Logger: quietLogger()}, live.NewMemoryBus())
	if err != nil {
		t.Fatal(err)
	}
	ln := &countingListener{}
	ts := httptest.NewUnstartedServer(h)
	ln.Listener = ts.Listener
	ts.Listener = ln
	ts.Start()
	defer ts.Close()
	defer h.Shutdown(context.Background())

	ws, _, err := stalledDialer.Dial(wsURL(ts), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	c := &livetest.Client{T: t, WS: ws}
	c.Expect(live.TypeWelcome)
	c.Subscribe(live.ChannelData)

	// The client reads nothing while they are published: the writer fills
	// the socket's buffers and waits; the rest queue up behind it.
	before := ln.writes.Load()
	pad := strings.Repeat("x", 1000)
	for seq := range total {
		if err := h.Publish(context.Background(), live.ChannelData, live.TypeTransferAdded, seqEvent{seq, pad}); err != nil {
			t.Fatal(err)
		}
	}
	for want := range total {
		env, err := c.Read(livetest.Timeout)
		if err != nil {
			t.Fatalf("message %d: %v", want, err)
		}
		var ev seqEvent
		if err := json.Unmarshal(env.Data, &ev); err != nil || ev.Seq != want {
			t.Fatalf("got seq %d (%v), want %d", ev.Seq, err, want)
		}
	}
	writes := ln.writes.Load() - before
	if writes >= total {
		t.Fatalf("%d messages took %d socket writes: queued messages were not sent together", total, writes)
	}
	if st := h.Stats(); st.SlowDrops != 0 {
		t.Fatalf("%d clients dropped", st.SlowDrops)
	}
	t.Logf("%d messages in %d socket writes", total, writes)
}

// TestBroadcastFrameSizes: broadcasts are framed by the hub (one frame
// for every socket); each length encoding (7-bit, 16-bit, 64-bit) reaches
// a gorilla client intact.
func TestBroadcastFrameSizes(t *testing.T) {
	h, ts := testHub(t, live.Options{}, nil)
	c := dial(t, ts, nil)
	c.Subscribe(live.ChannelData)
	pads := []int{0, 40, 60, 100, 65400, 65500, 65600, 200000}
	for seq, pad := range pads {
		if err := h.Publish(context.Background(), live.ChannelData, live.TypeTransferAdded, seqEvent{seq, strings.Repeat("p", pad)}); err != nil {
			t.Fatal(err)
		}
	}
	for seq, pad := range pads {
		env, err := c.Read(livetest.Timeout)
		if err != nil {
			t.Fatalf("message %d: %v", seq, err)
		}
		var ev seqEvent
		if err := json.Unmarshal(env.Data, &ev); err != nil || ev.Seq != seq || len(ev.Pad) != pad {
			t.Fatalf("message %d: seq %d, pad %d (%v); want pad %d", seq, ev.Seq, len(ev.Pad), err, pad)
		}
	}
}
