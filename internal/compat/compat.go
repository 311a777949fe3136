// Package compat holds what the compatibility dialects share: splitting a
// customer's one name into the given and family names that providers ask
// for, and writing phone numbers as they are dialled. Each dialect lives in
// its own sub-package and only translates; every rule stays in the domain.
package compat

import (
	"strings"

	"github.com/kund/kund/internal/nordic"
)

// SplitName splits a person's name at its last space: Kund keeps one name,
// and in the Nordic countries the family name comes last. A name of one
// word is all given name.
func SplitName(name string) (first, last string) {
	name = strings.TrimSpace(name)
	i := strings.LastIndexByte(name, ' ')
	if i < 0 {
		return name, ""
	}
	return strings.TrimSpace(name[:i]), name[i+1:]
}

// NationalPhone writes an E.164 number as it is dialled inside its
// country: the national part, with the trunk 0 that Sweden and Finland
// write in front of it. An invalid number gives "".
func NationalPhone(msisdn string) string {
	cc, national, err := nordic.MSISDNParts(msisdn)
	if err != nil {
		return ""
	}
	if cc == "+46" || cc == "+358" {
		national = "0" + national
	}
	return national
}
