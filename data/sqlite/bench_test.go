package sqlite

import (
	"testing"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/data/storetest"
)

// bench is the store-agnostic benchmark suite over temporary databases.
func bench() storetest.Bench {
	return storetest.Bench{Open: func(tb testing.TB) data.Store { return openTemp(tb) }}
}

// BenchmarkTransfers reads ~30k generated transfers through typical filters.
func BenchmarkTransfers(b *testing.B) { bench().Transfers(b) }

// BenchmarkApply10k imports 10k new transfers into a fresh database.
func BenchmarkApply10k(b *testing.B) { bench().Apply10k(b) }

// BenchmarkReapply10k re-imports 10k transfers that are already stored
// (every one compared, none written).
func BenchmarkReapply10k(b *testing.B) { bench().Reapply10k(b) }

// BenchmarkPutTransfer is one API write: a transaction and its fsync.
func BenchmarkPutTransfer(b *testing.B) { bench().PutTransfer(b) }
