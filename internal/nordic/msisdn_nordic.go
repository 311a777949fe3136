package nordic

// The fast path of ParseMSISDN. For each of the four calling codes, phonenumbers v1.8.1 (the
// version in go.mod) accepts a national number exactly when it matches the general pattern,
// matches the mobile pattern, and matches none of the types GetNumberType tries first
// (premium rate, toll free, shared cost, VoIP, personal, pager, UAN, voicemail); the fixed
// line pattern only decides between MOBILE and FIXED_LINE_OR_MOBILE, both accepted. The rules
// below are that set written out by hand. TestMSISDNMetadataPinned fails when the metadata
// they were derived from changes, and then they must be derived again.

// msisdnPlan is what the fast path knows about one calling code.
type msisdnPlan struct {
	code string
	// trunk0 is set where the library drops a national prefix 0 written after the code
	// ("+46 070..."): the general pattern refuses a leading 0, so the library strips it
	// whenever what remains is of a possible length, which every mobile length is.
	trunk0 bool
	mobile []msisdnRule
}

// msisdnRule accepts a national number of min to max digits whose first digits are each in
// the corresponding set of lead.
type msisdnRule struct {
	lead     []string
	min, max int
}

const msisdnAny = "0123456789"

var msisdnPlans = [...]msisdnPlan{
	// SE mobile 7[02369]\d{7}. No earlier type starts with 70, 72, 73, 76 or 79 (shared cost
	// is 77, personal 75, pager 74), and every 9-digit number from 1 up is general.
	{"46", true, []msisdnRule{
		{[]string{"7", "02369"}, 9, 9},
	}},
	// NO mobile (?:4[015-8]|9\d)\d{6}. The earlier types all start with 0 or 8; the number
	// is of region NO, not SJ, since NO's leading digits [02-689]|7[0-8] come first.
	{"47", false, []msisdnRule{
		{[]string{"4", "015678"}, 8, 8},
		{[]string{"9"}, 8, 8},
	}},
	// DK mobile (?:2[6-8]|37|6[78]|96)\d{6}|(?:2[0-59]|3[0-689]|[457]\d|6[0-69]|8[126-9]|
	// 9[1-47-9])[1-9]\d{5}. Premium rate (90) and toll free (80) are outside it.
	{"45", false, []msisdnRule{
		{[]string{"2", "678"}, 8, 8},
		{[]string{"3", "7"}, 8, 8},
		{[]string{"6", "78"}, 8, 8},
		{[]string{"9", "6"}, 8, 8},
		{[]string{"2", "0123459", "123456789"}, 8, 8},
		{[]string{"3", "012345689", "123456789"}, 8, 8},
		{[]string{"457", msisdnAny, "123456789"}, 8, 8},
		{[]string{"6", "01234569", "123456789"}, 8, 8},
		{[]string{"8", "126789", "123456789"}, 8, 8},
		{[]string{"9", "1234789", "123456789"}, 8, 8},
	}},
	// FI mobile 4946\d{2,6}|(?:4[0-8]|50)\d{4,8}, all of 6 to 10 digits. The earlier types
	// (premium [67]00, toll free 800, UAN starting 1, 2, 3, 6 or 7) are outside it, and the
	// number is of region FI, not AX, since FI's leading digits 1[03-79]|[2-9] come first.
	{"358", true, []msisdnRule{
		{[]string{"4", "012345678"}, 6, 10},
		{[]string{"5", "0"}, 6, 10},
		{[]string{"4", "9", "4", "6"}, 6, 10},
	}},
}

// msisdnNordicMobile returns the E.164 form of b, a '+' and 4 to 15 digits, when b is
// certainly a mobile number of Sweden, Norway, Denmark or Finland. When it is not sure it
// returns false, and the library decides. It may overwrite b.
func msisdnNordicMobile(b []byte) (string, bool) {
	for i := range msisdnPlans {
		p := &msisdnPlans[i]
		cc := len(p.code) + 1
		if len(b) <= cc || string(b[1:cc]) != p.code {
			continue
		}
		n := b[cc:]
		if p.trunk0 && n[0] == '0' {
			n = n[1:]
		}
		if len(n) == 0 || n[0] == '0' {
			return "", false
		}
		for _, r := range p.mobile {
			if r.match(n) {
				return string(b[:cc+copy(b[cc:], n)]), true
			}
		}
		return "", false
	}
	return "", false
}

func (r *msisdnRule) match(n []byte) bool {
	if len(n) < r.min || len(n) > r.max {
		return false
	}
	for i, set := range r.lead {
		if !msisdnDigitIn(set, n[i]) {
			return false
		}
	}
	return true
}

func msisdnDigitIn(set string, c byte) bool {
	for i := 0; i < len(set); i++ {
		if set[i] == c {
			return true
		}
	}
	return false
}
