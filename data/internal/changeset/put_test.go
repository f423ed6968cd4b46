package changeset

import (
	"errors"
	"strings"
	"testing"

	"github.com/armsflow/armsflow/data"
)

// memTx is a changeset.Tx over a map, enough to drive the put/delete flow.
type memTx struct {
	byID     map[int64]data.Transfer
	nextID   int64
	finished int
}

func (m *memTx) Transfer(id int64) (data.Transfer, error) {
	t, ok := m.byID[id]
	if !ok {
		return data.Transfer{}, data.ErrNotFound
	}
	return t, nil
}

func (m *memTx) TransferByKey(key string) (data.Transfer, bool, error) {
	for _, t := range m.byID {
		if t.Key == key {
			return t, true, nil
		}
	}
	return data.Transfer{}, false, nil
}

func (m *memTx) SaveTransfer(c, prev *data.Transfer) (int64, error) {
	id := c.ID
	if prev == nil {
		m.nextID++
		id = m.nextID
	}
	t := *c
	t.ID = id
	m.byID[id] = t
	return id, nil
}

func (m *memTx) DeleteTransfer(old *data.Transfer) error {
	delete(m.byID, old.ID)
	return nil
}

func (m *memTx) Finish() (data.Change, error) {
	m.finished++
	return data.Change{}, nil
}

func (m *memTx) run(fn func(Tx) error) error { return fn(m) }

func validTransfer() data.Transfer {
	return data.Transfer{
		Supplier: "FRA", Recipient: "IND", Weapon: "Rafale", Category: data.Category("aircraft"),
		OrderYear: 2016, Status: data.Status("delivered"),
		Source: data.Source{Publisher: "Test publisher", Title: "Test title", Date: "2020-01-01"},
	}
}

func TestPutAndDeleteTransfer(t *testing.T) {
	m := &memTx{byID: map[int64]data.Transfer{}}
	in := validTransfer()
	if _, err := in.Canonical(); err != nil {
		t.Fatalf("fixture transfer is not valid: %v", err)
	}
	stored, _, err := PutTransfer(in, m.run)
	if err != nil {
		t.Fatal(err)
	}
	if stored.ID == 0 || !strings.HasPrefix(stored.Key, "api:") || m.finished != 1 {
		t.Fatalf("stored %+v after %d finishes", stored, m.finished)
	}

	// A replace without a key keeps the stored one.
	upd := validTransfer()
	upd.ID = stored.ID
	again, _, err := PutTransfer(upd, m.run)
	if err != nil || again.Key != stored.Key {
		t.Fatalf("replace gave %+v, %v; want key %q kept", again, err, stored.Key)
	}

	// Another transfer may not take that key.
	dup := validTransfer()
	dup.Key = stored.Key
	dup.Weapon = "Other"
	_, _, err = PutTransfer(dup, m.run)
	var ve *data.ValidationError
	if !errors.As(err, &ve) || !strings.Contains(err.Error(), "already used by transfer") {
		t.Fatalf("duplicate key gave %v, want a *data.ValidationError", err)
	}

	// Replacing or deleting a missing transfer is data.ErrNotFound.
	missing := validTransfer()
	missing.ID = 999
	if _, _, err := PutTransfer(missing, m.run); !errors.Is(err, data.ErrNotFound) || !strings.HasPrefix(err.Error(), "put transfer 999") {
		t.Fatalf("put of a missing id gave %v", err)
	}
	old, _, err := DeleteTransfer(stored.ID, m.run)
	if err != nil || old.ID != stored.ID {
		t.Fatalf("delete gave %+v, %v", old, err)
	}
	if _, _, err := DeleteTransfer(stored.ID, m.run); !errors.Is(err, data.ErrNotFound) || !strings.HasPrefix(err.Error(), "delete transfer") {
		t.Fatalf("second delete gave %v", err)
	}
}
