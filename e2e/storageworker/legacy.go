package main

import (
	"errors"
	"net/http"

	"github.com/durableobjects-on-go/durable"
)

// legacy is an object of a KV-backed class (a new_classes migration): its KV
// goes through workerd's asynchronous storage API, and it has no SQL.
type legacy struct {
	storage durable.Storage
}

func newLegacy(state durable.State, env durable.Env) (durable.Object, error) {
	l := &legacy{storage: state.Storage()}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /write", l.write)
	mux.HandleFunc("GET /read", l.read)
	mux.HandleFunc("GET /sql", l.sql)
	return mux, nil
}

// write stores a few keys one by one and in a batch, deletes some, and
// checks the batch limit.
func (l *legacy) write(w http.ResponseWriter, r *http.Request) {
	kv := l.storage.KV()
	err := errors.Join(
		kv.Put("single", []byte("one")),
		kv.Put("gone", []byte("x")),
		kv.PutMany(durable.Entry{Key: "b:1", Value: []byte("1")}, durable.Entry{Key: "b:2", Value: []byte("2")},
			durable.Entry{Key: "b:3", Value: []byte("3")}, durable.Entry{Key: "__proto__", Value: []byte("p")}),
	)
	existed, derr := kv.Delete("gone")
	n, dmErr := kv.DeleteMany("b:3", "never")
	tooMany := kv.PutMany(make([]durable.Entry, durable.MaxBatchKeys+1)...)
	if err = errors.Join(err, derr, dmErr); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	writeJSON(w, map[string]any{
		"deletedOne": existed, "deletedMany": n,
		"tooMany": errors.Is(tooMany, durable.ErrTooManyKeys),
		"sync":    errString(l.storage.Sync(r.Context())),
	})
}

// read returns what write left, through Get, GetMany and List.
func (l *legacy) read(w http.ResponseWriter, r *http.Request) {
	kv := l.storage.KV()
	single, ok, err := kv.Get("single")
	many, err2 := kv.GetMany("b:1", "b:2", "b:3", "__proto__", "gone")
	all, err3 := kv.List(nil)
	after, err4 := kv.List(&durable.ListOptions{Prefix: "b:", StartAfter: "b:1"})
	if err := errors.Join(err, err2, err3, err4); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	keys := func(entries []durable.Entry) []string {
		out := []string{}
		for _, e := range entries {
			out = append(out, e.Key)
		}
		return out
	}
	manyText := map[string]string{}
	for k, v := range many {
		manyText[k] = string(v)
	}
	writeJSON(w, map[string]any{"single": string(single), "found": ok, "many": manyText, "keys": keys(all), "startAfter": keys(after)})
}

// sql reports what SQL and Transaction do on KV-backed storage.
func (l *legacy) sql(w http.ResponseWriter, r *http.Request) {
	_, execErr := l.storage.SQL().Exec(`SELECT 1`)
	var queryErr error
	for _, err := range l.storage.SQL().Query(`SELECT 1`) {
		queryErr = err
	}
	txErr := l.storage.Transaction(func() error { return nil })
	writeJSON(w, map[string]any{
		"exec":        errString(execErr),
		"execIs":      errors.Is(execErr, durable.ErrKVBacked),
		"queryIs":     errors.Is(queryErr, durable.ErrKVBacked),
		"transaction": errors.Is(txErr, durable.ErrKVBacked),
		"size":        l.storage.SQL().DatabaseSize(),
	})
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
