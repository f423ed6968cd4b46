package imports

import (
	"bytes"
	"math"
	"strings"
	"testing"
)

// fuzzParse runs one importer on arbitrary bytes, strict and skipping. It
// must not panic, must return either a batch or an error (never both), and
// whatever it returns for storing must be valid.
func fuzzParse(t *testing.T, kind string, in []byte) {
	for _, skip := range []bool{false, true} {
		opts := Options{SkipInvalid: skip}
		opts.sidecar = func(string) ([]byte, error) {
			return []byte("release,period,date,label\n29,04/2026,2026-08-04,\"Ukraine Support Tracker, Release 29 (04/2026)\"\n"), nil
		}
		b, rep, err := Parse(kind, bytes.NewReader(in), "fuzz.csv", opts)
		if err != nil {
			if b != nil {
				t.Fatalf("error %v with a batch", err)
			}
			continue
		}
		if b == nil || rep == nil {
			t.Fatal("no error, no batch")
		}
		if !skip && len(rep.Rejected) > 0 {
			t.Fatalf("strict parse kept a batch with rejected rows: %v", rep.Rejected)
		}
		for i := range b.Transfers {
			tr := &b.Transfers[i]
			if err := tr.Validate(); err != nil {
				t.Fatalf("invalid transfer returned: %v: %+v", err, tr)
			}
			if tr.Key == "" {
				t.Fatalf("transfer without a key: %+v", tr)
			}
		}
		for _, e := range b.Events {
			if math.Abs(e.Point.Lat()) > 90 || math.Abs(e.Point.Lon()) > 180 || e.ID == "" {
				t.Fatalf("bad event returned: %+v", e)
			}
		}
		for _, c := range b.Conflicts {
			if c.ID == "" || len(c.Countries) == 0 {
				t.Fatalf("bad conflict returned: %+v", c)
			}
		}
	}
}

func FuzzParseSIPRI(f *testing.F) {
	f.Add([]byte(sipriPre + legacyHdr + legacyRow))
	f.Add([]byte(sipriPre + legacyHdr + "Thailand,Ukraine,2008,,14,,BTR-3,APC,13,,2010; 2012,New,Part of a deal\n,0.25,3.5,3.25\n"))
	f.Add([]byte(pre2026 + hdr2026 + row2026 + strings.Replace(row2026, ",2011,No,Second", ",2012,Yes,Second", 1)))
	f.Add([]byte(legacyHdr))
	f.Add([]byte("\xef\xbb\xbf" + hdr2026))
	f.Fuzz(func(t *testing.T, in []byte) { fuzzParse(t, "sipri", in) })
}

func FuzzParseUCDP(f *testing.F) {
	f.Add([]byte(acdHdr + "1,X,A,1,B,2,2,,2020,1,3,2019-05-01,0,750,24.1\n1,X,A,1,\"B, C\",\"2, 3\",1,T,2021,2,4,5/1/2019,1,\"750, 770\",24.1\n"))
	f.Add([]byte(strings.ReplaceAll(acdHdr, ",", ";") + "1;X;A;1;B;2;2;;2020;1;3;2019-05-01;0;750;24.1\n"))
	f.Add([]byte(acdHdr))
	f.Fuzz(func(t *testing.T, in []byte) { fuzzParse(t, "ucdp", in) })
}

func FuzzParseGED(f *testing.F) {
	f.Add([]byte(gedHdr + "1,2020,1,333,34.5,69.2,700,2020-01-05 00:00:00.000,3\n2,2020,3,9,-91,0,700,1/5/2020,1\n"))
	f.Add([]byte(gedHdr))
	f.Fuzz(func(t *testing.T, in []byte) { fuzzParse(t, "ucdp-ged", in) })
}

func FuzzParseKiel(f *testing.F) {
	f.Add([]byte(kielWHdr + "Norway,Tanks,8,15963068,Leopard-2A4 (8)\nPoland,IFV,42,21799944,BMP-1 (42)\n"))
	f.Add([]byte(kielEHdr + "Norway,NOR,2024,1,0.5\nNorway,NOR,2024,2,-0.1\nEU (Commission and Council),EU,2023,1,0\n"))
	f.Add([]byte("year,month,total_allocations\n2022,1,0.2\n"))
	f.Fuzz(func(t *testing.T, in []byte) { fuzzParse(t, "kiel", in) })
}

func FuzzParseTransfersCSV(f *testing.F) {
	f.Add([]byte(transfersHeaderLine + goodRow))
	f.Add([]byte("\ufeffsupplier,recipient,weapon,category,status,source_publisher,source_title,source_date,delivery_years\nUSA,UKR,x,other,ordered,P,T,2024,2024;2025\n"))
	f.Add([]byte(transfersHeaderLine + ",USA,UKR,\"F-16C,x\n"))
	f.Fuzz(func(t *testing.T, in []byte) { fuzzParse(t, "transfers", in) })
}
