// Package badinput is armsflow's bad-input suite: one table of malformed,
// hostile and out-of-range inputs sent through every way in, the CLI
// (`armsflow import` as a subprocess), HTTP and WebSocket, against the
// real binary on 127.0.0.1. Each case must be refused with a clear error
// naming the file and line or the parameter at fault, and leave the
// database exactly as it was (a hash of everything the store holds is
// taken before and after). The table is in this file; the test that runs
// it is badinput_test.go.
package badinput

import (
	"fmt"
	"strings"
)

// Case is one bad input.
type Case struct {
	Name string
	Via  string // "cli", "http" or "ws"

	// cli: armsflow import Kind FILE, FILE holding File (named FileName).
	Kind     string
	FileName string
	File     []byte
	Args     []string // more arguments (a missing file, a directory)

	// http
	Method, Path, Body string
	Header             map[string]string

	// ws: messages sent after the welcome (Binary sends the first as a
	// binary frame); Origin is the handshake's Origin header.
	Send   []string
	Binary bool
	Origin string

	// Want is the exit status (cli), the HTTP status (http, and a refused
	// ws handshake), or the error code of the WebSocket reply (ws).
	Want any
	// Msgs must all appear in the error: stderr, the JSON error's "error"
	// (and "param"), or the WebSocket error's message.
	Msgs []string
}

// Token is the write token the suite's server accepts.
const Token = "badinput-write-token-0123456789"

// TransfersHeader is the generic transfers CSV header.
const TransfersHeader = "key,supplier,recipient,weapon,description,category,source_category,order_year,delivery_years,quantity,value,unit,status,source_publisher,source_title,source_date,source_url,source_id,notes\n"

// row is a valid transfers CSV row with key k (not real data: a test row).
func row(k string) string {
	return k + ",USA,UKR,NASAMS,surface-to-air missile system,air-defence,,2023,,2,1500000000,USD,ordered,armsflow test,Invented row for a test (not real data),2026,,,\n"
}

// rowWith is row(k) with column col (0-based) set to v.
func rowWith(k string, col int, v string) string {
	cells := strings.Split(strings.TrimSuffix(row(k), "\n"), ",")
	cells[col] = v
	return strings.Join(cells, ",") + "\n"
}

// Transfer column indexes.
const (
	colSupplier   = 1
	colOrderYear  = 7
	colQuantity   = 9
	colValue      = 10
	colStatus     = 12
	colSourceDate = 15
	colSourceURL  = 16
	colNotes      = 18
)

// jsonTransfer is a valid transfer for the write API with extra fields
// spliced in (a string starting with ',').
func jsonTransfer(extra string) string {
	return `{"supplier":"USA","recipient":"UKR","weapon":"NASAMS","category":"air-defence","order_year":2023,"quantity":2,` +
		`"value":1.5e9,"unit":"USD","status":"ordered","source":{"publisher":"armsflow test","title":"Invented row (not real data)","date":"2026"}` +
		extra + `}`
}

func latin1(s string) []byte {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		b = append(b, byte(r))
	}
	return b
}

func utf16le(s string) []byte {
	b := []byte{0xff, 0xfe}
	for _, r := range s {
		b = append(b, byte(r), byte(r>>8))
	}
	return b
}

// square is a GeoJSON countries FeatureCollection with one feature of
// the given ring (as JSON coordinates).
func countriesWith(iso, ring string) []byte {
	return []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"ISO_A3":"` + iso +
		`","ADMIN":"Testland"},"geometry":{"type":"Polygon","coordinates":[` + ring + `]}}]}`)
}

// gedHeader and gedRow make a UCDP GED-style events file (invented rows,
// GED's documented columns).
const gedHeader = "id,relid,year,active_year,type_of_violence,conflict_new_id,conflict_name,dyad_new_id,side_a,side_b,country,country_id,region,latitude,longitude,where_prec,date_start,date_end,deaths_a,deaths_b,deaths_civilians,deaths_unknown,best,high,low\n"

func gedRow(id, lat, lon string) string {
	return id + ",BAD-" + id + ",2022,1,1,13306,Invented conflict,90001,Invented side A,Invented side B,Ukraine,369,Europe," + lat + "," + lon +
		",1,2022-03-01,2022-03-02,5,6,1,0,12,15,10\n"
}

const goodRing = `[[10,10],[11,10],[11,11],[10,11],[10,10]]`

// Cases is the table.
func Cases() []Case {
	ten := strings.Repeat("A", 10<<20)
	csv := func(rows ...string) []byte { return []byte(TransfersHeader + strings.Join(rows, "")) }
	auth := map[string]string{"Authorization": "Bearer " + Token, "Content-Type": "application/json"}
	authCSV := map[string]string{"Authorization": "Bearer " + Token, "Content-Type": "text/csv"}
	cs := []Case{
		// ---- CLI: armsflow import ----
		{Name: "truncated header", Via: "cli", Kind: "transfers", FileName: "trunc-header.csv", File: []byte("key,supplier,recip"),
			Want: 1, Msgs: []string{"trunc-header.csv"}},
		{Name: "truncated inside a quoted cell", Via: "cli", Kind: "transfers", FileName: "trunc-row.csv",
			File: csv(row("t1"), `t2,USA,UKR,"NASAMS`), Want: 1, Msgs: []string{"trunc-row.csv:3"}},
		{Name: "Latin-1 bytes", Via: "cli", Kind: "transfers", FileName: "latin1.csv",
			File: append(csv(row("l1")), latin1(rowWith("l2", colNotes, "caf\u00e9 d\u00e9j\u00e0"))...), Want: 1, Msgs: []string{"latin1.csv:3", "UTF-8"}},
		{Name: "UTF-16 with a BOM", Via: "cli", Kind: "transfers", FileName: "utf16.csv", File: utf16le(TransfersHeader + row("u1")),
			Want: 1, Msgs: []string{"utf16.csv"}},
		{Name: "UTF-8 BOM, bad row keeps its line number", Via: "cli", Kind: "transfers", FileName: "bom.csv",
			File: append([]byte("\ufeff"), csv(row("b1"), rowWith("b2", colStatus, "shipped"))...), Want: 1, Msgs: []string{"bom.csv:3", "status"}},
		{Name: "unknown extra column", Via: "cli", Kind: "transfers", FileName: "extra-col.csv",
			File: []byte(strings.TrimSuffix(TransfersHeader, "\n") + ",colour\n" + strings.TrimSuffix(row("e1"), "\n") + ",red\n"), Want: 1, Msgs: []string{"extra-col.csv", "colour"}},
		{Name: "missing required column", Via: "cli", Kind: "transfers", FileName: "no-status.csv",
			File: []byte("key,supplier,recipient,weapon,category,source_publisher,source_title,source_date\nm1,USA,UKR,X,missiles,p,t,2026\n"), Want: 1, Msgs: []string{"no-status.csv", "status"}},
		{Name: "row with an extra cell", Via: "cli", Kind: "transfers", FileName: "extra-cell.csv",
			File: csv(row("x1"), strings.TrimSuffix(row("x2"), "\n")+",surplus\n"), Want: 1, Msgs: []string{"extra-cell.csv:3"}},
		{Name: "row with cells missing", Via: "cli", Kind: "transfers", FileName: "short-row.csv",
			File: csv(row("s1"), "s2,USA,UKR\n"), Want: 1, Msgs: []string{"short-row.csv:3"}},
		{Name: "10 MB line without separators", Via: "cli", Kind: "transfers", FileName: "long-line.csv",
			File: csv(row("g1"), ten+"\n"), Want: 1, Msgs: []string{"long-line.csv:3"}},
		{Name: "10 MB notes cell", Via: "cli", Kind: "transfers", FileName: "long-cell.csv",
			File: csv(rowWith("g2", colNotes, ten)), Want: 1, Msgs: []string{"long-cell.csv:2", "notes"}},
		{Name: "value NaN", Via: "cli", Kind: "transfers", FileName: "nan.csv", File: csv(rowWith("n1", colValue, "NaN")),
			Want: 1, Msgs: []string{"nan.csv:2", "value"}},
		{Name: "value +Inf", Via: "cli", Kind: "transfers", FileName: "inf.csv", File: csv(rowWith("n2", colValue, "+Inf")),
			Want: 1, Msgs: []string{"inf.csv:2", "value"}},
		{Name: "value 1e999", Via: "cli", Kind: "transfers", FileName: "huge.csv", File: csv(rowWith("n3", colValue, "1e999")),
			Want: 1, Msgs: []string{"huge.csv:2", "value"}},
		{Name: "negative quantity", Via: "cli", Kind: "transfers", FileName: "negq.csv", File: csv(rowWith("n4", colQuantity, "-5")),
			Want: 1, Msgs: []string{"negq.csv:2", "quantity"}},
		{Name: "order year 1066", Via: "cli", Kind: "transfers", FileName: "year.csv", File: csv(rowWith("y1", colOrderYear, "1066")),
			Want: 1, Msgs: []string{"year.csv:2", "year"}},
		{Name: "source date not a date", Via: "cli", Kind: "transfers", FileName: "date.csv", File: csv(rowWith("d1", colSourceDate, "yesterday")),
			Want: 1, Msgs: []string{"date.csv:2", "date"}},
		{Name: "javascript: source URL", Via: "cli", Kind: "transfers", FileName: "url.csv", File: csv(rowWith("u2", colSourceURL, "javascript:alert(1)")),
			Want: 1, Msgs: []string{"url.csv:2", "url"}},
		{Name: "SQL in the supplier", Via: "cli", Kind: "transfers", FileName: "sql.csv",
			File: csv(rowWith("q1", colSupplier, "USA'); DROP TABLE transfers; --")), Want: 1, Msgs: []string{"sql.csv:2", "DROP TABLE"}},
		{Name: "unknown actor", Via: "cli", Kind: "transfers", FileName: "actor.csv", File: csv(rowWith("a1", colSupplier, "Atlantis")),
			Want: 1, Msgs: []string{"actor.csv:2", "Atlantis"}},
		{Name: "duplicate key", Via: "cli", Kind: "transfers", FileName: "dupkey.csv", File: csv(row("dup"), row("dup")),
			Want: 1, Msgs: []string{"dupkey.csv:3", "dup"}},
		{Name: "one good row, one bad: nothing stored", Via: "cli", Kind: "transfers", FileName: "half.csv",
			File: csv(row("h1"), rowWith("h2", colStatus, "")), Want: 1, Msgs: []string{"half.csv:3", "status"}},
		{Name: "empty file", Via: "cli", Kind: "transfers", FileName: "empty.csv", File: []byte{}, Want: 1, Msgs: []string{"empty.csv", "empty"}},
		{Name: "a PNG given as CSV", Via: "cli", Kind: "transfers", FileName: "image.csv",
			File: []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01"), Want: 1, Msgs: []string{"image.csv"}},
		{Name: "transfers CSV imported as SIPRI", Via: "cli", Kind: "sipri", FileName: "wrongkind.csv", File: csv(row("w1")),
			Want: 1, Msgs: []string{"wrongkind.csv"}},
		{Name: "unknown import kind", Via: "cli", Kind: "spreadsheet", FileName: "k.csv", File: csv(row("k1")),
			Want: 1, Msgs: []string{"spreadsheet"}},
		{Name: "missing file", Via: "cli", Kind: "transfers", Args: []string{"/nonexistent/armsflow/missing.csv"},
			Want: 1, Msgs: []string{"missing.csv"}},
		{Name: "countries: coordinates out of range", Via: "cli", Kind: "countries", FileName: "far.geojson",
			File: countriesWith("FRA", `[[500,10],[501,10],[501,11],[500,10]]`), Want: 1, Msgs: []string{"far.geojson", "500"}},
		{Name: "countries: NaN coordinate", Via: "cli", Kind: "countries", FileName: "nan.geojson",
			File: countriesWith("FRA", `[[NaN,10],[11,10],[11,11],[10,10]]`), Want: 1, Msgs: []string{"nan.geojson"}},
		// A bowtie whose lobes cancel has no area: nothing of it can be drawn.
		// (A ring that crosses itself but keeps an area is imported with a
		// note, as Natural Earth's own Sudan is: see TestCrossingRingNoted.)
		{Name: "countries: self-intersecting bowtie", Via: "cli", Kind: "countries", FileName: "bowtie.geojson",
			File: countriesWith("FRA", `[[0,0],[10,10],[10,0],[0,10],[0,0]]`), Want: 1, Msgs: []string{"bowtie.geojson", "Testland", "no valid polygon"}},
		{Name: "countries: truncated JSON", Via: "cli", Kind: "countries", FileName: "cut.geojson",
			File: countriesWith("FRA", goodRing)[:60], Want: 1, Msgs: []string{"cut.geojson"}},

		{Name: "events: latitude 123.5", Via: "cli", Kind: "ucdp-ged", FileName: "ged-lat.csv",
			File: []byte(gedHeader + gedRow("9100001", "123.5", "37.8")), Want: 1, Msgs: []string{"ged-lat.csv:2", "123.5"}},
		{Name: "events: longitude NaN", Via: "cli", Kind: "ucdp-ged", FileName: "ged-nan.csv",
			File: []byte(gedHeader + gedRow("9100002", "48.0", "NaN")), Want: 1, Msgs: []string{"ged-nan.csv:2"}},
		{Name: "events: longitude -Inf", Via: "cli", Kind: "ucdp-ged", FileName: "ged-inf.csv",
			File: []byte(gedHeader + gedRow("9100003", "48.0", "-Inf")), Want: 1, Msgs: []string{"ged-inf.csv:2"}},
		{Name: "events: duplicate ids", Via: "cli", Kind: "ucdp-ged", FileName: "ged-dup.csv",
			File: []byte(gedHeader + gedRow("9100004", "48.0", "37.8") + gedRow("9100004", "48.1", "37.9")), Want: 1, Msgs: []string{"ged-dup.csv:3", "9100004"}},

		// ---- HTTP ----
		{Name: "tile z=30", Via: "http", Method: "GET", Path: "/tiles/countries/30/0/0.mvt", Want: 400, Msgs: []string{"zoom"}},
		{Name: "tile z=31", Via: "http", Method: "GET", Path: "/tiles/countries/31/0/0.mvt", Want: 400, Msgs: []string{"z"}},
		{Name: "tile negative x", Via: "http", Method: "GET", Path: "/tiles/countries/3/-1/0.mvt", Want: 400, Msgs: []string{"x", "-1"}},
		{Name: "tile y past the edge", Via: "http", Method: "GET", Path: "/tiles/countries/3/0/8.mvt", Want: 400, Msgs: []string{"y", "8"}},
		{Name: "tile unknown layer", Via: "http", Method: "GET", Path: "/tiles/weather/1/0/0.mvt", Want: 404, Msgs: []string{"layers", "weather"}},
		{Name: "tile filter with SQL", Via: "http", Method: "GET", Path: "/tiles/flows/1/0/0.mvt?supplier=USA'%20OR%201=1--", Want: 400, Msgs: []string{"supplier"}},
		{Name: "tile unknown parameter", Via: "http", Method: "GET", Path: "/tiles/flows/1/0/0.mvt?colour=red", Want: 400, Msgs: []string{"colour"}},
		{Name: "API filter with SQL", Via: "http", Method: "GET", Path: "/api/transfers?recipient=UKR')%20OR%20('1'='1", Want: 400, Msgs: []string{"recipient"}},
		{Name: "API query with a raw semicolon", Via: "http", Method: "GET", Path: "/api/transfers?recipient=UKR;DELETE%20FROM%20transfers", Want: 400, Msgs: []string{"semicolon"}},
		{Name: "API years out of range", Via: "http", Method: "GET", Path: "/api/flows?years=1066-2020", Want: 400, Msgs: []string{"years", "1066"}},
		{Name: "API limit not a number", Via: "http", Method: "GET", Path: "/api/transfers?limit=ten", Want: 400, Msgs: []string{"limit"}},
		{Name: "API unknown parameter", Via: "http", Method: "GET", Path: "/api/countries?sort=name", Want: 400, Msgs: []string{"sort"}},
		{Name: "POST unknown field", Via: "http", Method: "POST", Path: "/api/transfers", Header: auth, Body: jsonTransfer(`,"colour":"red"`),
			Want: 400, Msgs: []string{"colour"}},
		{Name: "POST duplicate keys", Via: "http", Method: "POST", Path: "/api/transfers", Header: auth,
			Body: "[" + jsonTransfer(`,"key":"dup-1"`) + "," + jsonTransfer(`,"key":"dup-1"`) + "]", Want: 400, Msgs: []string{"transfers[1]", "dup-1"}},
		{Name: "POST the same row twice in one array", Via: "http", Method: "POST", Path: "/api/transfers", Header: auth,
			Body: "[" + jsonTransfer("") + "," + jsonTransfer("") + "]", Want: 400, Msgs: []string{"transfers[1]", "repeats"}},
		{Name: "POST NaN (not JSON)", Via: "http", Method: "POST", Path: "/api/transfers", Header: auth,
			Body: strings.Replace(jsonTransfer(""), "1.5e9", "NaN", 1), Want: 400, Msgs: []string{"invalid JSON at byte"}},
		{Name: "POST value 1e999", Via: "http", Method: "POST", Path: "/api/transfers", Header: auth,
			Body: strings.Replace(jsonTransfer(""), "1.5e9", "1e999", 1), Want: 400, Msgs: []string{"value"}},
		{Name: "POST year out of range", Via: "http", Method: "POST", Path: "/api/transfers", Header: auth,
			Body: strings.Replace(jsonTransfer(""), "2023", "3023", 1), Want: 400, Msgs: []string{"year", "3023"}},
		{Name: "POST an id", Via: "http", Method: "POST", Path: "/api/transfers", Header: auth, Body: jsonTransfer(`,"id":1`),
			Want: 400, Msgs: []string{"id 1"}},
		{Name: "POST truncated JSON", Via: "http", Method: "POST", Path: "/api/transfers", Header: auth, Body: jsonTransfer("")[:40],
			Want: 400, Msgs: []string{"JSON"}},
		{Name: "POST body over the limit", Via: "http", Method: "POST", Path: "/api/transfers", Header: auth,
			Body: "[" + strings.Repeat(jsonTransfer("")+",", 6000) + jsonTransfer("") + "]", Want: 413, Msgs: []string{"limit"}},
		{Name: "POST a 10 MB line as CSV", Via: "http", Method: "POST", Path: "/api/transfers", Header: authCSV,
			Body: TransfersHeader + ten + "\n", Want: 413, Msgs: []string{"limit"}},
		{Name: "POST CSV missing a column", Via: "http", Method: "POST", Path: "/api/transfers", Header: authCSV,
			Body: "key,supplier,recipient,weapon,category,source_publisher,source_title,source_date\nm1,USA,UKR,X,missiles,p,t,2026\n",
			Want: 400, Msgs: []string{"request body", "status"}},
		{Name: "POST CSV with a BOM and a bad row", Via: "http", Method: "POST", Path: "/api/transfers", Header: authCSV,
			Body: "\ufeff" + TransfersHeader + row("hb1") + rowWith("hb2", colValue, "-1"), Want: 400, Msgs: []string{"request body:3", "value"}},
		{Name: "POST XML", Via: "http", Method: "POST", Path: "/api/transfers",
			Header: map[string]string{"Authorization": "Bearer " + Token, "Content-Type": "application/xml"}, Body: "<transfer/>", Want: 415, Msgs: []string{"application/xml"}},
		{Name: "token in the wrong header", Via: "http", Method: "POST", Path: "/api/transfers",
			Header: map[string]string{"X-Api-Key": Token, "Content-Type": "application/json"}, Body: jsonTransfer(""), Want: 401, Msgs: []string{"X-Api-Key"}},
		{Name: "token in the query string", Via: "http", Method: "POST", Path: "/api/transfers?access_token=" + Token,
			Header: map[string]string{"Content-Type": "application/json"}, Body: jsonTransfer(""), Want: 401, Msgs: []string{"access_token"}},
		{Name: "no token", Via: "http", Method: "POST", Path: "/api/transfers", Header: map[string]string{"Content-Type": "application/json"},
			Body: jsonTransfer(""), Want: 401, Msgs: []string{"Authorization: Bearer"}},
		{Name: "wrong token", Via: "http", Method: "DELETE", Path: "/api/transfers/1", Header: map[string]string{"Authorization": "Bearer nope-not-a-token"},
			Want: 401, Msgs: []string{"not a write token"}},
		{Name: "Basic instead of Bearer", Via: "http", Method: "DELETE", Path: "/api/transfers/1", Header: map[string]string{"Authorization": "Basic dXNlcjpwYXNz"},
			Want: 401, Msgs: []string{"Bearer"}},
		{Name: "PUT a negative id", Via: "http", Method: "PUT", Path: "/api/transfers/-4", Header: auth, Body: jsonTransfer(""), Want: 400, Msgs: []string{"-4"}},
		{Name: "PUT an array", Via: "http", Method: "PUT", Path: "/api/transfers/1", Header: auth, Body: "[" + jsonTransfer("") + "]", Want: 400, Msgs: []string{"array"}},
		{Name: "PUT a missing transfer", Via: "http", Method: "PUT", Path: "/api/transfers/999999", Header: auth, Body: jsonTransfer(""), Want: 404, Msgs: []string{"999999"}},
		{Name: "DELETE a non-number id", Via: "http", Method: "DELETE", Path: "/api/transfers/abc", Header: auth, Want: 400, Msgs: []string{"abc"}},
		{Name: "room with an unknown field", Via: "http", Method: "POST", Path: "/api/rooms", Header: auth, Body: `{"state":{},"owner":"me"}`,
			Want: 400, Msgs: []string{"owner"}},
		{Name: "method not allowed", Via: "http", Method: "PATCH", Path: "/api/countries", Want: 405, Msgs: []string{"PATCH"}},

		// ---- WebSocket ----
		{Name: "ws: not JSON", Via: "ws", Send: []string{"hello?"}, Want: "bad_message"},
		{Name: "ws: unknown type", Via: "ws", Send: []string{`{"v":1,"type":"delete_everything"}`}, Want: "unknown_type", Msgs: []string{"delete_everything"}},
		{Name: "ws: protocol version 2", Via: "ws", Send: []string{`{"v":2,"type":"ping"}`}, Want: "unsupported_version"},
		{Name: "ws: unknown channel", Via: "ws", Send: []string{`{"v":1,"type":"subscribe","channel":"secrets"}`}, Want: "unknown_channel", Msgs: []string{"secrets"}},
		{Name: "ws: room that does not exist", Via: "ws", Send: []string{`{"v":1,"type":"subscribe","channel":"room:nosuchroom"}`}, Want: "not_found"},
		{Name: "ws: message over the size limit", Via: "ws", Send: []string{`{"v":1,"type":"ping","id":"` + strings.Repeat("x", 100<<10) + `"}`}, Want: "too_large"},
		{Name: "ws: room state without the token", Via: "ws", Send: []string{`{"v":1,"type":"room.state","channel":"room:nosuchroom","data":{}}`},
			Want: "unauthorized"},
		{Name: "ws: foreign origin", Via: "ws", Origin: "https://evil.example", Want: 403, Msgs: []string{"origin"}},
	}
	for i := range cs {
		if cs[i].Name == "" || cs[i].Want == nil {
			panic(fmt.Sprintf("bad case %d", i))
		}
	}
	return cs
}
