package durabletest

import (
	"errors"
	"strings"
	"testing"

	"github.com/durableobjects-on-go/durable"
)

// hexRule is workerd's syntax for an ID string (ActorIdFactoryImpl::idFromString,
// which decodes with kj::decodeHex): exactly 64 ASCII hex digits of either case.
func hexRule(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// FuzzIDFromString parses fuzzed strings as IDs. A string is accepted only
// when it has workerd's syntax and this namespace's signature; a refusal
// matches ErrInvalidID and says which of the two it lacks, as workerd's
// messages do. The IDs of fuzzed names parse back to themselves, in upper
// case too, and not in another namespace.
func FuzzIDFromString(f *testing.F) {
	ids := newIDFactory("Fuzz")
	good := ids.fromName("alice").hex
	f.Add(good, "alice")
	f.Add(strings.ToUpper(good), "")
	f.Add(newIDFactory("Other").fromName("alice").hex, "\xff")
	f.Add(good[:63], "a/b?c")
	f.Add(good+"0", strings.Repeat("n", 1000))
	f.Add(" "+good[1:], "😀")
	f.Add(good[:62]+"--", "\x00")
	f.Add(strings.Repeat("g", 64), "x\xe2\x82y")
	f.Add(good[:61]+"０", "") // a full-width digit: 64 bytes, not 64 hex digits
	f.Add(good[:62]+"\xff\xfe", "")
	f.Add("0x"+good[2:], "")
	f.Add("", "")
	other := newIDFactory("Other")
	f.Fuzz(func(t *testing.T, s, name string) {
		parsed, err := ids.fromString(s)
		switch {
		case err == nil:
			if !hexRule(s) {
				t.Fatalf("fromString(%q) accepted what workerd refuses", s)
			}
			if parsed.hex != strings.ToLower(s) || parsed.name != "" {
				t.Fatalf("fromString(%q) = %q (name %q)", s, parsed.hex, parsed.name)
			}
		case !errors.Is(err, durable.ErrInvalidID):
			t.Fatalf("fromString(%q) = %v; want ErrInvalidID", s, err)
		case !hexRule(s) && !strings.Contains(err.Error(), "must be 64 hex digits"):
			t.Fatalf("fromString(%q) = %v; want the syntax message", s, err)
		case hexRule(s) && !strings.Contains(err.Error(), "not valid for this namespace"):
			t.Fatalf("fromString(%q) = %v; want the namespace message", s, err)
		}

		id := ids.fromName(name)
		if id.name != name || !hexRule(id.hex) || id.hex != strings.ToLower(id.hex) {
			t.Fatalf("fromName(%q) = %q (name %q)", name, id.hex, id.name)
		}
		if again := ids.fromName(jsString(name)); again.hex != id.hex {
			t.Fatalf("fromName(%q) and fromName of its JavaScript form differ", name)
		}
		for _, form := range []string{id.hex, strings.ToUpper(id.hex)} {
			if p, err := ids.fromString(form); err != nil || p.hex != id.hex {
				t.Fatalf("fromString(%q) = %v, %v; want %s", form, p, err, id.hex)
			}
		}
		if _, err := other.fromString(id.hex); !errors.Is(err, durable.ErrInvalidID) {
			t.Fatalf("another namespace accepted %s: %v", id.hex, err)
		}
	})
}
