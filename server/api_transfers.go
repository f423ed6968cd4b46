package server

import (
	"math"
	"net/http"
	"strconv"

	"github.com/armsflow/armsflow/data"
)

// DefaultTransfersLimit and MaxTransfersLimit bound a JSON page of
// /api/transfers (CSV has no default limit).
const (
	DefaultTransfersLimit = 100
	MaxTransfersLimit     = 10000
)

// transferRow is a transfer with its parties' names.
type transferRow struct {
	data.Transfer
	SupplierName  string `json:"supplier_name"`
	RecipientName string `json:"recipient_name"`
}

// transfersPage is the JSON answer of /api/transfers.
type transfersPage struct {
	Version   int64         `json:"version"`
	Filter    string        `json:"filter"`
	Total     int           `json:"total"` // transfers matching the filter
	Limit     int           `json:"limit"`
	Offset    int           `json:"offset"`
	Transfers []transferRow `json:"transfers"` // ordered by ID
}

// apiTransfers answers GET /api/transfers: the transfers matching the
// filter, ordered by ID, a page at a time (limit, offset) with the total
// count, as JSON or CSV.
func (s *Server) apiTransfers(w http.ResponseWriter, r *http.Request, a *apiRequest) error {
	def, max := DefaultTransfersLimit, MaxTransfersLimit
	if a.csv {
		def, max = math.MaxInt32, math.MaxInt32
	}
	limit, err := a.intParam("limit", def, max)
	if err != nil {
		return err
	}
	offset, err := a.intParam("offset", 0, math.MaxInt32)
	if err != nil {
		return err
	}
	if notModified(w, r, a.world.Version) {
		return nil
	}
	page := transfersPage{Version: a.world.Version, Filter: a.filter.Canonical(), Limit: limit, Offset: offset,
		Transfers: []transferRow{}}
	for i := range a.world.Transfers {
		t := &a.world.Transfers[i]
		if !a.filter.Match(t) {
			continue
		}
		if page.Total >= offset && len(page.Transfers) < limit {
			row := transferRow{Transfer: *t}
			row.SupplierName, _ = actorName(a.world, t.Supplier)
			row.RecipientName, _ = actorName(a.world, t.Recipient)
			page.Transfers = append(page.Transfers, row)
		}
		page.Total++
	}
	w.Header().Set("X-Total-Count", strconv.Itoa(page.Total))

	if a.csv {
		t := &csvTable{name: "armsflow-transfers", header: append([]string{"id", "key", "supplier", "supplier_name",
			"recipient", "recipient_name", "weapon", "description", "category", "source_category", "order_year",
			"delivery_years", "quantity", "value", "unit", "status", "notes"}, sourceHeader()...)}
		for _, row := range page.Transfers {
			tr := &row.Transfer
			t.add(append([]string{strconv.FormatInt(tr.ID, 10), tr.Key, tr.Supplier, row.SupplierName, tr.Recipient,
				row.RecipientName, tr.Weapon, tr.Description, string(tr.Category), tr.SourceCategory, optYear(tr.OrderYear),
				joinInts(tr.DeliveryYears), optInt(tr.Quantity), optFloat(tr.Value), string(tr.Unit), string(tr.Status),
				tr.Notes}, sourceCells(tr.Source)...)...)
		}
		return t.write(w)
	}
	return writeBody(w, contentJSON, page)
}
