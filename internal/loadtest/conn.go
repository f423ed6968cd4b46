package loadtest

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// conn is one client's keep-alive HTTP/1.1 connection: it writes a GET
// request line by hand and reads the answer with net/http's own response
// parser (http.ReadResponse). http.Client hands every request between a
// transport's reader and writer goroutines, which costs more CPU per tile
// than the server spends serving a cached one; on a machine whose cores the
// server shares, that CPU would be taken from the server and show up as its
// latency. A conn costs about what wrk does per request.
type conn struct {
	addr    string // host:port to dial
	host    string // the Host header
	timeout time.Duration
	c       net.Conn
	br      *bufio.Reader
	req     []byte // the request being written, reused
}

func newConn(addr, host string, timeout time.Duration) *conn {
	return &conn{addr: addr, host: host, timeout: timeout}
}

// get requests path and discards the body; the result's size is the body's
// length. After any error the connection is closed and the next get dials
// again.
func (c *conn) get(ctx context.Context, path string) (result, error) {
	t0 := time.Now()
	res, err := c.roundTrip(ctx, path)
	res.d = time.Since(t0)
	if err != nil {
		c.close()
		return res, fmt.Errorf("GET %s: %w", path, err)
	}
	if res.code != http.StatusOK && res.code != http.StatusNoContent {
		return res, fmt.Errorf("GET %s: %d %s", path, res.code, http.StatusText(res.code))
	}
	return res, nil
}

func (c *conn) roundTrip(ctx context.Context, path string) (result, error) {
	if c.c == nil {
		var d net.Dialer
		nc, err := d.DialContext(ctx, "tcp", c.addr)
		if err != nil {
			return result{}, err
		}
		c.c = nc
		if c.br == nil {
			c.br = bufio.NewReaderSize(nc, 32<<10)
		} else {
			c.br.Reset(nc)
		}
	}
	if err := c.c.SetDeadline(time.Now().Add(c.timeout)); err != nil {
		return result{}, err
	}
	c.req = append(c.req[:0], "GET "...)
	c.req = append(c.req, path...)
	c.req = append(c.req, " HTTP/1.1\r\nHost: "...)
	c.req = append(c.req, c.host...)
	c.req = append(c.req, "\r\nAccept-Encoding: gzip\r\nUser-Agent: armsflow-bench\r\n\r\n"...)
	if _, err := c.c.Write(c.req); err != nil {
		return result{}, err
	}
	resp, err := http.ReadResponse(c.br, nil)
	if err != nil {
		return result{}, err
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	res := result{size: int(n), code: resp.StatusCode}
	if err != nil {
		return res, err
	}
	if resp.Close {
		c.close() // the server ends the connection after this answer
	}
	return res, nil
}

func (c *conn) close() {
	if c.c != nil {
		c.c.Close()
		c.c = nil
	}
}
