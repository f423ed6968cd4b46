package geo

import "time"

// SetClock replaces a Source's clock (tests only).
func SetClock(s *Source, now func() time.Time) { s.now = now }

// MemoLen is the number of filters w has memoized (tests only).
func MemoLen(w *World) int { return w.memo.len() }
