package live_test

import (
	"context"
	"testing"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"

	"github.com/armsflow/armsflow/server/live"
	"github.com/armsflow/armsflow/server/live/livetest"
)

// startNATS runs a NATS server on a random loopback port for one test.
func startNATS(t *testing.T) string {
	t.Helper()
	ns, err := natsserver.NewServer(&natsserver.Options{Host: "127.0.0.1", Port: -1, NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	go ns.Start()
	if !ns.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats server not ready")
	}
	t.Cleanup(ns.Shutdown)
	return ns.ClientURL()
}

func TestInstancesOverMemoryBus(t *testing.T) {
	bus := live.NewMemoryBus()
	testInstances(t, func(string) live.Bus { return bus })
}

func TestInstancesOverNATS(t *testing.T) {
	url := startNATS(t)
	testInstances(t, func(id string) live.Bus {
		b, err := live.NewNATSBus(url, id)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { b.Close() })
		return b
	})
}

// testInstances runs hubs "a" and "b" (and later "c") on buses from
// newBus: events and rooms reach every instance's sockets exactly once.
// Asking the other instances for a room may take up to livetest.Timeout
// (not the default 500ms: the race detector on a busy machine is slow).
func testInstances(t *testing.T, newBus func(id string) live.Bus) {
	ctx := context.Background()
	ha, tsa := testHub(t, live.Options{InstanceID: "a", BusTimeout: livetest.Timeout}, newBus("a"))
	hb, tsb := testHub(t, live.Options{InstanceID: "b", BusTimeout: livetest.Timeout}, newBus("b"))
	ca, cb := dial(t, tsa, nil), dial(t, tsb, nil)
	ca.Subscribe(live.ChannelData)
	cb.Subscribe(live.ChannelData)

	for i := 0; i < 3; i++ {
		if err := ha.Publish(ctx, live.ChannelData, live.TypeTransferAdded, map[string]int{"seq": i}); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []*livetest.Client{ca, cb} {
		for i := 0; i < 3; i++ {
			env := c.Expect(live.TypeTransferAdded)
			if string(env.Data) != string(mustJSON(map[string]int{"seq": i})) {
				t.Fatalf("got %s, want seq %d", env.Data, i)
			}
		}
		c.Alive() // exactly once: nothing more queued
	}

	// A room created and driven on a, followed on b.
	info, token, err := ha.CreateRoom(ctx, state(1))
	if err != nil {
		t.Fatal(err)
	}
	ch := live.RoomChannelPrefix + info.ID
	if _, err := ha.SetRoomState(ctx, info.ID, token, state(2)); err != nil {
		t.Fatal(err)
	}
	vb := dial(t, tsb, nil)
	vb.Subscribe(ch)
	if got := stateStep(t, vb.Expect(live.TypeRoomState).Data); got != 2 {
		// b may have replicated step 1 before step 2 arrived.
		if got != 1 || stateStep(t, vb.Expect(live.TypeRoomState).Data) != 2 {
			t.Fatalf("viewer on b got step %d, want 2", got)
		}
	}
	pa := dial(t, tsa, nil)
	pa.Send(live.Envelope{Type: live.TypeRoomState, Channel: ch, Token: token, Data: state(3)})
	if got := stateStep(t, vb.Expect(live.TypeRoomState).Data); got != 3 {
		t.Fatalf("viewer on b got step %d, want 3", got)
	}
	// The presenter moves to b; a viewer on a follows.
	va := dial(t, tsa, nil)
	va.Subscribe(ch)
	va.Expect(live.TypeRoomState)
	pb := dial(t, tsb, nil)
	pb.Send(live.Envelope{Type: live.TypeRoomState, Channel: ch, Token: token, Data: state(4)})
	for _, v := range []*livetest.Client{va, vb} {
		if got := stateStep(t, v.Expect(live.TypeRoomState).Data); got != 4 {
			t.Fatalf("viewer got step %d, want 4", got)
		}
	}
	// A wrong token on b is refused there.
	pb.Send(live.Envelope{Type: live.TypeRoomState, Channel: ch, Token: "nope", Data: state(5)})
	pb.ExpectError(live.CodeUnauthorized)

	// Instance c starts after the room was made: it asks the others.
	hc, tsc := testHub(t, live.Options{InstanceID: "c", BusTimeout: livetest.Timeout}, newBus("c"))
	got, err := hc.Room(ctx, info.ID)
	if err != nil || got.Seq != 4 || stateStep(t, got.State) != 4 {
		t.Fatalf("room on c: %+v (%v)", got, err)
	}
	vc := dial(t, tsc, nil)
	vc.Subscribe(ch)
	if got := stateStep(t, vc.Expect(live.TypeRoomState).Data); got != 4 {
		t.Fatalf("late viewer on c got step %d, want 4", got)
	}
	// Nobody answers for an unknown room: the lookup ends with its context
	// (the hubs wait up to BusTimeout for rooms that exist).
	short, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
	defer cancel()
	if _, err := hc.Room(short, "neverexisted"); err != live.ErrRoomNotFound {
		t.Fatalf("unknown room: %v", err)
	}

	// Closing on a reaches every viewer.
	if err := ha.CloseRoom(ctx, info.ID, token); err != nil {
		t.Fatal(err)
	}
	for _, v := range []*livetest.Client{va, vb, vc} {
		v.Expect(live.TypeRoomClosed)
	}
	livetest.WaitFor(t, "every instance to drop the room", func() bool {
		return ha.Stats().Rooms+hb.Stats().Rooms+hc.Stats().Rooms == 0
	})
	if st := hb.Stats(); st.BusErrors != 0 {
		t.Fatalf("bus errors on b: %d", st.BusErrors)
	}
}
