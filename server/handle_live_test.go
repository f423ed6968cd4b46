package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/geo/geotest"
	"github.com/armsflow/armsflow/server"
	"github.com/armsflow/armsflow/server/live"
	"github.com/armsflow/armsflow/server/live/livetest"
	"github.com/gorilla/websocket"
	natsserver "github.com/nats-io/nats-server/v2/server"
)

const writeToken = "test-write-token-0123456789abcdef"

// liveServer is a server with a live hub over geotest.Fixture, on loopback.
type liveServer struct {
	ts    *httptest.Server
	store *geotest.Store
	hub   *live.Hub

	mu      sync.Mutex
	changes []data.Change // seen by the OnChange hook
}

type liveSetup struct {
	cfg   server.Config
	bus   live.Bus
	id    string
	store *geotest.Store // shared by instances when set
	db    data.Store     // another store instead (liveServer.store is then nil)
}

func newLiveServer(t *testing.T, s liveSetup) *liveServer {
	t.Helper()
	var st data.Store = s.db
	if st == nil {
		if s.store == nil {
			s.store = geotest.NewStoreWith(geotest.Fixture())
		}
		st = s.store
	}
	if s.bus == nil {
		s.bus = live.NewMemoryBus()
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	// BusTimeout: asking another instance for a room may be slow under the
	// race detector on a busy machine (the default is 500ms).
	hub, err := live.NewHub(live.Options{InstanceID: s.id, ServerVersion: "test", Logger: log, BusTimeout: livetest.Timeout}, s.bus)
	if err != nil {
		t.Fatal(err)
	}
	ls := &liveServer{store: s.store, hub: hub}
	srv := server.New(s.cfg, server.Deps{Store: st, Live: hub, Logger: log,
		OnChange: []func(data.Change){func(ch data.Change) {
			ls.mu.Lock()
			ls.changes = append(ls.changes, ch)
			ls.mu.Unlock()
		}}})
	ls.ts = httptest.NewServer(srv)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), livetest.Timeout)
		defer cancel()
		if err := hub.Shutdown(ctx); err != nil {
			t.Errorf("hub shutdown: %v", err)
		}
		ls.ts.Close()
	})
	return ls
}

func (ls *liveServer) hooks() int {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	return len(ls.changes)
}

// watch opens a socket subscribed to the data channel.
func (ls *liveServer) watch(t *testing.T) *livetest.Client {
	t.Helper()
	c := livetest.Dial(t, livetest.WSURL(ls.ts.URL), nil)
	c.Subscribe(live.ChannelData)
	return c
}

// do sends a request; headers are "Name: value" strings. It returns the
// status, the headers and the body.
func (ls *liveServer) do(t *testing.T, method, path, body string, hdr ...string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, ls.ts.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hdr {
		k, v, _ := strings.Cut(h, ":")
		req.Header.Set(k, strings.TrimSpace(v))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}

// write sends an authenticated JSON write and decodes the answer into v
// (when not nil), failing unless the status is want.
func (ls *liveServer) write(t *testing.T, method, path, body string, want int, v any) {
	t.Helper()
	status, _, b := ls.do(t, method, path, body, "Authorization: Bearer "+writeToken, "Content-Type: application/json")
	if status != want {
		t.Fatalf("%s %s: %d %s, want %d", method, path, status, b, want)
	}
	if v != nil {
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, b)
		}
	}
}

// errorBody is the server's JSON error.
type errorBody struct {
	Error  string `json:"error"`
	Status int    `json:"status"`
	Param  string `json:"param"`
}

func decodeError(t *testing.T, b []byte) errorBody {
	t.Helper()
	var e errorBody
	if err := json.Unmarshal(b, &e); err != nil || e.Error == "" {
		t.Fatalf("not a JSON error: %s (%v)", b, err)
	}
	return e
}

// transferEvent is the data of transfer.* events as a client reads it.
type transferEvent struct {
	Version  int64 `json:"version"`
	Transfer struct {
		data.Transfer
		SupplierName  string `json:"supplier_name"`
		RecipientName string `json:"recipient_name"`
	} `json:"transfer"`
	Flow *struct {
		Supplier    string  `json:"supplier"`
		Recipient   string  `json:"recipient"`
		Rank        int     `json:"rank"`
		Deals       int     `json:"deals"`
		TransferIDs []int64 `json:"transfer_ids"`
	} `json:"flow"`
}

type tilesEvent struct {
	Version   int64       `json:"version"`
	Layers    []string    `json:"layers"`
	MinZoom   int         `json:"minzoom"`
	MaxZoom   int         `json:"maxzoom"`
	Countries []string    `json:"countries"`
	Bounds    *[4]float64 `json:"bounds"`
}

func expectTransfer(t *testing.T, c *livetest.Client, typ string) transferEvent {
	t.Helper()
	env := c.Expect(typ)
	var ev transferEvent
	if err := json.Unmarshal(env.Data, &ev); err != nil || env.Channel != live.ChannelData {
		t.Fatalf("%s on %q: %s (%v)", typ, env.Channel, env.Data, err)
	}
	return ev
}

func expectTiles(t *testing.T, c *livetest.Client) tilesEvent {
	t.Helper()
	var ev tilesEvent
	if err := json.Unmarshal(c.Expect(live.TypeTilesInvalidated).Data, &ev); err != nil {
		t.Fatal(err)
	}
	return ev
}

// newTransferJSON is a valid new transfer (USA→UKR) as JSON.
func newTransferJSON(weapon string) string {
	return `{"supplier":"USA","recipient":"UKR","weapon":"` + weapon + `","category":"air-defence","order_year":2023,
		"quantity":2,"value":1.5e9,"unit":"USD","status":"ordered",
		"source":{"publisher":"armsflow test","title":"Invented row for a test (not real data)","date":"2026"}}`
}

func jsonInto(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%v in %s", err, b)
	}
}

func TestWebSocketRoute(t *testing.T) {
	ls := newLiveServer(t, liveSetup{})
	c := ls.watch(t)
	c.Alive()
	// A foreign page may not open a socket; the same host may.
	_, err := livetest.TryDial(t, websocket.DefaultDialer, livetest.WSURL(ls.ts.URL), http.Header{"Origin": {"https://evil.example"}})
	if de, ok := errors.AsType[*livetest.DialError](err); !ok || de.Status != http.StatusForbidden {
		t.Fatalf("foreign origin: %v, want 403", err)
	}
	livetest.Dial(t, livetest.WSURL(ls.ts.URL), http.Header{"Origin": {ls.ts.URL}}).Alive()
	// Not a WebSocket handshake: a JSON error.
	status, _, b := ls.do(t, "GET", "/ws", "")
	if status != http.StatusBadRequest {
		t.Fatalf("plain GET /ws: %d %s", status, b)
	}
	decodeError(t, b)
	if status, _, _ := ls.do(t, "POST", "/ws", ""); status != http.StatusMethodNotAllowed {
		t.Fatalf("POST /ws: %d", status)
	}
}

// TestTwoInstancesOverNATS runs two servers over one store (as two
// instances over one database) and one NATS server: a transfer posted to A
// reaches a socket of B, and a room driven on A is followed on B.
func TestTwoInstancesOverNATS(t *testing.T) {
	ns, err := natsserver.NewServer(&natsserver.Options{Host: "127.0.0.1", Port: -1, NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	go ns.Start()
	if !ns.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats server not ready")
	}
	t.Cleanup(ns.Shutdown)
	bus := func(id string) live.Bus {
		b, err := live.NewNATSBus(ns.ClientURL(), id)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { b.Close() })
		return b
	}
	store := geotest.NewStoreWith(geotest.Fixture())
	cfg := server.Config{WriteTokens: []string{writeToken}}
	a := newLiveServer(t, liveSetup{cfg: cfg, bus: bus("a"), id: "a", store: store})
	b := newLiveServer(t, liveSetup{cfg: cfg, bus: bus("b"), id: "b", store: store})
	ca, cb := a.watch(t), b.watch(t)

	a.write(t, "POST", "/api/transfers", newTransferJSON("NASAMS"), http.StatusCreated, nil)
	for _, c := range []*livetest.Client{ca, cb} {
		if ev := expectTransfer(t, c, live.TypeTransferAdded); ev.Transfer.ID != 13 || ev.Flow == nil || ev.Flow.Deals != 4 {
			t.Fatalf("event %+v", ev)
		}
		expectTiles(t, c)
		c.Alive() // once, not twice
	}

	var room roomAnswer
	a.write(t, "POST", "/api/rooms", `{"state":{"caption":"one"}}`, http.StatusCreated, &room)
	vb := livetest.Dial(t, livetest.WSURL(b.ts.URL), nil)
	vb.Subscribe(room.Channel)
	if env := vb.Expect(live.TypeRoomState); string(env.Data) != `{"caption":"one"}` {
		t.Fatalf("viewer on b: %s", env.Data)
	}
	status, _, body := a.do(t, "PUT", "/api/rooms/"+room.ID+"/state", `{"caption":"two"}`, "Authorization: Bearer "+room.PresenterToken)
	if status != 200 {
		t.Fatalf("put state on a: %d %s", status, body)
	}
	if env := vb.Expect(live.TypeRoomState); string(env.Data) != `{"caption":"two"}` {
		t.Fatalf("viewer on b: %s", env.Data)
	}
	livetest.WaitFor(t, "b to hold the latest state", func() bool {
		_, _, body := b.do(t, "GET", "/api/rooms/"+room.ID, "")
		var info roomAnswer
		jsonInto(t, body, &info)
		return info.Seq == 2
	})
}
