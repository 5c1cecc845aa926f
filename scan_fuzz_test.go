package durable_test

import (
	"bytes"
	"database/sql"
	"errors"
	"math"
	"strconv"
	"testing"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/internal/sqlvalue"
)

// FuzzScan reads fuzzed column values (in the forms both runtimes hand over:
// nil, int64 and float64 as sqlvalue.Number makes them, string, []byte) into
// every kind of destination. Each scan either gives the value exactly, or
// fails with ErrScan; no value is rounded, wrapped or made infinite quietly.
func FuzzScan(f *testing.F) {
	f.Add(uint8(1), 1.0, "7", []byte("7"))
	f.Add(uint8(1), 1e300, "1e400", []byte{})
	f.Add(uint8(1), 3.5, "-0", []byte(nil))
	f.Add(uint8(1), float64(1<<53), "9223372036854775808", []byte{0xff})
	f.Add(uint8(1), -129.0, " 12", []byte("x"))
	f.Add(uint8(1), math.Copysign(0, -1), "NaN", []byte("NaN"))
	f.Add(uint8(0), 0.0, "", []byte(nil))
	f.Add(uint8(1), math.Inf(-1), "3.4e39", []byte(nil))
	f.Add(uint8(1), 300.0, "255", []byte(nil))
	f.Fuzz(func(t *testing.T, kind uint8, num float64, text string, blob []byte) {
		var src any
		switch kind % 4 {
		case 0:
			src = nil
		case 1:
			src = sqlvalue.Number(num)
		case 2:
			src = text
		case 3:
			if blob == nil {
				blob = []byte{}
			}
			src = blob
		}
		// exact is src as a float64 and an integer, when it is one.
		var asFloat float64
		floatOK, intOK := false, false
		var asInt int64
		switch v := src.(type) {
		case int64:
			asFloat, floatOK, asInt, intOK = float64(v), true, v, true
		case float64:
			asFloat, floatOK = v, true
			if v == math.Trunc(v) && v >= -(1<<63) && v < 1<<63 {
				asInt, intOK = int64(v), true
			}
		case string:
			if n, err := strconv.ParseInt(v, 10, 64); err == nil {
				asInt, intOK = n, true
			}
			if x, err := strconv.ParseFloat(v, 64); err == nil {
				asFloat, floatOK = x, true
			}
		}
		scan := func(dest any) error {
			err := (durable.Row{src}).Scan(dest)
			if err != nil && !errors.Is(err, durable.ErrScan) {
				t.Fatalf("Scan(%T %#v into %T) = %v; want ErrScan", src, src, dest, err)
			}
			return err
		}

		var i8 int8
		if err := scan(&i8); (err == nil) != (intOK && asInt >= math.MinInt8 && asInt <= math.MaxInt8) || err == nil && int64(i8) != asInt {
			t.Fatalf("int8 from %#v: %d, %v", src, i8, err)
		}
		var i64 int64
		if err := scan(&i64); (err == nil) != intOK || err == nil && i64 != asInt {
			t.Fatalf("int64 from %#v: %d, %v", src, i64, err)
		}
		var u8 uint8
		if err := scan(&u8); (err == nil) != (intOK && asInt >= 0 && asInt <= math.MaxUint8) || err == nil && int64(u8) != asInt {
			t.Fatalf("uint8 from %#v: %d, %v", src, u8, err)
		}
		var b bool
		if err := scan(&b); (err == nil) != intOK || err == nil && b != (asInt != 0) {
			t.Fatalf("bool from %#v: %v, %v", src, b, err)
		}
		var f64 float64
		if err := scan(&f64); (err == nil) != floatOK || err == nil && math.Float64bits(f64) != math.Float64bits(asFloat) && !(f64 != f64 && asFloat != asFloat) {
			t.Fatalf("float64 from %#v: %v, %v", src, f64, err)
		}
		var f32 float32
		err := scan(&f32)
		fits := floatOK && (math.IsInf(asFloat, 0) || math.IsNaN(asFloat) || math.Abs(asFloat) <= math.MaxFloat32)
		if (err == nil) != fits || err == nil && !math.IsNaN(asFloat) && float64(f32) != float64(float32(asFloat)) {
			t.Fatalf("float32 from %#v: %v, %v", src, f32, err)
		}
		var s string
		err = scan(&s)
		switch v := src.(type) {
		case nil:
			if err == nil {
				t.Fatalf("string from NULL: %q", s)
			}
		case int64:
			if back, _ := strconv.ParseInt(s, 10, 64); err != nil || back != v {
				t.Fatalf("string from %d: %q, %v", v, s, err)
			}
		case float64:
			if back, _ := strconv.ParseFloat(s, 64); err != nil || back != v && v == v {
				t.Fatalf("string from %v: %q, %v", v, s, err)
			}
		case string, []byte:
			if err != nil || s != string(toBytes(v)) {
				t.Fatalf("string from %q: %q, %v", v, s, err)
			}
		}
		var raw []byte
		err = scan(&raw)
		switch v := src.(type) {
		case nil:
			if err != nil || raw != nil {
				t.Fatalf("[]byte from NULL: %v, %v", raw, err)
			}
		case string, []byte:
			if err != nil || !bytes.Equal(raw, toBytes(v)) {
				t.Fatalf("[]byte from %q: %q, %v", v, raw, err)
			}
		default:
			if err == nil {
				t.Fatalf("[]byte from a number %v: %q", v, raw)
			}
		}
		var p *int64
		if err := scan(&p); src == nil && (err != nil || p != nil) || src != nil && ((err == nil) != intOK || err == nil && *p != asInt) {
			t.Fatalf("*int64 from %#v: %v, %v", src, p, err)
		}
		var ni sql.NullInt64
		if err := (durable.Row{src}).Scan(&ni); src == nil && (err != nil || ni.Valid) {
			t.Fatalf("sql.NullInt64 from NULL: %+v, %v", ni, err)
		}
	})
}

func toBytes(v any) []byte {
	if s, ok := v.(string); ok {
		return []byte(s)
	}
	return v.([]byte)
}
