package defaults

import (
	"bytes"
	"strings"
	"testing"
)

const conflictsHeader = "id,name,type,start_year,end_year,intensity,countries,parties,source_publisher,source_title,source_date,source_url,notes\n"

func TestParseConflicts(t *testing.T) {
	doc := conflictsHeader +
		"ucdp-1,A: government vs B,intrastate,2014,,2,AAA;BBB,Government of A;B,Pub,Title,2023,https://example.org/x,\n" +
		"af-x,C–D,interstate,2020,2021,1,CCC,,Pub,Title,2024-05,,a note\n"
	cs, err := parseConflicts(strings.NewReader(doc), "c.csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 2 {
		t.Fatalf("got %d conflicts", len(cs))
	}
	a := cs[0]
	if a.ID != "ucdp-1" || a.Type != "intrastate" || a.StartYear != 2014 || a.EndYear != 0 || a.Intensity != 2 ||
		strings.Join(a.Countries, ",") != "AAA,BBB" || strings.Join(a.Parties, ",") != "Government of A,B" ||
		a.Source.URL != "https://example.org/x" {
		t.Errorf("first row %+v", a)
	}
	if b := cs[1]; b.EndYear != 2021 || len(b.Parties) != 0 || b.Source.Date != "2024-05" {
		t.Errorf("second row %+v", b)
	}
}

func TestParseConflictsErrors(t *testing.T) {
	good := "x,X,intrastate,2014,,1,AAA,,P,T,2023,,\n"
	tests := []struct {
		name, doc, want string
	}{
		{"header", "id,name\n", "c.csv:1: header is"},
		{"fields", conflictsHeader + "x,X,intrastate\n", "c.csv:2:"},
		{"type", conflictsHeader + "x,X,civil,2014,,1,AAA,,P,T,2023,,\n", `c.csv:2: type "civil" is not a UCDP type`},
		{"years", conflictsHeader + "x,X,intrastate,2014,2010,1,AAA,,P,T,2023,,\n", "end_year 2010 is before start_year 2014"},
		{"start", conflictsHeader + "x,X,intrastate,14,,1,AAA,,P,T,2023,,\n", `start_year: "14" is not a year`},
		{"intensity", conflictsHeader + "x,X,intrastate,2014,,3,AAA,,P,T,2023,,\n", `intensity "3" is not 1 or 2`},
		{"country", conflictsHeader + "x,X,intrastate,2014,,1,aa,,P,T,2023,,\n", `country "aa" is not an ISO3 code`},
		{"source", conflictsHeader + "x,X,intrastate,2014,,1,AAA,,,T,2023,,\n", "source_publisher, source_title and source_date are required"},
		{"url", conflictsHeader + "x,X,intrastate,2014,,1,AAA,,P,T,2023,http://a.b/,\n", "is not an https URL"},
		{"duplicate", conflictsHeader + good + good, `c.csv:3: id "x" repeats line 2`},
		{"every row", conflictsHeader + "x,X,intrastate,2014,,3,AAA,,P,T,2023,,\ny,Y,intrastate,2014,,3,AAA,,P,T,2023,,\n",
			"c.csv:3: intensity"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs, err := parseConflicts(strings.NewReader(tt.doc), "c.csv")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want it to contain %q", err, tt.want)
			}
			if cs != nil {
				t.Errorf("got %d conflicts alongside an error", len(cs))
			}
		})
	}
}

func TestEmbeddedConflicts(t *testing.T) {
	cs, err := parseConflicts(bytes.NewReader(conflictsCSV), "conflicts.csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) < 25 {
		t.Errorf("%d conflicts, want at least 25", len(cs))
	}
	for _, c := range cs {
		if !strings.HasPrefix(c.ID, "ucdp-") && !strings.HasPrefix(c.ID, "af-") {
			t.Errorf("id %q: want ucdp-<UCDP id> or af-<slug>", c.ID)
		}
	}
}

func FuzzParseConflicts(f *testing.F) {
	f.Add([]byte(conflictsHeader + "x,X,intrastate,2014,,1,AAA;BBB,A;B,P,T,2023,https://a.b/c,n\n"))
	f.Add([]byte(conflictsHeader + "\"x\"\"\",X,interstate,2014,2015,2,AAA,,P,T,2023,,\n"))
	f.Add(conflictsCSV)
	f.Fuzz(func(t *testing.T, b []byte) {
		cs, err := parseConflicts(bytes.NewReader(b), "fuzz.csv")
		if err != nil {
			return
		}
		for _, c := range cs {
			if c.ID == "" || c.Intensity < 1 || c.Intensity > 2 || (c.EndYear != 0 && c.EndYear < c.StartYear) {
				t.Fatalf("invalid conflict accepted: %+v", c)
			}
		}
	})
}
