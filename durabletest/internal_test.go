package durabletest

import (
	"testing"
	"time"
	"unicode/utf8"

	"github.com/durableobjects-on-go/durable"
)

func TestJSStringMatchesTextDecoder(t *testing.T) {
	// Expected values follow the WHATWG UTF-8 decoder (TextDecoder), which
	// replaces each maximal invalid subsequence with one U+FFFD.
	for in, want := range map[string]string{
		"plain":              "plain",
		"é😀":                 "é😀",
		"a\xffb":             "a\uFFFDb",
		"\xff\xfe":           "\uFFFD\uFFFD",
		"x\xe2\x82y":         "x\uFFFDy",           // truncated 3-byte sequence: one replacement
		"\xe2\x82":           "\uFFFD",             // truncated at the end
		"\xed\xa0\x80":       "\uFFFD\uFFFD\uFFFD", // a surrogate: each byte replaced
		"\xf0\x9f\x98":       "\uFFFD",
		"\xc0\xaf":           "\uFFFD\uFFFD", // overlong
		"\xf4\x90\x80\x80":   "\uFFFD\uFFFD\uFFFD\uFFFD",
		"ok\xe2\x82\xacnext": "ok€next",
	} {
		got := jsString(in)
		if got != want || !utf8.ValidString(got) {
			t.Errorf("jsString(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCompileList(t *testing.T) {
	for _, tc := range []struct {
		opts  durable.ListOptions
		start string
		end   string // "" = no end
		empty bool
	}{
		{durable.ListOptions{}, "", "", false},
		{durable.ListOptions{Prefix: "ab"}, "ab", "ac", false},
		{durable.ListOptions{Prefix: "a\xff"}, "a\uFFFD", "a\uFFFE", false}, // the key crosses JavaScript first
		{durable.ListOptions{Prefix: "p", Start: "a"}, "p", "q", false},
		{durable.ListOptions{Prefix: "p", Start: "q"}, "", "", true},
		{durable.ListOptions{Prefix: "p", End: "p"}, "", "", true},
		{durable.ListOptions{Prefix: "p", End: "p5"}, "p", "p5", false},
		{durable.ListOptions{Prefix: "p", End: "zz"}, "p", "q", false},
		{durable.ListOptions{Start: "b", End: "b"}, "", "", true},
	} {
		r, err := compileList(&tc.opts)
		if err != nil {
			t.Fatal(err)
		}
		if r.empty != tc.empty || (!tc.empty && (r.start != tc.start || r.end != tc.end || r.hasEnd != (tc.end != ""))) {
			t.Errorf("compileList(%+v) = %+v, want start %q end %q empty %v", tc.opts, r, tc.start, tc.end, tc.empty)
		}
	}
	if _, err := compileList(&durable.ListOptions{Limit: -1}); err == nil {
		t.Error("negative limit accepted")
	}
	if after, ok := keyAfterPrefix("a\xff\xff"); !ok || after != "b" {
		t.Errorf("keyAfterPrefix = %q, %v", after, ok)
	}
	if _, ok := keyAfterPrefix("\xff"); ok {
		t.Error("keyAfterPrefix of 0xff has an end")
	}
}

func TestAllowPragma(t *testing.T) {
	for _, tc := range []struct {
		name, arg string
		ok        bool
	}{
		{"table_list", "", true},
		{"table_info", "t", true},
		{"table_info", "_cf_KV", false},
		{"table_info", "", false},
		{"foreign_keys", "", true},
		{"foreign_keys", "ON", true},
		{"foreign_keys", "'off'", true},
		{"foreign_keys", "1abc", true}, // workerd compares prefixes
		{"foreign_keys", "maybe", false},
		{"FOREIGN_KEYS", "", false}, // names are case-sensitive
		{"data_version", "", true},
		{"data_version", "1", false},
		{"quick_check", "10", true},
		{"quick_check", "t", true},
		{"quick_check", "_cf_x", false},
		{"optimize", "", true},
		{"optimize", "0x10", false},
		{"optimize", "-1", true},
		{"journal_mode", "", false},
	} {
		if got := allowPragma(tc.name, tc.arg); got != tc.ok {
			t.Errorf("allowPragma(%q, %q) = %v, want %v", tc.name, tc.arg, got, tc.ok)
		}
	}
}

func TestIDFactory(t *testing.T) {
	a, b := newIDFactory("A"), newIDFactory("B")
	id := a.fromName("x")
	if len(id.hex) != 64 || id.hex != a.fromName("x").hex || id.hex == b.fromName("x").hex {
		t.Fatalf("fromName: %s", id.hex)
	}
	if _, err := a.fromString(id.hex); err != nil {
		t.Errorf("own ID refused: %v", err)
	}
	if _, err := b.fromString(id.hex); err == nil {
		t.Errorf("another namespace's ID accepted")
	}
	// Invalid UTF-8 in a name is replaced before hashing, as on workerd.
	if a.fromName("\xff").hex != a.fromName("\uFFFD").hex {
		t.Errorf("names that JavaScript makes equal give different IDs")
	}
	u1, u2 := a.unique(), a.unique()
	if u1.hex == u2.hex {
		t.Errorf("unique IDs repeat")
	}
	if _, err := a.fromString(u1.hex); err != nil {
		t.Errorf("unique ID refused: %v", err)
	}
}

func TestClock(t *testing.T) {
	start := time.Date(2026, 4, 20, 12, 0, 0, 0, time.UTC)
	c := NewClock(start)
	if !c.Now().Equal(start) {
		t.Fatalf("Now = %v", c.Now())
	}
	var fired []string
	var at []time.Time
	record := func(name string) func() {
		return func() { fired = append(fired, name); at = append(at, c.Now()) }
	}
	c.AfterFunc(3*time.Second, record("3s"))
	c.AfterFunc(time.Second, record("1s"))
	stopped := c.AfterFunc(2*time.Second, record("2s, stopped"))
	c.AfterFunc(time.Second, record("1s, second"))
	if !stopped.Stop() || stopped.Stop() {
		t.Errorf("Stop should succeed once")
	}
	if got := c.Advance(1500 * time.Millisecond); !got.Equal(start.Add(1500 * time.Millisecond)) {
		t.Errorf("Advance returned %v", got)
	}
	if len(fired) != 2 || fired[0] != "1s" || fired[1] != "1s, second" || !at[0].Equal(start.Add(time.Second)) {
		t.Errorf("after 1.5s: fired %v at %v", fired, at)
	}
	// A timer scheduled by a timer runs in the same Advance when it falls due.
	c.AfterFunc(time.Second, func() { c.AfterFunc(100*time.Millisecond, record("chained")) })
	c.Set(start.Add(10 * time.Second))
	want := []string{"1s", "1s, second", "chained", "3s"} // chained: 1.5s + 1s + 0.1s
	if len(fired) != len(want) {
		t.Fatalf("fired %v, want %v", fired, want)
	}
	for i := range want {
		if fired[i] != want[i] {
			t.Errorf("fired %v, want %v", fired, want)
		}
	}
	if !at[2].Equal(start.Add(2600*time.Millisecond)) || !at[3].Equal(start.Add(3*time.Second)) {
		t.Errorf("timers ran at %v", at)
	}
	if !c.Now().Equal(start.Add(10 * time.Second)) {
		t.Errorf("Now = %v", c.Now())
	}
	c.Set(start) // backward: no timers
	if !c.Now().Equal(start) {
		t.Errorf("Set backward: %v", c.Now())
	}
	c.AfterFunc(-time.Second, record("past"))
	c.Advance(0)
	if fired[len(fired)-1] != "past" {
		t.Errorf("a timer in the past did not run on Advance(0): %v", fired)
	}
}
