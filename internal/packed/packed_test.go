package packed

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"reflect"
	"runtime"
	"strings"
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

// value appends one decoded value as the Packer would have written it.
func (e enc) value(v any) enc {
	switch v := v.(type) {
	case nil:
		return e.null()
	case int64:
		return e.num(float64(v))
	case float64:
		return e.num(v)
	case string:
		return e.text(v)
	case []byte:
		return e.bytes(v)
	}
	panic(fmt.Sprintf("decoded a %T", v))
}

// decodeChecked runs one decoder on b: an error must be the decoder's own
// (prefixed "packed:"), and the decoder may allocate only in proportion to
// b, whatever lengths and counts b claims. What it accepts is returned.
func decodeChecked[T any](t *testing.T, what string, b []byte, decode func([]byte) (T, error)) (T, bool) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	v, err := decode(b)
	runtime.ReadMemStats(&after)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > uint64(64*len(b)+64<<10) {
		t.Fatalf("%s allocated %d bytes for %d bytes of input", what, alloc, len(b))
	}
	if err != nil {
		if !strings.HasPrefix(err.Error(), "packed: ") {
			t.Fatalf("%s: error %q is not the decoder's", what, err)
		}
		return v, false
	}
	return v, true
}

// FuzzDecode feeds arbitrary bytes to the decoders: they must never panic or
// allocate out of proportion to the input, must refuse with their own
// errors, and what they accept must encode back to the very same bytes.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(enc{}.u32(2).text("a").text("b").num(1).bytes([]byte{1})))
	f.Add([]byte(enc{}.text("k").bytes([]byte("v"))))
	f.Add([]byte{})
	f.Add([]byte(enc{}.u32(1).text("c").num(math.Copysign(0, -1)).num(math.NaN()).num(1 << 53).num(-0.5)))
	f.Add([]byte(enc{}.u32(1 << 30)))
	f.Add([]byte(enc{}.u32(3).text("a").text("b").text("c")))
	f.Add([]byte(enc{}.null().text("t").bytes(nil).num(2)))
	f.Fuzz(func(t *testing.T, b []byte) {
		type rowsOut struct {
			cols []string
			rows [][]any
		}
		if r, ok := decodeChecked(t, "DecodeRows", b, func(b []byte) (rowsOut, error) {
			c, r, err := DecodeRows(b)
			return rowsOut{c, r}, err
		}); ok {
			again := enc{}.u32(uint32(len(r.cols)))
			for _, c := range r.cols {
				again = again.text(c)
			}
			for _, row := range r.rows {
				if len(row) != len(r.cols) {
					t.Fatalf("row of %d cells for %d columns", len(row), len(r.cols))
				}
				for _, v := range row {
					again = again.value(v)
				}
			}
			if !bytes.Equal(again, b) {
				t.Fatalf("rows re-encode as %x, not %x", []byte(again), b)
			}
		}
		if pairs, ok := decodeChecked(t, "DecodePairs", b, DecodePairs); ok {
			again := enc{}
			for _, p := range pairs {
				if p.Value == nil {
					t.Fatalf("pair %q has a nil value", p.Key)
				}
				again = again.text(p.Key).bytes(p.Value)
			}
			if !bytes.Equal(again, b) {
				t.Fatalf("pairs re-encode as %x, not %x", []byte(again), b)
			}
		}
		if values, ok := decodeChecked(t, "DecodeValues", b, DecodeValues); ok {
			again := enc{}
			for _, v := range values {
				again = again.value(v)
			}
			if !bytes.Equal(again, b) {
				t.Fatalf("values re-encode as %x, not %x", []byte(again), b)
			}
		}
	})
}
