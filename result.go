package durable

import (
	"database/sql"
	"fmt"
	"math"
	"reflect"
	"strconv"
)

// Result holds what one SQL statement returned.
type Result struct {
	// Columns are the result's column names, in order (empty for statements that
	// return no rows, such as CREATE or an INSERT without RETURNING).
	Columns []string
	// Rows are the rows, each with one value per column.
	Rows []Row
	// RowsRead and RowsWritten are the rows SQLite read and wrote to run the
	// statement, as billed by Cloudflare.
	RowsRead, RowsWritten int64
}

// One scans the only row of the result into dest (see [Row.Scan]). It fails with
// [ErrNoRows] when there is no row and [ErrTooManyRows] when there is more than one.
func (r *Result) One(dest ...any) error {
	switch len(r.Rows) {
	case 0:
		return ErrNoRows
	case 1:
		return r.Rows[0].Scan(dest...)
	default:
		return fmt.Errorf("%w: got %d", ErrTooManyRows, len(r.Rows))
	}
}

// Row is one result row. Each value is nil (NULL), int64, float64, string or
// []byte.
type Row []any

// Scan copies the row's values, in column order, into the values dest points at.
// Supported destinations: *any, *string, *[]byte, *bool, pointers to every integer
// and float type, pointers to pointers of those (set to nil for NULL), and any
// [database/sql.Scanner] such as [database/sql.NullString]. Integer destinations
// accept integral floats and decimal text, which is how to read an integer beyond
// ±MaxSafeInteger: SELECT CAST(n AS TEXT).
func (r Row) Scan(dest ...any) error {
	if len(dest) != len(r) {
		return fmt.Errorf("durable: Scan got %d destinations for %d columns", len(dest), len(r))
	}
	for i, d := range dest {
		if err := scanValue(r[i], d); err != nil {
			return fmt.Errorf("durable: Scan column %d: %w", i, err)
		}
	}
	return nil
}

func scanValue(src, dest any) error {
	switch d := dest.(type) {
	case *any:
		*d = src
		return nil
	case sql.Scanner:
		return d.Scan(src)
	case *string:
		switch s := src.(type) {
		case string:
			*d = s
		case []byte:
			*d = string(s)
		case int64:
			*d = strconv.FormatInt(s, 10)
		case float64:
			*d = strconv.FormatFloat(s, 'g', -1, 64)
		default:
			return nullInto(dest)
		}
		return nil
	case *[]byte:
		switch s := src.(type) {
		case nil:
			*d = nil
		case []byte:
			*d = append([]byte(nil), s...)
		case string:
			*d = []byte(s)
		default:
			return fmt.Errorf("%w: cannot scan %T into *[]byte", ErrScan, src)
		}
		return nil
	case *bool:
		n, err := integerOf(src)
		if err != nil {
			return err
		}
		*d = n != 0
		return nil
	}

	rv := reflect.ValueOf(dest)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("%w: scan destination %T is not a non-nil pointer", ErrUnsupportedType, dest)
	}
	target := rv.Elem()
	switch target.Kind() {
	case reflect.Pointer: // **T: nil for NULL, else a new T
		if src == nil {
			target.SetZero()
			return nil
		}
		fresh := reflect.New(target.Type().Elem())
		if err := scanValue(src, fresh.Interface()); err != nil {
			return err
		}
		target.Set(fresh)
		return nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := integerOf(src)
		if err != nil {
			return err
		}
		if target.OverflowInt(n) {
			return fmt.Errorf("%w: value %d overflows %s", ErrScan, n, target.Type())
		}
		target.SetInt(n)
		return nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		n, err := integerOf(src)
		if err != nil {
			return err
		}
		if n < 0 || target.OverflowUint(uint64(n)) {
			return fmt.Errorf("%w: value %d overflows %s", ErrScan, n, target.Type())
		}
		target.SetUint(uint64(n))
		return nil
	case reflect.Float32, reflect.Float64:
		var f float64
		switch s := src.(type) {
		case int64:
			f = float64(s)
		case float64:
			f = s
		case string:
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return fmt.Errorf("%w: cannot scan text %q into %s", ErrScan, s, target.Type())
			}
			f = v
		case nil:
			return nullInto(dest)
		default:
			return fmt.Errorf("%w: cannot scan %T into %s", ErrScan, src, target.Type())
		}
		if target.OverflowFloat(f) {
			// A float64 beyond float32's range would become ±Inf.
			return fmt.Errorf("%w: value %v overflows %s", ErrScan, f, target.Type())
		}
		target.SetFloat(f)
		return nil
	}
	return fmt.Errorf("%w: scan destination %T", ErrUnsupportedType, dest)
}

// integerOf converts a value to an int64 when it holds an integer exactly.
func integerOf(src any) (int64, error) {
	switch s := src.(type) {
	case int64:
		return s, nil
	case float64:
		if s != math.Trunc(s) || s < -(1<<63) || s >= 1<<63 {
			return 0, fmt.Errorf("%w: cannot scan non-integral %v into an integer", ErrScan, s)
		}
		return int64(s), nil
	case string:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%w: cannot scan text %q into an integer", ErrScan, s)
		}
		return n, nil
	case nil:
		return 0, fmt.Errorf("%w: cannot scan NULL into an integer: scan into a pointer to a pointer, *any or sql.NullInt64", ErrScan)
	}
	return 0, fmt.Errorf("%w: cannot scan %T into an integer", ErrScan, src)
}

func nullInto(dest any) error {
	return fmt.Errorf("%w: cannot scan NULL into %T: scan into a pointer to a pointer, *any or a sql.Null type", ErrScan, dest)
}
