package data

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/paulmach/orb"
)

func TestRecordValidate(t *testing.T) {
	src := Source{Publisher: "armsflow test suite", Title: "Hand-made test fixture", Date: "2024"}
	cases := []struct {
		name string
		err  error
		want []string // substrings of the error; none for a valid record
	}{
		{"country ok", (&Country{ISO3: "XAA", Name: "Alphaland", Anchor: orb.Point{1, 2}}).Validate(), nil},
		{"country bad", (&Country{ISO3: "xa", Name: " ", Anchor: orb.Point{181, 0}}).Validate(),
			[]string{`iso3 "xa"`, "name is empty", "anchor"}},
		{"country NaN anchor", (&Country{ISO3: "XAA", Name: "A", Anchor: orb.Point{math.NaN(), 0}}).Validate(), []string{"anchor"}},
		{"actor ok", (&Actor{ID: "NS-REBELS", Name: "Rebels", Kind: ActorNonState}).Validate(), nil},
		{"actor bad", (&Actor{ID: "ns rebels", Kind: "empire", Country: "x"}).Validate(),
			[]string{`id "ns rebels"`, "name is empty", `kind "empire"`, `country "x"`}},
		{"conflict ok", (&Conflict{ID: "c1", Name: "War", StartYear: 2000}).Validate(), nil},
		{"conflict bad", (&Conflict{Type: "skirmish", StartYear: 2010, EndYear: 2000}).Validate(),
			[]string{"id is empty", "name is empty", `type "skirmish"`, "end year 2000 is before start year 2010"}},
		{"event ok", (&Event{ID: "e1", Date: "2015-03", Point: orb.Point{1, 2}}).Validate(), nil},
		{"event unknown date", (&Event{ID: "e1", Point: orb.Point{1, 2}}).Validate(), nil},
		{"event bad", (&Event{Date: "15/07/2021", Deaths: -1, Point: orb.Point{0, -91}}).Validate(),
			[]string{"id is empty", `date "15/07/2021"`, "deaths -1", "point"}},
		{"transfer not canonical", func() error {
			_, err := Transfer{Supplier: "XAA", Recipient: "XAA", Weapon: "W", Category: "tanks", Status: "delivered", Source: src}.Canonical()
			return err
		}(), []string{"supplier and recipient are the same", `category "tanks"`}},
	}
	for _, c := range cases {
		if len(c.want) == 0 {
			if c.err != nil {
				t.Errorf("%s: %v, want valid", c.name, c.err)
			}
			continue
		}
		var ve *ValidationError
		if !errors.As(c.err, &ve) {
			t.Errorf("%s: error %v is not a *ValidationError", c.name, c.err)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(c.err.Error(), w) {
				t.Errorf("%s: error %q does not say %q", c.name, c.err, w)
			}
		}
		if len(ve.Problems) != len(c.want) {
			t.Errorf("%s: %d problems %q, want %d", c.name, len(ve.Problems), ve.Problems, len(c.want))
		}
	}
}

func TestValidDate(t *testing.T) {
	for s, want := range map[string]bool{"": true, "2024": true, "2024-02": true, "2024-02-29": true,
		"2023-02-29": false, "24": false, "2024-13": false, "2024/01/01": false, "2024-01-01T00:00:00Z": false} {
		if got := ValidDate(s); got != want {
			t.Errorf("ValidDate(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestTransferCanonical(t *testing.T) {
	in := Transfer{Key: "k", Supplier: "XAA", Recipient: "XBB", Weapon: "W", Category: " Aircraft", Status: "DELIVERED",
		Unit: "tiv", Value: new(float64), DeliveryYears: []int{}, Source: Source{Publisher: "p", Title: "t", Date: "2024"}}
	got, err := in.Canonical()
	if err != nil {
		t.Fatal(err)
	}
	if got.Category != CatAircraft || got.Status != StatusDelivered || got.Unit != UnitTIV || got.DeliveryYears != nil {
		t.Errorf("Canonical = %+v", got)
	}
	if in.Category != " Aircraft" {
		t.Errorf("Canonical changed its receiver")
	}
}

func TestBatchCheckDuplicates(t *testing.T) {
	ok := &Batch{Countries: []Country{{ISO3: "XAA"}}, Actors: []Actor{{ID: "XAA"}}, Transfers: []Transfer{{Key: "a"}, {Key: "b"}, {}, {}}}
	if err := ok.CheckDuplicates(); err != nil {
		t.Errorf("a country and its actor, two keyless transfers: %v", err)
	}
	for name, b := range map[string]*Batch{
		"country":  {Countries: []Country{{ISO3: "XAA"}, {ISO3: "XBB"}, {ISO3: "XAA"}}},
		"actor":    {Actors: []Actor{{ID: "XAA"}, {ID: "XAA"}}},
		"conflict": {Conflicts: []Conflict{{ID: "c"}, {ID: "c"}}},
		"event":    {Events: []Event{{ID: "e"}, {ID: "e"}}},
		"transfer": {Transfers: []Transfer{{Key: "t"}, {Key: "t"}}},
	} {
		err := b.CheckDuplicates()
		if err == nil || !strings.Contains(err.Error(), name) || !strings.Contains(err.Error(), "twice") {
			t.Errorf("%s twice: %v", name, err)
		}
	}
}
