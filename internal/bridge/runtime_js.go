//go:build js && wasm

package bridge

import (
	"fmt"
	"log"
	"net/http"
	"runtime"
	"sync"
	"syscall/js"
	"unsafe"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/internal/describe"
	"github.com/durableobjects-on-go/durable/internal/serving"
	"github.com/durableobjects-on-go/durable/internal/wrap"
)

var (
	// host is globalThis.__durableHost: the JavaScript helpers Go calls into.
	host js.Value
	// wakeContext(id) asks a context's pump for a turn (see ioContext.run).
	wakeContext js.Value
)

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
	classes, err := serving.RPCClasses(w)
	if err != nil {
		panic("durable: Worker.RPC: " + err.Error()) // durable-build refuses such a program first
	}
	rt := &isolate{worker: w, rpc: classes, contexts: make(map[int32]*ioContext), objects: make(map[int32]*object)}
	served = rt
	exports := js.Global().Get("Object").New()
	for name, fn := range map[string]func([]js.Value) any{
		"init":         rt.init,
		"front":        rt.front,
		"newObject":    rt.newObject,
		"objectFetch":  rt.objectFetch,
		"objectAlarm":  rt.objectAlarm, // alarm_js.go
		"objectRPC":    rt.objectRPC,   // rpc_js.go
		"runTask":      rt.runTask,     // lifecycle_js.go
		"webSocket":    rt.webSocket,
		"wsHold":       rt.wsHold,
		"drain":        rt.drain,
		"closeContext": rt.closeContext,
		// handlers_js.go: the Worker's handlers beyond fetch
		"scheduled": rt.scheduled,
		"queue":     rt.queue,
	} {
		exports.Set(name, js.FuncOf(func(_ js.Value, args []js.Value) any { return fn(args) }))
	}
	js.Global().Set("__durableGo", exports)
	select {}
}

// isolate is the Go side of one workerd isolate: the Worker, the front handler
// and every object instance that has had an event.
type isolate struct {
	worker durable.Worker
	rpc    map[string]*serving.Class // RPC methods by class (rpc_js.go)

	frontMu      sync.Mutex
	frontHandler http.Handler

	mu       sync.Mutex
	contexts map[int32]*ioContext // every context with an object or a request in flight
	objects  map[int32]*object    // by context id
}

// object is one Durable Object instance: constructed on its first event.
type object struct {
	class string
	ctor  durable.Constructor
	ctx   *ioContext
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
	inst, err := serving.Construct(o.ctor, wrap.State(&lifeState{o.state, o}).(durable.State), wrap.Env(o.env).(durable.Env))
	if err != nil {
		return nil, fmt.Errorf("durable: constructing %s: %w", o.class, err)
	}
	o.instance = inst
	return inst, nil
}

// init(wake, routing, errorDetails) receives the pump's wake function, the
// routing switch and the Worker's DURABLE_ERROR_DETAILS value, and returns the
// address of currentContext, which runtime.mjs resets at every entry.
func (rt *isolate) init(args []js.Value) any {
	wakeContext = args[0]
	routing = args[1].Truthy()
	detailed, err := serving.DetailsOn(args[2].String())
	if err != nil {
		log.Print(err)
	}
	report = serving.Reporter{Logf: log.Printf, Detailed: detailed}
	return uintptr(unsafe.Pointer(&currentContext))
}

// context returns the context with the given id, making it when new.
func (rt *isolate) context(id int32, label string) *ioContext {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	c := rt.contexts[id]
	if c == nil {
		c = &ioContext{id: id, label: label}
		rt.contexts[id] = c
	}
	return c
}

func (rt *isolate) lookup(id int32) (*ioContext, *object) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.contexts[id], rt.objects[id]
}

// front(ctx, request, env, resolve, reject) serves a request to the Worker
// itself, in its own context.
func (rt *isolate) front(args []js.Value) any {
	c := rt.context(int32(args[0].Int()), "front request")
	c.enter()
	c.beginEvent()
	envValue := args[2]
	go serve(c, args[1], args[3], func() (http.Handler, error) { return rt.frontFor(envValue) })
	return nil
}

// frontFor builds the front handler on the first request, and again on the next
// request when building failed.
func (rt *isolate) frontFor(envValue js.Value) (http.Handler, error) {
	rt.frontMu.Lock()
	defer rt.frontMu.Unlock()
	if rt.frontHandler == nil {
		h, err := serving.BuildFront(rt.worker.Front, wrap.Env(&env{v: envValue}).(durable.Env))
		if err != nil {
			return nil, err
		}
		rt.frontHandler = h
	}
	return rt.frontHandler, nil
}

// newObject(ctx, className, state, env) registers an instance under its
// context and returns "", or a message when the class is unknown. It must not
// panic: a panic in a callback would end the Go program.
func (rt *isolate) newObject(args []js.Value) any {
	ctxID := int32(args[0].Int())
	class := args[1].String()
	ctor, ok := rt.worker.Objects[class]
	if !ok {
		return fmt.Sprintf("class %q is not registered in Go: add it to Worker.Objects in the call to workerd.Serve", class)
	}
	jsState := args[2]
	c := rt.context(ctxID, class+" object")
	o := &object{class: class, ctor: ctor, ctx: c, env: &env{v: args[3], owner: c}}
	o.state = &state{id: &id{v: jsState.Get("id")}, storage: newStorage(c, jsState.Get("storage")), v: jsState}
	rt.mu.Lock()
	rt.objects[c.id] = o
	rt.mu.Unlock()
	return ""
}

// objectFetch(ctx, request, resolve, reject) serves a request to an instance.
func (rt *isolate) objectFetch(args []js.Value) any {
	c, o := rt.lookup(int32(args[0].Int()))
	if c == nil || o == nil {
		args[3].Invoke(fmt.Sprintf("durable: no object with context %d in this Go runtime", args[0].Int()))
		return nil
	}
	c.enter()
	c.beginEvent()
	go serve(c, args[1], args[2], func() (http.Handler, error) { return o.get() })
	return nil
}

// drain(ctx) runs the calls queued for a context; its pump calls it.
func (rt *isolate) drain(args []js.Value) any {
	if c, _ := rt.lookup(int32(args[0].Int())); c != nil {
		c.enter()
		c.drain()
	}
	return nil
}

// closeContext(ctx) forgets a front request that ended or an object instance
// workerd dropped.
func (rt *isolate) closeContext(args []js.Value) any {
	id := int32(args[0].Int())
	rt.mu.Lock()
	c := rt.contexts[id]
	delete(rt.contexts, id)
	delete(rt.objects, id)
	rt.mu.Unlock()
	if c != nil {
		c.mu.Lock()
		c.closed = true
		c.mu.Unlock()
	}
	return nil
}

func goroutines() int { return runtime.NumGoroutine() }
