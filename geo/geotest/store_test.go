package geotest_test

import (
	"testing"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/data/storetest"
	"github.com/armsflow/armsflow/geo/geotest"
)

// The in-memory Store against data/storetest's conformance suite.
func TestStoreConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) data.Store { return geotest.NewStore() })
}
