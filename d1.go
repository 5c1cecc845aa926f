package durable

import "context"

type d1Runtime interface {
	D1(binding string) (any, error) // a d1DatabaseRuntime
}

type d1DatabaseRuntime interface {
	Exec(ctx context.Context, query string, args []any) (*Result, error)
	Run(ctx context.Context, query string, args []any) (D1Meta, error)
}

// D1 returns the D1 database bound under the given name
// (d1_databases[].binding in wrangler.jsonc). It fails with [ErrNoBinding]
// when there is no such binding, or when the binding is of another kind.
func (e Env) D1(binding string) (D1Database, error) {
	impl, err := bindingOf(e, "D1", binding, d1Runtime.D1)
	if err != nil {
		return D1Database{}, err
	}
	return D1Database{impl: impl.(d1DatabaseRuntime)}, nil
}

// D1Database is a D1 database: SQLite shared by every Worker bound to it.
// Get it from [Env.D1]; the zero D1Database is not usable. It runs one
// statement a call, each committed on its own: [D1Database.Exec] returns a
// statement's rows, [D1Database.Run] what it changed. Package sqlstore's
// OpenD1 is a database/sql driver over it. Batches (D1's atomic unit) are
// to come.
type D1Database struct{ impl d1DatabaseRuntime }

// Exec runs one SQL statement with ? parameters and returns its rows, with
// the value rules of [SQL.Exec] (integers exact within ±2^53); the Result's
// RowsRead and RowsWritten are not filled. A statement D1 refuses is an
// [*SQLError]. ctx is the event's, as for [KVNamespace].
func (d D1Database) Exec(ctx context.Context, query string, args ...any) (*Result, error) {
	if d.impl == nil {
		panic("durable: zero D1Database; use Env.D1")
	}
	if err := checkQuery(query); err != nil {
		return nil, err
	}
	return d.impl.Exec(ctx, query, args)
}

// D1Meta is what D1 reports of a statement it ran (its meta.changes and
// meta.last_row_id).
type D1Meta struct {
	// Changes is the number of rows the statement inserted, updated or
	// deleted: 0 for a statement that changed none (a CREATE, a SELECT).
	Changes int64
	// LastRowID is the rowid of the last row inserted into the database, by
	// this statement or, when it inserted none, an earlier one (SQLite's
	// last_insert_rowid()).
	LastRowID int64
}

// Run runs one SQL statement, as [D1Database.Exec] does, and returns what it
// changed rather than its rows (D1's run()), in the same round trip. A
// statement D1 refuses is an [*SQLError].
func (d D1Database) Run(ctx context.Context, query string, args ...any) (D1Meta, error) {
	if d.impl == nil {
		panic("durable: zero D1Database; use Env.D1")
	}
	if err := checkQuery(query); err != nil {
		return D1Meta{}, err
	}
	return d.impl.Run(ctx, query, args)
}
