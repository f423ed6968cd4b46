package live_test

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/armsflow/armsflow/server/live"
)

// BenchmarkBroadcast measures broadcasts reaching 500 sockets on loopback
// (clients in this process): ns/op is the time until the last client has
// the last of a burst of 1 or 32 events (a bulk write publishes one event
// per transfer). A writer sends what has queued up for its socket in one
// write, so a burst costs far less than 32 single events.
func BenchmarkBroadcast(b *testing.B) {
	for _, burst := range []int{1, 32} {
		b.Run("burst="+strconv.Itoa(burst), func(b *testing.B) { benchBroadcast(b, 500, burst) })
	}
}

func benchBroadcast(b *testing.B, clients, burst int) {
	h, ts := testHub(b, live.Options{MaxConnsPerIP: -1}, nil)
	var got atomic.Int64
	for range clients {
		c := dial(b, ts, nil)
		c.Subscribe(live.ChannelData)
		go func() {
			for {
				if _, _, err := c.WS.ReadMessage(); err != nil {
					return
				}
				got.Add(1)
			}
		}()
	}
	payload := map[string]any{"transfer": map[string]any{"id": 1, "weapon": "F-16C", "supplier": "USA", "recipient": "UKR"}}
	want := int64(0)
	for b.Loop() {
		for range burst {
			if err := h.Publish(context.Background(), live.ChannelData, live.TypeTransferAdded, payload); err != nil {
				b.Fatal(err)
			}
		}
		want += int64(clients * burst)
		deadline := time.Now().Add(10 * time.Second)
		for got.Load() < want {
			if time.Now().After(deadline) {
				b.Fatalf("%d of %d deliveries after 10s", got.Load(), want)
			}
			time.Sleep(50 * time.Microsecond)
		}
	}
	b.ReportMetric(float64(clients), "clients")
}
