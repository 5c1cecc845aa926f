package sqlstore_test

import (
	"context"
	"testing"

	"github.com/durableobjects-on-go/durable/durabletest"
	"github.com/durableobjects-on-go/durable/sqlstore"
)

// The driver's cost over the durable API, on durabletest: an Exec makes two
// more calls (SQLite's change counters), a query one more (the cursor's
// first chunk, then its end).

func benchSetup(b *testing.B) (*durabletest.Runtime, context.Context) {
	rt := durabletest.New(b, storeWorker(), nil)
	return rt, context.Background()
}

func BenchmarkInsertDurable(b *testing.B) {
	rt, _ := benchSetup(b)
	sql := rt.State("Store", rt.Namespace("Store").IDFromName("b")).Storage().SQL()
	sql.Exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)`)
	for b.Loop() {
		if _, err := sql.Exec(`INSERT INTO t (v) VALUES (?)`, "x"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkInsertDriver(b *testing.B) {
	rt, ctx := benchSetup(b)
	db := sqlstore.Open(rt.State("Store", rt.Namespace("Store").IDFromName("b")).Storage())
	db.ExecContext(ctx, `CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)`)
	for b.Loop() {
		if _, err := db.ExecContext(ctx, `INSERT INTO t (v) VALUES (?)`, "x"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkQueryRowDurable(b *testing.B) {
	rt, _ := benchSetup(b)
	sql := rt.State("Store", rt.Namespace("Store").IDFromName("b")).Storage().SQL()
	sql.Exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t VALUES (1, 'x')`)
	var v string
	for b.Loop() {
		res, err := sql.Exec(`SELECT v FROM t WHERE id = ?`, 1)
		if err == nil {
			err = res.One(&v)
		}
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkQueryRowDriver(b *testing.B) {
	rt, ctx := benchSetup(b)
	db := sqlstore.Open(rt.State("Store", rt.Namespace("Store").IDFromName("b")).Storage())
	db.ExecContext(ctx, `CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t VALUES (1, 'x')`)
	var v string
	for b.Loop() {
		if err := db.QueryRowContext(ctx, `SELECT v FROM t WHERE id = ?`, 1).Scan(&v); err != nil {
			b.Fatal(err)
		}
	}
}
