// Package sqlcstyle is code in the shape sqlc generates for SQLite (sqlc
// v1.x, engine "sqlite", emit_prepared_queries off), written by hand because
// sqlc itself is not installable here. The conformance scenarios run it over
// package sqlstore to show that generated code works unchanged on an
// object's storage. The schema it was "generated" from:
//
//	CREATE TABLE authors (
//	  id   INTEGER PRIMARY KEY,
//	  name TEXT    NOT NULL,
//	  bio  TEXT,
//	  born INTEGER
//	);
package sqlcstyle

import (
	"context"
	"database/sql"
)

// DBTX is what the queries run on: a *sql.DB, *sql.Conn or *sql.Tx.
type DBTX interface {
	ExecContext(context.Context, string, ...interface{}) (sql.Result, error)
	PrepareContext(context.Context, string) (*sql.Stmt, error)
	QueryContext(context.Context, string, ...interface{}) (*sql.Rows, error)
	QueryRowContext(context.Context, string, ...interface{}) *sql.Row
}

// New returns the queries over db.
func New(db DBTX) *Queries {
	return &Queries{db: db}
}

// Queries holds the generated query methods.
type Queries struct {
	db DBTX
}

// WithTx returns the queries over tx.
func (q *Queries) WithTx(tx *sql.Tx) *Queries {
	return &Queries{
		db: tx,
	}
}
