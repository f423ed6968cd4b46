package geo

import (
	"container/list"
	"sync"
)

// joinMemo is a bounded LRU of joins keyed by canonical filter. Concurrent
// callers asking for the same filter share one computation.
type joinMemo struct {
	mu  sync.Mutex
	max int
	ll  *list.List // of *memoEntry, most recently used first
	m   map[string]*list.Element
}

type memoEntry struct {
	key  string
	once sync.Once
	j    *Joined
}

func newJoinMemo(max int) *joinMemo {
	return &joinMemo{max: max, ll: list.New(), m: make(map[string]*list.Element)}
}

// get returns the memoized join for key, computing it once if needed.
func (m *joinMemo) get(key string, compute func() *Joined) *Joined {
	m.mu.Lock()
	el, ok := m.m[key]
	if ok {
		m.ll.MoveToFront(el)
	} else {
		el = m.ll.PushFront(&memoEntry{key: key})
		m.m[key] = el
		for m.ll.Len() > m.max {
			old := m.ll.Back()
			m.ll.Remove(old)
			delete(m.m, old.Value.(*memoEntry).key)
		}
	}
	e := el.Value.(*memoEntry)
	m.mu.Unlock()
	e.once.Do(func() { e.j = compute() })
	return e.j
}

// len is the number of memoized filters.
func (m *joinMemo) len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.ll.Len()
}
