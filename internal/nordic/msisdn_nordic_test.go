package nordic

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

// msisdnPinned is the phonenumbers metadata msisdnPlans was derived from: for each calling
// code its regions, then for the region that parses and types its mobiles the parsing rules
// and, in the order GetNumberType tries them, each type's possible lengths, local-only
// lengths and pattern.
var msisdnPinned = map[int]string{
	46: `regions [SE]
SE leading "" national prefix for parsing "0" transform "" same mobile and fixed false
general [6 7 8 9 10 12] [] (?:[26]\d\d|9)\d{9}|[1-9]\d{8}|[1-689]\d{7}|[1-4689]\d{6}|2\d{5}
premium [7 8 9 10] [] 649\d{6}|99[1-59]\d{4}(?:\d{3})?|9(?:00|39|44)[1-8]\d{3,6}
tollfree [6 7 8 9] [] 20\d{4,7}
shared [9] [] 77[0-7]\d{6}
voip [] [] NA
personal [9] [] 75[1-8]\d{6}
pager [9] [] 74[02-9]\d{6}
uan [9] [] 10[1-8]\d{6}
voicemail [12] [] (?:25[245]|67[3-68])\d{9}
fixed [7 8 9] [] (?:(?:[12][136]|3[356]|4[0246]|6[03]|8\d)\d|90[1-9])\d{4,6}|(?:1(?:2[0-35]|4[0-4]|5[0-25-9]|7[13-6]|[89]\d)|2(?:2[0-7]|4[0136-8]|5[0138]|7[018]|8[01]|9[0-57])|3(?:0[0-4]|1\d|2[0-25]|4[056]|7[0-2]|8[0-3]|9[023])|4(?:1[013-8]|3[0135]|5[14-79]|7[0-246-9]|8[0156]|9[0-689])|5(?:0[0-6]|[15][0-5]|2[0-68]|3[0-4]|4\d|6[03-5]|7[013]|8[0-79]|9[01])|6(?:1[1-3]|2[0-4]|4[02-57]|5[0-37]|6[0-3]|7[0-2]|8[0247]|9[0-356])|9(?:1[0-68]|2\d|3[02-5]|4[0-3]|5[0-4]|[68][01]|7[0135-8]))\d{5,6}
mobile [9] [] 7[02369]\d{7}`,
	47: `regions [NO SJ]
NO leading "[02-689]|7[0-8]" national prefix for parsing "" transform "" same mobile and fixed false
general [5 8] [] (?:0|[2-9]\d{3})\d{4}
premium [8] [] 82[09]\d{5}
tollfree [8] [] 80[01]\d{5}
shared [8] [] 810(?:0[0-6]|[2-8]\d)\d{3}
voip [8] [] 85[0-5]\d{5}
personal [8] [] 880\d{5}
pager [] [] NA
uan [] [] (?:0[235-9]|81(?:0(?:0[7-9]|1\d)|5\d\d))\d{3}
voicemail [8] [] 81[23]\d{5}
fixed [8] [] (?:2[1-4]|3[1-3578]|5[1-35-7]|6[1-4679]|7[0-8])\d{6}
mobile [8] [] (?:4[015-8]|9\d)\d{6}`,
	45: `regions [DK]
DK leading "" national prefix for parsing "" transform "" same mobile and fixed false
general [8] [] [2-9]\d{7}
premium [] [] 90\d{6}
tollfree [] [] 80\d{6}
shared [] [] NA
voip [] [] NA
personal [] [] NA
pager [] [] NA
uan [] [] NA
voicemail [] [] NA
fixed [] [] (?:2(?:[0-59][1-9]|[6-8]\d)|3(?:[0-3][1-9]|4[13]|5[1-58]|6[1347-9]|7\d|8[1-8]|9[1-79])|4(?:[0-25][1-9]|[34][2-9]|6[13-579]|7[13579]|8[1-47]|9[127])|5(?:[0-36][1-9]|4[146-9]|5[3-57-9]|7[568]|8[1-358]|9[1-69])|6(?:[0135][1-9]|2[1-68]|4[2-8]|6[1689]|[78]\d|9[15689])|7(?:[0-69][1-9]|7[3-9]|8[147])|8(?:[16-9][1-9]|2[1-58])|9(?:[1-47-9][1-9]|6\d))\d{5}
mobile [] [] (?:2[6-8]|37|6[78]|96)\d{6}|(?:2[0-59]|3[0-689]|[457]\d|6[0-69]|8[126-9]|9[1-47-9])[1-9]\d{5}`,
	358: `regions [FI AX]
FI leading "1[03-79]|[2-9]" national prefix for parsing "0" transform "" same mobile and fixed false
general [5 6 7 8 9 10 11 12] [] [1-35689]\d{4}|7\d{10,11}|(?:[124-7]\d|3[0-46-9])\d{8}|[1-9]\d{5,8}
premium [8 9] [] [67]00\d{5,6}
tollfree [7 8 9] [] 800\d{4,6}
shared [] [] NA
voip [] [] NA
personal [] [] NA
pager [] [] NA
uan [] [] 20\d{4,8}|60[12]\d{5,6}|7(?:099\d{4,5}|5[03-9]\d{3,7})|20[2-59]\d\d|(?:606|7(?:0[78]|1|3\d))\d{7}|(?:10|29|3[09]|70[1-5]\d)\d{4,8}
voicemail [] [] NA
fixed [5 6 7 8 9] [] 1[3-7][1-8]\d{3,6}|(?:19[1-8]|[23568][1-8]\d|9(?:00|[1-8]\d))\d{2,6}
mobile [6 7 8 9 10] [] 4946\d{2,6}|(?:4[0-8]|50)\d{4,8}`,
}

// msisdnMainMetadata returns the regions of a calling code and the metadata of the first,
// the one the library parses the code's numbers with.
func msisdnMainMetadata(t *testing.T, code int) ([]string, *phonenumbers.PhoneMetadata) {
	t.Helper()
	regions := phonenumbers.GetRegionCodesForCountryCode(code)
	if len(regions) == 0 {
		return nil, nil
	}
	coll, err := phonenumbers.MetadataCollection()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range coll.GetMetadata() {
		if m.GetId() == regions[0] {
			return regions, m
		}
	}
	return regions, nil
}

// msisdnMetadata describes the metadata of a calling code the way msisdnPinned records it.
func msisdnMetadata(t *testing.T, code int) string {
	t.Helper()
	regions, m := msisdnMainMetadata(t, code)
	if m == nil {
		return fmt.Sprintf("regions %v, no metadata", regions)
	}
	var s strings.Builder
	fmt.Fprintf(&s, "regions %v\n", regions)
	fmt.Fprintf(&s, "%s leading %q national prefix for parsing %q transform %q same mobile and fixed %v",
		m.GetId(), m.GetLeadingDigits(), m.GetNationalPrefixForParsing(),
		m.GetNationalPrefixTransformRule(), m.GetSameMobileAndFixedLinePattern())
	for _, d := range []struct {
		name string
		desc *phonenumbers.PhoneNumberDesc
	}{
		{"general", m.GetGeneralDesc()},
		{"premium", m.GetPremiumRate()},
		{"tollfree", m.GetTollFree()},
		{"shared", m.GetSharedCost()},
		{"voip", m.GetVoip()},
		{"personal", m.GetPersonalNumber()},
		{"pager", m.GetPager()},
		{"uan", m.GetUan()},
		{"voicemail", m.GetVoicemail()},
		{"fixed", m.GetFixedLine()},
		{"mobile", m.GetMobile()},
	} {
		fmt.Fprintf(&s, "\n%s %v %v %s", d.name, d.desc.GetPossibleLength(),
			d.desc.GetPossibleLengthLocalOnly(), d.desc.GetNationalNumberPattern())
	}
	return s.String()
}

func TestMSISDNMetadataPinned(t *testing.T) {
	for code, want := range msisdnPinned {
		if got := msisdnMetadata(t, code); got != want {
			t.Errorf("phonenumbers metadata of +%d is not the one msisdnPlans was derived from: "+
				"derive the fast path in msisdn_nordic.go again from the new metadata, then "+
				"update msisdnPinned.\ngot:\n%s\nwant:\n%s", code, got, want)
		}
	}
	// The library takes the shortest calling code that exists, so none shorter may be a
	// prefix of the four.
	for _, code := range []int{3, 4, 35} {
		if r := phonenumbers.GetRegionCodesForCountryCode(code); len(r) != 0 {
			t.Errorf("calling code %d now exists (%v): derive the fast path in msisdn_nordic.go again", code, r)
		}
	}
	for _, p := range msisdnPlans {
		for _, r := range p.mobile {
			if len(r.lead) > r.min || r.min > r.max {
				t.Errorf("+%s: rule %v reads past a number of its shortest length", p.code, r)
			}
		}
	}
}

// msisdnNationals calls f with national numbers that cover every prefix of up to four digits
// at every length from 4 to 13, each filled with zeros, with nines and with a random tail.
// Where a trunk 0 is dropped, each is also given with that 0 in front.
func msisdnNationals(rng *rand.Rand, trunk0 bool, f func(national string)) {
	var b strings.Builder
	for length := 4; length <= 13; length++ {
		k := min(length, 4)
		prefixes := 1
		for range k {
			prefixes *= 10
		}
		for p := range prefixes {
			for tail := range 3 {
				b.Reset()
				fmt.Fprintf(&b, "%0*d", k, p)
				for b.Len() < length {
					switch tail {
					case 0:
						b.WriteByte('0')
					case 1:
						b.WriteByte('9')
					default:
						b.WriteByte(byte('0' + rng.IntN(10)))
					}
				}
				f(b.String())
				if trunk0 {
					f("0" + b.String())
				}
				if length == k {
					break
				}
			}
		}
	}
}

// TestMSISDNFastPathEqual holds the fast path to the library over the national numbering
// plans of the four countries. Where the fast path declines, ParseMSISDN is the library, so
// only its acceptances need the library's word, and every one is checked. A decline is
// checked where the library could accept: where the national number, with or without a
// leading 0, is of a mobile length and matches the mobile pattern (no number of these
// countries is mobile or fixed-or-mobile otherwise, as mobile and fixed line patterns differ).
func TestMSISDNFastPathEqual(t *testing.T) {
	rng := rand.New(rand.NewPCG(46, 358))
	for _, p := range msisdnPlans {
		code, err := strconv.Atoi(p.code)
		if err != nil {
			t.Fatal(err)
		}
		_, m := msisdnMainMetadata(t, code)
		if m == nil || m.GetSameMobileAndFixedLinePattern() {
			t.Fatalf("+%s: no metadata, or mobile and fixed line patterns the same", p.code)
		}
		mobile := regexp.MustCompile("^(?:" + m.GetMobile().GetNationalNumberPattern() + ")$")
		lengths := m.GetMobile().GetPossibleLength()
		if len(lengths) == 0 {
			lengths = m.GetGeneralDesc().GetPossibleLength()
		}
		couldBeMobile := func(nsn string) bool {
			return slices.Contains(lengths, int32(len(nsn))) && mobile.MatchString(nsn)
		}
		accepted, declined := 0, 0
		msisdnNationals(rng, p.trunk0, func(national string) {
			in := "+" + p.code + national
			fast, ok := msisdnNordicMobile([]byte(in))
			if !ok {
				if !couldBeMobile(national) && !(national[0] == '0' && couldBeMobile(national[1:])) {
					return
				}
				declined++
				if slow, err := parseMSISDNSlow(in); err == nil {
					t.Errorf("%q: the fast path declines, the library accepts %q", in, slow)
				}
				return
			}
			accepted++
			slow, err := parseMSISDNSlow(in)
			if err != nil || fast != slow {
				t.Errorf("%q: fast path %q, library %q, %v", in, fast, slow, err)
			}
			if got, err := ParseMSISDN(in); err != nil || got != fast {
				t.Errorf("ParseMSISDN(%q) = %q, %v; fast path %q", in, got, err, fast)
			}
		})
		t.Logf("+%s: %d accepted by the fast path, %d declined that could be mobile", p.code, accepted, declined)
	}
}
