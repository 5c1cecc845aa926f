//go:build js && wasm

package bridge

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"syscall/js"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/internal/describe"
	"github.com/durableobjects-on-go/durable/internal/serving"
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
		m = serving.ErrorMessage(err)
	} else {
		m = serving.Serve(h, req)
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
	// The fetch is aborted when the caller's context ends, so workerd stops it too.
	aborter := js.Global().Get("AbortController").New()
	msg := messageToJS(out)
	msg.Set("signal", aborter.Get("signal"))
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
