package durabletest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/internal/serving"
	"github.com/durableobjects-on-go/durable/internal/wrap"
)

// Options configure a [Runtime]. A nil *Options is the same as the zero value.
type Options struct {
	// Bindings maps each Durable Object namespace binding name to the class it
	// binds, as durable_objects.bindings does in wrangler.jsonc. When nil, every
	// class in the Worker is bound under its own class name. [OptionsFromConfig]
	// reads them from a wrangler configuration.
	Bindings map[string]string

	// Vars are the text variables and secrets that [durable.Env.Var] returns.
	Vars map[string]string

	// JSONVars are the vars of other JSON types (objects, lists, numbers,
	// booleans) that [durable.VarJSON] decodes, as wrangler.jsonc's "vars"
	// holds them: each value is encoded with encoding/json (a
	// json.RawMessage is taken as it is). A name in both Vars and JSONVars
	// is an error.
	JSONVars map[string]any

	// KVNamespaces are the binding names of the Workers KV namespaces
	// ([durable.Env.KV]), each an in-memory fake that starts empty
	// (workerskv.go). [OptionsFromConfig] reads them from kv_namespaces.
	KVNamespaces []string

	// R2Buckets are the binding names of the R2 buckets
	// ([durable.Env.Bucket]), each an in-memory fake that starts empty
	// (r2.go). [OptionsFromConfig] reads them from r2_buckets.
	R2Buckets []string

	// Services are the service bindings ([durable.Env.Service]), each served
	// in process by its handler; a nil handler is the Worker itself (its
	// front handler, served as Runtime.Fetch serves it). [OptionsFromConfig]
	// binds the services that name this Worker; bind other Workers here.
	Services map[string]http.Handler

	// QueueProducers maps each queue producer binding
	// ([durable.Env.Queue]) to the queue it sends to. Sent messages wait in
	// memory until [Runtime.QueueSent] takes them. [OptionsFromConfig] reads
	// them from queues.producers.
	QueueProducers map[string]string

	// D1Databases are the binding names of the D1 databases
	// ([durable.Env.D1]), each an in-memory SQLite database that starts
	// empty (d1.go). [OptionsFromConfig] reads them from d1_databases.
	D1Databases []string

	// KVBackedClasses are the classes whose objects have the legacy KV-backed
	// storage (created by a "new_classes" migration): their KV works, their
	// SQL and Storage.Transaction fail with [durable.ErrKVBacked], as on
	// workerd. [OptionsFromConfig] reads them from the migrations.
	KVBackedClasses []string

	// Dir, when not empty, keeps each object's database in a SQLite file under
	// Dir/<class>/<id>.sqlite, so that state outlives the Runtime (a new Runtime
	// over the same Dir sees it). When empty, databases live in memory until the
	// test ends.
	Dir string

	// Clock is the time source of alarms: an alarm goes off when the test
	// moves the clock past its time (see [durable.Storage.SetAlarm] and the
	// package documentation's "Alarms"). Handlers' time.Now and timers run on
	// real time. When nil, the runtime makes one that starts at the current
	// wall-clock time, truncated to the millisecond.
	Clock *Clock

	// Logf receives what workerd would print to its console: handler panics and
	// failed events. When nil, it is the test's Logf.
	Logf func(format string, args ...any)
}

// Runtime runs a [durable.Worker] natively: its front handler and one instance per
// Durable Object ID, each with its own SQLite database, under the rules workerd
// applies. Make one with [New]; the test's cleanup closes it.
//
// Its helpers that fail the test (Fetch, Namespace, State, RestartObject)
// report to the test that made it. In a subtest, call them through
// [Runtime.With], so that a failure stops the subtest rather than its parent.
type Runtime struct {
	*shared
	tb testing.TB // the test the helpers report to
}

// shared is a Runtime's state, shared by every view [Runtime.With] makes.
type shared struct {
	worker   durable.Worker
	bindings map[string]string
	vars     map[string]string
	jsonVars map[string][]byte       // vars.go
	kvs      map[string]*fakeKV      // workerskv.go
	buckets  map[string]*fakeBucket  // r2.go
	services map[string]http.Handler // service.go
	queues   *fakeQueues             // queue.go
	d1s      map[string]*database    // d1.go
	kvBacked []string                // classes with KV-backed storage
	dir      string
	clock    *Clock
	logf     func(format string, args ...any)
	report   serving.Reporter      // what 500 bodies say (DURABLE_ERROR_DETAILS)
	ids      map[string]*idFactory // by class
	env      *env
	rpc      map[string]*serving.Class // RPC methods by class (rpc.go)

	front      *owner
	frontMu    sync.Mutex
	frontReady http.Handler

	mu      sync.Mutex
	objects map[string]*object // by class + "/" + ID
	closed  bool
}

// classNamePattern is what a Durable Object class may be called: a JavaScript
// identifier in ASCII.
var classNamePattern = regexp.MustCompile(`^[A-Za-z_$][A-Za-z0-9_$]*$`)

// New starts a runtime for w and registers its closing with tb.Cleanup. It fails
// the test when the options do not fit the Worker (a binding to a class w does not
// register).
func New(tb testing.TB, w durable.Worker, opts *Options) *Runtime {
	tb.Helper()
	if opts == nil {
		opts = &Options{}
	}
	rt := &Runtime{tb: tb, shared: &shared{
		worker:   w,
		vars:     maps.Clone(opts.Vars),
		kvBacked: slices.Clone(opts.KVBackedClasses),
		dir:      opts.Dir,
		clock:    opts.Clock,
		logf:     opts.Logf,
		ids:      make(map[string]*idFactory),
		front:    newOwner(),
		objects:  make(map[string]*object),
	}}
	rt.env = &env{rt: rt}
	rt.loadJSONVars(opts.JSONVars) // vars.go
	rt.kvs = newFakeKVs(opts.KVNamespaces)
	rt.buckets = newFakeBuckets(opts.R2Buckets)
	rt.services = maps.Clone(opts.Services)
	rt.openD1(opts.D1Databases)
	rt.queues = &fakeQueues{producers: maps.Clone(opts.QueueProducers), sent: map[string][]*durable.Message{}}
	if rt.logf == nil {
		rt.logf = tb.Logf
	}
	detailed, err := serving.DetailsOn(rt.vars[serving.ErrorDetailsVar])
	if err != nil {
		rt.logf("%v", err)
	}
	rt.report = serving.Reporter{Logf: rt.logf, Detailed: detailed}
	if rt.clock == nil {
		rt.clock = NewClock(time.Now().Truncate(time.Millisecond))
	}
	for class := range w.Objects {
		// The class names a folder under Dir, and an exported JavaScript class
		// on workerd: a name that is not an identifier could escape Dir.
		if !classNamePattern.MatchString(class) {
			tb.Fatalf("durabletest: class %q: a Durable Object class name must be a JavaScript identifier (letters, digits, _ and $, not starting with a digit), as the build requires", class)
		}
		rt.ids[class] = newIDFactory(class)
	}
	if opts.Bindings == nil {
		rt.bindings = make(map[string]string, len(w.Objects))
		for class := range w.Objects {
			rt.bindings[class] = class
		}
	} else {
		rt.bindings = maps.Clone(opts.Bindings)
		for binding, class := range rt.bindings {
			if _, ok := w.Objects[class]; !ok {
				tb.Fatalf("durabletest: binding %q names class %q, which the Worker does not register (it has %s)", binding, class, strings.Join(slices.Sorted(maps.Keys(w.Objects)), ", "))
			}
		}
	}
	classes, err := serving.RPCClasses(w)
	if err != nil {
		tb.Fatalf("durabletest: Worker.RPC: %v", err)
	}
	rt.rpc = classes
	tb.Cleanup(func() { rt.Close() })
	return rt
}

// With returns a view of rt whose helpers report to tb, which is most often a
// subtest of the test that made rt: a failure then stops that subtest only.
// (Without it, a helper failing inside a subtest calls FailNow on the parent
// test from the subtest's goroutine, which Go reports as "subtest may have
// called FailNow on a parent test".) The view shares everything else with
// rt: its objects, storage, clock and cleanup.
//
//	t.Run("join", func(t *testing.T) {
//		resp := rt.With(t).Fetch(httptest.NewRequest("POST", "/join", nil))
//		...
//	})
func (rt *Runtime) With(tb testing.TB) *Runtime { return &Runtime{shared: rt.shared, tb: tb} }

// Env is the Worker's bindings, as the front handler and every object see them.
func (rt *Runtime) Env() durable.Env { return wrap.Env(rt.env).(durable.Env) }

// Clock is the runtime's clock, which drives alarms (see [Options.Clock]).
func (rt *Runtime) Clock() *Clock { return rt.clock }

// Namespace returns the namespace bound under binding; it fails the test when
// there is no such binding. Stubs it makes fetch from outside any object, as a
// test would.
func (rt *Runtime) Namespace(binding string) durable.Namespace {
	rt.tb.Helper()
	ns, err := rt.Env().Namespace(binding)
	if err != nil {
		rt.tb.Fatalf("durabletest: %v", err)
	}
	return ns
}

// State returns the state of the object with the given ID in the namespace bound
// under binding, without constructing the object, so that a test can inspect (or
// prepare) its storage. It fails the test when the binding or ID is not valid.
func (rt *Runtime) State(binding string, id durable.ID) durable.State {
	rt.tb.Helper()
	o, err := rt.objectFor(binding, id)
	if err != nil {
		rt.tb.Fatalf("durabletest: %v", err)
	}
	return wrap.State(o.state).(durable.State)
}

// Front is the Worker's front handler, served the way workerd serves it: the
// request and response are buffered, a panic becomes a 500 for that request only,
// and header names arrive lowercased and merged as JavaScript's Headers has them.
func (rt *Runtime) Front() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m, err := incomingMessage(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		out := rt.frontDeliver(r.Context(), m)
		for _, kv := range out.Header {
			w.Header().Add(kv[0], kv[1])
		}
		w.WriteHeader(out.Status)
		w.Write(out.Body)
	})
}

// Fetch sends req to the front handler and returns its response. req may have a
// relative URL, as made by httptest.NewRequest; it is then served as
// http://example.com/... .
func (rt *Runtime) Fetch(req *http.Request) *http.Response {
	rt.tb.Helper()
	m, err := incomingMessage(req)
	if err != nil {
		rt.tb.Fatalf("durabletest: %v", err)
	}
	return serving.NewResponse(req, rt.frontDeliver(req.Context(), m))
}

// frontDeliver serves one event on the front handler.
func (rt *Runtime) frontDeliver(ctx context.Context, m serving.Message) serving.Message {
	out, err := rt.deliver(rt.front, ctx, m, rt.frontHandler)
	if err != nil { // the front handler has no storage, so no commit can fail
		return rt.report.ErrorMessage(err)
	}
	return out
}

// Restart drops every Go instance (and the front handler), as if each object's Go
// runtime had ended: storage is kept, and the next event for an object runs its
// constructor again. Requests in flight finish on the old instances.
func (rt *Runtime) Restart() {
	rt.mu.Lock()
	objs := slices.Collect(maps.Values(rt.objects))
	rt.mu.Unlock()
	for _, o := range objs {
		o.restart()
	}
	rt.frontMu.Lock()
	rt.frontReady = nil
	rt.frontMu.Unlock()
}

// RestartObject drops the Go instance of one object, keeping its storage: its
// next event runs the constructor again. It fails the test when the binding or ID
// is not valid.
func (rt *Runtime) RestartObject(binding string, id durable.ID) {
	rt.tb.Helper()
	o, err := rt.objectFor(binding, id)
	if err != nil {
		rt.tb.Fatalf("durabletest: %v", err)
	}
	o.restart()
}

// Close closes every database. The test's cleanup calls it; calling it again does
// nothing. Storage calls after Close fail.
func (rt *Runtime) Close() error {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if rt.closed {
		return nil
	}
	rt.closed = true
	var errs []error
	for _, o := range rt.objects {
		errs = append(errs, o.state.storage.db.close())
	}
	for _, db := range rt.d1s { // d1.go
		errs = append(errs, db.close())
	}
	return errors.Join(errs...)
}

// frontHandler builds the front handler on the first event, as the workerd
// runtime does (serving.BuildFront): a panic in Worker.Front fails that event
// with a 500 and the next event tries again; a nil handler serves 404s.
func (rt *Runtime) frontHandler() (http.Handler, error) {
	rt.frontMu.Lock()
	defer rt.frontMu.Unlock()
	if rt.frontReady == nil {
		h, err := serving.BuildFront(rt.worker.Front, wrap.Env(&env{rt: rt, front: true}).(durable.Env))
		if err != nil {
			return nil, err
		}
		rt.frontReady = h
	}
	return rt.frontReady, nil
}

func (rt *Runtime) objectFor(binding string, target durable.ID) (*object, error) {
	ns, err := rt.env.Namespace(binding)
	if err != nil {
		return nil, err
	}
	n := ns.(*namespace)
	parsed, err := n.ids.fromString(target.String())
	if err != nil {
		return nil, err
	}
	if named, ok := target.(*id); ok {
		parsed.name = named.name
	}
	return rt.object(n.class, parsed)
}

// object returns the object of class with the given ID, opening its database on
// first use.
// anyTransaction reports whether a Transaction function of any object is running.
func (rt *Runtime) anyTransaction() bool {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	for _, o := range rt.objects {
		if o.db != nil && o.db.inTransaction() {
			return true
		}
	}
	return false
}

func (rt *Runtime) object(class string, target *id) (*object, error) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if rt.closed {
		return nil, errClosed
	}
	key := class + "/" + target.hex
	if o := rt.objects[key]; o != nil {
		return o, nil
	}
	path := ""
	if rt.dir != "" {
		path = filepath.Join(rt.dir, class, target.hex+".sqlite")
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, fmt.Errorf("durabletest: %w", err)
		}
	}
	db, err := openDatabase(path)
	if err != nil {
		return nil, err
	}
	own := newOwner()
	own.db = db
	own.onReset = func(err error) {
		rt.logf("durable: %s object %s: %v; its next event constructs it again", class, target.hex, err)
	}
	o := &object{
		owner: own,
		rt:    rt,
		class: class,
		ctor:  rt.worker.Objects[class],
		state: &state{id: &id{hex: target.hex, name: target.name}, storage: &storage{db: db, kvBacked: slices.Contains(rt.kvBacked, class)}},
		life:  &life{},
	}
	o.state.obj, o.state.storage.obj = o, o
	own.reset = o.restart
	o.state.sockets = &sockets{o: o}
	rt.objects[key] = o
	o.loadAlarm() // an alarm stored by an earlier Runtime over the same Dir
	return o, nil
}

// object is one Durable Object instance: its storage lives as long as the
// runtime; its Go instance until it is restarted.
type object struct {
	*owner
	rt    *Runtime
	class string
	ctor  durable.Constructor
	state *state
	life  *life // alarms and background work (alarm.go, lifecycle.go)

	mu       sync.Mutex
	instance durable.Object
}

func (o *object) restart() {
	o.mu.Lock()
	o.instance = nil
	o.mu.Unlock()
}

// handler returns the Go instance, constructing it on the first event.
func (o *object) handler() (http.Handler, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.instance == nil {
		resets := o.resetCount()
		inst, err := serving.Construct(o.ctor, wrap.State(o.state).(durable.State), o.rt.Env())
		if err == nil {
			err = o.resetSince(resets) // BlockConcurrencyWhile failed, or Abort
		}
		if err != nil {
			return nil, fmt.Errorf("durable: constructing %s: %w", o.class, err)
		}
		o.instance = inst
	}
	return o.instance, nil
}

// owner runs events one at a time, the way a single-threaded isolate does: an
// event holds the gate while its Go code runs, and gives it up while it awaits a
// stub fetch (the only await the runtime can see).
type owner struct {
	gate chan struct{} // holds a token while an event runs
	db   *database     // the object's database; nil for the front handler

	// reset drops the object's Go instance; onReset reports why. release calls
	// them when a turn's writes cannot be committed, as workerd resets the
	// object then.
	reset   func()
	onReset func(err error)

	mu       sync.Mutex
	resets   int   // failed commits so far
	resetErr error // the last one
}

func newOwner() *owner { return &owner{gate: make(chan struct{}, 1)} }

// acquire takes the gate: a turn of Go code begins.
func (o *owner) acquire() {
	o.gate <- struct{}{}
	if o.db != nil {
		o.db.startTurn()
	}
}

// release ends the turn, committing its writes, and gives the gate up. When the
// commit fails, the object is reset: its Go instance is dropped, and every event
// in flight on it fails (see resetSince).
func (o *owner) release() {
	if o.db != nil {
		if err := o.db.endTurn(); err != nil {
			o.mu.Lock()
			o.resets++
			o.resetErr = err
			o.mu.Unlock()
			if o.onReset != nil {
				o.onReset(err)
			}
			if o.reset != nil {
				o.reset()
			}
		}
	}
	<-o.gate
}

// resetCount is the number of resets so far.
func (o *owner) resetCount() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.resets
}

// resetSince returns why the object was reset after the first n resets, or nil.
func (o *owner) resetSince(n int) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.resets != n {
		return o.resetErr
	}
	return nil
}

// event is one request being served by an owner.
type event struct {
	owner    *owner
	mu       sync.Mutex
	held     bool // this event holds the owner's gate
	awaiting int  // stub fetches in flight
	done     bool
	resets   int // the owner's resets when the event began
}

type eventKey struct{}

func eventOf(ctx context.Context) *event {
	ev, _ := ctx.Value(eventKey{}).(*event)
	return ev
}

func (ev *event) beginAwait() {
	ev.mu.Lock()
	defer ev.mu.Unlock()
	ev.awaiting++
	if ev.held {
		ev.held = false
		ev.owner.release()
	}
}

func (ev *event) endAwait() {
	ev.mu.Lock()
	defer ev.mu.Unlock()
	ev.awaiting--
	if ev.awaiting == 0 && !ev.done && !ev.held {
		ev.owner.acquire()
		ev.held = true
	}
}

func (ev *event) finish() {
	ev.mu.Lock()
	defer ev.mu.Unlock()
	ev.done = true
	if ev.held {
		ev.held = false
		ev.owner.release()
	}
}

// deliver serves one event on o and returns the response as workerd would build
// it, or the error the event fails with when the object was reset while it ran
// (workerd then fails the event with an exception rather than a response).
func (rt *Runtime) deliver(o *owner, ctx context.Context, m serving.Message, handler func() (http.Handler, error)) (serving.Message, error) {
	// As on workerd, the request's context ends when the event does.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	o.acquire()
	ev := &event{owner: o, held: true, resets: o.resetCount()}
	defer ev.finish()
	ctx = context.WithValue(ctx, eventKey{}, ev)

	out := rt.serve(ctx, m, handler)
	ev.finish() // commits the last turn's writes
	if err := o.resetSince(ev.resets); err != nil {
		return serving.Message{}, err
	}
	return out, nil
}

// serve runs the handler on one request.
func (rt *Runtime) serve(ctx context.Context, m serving.Message, handler func() (http.Handler, error)) serving.Message {
	h, err := handler()
	if err != nil {
		return rt.report.ErrorMessage(err)
	}
	req, err := serving.NewRequest(ctx, m)
	if err != nil {
		return rt.report.ErrorMessage(err)
	}
	return rt.response(serving.Serve(h, req, rt.report))
}

// response does what the entry module's new Response(...) does to a handler's
// answer: it normalizes the headers. (Statuses a Response refuses never get
// here: serving.Serve already turns them into a 500.)
func (rt *Runtime) response(m serving.Message) serving.Message {
	m.Header = jsHeaders(m.Header)
	return m
}

// stubFetch sends req from the calling event (if any) to the object target of ns.
func (rt *Runtime) stubFetch(ns *namespace, target *id, req *http.Request) (*http.Response, error) {
	if ns.front {
		if ev, _ := req.Context().Value(eventKey{}).(*event); ev == nil || ev.owner != rt.front {
			return nil, fmt.Errorf("durable: stub fetch %s: %w", req.URL, serving.ErrFrontStubContext)
		}
	}
	out, err := serving.OutgoingMessage(req)
	if err != nil {
		return nil, err
	}
	if (out.Method == http.MethodGet || out.Method == http.MethodHead) && out.Body != nil {
		return nil, fmt.Errorf("durable: stub fetch %s: Request with a GET or HEAD method cannot have a body.", out.URL)
	}
	if out.URL, err = jsURL(out.URL); err != nil {
		return nil, fmt.Errorf("durable: stub fetch %s: %w", out.URL, err)
	}
	out.Header = jsHeaders(out.Header)

	o, err := rt.object(ns.class, target)
	if err != nil {
		return nil, fmt.Errorf("durable: stub fetch %s: %w", out.URL, err)
	}
	ctx := req.Context()
	ev := eventOf(ctx)
	// On workerd a transaction's function runs synchronously inside
	// transactionSync, so a fetch from it fails before anything is sent. A
	// request without the handler's context cannot say which object calls: then
	// any running transaction counts, as on workerd's Go runtime.
	if (ev != nil && ev.owner.db != nil && ev.owner.db.inTransaction()) || (ev == nil && rt.anyTransaction()) {
		return nil, fmt.Errorf("durable: stub fetch %s: cannot wait inside Storage.Transaction: its function runs synchronously on workerd and must not fetch or wait; do the I/O before or after the transaction", out.URL)
	}
	if ev != nil {
		ev.beginAwait()
		defer ev.endAwait()
	}
	type result struct {
		m   serving.Message
		err error
	}
	done := make(chan result, 1)
	go func() {
		// The target's request is not cancelled when the caller stops waiting,
		// as on workerd.
		m, err := rt.deliver(o.owner, context.Background(), out, o.handler)
		done <- result{m, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			if errors.As(r.err, new(*resetError)) {
				return nil, &durable.StubError{Method: "stub fetch " + out.URL, Message: r.err.Error(), Reset: true}
			}
			return nil, fmt.Errorf("durable: stub fetch %s: %w", out.URL, r.err)
		}
		return serving.NewResponse(req, r.m), nil
	case <-ctx.Done():
		return nil, fmt.Errorf("durable: stub fetch %s: waiting for the object: %w", out.URL, ctx.Err())
	}
}

// incomingMessage turns a request made by a test into the plain data the front
// handler receives on workerd.
func incomingMessage(r *http.Request) (serving.Message, error) {
	u := *r.URL
	if !u.IsAbs() {
		u.Scheme = "http"
		u.Host = r.Host
		if u.Host == "" {
			u.Host = "example.com"
		}
	}
	m := serving.Message{Method: r.Method, Header: make([][2]string, 0, len(r.Header))}
	if m.Method == "" {
		m.Method = http.MethodGet
	}
	var err error
	if m.URL, err = jsURL(u.String()); err != nil {
		return m, err
	}
	for name, values := range r.Header {
		for _, v := range values {
			m.Header = append(m.Header, [2]string{name, v})
		}
	}
	m.Header = jsHeaders(m.Header)
	if r.Body != nil && r.Body != http.NoBody {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return m, fmt.Errorf("reading request body: %w", err)
		}
		if len(b) > 0 {
			m.Body = b
		}
	}
	return m, nil
}

// jsURL normalizes a URL the way new Request(url) does for the common cases: an
// absolute http(s) URL with at least "/" as its path.
func jsURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() {
		return raw, fmt.Errorf("invalid URL %q", raw)
	}
	if u.Path == "" && u.RawPath == "" && u.Opaque == "" {
		u.Path = "/"
	}
	u.Host = strings.ToLower(u.Host)
	return u.String(), nil
}

// jsHeaders is a header list as JavaScript's Headers iterates it: names
// lowercased and sorted, values trimmed, repeated names merged with ", " (except
// Set-Cookie, which keeps one entry per value).
func jsHeaders(pairs [][2]string) [][2]string {
	merged := map[string][]string{}
	for _, kv := range pairs {
		name := strings.ToLower(kv[0])
		merged[name] = append(merged[name], strings.Trim(kv[1], " \t\r\n"))
	}
	names := slices.Collect(maps.Keys(merged))
	sort.Strings(names)
	out := make([][2]string, 0, len(pairs))
	for _, name := range names {
		if name == "set-cookie" {
			for _, v := range merged[name] {
				out = append(out, [2]string{name, v})
			}
			continue
		}
		out = append(out, [2]string{name, strings.Join(merged[name], ", ")})
	}
	return out
}

// env is the Worker's bindings. The front handler's is marked: its stubs must
// fetch with the context of the request being served, as on workerd.
type env struct {
	rt    *Runtime
	front bool
}

func (e *env) Namespace(binding string) (any, error) {
	class, ok := e.rt.bindings[binding]
	if !ok {
		return nil, fmt.Errorf("%w: %q is not a Durable Object namespace binding; add it to durable_objects.bindings in wrangler.jsonc", durable.ErrNoBinding, binding)
	}
	return &namespace{rt: e.rt, class: class, ids: e.rt.ids[class], binding: binding, front: e.front}, nil
}

func (e *env) Var(name string) (string, bool) {
	v, ok := e.rt.vars[name]
	return v, ok
}
