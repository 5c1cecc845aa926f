package rpcvalue

import (
	"bytes"
	"reflect"
	"testing"
)

// FuzzUnmarshal feeds arbitrary bytes to the decoder: it must never panic, and
// what it accepts must encode back to the same bytes and convert to Go.
func FuzzUnmarshal(f *testing.F) {
	for _, v := range []any{nil, true, 1.5, "s", []byte{1}, []any{1, "a", nil}, map[string]any{"k": []int{1}}} {
		x, _ := FromGo(v, "seed")
		f.Add(Marshal(x))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := Unmarshal(b)
		if err != nil {
			return
		}
		if again := Marshal(v); !bytes.Equal(again, b) {
			t.Fatalf("re-encoding changed the bytes: %x → %x", b, again)
		}
		var x any
		_ = ToGo(v, &x, "the value") // may refuse (an invalid Date), must not panic
	})
}

// FuzzRoundTrip checks that Go values built from fuzzed parts survive the
// trip unchanged, or are refused with an error.
func FuzzRoundTrip(f *testing.F) {
	f.Add("name", int64(3), 1.5, []byte("x"), true)
	f.Add("\xff", int64(1)<<60, -0.0, []byte{}, false)
	f.Fuzz(func(t *testing.T, s string, n int64, fl float64, b []byte, ok bool) {
		type rec struct {
			S  string         `json:"s"`
			N  int64          `json:"n"`
			F  float64        `json:"f"`
			B  []byte         `json:"b"`
			OK bool           `json:"ok"`
			M  map[string]int `json:"m"`
		}
		in := rec{S: s, N: n, F: fl, B: b, OK: ok, M: map[string]int{s: 1}}
		v, err := FromGo(in, "the value")
		if err != nil {
			return
		}
		back, err := Unmarshal(Marshal(v))
		if err != nil {
			t.Fatal(err)
		}
		var out rec
		if err := ToGo(back, &out, "the value"); err != nil {
			t.Fatal(err)
		}
		if in.B == nil {
			in.B = nil
		} else if len(in.B) == 0 {
			in.B = []byte{}
		}
		if fl != fl { // NaN is never equal to itself
			in.F, out.F = 0, 0
		}
		if !reflect.DeepEqual(in, out) {
			t.Fatalf("got %#v, want %#v", out, in)
		}
	})
}
