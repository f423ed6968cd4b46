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
