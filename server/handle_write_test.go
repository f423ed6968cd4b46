package server_test

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/data/sqlite"
	"github.com/armsflow/armsflow/geo/geotest"
	"github.com/armsflow/armsflow/server"
	"github.com/armsflow/armsflow/server/live"
)

type writeAnswer struct {
	DryRun    bool            `json:"dry_run"`
	Transfers []data.Transfer `json:"transfers"`
	Change    data.Change     `json:"change"`
}

type oneAnswer struct {
	Transfer data.Transfer `json:"transfer"`
	Change   data.Change   `json:"change"`
}

func TestPostTransferGoesLive(t *testing.T) {
	ls := newLiveServer(t, liveSetup{cfg: server.Config{WriteTokens: []string{"other-token-xxxxxxxx", writeToken}}})
	c := ls.watch(t)

	var got writeAnswer
	ls.write(t, "POST", "/api/transfers", newTransferJSON("NASAMS"), http.StatusCreated, &got)
	if len(got.Transfers) != 1 || got.Transfers[0].ID != 13 || !strings.HasPrefix(got.Transfers[0].Key, "api:") ||
		got.Change.Inserted["transfers"] != 1 || got.Change.Version != 2 {
		t.Fatalf("answer %+v", got)
	}
	if ls.hooks() != 1 {
		t.Fatalf("OnChange ran %d times, want 1", ls.hooks())
	}
	ev := expectTransfer(t, c, live.TypeTransferAdded)
	if ev.Version != 2 || ev.Transfer.ID != 13 || ev.Transfer.Weapon != "NASAMS" || ev.Transfer.RecipientName != "Ukraine" {
		t.Fatalf("event %+v", ev)
	}
	// The fixture has 3 USA→UKR transfers (1, 2, 10): now 4.
	if f := ev.Flow; f == nil || f.Supplier != "USA" || f.Recipient != "UKR" || f.Deals != 4 || !slices.Contains(f.TransferIDs, 13) || f.Rank < 1 {
		t.Fatalf("flow %+v", ev.Flow)
	}
	te := expectTiles(t, c)
	if te.Version != 2 || !slices.Contains(te.Layers, "flows") || !slices.Equal(te.Countries, []string{"UKR", "USA"}) || te.Bounds == nil {
		t.Fatalf("tiles.invalidated %+v", te)
	}
	// USA is (-100,30)-(-90,40), UKR (30,46)-(36,50); the arc between
	// them bulges north of both.
	if b := *te.Bounds; b[0] > -100 || b[1] > 30 || b[2] < 36 || b[3] < 50 {
		t.Fatalf("bounds %v do not cover USA and UKR", b)
	}

	// The same row again: stored once, nothing announced.
	var again writeAnswer
	ls.write(t, "POST", "/api/transfers", newTransferJSON("NASAMS"), http.StatusOK, &again)
	if !again.Change.Empty() || again.Change.Unchanged["transfers"] != 1 || again.Transfers[0].ID != 13 {
		t.Fatalf("re-post %+v", again)
	}
	c.Alive()
	if ls.hooks() != 1 {
		t.Fatalf("OnChange ran for a write that changed nothing")
	}
	all, _ := ls.store.Transfers(t.Context(), data.Filter{})
	if len(all) != 13 {
		t.Fatalf("%d transfers stored, want 13", len(all))
	}
}

func TestPostTransfersArrayAddsAndUpdates(t *testing.T) {
	ls := newLiveServer(t, liveSetup{cfg: server.Config{WriteTokens: []string{writeToken}}})
	c := ls.watch(t)
	// fix:3 (GBR→UKR Challenger 2, 14) gets a new quantity; one row is new.
	updated := `{"key":"fix:3","supplier":"gbr","recipient":"UKR","weapon":"Challenger 2","category":"Armoured-Vehicles",
		"order_year":2023,"delivery_years":[2023],"quantity":28,"value":300e6,"unit":"eur","status":"delivered",
		"source":{"publisher":"armsflow test fixture","title":"Invented rows, set C (not real data)","date":"2026-02-03"}}`
	var got writeAnswer
	ls.write(t, "POST", "/api/transfers", "["+updated+","+newTransferJSON("IRIS-T")+"]", http.StatusCreated, &got)
	if len(got.Transfers) != 2 || got.Transfers[0].ID != 3 || *got.Transfers[0].Quantity != 28 ||
		got.Transfers[0].Category != data.CatArmoured || got.Transfers[0].Supplier != "GBR" || got.Transfers[1].ID != 13 {
		t.Fatalf("answer %+v", got.Transfers)
	}
	if ev := expectTransfer(t, c, live.TypeTransferUpdated); ev.Transfer.ID != 3 || ev.Flow == nil || ev.Flow.Deals != 1 {
		t.Fatalf("updated event %+v", ev)
	}
	if ev := expectTransfer(t, c, live.TypeTransferAdded); ev.Transfer.ID != 13 {
		t.Fatalf("added event %+v", ev)
	}
	expectTiles(t, c)
	c.Alive()
}

func TestPostTransfersCSV(t *testing.T) {
	ls := newLiveServer(t, liveSetup{cfg: server.Config{WriteTokens: []string{writeToken}}})
	c := ls.watch(t)
	csv := "supplier,recipient,weapon,category,order_year,quantity,status,source_publisher,source_title,source_date\n" +
		"United States,Ukraine,HIMARS,artillery,2022,20,delivered,armsflow test,Invented row (not real data),2026\n" +
		"France,Ukraine,,other,2023,,ordered,armsflow test,Invented row (not real data),2026\n"
	status, _, b := ls.do(t, "POST", "/api/transfers", csv, "Authorization: Bearer "+writeToken, "Content-Type: text/csv; charset=utf-8")
	if status != http.StatusBadRequest || !strings.Contains(decodeError(t, b).Error, "weapon") {
		t.Fatalf("CSV row without weapon or description: %d %s", status, b)
	}
	c.Alive()
	csv = strings.Replace(csv, "Ukraine,,other", "Ukraine,Mistral,missiles", 1)
	status, _, b = ls.do(t, "POST", "/api/transfers", csv, "Authorization: Bearer "+writeToken, "Content-Type: text/csv")
	if status != http.StatusCreated {
		t.Fatalf("CSV: %d %s", status, b)
	}
	for _, want := range []string{"HIMARS", "Mistral"} {
		if ev := expectTransfer(t, c, live.TypeTransferAdded); ev.Transfer.Weapon != want || !strings.HasPrefix(ev.Transfer.Key, "csv:") {
			t.Fatalf("event %+v, want %s", ev.Transfer, want)
		}
	}
	expectTiles(t, c)
}

func TestPostTransfersRefusedStoresNothing(t *testing.T) {
	ls := newLiveServer(t, liveSetup{cfg: server.Config{WriteTokens: []string{writeToken}, MaxBodyBytes: 4096}})
	c := ls.watch(t)
	good := newTransferJSON("NASAMS")
	auth := "Authorization: Bearer " + writeToken
	for _, tc := range []struct {
		name, path, body, ctype string
		status                  int
		want                    string // in the error message (or the param)
	}{
		{"no source", "/api/transfers", strings.Replace(good, `"publisher":"armsflow test",`, "", 1), "", 400, "source citation needs publisher, title and date"},
		{"unknown actors", "/api/transfers", strings.Replace(strings.Replace(good, `"USA"`, `"XAA"`, 1), `"UKR"`, `"XBB"`, 1), "", 400, "unknown actor(s) XAA, XBB"},
		{"labelled", "/api/transfers", "[" + good + `,{"supplier":"USA"}]`, "", 400, "transfers[1]: recipient is empty"},
		{"unknown field", "/api/transfers", strings.Replace(good, `"weapon"`, `"weapn"`, 1), "", 400, `unknown field "weapn"`},
		{"field type", "/api/transfers", strings.Replace(good, `"quantity":2`, `"quantity":"two"`, 1), "", 400, `"quantity"`},
		{"bad json", "/api/transfers", `{"supplier":`, "", 400, "JSON"},
		{"trailing", "/api/transfers", good + "{}", "", 400, "after the JSON"},
		{"id given", "/api/transfers", strings.Replace(good, `{"supplier"`, `{"id":2,"supplier"`, 1), "", 400, "PUT /api/transfers/2"},
		{"repeated key", "/api/transfers", "[" + good + "," + good + "]", "", 400, "repeats transfers[0]"},
		{"empty array", "/api/transfers", "[]", "", 400, "no transfers"},
		{"empty", "/api/transfers", "", "", 400, "empty body"},
		{"scalar", "/api/transfers", "42", "", 400, "JSON object or array"},
		{"media type", "/api/transfers", good, "application/xml", 415, "application/xml"},
		{"too large", "/api/transfers", "[" + strings.Repeat(good+",", 20) + good + "]", "", 413, "4096-byte limit"},
		{"unknown param", "/api/transfers?force=1", good, "", 400, "force"},
		{"bad dry_run", "/api/transfers?dry_run=maybe", good, "", 400, "dry_run"},
		{"bad csv", "/api/transfers", "supplier,recipient\nUSA,UKR\n", "text/csv", 400, "missing required column"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ct := "Content-Type: application/json"
			if tc.ctype != "" {
				ct = "Content-Type: " + tc.ctype
			}
			status, _, b := ls.do(t, "POST", tc.path, tc.body, auth, ct)
			e := decodeError(t, b)
			if status != tc.status || !strings.Contains(e.Error+" "+e.Param, tc.want) {
				t.Fatalf("%d %q, want %d with %q", status, e.Error, tc.status, tc.want)
			}
		})
	}
	c.T = t
	c.Alive() // nothing broadcast
	if v, _ := ls.store.Version(t.Context()); v != 1 || ls.store.Calls("Apply") != 1 || ls.hooks() != 0 {
		t.Fatalf("version %d, Apply calls %d, hooks %d: something was written", v, ls.store.Calls("Apply"), ls.hooks())
	}

	// dry_run checks and reports, stores nothing.
	var got writeAnswer
	status, _, b := ls.do(t, "POST", "/api/transfers?dry_run=true", good, auth)
	if jsonInto(t, b, &got); status != 200 || !got.DryRun || got.Change.Inserted["transfers"] != 1 {
		t.Fatalf("dry run: %d %s", status, b)
	}
	c.Alive()
	if v, _ := ls.store.Version(t.Context()); v != 1 {
		t.Fatalf("dry run wrote: version %d", v)
	}
}

func TestPutAndDeleteTransferGoLive(t *testing.T) {
	ls := newLiveServer(t, liveSetup{cfg: server.Config{WriteTokens: []string{writeToken}}})
	c := ls.watch(t)

	// Transfer 3 is the only GBR→UKR one; move it to FRA→UKR.
	body := strings.NewReplacer(`"USA"`, `"FRA"`, `"NASAMS"`, `"Leclerc"`, `"air-defence"`, `"armoured-vehicles"`).Replace(newTransferJSON("NASAMS"))
	var got oneAnswer
	ls.write(t, "PUT", "/api/transfers/3", body, http.StatusOK, &got)
	if got.Transfer.ID != 3 || got.Transfer.Key != "fix:3" || got.Transfer.Supplier != "FRA" || got.Change.Updated["transfers"] != 1 {
		t.Fatalf("put answer %+v", got)
	}
	ev := expectTransfer(t, c, live.TypeTransferUpdated)
	if ev.Transfer.ID != 3 || ev.Flow == nil || ev.Flow.Supplier != "FRA" || ev.Flow.Deals != 2 { // with T12 CAESAR
		t.Fatalf("updated event %+v flow %+v", ev.Transfer, ev.Flow)
	}
	te := expectTiles(t, c)
	if !slices.Contains(te.Countries, "GBR") || !slices.Contains(te.Countries, "FRA") {
		t.Fatalf("tiles.invalidated countries %v: the old supplier GBR and the new FRA both change", te.Countries)
	}
	if b := *te.Bounds; b[0] > -3 || b[3] < 53 { // GBR (-3,51)-(-1,53) is in the box
		t.Fatalf("bounds %v miss GBR", b)
	}

	// Deleting the last USA→ISR transfer (11) leaves no flow.
	ls.write(t, "DELETE", "/api/transfers/11", "", http.StatusOK, &got)
	if got.Transfer.ID != 11 || got.Change.Deleted["transfers"] != 1 {
		t.Fatalf("delete answer %+v", got)
	}
	if ev := expectTransfer(t, c, live.TypeTransferDeleted); ev.Transfer.ID != 11 || ev.Flow != nil {
		t.Fatalf("deleted event %+v flow %+v", ev.Transfer, ev.Flow)
	}
	expectTiles(t, c)

	for _, tc := range []struct {
		method, path, body string
		status             int
		want               string
	}{
		{"DELETE", "/api/transfers/11", "", 404, "not found"},
		{"PUT", "/api/transfers/99", body, 404, "not found"},
		{"PUT", "/api/transfers/abc", body, 400, "positive whole number"},
		{"PUT", "/api/transfers/0", body, 400, "positive whole number"},
		{"PUT", "/api/transfers/3", strings.Replace(body, `{"supplier"`, `{"id":4,"supplier"`, 1), 400, "does not match"},
		{"PUT", "/api/transfers/3", "[" + body + "]", 400, "not an array"},
		{"PUT", "/api/transfers/3", strings.Replace(body, `"ordered"`, `"shipped"`, 1), 400, `unknown status "shipped"`},
	} {
		status, _, b := ls.do(t, tc.method, tc.path, tc.body, "Authorization: Bearer "+writeToken)
		if e := decodeError(t, b); status != tc.status || !strings.Contains(e.Error, tc.want) {
			t.Errorf("%s %s: %d %q, want %d with %q", tc.method, tc.path, status, e.Error, tc.status, tc.want)
		}
	}
	c.Alive()
}

func TestBulkWriteIsOneEvent(t *testing.T) {
	ls := newLiveServer(t, liveSetup{cfg: server.Config{WriteTokens: []string{writeToken}}})
	c := ls.watch(t)
	rows := make([]string, 40)
	for i := range rows {
		rows[i] = newTransferJSON(fmt.Sprintf("Bulk-%d", i))
	}
	var got writeAnswer
	ls.write(t, "POST", "/api/transfers", "["+strings.Join(rows, ",")+"]", http.StatusCreated, &got)
	if len(got.Transfers) != 40 || got.Change.Inserted["transfers"] != 40 {
		t.Fatalf("answer: %d rows, change %+v", len(got.Transfers), got.Change)
	}
	var ev struct {
		Version int64       `json:"version"`
		Change  data.Change `json:"change"`
	}
	jsonInto(t, c.Expect(live.TypeDataChanged).Data, &ev)
	if ev.Version != 2 || ev.Change.Inserted["transfers"] != 40 {
		t.Fatalf("data.changed %+v", ev)
	}
	expectTiles(t, c)
	c.Alive()
}

// FuzzPostTransfers posts arbitrary bodies as JSON and as CSV: the answer
// is 200, 201, 400, 413 or 415 with a JSON body, never a 500 or a panic,
// and every row stored passes validation.
func FuzzPostTransfers(f *testing.F) {
	for _, seed := range []string{
		newTransferJSON("NASAMS"), "[" + newTransferJSON("A") + "," + newTransferJSON("B") + "]", `{"supplier":"USA"}`,
		`[{"id":1}]`, `{"quantity":-1}`, `[[[[`, `{"value":1e400}`, "", "null", `{"source":{"date":2026}}`,
		"supplier,recipient,weapon,category,status,source_publisher,source_title,source_date\nUSA,UKR,X,other,ordered,P,T,2026\n",
		"key,supplier\n\"unterminated,UKR\n",
	} {
		f.Add(seed, false)
		f.Add(seed, true)
	}
	st := geotest.NewStoreWith(geotest.Fixture())
	srv := server.New(server.Config{WriteTokens: []string{writeToken}, MaxBodyBytes: 64 << 10},
		server.Deps{Store: st, Logger: slog.New(slog.DiscardHandler)})
	f.Fuzz(func(t *testing.T, body string, csv bool) {
		req := httptest.NewRequest(http.MethodPost, "http://example.test/api/transfers", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+writeToken)
		if csv {
			req.Header.Set("Content-Type", "text/csv")
		}
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK, http.StatusCreated:
			var got writeAnswer
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatalf("answer %q: %v", rec.Body.String(), err)
			}
			for _, tr := range got.Transfers {
				if err := tr.Validate(); err != nil || tr.ID == 0 {
					t.Fatalf("stored an invalid transfer %+v: %v", tr, err)
				}
			}
		case http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType:
			if !json.Valid(rec.Body.Bytes()) {
				t.Fatalf("answer is not JSON: %q", rec.Body.String())
			}
		default:
			t.Fatalf("status %d: %s", rec.Code, rec.Body.String())
		}
	})
}

// TestWritesOnSQLite runs the write API against the real store: keys,
// actor references and read-back work the same there.
func TestWritesOnSQLite(t *testing.T) {
	ctx := t.Context()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "armsflow.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Apply(ctx, geotest.Fixture(), false); err != nil {
		t.Fatal(err)
	}
	ls := newLiveServer(t, liveSetup{cfg: server.Config{WriteTokens: []string{writeToken}}, db: db})
	c := ls.watch(t)

	var got writeAnswer
	ls.write(t, "POST", "/api/transfers", "["+newTransferJSON("NASAMS")+","+newTransferJSON("IRIS-T")+"]", http.StatusCreated, &got)
	if len(got.Transfers) != 2 || got.Transfers[0].ID == 0 || got.Transfers[1].ID == got.Transfers[0].ID {
		t.Fatalf("answer %+v", got.Transfers)
	}
	for range 2 {
		if ev := expectTransfer(t, c, live.TypeTransferAdded); ev.Flow == nil || ev.Flow.Deals != 5 {
			t.Fatalf("event %+v flow %+v", ev.Transfer, ev.Flow)
		}
	}
	expectTiles(t, c)

	csv := "supplier,recipient,weapon,category,status,source_publisher,source_title,source_date\n" +
		"United Kingdom,Ukraine,Storm Shadow,missiles,delivered,armsflow test,Invented row (not real data),2026\n"
	if status, _, b := ls.do(t, "POST", "/api/transfers", csv, "Authorization: Bearer "+writeToken, "Content-Type: text/csv"); status != http.StatusCreated {
		t.Fatalf("CSV: %d %s", status, b)
	}
	expectTransfer(t, c, live.TypeTransferAdded)
	expectTiles(t, c)

	id := got.Transfers[0].ID
	body := strings.Replace(newTransferJSON("NASAMS"), `"quantity":2`, `"quantity":3`, 1)
	var one oneAnswer
	ls.write(t, "PUT", fmt.Sprintf("/api/transfers/%d", id), body, http.StatusOK, &one)
	if one.Transfer.ID != id || *one.Transfer.Quantity != 3 || one.Transfer.Key != got.Transfers[0].Key {
		t.Fatalf("put %+v", one.Transfer)
	}
	expectTransfer(t, c, live.TypeTransferUpdated)
	expectTiles(t, c)
	ls.write(t, "DELETE", fmt.Sprintf("/api/transfers/%d", id), "", http.StatusOK, &one)
	expectTransfer(t, c, live.TypeTransferDeleted)
	expectTiles(t, c)

	// An unknown actor is refused before the store is asked.
	status, _, b := ls.do(t, "POST", "/api/transfers", strings.Replace(newTransferJSON("X"), `"UKR"`, `"XYZ"`, 1),
		"Authorization: Bearer "+writeToken)
	if status != 400 || !strings.Contains(decodeError(t, b).Error, "XYZ") {
		t.Fatalf("unknown actor: %d %s", status, b)
	}
	c.Alive()
}
