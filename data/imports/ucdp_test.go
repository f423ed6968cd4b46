package imports

import (
	"bytes"
	"context"
	"errors"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/armsflow/armsflow/data"
	"github.com/paulmach/orb"
)

func conflictByID(t *testing.T, b *data.Batch, id string) data.Conflict {
	t.Helper()
	for _, c := range b.Conflicts {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("no conflict %s", id)
	return data.Conflict{}
}

func TestUCDPRealFile(t *testing.T) {
	rep, b := importReal(t, "ucdp", "ucdp-acd/UcdpPrioConflict_v23_1.csv")
	if rep.Rows != 2626 || rep.Records["conflicts"] != 297 || len(rep.Rejected) != 0 {
		t.Errorf("rows %d, conflicts %d, rejected %d; want 2626, 297, 0", rep.Rows, rep.Records["conflicts"], len(rep.Rejected))
	}
	src := data.Source{Publisher: ucdpACDPublisher, Title: "UCDP/PRIO Armed Conflict Dataset version 23.1", Date: "2023"}
	for _, want := range []data.Conflict{
		{ // lines 2-3: ended in 2014 (ep_end = 1), started 5/29/1997
			ID: "ucdp-11342", Name: "India: Garoland", Type: data.ConflictIntrastate, StartYear: 1997, EndYear: 2014,
			Intensity: 1, Years: map[int]int{2012: 1, 2014: 1}, Countries: []string{"IND"},
			Parties: []string{"Government of India", "GNLA"}},
		{ // lines 62-70: active in the dataset's last year, so ongoing
			ID: "ucdp-13306", Name: "Ukraine: Novorossiya", Type: data.ConflictInternationized, StartYear: 2014,
			Intensity: 2, Years: map[int]int{2014: 2, 2015: 2, 2016: 1, 2017: 1, 2018: 1, 2019: 1, 2020: 1, 2021: 1, 2022: 1},
			Countries: []string{"UKR"},
			Parties:   []string{"Government of Ukraine", "United Armed Forces of Novorossiya", "DPR", "LPR"}},
		{ // line 2528: interstate, four locations
			ID: "ucdp-420", Name: "Australia - Iraq - United Kingdom - United States of America", Type: data.ConflictInterstate,
			StartYear: 2003, EndYear: 2003, Intensity: 2, Years: map[int]int{2003: 2},
			Countries: []string{"USA", "GBR", "IRQ", "AUS"},
			Parties: []string{"Government of Australia", "Government of United Kingdom",
				"Government of United States of America", "Government of Iraq"}},
	} {
		got := conflictByID(t, b, want.ID)
		want.Source = src
		want.Source.Identifier = strings.TrimPrefix(want.ID, "ucdp-")
		if !reflect.DeepEqual(got, want) {
			t.Errorf("conflict %s\n got %+v\nwant %+v", want.ID, got, want)
		}
	}
	// A party name with a comma inside stays whole.
	found := false
	for _, c := range b.Conflicts {
		found = found || slices.Contains(c.Parties, "Military Junta for the Consolidation of Democracy, Peace and Justice")
	}
	if !found {
		t.Error("a side named with a comma was split")
	}
}

// TestUCDPLocationsMatchGW checks gw.go against the file itself: the names
// in "location" resolved through the alias table must anchor at the ISO3
// codes gw.go gives for gwno_loc.
func TestUCDPLocationsMatchGW(t *testing.T) {
	raw, err := os.ReadFile(sharedData(t, "ucdp-acd/UcdpPrioConflict_v23_1.csv"))
	if err != nil {
		t.Fatal(err)
	}
	in, hdr, err := sniffCSV(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	h := newHeader(hdr)
	tab, err := loadAliases()
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for {
		rec, line, err := in.next()
		if err != nil {
			break
		}
		isos, err := gwList("gwno_loc", h.get(rec, "gwno_loc"))
		if err != nil {
			t.Errorf("line %d: %v", line, err)
			continue
		}
		var fromNames []string
		for _, n := range strings.Split(h.get(rec, "location"), ", ") {
			a, ok := tab.lookup(n)
			if !ok {
				t.Errorf("line %d: location %q is not in the alias table", line, n)
				continue
			}
			fromNames = append(fromNames, a.Country)
		}
		slices.Sort(isos)
		slices.Sort(fromNames)
		fromNames = slices.Compact(fromNames) // South Vietnam and Vietnam both anchor at VNM
		if !slices.Equal(isos, fromNames) {
			t.Errorf("line %d: location %q anchors at %v, gwno_loc %q gives %v", line, h.get(rec, "location"), fromNames, h.get(rec, "gwno_loc"), isos)
		}
		checked++
	}
	if checked != 2626 {
		t.Errorf("checked %d rows, want 2626", checked)
	}
}

func TestGEDFixture(t *testing.T) {
	raw, err := os.ReadFile("testdata/ged_fixture.csv")
	if err != nil {
		t.Fatal(err)
	}
	// Strict: the bad coordinate on line 5 fails the file.
	b, rep, err := Parse("ucdp-ged", bytes.NewReader(raw), "ged_fixture.csv", Options{})
	var pe *ParseError
	if !errors.As(err, &pe) || b != nil {
		t.Fatalf("strict parse: batch %v, err %v; want no batch and a *ParseError", b, err)
	}
	if want := "ged_fixture.csv:5: latitude 123.5 out of range -90..90"; !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not contain %q", err, want)
	}
	if rep.Rows != 5 {
		t.Errorf("rows = %d, want 5", rep.Rows)
	}
	// Skipping: four events, the version and source date from the name.
	b, rep, err = Parse("ucdp-ged", bytes.NewReader(raw), "GEDEvent_v24_1.csv", Options{SkipInvalid: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Events) != 4 || len(rep.Rejected) != 1 || rep.Rejected[0].Line != 5 {
		t.Fatalf("events %d, rejected %v; want 4 and line 5", len(b.Events), rep.Rejected)
	}
	src := data.Source{Publisher: ucdpGEDPublisher, Title: "UCDP Georeferenced Event Dataset (GED) Global version 24.1", Date: "2024"}
	want := []data.Event{
		{ID: "ucdp-ged-9000001", ConflictID: "ucdp-13306", Date: "2022-03-01", Point: orb.Point{37.8028, 48.0159}, Country: "UKR", Deaths: 12},
		{ID: "ucdp-ged-9000002", Date: "2021-06-15", Point: orb.Point{13.1571, 11.8469}, Country: "NGA", Deaths: 4},
		{ID: "ucdp-ged-9000003", ConflictID: "ucdp-333", Date: "2020-01-05", Point: orb.Point{69.2075, 34.5553}, Country: "AFG", Deaths: 3},
		{ID: "ucdp-ged-9000005", Date: "2019-11-30", Point: orb.Point{-99.1332, 19.4326}, Country: "MEX", Deaths: 5},
	}
	for i := range want {
		want[i].Source = src
		want[i].Source.Identifier = strings.TrimPrefix(want[i].ID, "ucdp-ged-")
	}
	if !reflect.DeepEqual(b.Events, want) {
		t.Errorf("events\n got %+v\nwant %+v", b.Events, want)
	}
}

// TestGEDAfterACD imports the conflicts, then the fixture's events, and
// re-imports both: the second round changes nothing.
func TestGEDAfterACD(t *testing.T) {
	acd := sharedData(t, "ucdp-acd/UcdpPrioConflict_v23_1.csv")
	s := newFakeStore()
	ctx := context.Background()
	for round := range 2 {
		if rep, err := Import(ctx, s, "ucdp", acd, Options{}); err != nil || (round == 1 && !rep.Change.Empty()) {
			t.Fatalf("round %d: ACD: %v %+v", round, err, rep)
		}
		rep, err := Import(ctx, s, "ucdp-ged", "testdata/ged_fixture.csv", Options{SkipInvalid: true})
		if err != nil {
			t.Fatalf("round %d: GED: %v", round, err)
		}
		if round == 0 && rep.Change.Inserted["events"] != 4 || round == 1 && !rep.Change.Empty() {
			t.Errorf("round %d: change %+v", round, rep.Change)
		}
	}
}

func TestUCDPSemicolonAndISODates(t *testing.T) {
	in := "conflict_id;location;side_a;side_a_id;side_b;side_b_id;incompatibility;territory_name;year;intensity_level;type_of_conflict;start_date;ep_end;gwno_loc;version\n" +
		"1;Fixland;Government of Fixland;1;Rebels;2;2;;2020;1;3;2019-05-01;0;\"750\";24.1\n" +
		"1;Fixland;Government of Fixland;1;Rebels;2;2;;2021;2;3;2019-05-01;1;750;24.1\n" +
		"2;Fixland;Government of Fixland;1;Others;3;1;North;2023;1;3;2023-01-02;0;750;24.1\n"
	b, _, err := Parse("ucdp", strings.NewReader(in), "acd.csv", Options{})
	if err != nil {
		t.Fatal(err)
	}
	c1, c2 := conflictByID(t, b, "ucdp-1"), conflictByID(t, b, "ucdp-2")
	if c1.StartYear != 2019 || c1.EndYear != 2021 || c1.Intensity != 2 || c1.Name != "Fixland: Government" {
		t.Errorf("conflict 1: %+v", c1)
	}
	if c2.EndYear != 0 || c2.Name != "Fixland: North" || c2.Source.Date != "2024" {
		t.Errorf("conflict 2: %+v", c2)
	}
}

func TestGWTable(t *testing.T) {
	tab, err := loadAliases()
	if err != nil {
		t.Fatal(err)
	}
	for code, iso := range gwToISO3 {
		a, ok := tab.byID[iso]
		if !ok || a.Kind != data.ActorState {
			t.Errorf("GW %d maps to %s, which is not a state in the alias table", code, iso)
		}
	}
	for code, want := range map[int]string{260: "DEU", 265: "DEU", 345: "SRB", 365: "RUS", 678: "YEM", 680: "YEM", 817: "VNM", 751: "IND"} {
		if got, _ := gwISO3(code); got != want {
			t.Errorf("GW %d = %s, want %s", code, got, want)
		}
	}
	if _, err := gwList("gwno_loc", "750, 9999"); err == nil || !strings.Contains(err.Error(), "9999") {
		t.Errorf("unknown code: err = %v", err)
	}
}
