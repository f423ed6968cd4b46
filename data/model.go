package data

import (
	"fmt"
	"strings"

	"github.com/paulmach/orb"
)

// Category is armsflow's fixed weapon category list. The source's own
// category is kept beside it in Transfer.SourceCategory.
type Category string

// The fixed categories.
const (
	CatAircraft   Category = "aircraft"
	CatAirDefence Category = "air-defence"
	CatArmoured   Category = "armoured-vehicles"
	CatArtillery  Category = "artillery"
	CatMissiles   Category = "missiles"
	CatNaval      Category = "naval"
	CatDrones     Category = "drones"
	CatSALW       Category = "small-arms"
	CatAmmunition Category = "ammunition"
	CatSensors    Category = "sensors"
	CatEngines    Category = "engines"
	CatOther      Category = "other"
)

// Categories lists every valid Category in display order.
var Categories = []Category{CatAircraft, CatAirDefence, CatArmoured, CatArtillery, CatMissiles,
	CatNaval, CatDrones, CatSALW, CatAmmunition, CatSensors, CatEngines, CatOther}

// ParseCategory accepts a category code, case- and space-insensitively.
func ParseCategory(s string) (Category, error) {
	c := Category(strings.ToLower(strings.TrimSpace(s)))
	for _, k := range Categories {
		if c == k {
			return k, nil
		}
	}
	return "", fmt.Errorf("unknown category %q (want one of %s)", s, joinStr(Categories))
}

// Status is the state of a transfer.
type Status string

// The transfer statuses.
const (
	StatusNotified  Status = "notified"  // notified to a legislature (e.g. a DSCA notification), not yet ordered
	StatusOrdered   Status = "ordered"   // contract signed, nothing delivered yet
	StatusDelivered Status = "delivered" // some or all delivered
	StatusCancelled Status = "cancelled"
)

// Statuses lists every valid Status.
var Statuses = []Status{StatusNotified, StatusOrdered, StatusDelivered, StatusCancelled}

// ParseStatus accepts a status code, case- and space-insensitively.
func ParseStatus(s string) (Status, error) {
	v := Status(strings.ToLower(strings.TrimSpace(s)))
	for _, k := range Statuses {
		if v == k {
			return k, nil
		}
	}
	return "", fmt.Errorf("unknown status %q (want one of %s)", s, joinStr(Statuses))
}

// Unit is the unit a transfer's value is given in.
type Unit string

// The value units.
const (
	UnitTIV Unit = "TIV" // SIPRI trend-indicator value, millions
	UnitUSD Unit = "USD" // US dollars (not millions)
	UnitEUR Unit = "EUR" // euros (not millions)
)

// ParseUnit accepts a unit code, case-insensitively.
func ParseUnit(s string) (Unit, error) {
	switch u := Unit(strings.ToUpper(strings.TrimSpace(s))); u {
	case UnitTIV, UnitUSD, UnitEUR:
		return u, nil
	}
	return "", fmt.Errorf("unknown value unit %q (want TIV, USD or EUR)", s)
}

// ActorKind says what kind of party an Actor is.
type ActorKind string

// The actor kinds.
const (
	ActorState    ActorKind = "state"     // a current state, ID is its ISO 3166 alpha-3 code
	ActorFormer   ActorKind = "former"    // a former state (Soviet Union, Yugoslavia); Country names its successor
	ActorNonState ActorKind = "non-state" // an armed group, an organisation, an unknown party
)

// Source is a citation. Publisher, Title and Date are required on every
// transfer; URL only where it is certain, otherwise Identifier.
type Source struct {
	Publisher  string `json:"publisher"`
	Title      string `json:"title"`
	Date       string `json:"date"` // YYYY, YYYY-MM or YYYY-MM-DD
	URL        string `json:"url,omitempty"`
	Identifier string `json:"identifier,omitempty"` // e.g. a SIPRI deal id, a DSCA transmittal number
}

// Country is a Natural Earth admin-0 country keyed by ISO 3166 alpha-3.
type Country struct {
	ISO3      string           `json:"iso3"`
	Name      string           `json:"name"`
	Region    string           `json:"region,omitempty"`
	Subregion string           `json:"subregion,omitempty"`
	Geometry  orb.MultiPolygon `json:"-"` // WGS84 lon/lat, RFC 7946 winding
	// Anchor is where flows start and end: inside the country's largest
	// polygon (pole of inaccessibility), never in the sea.
	Anchor orb.Point `json:"anchor"`
}

// Actor is a party to a transfer or a conflict: a state, a former state or
// a non-state group. Every Country is also an Actor of kind ActorState with
// the same ID.
type Actor struct {
	ID      string    `json:"id"` // ISO3 for states; ISO-3166-3 style (SUN, YUG, CSK, DDR) for former states; "NS-..." slug for non-state
	Name    string    `json:"name"`
	Kind    ActorKind `json:"kind"`
	Country string    `json:"country,omitempty"` // ISO3 where the actor is anchored on the map (successor state, host country); may be empty
}

// ConflictType is the UCDP type of conflict.
type ConflictType string

// The UCDP conflict types.
const (
	ConflictExtrasystemic   ConflictType = "extrasystemic"
	ConflictInterstate      ConflictType = "interstate"
	ConflictIntrastate      ConflictType = "intrastate"
	ConflictInternationized ConflictType = "internationalized-intrastate"
)

// Conflict is an armed conflict. Intensity follows UCDP: 1 = 25–999
// battle-related deaths in a year, 2 = 1,000 or more.
type Conflict struct {
	ID        string       `json:"id"` // e.g. "ucdp-13604" or "af-…"
	Name      string       `json:"name"`
	Type      ConflictType `json:"type"`
	StartYear int          `json:"start_year"`
	EndYear   int          `json:"end_year,omitempty"` // 0 = ongoing
	Intensity int          `json:"intensity"`          // highest in the conflict's years
	// Years maps a year to its intensity (UCDP conflict-years); may be empty
	// for curated rows, which are then active StartYear..EndYear at Intensity.
	Years     map[int]int  `json:"years,omitempty"`
	Countries []string     `json:"countries"` // ISO3 of the countries where it is fought
	Parties   []string     `json:"parties,omitempty"`
	Geometry  orb.Geometry `json:"-"` // optional area
	Source    Source       `json:"source"`
}

// ActiveIn reports whether the conflict was active in any year of [from, to]
// (0 bounds are open).
func (c *Conflict) ActiveIn(from, to int) bool {
	if len(c.Years) > 0 {
		for y := range c.Years {
			if (from == 0 || y >= from) && (to == 0 || y <= to) {
				return true
			}
		}
		return false
	}
	end := c.EndYear
	if end == 0 {
		end = 9999
	}
	return (to == 0 || c.StartYear <= to) && (from == 0 || end >= from)
}

// Event is a georeferenced conflict event (UCDP GED style).
type Event struct {
	ID         string    `json:"id"`
	ConflictID string    `json:"conflict_id,omitempty"`
	Date       string    `json:"date"` // YYYY-MM-DD
	Point      orb.Point `json:"point"`
	Country    string    `json:"country,omitempty"` // ISO3
	Deaths     int64     `json:"deaths"`
	Source     Source    `json:"source"`
}

// Year returns the event's year, or 0 when the date is malformed.
func (e *Event) Year() int {
	var y int
	if len(e.Date) >= 4 {
		fmt.Sscanf(e.Date[:4], "%d", &y)
	}
	return y
}

// Transfer is one arms transfer (a deal), as reported by its source.
type Transfer struct {
	ID             int64    `json:"id"`        // store-assigned
	Key            string   `json:"key"`       // natural key for idempotent re-import, e.g. "sipri:12345" or a hash of the row
	Supplier       string   `json:"supplier"`  // Actor ID
	Recipient      string   `json:"recipient"` // Actor ID
	Weapon         string   `json:"weapon"`    // designation, e.g. "F-16C"
	Description    string   `json:"description,omitempty"`
	Category       Category `json:"category"`
	SourceCategory string   `json:"source_category,omitempty"`
	OrderYear      int      `json:"order_year,omitempty"` // 0 = unknown
	DeliveryYears  []int    `json:"delivery_years,omitempty"`
	Quantity       *int64   `json:"quantity"` // nil = unknown
	Value          *float64 `json:"value"`    // nil = unknown
	Unit           Unit     `json:"unit,omitempty"`
	Status         Status   `json:"status"`
	Source         Source   `json:"source"`
	Notes          string   `json:"notes,omitempty"`
}

// Years returns the years a transfer is counted in: its order year and its
// delivery years.
func (t *Transfer) Years() []int {
	ys := make([]int, 0, 1+len(t.DeliveryYears))
	if t.OrderYear != 0 {
		ys = append(ys, t.OrderYear)
	}
	return append(ys, t.DeliveryYears...)
}

// Validate checks a transfer the same way for every way in (import, API).
func (t *Transfer) Validate() error {
	var errs []string
	if t.Supplier == "" {
		errs = append(errs, "supplier is empty")
	}
	if t.Recipient == "" {
		errs = append(errs, "recipient is empty")
	}
	if t.Supplier != "" && t.Supplier == t.Recipient {
		errs = append(errs, "supplier and recipient are the same")
	}
	if t.Weapon == "" && t.Description == "" {
		errs = append(errs, "weapon designation and description are both empty")
	}
	if _, err := ParseCategory(string(t.Category)); err != nil {
		errs = append(errs, err.Error())
	}
	if _, err := ParseStatus(string(t.Status)); err != nil {
		errs = append(errs, err.Error())
	}
	if t.OrderYear != 0 && (t.OrderYear < 1900 || t.OrderYear > 2100) {
		errs = append(errs, fmt.Sprintf("order year %d out of range 1900-2100", t.OrderYear))
	}
	for _, y := range t.DeliveryYears {
		if y < 1900 || y > 2100 {
			errs = append(errs, fmt.Sprintf("delivery year %d out of range 1900-2100", y))
		}
	}
	if t.Quantity != nil && *t.Quantity < 0 {
		errs = append(errs, fmt.Sprintf("quantity %d is negative", *t.Quantity))
	}
	if t.Value != nil {
		v := *t.Value
		if v != v || v < 0 || v > 1e15 {
			errs = append(errs, fmt.Sprintf("value %v is not a finite non-negative number", v))
		}
		if _, err := ParseUnit(string(t.Unit)); err != nil {
			errs = append(errs, "value given without a valid unit: "+err.Error())
		}
	}
	if t.Source.Publisher == "" || t.Source.Title == "" || t.Source.Date == "" {
		errs = append(errs, "source citation needs publisher, title and date")
	}
	for _, f := range [...]struct{ name, v string }{{"key", t.Key}, {"weapon", t.Weapon}, {"description", t.Description},
		{"source_category", t.SourceCategory}, {"notes", t.Notes}, {"source publisher", t.Source.Publisher},
		{"source title", t.Source.Title}, {"source url", t.Source.URL}, {"source identifier", t.Source.Identifier}} {
		if len(f.v) > MaxTextBytes {
			errs = append(errs, fmt.Sprintf("%s is %d bytes long, over the %d-byte limit", f.name, len(f.v), MaxTextBytes))
		}
	}
	if len(errs) > 0 {
		return &ValidationError{Problems: errs}
	}
	return nil
}

// MaxTextBytes bounds each text field of a transfer (notes, weapon,
// source title...): far above any real entry, low enough that one row
// cannot bloat every answer and tile that carries it.
const MaxTextBytes = 16 << 10

// ValidationError lists what is wrong with a record.
type ValidationError struct{ Problems []string }

func (e *ValidationError) Error() string { return strings.Join(e.Problems, "; ") }

func joinStr[T ~string](xs []T) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = string(x)
	}
	return strings.Join(s, ", ")
}
