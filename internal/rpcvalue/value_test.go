package rpcvalue

import (
	"errors"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/durableobjects-on-go/durable"
)

type inner struct {
	N int `json:"n"`
}

type record struct {
	Name    string            `json:"name"`
	Skip    string            `json:"-"`
	Empty   string            `json:"empty,omitempty"`
	Plain   bool              // no tag: the Go name
	When    time.Time         `json:"when"`
	Ptr     *inner            `json:"ptr"`
	Tags    []string          `json:"tags"`
	Data    []byte            `json:"data"`
	Counts  map[string]uint16 `json:"counts"`
	private int
	inner   // embedded, untagged: its fields are lent
}

// TestRoundTrip runs every row of the mapping through the encoding and back.
func TestRoundTrip(t *testing.T) {
	when := time.Date(2026, 11, 30, 7, 0, 0, 123_000_000, time.UTC)
	rows := []struct {
		name string
		in   any
		kind Kind
		out  any // what decoding into the same type gives; nil: in itself
	}{
		{"nil", nil, Null, nil},
		{"true", true, True, nil},
		{"false", false, False, nil},
		{"int", 42, Number, nil},
		{"max safe", int64(durable.MaxSafeInteger), Number, nil},
		{"min safe", int64(-durable.MaxSafeInteger), Number, nil},
		{"uint8", uint8(255), Number, nil},
		{"float", 1.5, Number, nil},
		{"inf", math.Inf(-1), Number, nil},
		{"string", "héllo, 世界", String, nil},
		{"empty string", "", String, nil},
		{"bytes", []byte{0, 1, 255}, Bytes, nil},
		{"empty bytes", []byte{}, Bytes, nil},
		{"date", when, Date, nil},
		{"date sub-ms is truncated", when.Add(999 * time.Microsecond), Date, when},
		{"zero time (an unset field) is year 1", time.Time{}, Date, nil},
		{"slice", []int{1, 2, 3}, Array, nil},
		{"array", [2]string{"a", "b"}, Array, nil},
		{"nested slice", [][]float64{{1.5}, {}}, Array, nil},
		{"map", map[string]int{"a": 1, "b": 2}, Object, nil},
		{"struct", record{Name: "x", Skip: "gone", Plain: true, When: when, Ptr: &inner{7}, Tags: []string{"t"}, Data: []byte("d"), Counts: map[string]uint16{"k": 3}, private: 9, inner: inner{5}}, Object,
			record{Name: "x", Plain: true, When: when, Ptr: &inner{7}, Tags: []string{"t"}, Data: []byte("d"), Counts: map[string]uint16{"k": 3}, inner: inner{5}}},
		{"pointer", &inner{3}, Object, nil},
		{"nil pointer", (*inner)(nil), Null, nil},
		{"nil slice", []string(nil), Null, nil},
		{"nil map", map[string]bool(nil), Null, nil},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			v, err := FromGo(r.in, "the value")
			if err != nil {
				t.Fatal(err)
			}
			if v.Kind != r.kind {
				t.Fatalf("kind %v, want %v", v.Kind, r.kind)
			}
			back, err := Unmarshal(Marshal(v))
			if err != nil {
				t.Fatal(err)
			}
			want := r.out
			if want == nil {
				want = r.in
			}
			if r.in == nil {
				var got any = 1
				if err := ToGo(back, &got, "the value"); err != nil || got != nil {
					t.Fatalf("got %v, %v", got, err)
				}
				return
			}
			dst := reflect.New(reflect.TypeOf(r.in))
			if err := Decode(back, dst.Elem(), "the value"); err != nil {
				t.Fatal(err)
			}
			if got := dst.Elem().Interface(); !reflect.DeepEqual(got, want) {
				t.Fatalf("got %#v, want %#v", got, want)
			}
		})
	}
}

// TestIntoAny checks what an interface receives: the SQL number rule, []any,
// map[string]any, []byte, time.Time.
func TestIntoAny(t *testing.T) {
	when := time.UnixMilli(1_700_000_000_000).UTC()
	in := map[string]any{"i": 3, "f": 2.5, "big": 1e300, "s": "x", "b": []byte{1}, "t": when, "l": []any{true, nil}, "negzero": math.Copysign(0, -1)}
	v, err := FromGo(in, "the value")
	if err != nil {
		t.Fatal(err)
	}
	var got any
	if err := ToGo(v, &got, "the value"); err != nil {
		t.Fatal(err)
	}
	m := got.(map[string]any)
	want := map[string]any{"i": int64(3), "f": 2.5, "big": 1e300, "s": "x", "b": []byte{1}, "t": when, "l": []any{true, nil}}
	negzero := m["negzero"].(float64)
	delete(m, "negzero")
	if !reflect.DeepEqual(m, want) || !math.Signbit(negzero) {
		t.Fatalf("got %#v", got)
	}
}

// TestRefused covers the values the mapping refuses, each with the error a
// caller can match.
func TestRefused(t *testing.T) {
	type cyclic struct{ Next *cyclic }
	loop := &cyclic{}
	loop.Next = loop
	self := []any{nil}
	self[0] = self
	m := map[string]any{}
	m["me"] = m
	rows := []struct {
		name string
		in   any
		want error
	}{
		{"int64 beyond 2^53", int64(durable.MaxSafeInteger + 1), durable.ErrIntegerRange},
		{"negative beyond 2^53", int64(-durable.MaxSafeInteger - 1), durable.ErrIntegerRange},
		{"uint64 beyond 2^53", uint64(math.MaxUint64), durable.ErrIntegerRange},
		{"chan", make(chan int), durable.ErrUnsupportedType},
		{"func", func() {}, durable.ErrUnsupportedType},
		{"complex", 1i, durable.ErrUnsupportedType},
		{"int keys", map[int]string{1: "a"}, durable.ErrUnsupportedType},
		{"cyclic pointer", loop, durable.ErrUnsupportedType},
		{"cyclic slice", self, durable.ErrUnsupportedType},
		{"cyclic map", m, durable.ErrUnsupportedType},
		{"bad UTF-8", "\xff", durable.ErrUnsupportedType},
		{"time beyond a Date", time.Date(300000, 1, 1, 0, 0, 0, 0, time.UTC), durable.ErrUnsupportedType},
		{"chan in a struct", struct{ C chan int }{}, durable.ErrUnsupportedType},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			_, err := FromGo(r.in, "argument 1")
			if !errors.Is(err, r.want) {
				t.Fatalf("got %v, want %v", err, r.want)
			}
		})
	}
}

// TestDecodeRefused covers JavaScript values that do not fit the Go type.
func TestDecodeRefused(t *testing.T) {
	num := func(f float64) Value { return Value{Kind: Number, Num: f} }
	rows := []struct {
		name string
		in   Value
		dst  any
		want error
	}{
		{"fraction into int", num(1.5), new(int), durable.ErrIntegerRange},
		{"beyond int8", num(200), new(int8), durable.ErrIntegerRange},
		{"negative into uint", num(-1), new(uint), durable.ErrIntegerRange},
		{"beyond 2^53 into int64", num(1e16), new(int64), durable.ErrIntegerRange},
		{"NaN into int", num(math.NaN()), new(int), durable.ErrIntegerRange},
		{"string into int", Value{Kind: String, Str: "1"}, new(int), durable.ErrUnsupportedType},
		{"null into int", Value{Kind: Null}, new(int), durable.ErrUnsupportedType},
		{"number into string", num(1), new(string), durable.ErrUnsupportedType},
		{"array into struct", Value{Kind: Array}, new(inner), durable.ErrUnsupportedType},
		{"short array", Value{Kind: Array, Items: []Value{num(1)}}, new([2]int), durable.ErrUnsupportedType},
		{"into error", Value{Kind: String, Str: "x"}, new(error), durable.ErrUnsupportedType},
		{"invalid date", Value{Kind: Date, Num: math.NaN()}, new(time.Time), durable.ErrUnsupportedType},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			err := ToGo(r.in, r.dst, "argument 1")
			if !errors.Is(err, r.want) {
				t.Fatalf("got %v, want %v", err, r.want)
			}
		})
	}
}

func TestUnmarshalMalformed(t *testing.T) {
	for _, b := range [][]byte{nil, {99}, {byte(Number), 1}, {byte(String), 5, 0, 0, 0, 'a'}, {byte(Array), 255, 255, 255, 255}, {byte(Null), 0}, {byte(String), 1, 0, 0, 0, 0xff}} {
		if _, err := Unmarshal(b); !errors.Is(err, ErrMalformed) {
			t.Errorf("Unmarshal(%v) = %v, want ErrMalformed", b, err)
		}
	}
}
