package crashtest

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/armsflow/armsflow/internal/bintest"
	"github.com/gorilla/websocket"
)

const shutdownToken = "shutdown-write-token-0123456789"

func transferJSON(weapon string) string {
	return `{"supplier":"USA","recipient":"UKR","weapon":"` + weapon + `","category":"air-defence","order_year":2023,"quantity":2,` +
		`"value":1.5e9,"unit":"USD","status":"ordered","source":{"publisher":"armsflow tests","title":"Invented row for a test (not real data)","date":"2026"}}`
}

// dialData opens /ws and subscribes to the data channel.
func dialData(t *testing.T, addr string) *websocket.Conn {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial("ws://"+addr+"/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	if typ := readType(t, ws); typ != "welcome" {
		t.Fatalf("first message %q", typ)
	}
	if err := ws.WriteJSON(map[string]any{"v": 1, "type": "subscribe", "channel": "data"}); err != nil {
		t.Fatal(err)
	}
	if typ := readType(t, ws); typ != "subscribed" {
		t.Fatalf("subscribe answered %q", typ)
	}
	_ = ws.SetReadDeadline(time.Time{})
	return ws
}

// inFlight reads the server's armsflow_http_requests_in_flight gauge from
// /metrics (the scrape itself counts).
func inFlight(t *testing.T, base string) float64 {
	t.Helper()
	res, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatalf("GET /metrics: %v", err)
	}
	b, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %d %v", res.StatusCode, err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "armsflow_http_requests_in_flight "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				t.Fatalf("/metrics: %q: %v", line, err)
			}
			return f
		}
	}
	t.Fatal("/metrics has no armsflow_http_requests_in_flight")
	return 0
}

func readType(t *testing.T, ws *websocket.Conn) string {
	t.Helper()
	var env struct {
		Type string `json:"type"`
	}
	if err := ws.ReadJSON(&env); err != nil {
		t.Fatalf("read: %v", err)
	}
	return env.Type
}

// TestGracefulShutdown sends SIGTERM while a slow write is being uploaded
// and a WebSocket client listens: the write completes with 201, the client
// gets close code 1001, new connections are refused, and the process exits
// 0 within the grace period.
func TestGracefulShutdown(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	bin, dir, base := setup(t, ctx)
	db := filepath.Join(dir, "s.db")
	copyDB(t, base, db)
	srv, err := bintest.Start(ctx, bin, []string{"ARMSFLOW_WRITE_TOKENS=" + shutdownToken}, "--db", db, "--shutdown-grace", "20s")
	if err != nil {
		t.Fatal(err)
	}
	ws := dialData(t, srv.Addr)
	defer ws.Close()

	idle := inFlight(t, srv.URL) // this scrape's own request counts
	// The slow request: its body arrives in two halves, 2 s apart.
	body := transferJSON("Slow upload")
	pr, pw := io.Pipe()
	req, _ := http.NewRequestWithContext(ctx, "POST", srv.URL+"/api/transfers", pr)
	req.Header.Set("Authorization", "Bearer "+shutdownToken)
	req.Header.Set("Content-Type", "application/json")
	req.ContentLength = int64(len(body))
	type answer struct {
		code int
		body string
		err  error
	}
	answered := make(chan answer, 1)
	go func() {
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			answered <- answer{err: err}
			return
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		answered <- answer{code: res.StatusCode, body: string(b)}
	}()
	if _, err := io.WriteString(pw, body[:len(body)/2]); err != nil {
		t.Fatal(err)
	}
	// The handler is reading the body: the request is in flight.
	if !waitFor(time.Minute, func() bool { return inFlight(t, srv.URL) >= idle+1 }) {
		t.Fatalf("the slow write is not in flight after a minute\n%s", srv.Log())
	}
	signalled := time.Now()
	if err := srv.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}

	// The socket is closed with 1001 (going away) while the write goes on.
	closed := make(chan error, 1)
	go func() {
		_ = ws.SetReadDeadline(time.Now().Add(15 * time.Second))
		for {
			if _, _, err := ws.ReadMessage(); err != nil {
				closed <- err
				return
			}
		}
	}()
	var ce *websocket.CloseError
	if err := <-closed; !errors.As(err, &ce) || ce.Code != websocket.CloseGoingAway {
		t.Errorf("WebSocket ended with %v, want close code 1001", err)
	} else {
		t.Logf("WebSocket closed with %d %q %s after SIGTERM", ce.Code, ce.Text, time.Since(signalled).Round(time.Millisecond))
	}

	// New connections are refused once the listener is closed.
	if waitFor(30*time.Second, func() bool {
		res, err := http.Get(srv.URL + "/healthz")
		if err == nil {
			res.Body.Close()
		}
		return err != nil
	}) {
		t.Logf("new connections refused after SIGTERM")
	} else {
		t.Error("the server still accepts connections 30 s after SIGTERM")
	}

	time.Sleep(2 * time.Second)
	if _, err := io.WriteString(pw, body[len(body)/2:]); err != nil {
		t.Fatalf("second half of the body: %v", err)
	}
	pw.Close()
	a := <-answered
	if a.err != nil || a.code != http.StatusCreated {
		t.Fatalf("the in-flight write: %d %v %s\n%s", a.code, a.err, a.body, srv.Log())
	}
	var res struct {
		Transfers []struct {
			ID int64 `json:"id"`
		} `json:"transfers"`
	}
	if err := json.Unmarshal([]byte(a.body), &res); err != nil || len(res.Transfers) != 1 || res.Transfers[0].ID == 0 {
		t.Fatalf("write answer %s", a.body)
	}
	t.Logf("in-flight write answered 201 %s after SIGTERM", time.Since(signalled).Round(time.Millisecond))
	select {
	case <-srv.Done():
	case <-time.After(25 * time.Second):
		t.Fatal("the server did not exit within the grace period")
	}
	if err := srv.ExitErr(); err != nil {
		t.Fatalf("exit: %v\n%s", err, srv.Log())
	}
	// the write is in the database
	integrity(t, db)
	found := false
	srv2, err := bintest.Start(ctx, bin, nil, "--db", db)
	if err != nil {
		t.Fatal(err)
	}
	defer srv2.Stop(30 * time.Second)
	r, err := http.Get(srv2.URL + "/api/transfers?limit=1000&supplier=USA&recipient=UKR")
	if err == nil {
		b, _ := io.ReadAll(r.Body)
		r.Body.Close()
		found = strings.Contains(string(b), "Slow upload")
	}
	if !found {
		t.Fatal("the write answered 201 before the shutdown is not in the database")
	}
}

// TestWebSocketOutlivesTimeouts: with 1 s read, write and idle timeouts, a
// WebSocket subscribed for longer than all of them still gets events and
// answers pings: hijacked connections are not bound by the HTTP timeouts.
func TestWebSocketOutlivesTimeouts(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	bin, dir, base := setup(t, ctx)
	db := filepath.Join(dir, "w.db")
	copyDB(t, base, db)
	srv, err := bintest.Start(ctx, bin, []string{"ARMSFLOW_WRITE_TOKENS=" + shutdownToken}, "--db", db,
		"--read-timeout", "1s", "--write-timeout", "1s", "--idle-timeout", "1s", "--read-header-timeout", "1s")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop(30 * time.Second)
	ws := dialData(t, srv.Addr)
	defer ws.Close()
	time.Sleep(3 * time.Second)

	req, _ := http.NewRequestWithContext(ctx, "POST", srv.URL+"/api/transfers", strings.NewReader(transferJSON("After the timeouts")))
	req.Header.Set("Authorization", "Bearer "+shutdownToken)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("write: %d", res.StatusCode)
	}
	_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	if typ := readType(t, ws); typ != "transfer.added" {
		t.Fatalf("after 3 s the socket got %q, want transfer.added", typ)
	}
	time.Sleep(2 * time.Second)
	if err := ws.WriteJSON(map[string]any{"v": 1, "type": "ping", "id": "late"}); err != nil {
		t.Fatalf("ping after 5 s: %v", err)
	}
	for {
		typ := readType(t, ws)
		if typ == "pong" {
			break
		}
	}
}
