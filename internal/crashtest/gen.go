// Package crashtest holds armsflow's crash-safety tests: the real binary
// SIGKILLed in the middle of `armsflow import` and of an API write, then
// the database opened again (it must be intact and hold all or none of the
// write), and a SIGTERM with requests and WebSockets in flight (requests
// finish, sockets get close code 1001). This file generates the large
// transfers CSV they write.
package crashtest

import (
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/data/imports"
)

// WriteTransfersCSV writes n generated transfers in armsflow's transfers CSV
// with keys prefix-0 .. prefix-(n-1). Parties are state actors of the alias
// table, named by id or by their display name in turn, so the importer's
// name resolution runs as on real files. Every row says it is generated
// (source title "Generated row for a crash test (not real data)").
func WriteTransfersCSV(w io.Writer, n int, prefix string, seed uint64) error {
	actors, err := imports.KnownActors()
	if err != nil {
		return err
	}
	var states []data.Actor
	for _, a := range actors {
		if a.Kind == data.ActorState {
			states = append(states, a)
		}
	}
	if len(states) < 2 {
		return fmt.Errorf("alias table has %d states", len(states))
	}
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	cw := csv.NewWriter(w)
	if err := cw.Write(imports.TransfersHeader()); err != nil {
		return err
	}
	statuses := []string{"ordered", "delivered", "notified"}
	for i := range n {
		s := states[rng.IntN(len(states))]
		r := states[rng.IntN(len(states))]
		for r.ID == s.ID {
			r = states[rng.IntN(len(states))]
		}
		sup, rec := s.ID, r.ID
		if i%2 == 1 {
			sup, rec = s.Name, r.Name
		}
		year := 1950 + rng.IntN(76)
		cat := data.Categories[rng.IntN(len(data.Categories))]
		row := map[string]string{
			"key": prefix + "-" + strconv.Itoa(i), "supplier": sup, "recipient": rec,
			"weapon": fmt.Sprintf("Test system %d", rng.IntN(5000)), "category": string(cat),
			"order_year": strconv.Itoa(year), "delivery_years": strconv.Itoa(min(year+1+rng.IntN(3), 2026)),
			"quantity": strconv.Itoa(1 + rng.IntN(200)), "value": strconv.Itoa(1 + rng.IntN(900)), "unit": "TIV",
			"status": statuses[rng.IntN(len(statuses))], "source_publisher": "armsflow tests",
			"source_title": "Generated row for a crash test (not real data)", "source_date": "2026",
		}
		rec2 := make([]string, 0, len(imports.TransfersHeader()))
		for _, col := range imports.TransfersHeader() {
			rec2 = append(rec2, row[col])
		}
		if err := cw.Write(rec2); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
