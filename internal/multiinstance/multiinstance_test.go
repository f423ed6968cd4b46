package multiinstance

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/armsflow/armsflow/data/defaults"
	"github.com/armsflow/armsflow/internal/bintest"
	"github.com/armsflow/armsflow/internal/pgtest"
	"github.com/armsflow/armsflow/internal/testenv"
	"github.com/armsflow/armsflow/server/live"
	"github.com/armsflow/armsflow/server/live/livetest"
)

// token is the write token both instances accept.
const token = "multi-instance-test-token"

// within bounds every wait for one instance to see another's write:
// generous, since the race detector on a busy machine is slow (the time
// taken is logged).
const within = 30 * time.Second

// The pair the write lands on: a flow of the default data.
const supplier, recipient = "USA", "QAT"

// startNATS runs a NATS server on a random loopback port until t ends.
func startNATS(t *testing.T) string {
	t.Helper()
	ns, err := natsserver.NewServer(&natsserver.Options{Host: "127.0.0.1", Port: -1, NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatalf("nats server: %v", err)
	}
	go ns.Start()
	if !ns.ReadyForConnections(10 * time.Second) {
		ns.Shutdown()
		t.Fatal("nats server not ready within 10s")
	}
	t.Cleanup(ns.Shutdown)
	return ns.ClientURL()
}

// startPair starts two `armsflow serve` on dsn and the bus at once, so
// both run the schema migration (under its advisory lock) and look for
// the default data together. --poll 1h leaves other instances' writes to
// PostgreSQL's LISTEN/NOTIFY (WatchChanges): a poll would not come within
// the test's bounds.
func startPair(t *testing.T, ctx context.Context, bin, dsn, bus string) (a, b *bintest.Server) {
	t.Helper()
	var wg sync.WaitGroup
	srvs := make([]*bintest.Server, 2)
	errs := make([]error, 2)
	for i := range srvs {
		wg.Go(func() {
			srvs[i], errs[i] = bintest.Start(ctx, bin, nil, "--db", dsn, "--bus", bus, "--write-tokens", token,
				"--poll", "1h", "--log-level", "debug", "--room-rate", "off", "--write-rate", "off")
		})
	}
	wg.Wait()
	for i, s := range srvs {
		if s == nil {
			continue
		}
		name := string(rune('A' + i))
		t.Cleanup(func() {
			if err := s.Stop(10 * time.Second); err != nil {
				t.Logf("instance %s: stop: %v", name, err)
			}
			if t.Failed() {
				t.Logf("instance %s log:\n%s", name, s.Log())
			}
		})
	}
	for i, err := range errs {
		if err != nil {
			t.Fatalf("instance %c: %v", 'A'+i, err)
		}
	}
	return srvs[0], srvs[1]
}

// newPair builds armsflow and starts two instances of it on a new
// PostgreSQL database and an embedded NATS bus, for at most 5 minutes.
// Without PostgreSQL it skips, or fails when CI requires it.
func newPair(t *testing.T) (*bintest.Server, *bintest.Server) {
	t.Helper()
	if os.Getenv(pgtest.EnvVar) == "" {
		testenv.Missing(t, testenv.RequirePostgres, pgtest.EnvVar+` is not set: start a throwaway PostgreSQL/PostGIS cluster with eval "$(bash .ci/pg-setup.sh)"`)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	dsn := pgtest.NewDatabase(t)
	bus := startNATS(t)
	bin, err := bintest.Build(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return startPair(t, ctx, bin, dsn, bus)
}

func TestTwoInstancesOnePostgresOneBus(t *testing.T) {
	a, b := newPair(t)

	t.Run("default data stored once, same version on both", func(t *testing.T) { checkDefaults(t, a, b) })
	t.Run("write on A reaches B", func(t *testing.T) { checkWrite(t, a, b) })
	t.Run("room on A followed from B", func(t *testing.T) { checkRoom(t, a, b) })
}

// checkDefaults: the fresh database holds the default transfers once, and
// both instances answer the same data version. Both instances may have
// found the database empty and loaded the defaults (the loads upsert by
// natural key, and a load that changes nothing keeps the version), so the
// log tells how many did.
func checkDefaults(t *testing.T, a, b *bintest.Server) {
	batch, err := defaults.Batch()
	if err != nil {
		t.Fatal(err)
	}
	type page struct {
		Version int64 `json:"version"`
		Total   int   `json:"total"`
	}
	var pa, pb page
	getJSON(t, a.URL+"/api/transfers?limit=1", &pa)
	getJSON(t, b.URL+"/api/transfers?limit=1", &pb)
	if pa.Total != len(batch.Transfers) || pb.Total != len(batch.Transfers) {
		t.Errorf("transfers: A %d, B %d, want the %d default ones", pa.Total, pb.Total, len(batch.Transfers))
	}
	if pa.Version != pb.Version || pa.Version < 1 {
		t.Errorf("data version: A %d, B %d, want the same, at least 1", pa.Version, pb.Version)
	}
	loads := strings.Count(a.Log(), "default data loaded") + strings.Count(b.Log(), "default data loaded")
	t.Logf("both instances: %d transfers at data version %d; %d instance(s) loaded the defaults", pa.Total, pa.Version, loads)
}

// checkWrite posts a transfer to A and shows that B's /api/flows, flows
// tile and WebSocket clients all see it within the bound.
func checkWrite(t *testing.T, a, b *bintest.Server) {
	ws := livetest.Dial(t, livetest.WSURL(b.URL), nil)
	ws.Subscribe(live.ChannelData)

	before := pairFlows(t, b.URL, supplier, recipient)
	if before.deals() < 1 || before.Features[0].Geometry == nil || len(before.Features[0].Geometry.Coordinates) == 0 {
		t.Fatalf("B has no drawn %s→%s flow in the default data: %+v", supplier, recipient, before)
	}
	// a z3 tile through the middle of the flow's arc
	arc := before.Features[0].Geometry.Coordinates[0]
	mid := arc[len(arc)/2]
	tile := maptile.At(orb.Point{mid[0], mid[1]}, 3)
	tileURL := fmt.Sprintf("%s/tiles/flows/%d/%d/%d.mvt", b.URL, tile.Z, tile.X, tile.Y)
	code, etag, tileDeals := tileFlow(t, tileURL, "", supplier, recipient)
	if code != http.StatusOK || etag == "" || tileDeals != before.deals() {
		t.Fatalf("B's tile %s before the write: status %d, ETag %q, %s→%s deals %d, want 200, an ETag, %d",
			tileURL, code, etag, supplier, recipient, tileDeals, before.deals())
	}
	if code, _, _ := tileFlow(t, tileURL, etag, supplier, recipient); code != http.StatusNotModified {
		t.Fatalf("B's tile with its own ETag: %d, want 304", code)
	}

	body := []byte(`{"supplier":"` + supplier + `","recipient":"` + recipient + `","weapon":"multi-instance test item",` +
		`"category":"aircraft","order_year":2024,"quantity":3,"value":1000000,"unit":"USD","status":"ordered",` +
		`"source":{"publisher":"armsflow test","title":"Invented row for the multi-instance test (not real data)","date":"2026"}}`)
	posted := time.Now()
	code, _, res := do(t, http.MethodPost, a.URL+"/api/transfers",
		map[string]string{"Authorization": "Bearer " + token, "Content-Type": "application/json"}, body)
	if code != http.StatusOK && code != http.StatusCreated {
		t.Fatalf("POST A /api/transfers: %d %s", code, res)
	}
	var wr struct {
		Transfers []struct {
			ID int64 `json:"id"`
		} `json:"transfers"`
		Change struct {
			Version int64 `json:"version"`
		} `json:"change"`
	}
	if err := json.Unmarshal(res, &wr); err != nil || len(wr.Transfers) != 1 || wr.Transfers[0].ID == 0 {
		t.Fatalf("POST A /api/transfers answer: %v %s", err, res)
	}
	id, want := wr.Transfers[0].ID, before.deals()+1
	t.Logf("POST to A: transfer %d at data version %d", id, wr.Change.Version)

	var after flowsAnswer
	if !waitFor(within, func() bool {
		after = pairFlows(t, b.URL, supplier, recipient)
		return after.deals() == want && after.has(id)
	}) {
		t.Fatalf("B's /api/flows?supplier=%s&recipient=%s after %s: deals %d (version %d), want %d with transfer %d",
			supplier, recipient, within, after.deals(), after.Version, want, id)
	}
	if after.Version < wr.Change.Version {
		t.Errorf("B's /api/flows version %d, want at least the write's %d", after.Version, wr.Change.Version)
	}
	t.Logf("B's /api/flows: deals %d -> %d after %s", before.deals(), after.deals(), time.Since(posted).Round(time.Millisecond))

	var newTag string
	var newCode int
	if !waitFor(within, func() bool {
		newCode, newTag, tileDeals = tileFlow(t, tileURL, etag, supplier, recipient)
		return newCode == http.StatusOK && tileDeals == want
	}) {
		t.Fatalf("B's tile %s after %s: status %d with If-None-Match %s, deals %d, want 200 and %d", tileURL, within, newCode, etag, tileDeals, want)
	}
	if newTag == etag || newTag == "" {
		t.Errorf("B's tile ETag %q after the write, want a new one (was %q)", newTag, etag)
	}
	t.Logf("B's tile %d/%d/%d: ETag %s -> %s, deals %d -> %d", tile.Z, tile.X, tile.Y, etag, newTag, before.deals(), tileDeals)

	deadline := time.Now().Add(within)
	for {
		env, err := ws.Read(time.Until(deadline))
		if err != nil {
			t.Fatalf("B's WebSocket client: no transfer.added for transfer %d within %s: %v", id, within, err)
		}
		if env.Type != live.TypeTransferAdded {
			continue // tiles.invalidated and the like
		}
		var ev struct {
			Version  int64 `json:"version"`
			Transfer struct {
				ID        int64  `json:"id"`
				Supplier  string `json:"supplier"`
				Recipient string `json:"recipient"`
			} `json:"transfer"`
			Flow *struct {
				Deals int `json:"deals"`
			} `json:"flow"`
		}
		if err := json.Unmarshal(env.Data, &ev); err != nil {
			t.Fatalf("transfer.added data: %v\n%s", err, env.Data)
		}
		if ev.Transfer.ID != id {
			t.Fatalf("transfer.added for transfer %d, want %d: %s", ev.Transfer.ID, id, env.Data)
		}
		if env.Channel != live.ChannelData || ev.Transfer.Supplier != supplier || ev.Transfer.Recipient != recipient ||
			ev.Flow == nil || ev.Flow.Deals != want || ev.Version != wr.Change.Version {
			t.Errorf("transfer.added on B: channel %q, %s", env.Channel, env.Data)
		}
		break
	}
}

// checkRoom creates a room on A, drives it from a presenter socket on A,
// and shows a viewer joining late on B gets the latest state, then the
// next one live, then the room's closing.
func checkRoom(t *testing.T, a, b *bintest.Server) {
	code, _, res := do(t, http.MethodPost, a.URL+"/api/rooms",
		map[string]string{"Authorization": "Bearer " + token, "Content-Type": "application/json"}, []byte(`{"state":{"step":0}}`))
	if code != http.StatusCreated {
		t.Fatalf("POST A /api/rooms: %d %s", code, res)
	}
	var room struct {
		ID             string `json:"id"`
		Channel        string `json:"channel"`
		PresenterToken string `json:"presenter_token"`
	}
	if err := json.Unmarshal(res, &room); err != nil || room.ID == "" || room.PresenterToken == "" {
		t.Fatalf("room answer: %v %s", err, res)
	}

	presenter := livetest.Dial(t, livetest.WSURL(a.URL), nil)
	presenter.Send(live.Envelope{Type: live.TypeRoomState, Channel: room.Channel, Token: room.PresenterToken,
		Data: json.RawMessage(`{"step":1,"center":[51.2,25.3],"zoom":4}`)})
	// the presenter's state is in A's copy of the room, and has reached B's
	// over the bus, before the viewer comes (B may hold the room from its
	// creation, at step 0, until then)
	var info struct {
		Seq   uint64          `json:"seq"`
		State json.RawMessage `json:"state"`
	}
	for _, s := range []*bintest.Server{a, b} {
		if !waitFor(within, func() bool {
			code, _, body := do(t, http.MethodGet, s.URL+"/api/rooms/"+room.ID, nil, nil)
			if code == http.StatusNotFound {
				return false // B asks A for a room it has not heard of, within a bound of its own: ask again
			}
			if code != http.StatusOK {
				t.Fatalf("GET %s/api/rooms/%s: %d %s", s.URL, room.ID, code, body)
			}
			if err := json.Unmarshal(body, &info); err != nil {
				t.Fatalf("GET %s/api/rooms/%s: %v\n%s", s.URL, room.ID, err, body)
			}
			return stepOf(t, info.State) == 1
		}) {
			t.Fatalf("room %s on %s after the presenter's state: %s (seq %d), want step 1", room.ID, s.URL, info.State, info.Seq)
		}
	}

	viewer := livetest.Dial(t, livetest.WSURL(b.URL), nil)
	viewer.Subscribe(room.Channel)
	env := viewer.Expect(live.TypeRoomState)
	if env.Channel != room.Channel || stepOf(t, env.Data) != 1 {
		t.Fatalf("late viewer on B: %s %s, want step 1 on %s", env.Channel, env.Data, room.Channel)
	}
	t.Logf("late viewer on B got %s", env.Data)

	presenter.Send(live.Envelope{Type: live.TypeRoomState, Channel: room.Channel, Token: room.PresenterToken,
		Data: json.RawMessage(`{"step":2}`)})
	env, err := viewer.Read(within)
	if err != nil || env.Type != live.TypeRoomState || stepOf(t, env.Data) != 2 {
		t.Fatalf("viewer on B after the presenter's next state: %v %s %s, want room.state step 2", err, env.Type, env.Data)
	}

	code, _, res = do(t, http.MethodDelete, a.URL+"/api/rooms/"+room.ID, map[string]string{"Authorization": "Bearer " + room.PresenterToken}, nil)
	if code != http.StatusOK && code != http.StatusNoContent {
		t.Fatalf("DELETE A /api/rooms/%s: %d %s", room.ID, code, res)
	}
	env, err = viewer.Read(within)
	if err != nil || env.Type != live.TypeRoomClosed || env.Channel != room.Channel {
		t.Fatalf("viewer on B after the room closed on A: %v %s %s, want room.closed", err, env.Type, env.Data)
	}
}

// stepOf reads a room state's "step".
func stepOf(t *testing.T, state json.RawMessage) int {
	t.Helper()
	var s struct {
		Step int `json:"step"`
	}
	if len(state) == 0 || string(state) == "null" {
		return -1
	}
	if err := json.Unmarshal(state, &s); err != nil {
		t.Fatalf("room state %s: %v", state, err)
	}
	return s.Step
}
