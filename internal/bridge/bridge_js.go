//go:build js && wasm

// This file is the whole workerd side of the bridge; bridge_other.go is its
// native twin.

package bridge

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"sync"
	"sync/atomic"
	"syscall/js"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/internal/describe"
	"github.com/durableobjects-on-go/durable/internal/serving"
	"github.com/durableobjects-on-go/durable/internal/sqlvalue"
)

// host is globalThis.__durableHost: the JavaScript helpers Go calls into.
var host js.Value

// Serve runs w on workerd: it publishes the Go entry points to the generated entry
// module and blocks forever, as a Go program under js/wasm must to keep serving.
func Serve(w durable.Worker) {
	if describe.IfAsked(w) {
		return
	}
	host = js.Global().Get("__durableHost")
	if host.IsUndefined() {
		panic("durable: globalThis.__durableHost is missing: run this program through the entry module that cmd/durable-build generates")
	}
	rt := &runtime{worker: w, objects: make(map[int]*object)}
	exports := js.Global().Get("Object").New()
	exports.Set("front", js.FuncOf(rt.front))
	exports.Set("newObject", js.FuncOf(rt.newObject))
	exports.Set("objectFetch", js.FuncOf(rt.objectFetch))
	js.Global().Set("__durableGo", exports)
	select {}
}

type runtime struct {
	worker durable.Worker

	frontMu      sync.Mutex
	frontHandler http.Handler

	mu      sync.Mutex
	nextID  int
	objects map[int]*object
}

// object is one Durable Object instance: constructed on its first event.
type object struct {
	class string
	ctor  durable.Constructor
	state *state
	env   *env

	mu       sync.Mutex
	instance durable.Object
}

func (o *object) get() (durable.Object, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.instance != nil {
		return o.instance, nil
	}
	inst, err := serving.Construct(o.ctor, o.state, o.env)
	if err != nil {
		return nil, fmt.Errorf("durable: constructing %s: %w", o.class, err)
	}
	o.instance = inst
	return inst, nil
}

// front(request, env, resolve, reject) serves a request to the Worker itself.
func (rt *runtime) front(_ js.Value, args []js.Value) any {
	data, envValue, resolve := args[0], args[1], args[2]
	go handle(data, resolve, func() (http.Handler, error) { return rt.frontFor(envValue) })
	return nil
}

// frontFor builds the front handler on the first request, and again on the next
// request when building failed.
func (rt *runtime) frontFor(envValue js.Value) (http.Handler, error) {
	rt.frontMu.Lock()
	defer rt.frontMu.Unlock()
	if rt.frontHandler == nil {
		h, err := serving.BuildFront(rt.worker.Front, &env{v: envValue})
		if err != nil {
			return nil, err
		}
		rt.frontHandler = h
	}
	return rt.frontHandler, nil
}

// newObject(className, ctx, env) registers an instance and returns its handle, or
// a message when the class is unknown. It must not panic: a panic in a callback
// would end the Go program.
func (rt *runtime) newObject(_ js.Value, args []js.Value) any {
	class := args[0].String()
	ctor, ok := rt.worker.Objects[class]
	if !ok {
		return fmt.Sprintf("class %q is not registered in Go: add it to Worker.Objects in the call to workerd.Serve", class)
	}
	ctx := args[1]
	o := &object{class: class, ctor: ctor, env: &env{v: args[2]}}
	o.state = &state{id: &id{v: ctx.Get("id")}, storage: newStorage(ctx.Get("storage"))}
	rt.mu.Lock()
	defer rt.mu.Unlock()
	rt.nextID++
	rt.objects[rt.nextID] = o
	return rt.nextID
}

// objectFetch(handle, request, resolve, reject) serves a request to an instance.
func (rt *runtime) objectFetch(_ js.Value, args []js.Value) any {
	handleID := args[0].Int()
	rt.mu.Lock()
	o, ok := rt.objects[handleID]
	rt.mu.Unlock()
	go handle(args[1], args[2], func() (http.Handler, error) {
		if !ok {
			return nil, fmt.Errorf("durable: no object with handle %d in this Go runtime", handleID)
		}
		return o.get()
	})
	return nil
}

// handle serves one request on its own goroutine and resolves the event's promise
// with the response as plain data. handler finds (or builds) the handler.
func handle(data, resolve js.Value, handler func() (http.Handler, error)) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stop := onAbort(data.Get("signal"), cancel)
	defer stop()

	var m serving.Message
	req, err := serving.NewRequest(ctx, messageFromJS(data))
	var h http.Handler
	if err == nil {
		h, err = handler()
	}
	if err != nil {
		m = serving.ErrorMessage(err, log.Printf)
	} else {
		m = serving.Serve(h, req, log.Printf)
	}
	resolve.Invoke(messageToJS(m))
}

// onAbort cancels when the AbortSignal fires, and returns a function that stops
// listening.
func onAbort(signal js.Value, cancel context.CancelFunc) func() {
	if signal.IsUndefined() || signal.IsNull() {
		return func() {}
	}
	if signal.Get("aborted").Truthy() {
		cancel()
		return func() {}
	}
	listener := js.FuncOf(func(js.Value, []js.Value) any { cancel(); return nil })
	signal.Call("addEventListener", "abort", listener)
	return func() {
		signal.Call("removeEventListener", "abort", listener)
		listener.Release()
	}
}

func messageFromJS(v js.Value) serving.Message {
	m := serving.Message{
		Method: stringOr(v.Get("method")),
		URL:    stringOr(v.Get("url")),
		Body:   bytesOf(v.Get("body")),
	}
	if s := v.Get("status"); s.Type() == js.TypeNumber {
		m.Status = s.Int()
	}
	headers := v.Get("headers")
	n := headers.Length()
	m.Header = make([][2]string, n)
	for i := range n {
		pair := headers.Index(i)
		m.Header[i] = [2]string{pair.Index(0).String(), pair.Index(1).String()}
	}
	return m
}

func messageToJS(m serving.Message) js.Value {
	obj := js.Global().Get("Object").New()
	if m.Method != "" {
		obj.Set("method", m.Method)
		obj.Set("url", m.URL)
	} else {
		obj.Set("status", m.Status)
	}
	headers := make([]any, len(m.Header))
	for i, kv := range m.Header {
		headers[i] = []any{kv[0], kv[1]}
	}
	obj.Set("headers", headers)
	if m.Body != nil {
		obj.Set("body", bytesToJS(m.Body))
	} else {
		obj.Set("body", js.Null())
	}
	return obj
}

// env is a Worker's bindings object.
type env struct{ v js.Value }

func (e *env) Namespace(binding string) (durable.Namespace, error) {
	ns := e.v.Get(binding)
	if ns.Type() != js.TypeObject || ns.Get("idFromName").Type() != js.TypeFunction {
		return nil, fmt.Errorf("%w: %q is not a Durable Object namespace binding; add it to durable_objects.bindings in wrangler.jsonc", durable.ErrNoBinding, binding)
	}
	return &namespace{v: ns}, nil
}

func (e *env) Var(name string) (string, bool) {
	v := e.v.Get(name)
	if v.Type() != js.TypeString {
		return "", false
	}
	return v.String(), true
}

type namespace struct{ v js.Value }

func (n *namespace) IDFromName(name string) durable.ID {
	return &id{v: n.v.Call("idFromName", name), name: name}
}

func (n *namespace) NewUniqueID() durable.ID { return &id{v: n.v.Call("newUniqueId")} }

func (n *namespace) IDFromString(s string) (durable.ID, error) {
	v, err := call(n.v, "idFromString", s)
	if err != nil {
		return nil, fmt.Errorf("%w %q: %v", durable.ErrInvalidID, s, err)
	}
	return &id{v: v}, nil
}

func (n *namespace) Get(target durable.ID) durable.Stub {
	if target == nil {
		return &stub{err: fmt.Errorf("%w: Namespace.Get with a nil ID", durable.ErrInvalidID)}
	}
	jsID, ok := target.(*id)
	if !ok {
		parsed, err := n.IDFromString(target.String())
		if err != nil {
			return &stub{id: target, err: err}
		}
		jsID = parsed.(*id)
	}
	return &stub{id: jsID, v: n.v.Call("get", jsID.v)}
}

type id struct {
	v    js.Value
	name string
	str  string
}

func (i *id) String() string {
	if i.str == "" {
		i.str = i.v.Call("toString").String()
	}
	return i.str
}

func (i *id) Name() string {
	if i.name == "" {
		if n := i.v.Get("name"); n.Type() == js.TypeString {
			i.name = n.String()
		}
	}
	return i.name
}

func (i *id) Equal(other durable.ID) bool { return other != nil && i.String() == other.String() }

type stub struct {
	id  durable.ID
	v   js.Value
	err error
}

func (s *stub) ID() durable.ID { return s.id }

func (s *stub) Fetch(req *http.Request) (*http.Response, error) {
	if s.err != nil {
		return nil, s.err
	}
	if err := checkNotInTransaction(); err != nil {
		return nil, fmt.Errorf("durable: stub fetch %s: %w", req.URL, err) // before anything is sent
	}
	out, err := serving.OutgoingMessage(req)
	if err != nil {
		return nil, err
	}
	// A fetch whose context can end is aborted then, so workerd stops it too.
	msg := messageToJS(out)
	var aborter js.Value
	if req.Context().Done() != nil {
		aborter = js.Global().Get("AbortController").New()
		msg.Set("signal", aborter.Get("signal"))
	}
	p, err := call(host, "stubFetch", s.v, msg)
	if err != nil {
		return nil, fmt.Errorf("durable: stub fetch %s: %w", out.URL, err)
	}
	v, err := await(req.Context(), p)
	if err != nil {
		if req.Context().Err() != nil {
			aborter.Call("abort")
		}
		return nil, fmt.Errorf("durable: stub fetch %s: %w", out.URL, err)
	}
	return serving.NewResponse(req, messageFromJS(v)), nil
}

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

var uint8Array = js.Global().Get("Uint8Array")

// call calls a JavaScript method and turns a thrown exception into an error.
func call(v js.Value, method string, args ...any) (result js.Value, err error) {
	defer func() {
		if p := recover(); p != nil {
			jsErr, ok := p.(js.Error)
			if !ok {
				panic(p)
			}
			err = errorFromJS(jsErr.Value)
		}
	}()
	return v.Call(method, args...), nil
}

func errorFromJS(v js.Value) error {
	if v.Type() == js.TypeObject {
		if msg := v.Get("message"); msg.Type() == js.TypeString {
			return errors.New(msg.String())
		}
	}
	return errors.New(js.Global().Get("String").Invoke(v).String())
}

// checkNotInTransaction fails while a Transaction function runs: it runs inside a
// synchronous JavaScript callback, so nothing it waited for could settle before
// the transaction ended under it.
func checkNotInTransaction() error {
	if inTransaction.Load() > 0 {
		return errors.New("cannot wait inside Storage.Transaction: its function runs synchronously on workerd and must not fetch or wait; do the I/O before or after the transaction")
	}
	return nil
}

// await waits for a JavaScript promise. It must run on a goroutine of its own,
// never inside a js.FuncOf callback (see checkNotInTransaction). The callbacks
// release themselves, so an await abandoned through ctx leaks nothing once the
// promise settles.
func await(ctx context.Context, promise js.Value) (js.Value, error) {
	type result struct {
		v   js.Value
		err error
	}
	ch := make(chan result, 1)
	var onOK, onErr js.Func
	release := func() { onOK.Release(); onErr.Release() }
	onOK = js.FuncOf(func(_ js.Value, args []js.Value) any {
		ch <- result{v: firstArg(args)}
		release()
		return nil
	})
	onErr = js.FuncOf(func(_ js.Value, args []js.Value) any {
		ch <- result{err: errorFromJS(firstArg(args))}
		release()
		return nil
	})
	promise.Call("then", onOK, onErr)
	select {
	case r := <-ch:
		return r.v, r.err
	case <-ctx.Done():
		return js.Undefined(), fmt.Errorf("waiting for workerd: %w", ctx.Err())
	}
}

func firstArg(args []js.Value) js.Value {
	if len(args) == 0 {
		return js.Undefined()
	}
	return args[0]
}

func stringOr(v js.Value) string {
	if v.Type() != js.TypeString {
		return ""
	}
	return v.String()
}

// bytesOf copies a Uint8Array or ArrayBuffer into Go; anything else is nil.
func bytesOf(v js.Value) []byte {
	if v.Type() != js.TypeObject {
		return nil
	}
	if !v.InstanceOf(uint8Array) {
		v = uint8Array.New(v)
	}
	b := make([]byte, v.Length())
	js.CopyBytesToGo(b, v)
	return b
}

func bytesToJS(b []byte) js.Value {
	v := uint8Array.New(len(b))
	js.CopyBytesToJS(v, b)
	return v
}
