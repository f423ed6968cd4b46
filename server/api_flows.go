package server

import (
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/geo"
	"github.com/paulmach/orb"
)

// flowProps are a flow feature's properties in /api/flows.
type flowProps struct {
	ID            uint64         `json:"id"`
	Rank          int            `json:"rank"` // 1 = largest (see geo's flow ranking)
	Supplier      string         `json:"supplier"`
	SupplierName  string         `json:"supplier_name"`
	SupplierKind  data.ActorKind `json:"supplier_kind"`
	Recipient     string         `json:"recipient"`
	RecipientName string         `json:"recipient_name"`
	RecipientKind data.ActorKind `json:"recipient_kind"`
	From          string         `json:"from"`
	To            string         `json:"to"`
	geo.Totals
	PrimaryValue float64       `json:"primary_value"`
	PrimaryUnit  data.Unit     `json:"primary_unit"`
	TopCategory  data.Category `json:"top_category"`
	TopWeapons   []string      `json:"top_weapons"`
	TransferIDs  []int64       `json:"transfer_ids"`
}

// actorName returns an actor's name and kind, or its ID when unknown.
func actorName(w *geo.World, id string) (string, data.ActorKind) { return w.ActorName(id) }

// apiFlows answers GET /api/flows: the filter's supplier→recipient flows,
// largest first (limit keeps the first n; 0 or absent = all), as a GeoJSON
// FeatureCollection of great-circle arcs (MultiLineString, split at the
// antimeridian; null geometry when an end cannot be placed) or as CSV.
func (s *Server) apiFlows(w http.ResponseWriter, r *http.Request, a *apiRequest) error {
	limit, err := a.intParam("limit", 0, math.MaxInt32)
	if err != nil {
		return err
	}
	if notModified(w, r, a.world.Version) {
		return nil
	}
	flows := a.world.Join(a.filter).Flows
	if limit > 0 && limit < len(flows) {
		flows = flows[:limit]
	}

	if a.csv {
		t := &csvTable{name: "armsflow-flows", header: append(append([]string{"id", "rank", "supplier", "supplier_name",
			"recipient", "recipient_name", "from", "to"}, totalsHeader("")...),
			"primary_unit", "top_category", "top_weapons", "transfer_ids")}
		for i := range flows {
			f := &flows[i]
			sn, _ := actorName(a.world, f.Supplier)
			rn, _ := actorName(a.world, f.Recipient)
			_, pu := f.Primary()
			ids := make([]string, len(f.TransferIDs))
			for k, id := range f.TransferIDs {
				ids[k] = strconv.FormatInt(id, 10)
			}
			row := []string{strconv.FormatUint(f.ID, 10), strconv.Itoa(i + 1), f.Supplier, sn, f.Recipient, rn, f.From, f.To}
			row = append(row, totalsCells(f.Totals)...)
			t.add(append(row, string(pu), string(f.TopCategory), strings.Join(f.TopWeapons, ";"), strings.Join(ids, ";"))...)
		}
		return t.write(w)
	}

	fc := newGeoJSONCollection[flowProps](a, len(flows))
	for i := range flows {
		f := &flows[i]
		p := flowProps{ID: f.ID, Rank: i + 1, Supplier: f.Supplier, Recipient: f.Recipient, From: f.From, To: f.To,
			Totals: f.Totals, TopCategory: f.TopCategory, TopWeapons: f.TopWeapons, TransferIDs: f.TransferIDs}
		p.SupplierName, p.SupplierKind = actorName(a.world, f.Supplier)
		p.RecipientName, p.RecipientKind = actorName(a.world, f.Recipient)
		p.PrimaryValue, p.PrimaryUnit = f.Primary()
		var g orb.Geometry
		if len(f.Arc) > 0 {
			g = f.Arc
		}
		fc.add(f.ID, g, p)
	}
	return writeBody(w, contentGeoJSON, fc)
}
