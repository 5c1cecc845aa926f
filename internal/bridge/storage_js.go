//go:build js && wasm

package bridge

import (
	"fmt"
	"sync/atomic"
	"syscall/js"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/internal/sqlvalue"
)

type state struct {
	id      *id
	storage *storage
}

func (s *state) ID() durable.ID           { return s.id }
func (s *state) Storage() durable.Storage { return s.storage }

// storage wraps ctx.storage. SQL and KV on SQLite-backed objects are synchronous
// in workerd, so none of these calls waits on a promise.
type storage struct {
	v   js.Value
	sql *sqlStorage
	kv  *kvStorage
}

func newStorage(v js.Value) *storage {
	return &storage{v: v, sql: &sqlStorage{v: v.Get("sql")}, kv: &kvStorage{v: v.Get("kv")}}
}

func (s *storage) SQL() durable.SQL { return s.sql }
func (s *storage) KV() durable.KV   { return s.kv }

// inTransaction counts the transaction functions running now. They run inside a
// synchronous JavaScript callback, which must return before anything awaited can
// settle: await refuses to wait while one runs rather than let the transaction
// end under it.
var inTransaction atomic.Int32

// Transaction runs fn inside ctx.storage.transactionSync. fn's error or panic
// makes the JavaScript callback throw, which rolls the transaction back.
func (s *storage) Transaction(fn func() error) error {
	var fnErr error
	var panicked bool
	var panicValue any
	cb := js.FuncOf(func(js.Value, []js.Value) (ret any) {
		inTransaction.Add(1)
		defer inTransaction.Add(-1)
		defer func() {
			if p := recover(); p != nil {
				panicked, panicValue, ret = true, p, false
			}
		}()
		fnErr = fn()
		return fnErr == nil
	})
	defer cb.Release()
	_, err := call(host, "transaction", s.v, cb)
	if panicked {
		panic(panicValue)
	}
	if fnErr != nil {
		return fnErr
	}
	if err != nil {
		return fmt.Errorf("durable: transaction: %w", err)
	}
	return nil
}

type sqlStorage struct{ v js.Value }

func (s *sqlStorage) Exec(query string, args ...any) (*durable.Result, error) {
	canon, err := sqlvalue.Args(args)
	if err != nil {
		return nil, err
	}
	jsArgs := make([]any, len(canon))
	for i, a := range canon {
		jsArgs[i] = valueToJS(a)
	}
	res, err := call(host, "sql", s.v, query, jsArgs)
	if err != nil {
		return nil, sqlvalue.Error(query, err.Error())
	}
	cols := res.Get("columns")
	out := &durable.Result{
		Columns:     make([]string, cols.Length()),
		RowsRead:    int64(res.Get("rowsRead").Float()),
		RowsWritten: int64(res.Get("rowsWritten").Float()),
	}
	for i := range out.Columns {
		out.Columns[i] = cols.Index(i).String()
	}
	rows := res.Get("rows")
	out.Rows = make([]durable.Row, rows.Length())
	for i := range out.Rows {
		jsRow := rows.Index(i)
		row := make(durable.Row, len(out.Columns))
		for j := range row {
			row[j] = valueFromJS(jsRow.Index(j))
		}
		out.Rows[i] = row
	}
	return out, nil
}

func (s *sqlStorage) DatabaseSize() int64 { return int64(s.v.Get("databaseSize").Float()) }

func valueToJS(v any) any {
	switch a := v.(type) {
	case nil:
		return js.Null()
	case int64:
		return float64(a)
	case []byte:
		return bytesToJS(a)
	default: // float64, string
		return a
	}
}

func valueFromJS(v js.Value) any {
	switch v.Type() {
	case js.TypeNull, js.TypeUndefined:
		return nil
	case js.TypeNumber:
		return sqlvalue.Number(v.Float())
	case js.TypeString:
		return v.String()
	default:
		return bytesOf(v)
	}
}

// kvStorage wraps ctx.storage.kv, the synchronous KV API of SQLite-backed objects.
type kvStorage struct{ v js.Value }

func (k *kvStorage) Get(key string) ([]byte, bool, error) {
	v, err := call(host, "kvGet", k.v, key)
	if err != nil {
		return nil, false, fmt.Errorf("durable: KV get %q: %w", key, err)
	}
	if v.IsUndefined() {
		return nil, false, nil
	}
	return bytesOf(v), true, nil
}

func (k *kvStorage) Put(key string, value []byte) error {
	if value == nil {
		value = []byte{}
	}
	if _, err := call(k.v, "put", key, bytesToJS(value)); err != nil {
		return fmt.Errorf("durable: KV put %q: %w", key, err)
	}
	return nil
}

func (k *kvStorage) Delete(key string) (bool, error) {
	v, err := call(k.v, "delete", key)
	if err != nil {
		return false, fmt.Errorf("durable: KV delete %q: %w", key, err)
	}
	return v.Truthy(), nil
}

func (k *kvStorage) List(opts *durable.ListOptions) ([]durable.Entry, error) {
	o := js.Global().Get("Object").New()
	if opts != nil {
		if opts.Prefix != "" {
			o.Set("prefix", opts.Prefix)
		}
		if opts.Start != "" {
			o.Set("start", opts.Start)
		}
		if opts.End != "" {
			o.Set("end", opts.End)
		}
		if opts.Limit < 0 {
			return nil, fmt.Errorf("durable: KV list: negative Limit %d", opts.Limit)
		}
		if opts.Limit > 0 {
			o.Set("limit", opts.Limit)
		}
		if opts.Reverse {
			o.Set("reverse", true)
		}
	}
	res, err := call(host, "kvList", k.v, o)
	if err != nil {
		return nil, fmt.Errorf("durable: KV list: %w", err)
	}
	keys, values := res.Get("keys"), res.Get("values")
	entries := make([]durable.Entry, keys.Length())
	for i := range entries {
		entries[i] = durable.Entry{Key: keys.Index(i).String(), Value: bytesOf(values.Index(i))}
	}
	return entries, nil
}
