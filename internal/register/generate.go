package register

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/kund/kund/internal/nordic"
)

// Synthetic persons for demos and tests. The names are common ones of each
// country, the cities real postal towns with postal codes from their real
// ranges; the persons do not exist.

type city struct {
	name   string
	lo, hi int // postal codes
}

type nation struct {
	female, male, last, streets []string
	cities                      []city
	zipDigits                   int
	coWord                      string // "c/o" line prefix
	protectedStreet             string // the forwarding box of a protected person
	mobile                      func(r *rand.Rand) string
}

var nations = map[string]nation{
	"SE": {
		female:  []string{"Anna", "Eva", "Maria", "Karin", "Sara", "Lena", "Emma", "Kerstin", "Elsa", "Ingrid", "Britt-Marie", "Astrid", "Maja", "Linnea"},
		male:    []string{"Lars", "Anders", "Johan", "Erik", "Karl", "Per", "Nils", "Mikael", "Oskar", "Lucas", "Gustav", "Olof", "Sven", "Henrik"},
		last:    []string{"Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson", "Svensson", "Gustafsson", "Lindberg", "Lindström", "Bergström", "Axelsson", "Sjöberg", "Åberg"},
		streets: []string{"Storgatan", "Drottninggatan", "Kungsgatan", "Vasagatan", "Sveavägen", "Götgatan", "Ringvägen", "Skolgatan", "Kyrkogatan", "Järnvägsgatan", "Björkvägen", "Ängsvägen"},
		cities: []city{{"STOCKHOLM", 11120, 11860}, {"GÖTEBORG", 41101, 41760}, {"MALMÖ", 21111, 21774}, {"UPPSALA", 75220, 75758},
			{"VÄSTERÅS", 72210, 72596}, {"ÖREBRO", 70210, 70375}, {"LINKÖPING", 58222, 58937}, {"UMEÅ", 90325, 90750}, {"LULEÅ", 97231, 97754}, {"LUND", 22220, 22761}},
		zipDigits: 5, coWord: "c/o", protectedStreet: "Box",
		mobile: func(r *rand.Rand) string { return "+467" + pick(r, []string{"0", "2", "3", "6", "9"}) + digits(r, 7) },
	},
	"NO": {
		female:  []string{"Ingrid", "Kari", "Nora", "Emma", "Sofie", "Marit", "Anne", "Solveig", "Liv", "Ragnhild", "Sigrid", "Ingeborg"},
		male:    []string{"Ole", "Lars", "Jan", "Per", "Bjørn", "Knut", "Jakob", "Håkon", "Arne", "Tor", "Sindre", "Eirik"},
		last:    []string{"Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Kristiansen", "Jensen", "Karlsen", "Berg", "Haugen", "Hagen", "Bakken", "Solberg", "Dahl"},
		streets: []string{"Storgata", "Kirkegata", "Kongens gate", "Dronningens gate", "Skolegata", "Parkveien", "Strandveien", "Bjerkeveien", "Løvenskiolds gate", "Fjellveien"},
		cities: []city{{"OSLO", 150, 1295}, {"BERGEN", 5003, 5099}, {"TRONDHEIM", 7010, 7099}, {"STAVANGER", 4005, 4099},
			{"TROMSØ", 9006, 9019}, {"DRAMMEN", 3015, 3048}, {"KRISTIANSAND", 4608, 4639}, {"BODØ", 8003, 8050}},
		zipDigits: 4, coWord: "c/o", protectedStreet: "Postboks",
		mobile: func(r *rand.Rand) string {
			return "+47" + pick(r, []string{"40", "41", "45", "46", "47", "48", "90", "91", "92", "93", "94", "95", "97", "98", "99"}) + digits(r, 6)
		},
	},
	"DK": {
		female:  []string{"Mette", "Hanne", "Anne", "Kirsten", "Ida", "Freja", "Louise", "Camilla", "Karen", "Signe", "Maja", "Sofie"},
		male:    []string{"Søren", "Jens", "Niels", "Mads", "Rasmus", "Frederik", "Mikkel", "Henrik", "Peter", "Anders", "Christian", "Morten"},
		last:    []string{"Nielsen", "Jensen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen", "Rasmussen", "Jørgensen", "Madsen", "Kristensen", "Olsen", "Thomsen", "Poulsen", "Møller"},
		streets: []string{"Vestergade", "Østergade", "Nørregade", "Søndergade", "Algade", "Jernbanegade", "Strandvejen", "Skolevej", "Kirkevej", "Møllevej", "Bredgade"},
		cities: []city{{"KØBENHAVN K", 1050, 1473}, {"FREDERIKSBERG C", 1800, 1974}, {"AARHUS C", 8000, 8000}, {"ODENSE C", 5000, 5000},
			{"AALBORG", 9000, 9000}, {"ESBJERG", 6700, 6700}, {"VEJLE", 7100, 7100}, {"ROSKILDE", 4000, 4000}},
		zipDigits: 4, coWord: "c/o", protectedStreet: "Postboks",
		mobile: func(r *rand.Rand) string { return "+45" + pick(r, []string{"26", "27", "28"}) + digits(r, 6) },
	},
	"FI": {
		female:  []string{"Aino", "Helmi", "Maria", "Sofia", "Anna", "Liisa", "Johanna", "Eeva", "Kaarina", "Tuula", "Aada", "Elina"},
		male:    []string{"Juhani", "Mikko", "Matti", "Timo", "Jari", "Eino", "Väinö", "Onni", "Antti", "Pekka", "Ville", "Lauri"},
		last:    []string{"Korhonen", "Virtanen", "Mäkinen", "Nieminen", "Mäkelä", "Hämäläinen", "Laine", "Heikkinen", "Koskinen", "Järvinen", "Lehtonen", "Saarinen", "Lindqvist", "Salminen"},
		streets: []string{"Mannerheimintie", "Hämeenkatu", "Kauppakatu", "Koulukatu", "Rantatie", "Puistokatu", "Kirkkokatu", "Asemakatu", "Aleksanterinkatu", "Satamakatu"},
		cities: []city{{"HELSINKI", 100, 990}, {"ESPOO", 2100, 2980}, {"TAMPERE", 33100, 33900}, {"TURKU", 20100, 20900},
			{"OULU", 90100, 90900}, {"VANTAA", 1300, 1760}, {"JYVÄSKYLÄ", 40100, 40900}, {"KUOPIO", 70100, 70900}},
		zipDigits: 5, coWord: "c/o", protectedStreet: "PL",
		mobile: func(r *rand.Rand) string { return "+3584" + pick(r, []string{"0", "1", "4", "5", "6"}) + digits(r, 7) },
	},
}

func pick(r *rand.Rand, s []string) string { return s[r.IntN(len(s))] }

func digits(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + r.IntN(10))
	}
	return string(b)
}

func zeroPad(n, width int) string {
	s := strconv.Itoa(n)
	for len(s) < width {
		s = "0" + s
	}
	return s
}

// GenerateOptions shapes a synthetic register.
type GenerateOptions struct {
	Country string // SE, NO, DK or FI
	Count   int
	Seed    uint64    // the same seed gives the same persons
	Now     time.Time // birth dates lie 18 to 95 years before it
}

// Generate writes a register file (header included) of synthetic persons
// with valid, distinct identity numbers. About 1 in 50 is under protected
// identity, 1 in 50 deceased, 1 in 20 lives c/o someone, 3 in 4 have a
// mobile phone.
func Generate(w io.Writer, o GenerateOptions) error {
	n, ok := nations[o.Country]
	if !ok {
		return fmt.Errorf("country must be SE, NO, DK or FI")
	}
	if o.Count < 0 {
		return fmt.Errorf("count must be 0 or more")
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	r := rand.New(rand.NewPCG(o.Seed, 0x6b756e64))
	bw := bufio.NewWriterSize(w, 64<<10)
	row := make([]string, len(Header))
	writeRow(bw, Header)
	today := time.Date(o.Now.Year(), o.Now.Month(), o.Now.Day(), 0, 0, 0, 0, time.UTC)
	first := today.AddDate(-95, 0, 0)
	days := int(today.AddDate(-18, 0, 0).Sub(first).Hours() / 24)
	seen := make(map[string]struct{}, o.Count)
	for len(seen) < o.Count {
		birth := first.AddDate(0, 0, r.IntN(days+1))
		regNo, ok := nordic.PersonalNumber(o.Country, birth, serial(r, o.Country))
		if !ok {
			continue
		}
		if _, dup := seen[regNo]; dup {
			continue
		}
		seen[regNo] = struct{}{}
		names := n.female
		if maleSerial(o.Country, regNo) {
			names = n.male
		}
		c := n.cities[r.IntN(len(n.cities))]
		last := pick(r, n.last)
		row[0], row[1], row[2], row[3] = o.Country, regNo, pick(r, names), last
		row[4] = ""
		row[5] = pick(r, n.streets) + " " + strconv.Itoa(1+r.IntN(120))
		row[6] = zeroPad(c.lo+r.IntN(c.hi-c.lo+1), n.zipDigits)
		row[7] = c.name
		row[8], row[9] = "false", "false"
		switch k := r.IntN(100); {
		case k < 2:
			// A protected person's register entry carries only a forwarding
			// box, never the street where they live.
			row[8] = "true"
			row[5] = n.protectedStreet + " " + strconv.Itoa(100+r.IntN(9900))
		case k < 4:
			row[9] = "true"
		case k < 9:
			other := pick(r, n.last)
			for other == last {
				other = pick(r, n.last)
			}
			row[4] = n.coWord + " " + other
		}
		row[10] = ""
		if r.IntN(4) != 0 {
			row[10] = n.mobile(r)
		}
		writeRow(bw, row)
	}
	return bw.Flush()
}

// serial draws an individual serial in the range nordic.PersonalNumber
// takes for country.
func serial(r *rand.Rand, country string) int {
	switch country {
	case "DK":
		return r.IntN(10000)
	case "FI":
		return 2 + r.IntN(898)
	}
	return r.IntN(1000)
}

// maleSerial reads the sex digit of a canonical personal number (odd is
// male in all four countries), so names match the numbers.
func maleSerial(country, regNo string) bool {
	var d byte
	switch country {
	case "SE": // YYYYMMDD-NNNC: the third N
		d = regNo[11]
	case "NO": // DDMMYYIIIKK: the third I
		d = regNo[8]
	case "DK": // DDMMYY-SSSS: the last S
		d = regNo[10]
	case "FI": // DDMMYYCZZZQ: the last Z
		d = regNo[9]
	}
	return (d-'0')%2 == 1
}

// writeRow writes one CSV row. No generated field holds a comma, quote or
// line break, so fields are written bare.
func writeRow(w *bufio.Writer, f []string) {
	for i, v := range f {
		if i > 0 {
			w.WriteByte(',')
		}
		w.WriteString(v)
	}
	w.WriteByte('\n')
}
