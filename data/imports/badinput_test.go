package imports

import (
	"errors"
	"strings"
	"testing"
)

// Inputs for the bad-input table.
const (
	goodRow   = ",USA,UKR,F-16C,FGA aircraft,aircraft,,2023,2024,6,10,TIV,delivered,P,T,2025,,,\n"
	sipriPre  = "Transfers of major conventional arms\n\n\n\n\n\n\n\n\nSource: SIPRI Arms Transfers Database (c) SIPRI.\nData generated: 13 Mar 2025 10:02:49 AM\n"
	legacyHdr = "Recipient,Supplier,Year of order, ,Number ordered, ,Weapon designation,Weapon description,Number delivered, ,Year(s) of delivery,status,Comments,SIPRI TIV per unit,SIPRI TIV for total order,SIPRI TIV of delivered weapons\n"
	legacyRow = "Afghanistan,Brazil,2017,,6,,EMB-314 Super Tucano,trainer/combat aircraft,6,,2018,New,A-29B version,4.5,27,27\n"
	pre2026   = "Transfers;\r\n;\r\n;\r\n;\r\n;\r\n;\r\n;\r\n;\r\n;\r\nSource: SIPRI Arms Transfers Database (c) SIPRI.;\r\nData generated: 12 Feb 2026 12:26:12 PM;\r\n"
	hdr2026   = "SIPRI AT Database ID,Supplier,Recipient,Designation,Description,Armament category,Order date,Order date is estimate,Numbers delivered,Numbers delivered is estimate,Delivery year,Delivery year is estimate,Status,SIPRI estimate,TIV deal unit,TIV delivery values,Local production;\r\n"
	row2026   = "55238,Albania,Burkina Faso,PM-43 120mm,mortar,Artillery,2011,Yes,12,No,2011,No,Second hand,0.25,0.1,1.2,No;\r\n"
	acdHdr    = "conflict_id,location,side_a,side_a_id,side_b,side_b_id,incompatibility,territory_name,year,intensity_level,type_of_conflict,start_date,ep_end,gwno_loc,version\n"
	gedHdr    = "id,year,type_of_violence,conflict_new_id,latitude,longitude,country_id,date_start,best\n"
	kielWHdr  = "donor,category,number_of_weapons,monetary_value_eur,weapons_list\n"
	kielEHdr  = "country,iso,year,month,military\n"
)

// TestBadInput feeds each importer broken files. Every case must fail
// without a batch, with a *ParseError whose message names the file and the
// line (or column) and says what is wrong.
func TestBadInput(t *testing.T) {
	cases := []struct {
		name, kind, file, in string
		want                 []string
	}{
		{"malformed CSV row", "transfers", "t.csv", transfersHeaderLine + goodRow + ",USA,UKR,\"F-16C,x\n",
			[]string{"t.csv:3: malformed CSV"}},
		{"unknown country name", "transfers", "t.csv", transfersHeaderLine + strings.Replace(goodRow, "UKR", "Ruritania", 1),
			[]string{`t.csv:2: unknown recipient "Ruritania"`}},
		{"bad year", "transfers", "t.csv", transfersHeaderLine + strings.Replace(goodRow, ",2023,", ",20x3,", 1),
			[]string{`t.csv:2: order_year "20x3" is not a year`}},
		{"year out of range", "transfers", "t.csv", transfersHeaderLine + strings.Replace(goodRow, ",2024,", ",1850,", 1),
			[]string{"t.csv:2: delivery_years 1850 out of range 1900-2100"}},
		{"negative quantity", "transfers", "t.csv", transfersHeaderLine + strings.Replace(goodRow, ",6,", ",-6,", 1),
			[]string{"t.csv:2: quantity -6 is negative"}},
		{"unknown category", "transfers", "t.csv", transfersHeaderLine + strings.Replace(goodRow, ",aircraft,", ",spaceships,", 1),
			[]string{`t.csv:2: unknown category "spaceships"`}},
		{"missing column", "transfers", "t.csv", strings.Replace(transfersHeaderLine, ",status", "", 1) + goodRow,
			[]string{"t.csv:1: missing required column(s) status"}},
		{"extra column", "transfers", "t.csv", strings.TrimSuffix(transfersHeaderLine, "\n") + ",colour\n" + goodRow,
			[]string{`t.csv:1: unknown column(s) "colour" (column 20)`}},
		{"BOM then a bad row", "transfers", "t.csv", "\ufeff" + transfersHeaderLine + strings.Replace(goodRow, "delivered", "shipped", 1),
			[]string{`t.csv:2: unknown status "shipped"`}},
		{"wrong encoding", "transfers", "t.csv", transfersHeaderLine + strings.Replace(goodRow, "F-16C", "B\xfc-181", 1),
			[]string{"t.csv:2: weapon is not valid UTF-8"}},
		{"NaN value", "transfers", "t.csv", transfersHeaderLine + strings.Replace(goodRow, ",10,", ",NaN,", 1),
			[]string{`t.csv:2: value "NaN" is not a finite number`}},
		{"infinite value", "transfers", "t.csv", transfersHeaderLine + strings.Replace(goodRow, ",10,", ",+Inf,", 1),
			[]string{`t.csv:2: value "+Inf" is not a finite number`}},
		{"empty file", "transfers", "t.csv", "", []string{"t.csv: empty file"}},
		{"header only", "transfers", "t.csv", transfersHeaderLine, []string{"t.csv: no data rows"}},
		{"value without unit", "transfers", "t.csv", transfersHeaderLine + strings.Replace(goodRow, ",TIV,", ",,", 1),
			[]string{"t.csv:2: value given without a valid unit"}},
		{"same supplier and recipient", "transfers", "t.csv", transfersHeaderLine + strings.Replace(goodRow, "UKR", "United States", 1),
			[]string{"t.csv:2: supplier and recipient are the same"}},
		{"bad source date", "transfers", "t.csv", transfersHeaderLine + strings.Replace(goodRow, ",2025,", ",March 2025,", 1),
			[]string{`t.csv:2: source_date "March 2025" is not YYYY`}},
		{"no citation", "transfers", "t.csv", transfersHeaderLine + strings.Replace(goodRow, ",P,T,", ",,T,", 1),
			[]string{"t.csv:2: source citation needs publisher, title and date"}},
		{"short row", "transfers", "t.csv", transfersHeaderLine + "x,USA,UKR\n", []string{"t.csv:2: has 3 fields, want 19"}},
		{"repeated key", "transfers", "t.csv", transfersHeaderLine + "k1" + goodRow + "k1" + strings.Replace(goodRow, "F-16C", "F-35A", 1),
			[]string{`t.csv:3: key "k1" repeats line 2`}},
		{"non-http URL", "transfers", "t.csv", transfersHeaderLine + strings.Replace(goodRow, ",2025,,,", ",2025,ftp://x/y,,", 1),
			[]string{`t.csv:2: source_url "ftp://x/y" is not an http or https URL`}},
		{"semicolon separated", "transfers", "t.csv", strings.ReplaceAll(transfersHeaderLine, ",", ";"),
			[]string{"t.csv:1: the header is separated by ';'"}},
		{"not a SIPRI file", "sipri", "s.csv", "hello,world\n1,2\n", []string{"s.csv: no SIPRI trade-register header"}},
		{"SIPRI unknown supplier", "sipri", "s.csv", sipriPre + legacyHdr + strings.Replace(legacyRow, "Brazil", "Ruritania", 1),
			[]string{`s.csv:13: unknown supplier "Ruritania"`}},
		{"SIPRI bad delivery year", "sipri", "s.csv", sipriPre + legacyHdr + legacyRow + strings.Replace(legacyRow, ",2018,", ",2018; 19x7,", 1),
			[]string{`s.csv:14: year of delivery "19x7" is not a year`}},
		{"SIPRI negative number ordered", "sipri", "s.csv", sipriPre + legacyHdr + strings.Replace(legacyRow, ",6,,EMB", ",-6,,EMB", 1),
			[]string{"s.csv:13: number ordered -6 is negative"}},
		{"SIPRI wrong header", "sipri", "s.csv", sipriPre + strings.Replace(legacyHdr, "Comments", "Remarks", 1) + legacyRow,
			[]string{`s.csv:12: unexpected legacy SIPRI header: column 13 is "Remarks", want "comments"`}},
		{"SIPRI unterminated fragment", "sipri", "s.csv", sipriPre + legacyHdr + "Afghanistan,Brazil,2017,,6\n",
			[]string{"s.csv:13: has 5 fields, want 16"}},
		{"SIPRI 2026 unknown category", "sipri", "s.csv", pre2026 + hdr2026 + strings.Replace(row2026, "Artillery", "Lasers", 1),
			[]string{`s.csv:13: unknown armament category "Lasers" (deal 55238 not imported)`}},
		{"SIPRI 2026 inconsistent deal", "sipri", "s.csv", pre2026 + hdr2026 + row2026 + strings.Replace(strings.Replace(row2026, "Burkina Faso", "Mali", 1), ",2011,No,Second", ",2012,No,Second", 1),
			[]string{`s.csv:14: deal 55238: recipient "Mali" differs from "Burkina Faso" on line 13`}},
		{"SIPRI 2026 bad id", "sipri", "s.csv", pre2026 + hdr2026 + strings.Replace(row2026, "55238", "x1", 1),
			[]string{`s.csv:13: SIPRI AT Database ID "x1" is not a positive whole number`}},
		{"UCDP unknown GW code", "ucdp", "acd.csv", acdHdr + "1,X,A,1,B,2,2,,2020,1,3,2019-05-01,0,999,24.1\n",
			[]string{"acd.csv:2: unknown Gleditsch-Ward code 999 in gwno_loc"}},
		{"UCDP bad date", "ucdp", "acd.csv", acdHdr + "1,X,A,1,B,2,2,,2020,1,3,31/31/2019,0,750,24.1\n",
			[]string{`acd.csv:2: start_date "31/31/2019" is not a date`}},
		{"UCDP bad intensity", "ucdp", "acd.csv", acdHdr + "1,X,A,1,B,2,2,,2020,3,3,2019-05-01,0,750,24.1\n",
			[]string{`acd.csv:2: intensity_level "3" is not 1 or 2`}},
		{"UCDP missing column", "ucdp", "acd.csv", strings.Replace(acdHdr, ",gwno_loc", "", 1) + "1,X,A,1,B,2,2,,2020,1,3,2019-05-01,0,24.1\n",
			[]string{"acd.csv:1: missing column(s) gwno_loc"}},
		{"UCDP repeated year", "ucdp", "acd.csv", acdHdr + "1,X,A,1,B,2,2,,2020,1,3,2019-05-01,0,750,24.1\n1,X,A,1,B,2,2,,2020,1,3,2019-05-01,0,750,24.1\n",
			[]string{"acd.csv:3: conflict 1 has year 2020 twice (also line 2)"}},
		{"GED NaN coordinate", "ucdp-ged", "ged.csv", gedHdr + "1,2020,1,333,NaN,69.2,700,2020-01-05,3\n",
			[]string{`ged.csv:2: latitude "NaN" is not a number`}},
		{"GED unknown country code", "ucdp-ged", "ged.csv", gedHdr + "1,2020,1,333,34.5,69.2,1234,2020-01-05,3\n",
			[]string{"ged.csv:2: unknown Gleditsch-Ward code 1234 in country_id"}},
		{"Kiel unknown weapons category", "kiel", "weapons.csv", kielWHdr + "Norway,Jets,8,1000,F-16 (8)\n",
			[]string{`weapons.csv:2: unknown weapons category "Jets"`}},
		{"Kiel bad month", "kiel", "data_explorer.csv", kielEHdr + "Norway,NOR,2024,13,0.5\n",
			[]string{`data_explorer.csv:2: month "13" is not 1-12`}},
		{"Kiel name and iso disagree", "kiel", "data_explorer.csv", kielEHdr + "Norway,SWE,2024,1,0.5\n",
			[]string{`data_explorer.csv:2: country "Norway" is NOR but iso "SWE" is SWE`}},
		{"Kiel unknown file", "kiel", "other.csv", "a,b\n1,2\n", []string{"other.csv:1: not a known Kiel Ukraine Support Tracker file"}},
	}
	if len(cases) < 20 {
		t.Fatalf("only %d cases", len(cases))
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, rep, err := Parse(c.kind, strings.NewReader(c.in), c.file, Options{})
			if b != nil {
				t.Errorf("a batch of %d records was returned for storing", b.Len())
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v (%T), want a *ParseError", err, err)
			}
			if rep == nil || len(rep.Rejected) == 0 {
				t.Errorf("report lists no rejected row: %+v", rep)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error\n  %v\ndoes not contain\n  %s", err, w)
				}
			}
		})
	}
}
