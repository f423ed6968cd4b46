package tiles_test

import (
	"context"
	"fmt"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/geo"
	"github.com/armsflow/armsflow/tiles"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"
)

func ExampleRenderer_Render() {
	src := data.Source{Publisher: "example", Title: "Invented rows (not real data)", Date: "2026"}
	box := func(x0, y0, x1, y1 float64) orb.MultiPolygon {
		return orb.MultiPolygon{{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}}
	}
	value := 120.0
	w := geo.NewWorld(1,
		[]data.Country{
			{ISO3: "AAA", Name: "Westland", Geometry: box(-10, 40, 0, 50)},
			{ISO3: "BBB", Name: "Eastland", Geometry: box(20, 40, 30, 50)},
		}, nil, nil, nil,
		[]data.Transfer{{ID: 1, Supplier: "AAA", Recipient: "BBB", Weapon: "X-1", Category: data.CatAircraft,
			OrderYear: 2020, Value: &value, Unit: data.UnitTIV, Status: data.StatusDelivered, Source: src}})
	r := tiles.NewRenderer(staticSource{w}, tiles.Options{})

	b, version, err := r.Render(context.Background(), []string{"countries", "flows"}, maptile.New(0, 0, 0), data.Filter{})
	if err != nil {
		panic(err)
	}
	layers, _ := mvt.Unmarshal(b)
	fmt.Println("version", version)
	for _, l := range layers {
		for _, f := range l.Features {
			if l.Name == "countries" {
				fmt.Println(l.Name, f.Properties["iso3"], "imports", f.Properties["imports_value"], f.Properties["imports_unit"])
			} else {
				fmt.Println(l.Name, f.Properties["supplier"], "→", f.Properties["recipient"], f.Properties["value"], f.Properties["unit"])
			}
		}
	}
	// Output:
	// version 1
	// countries AAA imports 0 <nil>
	// countries BBB imports 120 TIV
	// flows AAA → BBB 120 TIV
}
