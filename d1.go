package durable

import (
	"context"
	"fmt"
)

type d1Runtime interface {
	D1(binding string) (any, error) // a d1DatabaseRuntime
}

type d1DatabaseRuntime interface {
	Exec(ctx context.Context, query string, args []any) (*Result, error)
}

// D1 returns the D1 database bound under the given name
// (d1_databases[].binding in wrangler.jsonc). It fails with [ErrNoBinding]
// when there is no such binding, or when the binding is of another kind.
func (e Env) D1(binding string) (D1Database, error) {
	rt, ok := e.runtime().(d1Runtime)
	if !ok {
		return D1Database{}, fmt.Errorf("%w: this runtime has no D1", ErrNoBinding)
	}
	impl, err := rt.D1(binding)
	if err != nil {
		return D1Database{}, err
	}
	return D1Database{impl: impl.(d1DatabaseRuntime)}, nil
}

// D1Database is a D1 database: SQLite shared by every Worker bound to it.
// Get it from [Env.D1]; the zero D1Database is not usable. This first cut
// runs one statement at a time, each committed on its own; a
// database/sql driver and batches are to come.
type D1Database struct{ impl d1DatabaseRuntime }

// Exec runs one SQL statement with ? parameters and returns its rows, with
// the value rules of [SQL.Exec] (integers exact within ±2^53); the Result's
// RowsRead and RowsWritten are not filled. A statement D1 refuses is an
// [*SQLError]. ctx is the event's, as for [KVNamespace].
func (d D1Database) Exec(ctx context.Context, query string, args ...any) (*Result, error) {
	if d.impl == nil {
		panic("durable: zero D1Database; use Env.D1")
	}
	return d.impl.Exec(ctx, query, args)
}
