package storetest

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/armsflow/armsflow/data"
)

// newTransfer is a valid transfer between Fixture's actors, with no ID or key.
func newTransfer() data.Transfer {
	return data.Transfer{Supplier: "XAA", Recipient: "XBB", Weapon: "Test helicopter", Category: data.CatAircraft,
		OrderYear: 2019, DeliveryYears: []int{2021}, Quantity: ptr[int64](2), Status: data.StatusDelivered, Source: fixtureSource}
}

func testPutTransfer(t *testing.T, s data.Store) {
	ctx := context.Background()
	apply(t, s, Fixture())
	n := len(transfers(t, s, data.Filter{}))

	in := newTransfer()
	got, ch, err := s.PutTransfer(ctx, in)
	if err != nil {
		t.Fatalf("put: %v", err)
	}
	if got.ID <= 0 || got.Key == "" {
		t.Fatalf("put returned ID %d, key %q: want a new ID and a generated key", got.ID, got.Key)
	}
	in.Key = got.Key
	if !sameTransfer(got, in) {
		t.Errorf("put returned %s, want %s", show(got), show(in))
	}
	checkChange(t, s, "put", ch, map[string]int{"transfers": 1}, nil, []string{"XAA", "XBB"}, "flows")
	if read, err := s.Transfer(ctx, got.ID); err != nil || !sameTransfer(read, got) {
		t.Errorf("Transfer(%d) = %s, %v; want %s", got.ID, show(read), err, show(got))
	}
	other, _, err := s.PutTransfer(ctx, newTransfer())
	if err != nil {
		t.Fatalf("second put: %v", err)
	}
	if other.Key == got.Key || other.ID == got.ID {
		t.Errorf("two puts gave the same key %q or ID %d", other.Key, other.ID)
	}

	keyed := newTransfer()
	keyed.Key = "api-test:1"
	keyed.Category = "Aircraft"
	kept, _, err := s.PutTransfer(ctx, keyed)
	if err != nil {
		t.Fatalf("put with a key: %v", err)
	}
	if kept.Key != "api-test:1" || kept.Category != data.CatAircraft {
		t.Errorf("put with a key stored key %q, category %q", kept.Key, kept.Category)
	}

	// Replace: an empty key keeps the stored one; both old and new ends are touched.
	edit := got
	edit.Key = ""
	edit.Recipient = "NS-REBELS"
	edit.Value, edit.Unit = ptr(12.5), data.UnitTIV
	replaced, ch, err := s.PutTransfer(ctx, edit)
	if err != nil {
		t.Fatalf("replace: %v", err)
	}
	if replaced.ID != got.ID || replaced.Key != got.Key || replaced.Recipient != "NS-REBELS" || !samePtr(replaced.Value, ptr(12.5)) {
		t.Errorf("replace returned %s", show(replaced))
	}
	checkChange(t, s, "replace", ch, nil, map[string]int{"transfers": 1}, []string{"XAA", "XBB", "XCC"}, "flows")
	if m := len(transfers(t, s, data.Filter{})); m != n+3 {
		t.Errorf("%d transfers after 3 puts and a replace, want %d", m, n+3)
	}

	// A replace that changes nothing reports nothing.
	_, ch, err = s.PutTransfer(ctx, replaced)
	if err != nil {
		t.Fatalf("same replace: %v", err)
	}
	if !ch.Empty() {
		t.Errorf("replacing a transfer with itself changed something: %s", show(ch))
	}
}

func testPutTransferErrors(t *testing.T, s data.Store) {
	ctx := context.Background()
	apply(t, s, Fixture())
	stored := byKey(t, s)
	before := snap(t, s)

	missing := newTransfer()
	missing.ID = stored["t8"].ID + 1000
	if _, _, err := s.PutTransfer(ctx, missing); !errors.Is(err, data.ErrNotFound) {
		t.Errorf("replace of a missing ID: error %v, want ErrNotFound", err)
	}
	cases := []struct {
		name string
		edit func(tr *data.Transfer)
		want []string
	}{
		{"invalid", func(tr *data.Transfer) { tr.Source = data.Source{} }, []string{"source"}},
		{"unknown actor", func(tr *data.Transfer) { tr.Recipient = "XQQ" }, []string{"XQQ"}},
		{"key of another transfer", func(tr *data.Transfer) { tr.Key = "t1" }, []string{`"t1"`}},
		{"replace with another's key", func(tr *data.Transfer) { *tr = stored["t2"]; tr.Key = "t3" }, []string{`"t3"`}},
		{"replace making it invalid", func(tr *data.Transfer) { *tr = stored["t2"]; tr.Status = "lost" }, []string{"lost"}},
	}
	for _, c := range cases {
		tr := newTransfer()
		c.edit(&tr)
		_, _, err := s.PutTransfer(ctx, tr)
		if err == nil {
			t.Errorf("%s: put succeeded, want an error", c.name)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not name %s", c.name, err, w)
			}
		}
		var ve *data.ValidationError
		if !errors.As(err, &ve) {
			t.Errorf("%s: error %q is not a *data.ValidationError", c.name, err)
		}
	}
	sameSnapshot(t, snap(t, s), before)
}

func testDeleteTransfer(t *testing.T, s data.Store) {
	ctx := context.Background()
	apply(t, s, Fixture())
	t4 := byKey(t, s)["t4"]
	old, ch, err := s.DeleteTransfer(ctx, t4.ID)
	if err != nil {
		t.Fatalf("delete: %v", err)
	}
	if old.ID != t4.ID || !sameTransfer(old, t4) {
		t.Errorf("delete returned %s, want %s", show(old), show(t4))
	}
	checkCounts(t, "delete: deleted", ch.Deleted, map[string]int{"transfers": 1})
	checkCounts(t, "delete: inserted", ch.Inserted, nil)
	if !slices.Equal(ch.Countries, []string{"XBB", "XCC"}) || !slices.Contains(ch.Layers, "flows") {
		t.Errorf("delete: countries %v, layers %v; want [XBB XCC] and flows", ch.Countries, ch.Layers)
	}
	if v := version(t, s); ch.Version != v {
		t.Errorf("delete: Change.Version %d, store version %d", ch.Version, v)
	}
	if _, err := s.Transfer(ctx, t4.ID); !errors.Is(err, data.ErrNotFound) {
		t.Errorf("Transfer of a deleted ID: error %v, want ErrNotFound", err)
	}
	if _, ok := byKey(t, s)["t4"]; ok {
		t.Errorf("deleted transfer still listed")
	}
	v := version(t, s)
	if _, _, err := s.DeleteTransfer(ctx, t4.ID); !errors.Is(err, data.ErrNotFound) {
		t.Errorf("second delete: error %v, want ErrNotFound", err)
	}
	if version(t, s) != v {
		t.Errorf("a failed delete bumped the version")
	}
	// Re-importing brings it back under a new ID: IDs are never reused.
	ch = apply(t, s, Fixture())
	checkCounts(t, "re-import: inserted", ch.Inserted, map[string]int{"transfers": 1})
	if again := byKey(t, s)["t4"]; again.ID == t4.ID || !sameTransfer(again, t4) {
		t.Errorf("re-imported t4 = %s (old ID %d): want the same values under a new ID", show(again), t4.ID)
	}
}

func testNotFound(t *testing.T, s data.Store) {
	ctx := context.Background()
	if _, err := s.Transfer(ctx, 1); !errors.Is(err, data.ErrNotFound) {
		t.Errorf("Transfer(1) on an empty store: error %v, want ErrNotFound", err)
	}
	apply(t, s, Fixture())
	for _, id := range []int64{-1, 0, 1 << 40} {
		if _, err := s.Transfer(ctx, id); !errors.Is(err, data.ErrNotFound) {
			t.Errorf("Transfer(%d): error %v, want ErrNotFound", id, err)
		}
		if _, _, err := s.DeleteTransfer(ctx, id); !errors.Is(err, data.ErrNotFound) {
			t.Errorf("DeleteTransfer(%d): error %v, want ErrNotFound", id, err)
		}
	}
}

func testContextCancelled(t *testing.T, s data.Store) {
	apply(t, s, Fixture())
	before := snap(t, s)
	id := before.transfers[0].ID

	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel2 := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel2()
	for _, c := range []struct {
		ctx  context.Context
		want error
	}{{cancelled, context.Canceled}, {expired, context.DeadlineExceeded}} {
		ctx := c.ctx
		b := Fixture()
		b.Transfers[0].Weapon = "Edited"
		calls := map[string]func() error{
			"Countries": func() error { _, err := s.Countries(ctx); return err },
			"Actors":    func() error { _, err := s.Actors(ctx); return err },
			"Conflicts": func() error { _, err := s.Conflicts(ctx); return err },
			"Events":    func() error { _, err := s.Events(ctx, data.Filter{}); return err },
			"Transfers": func() error { _, err := s.Transfers(ctx, data.Filter{YearFrom: 2000}); return err },
			"Transfer":  func() error { _, err := s.Transfer(ctx, id); return err },
			"Version":   func() error { _, err := s.Version(ctx); return err },
			"Apply":     func() error { _, err := s.Apply(ctx, b, false); return err },
			"DryRun":    func() error { _, err := s.Apply(ctx, b, true); return err },
			"Put":       func() error { _, _, err := s.PutTransfer(ctx, newTransfer()); return err },
			"Delete":    func() error { _, _, err := s.DeleteTransfer(ctx, id); return err },
		}
		for name, call := range calls {
			if err := call(); !errors.Is(err, c.want) {
				t.Errorf("%s with a done context: error %v, want %v", name, err, c.want)
			}
		}
	}
	sameSnapshot(t, snap(t, s), before)
}
