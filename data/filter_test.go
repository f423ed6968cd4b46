package data

import (
	"errors"
	"net/url"
	"testing"
)

func TestParseFilterCanonical(t *testing.T) {
	tests := []struct {
		query, want string
	}{
		{"", ""},
		{"years=2014-2024", "years=2014-2024"},
		{"years=2020", "years=2020"},
		{"years=2020-2020", "years=2020"},
		{"years=2014-", "years=2014-"},
		{"years=-2014", "years=-2014"},
		{"supplier=usa, gbr&supplier=USA", "supplier=GBR,USA"},
		{"category=Missiles,aircraft&status=DELIVERED", "category=aircraft,missiles&status=delivered"},
		{"recipient=ns-houthis", "recipient=NS-HOUTHIS"},
	}
	for _, tt := range tests {
		q, _ := url.ParseQuery(tt.query)
		f, err := ParseFilter(q)
		if err != nil {
			t.Fatalf("%q: %v", tt.query, err)
		}
		if got := f.Canonical(); got != tt.want {
			t.Errorf("%q: canonical %q, want %q", tt.query, got, tt.want)
		}
		// canonical form parses back to the same filter
		q2, _ := url.ParseQuery(f.Canonical())
		f2, err := ParseFilter(q2)
		if err != nil || f2.Canonical() != f.Canonical() {
			t.Errorf("%q: round trip %q, %v", tt.query, f2.Canonical(), err)
		}
	}
}

func TestParseFilterErrorsNameParam(t *testing.T) {
	tests := []struct{ query, param string }{
		{"years=abc", "years"},
		{"years=2024-2014", "years"},
		{"years=1800", "years"},
		{"supplier=U$A", "supplier"},
		{"recipient=%27%3B%20DROP%20TABLE%20transfers%3B--", "recipient"},
		{"category=tanks", "category"},
		{"status=maybe", "status"},
	}
	for _, tt := range tests {
		q, _ := url.ParseQuery(tt.query)
		_, err := ParseFilter(q)
		var fe *FilterError
		if !errors.As(err, &fe) || fe.Param != tt.param {
			t.Errorf("%q: err %v, want a FilterError on %s", tt.query, err, tt.param)
		}
	}
}

func TestFilterMatchYears(t *testing.T) {
	tr := Transfer{Supplier: "USA", Recipient: "UKR", OrderYear: 2018, DeliveryYears: []int{2020, 2021}}
	tests := []struct {
		from, to int
		want     bool
	}{
		{0, 0, true}, {2018, 2018, true}, {2019, 2019, false}, {2021, 2030, true}, {2010, 2017, false},
	}
	for _, tt := range tests {
		f := Filter{YearFrom: tt.from, YearTo: tt.to}
		if got := f.Match(&tr); got != tt.want {
			t.Errorf("years %d-%d: got %v want %v", tt.from, tt.to, got, tt.want)
		}
	}
	if (Filter{Suppliers: []string{"GBR"}}).Match(&tr) {
		t.Error("supplier GBR matched a USA transfer")
	}
}
