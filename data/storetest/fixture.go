package storetest

import (
	"github.com/armsflow/armsflow/data"
	"github.com/paulmach/orb"
)

// fixtureSource is the citation on every fixture record: it says plainly
// that the record is made up for tests.
var fixtureSource = data.Source{Publisher: "armsflow test suite", Title: "Hand-made test fixture", Date: "2024-01-01"}

func ptr[T any](v T) *T { return &v }

func square(x, y, size float64) orb.Ring {
	return orb.Ring{{x, y}, {x + size, y}, {x + size, y + size}, {x, y + size}, {x, y}}
}

// Fixture is a small hand-made batch touching every record kind and every
// optional field: four countries (one without geometry, one with a hole and
// two parts), three non-state and former actors (one with no country), two
// conflicts, four events (one of unknown date) and eight transfers (keys "t1" to "t8") whose
// years, ends, categories and statuses the filter tests are written
// against. Each call returns a fresh copy.
func Fixture() *data.Batch {
	holed := orb.Polygon{square(0, 0, 10), square(2, 2, 2)}
	holed[1].Reverse() // holes wind clockwise (RFC 7946)
	return &data.Batch{
		Countries: []data.Country{
			{ISO3: "XAA", Name: "Alphaland", Region: "Testregion", Subregion: "North",
				Geometry: orb.MultiPolygon{holed, {square(20, 0, 1.5)}}, Anchor: orb.Point{6.25, 7.125}},
			{ISO3: "XBB", Name: "Bravoland", Region: "Testregion", Subregion: "South",
				Geometry: orb.MultiPolygon{{square(-30.5, -20.25, 5)}}, Anchor: orb.Point{-28, -17.75}},
			{ISO3: "XCC", Name: "Charlieland", Region: "Otherregion",
				Geometry: orb.MultiPolygon{{square(170, 60, 9.999999)}}, Anchor: orb.Point{175.123456789, 65.987654321}},
			{ISO3: "XDD", Name: "Deltaland", Anchor: orb.Point{-100, 40}},
		},
		Actors: []data.Actor{
			{ID: "XSU", Name: "Former Union", Kind: data.ActorFormer, Country: "XAA"},
			{ID: "NS-REBELS", Name: "Rebel Front", Kind: data.ActorNonState, Country: "XCC"},
			{ID: "NS-NOWHERE", Name: "Unplaced Group", Kind: data.ActorNonState},
		},
		Conflicts: []data.Conflict{
			{ID: "c1", Name: "Charlieland civil war", Type: data.ConflictIntrastate, StartYear: 2014, EndYear: 2015,
				Intensity: 2, Years: map[int]int{2014: 1, 2015: 2}, Countries: []string{"XCC"},
				Parties:  []string{"Government of Charlieland", "Rebel Front"},
				Geometry: orb.Polygon{square(171, 61, 3)}, Source: fixtureSource},
			{ID: "c2", Name: "Bravo-Delta war", Type: data.ConflictInterstate, StartYear: 2020, Intensity: 1,
				Countries: []string{"XDD", "XBB"}, Source: fixtureSource},
		},
		Events: []data.Event{
			{ID: "e1", ConflictID: "c1", Date: "2015-03-01", Point: orb.Point{172.5, 62.25}, Country: "XCC", Deaths: 12, Source: fixtureSource},
			{ID: "e2", Date: "2021-07-15", Point: orb.Point{-27, -18}, Country: "XBB", Source: fixtureSource},
			{ID: "e3", ConflictID: "c2", Date: "2010-01-31", Point: orb.Point{-100.5, 40.5}, Country: "XDD", Deaths: 3,
				Source: data.Source{Publisher: "armsflow test suite", Title: "Hand-made test fixture", Date: "2010", Identifier: "fixture-e3"}},
			{ID: "e4", Point: orb.Point{175, 65}, Country: "XCC", Deaths: 1, Source: fixtureSource}, // date unknown
		},
		Transfers: []data.Transfer{
			{Key: "t1", Supplier: "XAA", Recipient: "XBB", Weapon: "Test fighter", Description: "fighter aircraft",
				Category: data.CatAircraft, SourceCategory: "Aircraft", OrderYear: 2010, DeliveryYears: []int{2012, 2013},
				Quantity: ptr[int64](12), Value: ptr(350.5), Unit: data.UnitTIV, Status: data.StatusDelivered, Source: fixtureSource},
			{Key: "t2", Supplier: "XAA", Recipient: "XCC", Weapon: "Test missile", Category: data.CatMissiles,
				OrderYear: 2015, Status: data.StatusOrdered, Source: fixtureSource, Notes: "quantity and value unknown"},
			{Key: "t3", Supplier: "XSU", Recipient: "XBB", Weapon: "Test tank", Category: data.CatArmoured,
				OrderYear: 1985, DeliveryYears: []int{1986}, Quantity: ptr[int64](40), Status: data.StatusDelivered, Source: fixtureSource},
			{Key: "t4", Supplier: "XBB", Recipient: "NS-REBELS", Description: "rifles", Category: data.CatSALW,
				DeliveryYears: []int{2016}, Quantity: ptr[int64](500), Value: ptr(1.2e6), Unit: data.UnitUSD,
				Status: data.StatusDelivered, Source: fixtureSource},
			{Key: "t5", Supplier: "XCC", Recipient: "XAA", Weapon: "Test frigate", Category: data.CatNaval,
				Status: data.StatusNotified, Source: fixtureSource},
			{Key: "t6", Supplier: "XDD", Recipient: "NS-NOWHERE", Weapon: "Test drone", Category: data.CatDrones,
				OrderYear: 2022, DeliveryYears: []int{2024, 2023}, Quantity: ptr[int64](0), Status: data.StatusDelivered,
				Source: fixtureSource},
			{Key: "t7", Supplier: "XBB", Recipient: "XAA", Weapon: "Test spare parts", Category: data.CatOther,
				OrderYear: 2018, Value: ptr(0.0), Unit: data.UnitEUR, Status: data.StatusCancelled, Source: fixtureSource},
			{Key: "t8", Supplier: "XAA", Recipient: "XDD", Weapon: "Test radar", Category: data.CatSensors,
				OrderYear: 2001, Status: data.StatusOrdered,
				Source: data.Source{Publisher: "armsflow test suite", Title: "Hand-made test fixture", Date: "2001-05",
					URL: "https://example.test/fixture/t8", Identifier: "fixture-t8"}},
		},
	}
}

// fixtureActorCount is how many actors Fixture writes: its three plus one
// state actor per country.
const fixtureActorCount = 3 + 4
