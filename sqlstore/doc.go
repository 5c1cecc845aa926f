// Package sqlstore is a database/sql driver over a Durable Object's SQL
// storage, and another over D1, so that code written for [database/sql] —
// sqlc's generated queries, sqlx — works on either database:
//
//	db := sqlstore.Open(state.Storage())
//	var name string
//	err := db.QueryRowContext(ctx, `SELECT name FROM users WHERE id = ?`, id).Scan(&name)
//
// It is written over the public durable API only, so it runs unchanged on
// workerd and under package durabletest. The sections below are about
// [Open]'s driver, but for the last, on [OpenD1]'s.
//
// # Connections
//
// An object has one database and one session on it; every statement runs
// synchronously. Each connection of the pool is a handle on that same
// session, so the pool is not limited: with a single connection, a statement
// run through db while a [sql.Tx] or [sql.Rows] holds the connection would wait
// forever for it, and inside a transaction that wait would stall the object.
// Closing the *sql.DB closes nothing of the object's.
//
// # Transactions
//
// workerd refuses BEGIN, COMMIT and SAVEPOINT in SQL; an object commits
// atomically only through [durable.Storage.Transaction], which runs a function
// and commits when it returns nil. A [sql.Tx] from db.BeginTx, whose Commit
// may come after any amount of waiting, cannot map onto that honestly, so
// BeginTx fails with [ErrBeginTx]. Use [Transaction] instead: it runs a
// function with a *sql.Tx inside Storage.Transaction, so code that takes a
// *sql.Tx (sqlc's Queries.WithTx) works:
//
//	err := sqlstore.Transaction(ctx, db, func(tx *sql.Tx) error {
//		q := queries.WithTx(tx)
//		...
//		return nil // commit
//	})
//
// Statements outside a transaction follow workerd's rule: the writes of one
// event, up to its first wait, commit together.
//
// Migration tools that wrap each migration in BeginTx fail with [ErrBeginTx]
// (goose v3 does, for its version table too); a runner that applies each
// migration and the row recording it in one Transaction works, and a
// failing migration then leaves nothing behind, its DDL included (see the
// example).
//
// # Values
//
// Arguments bind by position (? and ?NNN); named arguments ([sql.Named]) fail
// with [ErrNamedArg]. Values follow durable's rules on both runtimes: integers
// must lie within ±[durable.MaxSafeInteger] and bind as REAL (an INTEGER
// column stores them as integers); an integral number reads back as int64.
// NULL reads as nil, so [sql.NullString] and friends, or pointers, take it.
//
// A [time.Time] argument is stored as TEXT in UTC, in [TimeFormat], which
// sorts in time order and which SQLite's date functions read. database/sql
// does not scan TEXT into a time.Time, and the durable API does not tell a
// column's declared type, so the driver cannot know which text is a time:
// scan times into a [Time].
//
// # Results
//
// [sql.Result.RowsAffected] and [sql.Result.LastInsertId] come from SQLite's
// changes() and last_insert_rowid(), and are 0 for a statement that changed
// no row (a CREATE, a SELECT, an UPDATE that matched nothing, an INSERT OR
// IGNORE that ignored). For a script of several statements they are those
// of the last INSERT, UPDATE or DELETE it ran. To tell, the driver makes one
// more synchronous call after an INSERT, UPDATE, DELETE or REPLACE that
// wrote rows, none after one that wrote none, and reads total_changes()
// before and after anything else (a statement starting with WITH or a
// comment included). [durable.Result.RowsWritten] is no substitute: it is
// what Cloudflare bills, index and schema rows included. As in every SQLite
// driver, LastInsertId after an UPDATE is the last insert's. RETURNING works
// through QueryContext.
//
// Queries read their rows lazily, in bounded chunks, through
// [durable.SQL.Cursor]: a result larger than memory can be iterated.
// QueryContext reads the first chunk, so a statement that writes has run
// when it returns and an error in its first rows is reported there. Close the
// rows (defer rows.Close()) before the request ends: on workerd a statement
// belongs to the event that ran it.
//
// [sql.ColumnType.DatabaseTypeName] is empty: the durable API does not report
// declared column types. PrepareContext does not compile the statement (the
// durable API has no prepared statements): an error in the SQL surfaces when
// the statement runs.
//
// # Errors
//
// Errors come from the durable API unchanged: a statement SQLite refused is a
// [*durable.SQLError] (match it with errors.As, or errors.Is with
// [durable.ErrConstraint]). The driver never returns [driver.ErrBadConn] for a
// failed statement, since another connection reaches the same database.
//
// # D1
//
// [OpenD1] returns a *sql.DB over a [durable.D1Database]:
//
//	d1, err := env.D1("DB")
//	...
//	db := sqlstore.OpenD1(d1)
//	res, err := db.ExecContext(ctx, `UPDATE posts SET likes = likes + 1 WHERE id = ?`, id)
//
// Each statement is one D1 call, committed on its own; ctx must be the
// event's, as for every D1 call (so use the Context methods: db.Exec, without
// one, fails with [durable.ErrNoEventContext] in a Worker's front handler).
// Arguments, values, times and errors follow the rules above: named
// arguments fail with [ErrNamedArg], a statement D1 refuses is a
// [*durable.SQLError].
//
// D1 has no interactive transactions: BeginTx, and [Transaction], fail with
// [ErrD1BeginTx]. Only a batch of statements is atomic on D1.
//
// [sql.Result.RowsAffected] and [sql.Result.LastInsertId] come from the
// meta.changes and meta.last_row_id that D1 reports of the statement (see
// [durable.D1Database.Run]), with no other call; both are 0 when the
// statement changed no row. LastInsertId after an UPDATE or DELETE is the
// last insert on D1's connection, which every Worker bound to the database
// shares: only after an INSERT is it surely the statement's own.
//
// QueryContext loads the whole result, which D1 returns whole anyway; closing
// the rows releases nothing on D1.
package sqlstore
