package changeset

import (
	"slices"
	"strings"
	"testing"

	"github.com/armsflow/armsflow/data"
)

func TestSet(t *testing.T) {
	s := New()
	if s.Changed() {
		t.Error("a new Set reports a change")
	}
	s.Unchanged[Transfers] = 3
	if s.Changed() {
		t.Error("unchanged records count as a change")
	}
	s.Updated[Transfers]++
	s.Touch(LayersTransfer, "XBB", "", "XAA", "XBB")
	s.Touch(LayersEvent)
	ch := s.Result(7)
	if !s.Changed() || ch.Version != 7 || ch.All || ch.Updated[Transfers] != 1 || ch.Unchanged[Transfers] != 3 {
		t.Errorf("Result = %+v", ch)
	}
	if !slices.Equal(ch.Countries, []string{"XAA", "XBB"}) || !slices.Equal(ch.Layers, []string{"countries", "flows", "events", "labels"}) {
		t.Errorf("countries %v, layers %v", ch.Countries, ch.Layers)
	}
	s.TouchAll()
	if ch := s.Result(8); !ch.All || !slices.Equal(ch.Layers, AllLayers) {
		t.Errorf("after TouchAll: %+v", ch)
	}
	if ch := New().Result(0); ch.Countries == nil || ch.Layers == nil {
		t.Errorf("empty Result has nil lists: %+v", ch)
	}
}

func TestPlaceOf(t *testing.T) {
	for _, c := range []struct {
		a    data.Actor
		want string
	}{
		{data.Actor{ID: "XAA", Kind: data.ActorState, Country: "XBB"}, "XAA"},
		{data.Actor{ID: "XSU", Kind: data.ActorFormer, Country: "XAA"}, "XAA"},
		{data.Actor{ID: "NS-X", Kind: data.ActorNonState}, ""},
	} {
		if p := PlaceOf(c.a); !p.Exists || p.ISO3 != c.want {
			t.Errorf("PlaceOf(%+v) = %+v, want %q", c.a, p, c.want)
		}
	}
}

func TestSameTransfer(t *testing.T) {
	q1, q2 := int64(5), int64(5)
	a := data.Transfer{ID: 1, Key: "k", Quantity: &q1, DeliveryYears: []int{2001, 2000}}
	b := data.Transfer{ID: 2, Key: "k", Quantity: &q2, DeliveryYears: []int{2001, 2000}}
	if !SameTransfer(&a, &b) {
		t.Error("equal values behind different pointers and IDs differ")
	}
	for name, edit := range map[string]func(t *data.Transfer){
		"quantity unknown": func(t *data.Transfer) { t.Quantity = nil },
		"years reordered":  func(t *data.Transfer) { t.DeliveryYears = []int{2000, 2001} },
		"source date":      func(t *data.Transfer) { t.Source.Date = "2024" },
	} {
		c := b
		edit(&c)
		if SameTransfer(&a, &c) {
			t.Errorf("%s: still the same", name)
		}
	}
}

func TestNewKeyAndDescribe(t *testing.T) {
	k1, k2 := NewKey(), NewKey()
	if k1 == k2 || !strings.HasPrefix(k1, "api:") || len(k1) != 4+26 {
		t.Errorf("keys %q, %q", k1, k2)
	}
	for _, c := range []struct {
		t    data.Transfer
		want string
	}{
		{data.Transfer{ID: 3, Key: "k"}, `3 (key "k")`},
		{data.Transfer{ID: 3}, "3"},
		{data.Transfer{Key: "k"}, `key "k"`},
		{data.Transfer{Supplier: "XAA", Recipient: "XBB", Weapon: "W"}, `(new, XAA to XBB, "W")`},
	} {
		if got := DescribeTransfer(c.t); got != c.want {
			t.Errorf("DescribeTransfer = %s, want %s", got, c.want)
		}
	}
}
