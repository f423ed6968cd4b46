package imports

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// gwToISO3 maps Gleditsch–Ward state codes (Gleditsch & Ward 1999, "A
// Revised List of Independent States since 1816", with its microstates
// list), which UCDP uses in gwno_* and country_id, to ISO 3166-1 alpha-3.
// Historical states map to the successor whose territory armsflow draws,
// each with a comment. Pre-1900 states that no UCDP dataset (1946 on)
// can contain are left out.
var gwToISO3 = map[int]string{
	2: "USA", 20: "CAN", 31: "BHS", 40: "CUB", 41: "HTI", 42: "DOM", 51: "JAM", 52: "TTO", 53: "BRB",
	54: "DMA", 55: "GRD", 56: "LCA", 57: "VCT", 58: "ATG", 60: "KNA", 70: "MEX", 80: "BLZ",
	90: "GTM", 91: "HND", 92: "SLV", 93: "NIC", 94: "CRI", 95: "PAN",
	100: "COL", 101: "VEN", 110: "GUY", 115: "SUR", 130: "ECU", 135: "PER", 140: "BRA", 145: "BOL",
	150: "PRY", 155: "CHL", 160: "ARG", 165: "URY",
	200: "GBR", 205: "IRL", 210: "NLD", 211: "BEL", 212: "LUX", 220: "FRA", 221: "MCO", 223: "LIE",
	225: "CHE", 230: "ESP", 232: "AND", 235: "PRT",
	255: "DEU", // Germany (Prussia), until 1945
	260: "DEU", // German Federal Republic (West Germany), continued by Germany
	265: "DEU", // German Democratic Republic (East Germany), 1949-1990: successor Germany
	290: "POL", 305: "AUT", 310: "HUN",
	315: "CZE", // Czechoslovakia, until 1992: successor Czechia
	316: "CZE", 317: "SVK", 325: "ITA", 331: "SMR", 338: "MLT", 339: "ALB",
	340: "SRB", // Serbia (from 2006)
	341: "MNE", 343: "MKD", 344: "HRV",
	345: "SRB", // Yugoslavia / Serbia and Montenegro, until 2006: successor Serbia
	346: "BIH", 347: "XKX", 349: "SVN", 350: "GRC", 352: "CYP", 355: "BGR", 359: "MDA", 360: "ROU",
	365: "RUS", // Russia (Soviet Union): the Soviet Union's successor
	366: "EST", 367: "LVA", 368: "LTU", 369: "UKR", 370: "BLR", 371: "ARM", 372: "GEO", 373: "AZE",
	375: "FIN", 380: "SWE", 385: "NOR", 390: "DNK", 395: "ISL",
	402: "CPV", 403: "STP", 404: "GNB", 411: "GNQ", 420: "GMB", 432: "MLI", 433: "SEN", 434: "BEN",
	435: "MRT", 436: "NER", 437: "CIV", 438: "GIN", 439: "BFA", 450: "LBR", 451: "SLE", 452: "GHA",
	461: "TGO", 471: "CMR", 475: "NGA", 481: "GAB", 482: "CAF", 483: "TCD", 484: "COG", 490: "COD",
	500: "UGA", 501: "KEN", 510: "TZA",
	511: "TZA", // Zanzibar, 1963-1964: merged into Tanzania
	516: "BDI", 517: "RWA", 520: "SOM", 522: "DJI", 530: "ETH", 531: "ERI", 540: "AGO", 541: "MOZ",
	551: "ZMB", 552: "ZWE", 553: "MWI", 560: "ZAF", 565: "NAM", 570: "LSO", 571: "BWA", 572: "SWZ",
	580: "MDG", 581: "COM", 590: "MUS", 591: "SYC",
	600: "MAR", 615: "DZA", 616: "TUN", 620: "LBY", 625: "SDN", 626: "SSD", 630: "IRN", 640: "TUR",
	645: "IRQ", 651: "EGY", 652: "SYR", 660: "LBN", 663: "JOR", 666: "ISR", 670: "SAU",
	678: "YEM", // Yemen Arab Republic (North Yemen), continued by Yemen
	680: "YEM", // People's Democratic Republic of Yemen (South Yemen), 1967-1990: successor Yemen
	690: "KWT", 692: "BHR", 694: "QAT", 696: "ARE", 698: "OMN",
	700: "AFG", 701: "TKM", 702: "TJK", 703: "KGZ", 704: "UZB", 705: "KAZ", 710: "CHN",
	711: "CHN", // Tibet, 1913-1950: now part of China
	712: "MNG", 713: "TWN", 731: "PRK", 732: "KOR", 740: "JPN", 750: "IND",
	751: "IND", // Hyderabad, 1947-1948: now part of India
	760: "BTN", 770: "PAK", 771: "BGD", 775: "MMR", 780: "LKA", 781: "MDV", 790: "NPL",
	800: "THA", 811: "KHM", 812: "LAO",
	816: "VNM", // Vietnam (North Vietnam, Democratic Republic of Vietnam), continued by Viet Nam
	817: "VNM", // Republic of Vietnam (South Vietnam), 1954-1975: successor Viet Nam
	820: "MYS", 830: "SGP", 835: "BRN", 840: "PHL", 850: "IDN", 860: "TLS",
	900: "AUS", 910: "PNG", 920: "NZL", 935: "VUT", 940: "SLB", 946: "KIR", 947: "TUV", 950: "FJI",
	955: "TON", 970: "NRU", 983: "MHL", 986: "PLW", 987: "FSM", 990: "WSM",
}

// gwISO3 returns the ISO3 code of a Gleditsch–Ward code.
func gwISO3(code int) (string, bool) {
	s, ok := gwToISO3[code]
	return s, ok
}

// gwList reads a UCDP ", "-separated list of Gleditsch–Ward codes into
// ISO3 codes, in order and without repeats.
func gwList(field, s string) ([]string, error) {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		n, err := strconv.Atoi(p)
		if err != nil {
			return nil, fmt.Errorf("%s %q is not a Gleditsch-Ward code", field, p)
		}
		iso, ok := gwISO3(n)
		if !ok {
			return nil, fmt.Errorf("unknown Gleditsch-Ward code %d in %s (add it to data/imports/gw.go)", n, field)
		}
		if !slices.Contains(out, iso) {
			out = append(out, iso)
		}
	}
	return out, nil
}
