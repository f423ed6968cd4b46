package changeset

import (
	"crypto/rand"
	"fmt"
	"strings"

	"github.com/armsflow/armsflow/data"
)

// NewKey makes a natural key for a transfer entered through the API
// ("api:" and 26 random base-32 characters).
func NewKey() string { return "api:" + strings.ToLower(rand.Text()) }

// DescribeTransfer names a transfer given to PutTransfer in errors, in the
// caller's own terms: its ID, its key, or what it is.
func DescribeTransfer(t data.Transfer) string {
	switch {
	case t.ID != 0 && t.Key != "":
		return fmt.Sprintf("%d (key %q)", t.ID, t.Key)
	case t.ID != 0:
		return fmt.Sprint(t.ID)
	case t.Key != "":
		return fmt.Sprintf("key %q", t.Key)
	}
	return fmt.Sprintf("(new, %s to %s, %q)", t.Supplier, t.Recipient, t.Weapon)
}

// Tx is one store write transaction as PutTransfer and DeleteTransfer use
// it. A store queues or runs the writes as it likes; Finish makes them all
// visible to the reads after it and works out the change.
type Tx interface {
	// Transfer reads one transfer; the error is data.ErrNotFound when
	// there is none.
	Transfer(id int64) (data.Transfer, error)
	// TransferByKey reads one transfer by natural key; ok is false when
	// there is none.
	TransferByKey(key string) (t data.Transfer, ok bool, err error)
	// SaveTransfer inserts c (prev nil) or replaces prev with it and
	// returns the stored ID.
	SaveTransfer(c, prev *data.Transfer) (int64, error)
	// DeleteTransfer removes a stored transfer.
	DeleteTransfer(old *data.Transfer) error
	// Finish ends the write and returns what it changed.
	Finish() (data.Change, error)
}

// PutTransfer is the stores' data.Store.PutTransfer: it inserts t when its
// ID is 0 (generating a Key "api:…" when it has none) or replaces the stored
// transfer with that ID (keeping the stored Key when t's is empty;
// data.ErrNotFound when there is none), in the one write transaction run
// opens, and returns the transfer as stored. A Key already used by another
// transfer or an invalid transfer is a *data.ValidationError.
func PutTransfer(t data.Transfer, run func(fn func(Tx) error) error) (data.Transfer, data.Change, error) {
	what := DescribeTransfer(t) // before a key is generated: the caller's own words
	if t.ID == 0 && t.Key == "" {
		t.Key = NewKey()
	}
	var (
		stored data.Transfer
		ch     data.Change
	)
	err := run(func(tx Tx) error {
		var prev *data.Transfer
		if t.ID != 0 {
			old, err := tx.Transfer(t.ID)
			if err != nil {
				return err
			}
			prev = &old
			if t.Key == "" {
				t.Key = old.Key
			}
		}
		c, err := t.Canonical()
		if err != nil {
			return err
		}
		other, taken, err := tx.TransferByKey(c.Key)
		if err != nil {
			return fmt.Errorf("look up key: %w", err)
		}
		if taken && other.ID != t.ID {
			return &data.ValidationError{Problems: []string{fmt.Sprintf("key %q is already used by transfer %d", c.Key, other.ID)}}
		}
		id, err := tx.SaveTransfer(&c, prev)
		if err != nil {
			return err
		}
		if ch, err = tx.Finish(); err != nil {
			return err
		}
		stored, err = tx.Transfer(id)
		return err
	})
	if err != nil {
		return data.Transfer{}, data.Change{}, fmt.Errorf("put transfer %s: %w", what, err)
	}
	return stored, ch, nil
}

// DeleteTransfer is the stores' data.Store.DeleteTransfer: it removes a
// transfer in the one write transaction run opens and returns it as it
// was; the error wraps data.ErrNotFound when there is none.
func DeleteTransfer(id int64, run func(fn func(Tx) error) error) (data.Transfer, data.Change, error) {
	var (
		old data.Transfer
		ch  data.Change
	)
	err := run(func(tx Tx) error {
		var err error
		if old, err = tx.Transfer(id); err != nil {
			return err
		}
		if err := tx.DeleteTransfer(&old); err != nil {
			return err
		}
		ch, err = tx.Finish()
		return err
	})
	if err != nil {
		return data.Transfer{}, data.Change{}, fmt.Errorf("delete transfer %d: %w", id, err)
	}
	return old, ch, nil
}
