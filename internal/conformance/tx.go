package conformance

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/durableobjects-on-go/durable"
)

func count(t T, o *Object) int64 {
	t.Helper()
	var n int64
	must(t, exec(t, o, `SELECT count(*) FROM t`).One(&n), "count")
	return n
}

func txTable(t T, o *Object) {
	t.Helper()
	exec(t, o, `CREATE TABLE t (v TEXT)`)
}

func init() {
	add("tx/no-waiting-inside", func(t T, o *Object) {
		// A transaction's function runs synchronously on workerd: a stub fetch
		// inside it fails at once, before anything is sent (whatever the request's
		// context), and returning that error rolls the transaction back.
		txTable(t, o)
		p := peerStub(t, o, PeerBinding, o.Unique("tx-peer"))
		for _, ctx := range []context.Context{o.Ctx, context.Background()} {
			err := o.State.Storage().Transaction(func() error {
				exec(t, o, `INSERT INTO t VALUES ('inside')`)
				req, _ := http.NewRequestWithContext(ctx, http.MethodPost, "https://peer/incr", nil)
				resp, err := p.Fetch(req)
				if err == nil {
					resp.Body.Close()
				}
				return err
			})
			if err == nil || !strings.Contains(err.Error(), "Storage.Transaction") {
				t.Errorf("Transaction returned %v, want an error about waiting inside Storage.Transaction", err)
			}
		}
		same(t, "rows", count(t, o), int64(0))
		// The refused increments were never sent; outside a transaction it works.
		_, n := call(t, o, p, http.MethodPost, "https://peer/incr", nil)
		same(t, "peer count after one increment", n, "1")
	})
	add("tx/commit-on-nil", func(t T, o *Object) {
		txTable(t, o)
		err := o.State.Storage().Transaction(func() error {
			exec(t, o, `INSERT INTO t VALUES ('a')`)
			exec(t, o, `INSERT INTO t VALUES ('b')`)
			same(t, "rows seen inside", count(t, o), int64(2))
			return nil
		})
		must(t, err, "Transaction")
		same(t, "rows", count(t, o), int64(2))
	})
	add("tx/rollback-on-error", func(t T, o *Object) {
		txTable(t, o)
		exec(t, o, `INSERT INTO t VALUES ('before')`)
		errBoom := errors.New("boom")
		err := o.State.Storage().Transaction(func() error {
			exec(t, o, `INSERT INTO t VALUES ('inside')`)
			exec(t, o, `DELETE FROM t WHERE v = 'before'`)
			return errBoom
		})
		if err != errBoom {
			t.Errorf("Transaction returned %v, want the function's error itself", err)
		}
		same(t, "rows", exec(t, o, `SELECT v FROM t`).Rows, []durable.Row{{"before"}})
	})
	add("tx/rollback-on-panic", func(t T, o *Object) {
		txTable(t, o)
		type sentinel struct{ n int }
		var recovered any
		func() {
			defer func() { recovered = recover() }()
			o.State.Storage().Transaction(func() error {
				exec(t, o, `INSERT INTO t VALUES ('inside')`)
				panic(sentinel{7})
			})
		}()
		same(t, "re-panicked value", recovered, any(sentinel{7}))
		same(t, "rows", count(t, o), int64(0))
		// Storage keeps working after the panic.
		must(t, o.State.Storage().Transaction(func() error {
			exec(t, o, `INSERT INTO t VALUES ('after')`)
			return nil
		}), "Transaction after panic")
		same(t, "rows after", count(t, o), int64(1))
	})
	add("tx/nested-commit", func(t T, o *Object) {
		txTable(t, o)
		err := o.State.Storage().Transaction(func() error {
			exec(t, o, `INSERT INTO t VALUES ('outer')`)
			return o.State.Storage().Transaction(func() error {
				exec(t, o, `INSERT INTO t VALUES ('inner')`)
				return nil
			})
		})
		must(t, err, "Transaction")
		same(t, "rows", count(t, o), int64(2))
	})
	add("tx/nested-inner-rollback", func(t T, o *Object) {
		txTable(t, o)
		errInner := errors.New("inner")
		err := o.State.Storage().Transaction(func() error {
			exec(t, o, `INSERT INTO t VALUES ('outer')`)
			if err := o.State.Storage().Transaction(func() error {
				exec(t, o, `INSERT INTO t VALUES ('inner')`)
				return errInner
			}); err != errInner {
				t.Errorf("inner Transaction = %v", err)
			}
			exec(t, o, `INSERT INTO t VALUES ('outer again')`)
			return nil
		})
		must(t, err, "Transaction")
		same(t, "rows", exec(t, o, `SELECT v FROM t ORDER BY v`).Rows, []durable.Row{{"outer"}, {"outer again"}})
	})
	add("tx/nested-outer-rollback", func(t T, o *Object) {
		txTable(t, o)
		errOuter := errors.New("outer")
		err := o.State.Storage().Transaction(func() error {
			must(t, o.State.Storage().Transaction(func() error {
				exec(t, o, `INSERT INTO t VALUES ('inner')`)
				return nil
			}), "inner")
			return errOuter
		})
		if err != errOuter {
			t.Errorf("Transaction = %v", err)
		}
		same(t, "rows", count(t, o), int64(0))
	})
	add("tx/nested-panic-in-inner", func(t T, o *Object) {
		txTable(t, o)
		err := o.State.Storage().Transaction(func() error {
			exec(t, o, `INSERT INTO t VALUES ('outer')`)
			func() {
				defer func() { recover() }()
				o.State.Storage().Transaction(func() error {
					exec(t, o, `INSERT INTO t VALUES ('inner')`)
					panic("inner panic")
				})
			}()
			return nil
		})
		must(t, err, "Transaction")
		same(t, "rows", exec(t, o, `SELECT v FROM t`).Rows, []durable.Row{{"outer"}})
	})
	add("tx/sql-error-inside-then-commit", func(t T, o *Object) {
		exec(t, o, `CREATE TABLE t (v TEXT UNIQUE)`)
		err := o.State.Storage().Transaction(func() error {
			exec(t, o, `INSERT INTO t VALUES ('a')`)
			if _, err := o.SQL().Exec(`INSERT INTO t VALUES ('a')`); err == nil {
				t.Errorf("duplicate insert succeeded")
			}
			exec(t, o, `INSERT INTO t VALUES ('b')`)
			return nil
		})
		must(t, err, "Transaction")
		same(t, "rows", count(t, o), int64(2))
	})
	add("tx/schema-change-rolls-back", func(t T, o *Object) {
		errBoom := errors.New("boom")
		o.State.Storage().Transaction(func() error {
			exec(t, o, `CREATE TABLE made_inside (a)`)
			return errBoom
		})
		_, err := o.SQL().Exec(`SELECT * FROM made_inside`)
		sqlError(t, err, "SQLITE_ERROR", "no such table")
	})
}
