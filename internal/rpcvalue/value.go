// Package rpcvalue is the mapping of Go values to the JavaScript values an RPC
// call carries (workerd's structured clone), shared by both runtimes so that a
// Go object answers the same on workerd and under durabletest.
//
// A call's values travel as a [Value] tree, encoded into one byte buffer
// ([Marshal], [Unmarshal]) that cmd/durable-build's js/rpc.mjs reads and writes
// with the same format: Go crosses the JavaScript boundary once per call, not
// once per field. durabletest passes the same bytes, so a value that would not
// survive workerd fails natively too.
//
// The mapping, Go to JavaScript (and back):
//
//	nil, nil pointer, map or slice    null (undefined reads as nil too)
//	bool                              boolean
//	integers, floats                  number; integers only within ±2^53
//	string (valid UTF-8)              string
//	[]byte                            Uint8Array (any ArrayBuffer view reads back)
//	time.Time                         Date (millisecond precision)
//	slices, arrays                    Array
//	map[string]T                      plain object
//	struct                            plain object; fields named and skipped by json tags
//	pointer, interface                the value it points to
//
// Decoding into an interface (any) follows the SQL rule: an integral number
// within ±2^53 is an int64, any other a float64; an array is []any, an object
// map[string]any. Channels, funcs, complex numbers, cyclic values and integers
// beyond ±2^53 are refused with an error that says where.
package rpcvalue

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"unicode/utf8"
)

// Kind is the JavaScript type of a [Value].
type Kind uint8

// The kinds, numbered as in the encoding.
const (
	Undefined Kind = iota
	Null
	False
	True
	Number
	String
	Bytes
	Date
	Array
	Object
)

// Value is one JavaScript value of the mapping.
type Value struct {
	Kind Kind
	// Num is a Number's value, or a Date's milliseconds since the Unix epoch.
	Num float64
	// Str is a String's text.
	Str string
	// Bytes is a Bytes value's content.
	Bytes []byte
	// Items are an Array's elements.
	Items []Value
	// Keys and Fields are an Object's properties, in order.
	Keys   []string
	Fields []Value
}

// MaxDepth bounds the nesting of a value, so that a deep or cyclic value fails
// with an error rather than exhausting the stack.
const MaxDepth = 64

// ErrMalformed is matched by the errors of [Unmarshal] for bytes that are not
// an encoded value.
var ErrMalformed = errors.New("rpcvalue: malformed encoding")

// Marshal encodes v: a tag byte per value, then for Number and Date a
// little-endian float64, for String and Bytes a uint32 length and the bytes,
// for Array a uint32 count and the items, for Object a uint32 count and
// key-value pairs (each key a String without its tag).
func Marshal(v Value) []byte { return appendValue(nil, v) }

// MarshalList encodes a call's argument list (an Array of them).
func MarshalList(vs []Value) []byte { return Marshal(Value{Kind: Array, Items: vs}) }

func appendValue(b []byte, v Value) []byte {
	b = append(b, byte(v.Kind))
	switch v.Kind {
	case Number, Date:
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v.Num))
	case String:
		b = appendString(b, v.Str)
	case Bytes:
		b = binary.LittleEndian.AppendUint32(b, uint32(len(v.Bytes)))
		b = append(b, v.Bytes...)
	case Array:
		b = binary.LittleEndian.AppendUint32(b, uint32(len(v.Items)))
		for _, it := range v.Items {
			b = appendValue(b, it)
		}
	case Object:
		b = binary.LittleEndian.AppendUint32(b, uint32(len(v.Keys)))
		for i, k := range v.Keys {
			b = appendString(b, k)
			b = appendValue(b, v.Fields[i])
		}
	}
	return b
}

func appendString(b []byte, s string) []byte {
	b = binary.LittleEndian.AppendUint32(b, uint32(len(s)))
	return append(b, s...)
}

// Unmarshal decodes bytes made by [Marshal] or by js/rpc.mjs. Bytes values
// alias b.
func Unmarshal(b []byte) (Value, error) {
	d := decoder{b: b}
	v, err := d.value(0)
	if err == nil && d.i != len(b) {
		err = fmt.Errorf("%w: %d bytes after the value", ErrMalformed, len(b)-d.i)
	}
	return v, err
}

// UnmarshalList decodes an argument list encoded by [MarshalList].
func UnmarshalList(b []byte) ([]Value, error) {
	v, err := Unmarshal(b)
	if err != nil {
		return nil, err
	}
	if v.Kind != Array {
		return nil, fmt.Errorf("%w: the arguments are not a list", ErrMalformed)
	}
	return v.Items, nil
}

type decoder struct {
	b []byte
	i int
}

func (d *decoder) need(n int) error {
	if n < 0 || len(d.b)-d.i < n {
		return fmt.Errorf("%w: truncated at byte %d", ErrMalformed, d.i)
	}
	return nil
}

func (d *decoder) u32() (int, error) {
	if err := d.need(4); err != nil {
		return 0, err
	}
	n := binary.LittleEndian.Uint32(d.b[d.i:])
	d.i += 4
	if uint64(n) > uint64(len(d.b)) { // no count can exceed the bytes left to hold it
		return 0, fmt.Errorf("%w: length %d beyond the input", ErrMalformed, n)
	}
	return int(n), nil
}

func (d *decoder) str() (string, error) {
	n, err := d.u32()
	if err != nil {
		return "", err
	}
	if err := d.need(n); err != nil {
		return "", err
	}
	s := string(d.b[d.i : d.i+n])
	d.i += n
	if !utf8.ValidString(s) {
		return "", fmt.Errorf("%w: a string is not UTF-8", ErrMalformed)
	}
	return s, nil
}

func (d *decoder) value(depth int) (Value, error) {
	if depth > MaxDepth {
		return Value{}, fmt.Errorf("%w: nested deeper than %d", ErrMalformed, MaxDepth)
	}
	if err := d.need(1); err != nil {
		return Value{}, err
	}
	v := Value{Kind: Kind(d.b[d.i])}
	d.i++
	switch v.Kind {
	case Undefined, Null, False, True:
	case Number, Date:
		if err := d.need(8); err != nil {
			return Value{}, err
		}
		v.Num = math.Float64frombits(binary.LittleEndian.Uint64(d.b[d.i:]))
		d.i += 8
	case String:
		s, err := d.str()
		if err != nil {
			return Value{}, err
		}
		v.Str = s
	case Bytes:
		n, err := d.u32()
		if err != nil {
			return Value{}, err
		}
		if err := d.need(n); err != nil {
			return Value{}, err
		}
		v.Bytes = d.b[d.i : d.i+n : d.i+n]
		d.i += n
	case Array:
		n, err := d.u32()
		if err != nil {
			return Value{}, err
		}
		v.Items = make([]Value, 0, min(n, 1024))
		for range n {
			it, err := d.value(depth + 1)
			if err != nil {
				return Value{}, err
			}
			v.Items = append(v.Items, it)
		}
	case Object:
		n, err := d.u32()
		if err != nil {
			return Value{}, err
		}
		for range n {
			k, err := d.str()
			if err != nil {
				return Value{}, err
			}
			f, err := d.value(depth + 1)
			if err != nil {
				return Value{}, err
			}
			v.Keys = append(v.Keys, k)
			v.Fields = append(v.Fields, f)
		}
	default:
		return Value{}, fmt.Errorf("%w: unknown tag %d", ErrMalformed, v.Kind)
	}
	return v, nil
}

// String names the kind as JavaScript's typeof-like description, for errors.
func (k Kind) String() string {
	switch k {
	case Undefined:
		return "undefined"
	case Null:
		return "null"
	case False, True:
		return "boolean"
	case Number:
		return "number"
	case String:
		return "string"
	case Bytes:
		return "Uint8Array"
	case Date:
		return "Date"
	case Array:
		return "Array"
	case Object:
		return "object"
	}
	return fmt.Sprintf("kind %d", uint8(k))
}
