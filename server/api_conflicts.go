package server

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/geo"
)

// conflictsPage is the JSON answer of /api/conflicts.
type conflictsPage struct {
	Version   int64           `json:"version"`
	Filter    string          `json:"filter"`
	Count     int             `json:"count"`
	Conflicts []data.Conflict `json:"conflicts"` // by ID
}

// apiConflicts answers GET /api/conflicts: the conflicts active in the
// filter's year window (other filter parts do not apply to conflicts),
// optionally only those fought in country=ISO3, as JSON or CSV.
func (s *Server) apiConflicts(w http.ResponseWriter, r *http.Request, a *apiRequest) error {
	country := strings.ToUpper(strings.TrimSpace(a.query.Get("country")))
	if country != "" {
		if _, ok := a.world.Country[country]; !ok {
			return paramError("country", a.query.Get("country"), "not a known country (ISO 3166 alpha-3)")
		}
	}
	if notModified(w, r, a.world.Version) {
		return nil
	}
	page := conflictsPage{Version: a.world.Version, Filter: a.filter.Canonical(), Conflicts: []data.Conflict{}}
	for i := range a.world.Conflicts {
		c := &a.world.Conflicts[i]
		if c.ActiveIn(a.filter.YearFrom, a.filter.YearTo) && (country == "" || slices.Contains(c.Countries, country)) {
			page.Conflicts = append(page.Conflicts, *c)
		}
	}
	page.Count = len(page.Conflicts)

	if a.csv {
		t := &csvTable{name: "armsflow-conflicts", header: append([]string{"id", "name", "type", "start_year", "end_year",
			"intensity", "years", "countries", "parties"}, sourceHeader()...)}
		for _, c := range page.Conflicts {
			years := make([]int, 0, len(c.Years))
			for y := range c.Years {
				years = append(years, y)
			}
			slices.Sort(years)
			t.add(append([]string{c.ID, c.Name, string(c.Type), optYear(c.StartYear), optYear(c.EndYear),
				strconv.Itoa(c.Intensity), joinInts(years), strings.Join(c.Countries, ";"), strings.Join(c.Parties, ";")},
				sourceCells(c.Source)...)...)
		}
		return t.write(w)
	}
	return writeBody(w, contentJSON, page)
}

// actorRow is an actor with where it is drawn and its transfer totals for
// the filter (as supplier: exports; as recipient: imports), counted for
// every actor, non-state ones included.
type actorRow struct {
	data.Actor
	Anchor  string     `json:"anchor"` // ISO3 of the country it is drawn at; "" if it cannot be placed
	Exports geo.Totals `json:"exports"`
	Imports geo.Totals `json:"imports"`
}

// actorsPage is the JSON answer of /api/actors.
type actorsPage struct {
	Version int64      `json:"version"`
	Filter  string     `json:"filter"`
	Count   int        `json:"count"`
	Actors  []actorRow `json:"actors"` // by ID
}

// apiActors answers GET /api/actors: every actor (kind= narrows to state,
// former or non-state) with its totals for the filter. With a filter, only
// actors party to a matching transfer are listed.
func (s *Server) apiActors(w http.ResponseWriter, r *http.Request, a *apiRequest) error {
	var kinds []data.ActorKind
	for _, v := range strings.Split(a.query.Get("kind"), ",") {
		switch k := data.ActorKind(strings.ToLower(strings.TrimSpace(v))); k {
		case "":
		case data.ActorState, data.ActorFormer, data.ActorNonState:
			kinds = append(kinds, k)
		default:
			return paramError("kind", v, "want state, former or non-state")
		}
	}
	if notModified(w, r, a.world.Version) {
		return nil
	}
	rows := map[string]*actorRow{}
	row := func(id string) *actorRow {
		if ar := rows[id]; ar != nil {
			return ar
		}
		ar := &actorRow{Actor: data.Actor{ID: id, Name: id}}
		if act, ok := a.world.Actors[id]; ok {
			ar.Actor = act
		}
		ar.Anchor, _ = a.world.AnchorOf(id)
		ar.Exports, ar.Imports = geo.NewTotals(), geo.NewTotals()
		rows[id] = ar
		return ar
	}
	for _, f := range a.world.Join(a.filter).Flows {
		row(f.Supplier).Exports.Add(f.Totals)
		row(f.Recipient).Imports.Add(f.Totals)
	}
	if a.filter.IsZero() {
		for id := range a.world.Actors {
			row(id)
		}
	}
	page := actorsPage{Version: a.world.Version, Filter: a.filter.Canonical(), Actors: []actorRow{}}
	for _, ar := range rows {
		if len(kinds) == 0 || slices.Contains(kinds, ar.Kind) {
			page.Actors = append(page.Actors, *ar)
		}
	}
	slices.SortFunc(page.Actors, func(x, y actorRow) int { return cmp.Compare(x.ID, y.ID) })
	page.Count = len(page.Actors)

	if a.csv {
		t := &csvTable{name: "armsflow-actors", header: append(append([]string{"id", "name", "kind", "country", "anchor"},
			totalsHeader("exports_")...), totalsHeader("imports_")...)}
		for _, ar := range page.Actors {
			t.add(append(append([]string{ar.ID, ar.Name, string(ar.Kind), ar.Country, ar.Anchor},
				totalsCells(ar.Exports)...), totalsCells(ar.Imports)...)...)
		}
		return t.write(w)
	}
	return writeBody(w, contentJSON, page)
}
