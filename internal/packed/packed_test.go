package packed

import (
	"encoding/binary"
	"math"
	"reflect"
	"testing"
)

// enc builds packed input the way runtime.mjs's Packer writes it.
type enc []byte

func (e enc) u32(v uint32) enc { return binary.LittleEndian.AppendUint32(e, v) }
func (e enc) null() enc        { return append(e, TagNull) }
func (e enc) num(f float64) enc {
	return binary.LittleEndian.AppendUint64(append(e, TagNumber), math.Float64bits(f))
}
func (e enc) text(s string) enc  { return append(append(e, TagText).u32(uint32(len(s))), s...) }
func (e enc) bytes(b []byte) enc { return append(append(e, TagBytes).u32(uint32(len(b))), b...) }

func TestDecodeRows(t *testing.T) {
	in := enc{}.u32(4).text("n").text("f").text("s").text("b").
		num(42).num(1.5).text("héllo").bytes([]byte{0, 1}).
		null().num(-0.25).text("").bytes(nil)
	cols, rows, err := DecodeRows(in)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"n", "f", "s", "b"}; !reflect.DeepEqual(cols, want) {
		t.Errorf("columns %q, want %q", cols, want)
	}
	want := [][]any{{int64(42), 1.5, "héllo", []byte{0, 1}}, {nil, -0.25, "", []byte{}}}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("rows %#v, want %#v", rows, want)
	}
}

func TestDecodeRowsEmptyResult(t *testing.T) {
	cols, rows, err := DecodeRows(enc{}.u32(0))
	if err != nil || len(cols) != 0 || rows != nil {
		t.Errorf("got %q %v %v", cols, rows, err)
	}
}

func TestDecodePairs(t *testing.T) {
	pairs, err := DecodePairs(enc{}.text("a").bytes([]byte("1")).text("b").bytes(nil))
	if err != nil {
		t.Fatal(err)
	}
	want := []Pair{{"a", []byte("1")}, {"b", []byte{}}}
	if !reflect.DeepEqual(pairs, want) {
		t.Errorf("got %#v, want %#v", pairs, want)
	}
}

func TestDecodeRejectsBadInput(t *testing.T) {
	for name, in := range map[string]enc{
		"truncated count":  {1, 0},
		"truncated text":   enc{}.u32(1).append(TagText).u32(10).append('a'),
		"unknown tag":      enc{}.u32(1).text("c").append(9),
		"column not text":  enc{}.u32(1).num(1),
		"cells, no column": enc{}.u32(0).null(),
		"huge count":       enc{}.u32(1 << 31),
		"short number":     enc{}.u32(1).text("c").append(TagNumber, 1, 2),
	} {
		if _, _, err := DecodeRows(in); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := DecodePairs(enc{}.text("k").text("not bytes")); err == nil {
		t.Error("pairs with a text value: no error")
	}
}

func (e enc) append(b ...byte) enc { return append(e, b...) }

// FuzzDecode checks that no input makes the decoders panic.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(enc{}.u32(2).text("a").text("b").num(1).bytes([]byte{1})))
	f.Add([]byte(enc{}.text("k").bytes([]byte("v"))))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		DecodeRows(b)
		DecodePairs(b)
	})
}
