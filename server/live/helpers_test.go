package live_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/armsflow/armsflow/server/live"
	"github.com/armsflow/armsflow/server/live/livetest"
)

// testHub starts a hub behind an httptest server on loopback; both are shut
// down when the test ends.
func testHub(t testing.TB, opts live.Options, bus live.Bus) (*live.Hub, *httptest.Server) {
	t.Helper()
	if bus == nil {
		bus = live.NewMemoryBus()
	}
	if opts.Logger == nil {
		opts.Logger = quietLogger()
	}
	h, err := live.NewHub(opts, bus)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), livetest.Timeout)
		defer cancel()
		if err := h.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		ts.Close()
	})
	return h, ts
}

func wsURL(ts *httptest.Server) string { return livetest.WSURL(ts.URL) }

// dial connects to the test server and reads the welcome message.
func dial(t testing.TB, ts *httptest.Server, hdr http.Header) *livetest.Client {
	t.Helper()
	return livetest.Dial(t, wsURL(ts), hdr)
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
