package postgres

import (
	"context"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/data/storetest"
	"github.com/armsflow/armsflow/internal/pgtest"
	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
)

// sent is what a receiver gets of a write's Change: all of it but the
// Unchanged counts.
func sent(ch data.Change) data.Change {
	ch.Unchanged = nil
	return ch
}

// sampleChange is a change as a transfer write reports it.
func sampleChange() data.Change {
	return data.Change{Version: 17, Inserted: map[string]int{"transfers": 1}, Updated: map[string]int{"actors": 2},
		Deleted: map[string]int{}, Unchanged: map[string]int{"transfers": 3},
		Countries: []string{"PAK", "CHN"}, Layers: []string{"countries", "flows"}}
}

// manyCountries is a change naming n made-up countries of 6 characters.
func manyCountries(n int) data.Change {
	ch := sampleChange()
	ch.Countries = nil
	for i := range n {
		ch.Countries = append(ch.Countries, fmt.Sprintf("Q%05d", i))
	}
	return ch
}

func TestNotifyPayload(t *testing.T) {
	// A change whose JSON is exactly at the limit, and one a byte over it.
	atLimit := manyCountries(10)
	for len(notifyPayload(atLimit)) < maxPayload-20 {
		atLimit.Countries = append(atLimit.Countries, fmt.Sprintf("Q%05d", len(atLimit.Countries)))
	}
	for len(notifyPayload(atLimit)) < maxPayload { // pad the last code
		atLimit.Countries[len(atLimit.Countries)-1] += "X"
	}
	overLimit := atLimit
	overLimit.Countries = append([]string(nil), atLimit.Countries...)
	overLimit.Countries[len(overLimit.Countries)-1] += "X"
	allOf := func(ch data.Change) data.Change {
		ch = sent(ch)
		ch.Countries, ch.All = nil, true
		return ch
	}
	for _, tc := range []struct {
		name string
		ch   data.Change
		want data.Change
	}{
		{"transfer write", sampleChange(), sent(sampleChange())},
		{"all", data.Change{Version: 3, Inserted: map[string]int{"countries": 250}, All: true, Countries: []string{},
			Layers: []string{"countries", "flows", "conflicts", "events", "labels"}},
			data.Change{Version: 3, Inserted: map[string]int{"countries": 250}, All: true, Countries: []string{},
				Layers: []string{"countries", "flows", "conflicts", "events", "labels"}}},
		{"exactly at the limit", atLimit, sent(atLimit)},
		{"a byte over the limit", overLimit, allOf(overLimit)},
		{"1500 countries", manyCountries(1500), allOf(manyCountries(1500))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := notifyPayload(tc.ch)
			if len(p) > maxPayload {
				t.Fatalf("payload of %d bytes, over %d", len(p), maxPayload)
			}
			got, ok := parsePayload(p)
			if !ok {
				t.Fatalf("payload %.200s does not parse", p)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("round trip:\n got %+v\nwant %+v", got, tc.want)
			}
		})
	}
	if n := len(notifyPayload(atLimit)); n != maxPayload {
		t.Errorf("the at-limit case is %d bytes, want %d", n, maxPayload)
	}
}

func TestParsePayload(t *testing.T) {
	for _, tc := range []struct {
		payload string
		want    data.Change
		ok      bool
	}{
		{"42", data.Change{Version: 42, All: true}, true}, // an older armsflow's bare version
		{`{"version":5,"inserted":{"events":1},"countries":["UKR"],"all":false,"layers":["events"]}`,
			data.Change{Version: 5, Inserted: map[string]int{"events": 1}, Countries: []string{"UKR"}, Layers: []string{"events"}}, true},
		{`{"version":6,"all":true}`, data.Change{Version: 6, All: true}, true},
		{"", data.Change{}, false},
		{"garbage", data.Change{}, false},
		{"{}", data.Change{}, false},
		{`{"version":0}`, data.Change{}, false},
		{`{"version":-4}`, data.Change{}, false},
		{`{"version":"7"}`, data.Change{}, false},
		{`{"version":7`, data.Change{}, false},
		{"4.5", data.Change{}, false},
		{"0", data.Change{Version: 0, All: true}, false},
		{"-1", data.Change{Version: -1, All: true}, false},
	} {
		got, ok := parsePayload(tc.payload)
		if ok != tc.ok || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("parsePayload(%q) = %+v, %v; want %+v, %v", tc.payload, got, ok, tc.want, tc.ok)
		}
	}
}

func FuzzParsePayload(f *testing.F) {
	for _, s := range []string{"42", "-1", "", "{}", `{"version":9,"countries":["A"],"layers":["flows"]}`,
		notifyPayload(sampleChange()), notifyPayload(manyCountries(1500))} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		ch, ok := parsePayload(p)
		if !ok {
			return
		}
		if ch.Version <= 0 {
			t.Fatalf("parsePayload(%q) accepted version %d", p, ch.Version)
		}
		// what parses is sent on the same; when too long, as All (or, with
		// counts too long to send, as the bare version)
		back, ok := parsePayload(notifyPayload(ch))
		whole, degraded := sent(ch), sent(ch)
		degraded.Countries, degraded.All = nil, true
		if !ok || !reflect.DeepEqual(back, whole) && !reflect.DeepEqual(back, degraded) && !reflect.DeepEqual(back, everything(ch.Version)) {
			t.Fatalf("re-sent %+v came back as %+v, %v", ch, back, ok)
		}
	})
}

// changeWatcher runs WatchChangesAfter(after) on s (WatchChanges when after
// is negative) until the test ends, waits until it listens (on a backend
// other than notPID, a watcher already running), and returns the changes
// it reports.
func changeWatcher(t *testing.T, s *Store, after int64, notPID int32) <-chan data.Change {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	got := make(chan data.Change, 100)
	done := make(chan error, 1)
	fn := func(ch data.Change) { got <- ch }
	go func() {
		if after < 0 {
			done <- s.WatchChanges(ctx, fn)
		} else {
			done <- s.WatchChangesAfter(ctx, after, fn)
		}
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("WatchChanges returned %v after cancel, want nil", err)
			}
		case <-time.After(10 * time.Second):
			t.Errorf("WatchChanges did not return within 10s of its context's end")
		}
	})
	waitListening(t, s, notPID)
	return got
}

// nextChange waits (at most 10 s) for the next reported change.
func nextChange(t *testing.T, got <-chan data.Change) data.Change {
	t.Helper()
	select {
	case ch := <-got:
		return ch
	case <-time.After(10 * time.Second):
		t.Fatalf("no change reported within 10s")
		return data.Change{}
	}
}

// noChange checks that nothing more is reported within a short while.
func noChange(t *testing.T, got <-chan data.Change) {
	t.Helper()
	select {
	case ch := <-got:
		t.Errorf("unexpected change reported: %+v", ch)
	case <-time.After(300 * time.Millisecond):
	}
}

func TestWatchChangesCarriesTheWritesChange(t *testing.T) {
	ctx := context.Background()
	writerStore, reader := pair(t)
	got := changeWatcher(t, reader, -1, 0)

	ch, err := writerStore.Apply(ctx, storetest.Fixture(), false)
	if err != nil {
		t.Fatal(err)
	}
	if g := nextChange(t, got); !reflect.DeepEqual(g, sent(ch)) {
		t.Errorf("after Apply:\n got %+v\nwant %+v", g, sent(ch))
	}
	_, ch, err = writerStore.PutTransfer(ctx, data.Transfer{Supplier: "XAA", Recipient: "XBB", Weapon: "Test gun",
		Category: data.CatArtillery, Status: data.StatusOrdered, Source: storetest.Fixture().Transfers[0].Source})
	if err != nil {
		t.Fatal(err)
	}
	g := nextChange(t, got)
	if !reflect.DeepEqual(g, sent(ch)) {
		t.Errorf("after PutTransfer:\n got %+v\nwant %+v", g, sent(ch))
	}
	if g.All || !reflect.DeepEqual(g.Countries, []string{"XAA", "XBB"}) || g.Inserted["transfers"] != 1 {
		t.Errorf("PutTransfer's change as received: %+v, want one transfer inserted touching XAA and XBB only", g)
	}
	noChange(t, got)
}

func TestWatchChangesOversizeChangeIsAll(t *testing.T) {
	ctx := context.Background()
	writerStore, reader := pair(t)
	got := changeWatcher(t, reader, -1, 0)

	// 1500 countries: their codes alone are about 12 KB of JSON, over
	// NOTIFY's limit, which would fail the write if sent as is.
	var b data.Batch
	for i := range 1500 {
		b.Countries = append(b.Countries, data.Country{ISO3: fmt.Sprintf("Q%04d", i), Name: fmt.Sprintf("Testland %d", i),
			Anchor: orb.Point{float64(i%360) - 180, 0}})
	}
	ch, err := writerStore.Apply(ctx, &b, false)
	if err != nil {
		t.Fatalf("a write with an oversize change: %v", err)
	}
	if len(ch.Countries) != 1500 {
		t.Fatalf("the writer's own change names %d countries, want 1500", len(ch.Countries))
	}
	g := nextChange(t, got)
	want := sent(ch)
	want.Countries, want.All = nil, true
	if !reflect.DeepEqual(g, want) {
		t.Errorf("received:\n got %+v\nwant %+v", g, want)
	}
}

// notifyRaw does what a write of an older armsflow (or anything else on the
// channel) does: bumps the version and notifies payload (%d in it is
// replaced by the new version) in one transaction. It returns the version.
func notifyRaw(t *testing.T, s *Store, payload string) int64 {
	t.Helper()
	ctx := context.Background()
	var v int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `UPDATE meta SET value = value + 1 WHERE key = 'data_version' RETURNING value`).Scan(&v); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `SELECT pg_notify($1, $2)`, notifyChannel, strings.ReplaceAll(payload, "%d", strconv.FormatInt(v, 10)))
		return err
	})
	if err != nil {
		t.Fatalf("notify %q: %v", payload, err)
	}
	return v
}

func TestWatchChangesOlderAndMalformedPayloads(t *testing.T) {
	ctx := context.Background()
	writerStore, reader := pair(t)
	got := changeWatcher(t, reader, -1, 0)

	// An older armsflow sends the bare version: a change to everything.
	v := notifyRaw(t, writerStore, "%d")
	if g := nextChange(t, got); !reflect.DeepEqual(g, everything(v)) {
		t.Errorf("bare version %d: got %+v, want %+v", v, g, everything(v))
	}
	// A payload that does not parse: a change to everything at the version
	// the listener reads then.
	v = notifyRaw(t, writerStore, "not a change (%d)")
	if g := nextChange(t, got); !reflect.DeepEqual(g, everything(v)) {
		t.Errorf("malformed payload at version %d: got %+v, want %+v", v, g, everything(v))
	}
	// A bare version not past the last one reported is skipped.
	if _, err := writerStore.pool.Exec(ctx, `SELECT pg_notify($1, $2)`, notifyChannel, strconv.FormatInt(v, 10)); err != nil {
		t.Fatal(err)
	}
	// The next write is reported in full, after both.
	if _, err := writerStore.Apply(ctx, storetest.Fixture(), false); err != nil {
		t.Fatal(err)
	}
	_, ch, err := writerStore.PutTransfer(ctx, data.Transfer{Supplier: "XAA", Recipient: "XBB", Weapon: "Test gun",
		Category: data.CatArtillery, Status: data.StatusOrdered, Source: storetest.Fixture().Transfers[0].Source})
	if err != nil {
		t.Fatal(err)
	}
	nextChange(t, got) // the fixture's
	if g := nextChange(t, got); !reflect.DeepEqual(g, sent(ch)) || g.All {
		t.Errorf("next write:\n got %+v\nwant %+v", g, sent(ch))
	}
}

func TestWatchChangesReconnectCatchUpIsAll(t *testing.T) {
	ctx := context.Background()
	writerStore, reader := pair(t)
	reader.watchMin, reader.watchMax = 20*time.Millisecond, 200*time.Millisecond
	if _, err := writerStore.Apply(ctx, storetest.Fixture(), false); err != nil {
		t.Fatal(err)
	}
	got := changeWatcher(t, reader, -1, 0)
	pid := waitListening(t, reader, 0)

	// Cut the listener's connection, keep it from reconnecting (the
	// database refuses new connections; the open ones stay) and write
	// twice meanwhile: what changed is unknown once it is back, so the
	// catch-up is All, at the version found.
	admin, err := pgx.Connect(ctx, pgtest.BaseURL(t))
	if err != nil {
		t.Fatal(err)
	}
	db := pgx.Identifier{reader.cfg.Database}.Sanitize()
	allow := func(on bool) {
		t.Helper()
		if _, err := admin.Exec(ctx, `ALTER DATABASE `+db+` ALLOW_CONNECTIONS `+strconv.FormatBool(on)); err != nil {
			t.Errorf("allow connections %v: %v", on, err)
		}
	}
	t.Cleanup(func() { // runs before the database is dropped
		allow(true)
		admin.Close(ctx)
	})
	allow(false)
	var ok bool
	if err := writerStore.pool.QueryRow(ctx, `SELECT pg_terminate_backend($1)`, pid).Scan(&ok); err != nil || !ok {
		t.Fatalf("terminate listener %d: %v, %v", pid, ok, err)
	}
	b := storetest.Fixture()
	b.Events[0].Deaths++
	if _, err := writerStore.Apply(ctx, b, false); err != nil {
		t.Fatal(err)
	}
	_, ch, err := writerStore.PutTransfer(ctx, data.Transfer{Supplier: "XAA", Recipient: "XBB", Weapon: "Test gun",
		Category: data.CatArtillery, Status: data.StatusOrdered, Source: storetest.Fixture().Transfers[0].Source})
	allow(true)
	if err != nil {
		t.Fatal(err)
	}
	if g := nextChange(t, got); !reflect.DeepEqual(g, everything(ch.Version)) {
		t.Errorf("after a reconnect: got %+v, want %+v", g, everything(ch.Version))
	}
	// Listening again: the next write comes in full.
	waitListening(t, reader, pid)
	b.Events[0].Deaths++
	if ch, err = writerStore.Apply(ctx, b, false); err != nil {
		t.Fatal(err)
	}
	if g := nextChange(t, got); !reflect.DeepEqual(g, sent(ch)) || g.All {
		t.Errorf("after reconnecting:\n got %+v\nwant %+v", g, sent(ch))
	}
}

func TestWatchChangesAfter(t *testing.T) {
	ctx := context.Background()
	writerStore, reader := pair(t)
	held, err := reader.Version(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// A write lands between the caller's read and the listener's start:
	// the first change reported covers it, as everything.
	ch, err := writerStore.Apply(ctx, storetest.Fixture(), false)
	if err != nil {
		t.Fatal(err)
	}
	got := changeWatcher(t, reader, held, 0)
	first := waitListening(t, reader, 0)
	if g := nextChange(t, got); !reflect.DeepEqual(g, everything(ch.Version)) {
		t.Errorf("first change: got %+v, want %+v", g, everything(ch.Version))
	}
	// Started at the current version, nothing is reported until a write.
	got = changeWatcher(t, writerStore, ch.Version, first)
	noChange(t, got)
	b := storetest.Fixture()
	b.Events[0].Deaths++
	if ch, err = writerStore.Apply(ctx, b, false); err != nil {
		t.Fatal(err)
	}
	if g := nextChange(t, got); !reflect.DeepEqual(g, sent(ch)) {
		t.Errorf("next write:\n got %+v\nwant %+v", g, sent(ch))
	}
}
