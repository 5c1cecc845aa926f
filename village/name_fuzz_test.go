package main

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// nameRule is the README's rule for a name, written independently of
// CheckName: 1 to 64 characters of UTF-8, no '/', no control character, and
// not "." or "..", which a URL cannot carry as a path segment.
func nameRule(name string) bool {
	if !utf8.ValidString(name) || name == "." || name == ".." {
		return false
	}
	n := 0
	for _, r := range name {
		if r == '/' || unicode.IsControl(r) {
			return false
		}
		n++
	}
	return n >= 1 && n <= MaxNameLength
}

// FuzzNames checks fuzzed names against the rule, both in CheckName and over
// the village's routes (natively): a good name is served, a bad one gets a
// 400 that says which rule it breaks, and nothing panics.
func FuzzNames(f *testing.F) {
	for _, s := range []string{"Ada", "", strings.Repeat("n", 64), strings.Repeat("é", 64), strings.Repeat("n", 65),
		"a/b", "a\nb", "\x7f", "\u0085", "\xff", "x\xe2\x82y", ".", "..", "...", "?x=1", "#top", "%2F", "a\\b", " ", "😀", "\u202e"} {
		f.Add(s)
	}
	rt := newVillage(f)
	f.Fuzz(func(t *testing.T, name string) {
		err := CheckName(name)
		if ok := nameRule(name); ok != (err == nil) {
			t.Fatalf("CheckName(%q) = %v; the rule says ok=%v", name, err, ok)
		}
		if err != nil && !strings.HasPrefix(err.Error(), "name must") {
			t.Fatalf("CheckName(%q) = %q; want a message saying what a name must be", name, err)
		}
		escaped := url.PathEscape(name)
		for _, path := range []string{"/square/" + escaped, "/hey/" + escaped} {
			method := http.MethodGet
			if strings.HasPrefix(path, "/hey/") {
				method = http.MethodHead // answers without visiting a Greeter
			}
			req, reqErr := http.NewRequest(method, "http://village"+path, nil)
			if reqErr != nil {
				t.Fatalf("%s: %v", path, reqErr)
			}
			resp := rt.With(t).Fetch(req)
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			switch {
			case (name == "" || strings.Contains(name, "/")) && strings.HasPrefix(path, "/square/") && resp.StatusCode == http.StatusNotFound:
				// No route: {name} matches one non-empty segment without '/'.
			case (name == "." || name == "..") && resp.StatusCode/100 == 3:
				// The router resolves the segment away, as URL parsers do:
				// such a request never names the object, and the rule refuses
				// the name for any other way in.
			case err == nil && resp.StatusCode != http.StatusOK:
				t.Fatalf("%s %s (name %q): %d %q; want 200", method, path, name, resp.StatusCode, body)
			case err != nil && resp.StatusCode != http.StatusBadRequest:
				t.Fatalf("%s %s (name %q): %d %q; want 400", method, path, name, resp.StatusCode, body)
			case err != nil && method == http.MethodGet && !strings.Contains(string(body), "Bad name: "+err.Error()):
				t.Fatalf("%s %s: body %q does not say %q", method, path, body, err)
			}
		}
	})
}
