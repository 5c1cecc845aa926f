package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"

	"github.com/durableobjects-on-go/durable"
)

// ErrD1BeginTx is matched by the error of [sql.DB.BeginTx] and [sql.DB.Begin]
// on a *sql.DB from [OpenD1], and of [Transaction] given one: D1 has no
// interactive transactions.
var ErrD1BeginTx = errors.New("sqlstore: BeginTx is not supported on D1: D1 has no interactive transactions; it commits each statement as it runs, and only a batch of statements is atomic")

// OpenD1 returns a [*sql.DB] over a D1 database (see the package
// documentation's section on D1). Run its statements with the Context
// methods (ExecContext, QueryContext, QueryRowContext), given the event's
// context, as for [durable.D1Database]. Closing it closes nothing of D1's.
func OpenD1(db durable.D1Database) *sql.DB {
	return sql.OpenDB(d1Connector{db: db})
}

// d1Driver is what DB.Driver returns for a *sql.DB from OpenD1.
type d1Driver struct{}

func (d1Driver) Open(string) (driver.Conn, error) {
	return nil, errors.New("sqlstore: there is no data source name for D1; use sqlstore.OpenD1(db) with db from Env.D1")
}

type d1Connector struct{ db durable.D1Database }

func (c d1Connector) Connect(context.Context) (driver.Conn, error) { return &d1Conn{db: c.db}, nil }
func (c d1Connector) Driver() driver.Driver                        { return d1Driver{} }

// d1Conn runs each statement as one D1 call: D1 keeps no session for it.
type d1Conn struct {
	handle
	db durable.D1Database
}

var (
	_ driver.Conn               = (*d1Conn)(nil)
	_ driver.ConnBeginTx        = (*d1Conn)(nil)
	_ driver.ConnPrepareContext = (*d1Conn)(nil)
	_ driver.ExecerContext      = (*d1Conn)(nil)
	_ driver.QueryerContext     = (*d1Conn)(nil)
	_ driver.NamedValueChecker  = (*d1Conn)(nil)
	_ driver.Pinger             = (*d1Conn)(nil)
	_ driver.Validator          = (*d1Conn)(nil)
)

func (c *d1Conn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

// PrepareContext does not compile the statement: each D1 call prepares its
// own.
func (c *d1Conn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	if err := c.usable(ctx); err != nil {
		return nil, err
	}
	return &stmt{conn: c, query: query}, nil
}

func (c *d1Conn) Begin() (driver.Tx, error) { return nil, ErrD1BeginTx }

func (c *d1Conn) BeginTx(context.Context, driver.TxOptions) (driver.Tx, error) {
	return nil, ErrD1BeginTx
}

// ExecContext takes the counts from D1's meta of the statement, in the same
// call. D1's last_row_id is its connection's, shared with every Worker bound
// to the database, so it is reported only when the statement changed rows.
func (c *d1Conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if err := c.usable(ctx); err != nil {
		return nil, err
	}
	meta, err := c.db.Run(ctx, query, values(args)...)
	if err != nil {
		return nil, err
	}
	if meta.Changes == 0 {
		return result{}, nil
	}
	return result{affected: meta.Changes, lastID: meta.LastRowID}, nil
}

// QueryContext loads the whole result: D1 returns it whole anyway.
func (c *d1Conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if err := c.usable(ctx); err != nil {
		return nil, err
	}
	res, err := c.db.Exec(ctx, query, values(args)...)
	if err != nil {
		return nil, err
	}
	return &resultRows{res: res}, nil
}

// resultRows are the rows of a [durable.Result], held in memory.
type resultRows struct {
	res  *durable.Result
	next int
}

func (r *resultRows) Columns() []string {
	if r.res.Columns != nil {
		return r.res.Columns
	}
	return []string{}
}

func (r *resultRows) Close() error { return nil }

func (r *resultRows) Next(dest []driver.Value) error {
	if r.next >= len(r.res.Rows) {
		return io.EOF
	}
	row := r.res.Rows[r.next]
	r.next++
	for i, v := range row {
		dest[i] = v
	}
	return nil
}
