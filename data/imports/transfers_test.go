package imports

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/armsflow/armsflow/data"
)

const transfersHeaderLine = "key,supplier,recipient,weapon,description,category,source_category,order_year,delivery_years,quantity,value,unit,status,source_publisher,source_title,source_date,source_url,source_id,notes\n"

func TestParseTransfersCSV(t *testing.T) {
	in := "\ufeff" + "Recipient,SUPPLIER,weapon,category,status,source_publisher,source_title,source_date,order_year,delivery_years,quantity,value,unit,source_id\n" +
		"Ukraine,United States,M142 HIMARS,artillery,delivered,Example Publisher,Example list,2024-05,2022,2022; 2023,39,,,ID-1\n" +
		"UKR,usa,M142 HIMARS,artillery,delivered,Example Publisher,Example list,2024-05,2022,2022;2023,39,,,ID-1\n" +
		"NS-HEZBOLLAH,Iran,Kornet,missiles,ordered,Example Publisher,Example list,2024,,,,1.5,TIV,\n" +
		"\"Korea, South\",Türkiye,K9,artillery,notified,Example Publisher,Example list,2024-05-01,,,,2000000,usd,\n"
	b, err := ParseTransfersCSV(strings.NewReader(in), "mine.csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Transfers) != 4 {
		t.Fatalf("transfers = %d, want 4", len(b.Transfers))
	}
	src := data.Source{Publisher: "Example Publisher", Title: "Example list", Date: "2024-05", Identifier: "ID-1"}
	want := data.Transfer{Supplier: "USA", Recipient: "UKR", Weapon: "M142 HIMARS", Category: data.CatArtillery,
		OrderYear: 2022, DeliveryYears: []int{2022, 2023}, Quantity: ptrI(39), Status: data.StatusDelivered, Source: src}
	checkTransfer(t, b.Transfers[0], want)
	// The same row spelled differently gets the same hash plus an occurrence counter.
	k0, k1 := b.Transfers[0].Key, b.Transfers[1].Key
	if !strings.HasPrefix(k0, "csv:") || k1 != k0+"-2" {
		t.Errorf("keys %q, %q: want csv:<hash> and the same with -2", k0, k1)
	}
	if tr := b.Transfers[3]; tr.Supplier != "TUR" || tr.Recipient != "KOR" || tr.Unit != data.UnitUSD || *tr.Value != 2e6 || tr.Status != data.StatusNotified {
		t.Errorf("row 5: %+v", tr)
	}
	ids := []string{}
	for _, a := range b.Actors {
		ids = append(ids, a.ID+"="+a.Name)
	}
	if got := strings.Join(ids, ","); got != "IRN=Iran,KOR=South Korea,NS-HEZBOLLAH=Hezbollah (Lebanon),TUR=Türkiye,UKR=Ukraine,USA=United States" {
		t.Errorf("actors %s", got)
	}
	// Re-parsing gives the same keys: re-import is idempotent.
	b2, err := ParseTransfersCSV(strings.NewReader(in), "mine.csv")
	if err != nil || !reflect.DeepEqual(b, b2) {
		t.Errorf("second parse differs (err %v)", err)
	}
}

func TestTransfersHeaderRoundTrip(t *testing.T) {
	in := transfersHeaderLine + "sipri:1,USA,UKR,F-16C,FGA aircraft,aircraft,Aircraft,2023,2024,6,120.5,TIV,delivered,P,T,2025,https://example.org/x,1,hello\n"
	b, err := ParseTransfersCSV(strings.NewReader(in), "all.csv")
	if err != nil {
		t.Fatal(err)
	}
	got := b.Transfers[0]
	want := data.Transfer{Key: "sipri:1", Supplier: "USA", Recipient: "UKR", Weapon: "F-16C", Description: "FGA aircraft",
		Category: data.CatAircraft, SourceCategory: "Aircraft", OrderYear: 2023, DeliveryYears: []int{2024},
		Quantity: ptrI(6), Value: ptrF(120.5), Unit: data.UnitTIV, Status: data.StatusDelivered,
		Source: data.Source{Publisher: "P", Title: "T", Date: "2025", URL: "https://example.org/x", Identifier: "1"}, Notes: "hello"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("\n got %+v\nwant %+v", got, want)
	}
	if strings.Join(TransfersHeader(), ",")+"\n" != transfersHeaderLine {
		t.Error("TransfersHeader differs from the documented header")
	}
}

func TestSkipInvalidKeepsGoodRows(t *testing.T) {
	in := transfersHeaderLine +
		",USA,UKR,F-16C,,aircraft,,,,,,,delivered,P,T,2025,,,\n" +
		",USA,Atlantis,F-16C,,aircraft,,,,,,,delivered,P,T,2025,,,\n" +
		",USA,UKR,F-35A,,aircraft,,,,-1,,,delivered,P,T,2025,,,\n" +
		",GBR,UKR,Storm Shadow,,missiles,,,,,,,delivered,P,T,2025,,,\n"
	s := newFakeStore()
	dir := t.TempDir()
	path := filepath.Join(dir, "mixed.csv")
	if err := os.WriteFile(path, []byte(in), 0o600); err != nil {
		t.Fatal(err)
	}
	// Strict: nothing stored, both bad rows named.
	rep, err := Import(context.Background(), s, "transfers", path, Options{})
	if err == nil || s.count("transfers") != 0 || rep.Applied {
		t.Fatalf("strict import stored something or did not fail: %v", err)
	}
	for _, w := range []string{`mixed.csv:3: unknown recipient "Atlantis"`, "mixed.csv:4: quantity -1 is negative"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks %q:\n%v", w, err)
		}
	}
	// Skipping: the two good rows are stored, the two bad ones reported.
	rep, err = Import(context.Background(), s, "transfers", path, Options{SkipInvalid: true})
	if err != nil {
		t.Fatal(err)
	}
	if s.count("transfers") != 2 || len(rep.Rejected) != 2 || rep.Rejected[0].Line != 3 || rep.Rejected[1].Line != 4 {
		t.Errorf("stored %d, rejected %v", s.count("transfers"), rep.Rejected)
	}
	if !strings.Contains(rep.String(), "mixed.csv:3: unknown recipient") || !strings.Contains(rep.String(), "inserted") {
		t.Errorf("report string:\n%s", rep)
	}
	// Dry run: reports the change, stores nothing.
	s2 := newFakeStore()
	rep, err = Import(context.Background(), s2, "transfers", path, Options{SkipInvalid: true, DryRun: true})
	if err != nil || s2.count("transfers") != 0 || rep.Change.Inserted["transfers"] != 2 || !strings.Contains(rep.String(), "dry run") {
		t.Errorf("dry run: err %v, stored %d, change %+v", err, s2.count("transfers"), rep.Change)
	}
}

func TestManyBadRowsAreCounted(t *testing.T) {
	var sb strings.Builder
	sb.WriteString(transfersHeaderLine)
	for i := 0; i < 60; i++ {
		fmt.Fprintf(&sb, ",USA,Nowhere%d,F-16C,,aircraft,,,,,,,delivered,P,T,2025,,,\n", i)
	}
	_, _, err := Parse("transfers", strings.NewReader(sb.String()), "many.csv", Options{})
	var pe *ParseError
	if !errors.As(err, &pe) || len(pe.Rows) != 60 {
		t.Fatalf("err %v", err)
	}
	msg := err.Error()
	if !strings.Contains(msg, "many.csv: 60 invalid rows") || !strings.Contains(msg, "many.csv:51: unknown recipient \"Nowhere49\"") ||
		strings.Contains(msg, "many.csv:52:") || !strings.Contains(msg, "... and 10 more") {
		t.Errorf("message:\n%s", msg)
	}
}

func TestUnknownKind(t *testing.T) {
	_, _, err := Parse("dsca", strings.NewReader("x"), "x.csv", Options{})
	if err == nil || !strings.Contains(err.Error(), `unknown import kind "dsca"`) {
		t.Errorf("err = %v", err)
	}
	if ks := strings.Join(Kinds(), ","); ks != "countries,kiel,sipri,transfers,ucdp,ucdp-ged" {
		t.Errorf("Kinds() = %s", ks)
	}
}

func TestProgressBar(t *testing.T) {
	in := transfersHeaderLine + ",USA,UKR,F-16C,,aircraft,,,,,,,delivered,P,T,2025,,,\n"
	path := filepath.Join(t.TempDir(), "p.csv")
	if err := os.WriteFile(path, []byte(in), 0o600); err != nil {
		t.Fatal(err)
	}
	tty := &termWriter{tty: true}
	if _, err := Import(context.Background(), newFakeStore(), "transfers", path, Options{Progress: tty}); err != nil {
		t.Fatal(err)
	}
	out := string(tty.buf)
	if !strings.Contains(out, "\rp.csv [") || !strings.Contains(out, "100%") || !strings.HasSuffix(out, "\n") {
		t.Errorf("progress output %q", out)
	}
	pipe := &termWriter{tty: false}
	if _, err := Import(context.Background(), newFakeStore(), "transfers", path, Options{Progress: pipe}); err != nil {
		t.Fatal(err)
	}
	if len(pipe.buf) != 0 {
		t.Errorf("progress drawn on a non-terminal: %q", pipe.buf)
	}
}

func TestAliasLookup(t *testing.T) {
	for name, want := range map[string]string{
		"Korea, South": "KOR", "South Korea": "KOR", "Türkiye": "TUR", "Turkiye": "TUR", "turkey": "TUR",
		"UAE": "ARE", "Viet Nam": "VNM", "Côte d'Ivoire": "CIV", "Cote d’Ivoire": "CIV", "  united   STATES ": "USA",
		"Soviet Union": "SUN", "East Germany (GDR)": "DDR", "North Yemen": "YAR", "Yemen Arab Republic (North Yemen)": "YAR",
		"South Yemen": "YMD", "Hezbollah (Lebanon)*": "NS-HEZBOLLAH", "United Nations**": "NS-UNITED-NATIONS",
		"unknown recipient(s)": "NS-UNKNOWN-RECIPIENT", "usa": "USA", "KOS": "XKX", "ns-hezbollah": "NS-HEZBOLLAH",
	} {
		a, ok := LookupActor(name)
		if !ok || a.ID != want {
			t.Errorf("LookupActor(%q) = %+v, %v; want %s", name, a, ok, want)
		}
	}
	for _, name := range []string{"", "Atlantis", "Hezbollah", "Korea", "NS-NOBODY"} {
		if a, ok := LookupActor(name); ok {
			t.Errorf("LookupActor(%q) = %+v, want not found", name, a)
		}
	}
	actors, err := KnownActors()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range actors {
		if !data.ValidActorID(a.ID) || a.Name == "" {
			t.Errorf("bad actor %+v", a)
		}
	}
}

func TestAliasTableErrors(t *testing.T) {
	const h = "id,kind,country,name,aliases\n"
	for in, want := range map[string]string{
		h + "usa,state,,United States,\n":                        "invalid actor id",
		h + "USA,state,,United States,\nUSA,state,,Again,\n":     "duplicate id",
		h + "USA,state,,United States,\nGBR,state,,UK,USA\n":     "is both USA and GBR",
		h + "SUN,former,,Soviet Union,\n":                        "needs a successor",
		h + "NS-X,non-state,ZZZ,X,\n":                            "not a state in the table",
		h + "HEZ,non-state,,Hezbollah,\n":                        "must start with NS-",
		h + "USA,country,,United States,\n":                      "unknown kind",
		"id,name\n":                                              "wrong number of fields",
		h + "USA,state,USA,United States,\n":                     "no anchor country",
		"ident,kind,country,name,aliases\nUSA,state,,U,\n":       "unexpected header",
		h + "USA,state,,United States,\"\"\"unterminated\n":      "aliases.csv",
		h + "NS-X,non-state,,X,;\n":                              "empty name",
		h + "USA,state,,United States,\nNS-A,non-state,,A,usa\n": "is both USA and NS-A",
	} {
		if _, err := parseAliasTable([]byte(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("parseAliasTable(%q) = %v, want an error containing %q", in, err, want)
		}
	}
}
