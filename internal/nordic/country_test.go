package nordic

import "testing"

func TestCountryAndLanguage(t *testing.T) {
	countries, languages := 0, 0
	for a := byte(0); a < 128; a++ {
		for b := byte(0); b < 128; b++ {
			code := string([]byte{a, b})
			if Country(code) {
				countries++
			}
			if Language(code) {
				languages++
			}
		}
	}
	if countries != 249 {
		t.Errorf("%d country codes; want 249", countries)
	}
	if languages != 184 {
		t.Errorf("%d language codes; want 184", languages)
	}
	for _, c := range []string{"SE", "NO", "DK", "FI", "IS", "AX", "GL", "FO", "GB", "SJ", "ZW", "AD"} {
		if !Country(c) {
			t.Errorf("Country(%q) = false", c)
		}
	}
	for _, c := range []string{"se", "UK", "EU", "XK", "XI", "ZZ", "", "S", "SWE", "Sé"} {
		if Country(c) {
			t.Errorf("Country(%q) = true", c)
		}
	}
	for _, c := range []string{"sv", "nb", "nn", "no", "da", "fi", "se", "en", "is", "fo", "kl", "zu", "aa"} {
		if !Language(c) {
			t.Errorf("Language(%q) = false", c)
		}
	}
	for _, c := range []string{"SV", "xx", "sh", "swe", "", "s"} {
		if Language(c) {
			t.Errorf("Language(%q) = true", c)
		}
	}
}
