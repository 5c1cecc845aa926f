// Package sqlvalue holds the SQL value rules that every runtime shares, so that a
// statement binds and reads the same Go values on workerd and natively.
package sqlvalue

import (
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/durableobjects-on-go/durable"
)

// Arg converts one Exec argument to its canonical form: nil, int64, float64, string
// or []byte. Integers beyond ±MaxSafeInteger are refused because workerd's SQL API
// carries every number as a float64 and would round them, and strings that are
// not valid UTF-8 because a JavaScript string cannot hold them.
func Arg(i int, v any) (any, error) {
	var n int64
	switch a := v.(type) {
	case string:
		if !utf8.ValidString(a) {
			// workerd's strings would replace the bad bytes with U+FFFD.
			return nil, fmt.Errorf("%w: %w: SQL argument %d is a string that is not valid UTF-8, which workerd would change; bind binary data as []byte", durable.ErrInvalidUTF8, durable.ErrUnsupportedType, i+1)
		}
		return a, nil
	case nil, []byte, float64:
		return a, nil
	case float32:
		return float64(a), nil
	case bool:
		if a {
			return int64(1), nil
		}
		return int64(0), nil
	case int:
		n = int64(a)
	case int8:
		n = int64(a)
	case int16:
		n = int64(a)
	case int32:
		n = int64(a)
	case int64:
		n = a
	case uint:
		if uint64(a) > durable.MaxSafeInteger {
			return nil, rangeError(i, fmt.Sprint(a))
		}
		n = int64(a)
	case uint8:
		n = int64(a)
	case uint16:
		n = int64(a)
	case uint32:
		n = int64(a)
	case uint64:
		if a > durable.MaxSafeInteger {
			return nil, rangeError(i, fmt.Sprint(a))
		}
		n = int64(a)
	default:
		return nil, fmt.Errorf("%w: SQL argument %d has type %T; use nil, bool, an integer, a float, string or []byte", durable.ErrUnsupportedType, i+1, v)
	}
	if n > durable.MaxSafeInteger || n < -durable.MaxSafeInteger {
		return nil, rangeError(i, fmt.Sprint(n))
	}
	return n, nil
}

// Args converts all Exec arguments with [Arg].
func Args(args []any) ([]any, error) {
	out := make([]any, len(args))
	for i, a := range args {
		v, err := Arg(i, a)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

func rangeError(i int, n string) error {
	return fmt.Errorf("%w: SQL argument %d is %s, which workerd cannot bind exactly; bind it as a string (strconv.FormatInt) and read it back with CAST(x AS TEXT)", durable.ErrIntegerRange, i+1, n)
}

// Number is how a numeric column value reads back: an int64 when it is integral and
// within ±MaxSafeInteger, else a float64 (which is what workerd hands over).
func Number(f float64) any {
	if f == math.Trunc(f) && math.Abs(f) <= durable.MaxSafeInteger && !(f == 0 && math.Signbit(f)) {
		return int64(f)
	}
	return f
}

// Error turns a database error message of the form "text: SQLITE_CODE" into a
// [*durable.SQLError]. workerd may follow the code with the extended code, as in
// "UNIQUE constraint failed: t.k: SQLITE_CONSTRAINT (extended:
// SQLITE_CONSTRAINT_UNIQUE)", which becomes ExtendedCode.
func Error(query, message string) *durable.SQLError {
	e := &durable.SQLError{Query: query, Message: message}
	text := message
	if i := strings.LastIndex(text, " (extended: SQLITE_"); i >= 0 && strings.HasSuffix(text, ")") {
		e.ExtendedCode = text[i+len(" (extended: ") : len(text)-1]
		text = text[:i]
	}
	if i := strings.LastIndex(text, ": SQLITE_"); i >= 0 {
		code := text[i+2:]
		if !strings.ContainsAny(code, " \n") {
			e.Message, e.Code = message[:i], code
		}
	}
	return e
}
