package geo_test

import (
	"context"
	"fmt"
	"time"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/geo"
	"github.com/armsflow/armsflow/geo/geotest"
)

func ExampleWorld_Join() {
	w := geo.NewWorld(1,
		[]data.Country{
			{ISO3: "AAA", Name: "Aland", Geometry: geotest.Box(0, 0, 2, 2)},
			{ISO3: "BBB", Name: "Bland", Geometry: geotest.Box(10, 0, 12, 2)},
		}, nil, nil, nil,
		[]data.Transfer{
			{ID: 1, Supplier: "AAA", Recipient: "BBB", Weapon: "X-1", Category: data.CatDrones, OrderYear: 2020,
				Value: ptr(12.5), Unit: data.UnitTIV, Status: data.StatusDelivered, Source: geotest.SourceA},
			{ID: 2, Supplier: "AAA", Recipient: "BBB", Weapon: "X-2", Category: data.CatDrones, OrderYear: 2021,
				Value: ptr(3e6), Unit: data.UnitUSD, Status: data.StatusOrdered, Source: geotest.SourceA},
		})
	j := w.Join(data.Filter{YearFrom: 2020})
	fl := j.Flows[0]
	v, u := fl.Primary()
	fmt.Println(fl.Supplier, "→", fl.Recipient, fl.Deals, "deals;", fl.Values[data.UnitTIV], "TIV and", fl.Values[data.UnitUSD], "USD")
	fmt.Println("primary:", v, u)
	fmt.Println("Bland imports:", j.Countries["BBB"].Imports.Deals)
	// Output:
	// AAA → BBB 2 deals; 12.5 TIV and 3e+06 USD
	// primary: 12.5 TIV
	// Bland imports: 2
}

func ExampleSource() {
	store := geotest.NewStoreWith(geotest.Fixture())
	src := geo.NewSource(store, 2*time.Second)
	w, err := src.World(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(w.Countries), "countries,", len(w.Transfers), "transfers at version", w.Version)
	// After a write in this process, MarkStale makes the next World call
	// reload; writes by other processes are seen within Poll.
	src.MarkStale()
	// Output: 9 countries, 12 transfers at version 1
}

func ptr[T any](v T) *T { return &v }
