package auth

import (
	_ "embed"
	"strings"
	"sync"
	"unicode"
)

// commonPasswordList is Openwall's password.lst (John the Ripper's
// wordlist, public domain): the passwords most often seen on real systems.
//
//go:embed common-passwords.txt
var commonPasswordList string

// commonPasswords is the list as a set of lower-case entries, built once.
var commonPasswords = sync.OnceValue(func() map[string]struct{} {
	set := make(map[string]struct{}, 4000)
	for line := range strings.Lines(commonPasswordList) {
		line = strings.TrimRight(line, "\r\n")
		if line == "" || strings.HasPrefix(line, "#!comment:") {
			continue
		}
		set[strings.ToLower(line)] = struct{}{}
	}
	return set
})

// commonPassword reports whether a password that is long enough is still
// easy to guess: only whitespace; one short unit repeated ("aaaaaaaaaaaa",
// "abcabcabcabc", "passwordpassword"); or, ignoring case, an entry of the
// common list, alone or followed by digits, punctuation, symbols or spaces
// ("iloveyou2024!", "123456789012").
func commonPassword(pw string) bool {
	if strings.TrimSpace(pw) == "" {
		return true
	}
	lower := strings.ToLower(pw)
	if repeatsUnit(lower) {
		return true
	}
	set := commonPasswords()
	if _, ok := set[lower]; ok {
		return true
	}
	// An entry (four characters or more) followed only by digits,
	// punctuation, symbols or spaces.
	for end := len(lower); end >= 4; end-- {
		if _, ok := set[lower[:end]]; ok {
			return true
		}
		// Only ASCII trails are stripped; a multi-byte rune ends the search.
		c := lower[end-1]
		if c >= 0x80 || !(unicode.IsDigit(rune(c)) || unicode.IsPunct(rune(c)) || unicode.IsSymbol(rune(c)) || c == ' ') {
			return false
		}
	}
	return false
}

// repeatsUnit reports whether s is a shorter string repeated at least twice.
func repeatsUnit(s string) bool {
	r := []rune(s)
	for n := 1; n <= len(r)/2; n++ {
		if len(r)%n != 0 {
			continue
		}
		unit := string(r[:n])
		if strings.Repeat(unit, len(r)/n) == s {
			return true
		}
	}
	return false
}
