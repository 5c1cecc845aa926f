package durable

import (
	"fmt"
	"iter"
	"reflect"
)

// sqlCursorRuntime is what a runtime's SQL implements for lazy iteration.
type sqlCursorRuntime interface {
	// Open runs query and returns a cursor over its rows (a rowCursor), which
	// it reads chunk by chunk as Next is called.
	Open(query string, args []any) (any, error)
}

// rowCursor is an open statement whose rows have not all been read.
type rowCursor interface {
	Columns() []string
	// Next returns the next rows (a bounded chunk), or none at the end.
	Next() ([]Row, error)
	// Close releases the statement; it may be called more than once.
	Close()
}

// Query runs a statement and returns its rows one by one, reading them from
// the database as the loop asks, in chunks of bounded size, instead of
// loading the whole result as [SQL.Exec] does: use it for results too large
// to hold. The statement runs when the loop starts. An error (the statement
// failed, or reading failed) is yielded once, with a nil Row, and ends the
// loop. Breaking out of the loop early releases the statement.
//
// The loop's body may use the database, even run the same query in a loop of
// its own (workerd then prepares a second copy of the statement). The loop
// must end within the request that started it: on workerd the cursor belongs
// to the object's current event, and storage calls after the event fail.
func (s SQL) Query(query string, args ...any) iter.Seq2[Row, error] {
	return func(yield func(Row, error) bool) {
		cur, err := s.open(query, args)
		if err != nil {
			yield(nil, err)
			return
		}
		defer cur.Close()
		for {
			rows, err := cur.Next()
			if err != nil {
				yield(nil, err)
				return
			}
			if len(rows) == 0 {
				return
			}
			for _, row := range rows {
				if !yield(row, nil) {
					return
				}
			}
		}
	}
}

func (s SQL) open(query string, args []any) (rowCursor, error) {
	if err := checkQuery(query); err != nil {
		return nil, err
	}
	impl, ok := s.runtime().(sqlCursorRuntime)
	if !ok {
		return nil, fmt.Errorf("durable: this runtime cannot iterate SQL results lazily")
	}
	cur, err := impl.Open(query, args)
	if err != nil {
		return nil, err
	}
	return cur.(rowCursor), nil
}

// Query runs a statement on s and decodes its rows into T one by one, lazily,
// as [SQL.Query] reads them and [Rows] decodes them. A decoding error is
// yielded once, with a zero T, and ends the loop.
func Query[T any](s SQL, query string, args ...any) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		cur, err := s.open(query, args)
		if err != nil {
			yield(zero, err)
			return
		}
		defer cur.Close()
		dec, err := decoderFor[T](cur.Columns())
		if err != nil {
			yield(zero, err)
			return
		}
		index := 0
		for {
			rows, err := cur.Next()
			if err != nil {
				yield(zero, err)
				return
			}
			if len(rows) == 0 {
				return
			}
			for _, row := range rows {
				var v T
				if err := dec.decode(index, row, reflect.ValueOf(&v).Elem()); err != nil {
					yield(zero, err)
					return
				}
				if !yield(v, nil) {
					return
				}
				index++
			}
		}
	}
}
