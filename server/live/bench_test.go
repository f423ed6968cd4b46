package live_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/armsflow/armsflow/server/live"
)

// BenchmarkBroadcast measures one broadcast reaching 500 sockets on
// loopback (clients in this process): ns/op is the time until the last
// client has it.
func BenchmarkBroadcast(b *testing.B) {
	const clients = 500
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
		if err := h.Publish(context.Background(), live.ChannelData, live.TypeTransferAdded, payload); err != nil {
			b.Fatal(err)
		}
		want += clients
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
