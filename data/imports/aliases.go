package imports

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"unicode"

	"github.com/armsflow/armsflow/data"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

//go:embed aliases.csv
var aliasesCSV []byte

// aliasTable maps normalized names and ids to actors. It is built once from
// the embedded aliases.csv and never changed.
type aliasTable struct {
	byName map[string]string     // normalized name -> actor id
	byID   map[string]data.Actor // id -> actor
}

var loadAliases = sync.OnceValues(func() (*aliasTable, error) { return parseAliasTable(aliasesCSV) })

// parseAliasTable reads the alias CSV (id,kind,country,name,aliases).
func parseAliasTable(b []byte) (*aliasTable, error) {
	cr := csv.NewReader(bytes.NewReader(b))
	cr.Comment = '#'
	cr.FieldsPerRecord = 5
	t := &aliasTable{byName: map[string]string{}, byID: map[string]data.Actor{}}
	header := true
	add := func(name, id string, line int) error {
		n := normName(name)
		if n == "" {
			return fmt.Errorf("aliases.csv:%d: empty name", line)
		}
		if old, ok := t.byName[n]; ok && old != id {
			return fmt.Errorf("aliases.csv:%d: name %q is both %s and %s", line, name, old, id)
		}
		t.byName[n] = id
		return nil
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("aliases.csv: %w", err)
		}
		line, _ := cr.FieldPos(0)
		if header {
			header = false
			if strings.Join(rec, ",") != "id,kind,country,name,aliases" {
				return nil, fmt.Errorf("aliases.csv:%d: unexpected header %q", line, rec)
			}
			continue
		}
		a := data.Actor{ID: rec[0], Kind: data.ActorKind(rec[1]), Country: rec[2], Name: rec[3]}
		if !data.ValidActorID(a.ID) {
			return nil, fmt.Errorf("aliases.csv:%d: invalid actor id %q", line, a.ID)
		}
		if _, dup := t.byID[a.ID]; dup {
			return nil, fmt.Errorf("aliases.csv:%d: duplicate id %s", line, a.ID)
		}
		switch a.Kind {
		case data.ActorState:
			if len(a.ID) != 3 || a.Country != "" {
				return nil, fmt.Errorf("aliases.csv:%d: a state needs a three-letter id and no anchor country", line)
			}
			a.Country = a.ID
		case data.ActorFormer:
			if a.Country == "" {
				return nil, fmt.Errorf("aliases.csv:%d: former state %s needs a successor country", line, a.ID)
			}
		case data.ActorNonState:
			if !strings.HasPrefix(a.ID, "NS-") {
				return nil, fmt.Errorf("aliases.csv:%d: non-state id %s must start with NS-", line, a.ID)
			}
		default:
			return nil, fmt.Errorf("aliases.csv:%d: unknown kind %q", line, a.Kind)
		}
		t.byID[a.ID] = a
		names := []string{a.ID, a.Name}
		if rec[4] != "" {
			names = append(names, strings.Split(rec[4], ";")...)
		}
		for _, n := range names {
			if err := add(n, a.ID, line); err != nil {
				return nil, err
			}
		}
	}
	for _, a := range t.byID {
		if a.Kind != data.ActorState && a.Country != "" {
			if c, ok := t.byID[a.Country]; !ok || c.Kind != data.ActorState {
				return nil, fmt.Errorf("aliases.csv: %s is anchored at %s, which is not a state in the table", a.ID, a.Country)
			}
		}
	}
	return t, nil
}

// lookup resolves a name, an ISO3 code or an actor id.
func (t *aliasTable) lookup(name string) (data.Actor, bool) {
	if id, ok := t.byName[normName(name)]; ok {
		return t.byID[id], true
	}
	if s := strings.TrimSpace(name); len(s) == 3 {
		if a, ok := t.byID[CanonicalISO3(s)]; ok {
			return a, true
		}
	}
	return data.Actor{}, false
}

// resolve is lookup with the row error message importers use.
func (t *aliasTable) resolve(role, name string) (data.Actor, error) {
	if strings.TrimSpace(name) == "" {
		return data.Actor{}, fmt.Errorf("%s is empty", role)
	}
	a, ok := t.lookup(name)
	if !ok {
		return data.Actor{}, fmt.Errorf("unknown %s %q (not an ISO3 code, actor id or name in the alias table data/imports/aliases.csv)", role, name)
	}
	return a, nil
}

// LookupActor resolves a party name in any spelling armsflow knows (SIPRI's,
// UCDP's, Kiel's, ISO names), an ISO 3166 alpha-3 code or an actor id to
// its actor.
func LookupActor(name string) (data.Actor, bool) {
	t, err := loadAliases()
	if err != nil {
		return data.Actor{}, false
	}
	return t.lookup(name)
}

// KnownActors returns every actor of the alias table, sorted by id.
func KnownActors() ([]data.Actor, error) {
	t, err := loadAliases()
	if err != nil {
		return nil, err
	}
	out := make([]data.Actor, 0, len(t.byID))
	for _, a := range t.byID {
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b data.Actor) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

// normName folds a name for look-up: accents removed, lower case, curly
// quotes straightened, '&' read as "and", whitespace collapsed, trailing
// '*' markers dropped.
func normName(s string) string {
	if !isASCII(s) {
		t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
		if out, _, err := transform.String(t, s); err == nil {
			s = out
		}
		s = strings.NewReplacer("’", "'", "‘", "'", "`", "'", "´", "'", "\u00a0", " ").Replace(s)
	}
	s = strings.ToLower(s)
	s = strings.ReplaceAll(s, "&", " and ")
	s = strings.Join(strings.Fields(s), " ")
	return strings.TrimSpace(strings.TrimRight(s, "* "))
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// actorSet collects the actors a batch refers to.
type actorSet map[string]data.Actor

func (s actorSet) add(a data.Actor) { s[a.ID] = a }

func (s actorSet) list() []data.Actor {
	out := make([]data.Actor, 0, len(s))
	for _, a := range s {
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b data.Actor) int { return strings.Compare(a.ID, b.ID) })
	return out
}
