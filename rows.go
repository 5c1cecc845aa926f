package durable

import (
	"database/sql"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"sync"
)

// Decoding rows into Go values by column name. It lives here, once, so that
// both runtimes decode the same values the same way.

var (
	// ErrColumnType is matched by the [*ColumnError] of a column whose value
	// does not fit its field's Go type (TEXT into an int, NULL into a
	// non-pointer, a fraction into an integer).
	ErrColumnType = errors.New("durable: column value does not fit the field's type")
	// ErrUnknownColumn is matched by the [*ColumnError] of a column that no
	// field of the struct takes, or that two columns of the result share.
	ErrUnknownColumn = errors.New("durable: column has no field to decode into")
)

// ColumnError is a column that [Rows], [One] or [Query] could not decode.
type ColumnError struct {
	// Row is the index of the row in the result (0 for the first), or -1 when
	// the column itself has no place in the Go type, whatever the row.
	Row int
	// Column is the column's name as the statement returned it.
	Column string
	// Field is the Go field (or type, for a one-column result) it decodes into,
	// such as "User.Age" or "int".
	Field string
	// Err is what went wrong; it matches [ErrColumnType] or [ErrUnknownColumn].
	Err error
}

// Error implements error.
func (e *ColumnError) Error() string {
	where := fmt.Sprintf("column %q", e.Column)
	if e.Row >= 0 {
		where = fmt.Sprintf("row %d, %s", e.Row, where)
	}
	if e.Field != "" {
		where += " into " + e.Field
	}
	return "durable: " + where + ": " + e.Err.Error()
}

// columnProblem is a ColumnError's Err: its text says what went wrong, and it
// matches its sentinel.
type columnProblem struct {
	sentinel error
	msg      string
}

func (p *columnProblem) Error() string { return p.msg }
func (p *columnProblem) Unwrap() error { return p.sentinel }

func typeProblem(format string, args ...any) error {
	return &columnProblem{ErrColumnType, fmt.Sprintf(format, args...)}
}

// Unwrap returns Err.
func (e *ColumnError) Unwrap() error { return e.Err }

// Rows decodes every row of res into a T, by column name (see the package
// documentation, "Typed rows"). It returns an empty slice for no rows.
func Rows[T any](res *Result) ([]T, error) {
	dec, err := decoderFor[T](res.Columns)
	if err != nil {
		return nil, err
	}
	out := make([]T, len(res.Rows))
	for i, row := range res.Rows {
		if err := dec.decode(i, row, reflect.ValueOf(&out[i]).Elem()); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// One decodes the only row of res into a T, as [Rows] does. It fails with
// [ErrNoRows] when there is no row and [ErrTooManyRows] when there is more
// than one.
func One[T any](res *Result) (T, error) {
	var v T
	switch len(res.Rows) {
	case 0:
		return v, ErrNoRows
	case 1:
	default:
		return v, fmt.Errorf("%w: got %d", ErrTooManyRows, len(res.Rows))
	}
	dec, err := decoderFor[T](res.Columns)
	if err != nil {
		return v, err
	}
	err = dec.decode(0, res.Rows[0], reflect.ValueOf(&v).Elem())
	return v, err
}

// rowDecoder decodes rows of one column list into one Go type.
type rowDecoder struct {
	typeName string
	columns  []string
	fields   [][]int // per column: the field's index path; nil for a scalar T
	scalar   bool
}

func decoderFor[T any](columns []string) (*rowDecoder, error) {
	t := reflect.TypeFor[T]()
	d := &rowDecoder{typeName: t.String(), columns: columns}
	if !isRecord(t) {
		if len(columns) != 1 {
			return nil, fmt.Errorf("durable: decoding into %s takes exactly one column; the result has %d (%s)", t, len(columns), strings.Join(columns, ", "))
		}
		d.scalar = true
		return d, nil
	}
	byName := fieldsOf(t)
	d.fields = make([][]int, len(columns))
	taken := make(map[string]string, len(columns))
	for i, col := range columns {
		key := strings.ToLower(col)
		f, ok := byName[key]
		if !ok {
			return nil, &ColumnError{Row: -1, Column: col, Err: &columnProblem{ErrUnknownColumn, fmt.Sprintf("%s has no field tagged durable:%q or named so (case aside)", t, col)}}
		}
		if prev, dup := taken[key]; dup {
			return nil, &ColumnError{Row: -1, Column: col, Err: &columnProblem{ErrUnknownColumn, fmt.Sprintf("columns %q and %q both map to %s.%s; rename one with AS", prev, col, t, f.name)}}
		}
		taken[key] = col
		d.fields[i] = f.index
	}
	return d, nil
}

// isRecord reports whether T decodes by column name: a struct that is not a
// sql.Scanner (sql.NullString and the like decode one column).
func isRecord(t reflect.Type) bool {
	return t.Kind() == reflect.Struct && !reflect.PointerTo(t).Implements(scannerType)
}

var scannerType = reflect.TypeFor[sql.Scanner]()

type fieldInfo struct {
	name  string
	index []int
}

var fieldCache sync.Map // reflect.Type → map[string]fieldInfo

// fieldsOf maps lower-cased column names to the exported fields of struct t,
// promoted fields of embedded structs included.
func fieldsOf(t reflect.Type) map[string]fieldInfo {
	if m, ok := fieldCache.Load(t); ok {
		return m.(map[string]fieldInfo)
	}
	m := make(map[string]fieldInfo)
	for _, f := range reflect.VisibleFields(t) {
		if !f.IsExported() || (f.Anonymous && f.Type.Kind() == reflect.Struct && isRecord(f.Type)) || viaPointer(t, f.Index) {
			continue
		}
		name, tagged := f.Tag.Lookup("durable")
		if name == "-" {
			continue
		}
		name, _, _ = strings.Cut(name, ",") // options after a comma are reserved
		if !tagged || name == "" {
			name = f.Name
		}
		key := strings.ToLower(name)
		if prev, ok := m[key]; ok && len(prev.index) <= len(f.Index) && !tagged {
			continue // the shallower field wins, as in encoding/json
		}
		m[key] = fieldInfo{name: f.Name, index: f.Index}
	}
	fieldCache.Store(t, m)
	return m
}

// viaPointer reports whether the field at index is promoted through an
// embedded pointer, which decoding would have to allocate: such fields are
// left out.
func viaPointer(t reflect.Type, index []int) bool {
	for _, i := range index[:len(index)-1] {
		t = t.Field(i).Type
		if t.Kind() == reflect.Pointer {
			return true
		}
	}
	return false
}

func (d *rowDecoder) decode(index int, row Row, dst reflect.Value) error {
	if len(row) != len(d.columns) {
		return fmt.Errorf("durable: row has %d values for %d columns", len(row), len(d.columns))
	}
	if d.scalar {
		if err := assign(row[0], dst); err != nil {
			return &ColumnError{Row: index, Column: d.columns[0], Field: d.typeName, Err: err}
		}
		return nil
	}
	for i, path := range d.fields {
		f := dst.FieldByIndex(path)
		if err := assign(row[i], f); err != nil {
			return &ColumnError{Row: index, Column: d.columns[i], Field: d.typeName + "." + dst.Type().FieldByIndex(path).Name, Err: err}
		}
	}
	return nil
}

// assign stores a column value (nil, int64, float64, string or []byte) in dst
// without conversions between kinds: only the values that mean the same in Go
// fit.
func assign(src any, dst reflect.Value) error {
	if dst.CanAddr() {
		if s, ok := dst.Addr().Interface().(sql.Scanner); ok {
			if err := s.Scan(src); err != nil {
				return typeProblem("%v", err)
			}
			return nil
		}
	}
	switch dst.Kind() {
	case reflect.Interface:
		if src == nil {
			dst.SetZero()
			return nil
		}
		v := reflect.ValueOf(src)
		if !v.Type().AssignableTo(dst.Type()) {
			return mismatch(src, dst)
		}
		dst.Set(v)
		return nil
	case reflect.Pointer:
		if src == nil {
			dst.SetZero()
			return nil
		}
		fresh := reflect.New(dst.Type().Elem())
		if err := assign(src, fresh.Elem()); err != nil {
			return err
		}
		dst.Set(fresh)
		return nil
	}
	if src == nil && dst.Kind() == reflect.Slice && dst.Type().Elem().Kind() == reflect.Uint8 {
		dst.SetZero() // a nil []byte is NULL, as in database/sql
		return nil
	}
	if src == nil {
		return typeProblem("NULL into %s; use a pointer (*%s) or a sql.Null type", dst.Type(), dst.Type())
	}
	switch dst.Kind() {
	case reflect.String:
		if s, ok := src.(string); ok {
			dst.SetString(s)
			return nil
		}
	case reflect.Slice:
		if b, ok := src.([]byte); ok && dst.Type().Elem().Kind() == reflect.Uint8 {
			dst.SetBytes(b)
			return nil
		}
	case reflect.Bool:
		if n, ok := src.(int64); ok && (n == 0 || n == 1) {
			dst.SetBool(n == 1)
			return nil
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if n, ok := src.(int64); ok {
			if dst.OverflowInt(n) {
				return typeProblem("%d overflows %s", n, dst.Type())
			}
			dst.SetInt(n)
			return nil
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if n, ok := src.(int64); ok {
			if n < 0 || dst.OverflowUint(uint64(n)) {
				return typeProblem("%d overflows %s", n, dst.Type())
			}
			dst.SetUint(uint64(n))
			return nil
		}
	case reflect.Float32, reflect.Float64:
		switch n := src.(type) {
		case int64:
			dst.SetFloat(float64(n))
			return nil
		case float64:
			if dst.Kind() == reflect.Float32 && !math.IsInf(n, 0) && math.Abs(n) > math.MaxFloat32 {
				return typeProblem("%g overflows float32", n)
			}
			dst.SetFloat(n)
			return nil
		}
	default:
		return fmt.Errorf("%w: %s fields cannot hold SQL values", ErrUnsupportedType, dst.Type())
	}
	return mismatch(src, dst)
}

func mismatch(src any, dst reflect.Value) error {
	return typeProblem("%s value %s into %s", sqlKind(src), abbreviate(fmt.Sprintf("%#v", src), 40), dst.Type())
}

// sqlKind names a column value by its SQL storage class.
func sqlKind(v any) string {
	switch n := v.(type) {
	case int64:
		return "INTEGER"
	case float64:
		if n == math.Trunc(n) {
			return "INTEGER beyond ±2^53, as REAL"
		}
		return "REAL"
	case string:
		return "TEXT"
	case []byte:
		return "BLOB"
	}
	return "NULL"
}
