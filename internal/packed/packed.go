// Package packed decodes the byte format in which the workerd runtime
// (cmd/durable-build/js/runtime.mjs) hands SQL results and KV listings to Go: a
// whole result crosses the JavaScript boundary in one copy instead of one call
// per cell.
//
// All integers are little-endian. A value is one tag byte and its payload:
//
//	0  null
//	1  number: float64 (8 bytes)
//	2  text: uint32 length, UTF-8 bytes
//	3  bytes: uint32 length, bytes
//
// Rows are a uint32 column count, the column names (text values), then the
// cells row by row. Pairs are (text key, bytes value) repeated to the end.
package packed

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/durableobjects-on-go/durable/internal/sqlvalue"
)

// Value tags.
const (
	TagNull   = 0
	TagNumber = 1
	TagText   = 2
	TagBytes  = 3
)

var errShort = errors.New("packed: truncated input")

type reader struct {
	b []byte
	n int
}

func (r *reader) u32() (uint32, error) {
	if len(r.b)-r.n < 4 {
		return 0, errShort
	}
	v := binary.LittleEndian.Uint32(r.b[r.n:])
	r.n += 4
	return v, nil
}

func (r *reader) chunk() ([]byte, error) {
	size, err := r.u32()
	if err != nil {
		return nil, err
	}
	if uint64(len(r.b)-r.n) < uint64(size) {
		return nil, errShort
	}
	c := r.b[r.n : r.n+int(size)]
	r.n += int(size)
	return c, nil
}

// value reads one value: nil, a number as sqlvalue.Number makes it, a string
// or a []byte (copied; never nil).
func (r *reader) value() (any, error) {
	if r.n >= len(r.b) {
		return nil, errShort
	}
	tag := r.b[r.n]
	r.n++
	switch tag {
	case TagNull:
		return nil, nil
	case TagNumber:
		if len(r.b)-r.n < 8 {
			return nil, errShort
		}
		f := math.Float64frombits(binary.LittleEndian.Uint64(r.b[r.n:]))
		r.n += 8
		return sqlvalue.Number(f), nil
	case TagText:
		c, err := r.chunk()
		return string(c), err
	case TagBytes:
		c, err := r.chunk()
		return append([]byte{}, c...), err
	}
	return nil, fmt.Errorf("packed: unknown tag %d at offset %d", tag, r.n-1)
}

func (r *reader) text() (string, error) {
	v, err := r.value()
	if err != nil {
		return "", err
	}
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("packed: want text, got %T", v)
	}
	return s, nil
}

// DecodeRows decodes a SQL result: its column names and its rows.
func DecodeRows(b []byte) (columns []string, rows [][]any, err error) {
	r := &reader{b: b}
	n, err := r.u32()
	if err != nil {
		return nil, nil, err
	}
	if uint64(n) > uint64(len(b)) {
		return nil, nil, errShort
	}
	columns = make([]string, n)
	for i := range columns {
		if columns[i], err = r.text(); err != nil {
			return nil, nil, err
		}
	}
	for r.n < len(b) {
		if n == 0 {
			return nil, nil, errors.New("packed: cells without columns")
		}
		row := make([]any, n)
		for i := range row {
			if row[i], err = r.value(); err != nil {
				return nil, nil, err
			}
		}
		rows = append(rows, row)
	}
	return columns, rows, nil
}

// Pair is one KV entry.
type Pair struct {
	Key   string
	Value []byte
}

// DecodePairs decodes a KV listing.
func DecodePairs(b []byte) ([]Pair, error) {
	r := &reader{b: b}
	var pairs []Pair
	for r.n < len(b) {
		key, err := r.text()
		if err != nil {
			return nil, err
		}
		v, err := r.value()
		if err != nil {
			return nil, err
		}
		value, ok := v.([]byte)
		if !ok {
			return nil, fmt.Errorf("packed: value of %q: want bytes, got %T", key, v)
		}
		pairs = append(pairs, Pair{Key: key, Value: value})
	}
	return pairs, nil
}

// DecodeValues decodes a sequence of values, such as the answers of a KV
// batch get: each is nil, a number, a string or a []byte.
func DecodeValues(b []byte) ([]any, error) {
	r := &reader{b: b}
	var values []any
	for r.n < len(b) {
		v, err := r.value()
		if err != nil {
			return nil, err
		}
		values = append(values, v)
	}
	return values, nil
}
