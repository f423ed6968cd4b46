package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"
)

// load is the traffic of a run: its HTTP client, what it knows of the
// server, and the ledger of acknowledged writes.
type load struct {
	base   string
	client *http.Client
	layers []string
	stats  *stats
	cfg    config

	mu    sync.Mutex
	alive map[int64]string // transfer id -> weapon, as last acknowledged
	gone  map[int64]bool   // deleted, acknowledged
	acked struct{ post, put, del int }
	sent  map[int64]time.Time // data version -> when the write that made it was sent
	evts  int                 // acknowledged writes that change something: one live event each
}

func newLoad(ctx context.Context, base string, cfg config) (*load, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = cfg.tileWorkers + cfg.apiWorkers + cfg.writers + 4
	l := &load{base: base, cfg: cfg, client: &http.Client{Transport: tr, Timeout: 60 * time.Second}, stats: newStats(),
		alive: map[int64]string{}, gone: map[int64]bool{}, sent: map[int64]time.Time{}}
	cat, err := l.get(ctx, "/tiles/catalog")
	if err != nil {
		return nil, err
	}
	var c struct {
		Layers []struct {
			ID string `json:"id"`
		} `json:"layers"`
	}
	if err := json.Unmarshal([]byte(cat), &c); err != nil || len(c.Layers) == 0 {
		return nil, fmt.Errorf("tile catalog: %v %s", err, cat)
	}
	for _, x := range c.Layers {
		if x.ID == "" {
			return nil, fmt.Errorf("tile catalog: a layer without an id: %s", cat)
		}
		l.layers = append(l.layers, x.ID)
	}
	return l, nil
}

var (
	suppliers  = []string{"USA", "RUS", "FRA", "CHN", "DEU", "GBR", "ITA", "ISR", "TUR", "KOR"}
	recipients = []string{"UKR", "SAU", "IND", "QAT", "EGY", "ARE", "TWN", "POL", "JOR", "PAK"}
	categories = []string{"aircraft", "missiles", "air-defence", "armoured-vehicles", "naval", "artillery", "drones"}
)

// randomFilter is a filter query: none half the time.
func randomFilter(r *rand.Rand) string {
	var q []string
	if r.IntN(2) == 0 {
		return ""
	}
	if r.IntN(2) == 0 {
		from := 1990 + r.IntN(30)
		q = append(q, fmt.Sprintf("years=%d-%d", from, from+r.IntN(10)))
	}
	if r.IntN(3) == 0 {
		q = append(q, "supplier="+suppliers[r.IntN(len(suppliers))])
	}
	if r.IntN(3) == 0 {
		q = append(q, "recipient="+recipients[r.IntN(len(recipients))])
	}
	if r.IntN(3) == 0 {
		q = append(q, "category="+categories[r.IntN(len(categories))])
	}
	if r.IntN(4) == 0 {
		q = append(q, "status=delivered")
	}
	return strings.Join(q, "&")
}

// do sends one request and checks its status against ok; it returns the
// body of a good answer.
func (l *load) do(kind, method, path, body string, ok ...int) ([]byte, bool) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, l.base+path, rd)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if method != "GET" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	start := time.Now()
	res, err := l.client.Do(req)
	if err != nil {
		l.stats.fail(kind, "%s %s: %v", method, path, err)
		return nil, false
	}
	b, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		l.stats.fail(kind, "%s %s: body: %v", method, path, err)
		return nil, false
	}
	for _, c := range ok {
		if res.StatusCode == c {
			l.stats.ok(kind, time.Since(start))
			return b, true
		}
	}
	l.stats.fail(kind, "%s %s: %d %.200s", method, path, res.StatusCode, b)
	return nil, false
}

func (l *load) tileWorker(ctx context.Context, seed uint64) {
	r := rand.New(rand.NewPCG(seed, 1))
	for ctx.Err() == nil {
		z := r.IntN(9)
		n := 1 << z
		layers := l.layers[r.IntN(len(l.layers))]
		if r.IntN(3) == 0 {
			if other := l.layers[r.IntN(len(l.layers))]; other != layers {
				layers += "," + other
			}
		}
		p := fmt.Sprintf("/tiles/%s/%d/%d/%d.mvt", layers, z, r.IntN(n), r.IntN(n))
		if f := randomFilter(r); f != "" {
			p += "?" + f
		}
		l.do("tile", "GET", p, "", http.StatusOK, http.StatusNoContent)
	}
}

func (l *load) apiWorker(ctx context.Context, seed uint64) {
	r := rand.New(rand.NewPCG(seed, 2))
	for i := 0; ctx.Err() == nil; i++ {
		f := randomFilter(r)
		var p string
		switch i % 9 {
		case 0:
			p = "/api/flows?limit=20&" + f
		case 1:
			p = "/api/transfers?limit=50&" + f
		case 2:
			p = "/api/countries/" + recipients[r.IntN(len(recipients))]
		case 3:
			p = "/api/actors"
		case 4:
			p = "/api/conflicts?" + f
		case 5:
			p = "/tiles/catalog?" + f
		case 6:
			p = "/tiles/countries,flows.json?" + f
		case 7:
			p = "/style.json?" + f
		case 8:
			p = "/readyz"
		}
		l.do("api", "GET", strings.TrimSuffix(strings.TrimSuffix(p, "&"), "?"), "", http.StatusOK)
	}
}

func transferJSON(weapon string, r *rand.Rand) string {
	return fmt.Sprintf(`{"supplier":%q,"recipient":%q,"weapon":%q,"category":%q,"order_year":%d,"quantity":%d,"value":%d,"unit":"TIV",`+
		`"status":"ordered","source":{"publisher":"armsflow soak test","title":"Generated row (not real data)","date":"2026"}}`,
		suppliers[r.IntN(len(suppliers))], recipients[r.IntN(len(recipients))], weapon, categories[r.IntN(len(categories))],
		1990+r.IntN(36), 1+r.IntN(100), 1+r.IntN(500))
}

// writeAnswer is the part of a write's answer the ledger needs.
type writeAnswer struct {
	Transfers []struct {
		ID int64 `json:"id"`
	} `json:"transfers"`
	Transfer struct {
		ID int64 `json:"id"`
	} `json:"transfer"`
	Change struct {
		Version  int64          `json:"version"`
		Inserted map[string]int `json:"inserted"`
		Updated  map[string]int `json:"updated"`
		Deleted  map[string]int `json:"deleted"`
	} `json:"change"`
}

// writer posts, replaces and deletes its own transfers, one write per
// cfg.writeEvery, and keeps the ledger of what was acknowledged. Writes
// are never cut off half way: the load's end is checked between them.
func (l *load) writer(ctx context.Context, w int, seed uint64) {
	r := rand.New(rand.NewPCG(seed, 3))
	var mine []int64
	pause := func() bool {
		select {
		case <-ctx.Done():
			return false
		case <-time.After(l.cfg.writeEvery):
			return true
		}
	}
	for i := 0; pause(); i++ {
		weapon := fmt.Sprintf("Soak w%d-%d", w, i)
		switch {
		case i%4 == 1 && len(mine) > 0:
			id := mine[r.IntN(len(mine))]
			weapon += "-put"
			sent := time.Now()
			if b, ok := l.do("write", "PUT", fmt.Sprintf("/api/transfers/%d", id), transferJSON(weapon, r), http.StatusOK); ok {
				l.record(b, sent, func(a writeAnswer) { l.acked.put++; l.alive[id] = weapon })
			}
		case i%4 == 2 && len(mine) > 0:
			k := r.IntN(len(mine))
			id := mine[k]
			sent := time.Now()
			if b, ok := l.do("write", "DELETE", fmt.Sprintf("/api/transfers/%d", id), "", http.StatusOK); ok {
				mine = append(mine[:k], mine[k+1:]...)
				l.record(b, sent, func(a writeAnswer) { l.acked.del++; delete(l.alive, id); l.gone[id] = true })
			}
		default:
			sent := time.Now()
			if b, ok := l.do("write", "POST", "/api/transfers", transferJSON(weapon, r), http.StatusCreated); ok {
				l.record(b, sent, func(a writeAnswer) {
					if len(a.Transfers) == 1 {
						id := a.Transfers[0].ID
						mine = append(mine, id)
						l.acked.post++
						l.alive[id] = weapon
					}
				})
			}
		}
	}
}

// record notes an acknowledged write in the ledger.
func (l *load) record(body []byte, sent time.Time, apply func(writeAnswer)) {
	var a writeAnswer
	if err := json.Unmarshal(body, &a); err != nil {
		l.stats.fail("write", "answer %.200s: %v", body, err)
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	apply(a)
	n := 0
	for _, m := range []map[string]int{a.Change.Inserted, a.Change.Updated, a.Change.Deleted} {
		n += m["transfers"]
	}
	if n > 0 {
		l.evts++
		l.sent[a.Change.Version] = sent
	}
}

func (l *load) sentAt(version int64) (time.Time, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	t, ok := l.sent[version]
	return t, ok
}

func (l *load) expectedEvents() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.evts
}

// ledger returns the transfers the acknowledged writes left alive (id ->
// weapon) and those they deleted.
func (l *load) ledger() (map[int64]string, map[int64]bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.alive, l.gone
}
