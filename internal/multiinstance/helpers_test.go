package multiinstance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/paulmach/orb/encoding/mvt"
)

// client is the HTTP client of the test: bounded, loopback only.
var client = &http.Client{Timeout: 10 * time.Second}

// do sends a request and returns the status, headers and body.
func do(t *testing.T, method, url string, hdr map[string]string, body []byte) (int, http.Header, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, url, err)
	}
	return res.StatusCode, res.Header, b
}

// getJSON GETs url, wants 200 and decodes the body into v.
func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	code, _, b := do(t, http.MethodGet, url, nil, nil)
	if code != http.StatusOK {
		t.Fatalf("GET %s: %d %s", url, code, b)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("GET %s: %v\n%s", url, err, b)
	}
}

// flowsAnswer is the part of /api/flows the test reads.
type flowsAnswer struct {
	Version  int64 `json:"version"`
	Features []struct {
		Geometry *struct {
			Type        string         `json:"type"`
			Coordinates [][][2]float64 `json:"coordinates"`
		} `json:"geometry"`
		Properties struct {
			Supplier    string  `json:"supplier"`
			Recipient   string  `json:"recipient"`
			Deals       int     `json:"deals"`
			TransferIDs []int64 `json:"transfer_ids"`
		} `json:"properties"`
	} `json:"features"`
}

// pairFlows reads /api/flows for one supplier→recipient pair from base.
func pairFlows(t *testing.T, base, supplier, recipient string) flowsAnswer {
	t.Helper()
	var fa flowsAnswer
	getJSON(t, fmt.Sprintf("%s/api/flows?supplier=%s&recipient=%s", base, supplier, recipient), &fa)
	return fa
}

// deals is the pair's deal count in a flows answer (0 without a flow).
func (fa flowsAnswer) deals() int {
	if len(fa.Features) == 0 {
		return 0
	}
	return fa.Features[0].Properties.Deals
}

// has reports whether the pair's flow lists transfer id.
func (fa flowsAnswer) has(id int64) bool {
	return len(fa.Features) > 0 && slices.Contains(fa.Features[0].Properties.TransferIDs, id)
}

// tileFlow fetches a flows tile from url (with If-None-Match when etag is
// set) and returns the status, the ETag and the deal count of the
// supplier→recipient feature (-1 when the tile has none).
func tileFlow(t *testing.T, url, etag, supplier, recipient string) (int, string, int) {
	t.Helper()
	hdr := map[string]string{"Accept-Encoding": "gzip"}
	if etag != "" {
		hdr["If-None-Match"] = etag
	}
	code, h, b := do(t, http.MethodGet, url, hdr, nil)
	switch code {
	case http.StatusNotModified:
		return code, h.Get("ETag"), -1
	case http.StatusOK:
	default:
		t.Fatalf("GET %s: %d %s", url, code, b)
	}
	var layers mvt.Layers
	var err error
	if h.Get("Content-Encoding") == "gzip" {
		layers, err = mvt.UnmarshalGzipped(b)
	} else {
		layers, err = mvt.Unmarshal(b)
	}
	if err != nil {
		t.Fatalf("GET %s: decode MVT: %v", url, err)
	}
	deals := -1
	for _, l := range layers {
		if l.Name != "flows" {
			continue
		}
		for _, f := range l.Features {
			if f.Properties["supplier"] == supplier && f.Properties["recipient"] == recipient {
				d, ok := f.Properties["deals"].(float64)
				if !ok {
					t.Fatalf("GET %s: flow %s→%s deals is %T %v", url, supplier, recipient, f.Properties["deals"], f.Properties["deals"])
				}
				deals = int(d)
			}
		}
	}
	return code, h.Get("ETag"), deals
}

// waitFor polls cond every 50 ms until it holds or d has passed, and
// reports whether it held.
func waitFor(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(50 * time.Millisecond)
	}
}
