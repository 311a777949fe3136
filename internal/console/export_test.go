package console

// HasText reports whether key has a text in lang, for the external tests.
func HasText(lang, key string) bool {
	_, ok := texts[lang][key]
	return ok
}
