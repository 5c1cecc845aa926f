package conformance

import (
	"errors"
	"fmt"
	"sort"

	"github.com/durableobjects-on-go/durable"
)

// manyKeys returns n keys k000, k001, ...
func manyKeys(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("k%03d", i)
	}
	return out
}

func sortedKeys(m map[string][]byte) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func init() {
	add("kv/get-many", func(t T, o *Object) {
		put(t, o, "a", "b", "c")
		must(t, o.KV().Put("empty", []byte{}), "Put empty")
		got, err := o.KV().GetMany("a", "c", "missing", "a", "empty")
		must(t, err, "GetMany")
		same(t, "keys found", sortedKeys(got), []string{"a", "c", "empty"})
		same(t, "value of a", string(got["a"]), "v:a")
		same(t, "value of c", string(got["c"]), "v:c")
		if v, ok := got["empty"]; !ok || v == nil || len(v) != 0 {
			t.Errorf("empty value = %#v, %v; want non-nil empty", v, ok)
		}
		none, err := o.KV().GetMany()
		if err != nil || none == nil || len(none) != 0 {
			t.Errorf("GetMany() = %#v, %v; want an empty map", none, err)
		}
	})
	add("kv/put-many", func(t T, o *Object) {
		must(t, o.KV().PutMany(
			durable.Entry{Key: "x", Value: []byte("1")},
			durable.Entry{Key: "y", Value: nil},
			durable.Entry{Key: "x", Value: []byte("2")}, // the last one wins
			durable.Entry{Key: "emoji 😀", Value: []byte{0, 255}},
		), "PutMany")
		must(t, o.KV().PutMany(), "PutMany of nothing")
	}, func(t T, o *Object) {
		entries, err := o.KV().List(nil)
		must(t, err, "List")
		got := map[string]string{}
		for _, e := range entries {
			got[e.Key] = string(e.Value)
		}
		same(t, "entries after a restart", got, map[string]string{"x": "2", "y": "", "emoji 😀": "\x00\xff"})
	})
	add("kv/delete-many", func(t T, o *Object) {
		put(t, o, "a", "b", "c", "d")
		n, err := o.KV().DeleteMany("a", "c", "never", "a")
		must(t, err, "DeleteMany")
		same(t, "deleted (a key given twice counts once)", n, 2)
		same(t, "keys left", keys(t, o, nil), []string{"b", "d"})
		n, err = o.KV().DeleteMany("a", "c")
		if err != nil || n != 0 {
			t.Errorf("DeleteMany of deleted keys = %d, %v", n, err)
		}
		n, err = o.KV().DeleteMany()
		if err != nil || n != 0 {
			t.Errorf("DeleteMany() = %d, %v", n, err)
		}
	})
	add("kv/batch-limit-128", func(t T, o *Object) {
		over := manyKeys(durable.MaxBatchKeys + 1)
		entries := make([]durable.Entry, len(over))
		for i, k := range over {
			entries[i] = durable.Entry{Key: k, Value: []byte(k)}
		}
		if err := o.KV().PutMany(entries...); !errors.Is(err, durable.ErrTooManyKeys) {
			t.Errorf("PutMany of 129 = %v; want ErrTooManyKeys", err)
		} else {
			t.Logf("PutMany of 129: %v", err)
		}
		same(t, "keys after the refused PutMany", len(keys(t, o, nil)), 0)
		must(t, o.KV().PutMany(entries[:durable.MaxBatchKeys]...), "PutMany of 128")
		if _, err := o.KV().GetMany(over...); !errors.Is(err, durable.ErrTooManyKeys) {
			t.Errorf("GetMany of 129 = %v", err)
		}
		got, err := o.KV().GetMany(over[:durable.MaxBatchKeys]...)
		must(t, err, "GetMany of 128")
		same(t, "values read", len(got), durable.MaxBatchKeys)
		if _, err := o.KV().DeleteMany(over...); !errors.Is(err, durable.ErrTooManyKeys) {
			t.Errorf("DeleteMany of 129 = %v", err)
		}
		same(t, "keys after the refused DeleteMany", len(keys(t, o, nil)), durable.MaxBatchKeys)
		n, err := o.KV().DeleteMany(over[:durable.MaxBatchKeys]...)
		must(t, err, "DeleteMany of 128")
		same(t, "deleted", n, durable.MaxBatchKeys)
	})
	add("kv/batch-in-transaction-rolls-back", func(t T, o *Object) {
		put(t, o, "old")
		errBoom := errors.New("boom")
		err := o.State.Storage().Transaction(func() error {
			if err := o.KV().PutMany(durable.Entry{Key: "a", Value: []byte("1")}, durable.Entry{Key: "b", Value: []byte("2")}); err != nil {
				return err
			}
			if _, err := o.KV().DeleteMany("old"); err != nil {
				return err
			}
			return errBoom
		})
		if !errors.Is(err, errBoom) {
			t.Errorf("Transaction = %v", err)
		}
		same(t, "keys after the rollback", keys(t, o, nil), []string{"old"})
	})
	add("kv/list-start-after", func(t T, o *Object) {
		listCases(t, o, []string{"a", "a\x00", "aa", "b", "c", "p1", "p2", "q"}, []listCase{
			{&durable.ListOptions{StartAfter: "a"}, []string{"a\x00", "aa", "b", "c", "p1", "p2", "q"}},
			{&durable.ListOptions{StartAfter: "a\x00"}, []string{"aa", "b", "c", "p1", "p2", "q"}},
			{&durable.ListOptions{StartAfter: "ab"}, []string{"b", "c", "p1", "p2", "q"}},
			{&durable.ListOptions{StartAfter: "b", End: "p1"}, []string{"c"}},
			{&durable.ListOptions{StartAfter: "b", Limit: 2}, []string{"c", "p1"}},
			{&durable.ListOptions{StartAfter: "b", Reverse: true}, []string{"q", "p2", "p1", "c"}},
			{&durable.ListOptions{StartAfter: "p1", Prefix: "p"}, []string{"p2"}},
			{&durable.ListOptions{StartAfter: "a", Prefix: "p"}, []string{"p1", "p2"}},
			{&durable.ListOptions{StartAfter: "q"}, nil},
		})
		if _, err := o.KV().List(&durable.ListOptions{Start: "a", StartAfter: "b"}); err == nil {
			t.Errorf("List with Start and StartAfter succeeded")
		}
	})
	add("kv/list-pages-with-start-after", func(t T, o *Object) {
		want := manyKeys(25)
		for _, k := range want {
			must(t, o.KV().Put(k, []byte(k)), "Put")
		}
		var got []string
		opts := &durable.ListOptions{Limit: 10}
		for pages := 0; pages < 10; pages++ {
			entries, err := o.KV().List(opts)
			must(t, err, "List")
			for _, e := range entries {
				got = append(got, e.Key)
			}
			if len(entries) < opts.Limit {
				break
			}
			opts.StartAfter = entries[len(entries)-1].Key
		}
		same(t, "keys over every page", got, want)
	})
	add("storage/sync", func(t T, o *Object) {
		put(t, o, "before-sync")
		must(t, o.State.Storage().Sync(o.Ctx), "Sync")
		err := o.State.Storage().Transaction(func() error { return o.State.Storage().Sync(o.Ctx) })
		if err == nil {
			t.Errorf("Sync inside Transaction succeeded; it must refuse to wait there")
		} else {
			t.Logf("Sync inside Transaction: %v", err)
		}
		v, ok, _ := o.KV().Get("before-sync")
		if !ok || string(v) != "v:before-sync" {
			t.Errorf("value after Sync = %q, %v", v, ok)
		}
	})
}
