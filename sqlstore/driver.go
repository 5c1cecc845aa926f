package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/durableobjects-on-go/durable"
)

var (
	// ErrBeginTx is matched by the error of [sql.DB.BeginTx] and [sql.DB.Begin]
	// outside [Transaction]: an object's storage commits only when a function
	// given to [durable.Storage.Transaction] returns, so a transaction whose
	// Commit comes later, from any code path, cannot be honoured.
	ErrBeginTx = errors.New("sqlstore: BeginTx is not supported on Durable Object storage; run the work in sqlstore.Transaction(ctx, db, func(tx *sql.Tx) error {...}), which commits when the function returns nil and rolls back when it returns an error (it runs inside Storage.Transaction)")
	// ErrCommitInside is matched by the error of [sql.Tx.Commit] called inside
	// [Transaction]'s function: the transaction commits when the function
	// returns nil, not before.
	ErrCommitInside = errors.New("sqlstore: Commit inside sqlstore.Transaction; return nil from the function to commit")
	// ErrNamedArg is matched by the error of a statement given a [sql.Named]
	// argument: workerd binds parameters by position only (? and ?NNN).
	ErrNamedArg = errors.New("sqlstore: named arguments are not supported; bind by position with ? or ?NNN")
)

// Open returns a [*sql.DB] over the SQL database of storage. Closing it
// closes nothing of the object's. Every connection of the pool is the same
// session on the same database (see the package documentation), so the pool
// is not limited to one.
func Open(storage durable.Storage) *sql.DB {
	return sql.OpenDB(&connector{drv: &drv{storage: storage, sql: storage.SQL()}})
}

// drv is the driver of one opened storage: database/sql hands it back through
// DB.Driver, which is how Transaction finds the storage of a *sql.DB.
type drv struct {
	storage durable.Storage
	sql     durable.SQL
}

func (d *drv) Open(string) (driver.Conn, error) {
	return nil, errors.New("sqlstore: there is no data source name for an object's storage; use sqlstore.Open(state.Storage())")
}

type connector struct{ drv *drv }

func (c *connector) Connect(context.Context) (driver.Conn, error) { return &conn{drv: c.drv}, nil }
func (c *connector) Driver() driver.Driver                        { return c.drv }

// handle is what the connections of both drivers keep: whether database/sql
// closed them. It refuses named arguments for both.
type handle struct{ closed bool }

func (h *handle) Close() error { h.closed = true; return nil }

func (h *handle) IsValid() bool { return !h.closed }

func (h *handle) Ping(ctx context.Context) error { return h.usable(ctx) }

// usable reports why the connection cannot run a statement now.
func (h *handle) usable(ctx context.Context) error {
	if h.closed {
		return driver.ErrBadConn
	}
	return ctx.Err()
}

// CheckNamedValue refuses named arguments and leaves the rest to
// database/sql's default conversion (Valuers, then the driver.Value kinds).
func (h *handle) CheckNamedValue(nv *driver.NamedValue) error {
	if nv.Name != "" {
		return fmt.Errorf("%w (argument %q)", ErrNamedArg, nv.Name)
	}
	return driver.ErrSkip
}

// conn is a handle on the object's one SQL session. It keeps no state of its
// own beyond whether Transaction has opened a transaction on it.
type conn struct {
	handle
	drv *drv
	tx  *tx // the transaction BeginTx opened for Transaction
	// allowBegin lets the next BeginTx through: Transaction sets it from
	// inside Storage.Transaction.
	allowBegin bool
}

var (
	_ driver.Conn               = (*conn)(nil)
	_ driver.ConnBeginTx        = (*conn)(nil)
	_ driver.ConnPrepareContext = (*conn)(nil)
	_ driver.ExecerContext      = (*conn)(nil)
	_ driver.QueryerContext     = (*conn)(nil)
	_ driver.NamedValueChecker  = (*conn)(nil)
	_ driver.Pinger             = (*conn)(nil)
	_ driver.Validator          = (*conn)(nil)
)

func (c *conn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

// PrepareContext does not compile the statement: the durable API has no
// prepared statements, so errors in the SQL surface when the statement runs.
func (c *conn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	if err := c.usable(ctx); err != nil {
		return nil, err
	}
	return &stmt{conn: c, query: query}, nil
}

func (c *conn) Begin() (driver.Tx, error) { return c.BeginTx(context.Background(), driver.TxOptions{}) }

func (c *conn) BeginTx(ctx context.Context, _ driver.TxOptions) (driver.Tx, error) {
	if err := c.usable(ctx); err != nil {
		return nil, err
	}
	if !c.allowBegin {
		return nil, ErrBeginTx
	}
	c.allowBegin = false
	c.tx = &tx{}
	return c.tx, nil
}

func (c *conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if err := c.usable(ctx); err != nil {
		return nil, err
	}
	// SQLite's changes() keeps the count of the last INSERT, UPDATE or DELETE
	// through any later statement (a CREATE, a SELECT), so unless the
	// statement is plainly one of those, the count only belongs to this call
	// if total_changes() moved. RowsWritten cannot say: it counts index rows
	// and, on workerd, schema rows too (it is what Cloudflare bills).
	single := isSingle(query)
	dml := single && isDML(query)
	var before int64
	if !dml {
		if err := c.one(&before, `SELECT total_changes()`); err != nil {
			return nil, err
		}
	}
	res, err := c.drv.sql.Exec(query, values(args)...)
	if err != nil {
		return nil, err
	}
	if single && res.RowsWritten == 0 {
		return result{}, nil // nothing written, so nothing inserted or changed
	}
	var r result
	var after int64
	if err := c.one([]any{&r.affected, &r.lastID, &after}, `SELECT changes(), last_insert_rowid(), total_changes()`); err != nil {
		return nil, err
	}
	if !dml && after == before {
		return result{}, nil
	}
	return r, nil
}

// isSingle reports whether query is certainly one statement: it has no
// semicolon but at its end. (A semicolon inside a literal makes it look like
// several, which only costs the slower path.)
func isSingle(query string) bool {
	return !strings.Contains(strings.TrimRightFunc(query, func(r rune) bool { return r == ';' || unicode.IsSpace(r) }), ";")
}

// isDML reports whether a statement starts with INSERT, UPDATE, DELETE or
// REPLACE, so that changes() after it is its own count, even when 0. A
// leading comment or WITH takes the slower, certain path.
func isDML(query string) bool {
	q := strings.TrimLeftFunc(query, unicode.IsSpace)
	word := q
	if i := strings.IndexFunc(q, unicode.IsSpace); i >= 0 {
		word = q[:i]
	}
	switch strings.ToUpper(word) {
	case "INSERT", "UPDATE", "DELETE", "REPLACE":
		return true
	}
	return false
}

// one reads the counters of SQLite's session into dest (one pointer, or a
// []any of them). The calls are synchronous and made back to back with the
// statement; only a statement from another goroutine of the same object,
// slipping in between, could change the answer.
func (c *conn) one(dest any, query string) error {
	res, err := c.drv.sql.Exec(query)
	if err == nil {
		if all, ok := dest.([]any); ok {
			err = res.One(all...)
		} else {
			err = res.One(dest)
		}
	}
	if err != nil {
		return fmt.Errorf("sqlstore: reading SQLite's change counters: %w", err)
	}
	return nil
}

func (c *conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if err := c.usable(ctx); err != nil {
		return nil, err
	}
	cur, err := c.drv.sql.Cursor(query, values(args)...)
	if err != nil {
		return nil, err
	}
	return &rows{cur: cur}, nil
}

// values turns database/sql's arguments into durable's. time.Time becomes
// TEXT (see the package documentation); the other driver.Value kinds are
// durable's own.
func values(args []driver.NamedValue) []any {
	out := make([]any, len(args))
	for i, a := range args {
		if t, ok := a.Value.(time.Time); ok {
			out[i] = formatTime(t)
			continue
		}
		out[i] = a.Value
	}
	return out
}

type result struct{ lastID, affected int64 }

func (r result) LastInsertId() (int64, error) { return r.lastID, nil }
func (r result) RowsAffected() (int64, error) { return r.affected, nil }

// stmt is a statement kept as text: see conn.PrepareContext. It runs on
// the connection of either driver.
type stmt struct {
	conn interface {
		driver.ExecerContext
		driver.QueryerContext
	}
	query string
}

var (
	_ driver.StmtExecContext  = (*stmt)(nil)
	_ driver.StmtQueryContext = (*stmt)(nil)
)

func (s *stmt) Close() error { return nil }

// NumInput is -1: only SQLite knows how many parameters the statement has,
// and it says so when the statement runs with the wrong number.
func (s *stmt) NumInput() int { return -1 }

func (s *stmt) Exec(args []driver.Value) (driver.Result, error) {
	return s.ExecContext(context.Background(), named(args))
}

func (s *stmt) Query(args []driver.Value) (driver.Rows, error) {
	return s.QueryContext(context.Background(), named(args))
}

func (s *stmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	return s.conn.ExecContext(ctx, s.query, args)
}

func (s *stmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	return s.conn.QueryContext(ctx, s.query, args)
}

func named(args []driver.Value) []driver.NamedValue {
	out := make([]driver.NamedValue, len(args))
	for i, v := range args {
		out[i] = driver.NamedValue{Ordinal: i + 1, Value: v}
	}
	return out
}

// rows reads a statement's rows lazily, chunk by chunk, through a
// durable.Cursor: a large result need not fit in memory.
type rows struct{ cur *durable.Cursor }

func (r *rows) Columns() []string {
	if cols := r.cur.Columns(); cols != nil {
		return cols
	}
	return []string{}
}

func (r *rows) Close() error { r.cur.Close(); return nil }

// Next passes the cursor's io.EOF through, as database/sql expects.
func (r *rows) Next(dest []driver.Value) error {
	row, err := r.cur.Next()
	if err != nil {
		return err
	}
	for i, v := range row {
		dest[i] = v
	}
	return nil
}
