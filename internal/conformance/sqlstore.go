package conformance

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/internal/conformance/sqlcstyle"
	"github.com/durableobjects-on-go/durable/sqlstore"
)

// Scenarios of package sqlstore, the database/sql driver: it runs over the
// public durable API only, so these check that what database/sql code sees is
// the same on both runtimes.

func openDB(t T, o *Object) *sql.DB {
	t.Helper()
	db := sqlstore.Open(o.State.Storage())
	if err := db.PingContext(o.Ctx); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	return db
}

func dbExec(t T, o *Object, db *sql.DB, query string, args ...any) sql.Result {
	t.Helper()
	res, err := db.ExecContext(o.Ctx, query, args...)
	if err != nil {
		t.Fatalf("ExecContext(%q): %v", query, err)
	}
	return res
}

// counts returns what a result says it did.
func counts(t T, res sql.Result) [2]int64 {
	t.Helper()
	affected, err := res.RowsAffected()
	must(t, err, "RowsAffected")
	id, err := res.LastInsertId()
	must(t, err, "LastInsertId")
	return [2]int64{affected, id}
}

func init() {
	add("sqlstore/crud", func(t T, o *Object) {
		db := openDB(t, o)
		dbExec(t, o, db, `CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, qty INTEGER NOT NULL)`)
		same(t, "insert", counts(t, dbExec(t, o, db, `INSERT INTO items (name, qty) VALUES (?, ?)`, "apple", 3)), [2]int64{1, 1})
		same(t, "insert 2", counts(t, dbExec(t, o, db, `INSERT INTO items (name, qty) VALUES (?, ?), (?, ?)`, "pear", 5, "plum", 7)), [2]int64{2, 3})
		var name string
		var qty int
		must(t, db.QueryRowContext(o.Ctx, `SELECT name, qty FROM items WHERE id = ?`, 2).Scan(&name, &qty), "QueryRow")
		same(t, "row 2", []any{name, qty}, []any{"pear", 5})
		err := db.QueryRowContext(o.Ctx, `SELECT name FROM items WHERE id = ?`, 99).Scan(&name)
		same(t, "missing row", err, sql.ErrNoRows)
		same(t, "update", counts(t, dbExec(t, o, db, `UPDATE items SET qty = qty + 1 WHERE qty > ?`, 4))[0], int64(2))
		same(t, "delete", counts(t, dbExec(t, o, db, `DELETE FROM items WHERE name = ?`, "apple"))[0], int64(1))
		rows, err := db.QueryContext(o.Ctx, `SELECT id, name, qty FROM items ORDER BY id`)
		must(t, err, "Query")
		cols, err := rows.Columns()
		must(t, err, "Columns")
		same(t, "columns", cols, []string{"id", "name", "qty"})
		var got []string
		for rows.Next() {
			var id int64
			must(t, rows.Scan(&id, &name, &qty), "Scan")
			got = append(got, fmt.Sprintf("%d %s %d", id, name, qty))
		}
		must(t, rows.Err(), "rows.Err")
		must(t, rows.Close(), "rows.Close")
		same(t, "rows", got, []string{"2 pear 6", "3 plum 8"})
		// The same rows through the durable API: one database.
		same(t, "via durable", one(t, o, `SELECT sum(qty) FROM items`)[0], any(int64(14)))
		must(t, db.Close(), "Close")
		same(t, "storage after db.Close", one(t, o, `SELECT count(*) FROM items`)[0], any(int64(2)))
	})
	add("sqlstore/rows-stream", func(t T, o *Object) {
		// Rows cross chunks lazily, the loop may write through db, and
		// closing rows early releases the statement (or the DROP fails).
		bigTable(t, o)
		db := openDB(t, o)
		dbExec(t, o, db, `CREATE TABLE evens (n INTEGER PRIMARY KEY)`)
		rows, err := db.QueryContext(o.Ctx, `SELECT n, label FROM big ORDER BY n`)
		must(t, err, "Query")
		count := 0
		for rows.Next() {
			var n int64
			var label string
			must(t, rows.Scan(&n, &label), "Scan")
			if count++; n != int64(count) {
				t.Fatalf("row %d has n = %d", count, n)
			}
			if n%2 == 0 {
				dbExec(t, o, db, `INSERT INTO evens VALUES (?)`, n)
			}
		}
		must(t, rows.Err(), "rows.Err")
		same(t, "rows", count, bigRows)
		same(t, "evens", one(t, o, `SELECT count(*) FROM evens`)[0], any(int64(bigRows/2)))
		rows, err = db.QueryContext(o.Ctx, `SELECT n FROM big ORDER BY n`)
		must(t, err, "Query")
		for i := 0; i < 10 && rows.Next(); i++ {
		}
		must(t, rows.Close(), "Close")
		dbExec(t, o, db, `DROP TABLE big`)
	})
	add("sqlstore/nulls", func(t T, o *Object) {
		db := openDB(t, o)
		dbExec(t, o, db, `CREATE TABLE n (s TEXT, i INTEGER, f REAL, b INTEGER, x BLOB)`)
		dbExec(t, o, db, `INSERT INTO n VALUES (?, ?, ?, ?, ?)`, sql.NullString{}, sql.NullInt64{}, sql.NullFloat64{}, sql.NullBool{}, nil)
		dbExec(t, o, db, `INSERT INTO n VALUES (?, ?, ?, ?, ?)`, sql.NullString{String: "s", Valid: true}, sql.NullInt64{Int64: 7, Valid: true},
			sql.NullFloat64{Float64: 1.5, Valid: true}, sql.NullBool{Bool: true, Valid: true}, []byte{1})
		same(t, "typeof NULLs", one(t, o, `SELECT typeof(s), typeof(i), typeof(f), typeof(b), typeof(x) FROM n WHERE rowid = 1`),
			durable.Row{"null", "null", "null", "null", "null"})
		rows, err := db.QueryContext(o.Ctx, `SELECT s, i, f, b, x FROM n ORDER BY rowid`)
		must(t, err, "Query")
		defer rows.Close()
		var got []string
		for rows.Next() {
			var s sql.NullString
			var i sql.NullInt64
			var f sql.NullFloat64
			var b sql.NullBool
			var x []byte
			must(t, rows.Scan(&s, &i, &f, &b, &x), "Scan Null types")
			got = append(got, fmt.Sprint(s, i, f, b, x == nil))
		}
		must(t, rows.Err(), "rows.Err")
		same(t, "Null types", got, []string{"{ false} {0 false} {0 false} {false false} true", "{s true} {7 true} {1.5 true} {true true} false"})
		var ps *string
		var pi *int64
		must(t, db.QueryRowContext(o.Ctx, `SELECT s, i FROM n WHERE rowid = 1`).Scan(&ps, &pi), "Scan pointers")
		same(t, "pointers", []bool{ps == nil, pi == nil}, []bool{true, true})
		var plain string
		if err := db.QueryRowContext(o.Ctx, `SELECT s FROM n WHERE rowid = 1`).Scan(&plain); err == nil {
			t.Errorf("scanning NULL into a string succeeded")
		}
	})
	add("sqlstore/types", func(t T, o *Object) {
		db := openDB(t, o)
		dbExec(t, o, db, `CREATE TABLE v (i INTEGER, f REAL, s TEXT, b BLOB, ok INTEGER, at TEXT)`)
		at := time.Date(2026, 11, 30, 7, 30, 1, 123456789, time.FixedZone("CET", 3600))
		dbExec(t, o, db, `INSERT INTO v VALUES (?, ?, ?, ?, ?, ?)`, int64(durable.MaxSafeInteger), math.Pi, "héllo 😀", []byte{0, 255}, true, at)
		var i int64
		var f float64
		var s string
		var b []byte
		var ok bool
		var when sqlstore.Time
		must(t, db.QueryRowContext(o.Ctx, `SELECT i, f, s, b, ok, at FROM v`).Scan(&i, &f, &s, &b, &ok, &when), "Scan")
		same(t, "values", []any{i, f, s, b, ok}, []any{int64(durable.MaxSafeInteger), math.Pi, "héllo 😀", []byte{0, 255}, true})
		if !when.Equal(at) {
			t.Errorf("time read back as %v, want %v", when.Time, at)
		}
		same(t, "time as stored", one(t, o, `SELECT at, typeof(at) FROM v`), durable.Row{"2026-11-30 06:30:01.123456789Z", "text"})
		// SQLite's date functions read the stored form, and Time reads theirs.
		same(t, "unixepoch(at)", one(t, o, `SELECT unixepoch(at) FROM v`)[0], any(at.Unix()))
		for _, q := range []string{`SELECT datetime(at) FROM v`, `SELECT strftime('%Y-%m-%dT%H:%M:%fZ', at) FROM v`, `SELECT unixepoch(at) FROM v`} {
			var back sqlstore.Time
			must(t, db.QueryRowContext(o.Ctx, q).Scan(&back), q)
			if !back.Truncate(time.Second).Equal(at.Truncate(time.Second)) {
				t.Errorf("%s read as %v, want %v", q, back.Time, at)
			}
		}
		var nullable *sqlstore.Time
		must(t, db.QueryRowContext(o.Ctx, `SELECT NULL`).Scan(&nullable), "Scan NULL into **Time")
		same(t, "NULL time", nullable, (*sqlstore.Time)(nil))
		// Times sort as text in time order.
		dbExec(t, o, db, `DELETE FROM v`)
		for _, d := range []time.Duration{time.Second, 0, 500 * time.Millisecond, time.Nanosecond} {
			dbExec(t, o, db, `INSERT INTO v (at) VALUES (?)`, at.Add(d))
		}
		var order []time.Duration
		rows, err := db.QueryContext(o.Ctx, `SELECT at FROM v ORDER BY at`)
		must(t, err, "Query")
		for rows.Next() {
			var w sqlstore.Time
			must(t, rows.Scan(&w), "Scan")
			order = append(order, w.Sub(at))
		}
		rows.Close()
		same(t, "time order", order, []time.Duration{0, time.Nanosecond, 500 * time.Millisecond, time.Second})
		// durable's integer rule holds through database/sql.
		for _, v := range []any{int64(durable.MaxSafeInteger + 1), uint64(math.MaxUint64 >> 1)} {
			if _, err := db.ExecContext(o.Ctx, `INSERT INTO v (i) VALUES (?)`, v); !errors.Is(err, durable.ErrIntegerRange) {
				t.Errorf("binding %v: %v, want ErrIntegerRange", v, err)
			}
		}
	})
	add("sqlstore/result-counts", func(t T, o *Object) {
		db := openDB(t, o)
		dbExec(t, o, db, `CREATE TABLE c (id INTEGER PRIMARY KEY, k TEXT UNIQUE, n INTEGER)`)
		dbExec(t, o, db, `CREATE INDEX c_n ON c (n)`)
		for _, c := range []struct {
			query string
			args  []any
			want  [2]int64
		}{
			{`INSERT INTO c (k, n) VALUES ('a', 1), ('b', 2), ('c', 3)`, nil, [2]int64{3, 3}},
			{`INSERT INTO c (id, k, n) VALUES (?, ?, ?)`, []any{10, "d", 4}, [2]int64{1, 10}},
			{`UPDATE c SET n = n * 10 WHERE n >= ?`, []any{2}, [2]int64{3, 10}},
			{`UPDATE c SET n = 0 WHERE k = ?`, []any{"none"}, [2]int64{0, 0}},
			{`INSERT OR IGNORE INTO c (k, n) VALUES (?, ?)`, []any{"a", 9}, [2]int64{0, 0}},
			{`INSERT INTO c (k, n) VALUES ('e', 5) ON CONFLICT (k) DO UPDATE SET n = excluded.n`, nil, [2]int64{1, 11}},
			{`INSERT INTO c (k, n) VALUES ('e', 6) ON CONFLICT (k) DO UPDATE SET n = excluded.n`, nil, [2]int64{1, 11}},
			{`CREATE TABLE d (x)`, nil, [2]int64{0, 0}},
			{`SELECT * FROM c`, nil, [2]int64{0, 0}},
			{`DELETE FROM c WHERE n >= ?`, []any{20}, [2]int64{3, 11}},
			{`DELETE FROM c WHERE k = 'none'`, nil, [2]int64{0, 0}},
			// A script counts its last INSERT, UPDATE or DELETE, and a
			// leading comment or WITH must not hide what a statement is.
			{`INSERT INTO c (k, n) VALUES ('f', 1), ('g', 2)`, nil, [2]int64{2, 13}},
			{"INSERT INTO c (k, n) VALUES ('h', 3);\n CREATE TABLE e (x);", nil, [2]int64{1, 14}},
			{"CREATE TABLE e2 (x); SELECT 1;", nil, [2]int64{0, 0}},
			{"-- a comment\nDELETE FROM c WHERE k = 'h'", nil, [2]int64{1, 14}},
			{`WITH gone(k) AS (SELECT 'g') DELETE FROM c WHERE k IN gone`, nil, [2]int64{1, 14}},
			{"UPDATE\tc SET n = 0 WHERE k = 'a;b';\n", nil, [2]int64{0, 0}},
			{`SELECT 1`, nil, [2]int64{0, 0}},
		} {
			res, err := db.ExecContext(o.Ctx, c.query, c.args...)
			if err != nil {
				t.Errorf("%s: %v", c.query, err)
				continue
			}
			if got := counts(t, res); got != c.want {
				t.Errorf("%s: RowsAffected, LastInsertId = %v, want %v", c.query, got, c.want)
			}
		}
		// RowsWritten is what Cloudflare bills: index rows count too, so the
		// driver does not use it for RowsAffected.
		rows := one(t, o, `SELECT count(*) FROM c`)[0].(int64)
		res := exec(t, o, `UPDATE c SET n = n + 1`)
		t.Logf("UPDATE of %d rows with an index on n: RowsWritten %d", rows, res.RowsWritten)
		same(t, "RowsAffected of the same update", counts(t, dbExec(t, o, db, `UPDATE c SET n = n + 1`))[0], rows)
	})
	add("sqlstore/prepared-statements", func(t T, o *Object) {
		db := openDB(t, o)
		dbExec(t, o, db, `CREATE TABLE p (id INTEGER PRIMARY KEY, v TEXT)`)
		ins, err := db.PrepareContext(o.Ctx, `INSERT INTO p (v) VALUES (?)`)
		must(t, err, "Prepare insert")
		defer ins.Close()
		for i := range 5 {
			res, err := ins.ExecContext(o.Ctx, fmt.Sprint("v", i))
			must(t, err, "stmt Exec")
			same(t, "LastInsertId", counts(t, res)[1], int64(i+1))
		}
		sel, err := db.PrepareContext(o.Ctx, `SELECT v FROM p WHERE id = ?`)
		must(t, err, "Prepare select")
		defer sel.Close()
		for _, id := range []int{5, 1, 3} {
			var v string
			must(t, sel.QueryRowContext(o.Ctx, id).Scan(&v), "stmt QueryRow")
			same(t, "v", v, fmt.Sprint("v", id-1))
		}
		// Bad SQL and a wrong argument count surface when the statement runs.
		bad, err := db.PrepareContext(o.Ctx, `SELEC v FROM p`)
		must(t, err, "Prepare bad SQL")
		_, err = bad.ExecContext(o.Ctx)
		sqlError(t, err, "SQLITE_ERROR", "syntax error")
		_, err = sel.ExecContext(o.Ctx)
		sqlError(t, err, "", "Wrong number of parameter bindings")
	})
	add("sqlstore/errors", func(t T, o *Object) {
		db := openDB(t, o)
		dbExec(t, o, db, `CREATE TABLE e (k TEXT PRIMARY KEY)`)
		dbExec(t, o, db, `INSERT INTO e VALUES (?)`, "a")
		_, err := db.ExecContext(o.Ctx, `INSERT INTO e VALUES (?)`, "a")
		sqlError(t, err, "SQLITE_CONSTRAINT", "UNIQUE constraint failed: e.k")
		if !errors.Is(err, durable.ErrConstraint) {
			t.Errorf("errors.Is(%v, ErrConstraint) = false", err)
		}
		_, err = db.QueryContext(o.Ctx, `SELECT * FROM missing`)
		sqlError(t, err, "SQLITE_ERROR", "no such table: missing")
		_, err = db.ExecContext(o.Ctx, `INSERT INTO e VALUES (:k)`, sql.Named("k", "b"))
		if !errors.Is(err, sqlstore.ErrNamedArg) {
			t.Errorf("named argument: %v, want ErrNamedArg", err)
		}
		_, err = db.ExecContext(o.Ctx, `INSERT INTO e VALUES (?)`, struct{}{})
		if err == nil {
			t.Errorf("a struct argument was accepted")
		}
		// The connection survives every error above.
		same(t, "rows", one(t, o, `SELECT count(*) FROM e`)[0], any(int64(1)))
		must(t, db.PingContext(o.Ctx), "Ping after errors")
	})
	add("sqlstore/begin-refused", func(t T, o *Object) {
		db := openDB(t, o)
		dbExec(t, o, db, `CREATE TABLE t (v)`)
		_, err := db.BeginTx(o.Ctx, nil)
		if !errors.Is(err, sqlstore.ErrBeginTx) || !strings.Contains(err.Error(), "sqlstore.Transaction") {
			t.Errorf("BeginTx: %v, want ErrBeginTx naming sqlstore.Transaction", err)
		}
		_, err = db.ExecContext(o.Ctx, `BEGIN`)
		sqlError(t, err, "", "state.storage.transaction()")
		dbExec(t, o, db, `INSERT INTO t VALUES (1)`)
		same(t, "rows", one(t, o, `SELECT count(*) FROM t`)[0], any(int64(1)))
	})
	add("sqlstore/transaction", func(t T, o *Object) {
		db := openDB(t, o)
		dbExec(t, o, db, `CREATE TABLE t (v TEXT)`)
		rowsOf := func() []string {
			t.Helper()
			var out []string
			for _, r := range exec(t, o, `SELECT v FROM t ORDER BY rowid`).Rows {
				out = append(out, r[0].(string))
			}
			return out
		}
		ins := func(tx *sql.Tx, v string) {
			t.Helper()
			if _, err := tx.ExecContext(o.Ctx, `INSERT INTO t VALUES (?)`, v); err != nil {
				t.Fatalf("insert %s: %v", v, err)
			}
		}
		must(t, sqlstore.Transaction(o.Ctx, db, func(tx *sql.Tx) error {
			ins(tx, "a")
			ins(tx, "b")
			var n int
			must(t, tx.QueryRowContext(o.Ctx, `SELECT count(*) FROM t`).Scan(&n), "count inside")
			same(t, "rows seen inside", n, 2)
			return nil
		}), "commit")
		same(t, "after commit", rowsOf(), []string{"a", "b"})

		errBoom := errors.New("boom")
		err := sqlstore.Transaction(o.Ctx, db, func(tx *sql.Tx) error {
			ins(tx, "lost")
			return errBoom
		})
		same(t, "error returned", err, errBoom)
		same(t, "after an error", rowsOf(), []string{"a", "b"})

		must(t, sqlstore.Transaction(o.Ctx, db, func(tx *sql.Tx) error {
			ins(tx, "lost")
			return tx.Rollback()
		}), "explicit rollback")
		same(t, "after tx.Rollback", rowsOf(), []string{"a", "b"})

		err = sqlstore.Transaction(o.Ctx, db, func(tx *sql.Tx) error {
			ins(tx, "lost")
			if err := tx.Commit(); !errors.Is(err, sqlstore.ErrCommitInside) {
				t.Errorf("Commit inside: %v", err)
			}
			return nil
		})
		if !errors.Is(err, sqlstore.ErrCommitInside) {
			t.Errorf("Transaction after Commit inside: %v, want ErrCommitInside", err)
		}
		same(t, "after Commit inside", rowsOf(), []string{"a", "b"})

		var recovered any
		func() {
			defer func() { recovered = recover() }()
			sqlstore.Transaction(o.Ctx, db, func(tx *sql.Tx) error {
				ins(tx, "lost")
				panic("in fn")
			})
		}()
		same(t, "panic goes on", recovered, any("in fn"))
		same(t, "after a panic", rowsOf(), []string{"a", "b"})

		// Nested transactions and statements through db, not tx, are all part
		// of the one storage transaction.
		err = sqlstore.Transaction(o.Ctx, db, func(tx *sql.Tx) error {
			ins(tx, "outer")
			dbExec(t, o, db, `INSERT INTO t VALUES ('through db')`)
			if err := sqlstore.Transaction(o.Ctx, db, func(inner *sql.Tx) error {
				ins(inner, "inner, rolled back")
				return errBoom
			}); err != errBoom {
				t.Errorf("inner Transaction: %v", err)
			}
			must(t, sqlstore.Transaction(o.Ctx, db, func(inner *sql.Tx) error {
				ins(inner, "inner")
				return nil
			}), "inner commit")
			return errBoom
		})
		same(t, "outer error", err, errBoom)
		same(t, "after the outer rolled back", rowsOf(), []string{"a", "b"})
		must(t, sqlstore.Transaction(o.Ctx, db, func(tx *sql.Tx) error {
			ins(tx, "outer")
			dbExec(t, o, db, `INSERT INTO t VALUES ('through db')`)
			return sqlstore.Transaction(o.Ctx, db, func(inner *sql.Tx) error {
				ins(inner, "inner")
				return nil
			})
		}), "nested commit")
		same(t, "after the nested commit", rowsOf(), []string{"a", "b", "outer", "through db", "inner"})
	})
	add("sqlstore/transaction-no-waiting-inside", func(t T, o *Object) {
		// Storage.Transaction's rule holds through the driver: a wait inside
		// the function fails at once and, returned, rolls everything back.
		db := openDB(t, o)
		dbExec(t, o, db, `CREATE TABLE t (v TEXT)`)
		p := peerStub(t, o, PeerBinding, o.Unique("sqlstore-tx-peer"))
		err := sqlstore.Transaction(o.Ctx, db, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(o.Ctx, `INSERT INTO t VALUES ('inside')`); err != nil {
				return err
			}
			req, _ := http.NewRequestWithContext(o.Ctx, http.MethodPost, "https://peer/incr", nil)
			resp, err := p.Fetch(req)
			if err == nil {
				resp.Body.Close()
			}
			return err
		})
		if err == nil || !strings.Contains(err.Error(), "Storage.Transaction") {
			t.Errorf("Transaction returned %v, want an error about waiting inside Storage.Transaction", err)
		}
		same(t, "rows", one(t, o, `SELECT count(*) FROM t`)[0], any(int64(0)))
		dbExec(t, o, db, `INSERT INTO t VALUES ('after')`)
		same(t, "rows after", one(t, o, `SELECT count(*) FROM t`)[0], any(int64(1)))
	})
	add("sqlstore/sqlc-style-queries", func(t T, o *Object) {
		db := openDB(t, o)
		dbExec(t, o, db, `CREATE TABLE authors (id INTEGER PRIMARY KEY, name TEXT NOT NULL, bio TEXT, born INTEGER)`)
		ctx := o.Ctx
		q := sqlcstyle.New(db)
		ada, err := q.CreateAuthor(ctx, sqlcstyle.CreateAuthorParams{Name: "Ada Lovelace", Born: sql.NullInt64{Int64: 1815, Valid: true}})
		must(t, err, "CreateAuthor")
		same(t, "created", ada, sqlcstyle.Author{ID: 1, Name: "Ada Lovelace", Born: sql.NullInt64{Int64: 1815, Valid: true}})
		id, err := q.InsertAuthor(ctx, sqlcstyle.InsertAuthorParams{Name: "Alan Turing", Bio: sql.NullString{String: "computing", Valid: true}})
		must(t, err, "InsertAuthor")
		same(t, "last insert id", id, int64(2))
		must(t, q.UpdateAuthorBio(ctx, sqlcstyle.UpdateAuthorBioParams{ID: 1, Bio: sql.NullString{String: "the first program", Valid: true}}), "UpdateAuthorBio")
		got, err := q.GetAuthor(ctx, 1)
		must(t, err, "GetAuthor")
		same(t, "bio", got.Bio, sql.NullString{String: "the first program", Valid: true})
		if _, err := q.GetAuthor(ctx, 99); !errors.Is(err, sql.ErrNoRows) {
			t.Errorf("GetAuthor(99): %v, want sql.ErrNoRows", err)
		}
		// WithTx inside sqlstore.Transaction: all or nothing.
		err = sqlstore.Transaction(ctx, db, func(tx *sql.Tx) error {
			qtx := q.WithTx(tx)
			if _, err := qtx.CreateAuthor(ctx, sqlcstyle.CreateAuthorParams{Name: "Grace Hopper"}); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO authors (id, name) VALUES (1, 'clash')`)
			return err // the clash undoes Grace too
		})
		sqlError(t, err, "SQLITE_CONSTRAINT", "UNIQUE constraint failed: authors.id")
		n, err := q.CountAuthors(ctx)
		must(t, err, "CountAuthors")
		same(t, "authors after the rolled-back transaction", n, int64(2))
		all, err := q.ListAuthors(ctx)
		must(t, err, "ListAuthors")
		same(t, "names", []string{all[0].Name, all[1].Name}, []string{"Ada Lovelace", "Alan Turing"})
		deleted, err := q.DeleteAuthor(ctx, 2)
		must(t, err, "DeleteAuthor")
		same(t, "deleted", deleted, int64(1))
	})
	add("sqlstore/migrations", func(t T, o *Object) {
		db := openDB(t, o)
		applied, err := migrate(o.Ctx, db, migrations[:2])
		must(t, err, "first run")
		same(t, "applied on the first run", applied, []int{1, 2})
		applied, err = migrate(o.Ctx, db, migrations[:2])
		must(t, err, "second run")
		same(t, "applied on the second run", applied, []int(nil))
	}, func(t T, o *Object) {
		// After a restart: the recorded versions persist, a new migration
		// applies, and a failing one leaves no trace, its DDL included.
		db := openDB(t, o)
		applied, err := migrate(o.Ctx, db, migrations)
		sqlError(t, err, "SQLITE_ERROR", "no such column: nickname")
		same(t, "applied before the failure", applied, []int{3})
		var versions []int64
		for _, r := range exec(t, o, `SELECT version FROM schema_migrations ORDER BY version`).Rows {
			versions = append(versions, r[0].(int64))
		}
		same(t, "recorded versions", versions, []int64{1, 2, 3})
		same(t, "table of the failed migration", one(t, o, `SELECT count(*) FROM sqlite_master WHERE name = 'badges'`)[0], any(int64(0)))
		same(t, "seeded rows", one(t, o, `SELECT group_concat(name, ',') FROM users ORDER BY id`)[0], any("ada,alan"))
		same(t, "column of migration 3", one(t, o, `SELECT count(*) FROM pragma_table_info('users') WHERE name = 'email'`)[0], any(int64(1)))
	})
}

// migration is one step of a schema, as migration tools keep them: a version
// and a script of several statements.
type migration struct {
	version int
	script  string
}

var migrations = []migration{
	{1, `CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
	     CREATE INDEX users_name ON users (name);`},
	{2, `INSERT INTO users (name) VALUES ('ada'), ('alan');`},
	{3, `ALTER TABLE users ADD COLUMN email TEXT;
	     UPDATE users SET email = name || '@example.com';`},
	{4, `CREATE TABLE badges (user_id INTEGER REFERENCES users (id), badge TEXT);
	     INSERT INTO badges SELECT id, nickname FROM users;`},
}

// migrate is a migration runner of the usual shape, over database/sql: each
// pending migration runs in its own transaction with the row that records it,
// so a failed one leaves nothing behind. It returns the versions it applied.
func migrate(ctx context.Context, db *sql.DB, all []migration) ([]int, error) {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
		return nil, err
	}
	var applied []int
	for _, m := range all {
		var done bool
		err := sqlstore.Transaction(ctx, db, func(tx *sql.Tx) error {
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, m.version).Scan(&done); err != nil || done {
				return err
			}
			// A script of several statements runs in one call when it
			// takes no arguments.
			if _, err := tx.ExecContext(ctx, m.script); err != nil {
				return fmt.Errorf("migration %d: %w", m.version, err)
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations VALUES (?, ?)`, m.version, time.Now())
			return err
		})
		if err != nil {
			return applied, err
		}
		if !done {
			applied = append(applied, m.version)
		}
	}
	return applied, nil
}
