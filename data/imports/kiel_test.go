package imports

import (
	"context"
	"errors"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/armsflow/armsflow/data"
)

func TestKielWeaponsRealFile(t *testing.T) {
	rep, b := importReal(t, "kiel", "kiel-ust/weapons.csv")
	if rep.Format != "kiel-weapons" || rep.Rows != 61 || rep.Records["transfers"] != 61 || len(rep.Rejected) != 0 {
		t.Errorf("format %s, rows %d, transfers %d, rejected %d; want kiel-weapons, 61, 61, 0",
			rep.Format, rep.Rows, rep.Records["transfers"], len(rep.Rejected))
	}
	// Line 2: "Australia","Howitzers",6,28672479,"M777 howitzer (6)"
	got := transferByKey(t, b, "kiel:weapons:AUS:HOWITZERS")
	want := data.Transfer{Key: "kiel:weapons:AUS:HOWITZERS", Supplier: "AUS", Recipient: "UKR", Weapon: "Howitzers",
		Description: "M777 howitzer (6)", Category: data.CatArtillery, SourceCategory: "Howitzers", Quantity: ptrI(6),
		Status: data.StatusDelivered, Source: data.Source{Publisher: kielPublisher,
			Title: "Ukraine Support Tracker, Release 29 (04/2026)", Date: "2026-08-04", Identifier: "weapons.csv: Australia / Howitzers"}}
	checkTransfer(t, got, want)
	if got.Value != nil || !strings.Contains(got.Notes, "EUR 28,672,479") {
		t.Errorf("value %v, notes %q; want no value and the EUR estimate in notes", got.Value, got.Notes)
	}
	// Line 8: Czechia air defence.
	got = transferByKey(t, b, "kiel:weapons:CZE:AIR-DEFENSE")
	if got.Category != data.CatAirDefence || *got.Quantity != 16 || got.Description != "2K12 KUB (16)" {
		t.Errorf("Czechia air defence: %+v", got)
	}
}

func TestKielDataExplorerRealFile(t *testing.T) {
	rep, b := importReal(t, "kiel", "kiel-ust/data_explorer.csv")
	if rep.Format != "kiel-data-explorer" || rep.Rows != 1079 || rep.Records["transfers"] != 138 || len(rep.Rejected) != 0 {
		t.Errorf("format %s, rows %d, transfers %d, rejected %d; want kiel-data-explorer, 1079, 138, 0",
			rep.Format, rep.Rows, rep.Records["transfers"], len(rep.Rejected))
	}
	// Sum the Australian 2022 military column independently of the parser.
	raw, err := os.ReadFile(sharedData(t, "kiel-ust/data_explorer.csv"))
	if err != nil {
		t.Fatal(err)
	}
	sum := 0.0
	for _, line := range strings.Split(string(raw), "\n") {
		f := strings.Split(line, ",")
		if len(f) == 12 && f[0] == `"Australia"` && f[2] == "2022" {
			v, err := parseSignedAmount("military", f[7])
			if err != nil {
				t.Fatal(err)
			}
			sum += v
		}
	}
	got := transferByKey(t, b, "kiel:military:AUS:2022")
	if got.Value == nil || *got.Value != math.Round(sum*1e9) || got.Unit != data.UnitEUR || sum < 0.1 {
		t.Errorf("Australia 2022: value %v %s, want %v EUR", got.Value, got.Unit, math.Round(sum*1e9))
	}
	if got.Category != data.CatOther || !equalInts(got.DeliveryYears, []int{2022}) || got.Source.Date != "2026-08-04" {
		t.Errorf("Australia 2022: %+v", got)
	}
	// "EU (Commission and Council)" resolves (NS-EUROPEAN-UNION) but has no
	// military allocation in this release, so it has no transfer.
	for _, tr := range b.Transfers {
		if tr.Supplier == "NS-EUROPEAN-UNION" {
			t.Errorf("EU transfer with zero military allocations: %+v", tr)
		}
	}
	total := 0.0
	for _, tr := range b.Transfers {
		total += *tr.Value
	}
	t.Logf("military allocations stored: EUR %.1f billion in %d donor-years", total/1e9, len(b.Transfers))
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestKielRejectedFiles(t *testing.T) {
	for file, want := range map[string]string{
		"kiel-ust/total_allocations.csv": "total_allocations.csv:1: aggregate totals without donors; import weapons.csv or data_explorer.csv",
		"kiel-ust/release_info.csv":      "release_info.csv:1: release metadata",
	} {
		s := newFakeStore()
		rep, err := Import(context.Background(), s, "kiel", sharedData(t, file), Options{SkipInvalid: true})
		var pe *ParseError
		if !errors.As(err, &pe) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want a *ParseError containing %q", file, err, want)
		}
		if rep == nil || rep.Applied || s.count("transfers") != 0 {
			t.Errorf("%s: something was stored: %+v", file, rep)
		}
	}
}

func TestKielWithoutReleaseInfo(t *testing.T) {
	in := "\"donor\",\"category\",\"number_of_weapons\",\"monetary_value_eur\",\"weapons_list\"\n\"Norway\",\"Tanks\",8,15963068,\"Leopard-2A4 (8)\"\n"
	_, _, err := Parse("kiel", strings.NewReader(in), "weapons.csv", Options{})
	if err == nil || !strings.Contains(err.Error(), "release_info.csv") {
		t.Errorf("weapons.csv without release info: err = %v, want one naming release_info.csv", err)
	}
	in = "country,iso,year,month,military\nNorway,NOR,2024,3,0.5\nNorway,NOR,2024,4,0.25\n"
	b, _, err := Parse("kiel", strings.NewReader(in), "data_explorer.csv", Options{})
	if err != nil {
		t.Fatal(err)
	}
	tr := b.Transfers[0]
	if tr.Source.Date != "2024-04" || tr.Source.Title != kielTitle || *tr.Value != 750e6 {
		t.Errorf("fallback citation or value: %+v", tr)
	}
}
