package badinput

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/armsflow/armsflow/internal/bintest"
	"github.com/gorilla/websocket"
)

// TestBadInput runs the table in cases.go against the real binary: the CLI
// cases on one database, the HTTP and WebSocket cases on a server over
// another. Every case must be refused as the table says, its error must
// name what the table says, and the database's content hash must not move.
func TestBadInput(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	dir := t.TempDir()
	bin, err := bintest.Build(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}

	// The CLI's database: the default data plus one imported row.
	cliDB := filepath.Join(dir, "cli.db")
	good := filepath.Join(dir, "good.csv")
	if err := os.WriteFile(good, []byte(TransfersHeader+row("good-1")), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.CommandContext(ctx, bin, "import", "transfers", good, "--db", cliDB, "--quiet").CombinedOutput(); err != nil {
		t.Fatalf("import of a good file: %v\n%s", err, out)
	}

	srvDB := filepath.Join(dir, "server.db")
	srv, err := bintest.Start(ctx, bin, []string{"ARMSFLOW_WRITE_TOKENS=" + Token}, "--db", srvDB, "--max-body", "1048576",
		"--write-rate", "off", "--room-rate", "off", "--max-zoom", "14", "--log-level", "warn")
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := srv.Stop(30 * time.Second); err != nil {
			t.Errorf("server stop: %v", err)
		}
		if t.Failed() {
			t.Logf("server log:\n%s", srv.Log())
		}
	}()

	hash := func(db string) string {
		t.Helper()
		h, err := bintest.HashDB(ctx, db)
		if err != nil {
			t.Fatalf("hash %s: %v", db, err)
		}
		return h
	}
	counts := map[string]int{}
	for _, c := range Cases() {
		counts[c.Via]++
		t.Run(c.Via+"/"+c.Name, func(t *testing.T) {
			db := srvDB
			if c.Via == "cli" {
				db = cliDB
			}
			before := hash(db)
			var msg string
			switch c.Via {
			case "cli":
				msg = runCLI(ctx, t, bin, cliDB, filepath.Join(dir, "in"), c)
			case "http":
				msg = runHTTP(t, srv.URL, c)
			case "ws":
				msg = runWS(t, srv.Addr, c)
			default:
				t.Fatalf("unknown way in %q", c.Via)
			}
			for _, m := range c.Msgs {
				if !strings.Contains(strings.ToLower(msg), strings.ToLower(m)) {
					t.Errorf("the error does not name %q:\n%s", m, clip(msg))
				}
			}
			for _, leak := range []string{".go:", "goroutine ", "/work/main"} {
				if strings.Contains(msg, leak) {
					t.Errorf("the error leaks %q:\n%s", leak, clip(msg))
				}
			}
			if after := hash(db); after != before {
				t.Errorf("the database changed (content hash %s -> %s)", before[:12], after[:12])
			}
		})
	}
	t.Logf("bad-input cases: %d (cli %d, http %d, ws %d)", counts["cli"]+counts["http"]+counts["ws"], counts["cli"], counts["http"], counts["ws"])
	if n := counts["cli"] + counts["http"] + counts["ws"]; n < 40 {
		t.Errorf("only %d cases", n)
	}
}

func clip(s string) string {
	if len(s) > 600 {
		return s[:600] + "..."
	}
	return s
}

// runCLI runs armsflow import on the case's file and returns its output.
func runCLI(ctx context.Context, t *testing.T, bin, db, dir string, c Case) string {
	t.Helper()
	args := []string{"import", c.Kind}
	if c.FileName != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, c.FileName)
		if err := os.WriteFile(p, c.File, 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, p)
	}
	args = append(args, c.Args...)
	args = append(args, "--db", db, "--quiet")
	cmd := exec.CommandContext(ctx, bin, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	code := 0
	if ee, ok := errors.AsType[*exec.ExitError](err); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run import: %v", err)
	}
	if code != c.Want.(int) {
		t.Errorf("exit status %d, want %d:\n%s", code, c.Want, clip(out.String()))
	}
	return out.String()
}

// runHTTP sends the case's request and returns its JSON error (message and
// parameter).
func runHTTP(t *testing.T, base string, c Case) string {
	t.Helper()
	req, err := http.NewRequest(c.Method, base+c.Path, strings.NewReader(c.Body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range c.Header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", c.Method, c.Path, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != c.Want.(int) {
		t.Errorf("%s %s: status %d, want %d: %s", c.Method, c.Path, res.StatusCode, c.Want, clip(string(body)))
	}
	var e struct {
		Error  string `json:"error"`
		Param  string `json:"param"`
		Status int    `json:"status"`
	}
	if err := json.Unmarshal(body, &e); err != nil || e.Error == "" || e.Status != res.StatusCode {
		t.Errorf("not a JSON error: %q", clip(string(body)))
	}
	if !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		t.Errorf("Content-Type %q", res.Header.Get("Content-Type"))
	}
	return e.Error + " [param " + e.Param + "]"
}

// runWS opens /ws, sends the case's messages and returns the first error
// reply (code: message), or the refused handshake's body.
func runWS(t *testing.T, addr string, c Case) string {
	t.Helper()
	h := http.Header{}
	if c.Origin != "" {
		h.Set("Origin", c.Origin)
	}
	d := websocket.Dialer{HandshakeTimeout: 10 * time.Second}
	ws, res, err := d.Dial("ws://"+addr+"/ws", h)
	if want, ok := c.Want.(int); ok {
		if err == nil {
			ws.Close()
			t.Fatalf("handshake accepted, want %d", want)
		}
		if res == nil || res.StatusCode != want {
			t.Fatalf("handshake: %v, want status %d", err, want)
		}
		b, _ := io.ReadAll(res.Body)
		return string(b)
	}
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer ws.Close()
	_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	var env struct {
		Type string          `json:"type"`
		Data json.RawMessage `json:"data"`
	}
	if err := ws.ReadJSON(&env); err != nil || env.Type != "welcome" {
		t.Fatalf("welcome: %v %+v", err, env)
	}
	for i, m := range c.Send {
		typ := websocket.TextMessage
		if c.Binary && i == 0 {
			typ = websocket.BinaryMessage
		}
		if err := ws.WriteMessage(typ, []byte(m)); err != nil {
			t.Fatalf("send: %v", err)
		}
	}
	for {
		if err := ws.ReadJSON(&env); err != nil {
			t.Fatalf("no error reply: %v", err)
		}
		if env.Type != "error" {
			continue
		}
		var e struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		}
		if err := json.Unmarshal(env.Data, &e); err != nil {
			t.Fatalf("error data %s: %v", env.Data, err)
		}
		if e.Code != c.Want.(string) {
			t.Errorf("error code %q (%s), want %q", e.Code, e.Message, c.Want)
		}
		// the connection survives a bad message
		if err := ws.WriteMessage(websocket.TextMessage, []byte(`{"v":1,"type":"ping","id":"after"}`)); err != nil {
			t.Errorf("ping after the error: %v", err)
		}
		for {
			if err := ws.ReadJSON(&env); err != nil {
				t.Errorf("no pong after the error: %v", err)
				break
			}
			if env.Type == "pong" {
				break
			}
		}
		return e.Code + ": " + e.Message
	}
}

// TestCrossingRingNoted: a country ring that crosses itself but keeps an
// area is imported as given, with a note naming the feature and the
// crossing (refusing it would refuse Natural Earth's own 1:110m Sudan).
func TestCrossingRingNoted(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	dir := t.TempDir()
	bin, err := bintest.Build(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(dir, "crossing.geojson")
	if err := os.WriteFile(f, countriesWith("FRA", `[[0,0],[10,10],[10,0],[0,4],[0,0]]`), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.CommandContext(ctx, bin, "import", "countries", f, "--db", filepath.Join(dir, "a.db"), "--quiet").CombinedOutput()
	if err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	for _, want := range []string{"feature 0 (Testland): kept 1 self-intersecting rings as given (first crossing at", "updated 1 countries"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
