package imports

import (
	"strings"

	"github.com/armsflow/armsflow/data"
)

// sipriCategories maps the 2026 register's "Armament category" (11
// values) to armsflow's categories. The original is kept in
// Transfer.SourceCategory. Satellites have no category of their own and go
// to other.
var sipriCategories = map[string]data.Category{
	"aircraft":            data.CatAircraft,
	"air-defence systems": data.CatAirDefence,
	"armoured vehicles":   data.CatArmoured,
	"artillery":           data.CatArtillery,
	"engines":             data.CatEngines,
	"missiles":            data.CatMissiles,
	"naval weapons":       data.CatNaval,
	"ships":               data.CatNaval,
	"sensors":             data.CatSensors,
	"satellites":          data.CatOther,
	"other":               data.CatOther,
}

// sipriCategory maps a 2026 armament category, refined by the weapon
// description in the two places where armsflow splits a SIPRI category:
// uncrewed aircraft and loitering munitions ("UAV", "armed UAV", "one-way
// attack drone"; SIPRI counts them as Aircraft or Missiles) are drones, and
// surface-to-air missiles that SIPRI files under Missiles ("SAM", "portable
// SAM") are air-defence. The legacy register's keyword table below makes
// the same splits, so both formats agree.
func sipriCategory(cat, description string) (data.Category, bool) {
	c, ok := sipriCategories[strings.ToLower(strings.TrimSpace(cat))]
	if !ok {
		return "", false
	}
	switch d := categoryFromDescription(description); {
	case d == data.CatDrones && (c == data.CatAircraft || c == data.CatMissiles):
		return data.CatDrones, true
	case d == data.CatAirDefence && c == data.CatMissiles:
		return data.CatAirDefence, true
	}
	return c, true
}

// keywordRule assigns a category to descriptions holding a phrase. A phrase
// is a run of whole words: descriptions and phrases are lower-cased and cut
// into words at every character that is not a letter or digit, so "tank"
// matches "light tank" but not "tanker", and "fire-control radar" is
// "fire control radar".
type keywordRule struct {
	phrase string
	cat    data.Category
}

// descriptionRules derives a category from SIPRI's "Weapon description"
// for the legacy register, which has no category column. The first rule
// whose phrase occurs wins, so specific phrases come before general ones
// ("anti aircraft gun" before "gun", "aircraft engine" before "aircraft",
// "anti radar" before "radar"). The table was built from the 2026
// register, whose rows carry both a description and SIPRI's own category:
// TestCategoryRulesAgreeWith2026 checks that the rules reproduce those
// categories, and TestLegacyCategoryShare reports the share of the legacy
// register that falls to "other".
var descriptionRules = []keywordRule{
	// Engines, including "ship nuclear reactor".
	{"engine", data.CatEngines}, {"turbofan", data.CatEngines}, {"turbojet", data.CatEngines},
	{"turboprop", data.CatEngines}, {"turboshaft", data.CatEngines}, {"gas turbine", data.CatEngines},
	{"reactor", data.CatEngines},
	// Anti-radar missiles before radars.
	{"anti radar", data.CatMissiles},
	// Sensors, before the platforms they are fitted to ("combat aircraft radar").
	{"radar", data.CatSensors}, {"sonar", data.CatSensors}, {"electro optical", data.CatSensors},
	{"eo", data.CatSensors}, {"recce system", data.CatSensors}, {"reconnaissance system", data.CatSensors},
	{"search system", data.CatSensors}, {"intelligence system", data.CatSensors},
	// Satellites: SIPRI's own category, armsflow's other.
	{"satellite", data.CatOther},
	// Turrets and chassis, as SIPRI files them.
	{"anti aircraft gun turret", data.CatAirDefence}, {"gun turret", data.CatArtillery},
	{"mortar turret", data.CatArtillery}, {"turret", data.CatOther}, {"chassis", data.CatArmoured},
	// Uncrewed systems.
	{"uav", data.CatDrones}, {"ucav", data.CatDrones}, {"ugv", data.CatDrones}, {"drone", data.CatDrones},
	{"loitering munition", data.CatDrones},
	// Naval weapons ("naval SAM system", "naval gun"), then air defence.
	{"naval mine", data.CatMissiles}, {"naval", data.CatNaval},
	{"anti aircraft", data.CatAirDefence}, {"air defence", data.CatAirDefence},
	{"air defense", data.CatAirDefence}, {"ad system", data.CatAirDefence},
	{"abm system", data.CatAirDefence}, {"sam system", data.CatAirDefence},
	// "tank destroyer" is armour, not a ship.
	{"tank destroyer", data.CatArmoured},
	// Ship types whose names hold another keyword.
	{"anti submarine rocket launcher", data.CatNaval}, {"anti submarine mortar", data.CatNaval},
	{"aircraft carrier", data.CatNaval}, {"missile boat", data.CatNaval}, {"torpedo boat", data.CatNaval},
	{"torpdeo boat", data.CatNaval},
	// Missile launchers and coastal defence are artillery in SIPRI.
	{"missile launcher", data.CatArtillery}, {"coastal defence", data.CatArtillery},
	// Missiles and guided munitions (torpedoes and guided bombs included, as in SIPRI).
	{"missile", data.CatMissiles}, {"torpedo", data.CatMissiles}, {"bomb", data.CatMissiles},
	{"guided", data.CatMissiles}, {"asm", data.CatMissiles}, {"ssm", data.CatMissiles},
	{"aam", data.CatMissiles}, {"mine", data.CatMissiles},
	{"sam", data.CatAirDefence}, {"abm", data.CatAirDefence},
	// Aircraft.
	{"aircraft", data.CatAircraft}, {"helicopter", data.CatAircraft}, {"heli", data.CatAircraft},
	{"airship", data.CatAircraft}, {"fga", data.CatAircraft}, {"fighter", data.CatAircraft},
	{"bomber", data.CatAircraft}, {"trainer", data.CatAircraft}, {"aeroplane", data.CatAircraft},
	// Ships.
	{"frigate", data.CatNaval}, {"corvette", data.CatNaval}, {"destroyer", data.CatNaval},
	{"cruiser", data.CatNaval}, {"submarine", data.CatNaval}, {"ship", data.CatNaval},
	{"boat", data.CatNaval}, {"gunboat", data.CatNaval}, {"craft", data.CatNaval},
	{"minesweeper", data.CatNaval}, {"minehunter", data.CatNaval}, {"minelayer", data.CatNaval},
	{"tanker", data.CatNaval}, {"tug", data.CatNaval}, {"icebreaker", data.CatNaval},
	{"patrol vessel", data.CatNaval}, {"vessel", data.CatNaval},
	// Small arms before guns.
	{"machine gun", data.CatSALW}, {"rifle", data.CatSALW}, {"pistol", data.CatSALW},
	{"small arms", data.CatSALW}, {"grenade launcher", data.CatSALW},
	// Artillery.
	{"self propelled gun", data.CatArtillery}, {"towed gun", data.CatArtillery},
	{"howitzer", data.CatArtillery}, {"mortar", data.CatArtillery},
	{"rocket launcher", data.CatArtillery}, {"mrl", data.CatArtillery}, {"mlrs", data.CatArtillery},
	{"artillery", data.CatArtillery}, {"gun", data.CatArtillery},
	// Armoured vehicles.
	{"apc", data.CatArmoured}, {"ifv", data.CatArmoured}, {"tank", data.CatArmoured},
	{"armoured", data.CatArmoured}, {"armored", data.CatArmoured}, {"infantry fighting", data.CatArmoured},
	{"personnel carrier", data.CatArmoured}, {"bridgelayer", data.CatArmoured},
	{"vehicle", data.CatArmoured},
	// Ammunition.
	{"ammunition", data.CatAmmunition}, {"shell", data.CatAmmunition}, {"rocket", data.CatAmmunition},
}

// categoryFromDescription applies descriptionRules; a description no rule
// matches is other.
func categoryFromDescription(desc string) data.Category {
	words := " " + strings.Join(wordsOf(desc), " ") + " "
	for _, r := range descriptionRules {
		if strings.Contains(words, " "+r.phrase+" ") {
			return r.cat
		}
	}
	return data.CatOther
}

// categoryCache memoizes categoryFromDescription over one file, whose
// descriptions repeat (the legacy register has 29,515 rows and a few
// hundred descriptions).
type categoryCache map[string]data.Category

func (c categoryCache) get(desc string) data.Category {
	cat, ok := c[desc]
	if !ok {
		cat = categoryFromDescription(desc)
		c[desc] = cat
	}
	return cat
}

// wordsOf lower-cases s and splits it at every non-letter, non-digit.
func wordsOf(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 0x7f)
	})
}
