//go:build js && wasm

package bridge

import (
	"errors"
	"fmt"
	"syscall/js"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/internal/kvbacked"
	"github.com/durableobjects-on-go/durable/internal/sqlvalue"
)

type state struct {
	id      *id
	storage *storage
	v       js.Value // ctx, the DurableObjectState (websocket_js.go)
}

func (s *state) ID() durable.ID { return s.id }
func (s *state) Storage() any   { return s.storage }

// storage wraps ctx.storage. SQL and KV on SQLite-backed objects are synchronous
// in workerd, so none of these calls waits on a promise; each runs in the
// object's own context (see ioContext.run).
type storage struct {
	ctx      *ioContext
	v        js.Value
	sql      any // *sqlStorage, or kvbacked.SQL
	kv       any // *kvStorage, or *asyncKV
	kvBacked bool
}

func newStorage(c *ioContext, v js.Value) *storage {
	if !host.Call("sqliteBacked", v).Bool() {
		return newKVBackedStorage(c, v)
	}
	return &storage{ctx: c, v: v, sql: &sqlStorage{ctx: c, v: v.Get("sql")}, kv: &kvStorage{ctx: c, v: v.Get("kv"), storage: v}}
}

func (s *storage) SQL() any { return s.sql }
func (s *storage) KV() any  { return s.kv }

// Transaction runs fn inside ctx.storage.transactionSync. fn's error or panic
// makes the JavaScript callback throw, which rolls the transaction back.
func (s *storage) Transaction(fn func() error) error {
	if s.kvBacked {
		return kvbacked.Err("Storage.Transaction")
	}
	var fnErr, err error
	var panicked, finished bool
	var panicValue any
	c := s.ctx
	runErr := c.run(func() error {
		cb := c.funcOf(func([]js.Value) (ret any) {
			defer func() { finished = true }()
			c.mu.Lock()
			c.transactions++
			c.mu.Unlock()
			defer func() {
				c.mu.Lock()
				c.transactions--
				c.mu.Unlock()
			}()
			defer func() {
				if p := recover(); p != nil {
					panicked, panicValue, ret = true, p, false
				}
			}()
			fnErr = fn()
			return fnErr == nil
		})
		defer release(cb)
		_, err = call(host, "transaction", s.v, cb)
		if err == nil && !finished {
			// The callback was parked and JavaScript went on without its
			// answer, which counts as a rollback.
			err = errTransactionInterrupted
		}
		return nil
	})
	if runErr != nil {
		return fmt.Errorf("durable: transaction: %w", runErr)
	}
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

type sqlStorage struct {
	ctx *ioContext
	v   js.Value
}

func (s *sqlStorage) Exec(query string, args ...any) (*durable.Result, error) {
	res, err := s.run("sql", query, args)
	if err != nil {
		return nil, err
	}
	out, err := unpackResult(bytesOf(res.Index(0)))
	if err != nil {
		return nil, fmt.Errorf("durable: SQL result: %w", err)
	}
	out.RowsRead = int64(res.Index(1).Float())
	out.RowsWritten = int64(res.Index(2).Float())
	return out, nil
}

func (s *sqlStorage) DatabaseSize() int64 {
	var size int64
	s.ctx.run(func() error { size = int64(s.v.Get("databaseSize").Float()); return nil })
	return size
}

// run converts args and calls the host's SQL helper (sql or cursorOpen) in
// the object's context; a statement workerd refuses becomes an *SQLError.
func (s *sqlStorage) run(helper, query string, args []any) (js.Value, error) {
	canon, err := sqlvalue.Args(args)
	if err != nil {
		return js.Value{}, err
	}
	jsArgs := make([]any, len(canon))
	for i, a := range canon {
		jsArgs[i] = valueToJS(a)
	}
	var res js.Value
	err = s.ctx.run(func() (err error) {
		res, err = call(host, helper, s.v, query, jsArgs)
		return err
	})
	if errors.Is(err, errNoEvent) {
		return js.Value{}, fmt.Errorf("durable: SQL: %w", err)
	}
	if err != nil {
		return js.Value{}, sqlvalue.Error(query, err.Error())
	}
	return res, nil
}

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

// kvStorage wraps ctx.storage.kv, the synchronous KV API of SQLite-backed objects.
type kvStorage struct {
	ctx     *ioContext
	v       js.Value
	storage js.Value // ctx.storage, for batches that need transactionSync
}

// do runs a KV call in the object's context, wrapping its error.
func (k *kvStorage) do(what string, fn func() error) error {
	if err := k.ctx.run(fn); err != nil {
		return fmt.Errorf("durable: KV %s: %w", what, err)
	}
	return nil
}

func (k *kvStorage) Get(key string) ([]byte, bool, error) {
	var value []byte
	var found bool
	err := k.do(fmt.Sprintf("get %q", key), func() error {
		v, err := call(host, "kvGet", k.v, key)
		if err == nil && !v.IsUndefined() {
			value, found = bytesOf(v), true
		}
		return err
	})
	return value, found, err
}

func (k *kvStorage) Put(key string, value []byte) error {
	if value == nil {
		value = []byte{}
	}
	return k.do(fmt.Sprintf("put %q", key), func() error {
		_, err := call(k.v, "put", key, bytesToJS(value))
		return err
	})
}

func (k *kvStorage) Delete(key string) (bool, error) {
	var existed bool
	err := k.do(fmt.Sprintf("delete %q", key), func() error {
		v, err := call(k.v, "delete", key)
		existed = err == nil && v.Truthy()
		return err
	})
	return existed, err
}

func (k *kvStorage) List(opts *durable.ListOptions) ([]durable.Entry, error) {
	o, err := listOptions(opts)
	if err != nil {
		return nil, err
	}
	var entries []durable.Entry
	err = k.do("list", func() error {
		res, err := call(host, "kvList", k.v, o)
		if err != nil {
			return err
		}
		entries, err = unpackEntries(bytesOf(res))
		return err
	})
	return entries, err
}

// listOptions turns ListOptions into the options object of workerd's list.
func listOptions(opts *durable.ListOptions) (js.Value, error) {
	o := js.Global().Get("Object").New()
	if opts != nil {
		if opts.Prefix != "" {
			o.Set("prefix", opts.Prefix)
		}
		if opts.Start != "" {
			o.Set("start", opts.Start)
		}
		if opts.StartAfter != "" {
			o.Set("startAfter", opts.StartAfter)
		}
		if opts.End != "" {
			o.Set("end", opts.End)
		}
		if opts.Limit < 0 {
			return js.Undefined(), fmt.Errorf("durable: KV list: negative Limit %d", opts.Limit)
		}
		if opts.Limit > 0 {
			o.Set("limit", opts.Limit)
		}
		if opts.Reverse {
			o.Set("reverse", true)
		}
	}
	return o, nil
}
