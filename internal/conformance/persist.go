package conformance

import (
	"errors"

	"github.com/durableobjects-on-go/durable"
)

// The scenarios here have two steps: the harness restarts the object between
// them (its Go instance goes away, its storage stays).

// instanceKey is where a step records the Go instance it ran in.
const instanceKey = "conformance:instance"

func recordInstance(t T, o *Object) {
	t.Helper()
	must(t, o.KV().Put(instanceKey, []byte(o.Instance)), "recording the instance")
}

func checkRestarted(t T, o *Object) {
	t.Helper()
	before, ok, err := o.KV().Get(instanceKey)
	if err != nil || !ok {
		t.Fatalf("no instance recorded before the restart: %v, %v", ok, err)
	}
	if string(before) == o.Instance {
		t.Errorf("the object was not restarted: instance %s before and after", o.Instance)
	}
}

func init() {
	add("persist/sql-survives-restart",
		func(t T, o *Object) {
			recordInstance(t, o)
			exec(t, o, `CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT, data BLOB, f REAL)`)
			exec(t, o, `INSERT INTO notes (body, data, f) VALUES (?, ?, ?), (?, ?, ?)`, "first", []byte{1, 2}, 1.5, "second 😀", []byte{3}, -2.25)
		},
		func(t T, o *Object) {
			checkRestarted(t, o)
			res := exec(t, o, `SELECT id, body, data, f FROM notes ORDER BY id`)
			same(t, "rows", res.Rows, []durable.Row{{int64(1), "first", []byte{1, 2}, 1.5}, {int64(2), "second 😀", []byte{3}, -2.25}})
		})
	add("persist/kv-survives-restart",
		func(t T, o *Object) {
			recordInstance(t, o)
			put(t, o, "x", "y", "z")
			must(t, o.KV().Put("bin", []byte{0, 255}), "Put bin")
			existed, _ := o.KV().Delete("y")
			if !existed {
				t.Errorf("y did not exist")
			}
		},
		func(t T, o *Object) {
			checkRestarted(t, o)
			same(t, "keys", keys(t, o, &durable.ListOptions{Prefix: "conformance:", End: "conformance;", Reverse: true}), []string{instanceKey})
			same(t, "keys", keys(t, o, &durable.ListOptions{End: "conformance"}), []string{"bin"})
			same(t, "keys after", keys(t, o, &durable.ListOptions{Start: "x"}), []string{"x", "z"})
			v, ok, err := o.KV().Get("bin")
			if err != nil || !ok {
				t.Fatalf("Get(bin) = %v, %v", ok, err)
			}
			same(t, "bin", v, []byte{0, 255})
		})
	add("persist/transactions-survive-restart",
		func(t T, o *Object) {
			recordInstance(t, o)
			exec(t, o, `CREATE TABLE t (v TEXT)`)
			must(t, o.State.Storage().Transaction(func() error {
				exec(t, o, `INSERT INTO t VALUES ('committed')`)
				return nil
			}), "Transaction")
			o.State.Storage().Transaction(func() error {
				exec(t, o, `INSERT INTO t VALUES ('rolled back')`)
				return errors.New("no")
			})
		},
		func(t T, o *Object) {
			checkRestarted(t, o)
			same(t, "rows", exec(t, o, `SELECT v FROM t`).Rows, []durable.Row{{"committed"}})
		})
	add("persist/state-id-survives-restart",
		func(t T, o *Object) {
			recordInstance(t, o)
			must(t, o.KV().Put("id", []byte(o.State.ID().String())), "Put id")
		},
		func(t T, o *Object) {
			checkRestarted(t, o)
			v, _, _ := o.KV().Get("id")
			same(t, "ID after restart", o.State.ID().String(), string(v))
			same(t, "name after restart", o.State.ID().Name(), o.Name)
		})
	add("persist/three-restarts",
		func(t T, o *Object) {
			recordInstance(t, o)
			exec(t, o, `CREATE TABLE steps (n INTEGER)`)
			exec(t, o, `INSERT INTO steps VALUES (0)`)
		},
		func(t T, o *Object) {
			checkRestarted(t, o)
			recordInstance(t, o)
			exec(t, o, `INSERT INTO steps VALUES (1)`)
		},
		func(t T, o *Object) {
			checkRestarted(t, o)
			same(t, "steps", exec(t, o, `SELECT n FROM steps ORDER BY n`).Rows, []durable.Row{{int64(0)}, {int64(1)}})
		})
}
