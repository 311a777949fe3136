package nordic

import "testing"

func TestParseVAT(t *testing.T) {
	cases := []idCase{
		{"SE556016068001", "SE556016068001", ""}, // Ericsson's organisation number
		{"se 5560 1606 8001", "SE556016068001", ""},
		{"SE101010101001", "SE101010101001", ""}, // the seed's example, a personal number form
		{"SE701063239101", "SE701063239101", ""}, // a samordningsnummer form
		{"NO923609016MVA", "NO923609016MVA", ""},
		{"NO 923 609 016 MVA", "NO923609016MVA", ""},
		{"NO923609016", "NO923609016MVA", ""},
		{"no923.609.016mva", "NO923609016MVA", ""},
		{"DK13585628", "DK13585628", ""},
		{"DK 13 58 56 28", "DK13585628", ""},
		{"FI20774740", "FI20774740", ""},
		{"FI-2077474-0", "FI20774740", ""},
		{"DE136695976", "DE136695976", ""},
		{"ATU12345678", "ATU12345678", ""},
		{"BE0123456789", "BE0123456789", ""},
		{"CY12345678L", "CY12345678L", ""},
		{"EL123456789", "EL123456789", ""},
		{"ESX1234567X", "ESX1234567X", ""},
		{"FR40303265045", "FR40303265045", ""},
		{"FRK7399859412", "FRK7399859412", ""},
		{"IE1234567T", "IE1234567T", ""},
		{"IE1234567TW", "IE1234567TW", ""},
		{"IE8Z49289F", "IE8Z49289F", ""},
		{"NL123456789B01", "NL123456789B01", ""},
		{"RO12345", "RO12345", ""},
		{"XI123456789", "XI123456789", ""},
		{"XIGD001", "XIGD001", ""},
		{"GB123456789", "GB123456789", ""},
		{"CHE-123.456.789 MWST", "CHE123456789MWST", ""},

		{"", "", "must not be empty"},
		{"SE556016068101", "", "check digit is wrong"},
		{"SE556016068002", "", "must be SE, 10 digits and 01"},
		{"SE55601606801", "", "must be SE, 10 digits and 01"},
		{"SE991301123601", "", "does not match the country's VAT number format"},
		{"SE990230123401", "", "does not match the country's VAT number format"},
		{"NO923609017MVA", "", "check digit is wrong"},
		{"NO123609016MVA", "", "not a Norwegian organisation number"},
		{"NO923609016XYZ", "", "must be NO, 9 digits and MVA"},
		{"NO92360901MVA", "", "must be NO, 9 digits and MVA"},
		{"DK13585627", "", "check digit is wrong"},
		{"DK1358562", "", "must be DK and 8 digits"},
		{"FI20774741", "", "check digit is wrong"},
		{"FI2077474", "", "must be FI and 8 digits"},
		{"DE12345678", "", "does not match the country's VAT number format"},
		{"DE1366959760", "", "does not match the country's VAT number format"},
		{"ATU1234567", "", "does not match the country's VAT number format"},
		{"NL123456789B1", "", "does not match the country's VAT number format"},
		{"FRI0303265045", "", "does not match the country's VAT number format"},
		{"123456789", "", "must start with a two-letter country prefix"},
		{"S1234567", "", "must start with a two-letter country prefix"},
		{"XX1234", "", "must be 7 to 17 characters"},
		{"XX123456789012345678", "", "must be 7 to 17 characters"},
		{"DE 136/695/976", "", "must contain only letters and digits"},
		{"ÅÄ123456", "", "must contain only letters and digits"},
	}
	idRun(t, "ParseVAT", cases, ParseVAT)
}
