package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/data/imports"
	"github.com/armsflow/armsflow/geo"
	"github.com/armsflow/armsflow/server/live"
	"github.com/gorilla/mux"
)

// The write API. Every handler here runs behind requireWrite; a write is
// validated like an import, stored in one transaction, then the OnChange
// hooks run (afterWrite) and the change goes out on the live channel.

// writeResult answers POST /api/transfers.
type writeResult struct {
	DryRun    bool          `json:"dry_run,omitempty"`
	Transfers []transferRow `json:"transfers"` // as stored, in the order given
	Change    data.Change   `json:"change"`
}

// transferResult answers PUT and DELETE /api/transfers/{id}.
type transferResult struct {
	Transfer transferRow `json:"transfer"`
	Change   data.Change `json:"change"`
}

// postTransfers adds or updates transfers: a JSON object or array of
// transfers (the fields of /api/transfers' rows, without id), or
// armsflow's generic transfers CSV (Content-Type text/csv). A transfer
// whose key is already stored is updated in place; without a key it gets
// one made from its fields, so posting the same row twice stores it once.
// ?dry_run=true checks and reports without storing.
func (s *Server) postTransfers(w http.ResponseWriter, r *http.Request) error {
	if err := onlyParams(r, "dry_run"); err != nil {
		return err
	}
	dry, err := boolParam(r, "dry_run")
	if err != nil {
		return err
	}
	body, err := s.readBody(w, r)
	if err != nil {
		return err
	}
	b, single, err := decodeTransfers(r.Header.Get("Content-Type"), body)
	if err != nil {
		return err
	}
	world, err := s.currentWorld(r.Context())
	if err != nil {
		return err
	}
	label := func(i int) string {
		if single {
			return ""
		}
		return fmt.Sprintf("transfers[%d]: ", i)
	}
	if err := checkTransfers(b, world, label); err != nil {
		return err
	}
	before := byKey(world.Transfers, b.Transfers)
	ch, err := s.store.Apply(r.Context(), b, dry)
	if err != nil {
		return fmt.Errorf("store transfers: %w", err)
	}
	res := writeResult{DryRun: dry, Change: ch, Transfers: make([]transferRow, 0, len(b.Transfers))}
	if dry {
		for _, t := range b.Transfers {
			if old, ok := before[t.Key]; ok {
				t.ID = old.ID
			}
			res.Transfers = append(res.Transfers, s.row(world, t))
		}
		return writeJSON(w, http.StatusOK, res)
	}
	if !ch.Empty() {
		s.afterWrite(ch)
	}
	stored, err := s.storedByKey(r.Context(), b.Transfers)
	if err != nil {
		return err
	}
	var events []rowEvent
	var moved [][2]string
	for _, t := range b.Transfers {
		st, ok := stored[t.Key]
		if !ok {
			return fmt.Errorf("transfer %q not found after storing it", t.Key)
		}
		res.Transfers = append(res.Transfers, s.row(world, st))
		switch old, had := before[t.Key]; {
		case !had:
			events = append(events, rowEvent{live.TypeTransferAdded, st})
		case !sameTransfer(old, st):
			events = append(events, rowEvent{live.TypeTransferUpdated, st})
			moved = append(moved, [2]string{old.Supplier, old.Recipient})
		}
	}
	s.announce(r, ch, events, moved...)
	status := http.StatusOK
	if ch.Inserted["transfers"] > 0 {
		status = http.StatusCreated
	}
	return writeJSON(w, status, res)
}

// putTransfer replaces transfer {id} with the JSON object in the body (its
// key stays unless the body gives one).
func (s *Server) putTransfer(w http.ResponseWriter, r *http.Request) error {
	id, err := transferID(r)
	if err != nil {
		return err
	}
	if err := onlyParams(r); err != nil {
		return err
	}
	body, err := s.readBody(w, r)
	if err != nil {
		return err
	}
	if ct := mediaType(r.Header.Get("Content-Type")); ct != "" && !isJSON(ct) {
		return Errorf(http.StatusUnsupportedMediaType, "Content-Type %q not supported here: send one transfer as application/json", ct)
	}
	if bytes.HasPrefix(bytes.TrimSpace(body), []byte("[")) {
		return Errorf(http.StatusBadRequest, "PUT /api/transfers/%d takes one JSON object, not an array", id)
	}
	b, _, err := decodeTransfers("application/json", body)
	if err != nil {
		return err
	}
	t := &b.Transfers[0]
	if t.ID != 0 && t.ID != id {
		return Errorf(http.StatusBadRequest, "body id %d does not match the path's transfer %d", t.ID, id)
	}
	t.ID = 0
	old, err := s.store.Transfer(r.Context(), id)
	if err != nil {
		return fmt.Errorf("transfer %d: %w", id, err)
	}
	if t.Key == "" {
		t.Key = old.Key
	}
	world, err := s.currentWorld(r.Context())
	if err != nil {
		return err
	}
	if err := checkTransfers(b, world, func(int) string { return "" }); err != nil {
		return err
	}
	t.ID = id
	stored, ch, err := s.store.PutTransfer(r.Context(), *t)
	if err != nil {
		return fmt.Errorf("store transfer %d: %w", id, err)
	}
	if !ch.Empty() {
		s.afterWrite(ch)
		s.announce(r, ch, []rowEvent{{live.TypeTransferUpdated, stored}}, [2]string{old.Supplier, old.Recipient})
	}
	return writeJSON(w, http.StatusOK, transferResult{Transfer: s.row(world, stored), Change: ch})
}

// deleteTransfer deletes transfer {id} and answers with the deleted row.
func (s *Server) deleteTransfer(w http.ResponseWriter, r *http.Request) error {
	id, err := transferID(r)
	if err != nil {
		return err
	}
	if err := onlyParams(r); err != nil {
		return err
	}
	gone, ch, err := s.store.DeleteTransfer(r.Context(), id)
	if err != nil {
		return fmt.Errorf("delete transfer %d: %w", id, err)
	}
	s.afterWrite(ch)
	s.announce(r, ch, []rowEvent{{live.TypeTransferDeleted, gone}})
	world, _ := s.currentWorld(r.Context())
	return writeJSON(w, http.StatusOK, transferResult{Transfer: s.row(world, gone), Change: ch})
}

// readBody reads the whole body up to Config.MaxBodyBytes (413 beyond).
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes))
	if mbe, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return nil, Errorf(http.StatusRequestEntityTooLarge, "request body over the %d-byte limit", mbe.Limit)
	}
	if err != nil {
		return nil, &Error{Status: http.StatusBadRequest, Msg: "read request body", Err: err}
	}
	return b, nil
}

// decodeTransfers reads transfers from a body: JSON (one object or an
// array; unknown fields are errors) or the generic transfers CSV.
func decodeTransfers(contentType string, body []byte) (*data.Batch, bool, error) {
	ct := mediaType(contentType)
	switch {
	case ct == "text/csv":
		b, err := imports.ParseTransfersCSV(bytes.NewReader(body), "request body")
		if err != nil {
			return nil, false, &Error{Status: http.StatusBadRequest, Msg: "transfers CSV", Err: err}
		}
		if len(b.Transfers) == 0 {
			return nil, false, Errorf(http.StatusBadRequest, "transfers CSV: no rows")
		}
		return b, false, nil
	case ct != "" && !isJSON(ct):
		return nil, false, Errorf(http.StatusUnsupportedMediaType, "Content-Type %q not supported: send application/json or text/csv", ct)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	var ts []data.Transfer
	single := false
	switch t := bytes.TrimSpace(body); {
	case len(t) == 0:
		return nil, false, Errorf(http.StatusBadRequest, "empty body: send a transfer (JSON object), an array of them, or a transfers CSV")
	case t[0] == '{':
		var tr data.Transfer
		if err := dec.Decode(&tr); err != nil {
			return nil, false, jsonError("", err)
		}
		ts, single = []data.Transfer{tr}, true
	case t[0] == '[':
		if _, err := dec.Token(); err != nil {
			return nil, false, jsonError("", err)
		}
		for i := 0; dec.More(); i++ {
			var tr data.Transfer
			if err := dec.Decode(&tr); err != nil {
				return nil, false, jsonError(fmt.Sprintf("transfers[%d]: ", i), err)
			}
			ts = append(ts, tr)
		}
		if _, err := dec.Token(); err != nil {
			return nil, false, jsonError("", err)
		}
		if len(ts) == 0 {
			return nil, false, Errorf(http.StatusBadRequest, "empty array: no transfers to store")
		}
	default:
		return nil, false, Errorf(http.StatusBadRequest, "body must be a JSON object or array of transfers")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, false, Errorf(http.StatusBadRequest, "unexpected data after the JSON value")
	}
	return &data.Batch{Transfers: ts}, single, nil
}

func jsonError(prefix string, err error) error {
	msg := strings.TrimPrefix(err.Error(), "json: ")
	if te, ok := errors.AsType[*json.UnmarshalTypeError](err); ok && te.Field != "" {
		msg = fmt.Sprintf("field %q must be a %s, not a JSON %s", te.Field, te.Type, te.Value)
	} else if se, ok := errors.AsType[*json.SyntaxError](err); ok {
		msg = fmt.Sprintf("invalid JSON at byte %d: %s", se.Offset, msg)
	} else if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		msg = "the JSON ends too early"
	}
	return Errorf(http.StatusBadRequest, "%s%s", prefix, msg)
}

// maxProblems caps the problems listed in one 400 answer.
const maxProblems = 50

// checkTransfers normalizes and validates transfers like an import does
// (data.Transfer.Validate), gives keyless ones a key made from their
// fields, and refuses ids, repeated keys and unknown actors. Problems come
// back together as one *data.ValidationError.
func checkTransfers(b *data.Batch, w *geo.World, label func(int) string) error {
	var probs []string
	add := func(i int, msg string) { probs = append(probs, label(i)+msg) }
	inBatch := map[string]bool{}
	for _, a := range b.Actors {
		inBatch[a.ID] = true
	}
	unknown := map[string]bool{}
	seen := map[string]int{}
	for i := range b.Transfers {
		t := &b.Transfers[i]
		if t.ID != 0 {
			add(i, fmt.Sprintf("id %d is assigned by the server: to change transfer %d use PUT /api/transfers/%d", t.ID, t.ID, t.ID))
		}
		normalizeTransfer(t)
		if err := t.Validate(); err != nil {
			add(i, err.Error())
		}
		if t.Key == "" {
			t.Key = transferKey(t)
		}
		if len(t.Key) > 200 {
			add(i, "key is longer than 200 characters")
		}
		if j, dup := seen[t.Key]; dup {
			add(i, fmt.Sprintf("key %q repeats %s", t.Key, strings.TrimSuffix(label(j), ": ")))
		}
		seen[t.Key] = i
		for _, id := range []string{t.Supplier, t.Recipient} {
			if _, ok := w.Actors[id]; id != "" && !ok && w.Country[id] == nil && !inBatch[id] {
				unknown[id] = true
			}
		}
	}
	if len(unknown) > 0 {
		ids := make([]string, 0, len(unknown))
		for id := range unknown {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		probs = append(probs, fmt.Sprintf("unknown actor(s) %s: use an ISO 3166 alpha-3 code or an actor id listed by /api/actors",
			strings.Join(ids, ", ")))
	}
	if len(probs) > maxProblems {
		probs = append(probs[:maxProblems], fmt.Sprintf("and %d more problems", len(probs)-maxProblems))
	}
	if len(probs) > 0 {
		return &data.ValidationError{Problems: probs}
	}
	return nil
}

// normalizeTransfer trims and cases the coded fields as imports store them.
func normalizeTransfer(t *data.Transfer) {
	t.Key = strings.TrimSpace(t.Key)
	t.Supplier = strings.ToUpper(strings.TrimSpace(t.Supplier))
	t.Recipient = strings.ToUpper(strings.TrimSpace(t.Recipient))
	t.Weapon = strings.TrimSpace(t.Weapon)
	if c, err := data.ParseCategory(string(t.Category)); err == nil {
		t.Category = c
	}
	if st, err := data.ParseStatus(string(t.Status)); err == nil {
		t.Status = st
	}
	if u, err := data.ParseUnit(string(t.Unit)); err == nil {
		t.Unit = u
	}
}

// transferKey is the key of a transfer posted without one: "api:" and a
// hash of its fields, so the same row posted twice is stored once.
func transferKey(t *data.Transfer) string {
	c := *t
	c.ID, c.Key = 0, ""
	b, _ := json.Marshal(c) // a Transfer always marshals
	sum := sha256.Sum256(b)
	return "api:" + hex.EncodeToString(sum[:8])
}

// sameTransfer compares two transfers as the API shows them.
func sameTransfer(a, b data.Transfer) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb)
}

// byKey returns the transfers of all whose key is among those of want.
func byKey(all, want []data.Transfer) map[string]data.Transfer {
	keys := make(map[string]bool, len(want))
	for _, t := range want {
		keys[t.Key] = true
	}
	out := make(map[string]data.Transfer, len(want))
	for _, t := range all {
		if keys[t.Key] {
			out[t.Key] = t
		}
	}
	return out
}

// storedByKey reads back, from the store, the transfers with the keys of
// want (one query over their suppliers and recipients).
func (s *Server) storedByKey(ctx context.Context, want []data.Transfer) (map[string]data.Transfer, error) {
	var f data.Filter
	for _, t := range want {
		f.Suppliers = append(f.Suppliers, t.Supplier)
		f.Recipients = append(f.Recipients, t.Recipient)
	}
	slices.Sort(f.Suppliers)
	slices.Sort(f.Recipients)
	f.Suppliers, f.Recipients = slices.Compact(f.Suppliers), slices.Compact(f.Recipients)
	all, err := s.store.Transfers(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("read back stored transfers: %w", err)
	}
	return byKey(all, want), nil
}

// row is a transfer with its parties' names (ids when the world is nil).
func (s *Server) row(w *geo.World, t data.Transfer) transferRow {
	r := transferRow{Transfer: t, SupplierName: t.Supplier, RecipientName: t.Recipient}
	if w != nil {
		r.SupplierName, _ = actorName(w, t.Supplier)
		r.RecipientName, _ = actorName(w, t.Recipient)
	}
	return r
}

func (s *Server) currentWorld(ctx context.Context) (*geo.World, error) {
	if s.world == nil || s.store == nil {
		return nil, Errorf(http.StatusServiceUnavailable, "this server has no data store to write to")
	}
	w, err := s.world.World(ctx)
	if err != nil {
		return nil, fmt.Errorf("load data: %w", err)
	}
	return w, nil
}

func transferID(r *http.Request) (int64, error) {
	v := mux.Vars(r)["id"]
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, Errorf(http.StatusBadRequest, "transfer id %q is not a positive whole number", v)
	}
	return id, nil
}

// onlyParams refuses query parameters other than allowed, naming the first.
func onlyParams(r *http.Request, allowed ...string) error {
	for p := range r.URL.Query() {
		if !slices.Contains(allowed, p) {
			return paramError(p, r.URL.Query().Get(p), "unknown parameter here")
		}
	}
	return nil
}

func boolParam(r *http.Request, name string) (bool, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, paramError(name, v, "want true or false")
	}
	return b, nil
}

func mediaType(ct string) string {
	if ct == "" {
		return ""
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return strings.ToLower(strings.TrimSpace(ct))
	}
	return mt
}

func isJSON(mt string) bool { return mt == "application/json" || strings.HasSuffix(mt, "+json") }
