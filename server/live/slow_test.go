package live_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/gorilla/websocket"

	"github.com/armsflow/armsflow/server/live"
	"github.com/armsflow/armsflow/server/live/livetest"
)

// smallSendBuffers gives every accepted socket a small kernel send buffer,
// so a client that stops reading fills its queue after a few messages
// instead of after megabytes of loopback buffering.
type smallSendBuffers struct{ net.Listener }

func (l smallSendBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetWriteBuffer(8 << 10)
	}
	return c, err
}

// stalledDialer's sockets have a small receive buffer (set before connect,
// so the window is small from the start).
var stalledDialer = &websocket.Dialer{NetDialContext: (&net.Dialer{
	Control: func(_, _ string, rc syscall.RawConn) error {
		var serr error
		err := rc.Control(func(fd uintptr) {
			serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4<<10)
		})
		if err != nil {
			return err
		}
		return serr
	},
}).DialContext}

type seqEvent struct {
	Seq int    `json:"seq"`
	Pad string `json:"pad"`
}

func TestStalledClientDroppedOthersGetEverything(t *testing.T) {
	const fast, total, burst = 100, 200, 20
	h, err := live.NewHub(live.Options{SendQueue: 64, MaxConnsPerIP: -1, Logger: quietLogger()}, live.NewMemoryBus())
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(h)
	ts.Listener = smallSendBuffers{ts.Listener}
	ts.Start()
	defer ts.Close()
	defer h.Shutdown(context.Background())

	// The stalled client subscribes, then never reads again.
	sws, _, err := stalledDialer.Dial(wsURL(ts), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer sws.Close()
	stalled := &livetest.Client{T: t, WS: sws}
	stalled.Expect(live.TypeWelcome)
	stalled.Subscribe(live.ChannelData)

	var received atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, fast)
	for i := 0; i < fast; i++ {
		c := dial(t, ts, nil)
		c.Subscribe(live.ChannelData)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for want := 0; want < total; want++ {
				env, err := c.Read(livetest.Timeout)
				if err != nil {
					errs <- fmt.Errorf("client %d: message %d: %w", i, want, err)
					return
				}
				var ev seqEvent
				if err := json.Unmarshal(env.Data, &ev); err != nil || ev.Seq != want {
					errs <- fmt.Errorf("client %d: got seq %d (%v), want %d", i, ev.Seq, err, want)
					return
				}
				received.Add(1)
			}
		}()
	}

	pad := strings.Repeat("x", 1000)
	for seq := 0; seq < total; seq++ {
		if err := h.Publish(context.Background(), live.ChannelData, live.TypeTransferAdded, seqEvent{seq, pad}); err != nil {
			t.Fatal(err)
		}
		// The fast clients keep up: publish in bursts they can absorb.
		if (seq+1)%burst == 0 {
			livetest.WaitFor(t, "fast clients to catch up", func() bool {
				return received.Load() == int64(fast*(seq+1)) || len(errs) > 0
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if received.Load() != fast*total {
		t.Fatalf("fast clients received %d messages, want %d", received.Load(), fast*total)
	}
	livetest.WaitFor(t, "the stalled client to be dropped", func() bool {
		st := h.Stats()
		return st.SlowDrops == 1 && st.Conns == fast
	})

	// What the stalled client finally reads is an in-order prefix, then
	// the end of the socket.
	n := 0
	for {
		env, err := stalled.Read(livetest.Timeout)
		if err != nil {
			break
		}
		var ev seqEvent
		if err := json.Unmarshal(env.Data, &ev); err != nil || ev.Seq != n {
			t.Fatalf("stalled client: got %s seq %d, want seq %d", env.Type, ev.Seq, n)
		}
		n++
	}
	if n >= total {
		t.Fatalf("stalled client got all %d messages: it was never behind", n)
	}
	t.Logf("stalled client was sent %d of %d messages before being dropped", n, total)
}
