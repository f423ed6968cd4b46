package server

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Rate limits on writes (POST, PUT, DELETE /api/transfers...) and on room
// creation (POST /api/rooms): a token bucket per client address and, for a
// request carrying a valid write token, one per token too; a request must
// pass both. Over a limit the answer is 429 with Retry-After.

// Rate is a rate limit: N requests per unit, in bursts of up to N. The
// zero Rate means no limit. It is a flag.Value: "10/s", "30/m", "100/h",
// or "off".
type Rate struct {
	N    int
	Per  time.Duration
	spec string
}

// ParseRate reads "N/s", "N/m", "N/h" (also "N/second", "N/min", "N/hour")
// or "off"/"0" for no limit.
func ParseRate(s string) (Rate, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "off" || s == "0" || s == "none" {
		return Rate{spec: "off"}, nil
	}
	ns, unit, ok := strings.Cut(s, "/")
	n, err := strconv.Atoi(strings.TrimSpace(ns))
	if !ok || err != nil || n <= 0 || n > 1_000_000 {
		return Rate{}, fmt.Errorf("rate %q: want N/s, N/m or N/h with N from 1 to 1000000, or off", s)
	}
	var per time.Duration
	switch strings.ToLower(strings.TrimSpace(unit)) {
	case "s", "sec", "second":
		per = time.Second
	case "m", "min", "minute":
		per = time.Minute
	case "h", "hour":
		per = time.Hour
	default:
		return Rate{}, fmt.Errorf("rate %q: unit %q is not s, m or h", s, unit)
	}
	return Rate{N: n, Per: per, spec: fmt.Sprintf("%d/%s", n, strings.ToLower(strings.TrimSpace(unit))[:1])}, nil
}

// Set parses a flag value.
func (r *Rate) Set(s string) error {
	v, err := ParseRate(s)
	if err != nil {
		return err
	}
	*r = v
	return nil
}

func (r *Rate) String() string {
	if r == nil || r.N == 0 {
		return "off"
	}
	if r.spec != "" {
		return r.spec
	}
	return fmt.Sprintf("%d per %s", r.N, r.Per)
}

// describe says the limit in words for error messages.
func (r Rate) describe() string {
	unit := map[time.Duration]string{time.Second: "second", time.Minute: "minute", time.Hour: "hour"}[r.Per]
	if unit == "" {
		unit = r.Per.String()
	}
	return fmt.Sprintf("%d per %s", r.N, unit)
}

// limiterMaxKeys caps the buckets a limiter keeps; past it, new keys share
// one bucket until the sweep frees idle ones.
const limiterMaxKeys = 100_000

// limiter holds the token buckets of one limit by key ("ip:..." or
// "token:..."). Buckets idle long enough to have refilled are dropped.
type limiter struct {
	name  string
	rate  Rate
	limit rate.Limit
	idle  time.Duration // a bucket untouched this long is full again

	mu        sync.Mutex
	buckets   map[string]*bucket
	overflow  *rate.Limiter
	lastSweep time.Time
}

type bucket struct {
	lim  *rate.Limiter
	last time.Time
}

func newLimiter(name string, r Rate) *limiter {
	if r.N <= 0 || r.Per <= 0 {
		return nil
	}
	l := &limiter{name: name, rate: r, limit: rate.Limit(float64(r.N) / r.Per.Seconds()),
		buckets: map[string]*bucket{}, lastSweep: time.Now()}
	l.idle = r.Per + time.Second
	l.overflow = rate.NewLimiter(l.limit, r.N)
	return l
}

// reserve takes a token from key's bucket at now; when none is left it
// takes nothing and returns how long until one is.
func (l *limiter) reserve(key string, now time.Time) (*rate.Reservation, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.lastSweep) > time.Minute || len(l.buckets) >= limiterMaxKeys {
		l.sweep(now)
	}
	lim := l.overflow
	if b, ok := l.buckets[key]; ok {
		b.last, lim = now, b.lim
	} else if len(l.buckets) < limiterMaxKeys {
		b := &bucket{lim: rate.NewLimiter(l.limit, l.rate.N), last: now}
		l.buckets[key], lim = b, b.lim
	}
	res := lim.ReserveN(now, 1)
	if !res.OK() {
		return nil, l.rate.Per
	}
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		return nil, d
	}
	return res, 0
}

func (l *limiter) sweep(now time.Time) {
	for k, b := range l.buckets {
		if now.Sub(b.last) > l.idle {
			delete(l.buckets, k)
		}
	}
	l.lastSweep = now
}

// limiterFor returns the limit a matched route and method fall under, or nil.
func (s *Server) limiterFor(route, method string) *limiter {
	switch {
	case method == http.MethodGet || method == http.MethodHead || method == http.MethodOptions:
		return nil
	case route == "/api/transfers" || route == "/api/transfers/{id}":
		return s.ops.write
	case route == "/api/rooms" && method == http.MethodPost:
		return s.ops.room
	}
	return nil
}

// allow applies lim to r by client address and, with a valid write token,
// by token. Over the limit it answers 429 and returns false.
func (s *Server) allow(w http.ResponseWriter, r *http.Request, lim *limiter) bool {
	now := time.Now()
	ip := clientIP(r)
	resIP, wait := lim.reserve("ip:"+ip, now)
	by := "ip"
	if wait == 0 {
		if tok := writeTokenOf(r, s.cfg.WriteTokens); tok != "" {
			if _, wait = lim.reserve("token:"+tok, now); wait > 0 {
				resIP.CancelAt(now) // refused: the address's token goes back
				by = "token"
			}
		}
	}
	if wait == 0 {
		return true
	}
	if m := s.ops.metrics; m != nil {
		m.RateLimited(lim.name, by)
	}
	secs := int(math.Ceil(wait.Seconds()))
	w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
	what := map[string]string{"write": "writes", "room": "rooms created"}[lim.name]
	who := "from one address (" + ip + ")"
	if by == "token" {
		who = "with one write token"
	}
	writeJSONError(w, http.StatusTooManyRequests,
		fmt.Sprintf("too many %s: at most %s %s; retry in %ds", what, lim.rate.describe(), who, max(secs, 1)), "")
	return false
}

// writeTokenOf returns a short hash of the request's bearer token when it
// is one of tokens, else "" (unknown tokens count against the address
// only, so they cannot grow the limiter).
func writeTokenOf(r *http.Request, tokens []string) string {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	tok = strings.TrimSpace(tok)
	if !tokenMatches(tok, tokens) {
		return ""
	}
	sum := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(sum[:8])
}
