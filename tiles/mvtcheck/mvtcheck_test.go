package mvtcheck

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// repoRoot walks up from the package directory to the directory holding go.mod.
func repoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test directory")
		}
		dir = parent
	}
}

func fixturesDir(t testing.TB) string {
	dir := filepath.Join(repoRoot(t), "static", "node_modules", "@mapbox", "mvt-fixtures", "fixtures")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("@mapbox/mvt-fixtures not installed (%v): run `cd static && npm ci`", err)
	}
	return dir
}

type fixtureInfo struct {
	Description string `json:"description"`
	Validity    struct {
		V1 bool `json:"v1"`
		V2 bool `json:"v2"`
	} `json:"validity"`
}

// knownExceptions are fixtures whose validity label contradicts another
// fixture's, so no checker can agree with both.
var knownExceptions = map[string]string{
	// 016 is byte-identical to 003 (the type field is omitted, which proto2
	// reads as its default, UNKNOWN). 003 is labelled invalid ("missing
	// geometry type": a feature MUST contain a type field), 016 valid. The
	// checker follows 003: a missing type field is an error; a type field
	// present and set to UNKNOWN would only be a warning.
	"016": "byte-identical to 003, which is labelled invalid",
	// 057 is a POINT whose MoveTo has count 536870911 and one pair of
	// parameters: the same command shape as 051, which is labelled invalid
	// ("count too large"). A MoveTo of count n MUST be followed by n pairs.
	"057": "same command shape as 051, which is labelled invalid",
}

func TestFixtures(t *testing.T) {
	dir := fixturesDir(t)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	if len(names) < 70 {
		t.Fatalf("only %d fixtures in %s", len(names), dir)
	}
	agree, invalid, exceptions := 0, 0, 0
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join(dir, name, "info.json"))
			if err != nil {
				t.Fatal(err)
			}
			var info fixtureInfo
			if err := json.Unmarshal(raw, &info); err != nil {
				t.Fatalf("%s/info.json: %v", name, err)
			}
			tile, err := os.ReadFile(filepath.Join(dir, name, "tile.mvt"))
			if err != nil {
				t.Fatal(err)
			}
			rep := Check(tile, Options{})
			if !info.Validity.V2 {
				invalid++
			}
			if why, ok := knownExceptions[name]; ok {
				exceptions++
				if rep.Valid() == info.Validity.V2 {
					t.Errorf("known exception %s (%s) now agrees with its label: remove it from knownExceptions", name, why)
				}
				t.Logf("known exception (%s): label v2=%t, checker: %v", why, info.Validity.V2, rep.Issues)
				return
			}
			if rep.Valid() != info.Validity.V2 {
				t.Errorf("fixture %s (%s): label v2=%t, checker valid=%t, issues: %v",
					name, info.Description, info.Validity.V2, rep.Valid(), rep.Issues)
				return
			}
			agree++
		})
	}
	t.Logf("%d fixtures: %d agree with their v2 label (%d labelled invalid), %d known exceptions", len(names), agree, invalid, exceptions)
	if agree+exceptions != len(names) {
		t.Errorf("only %d of %d fixtures agree", agree, len(names))
	}
}

// TestFixtureIssues pins the reason the checker gives for a few invalid
// fixtures, so a fixture is rejected for the right rule.
func TestFixtureIssues(t *testing.T) {
	dir := fixturesDir(t)
	cases := map[string]string{
		"003": "no type field",
		"004": "no geometry",
		"005": "even number",
		"006": "not in the GeomType enum",
		"007": "does not decode",
		"012": "version 99",
		"015": "layers have this name",
		"023": "no name",
		"014": "no name",
		"024": "no version field",
		"030": "not a single MoveTo",
		"040": "key index",
		"042": "value index",
		"044": "starts with ClosePath",
		"045": "needs 2 parameters",
		"046": "zero-length delta",
		"047": "ClosePath count 2",
		"048": "ClosePath count 0",
		"051": "count 536870911",
		"052": "needs 4 parameters",
		"058": "count 536870911",
		"061": "ClosePath count 0",
		"011": "exactly one",
		"026": "exactly one",
	}
	for name, want := range cases {
		tile, err := os.ReadFile(filepath.Join(dir, name, "tile.mvt"))
		if err != nil {
			t.Fatal(err)
		}
		rep := Check(tile, Options{})
		found := false
		for _, is := range rep.Issues {
			if is.Level == Error && strings.Contains(is.Msg, want) {
				found = true
			}
		}
		if !found {
			t.Errorf("fixture %s: want an error containing %q, got %v", name, want, rep.Issues)
		}
	}
}
