// Package kvbacked is what both runtimes hand out for the SQL of an object
// whose class has the legacy KV-backed storage: an SQL that refuses every
// call with durable.ErrKVBacked, so the two runtimes fail alike.
package kvbacked

import (
	"fmt"

	"github.com/durableobjects-on-go/durable"
)

// SQL implements durable's SQL runtime for KV-backed storage.
type SQL struct{}

// Exec fails with durable.ErrKVBacked.
func (SQL) Exec(query string, args ...any) (*durable.Result, error) { return nil, Err("SQL") }

// DatabaseSize is 0: there is no SQL database.
func (SQL) DatabaseSize() int64 { return 0 }

// Open fails with durable.ErrKVBacked.
func (SQL) Open(query string, args []any) (any, error) { return nil, Err("SQL") }

// Err is the error of a call that KV-backed storage cannot serve.
func Err(what string) error {
	return fmt.Errorf("%w: %s needs a class created with new_sqlite_classes", durable.ErrKVBacked, what)
}
