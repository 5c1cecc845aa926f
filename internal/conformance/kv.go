package conformance

import (
	"errors"
	"strings"

	"github.com/durableobjects-on-go/durable"
)

// keys lists the keys of a List call.
func keys(t T, o *Object, opts *durable.ListOptions) []string {
	t.Helper()
	entries, err := o.KV().List(opts)
	if err != nil {
		t.Fatalf("List(%+v): %v", opts, err)
	}
	out := make([]string, len(entries))
	for i, e := range entries {
		out[i] = e.Key
	}
	return out
}

func put(t T, o *Object, kvs ...string) {
	t.Helper()
	for _, k := range kvs {
		must(t, o.KV().Put(k, []byte("v:"+k)), "Put "+k)
	}
}

// listCase is one List call and the keys it must return.
type listCase struct {
	opts *durable.ListOptions
	want []string
}

func listCases(t T, o *Object, stored []string, cases []listCase) {
	t.Helper()
	put(t, o, stored...)
	for _, c := range cases {
		got := keys(t, o, c.opts)
		if c.want == nil {
			c.want = []string{}
		}
		if strings.Join(got, "|") != strings.Join(c.want, "|") || len(got) != len(c.want) {
			t.Errorf("List(%+v) = %q, want %q", *c.opts, got, c.want)
		}
	}
}

var alphabet = []string{"a", "b", "c", "d", "e"}

func init() {
	add("kv/get-missing", func(t T, o *Object) {
		v, ok, err := o.KV().Get("nothing")
		if err != nil || ok || v != nil {
			t.Errorf("Get(missing) = %v, %v, %v", v, ok, err)
		}
		entries, err := o.KV().List(nil)
		if err != nil || len(entries) != 0 {
			t.Errorf("List on empty storage = %v, %v", entries, err)
		}
	})
	add("kv/put-get-roundtrip", func(t T, o *Object) {
		for key, value := range map[string][]byte{
			"text": []byte("hello"), "binary": {0, 1, 2, 254, 255}, "empty": {}, "big": make([]byte, 100_000),
			"emoji 😀 key": []byte("😀"), "nul\x00in key": []byte("nul"),
		} {
			must(t, o.KV().Put(key, value), "Put "+key)
			got, ok, err := o.KV().Get(key)
			if err != nil || !ok {
				t.Errorf("Get(%q) = %v, %v", key, ok, err)
				continue
			}
			same(t, "value of "+key, got, value)
		}
		must(t, o.KV().Put("nil", nil), "Put nil")
		got, ok, err := o.KV().Get("nil")
		if err != nil || !ok || got == nil || len(got) != 0 {
			t.Errorf("Get after Put(nil) = %#v, %v, %v; want empty, true", got, ok, err)
		}
	})
	add("kv/overwrite", func(t T, o *Object) {
		must(t, o.KV().Put("k", []byte("one")), "Put")
		must(t, o.KV().Put("k", []byte("two")), "Put again")
		got, _, _ := o.KV().Get("k")
		same(t, "value", string(got), "two")
		same(t, "entries", len(keys(t, o, nil)), 1)
	})
	add("kv/delete", func(t T, o *Object) {
		put(t, o, "a", "b")
		existed, err := o.KV().Delete("a")
		if err != nil || !existed {
			t.Errorf("Delete(a) = %v, %v", existed, err)
		}
		existed, err = o.KV().Delete("a")
		if err != nil || existed {
			t.Errorf("second Delete(a) = %v, %v", existed, err)
		}
		existed, err = o.KV().Delete("never")
		if err != nil || existed {
			t.Errorf("Delete(never) = %v, %v", existed, err)
		}
		if _, ok, _ := o.KV().Get("a"); ok {
			t.Errorf("a still there")
		}
		same(t, "keys", keys(t, o, nil), []string{"b"})
	})
	add("kv/list-order-is-utf8-bytes", func(t T, o *Object) {
		stored := []string{"b", "a", "B", "A", "aa", "a\x00", "é", "z", "😀", "~", "10", "9", "ａ"}
		put(t, o, stored...)
		want := []string{"10", "9", "A", "B", "a", "a\x00", "aa", "b", "z", "~", "é", "ａ", "😀"}
		got := keys(t, o, nil)
		same(t, "keys", got, want)
		entries, _ := o.KV().List(nil)
		for _, e := range entries {
			if string(e.Value) != "v:"+e.Key {
				t.Errorf("value of %q = %q", e.Key, e.Value)
			}
		}
	})
	add("kv/list-prefix", func(t T, o *Object) {
		listCases(t, o, []string{"user:1", "user:2", "user:10", "users", "user;", "use", "admin:1"}, []listCase{
			{&durable.ListOptions{Prefix: "user:"}, []string{"user:1", "user:10", "user:2"}},
			{&durable.ListOptions{Prefix: "user"}, []string{"user:1", "user:10", "user:2", "user;", "users"}},
			{&durable.ListOptions{Prefix: "nobody"}, nil},
			{&durable.ListOptions{Prefix: "a"}, []string{"admin:1"}},
		})
	})
	add("kv/list-start-inclusive", func(t T, o *Object) {
		listCases(t, o, alphabet, []listCase{
			{&durable.ListOptions{Start: "c"}, []string{"c", "d", "e"}},
			{&durable.ListOptions{Start: "bb"}, []string{"c", "d", "e"}},
			{&durable.ListOptions{Start: "f"}, nil},
		})
	})
	add("kv/list-end-exclusive", func(t T, o *Object) {
		listCases(t, o, alphabet, []listCase{
			{&durable.ListOptions{End: "c"}, []string{"a", "b"}},
			{&durable.ListOptions{End: "cc"}, []string{"a", "b", "c"}},
			{&durable.ListOptions{End: "a"}, nil},
		})
	})
	add("kv/list-start-end", func(t T, o *Object) {
		listCases(t, o, alphabet, []listCase{
			{&durable.ListOptions{Start: "b", End: "d"}, []string{"b", "c"}},
			{&durable.ListOptions{Start: "b", End: "b"}, nil},
			{&durable.ListOptions{Start: "d", End: "b"}, nil},
		})
	})
	add("kv/list-limit", func(t T, o *Object) {
		listCases(t, o, alphabet, []listCase{
			{&durable.ListOptions{Limit: 2}, []string{"a", "b"}},
			{&durable.ListOptions{Limit: 10}, alphabet},
			{&durable.ListOptions{Limit: 1, Start: "c"}, []string{"c"}},
		})
		if _, err := o.KV().List(&durable.ListOptions{Limit: -1}); err == nil {
			t.Errorf("List with a negative Limit succeeded")
		}
	})
	add("kv/list-reverse", func(t T, o *Object) {
		listCases(t, o, alphabet, []listCase{
			{&durable.ListOptions{Reverse: true}, []string{"e", "d", "c", "b", "a"}},
			{&durable.ListOptions{Reverse: true, Limit: 2}, []string{"e", "d"}},
			{&durable.ListOptions{Reverse: true, Start: "b", End: "e"}, []string{"d", "c", "b"}},
			{&durable.ListOptions{Reverse: true, Start: "b", End: "e", Limit: 2}, []string{"d", "c"}},
		})
	})
	add("kv/list-prefix-with-start", func(t T, o *Object) {
		listCases(t, o, []string{"a", "p", "p1", "p2", "p3", "q"}, []listCase{
			{&durable.ListOptions{Prefix: "p", Start: "a"}, []string{"p", "p1", "p2", "p3"}}, // start before the prefix
			{&durable.ListOptions{Prefix: "p", Start: "p2"}, []string{"p2", "p3"}},           // start within
			{&durable.ListOptions{Prefix: "p", Start: "q"}, nil},                             // start after
			{&durable.ListOptions{Prefix: "p", Start: "p", Limit: 2}, []string{"p", "p1"}},   // with a limit
			{&durable.ListOptions{Prefix: "p", Start: "p15", Reverse: true}, []string{"p3", "p2"}},
		})
	})
	add("kv/list-prefix-with-end", func(t T, o *Object) {
		listCases(t, o, []string{"a", "p", "p1", "p2", "p3", "q"}, []listCase{
			{&durable.ListOptions{Prefix: "p", End: "a"}, nil},                             // end before the prefix
			{&durable.ListOptions{Prefix: "p", End: "p"}, nil},                             // end at the prefix
			{&durable.ListOptions{Prefix: "p", End: "p2"}, []string{"p", "p1"}},            // end within
			{&durable.ListOptions{Prefix: "p", End: "z"}, []string{"p", "p1", "p2", "p3"}}, // end after
			{&durable.ListOptions{Prefix: "p", Start: "p1", End: "p3", Reverse: true, Limit: 1}, []string{"p2"}},
		})
	})
	add("kv/list-unicode-prefix", func(t T, o *Object) {
		listCases(t, o, []string{"é", "éa", "éz", "ê", "e", "f"}, []listCase{
			{&durable.ListOptions{Prefix: "é"}, []string{"é", "éa", "éz"}},
			{&durable.ListOptions{Prefix: "e"}, []string{"e"}},
			{&durable.ListOptions{Start: "e", End: "ê"}, []string{"e", "f", "é", "éa", "éz"}},
		})
	})
	add("kv/json", func(t T, o *Object) {
		type point struct {
			X, Y int
			Tag  string `json:"tag,omitempty"`
		}
		must(t, durable.PutJSON(o.KV(), "p", point{1, 2, "here"}), "PutJSON")
		got, ok, err := durable.GetJSON[point](o.KV(), "p")
		if err != nil || !ok || got != (point{1, 2, "here"}) {
			t.Errorf("GetJSON = %+v, %v, %v", got, ok, err)
		}
		raw, _, _ := o.KV().Get("p")
		same(t, "stored JSON", string(raw), `{"X":1,"Y":2,"tag":"here"}`)
		_, ok, err = durable.GetJSON[point](o.KV(), "missing")
		if ok || err != nil {
			t.Errorf("GetJSON(missing) = %v, %v", ok, err)
		}
		must(t, o.KV().Put("bad", []byte("{not json")), "Put")
		if _, _, err := durable.GetJSON[point](o.KV(), "bad"); err == nil {
			t.Errorf("GetJSON of invalid JSON succeeded")
		}
		must(t, durable.PutJSON(o.KV(), "list", []string{"a", "b"}), "PutJSON list")
		l, _, _ := durable.GetJSON[[]string](o.KV(), "list")
		same(t, "list", l, []string{"a", "b"})
	})
	add("kv/sql-sees-table-but-cannot-read-it", func(t T, o *Object) {
		res := exec(t, o, `SELECT name FROM sqlite_master WHERE name = '_cf_KV'`)
		t.Logf("_cf_KV before any KV write: %d rows", len(res.Rows))
		must(t, o.KV().Put("k", []byte("v")), "Put")
		res = exec(t, o, `SELECT name FROM sqlite_master WHERE name = '_cf_KV'`)
		same(t, "_cf_KV listed after a write", len(res.Rows), 1)
		for _, q := range []string{`SELECT * FROM _cf_KV`, `DELETE FROM _cf_KV`, `INSERT INTO _cf_KV VALUES ('x', x'00')`,
			`UPDATE _cf_KV SET value = NULL`, `DROP TABLE _cf_KV`} {
			_, err := o.SQL().Exec(q)
			sqlError(t, err, "SQLITE_AUTH")
		}
		got, ok, _ := o.KV().Get("k")
		if !ok || string(got) != "v" {
			t.Errorf("KV value after refused SQL = %q, %v", got, ok)
		}
	})
	add("kv/invalid-utf8-key-is-refused", func(t T, o *Object) {
		// JavaScript would store "a\xffb" as "a\uFFFDb", the key of another entry.
		kv, bad := o.KV(), "a\xffb"
		refused := func(what string, err error) {
			if !errors.Is(err, durable.ErrInvalidUTF8) {
				t.Errorf("%s with an invalid UTF-8 key = %v, want ErrInvalidUTF8", what, err)
			}
		}
		refused("Put", kv.Put(bad, []byte("1")))
		_, _, err := kv.Get(bad)
		refused("Get", err)
		_, err = kv.Delete(bad)
		refused("Delete", err)
		refused("PutMany", kv.PutMany(durable.Entry{Key: "fine", Value: []byte("2")}, durable.Entry{Key: bad, Value: []byte("1")}))
		_, err = kv.GetMany("fine", bad)
		refused("GetMany", err)
		_, err = kv.DeleteMany(bad)
		refused("DeleteMany", err)
		_, err = kv.List(&durable.ListOptions{Prefix: bad})
		refused("List", err)
		same(t, "keys", keys(t, o, nil), []string{})
	})
	add("kv/in-transaction", func(t T, o *Object) {
		errBoom := errors.New("boom")
		err := o.State.Storage().Transaction(func() error {
			put(t, o, "rolled")
			return errBoom
		})
		if !errors.Is(err, errBoom) {
			t.Errorf("Transaction = %v", err)
		}
		must(t, o.State.Storage().Transaction(func() error {
			put(t, o, "kept")
			return nil
		}), "Transaction")
		same(t, "keys", keys(t, o, nil), []string{"kept"})
	})
}
