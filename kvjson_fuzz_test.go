package durable_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/durabletest"
)

// jsonText is s as encoding/json stores it: each invalid byte becomes U+FFFD.
func jsonText(s string) string {
	var b strings.Builder
	for _, r := range []rune(s) { // invalid bytes decode as RuneError, one each
		b.WriteRune(r)
	}
	return b.String()
}

// FuzzKVValues stores fuzzed keys and values in real storage (durabletest's
// SQLite): bytes come back unchanged, JSON comes back equal (or is refused
// before anything is written), a value that is not JSON is reported as such
// under its key, and a key that is not UTF-8 is refused and writes nothing.
func FuzzKVValues(f *testing.F) {
	rt := durabletest.New(f, durable.Worker{Objects: map[string]durable.Constructor{"C": nil}}, nil)
	kv := rt.State("C", rt.Namespace("C").IDFromName("fuzz")).Storage().KV()
	f.Add("k", []byte(`{"s":"x","n":1}`), "text", int64(1), 1.5)
	f.Add("", []byte{}, "", int64(0), 0.0)
	f.Add("a\xffb", []byte("\xff"), "a\xffb", int64(math.MaxInt64), math.NaN())
	f.Add("😀", []byte(`{"n": 1e400}`), "\u2028", int64(math.MinInt64), math.Inf(-1))
	f.Add("k\x00", []byte(`{"s":"x"} trailing`), "x\xe2\x82y", int64(-1), math.Copysign(0, -1))
	f.Add("k", []byte(`[1,2`), "\x00", int64(durable.MaxSafeInteger+1), 1e308)
	type rec struct {
		S string  `json:"s"`
		N int64   `json:"n"`
		F float64 `json:"f"`
	}
	f.Fuzz(func(t *testing.T, key string, raw []byte, s string, n int64, fl float64) {
		defer func() {
			if utf8.ValidString(key) {
				kv.Delete(key)
			}
		}()
		err := kv.Put(key, raw)
		if !utf8.ValidString(key) {
			if !errors.Is(err, durable.ErrInvalidUTF8) {
				t.Fatalf("Put(%q) = %v; want ErrInvalidUTF8", key, err)
			}
			if err := durable.PutJSON(kv, key, rec{S: s}); !errors.Is(err, durable.ErrInvalidUTF8) {
				t.Fatalf("PutJSON(%q) = %v; want ErrInvalidUTF8", key, err)
			}
			if all, err := kv.List(nil); err != nil || len(all) != 0 {
				t.Fatalf("after refused writes, storage holds %d entries (%v)", len(all), err)
			}
			return
		}
		if err != nil {
			t.Fatalf("Put(%q): %v", key, err)
		}
		got, ok, err := kv.Get(key)
		if err != nil || !ok || !bytes.Equal(got, raw) || got == nil {
			t.Fatalf("Get(%q) = %q, %v, %v; want %q", key, got, ok, err, raw)
		}

		_, ok, err = durable.GetJSON[any](kv, key)
		var syntax *json.SyntaxError
		var typ *json.UnmarshalTypeError // valid JSON Go cannot hold, as 1e400
		switch {
		case !ok:
			t.Fatalf("GetJSON(%q) reported the key missing", key)
		case json.Valid(raw) && err != nil && !errors.As(err, &typ):
			t.Fatalf("GetJSON(%q) of valid JSON %q: %v", key, raw, err)
		case !json.Valid(raw) && (!errors.As(err, &syntax) || !strings.Contains(err.Error(), "decoding JSON value of key")):
			t.Fatalf("GetJSON(%q) of %q = %v; want a *json.SyntaxError naming the key", key, raw, err)
		}

		in := rec{S: s, N: n, F: fl}
		err = durable.PutJSON(kv, key, in)
		if math.IsNaN(fl) || math.IsInf(fl, 0) {
			var unsupported *json.UnsupportedValueError
			if !errors.As(err, &unsupported) {
				t.Fatalf("PutJSON of %v = %v; want *json.UnsupportedValueError", fl, err)
			}
			if got, _, _ := kv.Get(key); !bytes.Equal(got, raw) {
				t.Fatalf("a refused PutJSON changed the value to %q", got)
			}
			return
		}
		if err != nil {
			t.Fatalf("PutJSON(%+v): %v", in, err)
		}
		out, ok, err := durable.GetJSON[rec](kv, key)
		want := rec{S: jsonText(s), N: n, F: fl}
		if err != nil || !ok || out != want {
			t.Fatalf("GetJSON after PutJSON(%+v) = %+v, %v, %v; want %+v", in, out, ok, err, want)
		}
	})
}
