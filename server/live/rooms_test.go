package live_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/armsflow/armsflow/server/live"
	"github.com/armsflow/armsflow/server/live/livetest"
)

func state(i int) json.RawMessage {
	return json.RawMessage(fmt.Sprintf(`{"camera":{"center":[30.5,50.4],"zoom":%d},"caption":"step %d"}`, i, i))
}

func stateStep(t testing.TB, data json.RawMessage) int {
	t.Helper()
	var s struct {
		Camera struct{ Zoom int } `json:"camera"`
	}
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatalf("room state %s: %v", data, err)
	}
	return s.Camera.Zoom
}

func TestRoomLateJoinerGetsLatestState(t *testing.T) {
	h, ts := testHub(t, live.Options{}, nil)
	ctx := context.Background()
	info, token, err := h.CreateRoom(ctx, state(1))
	if err != nil {
		t.Fatal(err)
	}
	if info.Seq != 1 || len(token) < 40 || len(info.ID) < 20 {
		t.Fatalf("room %+v, token of %d chars", info, len(token))
	}
	ch := live.RoomChannelPrefix + info.ID
	early := dial(t, ts, nil)
	early.Subscribe(ch)
	if got := stateStep(t, early.Expect(live.TypeRoomState).Data); got != 1 {
		t.Fatalf("early viewer got step %d, want 1", got)
	}
	for i := 2; i <= 3; i++ {
		if _, err := h.SetRoomState(ctx, info.ID, token, state(i)); err != nil {
			t.Fatal(err)
		}
	}

	late := dial(t, ts, nil)
	late.Subscribe(ch)
	env := late.Expect(live.TypeRoomState)
	if env.Channel != ch || stateStep(t, env.Data) != 3 {
		t.Fatalf("late joiner got %s on %q, want step 3", env.Data, env.Channel)
	}

	// The presenter drives over its own socket with the token.
	presenter := dial(t, ts, nil)
	presenter.Send(live.Envelope{Type: live.TypeRoomState, Channel: ch, Token: token, Data: state(4)})
	for _, v := range []*livetest.Client{late} {
		if got := stateStep(t, v.Expect(live.TypeRoomState).Data); got != 4 {
			t.Fatalf("viewer got step %d, want 4", got)
		}
	}
	// The early viewer may have skipped step 2 (coalesced), never step 4.
	for {
		if got := stateStep(t, early.Expect(live.TypeRoomState).Data); got == 4 {
			break
		}
	}
	presenter.Alive() // no reply to a successful room.state

	// Detach and rejoin: nothing while detached, the latest on rejoin.
	late.Send(live.Envelope{Type: live.TypeUnsubscribe, Channel: ch})
	late.Expect(live.TypeUnsubscribed)
	if _, err := h.SetRoomState(ctx, info.ID, token, state(5)); err != nil {
		t.Fatal(err)
	}
	late.Alive()
	late.Subscribe(ch)
	if got := stateStep(t, late.Expect(live.TypeRoomState).Data); got != 5 {
		t.Fatalf("rejoined viewer got step %d, want 5", got)
	}

	got, err := h.Room(ctx, info.ID)
	if err != nil || got.Seq != 5 || stateStep(t, got.State) != 5 || got.Viewers != 2 {
		t.Fatalf("room info %+v (%v)", got, err)
	}
}

func TestRoomOnlyPresenterDrives(t *testing.T) {
	h, ts := testHub(t, live.Options{}, nil)
	ctx := context.Background()
	info, token, err := h.CreateRoom(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, otherToken, _ := h.CreateRoom(ctx, nil)
	ch := live.RoomChannelPrefix + info.ID
	viewer := dial(t, ts, nil)
	viewer.Subscribe(ch)
	for _, tok := range []string{token[:len(token)-1], token + "x", otherToken, "x"} {
		viewer.Send(live.Envelope{Type: live.TypeRoomState, Channel: ch, Token: tok, Data: state(9)})
		viewer.ExpectError(live.CodeUnauthorized)
		if _, err := h.SetRoomState(ctx, info.ID, tok, state(9)); !errors.Is(err, live.ErrUnauthorized) {
			t.Fatalf("SetRoomState with a wrong token: %v", err)
		}
	}
	if _, err := h.SetRoomState(ctx, info.ID, "", state(9)); !errors.Is(err, live.ErrUnauthorized) {
		t.Fatalf("SetRoomState without a token: %v", err)
	}
	if err := h.CloseRoom(ctx, info.ID, otherToken); !errors.Is(err, live.ErrUnauthorized) {
		t.Fatalf("CloseRoom with another room's token: %v", err)
	}
	got, _ := h.Room(ctx, info.ID)
	if got.Seq != 0 || got.State != nil {
		t.Fatalf("state changed by a non-presenter: %+v", got)
	}
	viewer.Alive() // and no state was relayed

	if err := h.CloseRoom(ctx, info.ID, token); err != nil {
		t.Fatal(err)
	}
	env := viewer.Expect(live.TypeRoomClosed)
	if env.Channel != ch || string(env.Data) != `{"reason":"closed"}` {
		t.Fatalf("room.closed %s on %q", env.Data, env.Channel)
	}
}

func TestRoomCoalescesForSlowViewer(t *testing.T) {
	const steps = 300 // far more than the send queue
	h, ts := testHub(t, live.Options{SendQueue: 8}, nil)
	ctx := context.Background()
	info, token, _ := h.CreateRoom(ctx, nil)
	viewer := dial(t, ts, nil)
	viewer.Subscribe(live.RoomChannelPrefix + info.ID)
	for i := 1; i <= steps; i++ {
		if _, err := h.SetRoomState(ctx, info.ID, token, state(i)); err != nil {
			t.Fatal(err)
		}
	}
	last, n := 0, 0
	for last < steps {
		got := stateStep(t, viewer.Expect(live.TypeRoomState).Data)
		if got <= last {
			t.Fatalf("state %d after %d", got, last)
		}
		last, n = got, n+1
	}
	viewer.Alive()
	if d := h.Stats().SlowDrops; d != 0 {
		t.Fatalf("viewer dropped for room states (%d drops)", d)
	}
	t.Logf("viewer received %d of %d states, ending with the latest", n, steps)
}

func TestRoomExpires(t *testing.T) {
	// Updates come every idle/5: the room could only expire between two of
	// them if the machine stalled for most of the idle time.
	const idle = time.Second
	h, ts := testHub(t, live.Options{RoomIdle: idle}, nil)
	ctx := context.Background()
	last := time.Now() // before the latest update: the room lives until at least last+idle
	info, token, _ := h.CreateRoom(ctx, state(1))
	ch := live.RoomChannelPrefix + info.ID
	viewer := dial(t, ts, nil)
	viewer.Subscribe(ch)
	viewer.Expect(live.TypeRoomState)
	// Activity keeps it open past its idle time.
	for i := 2; i < 6; i++ {
		time.Sleep(idle / 5)
		before := time.Now()
		if _, err := h.SetRoomState(ctx, info.ID, token, state(i)); err != nil {
			if gap := time.Since(last); gap >= idle {
				t.Skipf("machine too busy: %v between two updates, over the idle time", gap)
			}
			t.Fatalf("room closed while active (%v after the previous update): %v", time.Since(last), err)
		}
		last = before
		viewer.Expect(live.TypeRoomState)
	}
	env := viewer.Expect(live.TypeRoomClosed)
	closedAfter := time.Since(last)
	if string(env.Data) != `{"reason":"idle"}` {
		t.Fatalf("room.closed %s, want reason idle", env.Data)
	}
	if closedAfter < idle {
		t.Fatalf("room closed %v after its last update, before its idle time %v", closedAfter, idle)
	}
	t.Logf("room closed %v after its last update (idle time %v)", closedAfter.Round(time.Millisecond), idle)
	if _, err := h.Room(ctx, info.ID); !errors.Is(err, live.ErrRoomNotFound) {
		t.Fatalf("expired room: %v", err)
	}
	if _, err := h.SetRoomState(ctx, info.ID, token, state(9)); !errors.Is(err, live.ErrRoomNotFound) {
		t.Fatalf("state on an expired room: %v", err)
	}
	viewer.Send(live.Envelope{Type: live.TypeSubscribe, Channel: ch})
	viewer.ExpectError(live.CodeNotFound)
	if n := h.Stats().Rooms; n != 0 {
		t.Fatalf("%d rooms left", n)
	}
}

func TestRoomStateLimits(t *testing.T) {
	h, _ := testHub(t, live.Options{MaxRoomStateBytes: 64}, nil)
	ctx := context.Background()
	if _, _, err := h.CreateRoom(ctx, json.RawMessage(`[1]`)); !isProto(err, live.CodeBadMessage) {
		t.Fatalf("array state: %v", err)
	}
	info, token, err := h.CreateRoom(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		state string
		code  string
	}{
		{`{"caption":"x"}`, ""},
		{`{"caption":"` + fmt.Sprintf("%080d", 0) + `"}`, live.CodeTooLarge},
		{`"text"`, live.CodeBadMessage},
		{`{"a":`, live.CodeBadMessage},
		{`{ "spaces" :   "are compacted"   }`, ""},
	} {
		_, err := h.SetRoomState(ctx, info.ID, token, json.RawMessage(tc.state))
		if tc.code == "" && err != nil || tc.code != "" && !isProto(err, tc.code) {
			t.Errorf("state %s: %v, want %q", tc.state, err, tc.code)
		}
	}
	got, _ := h.Room(ctx, info.ID)
	if string(got.State) != `{"spaces":"are compacted"}` {
		t.Fatalf("stored state %s", got.State)
	}
}

func isProto(err error, code string) bool {
	pe, ok := errors.AsType[*live.ProtocolError](err)
	return ok && pe.Code == code
}
