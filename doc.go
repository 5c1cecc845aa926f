// Package durable is the public API for writing Cloudflare Durable Objects in Go.
//
// A Durable Object is a named, single-instance actor with its own transactional
// storage. In this package an object is a plain [http.Handler] built by a
// [Constructor] that receives the object's [State] (its [ID] and [Storage]) and the
// worker's [Env] (its bindings). A [Worker] ties the object classes to the stateless
// front handler that routes requests to them.
//
// The package is platform neutral: it holds only Go types and interfaces. Two
// runtimes implement it:
//
//   - package workerd runs a [Worker] on Cloudflare's runtime (workerd, locally
//     through wrangler, or deployed), compiled with GOOS=js GOARCH=wasm by
//     cmd/durable-build;
//   - package durabletest runs the same objects natively under go test, on real
//     SQLite, for fast unit tests.
//
// # Writing an object
//
//	type Counter struct{ sql durable.SQL }
//
//	func NewCounter(state durable.State, env durable.Env) (durable.Object, error) {
//		sql := state.Storage().SQL()
//		_, err := sql.Exec(`CREATE TABLE IF NOT EXISTS hits (n INTEGER NOT NULL)`)
//		return &Counter{sql: sql}, err
//	}
//
//	func (c *Counter) ServeHTTP(w http.ResponseWriter, r *http.Request) { ... }
//
// # Storage
//
// [SQL] runs statements on the object's private SQLite database; [Result] holds the
// rows, and [Row.Scan] converts them to Go values. [KV] is the key-value API of the
// same database, with [GetJSON] and [PutJSON] for typed values. [Storage.Transaction]
// runs a function atomically: it commits when the function returns nil and rolls back
// when it returns an error or panics.
//
// [KV.GetMany], [KV.PutMany] and [KV.DeleteMany] take up to [MaxBatchKeys] (128)
// keys and are atomic: a batch over the limit fails with [ErrTooManyKeys] and
// writes nothing. [ListOptions.StartAfter] pages through a listing.
// [Storage.Sync] waits until the writes so far are durable.
//
// # Typed rows
//
// [Rows] and [One] decode a [Result] into structs (or, for one column, into a
// plain type) by column name: a field tagged durable:"name" takes the column of
// that name, an untagged exported field the column named like it (case aside,
// as SQLite compares names), and durable:"-" none. A column no field takes is
// an error, so a typo in a query cannot pass unseen; a field no column feeds
// keeps its zero value, so a struct serves partial SELECTs. Decoding is strict:
// a value must already be of the field's kind (TEXT only into strings, BLOB
// into []byte, integers into integer fields, within range; NULL only into
// pointers, []byte, any and sql.Null types), and a mismatch is a [*ColumnError]
// naming the row, the column and the field.
//
// [SQL.Query] and [Query] iterate over a statement's rows lazily, in chunks of
// bounded size, for results too large to hold whole: breaking out of the loop
// ends the statement. [SQL.Cursor] reads the same way for code that pulls
// rows one by one and needs the column names first (package sqlstore's
// database/sql driver).
//
// # Storage backends and point-in-time recovery
//
// Classes created with a "new_sqlite_classes" migration have SQLite-backed
// storage: all of the above. Classes created with the legacy "new_classes" have
// KV-backed storage: the KV API works (on workerd through its asynchronous
// storage API), while SQL and [Storage.Transaction] fail with [ErrKVBacked].
// [Storage.Bookmark], [Storage.BookmarkForTime] and
// [Storage.OnNextSessionRestoreBookmark] are point-in-time recovery; off
// Cloudflare's network, bookmarks only order and restoring fails with
// [ErrNoPITR].
//
// SQL values cross the JavaScript boundary on workerd, where every number is a
// float64. The API therefore has one set of rules for both runtimes: integers are
// exact only within ±2^53 (see [MaxSafeInteger]); a larger int64 argument is refused
// with [ErrIntegerRange] rather than silently rounded, and a number read back is an
// int64 when it is integral and within that range, else a float64.
//
// # Alarms
//
// Each object has at most one alarm: [Storage.SetAlarm] sets (or replaces) it,
// [Storage.Alarm] reads it, [Storage.DeleteAlarm] removes it. When its time
// comes, the runtime calls the object's Alarm method, if the object implements
// [Alarmer]. Delivery is at least once: an attempt that returns an error or
// panics is retried with backoff, [AlarmInfo] saying which retry it is.
//
//	func (c *Counter) Alarm(ctx context.Context, info durable.AlarmInfo) error {
//		_, err := c.sql.Exec(`DELETE FROM hits`) // a nightly reset
//		if err == nil {
//			err = c.storage.SetAlarm(time.Now().Add(24 * time.Hour))
//		}
//		return err
//	}
//
// [Storage.DeleteAll] deletes everything the object stores, the alarm included.
//
// # Lifecycle
//
// [State.BlockConcurrencyWhile] runs start-up work (a migration, loading state)
// while no other event reaches the object; if it fails, the object is reset.
// [State.WaitUntil] runs work that may outlive the request, with storage still
// usable. [State.Abort] resets the object: events in flight fail, the next one
// gets a new instance over the committed storage. [State.Class] is the object's
// class name and [ID.Name] the name its ID was made from.
// # WebSockets
//
// An object accepts a hibernatable WebSocket with [State.AcceptWebSocket] in its
// fetch handler: the response becomes the 101, and the socket's messages,
// closes and failures arrive at the object's optional
// [WebSocketMessageHandler], [WebSocketCloseHandler] and
// [WebSocketErrorHandler] methods, even after workerd evicted the object from
// memory while its sockets stayed connected (the object is constructed again
// first, and [State.WebSockets] lists the sockets, with their tags and the
// attachments set by [SetAttachment]). [State.SetWebSocketAutoResponse] lets
// workerd answer a ping without waking the object. A request that is not an
// upgrade fails with [ErrNotWebSocket] (answer it with [RefuseUpgrade]);
// values over workerd's limits fail with [ErrWebSocketLimit].
//
// A [Conn] is a WebSocket that Go reads and writes itself, in the style of
// github.com/coder/websocket: [State.AcceptConn] accepts one that keeps the
// object in memory while it is open, [Stub.DialWebSocket] opens one to an
// object, and [DialWebSocket] one to any WebSocket server.
//
// # RPC
//
// A class's RPC methods are the exported methods of the type its constructor
// returns, declared in [Worker].RPC (the event methods ServeHTTP, Alarm and
// the WebSocket handlers excepted):
//
//	workerd.Serve(durable.Worker{
//		Objects: map[string]durable.Constructor{"Counter": NewCounter},
//		RPC:     map[string]any{"Counter": (*Counter)(nil)},
//	})
//
//	func (c *Counter) Increment(ctx context.Context, step int) (int, error) { ... }
//
// JavaScript calls it as await stub.increment(5) ([RPCName] gives the
// JavaScript name), and Go as durable.Call[int](ctx, stub, "increment", 5),
// whatever language the callee is written in. A method may take a
// [context.Context] first, which ends with the call's event; it returns
// nothing, a value, an error, or a value and an error. A call is an event of
// the object like a fetch, so the method uses storage and stubs as a handler
// does, and overlapping calls interleave when they wait.
//
// Why a declaration: durable-build must give the Durable Object class one
// JavaScript method per RPC method before any instance exists, so it learns
// them from the program's description, not from a constructed object; and a
// type, not a list of names, lets the build check every signature and report
// what it cannot serve. Why generics for the caller: Call[R] reads like a
// function call and returns a typed result without a code generator or a
// build step; a mistyped method name is a clear error at run time.
//
// Values follow JavaScript's structured clone on workerd, with one mapping on
// both runtimes: nil, a nil pointer, map or slice ↔ null; bool ↔ boolean;
// integers and floats ↔ number, integers only within ±2^53 ([ErrIntegerRange]
// beyond); string ↔ string (valid UTF-8); []byte ↔ Uint8Array (any
// ArrayBuffer view is received); [time.Time] ↔ Date, to the millisecond;
// slices and arrays ↔ Array; map[string]T and structs (named by json tags) ↔
// plain objects; pointers and interfaces ↔ what they hold. Into an any, a
// number is an int64 when integral within ±2^53, else a float64; an Array is
// []any and an object map[string]any. Channels, funcs, complex numbers,
// cyclic values, JavaScript bigints, Maps, Sets, class instances and stubs
// are refused with an error that names the argument and path.
//
// Errors: a method's returned error rejects the call with the error's text;
// an [RPCError] in it (returned or wrapped with %w) also sets the error's
// code property, which a Go caller matches with [errors.Is] on the
// [*StubError] it gets. Error properties cross workerd only with
// compatibility date 2026-04-21 or later, or the enhanced_error_serialization
// flag. An unknown method, a wrong argument count or type, and a panic reject
// the call with a clear message (a panic's text and stack go to the log, the
// caller reads "internal error in Class.method"), and the object keeps
// serving.
//
// # Stub errors
//
// A call or fetch that fails through a stub returns a [*StubError] with
// workerd's flags, the same on both runtimes. Cloudflare's guidance: retry
// Retryable errors with exponential backoff when the call is idempotent,
// never Overloaded ones; after a Reset the stub stays broken, so get a new
// one from [Namespace.Get]. The StubError example shows the loop.
// # Bindings
//
// [Env] reaches the Worker's bindings by their names in wrangler.jsonc:
// [Env.Namespace] (durable_objects), [Env.KV] (kv_namespaces: a Workers KV
// [KVNamespace]), [Env.Bucket] (r2_buckets: an R2 [Bucket], whose object
// bodies stream as an io.ReadCloser from Get and from an io.Reader into
// Put), [Env.Service] (services: another Worker, as an *http.Client) and
// [Env.Queue] (queues.producers: a [QueueProducer] that sends JSON) and
// [Env.D1] (d1_databases: a [D1Database], one statement at a time for now). A name that is not bound, or bound to another kind of
// binding, is an error matching [ErrNoBinding] that names the binding and
// the configuration key to add it to. Calls that do I/O take a
// context.Context: the request's, or the ctx of the handler's event, which
// says on workerd which event the call belongs to.
//
// # Vars and secrets
//
// [Env.Var] returns a text var or a secret; [VarJSON] decodes a var of any
// JSON type (wrangler.jsonc's "vars" may hold objects, lists, numbers and
// booleans) into a Go type. Locally, secrets come from .dev.vars (or .env)
// next to wrangler.jsonc, for wrangler dev and for
// durabletest.OptionsFromConfig alike. A var that is not set is an error
// matching [ErrNoBinding], one of the wrong type [ErrVarType]; both name the
// var and the configuration key.
//
// # Outbound HTTP
//
// On workerd, [net/http]'s client works as usual (http.DefaultClient, an
// [http.Client] with a Timeout, http.NewRequestWithContext), from the front
// handler and from objects: package workerd installs an
// [http.DefaultTransport] that sends the request with workerd's fetch in the
// I/O context of the event the request's context.Context comes from, streams
// bodies both ways, ends the fetch when the context ends, and leaves
// redirects to the Client. So build outgoing requests from the handler's
// context:
//
//	req, err := http.NewRequestWithContext(r.Context(), "GET", "https://api.example/v1", nil)
//	resp, err := http.DefaultClient.Do(req)
//
// A request with no such context (plain http.Get(url) uses
// context.Background()) fails with [ErrNoEventContext], which names the fix.
// [CF] returns the request's cf object as JSON; r.RemoteAddr is the client's
// address as "ip:0".
//
// # Cron triggers and queues
//
// [Worker.Scheduled] runs on each cron trigger (triggers.crons in
// wrangler.jsonc) with a [ScheduledEvent]; [Worker.Queue] consumes batches of
// the queues the Worker consumes (queues.consumers) as a [MessageBatch],
// whose messages the handler settles one by one ([Message.Ack],
// [Message.Retry]) or all at once. Both get a ctx that belongs to their event,
// for stub fetches and outbound HTTP, and an [Env]. A handler that returns an
// error or panics fails its event only: workerd logs it, retries the queue
// messages the handler left unsettled, and the Worker keeps serving.
//
//	Scheduled: func(ctx context.Context, env durable.Env, ev durable.ScheduledEvent) error {
//		return purgeOld(ctx, env, ev.ScheduledTime)
//	},
//
// # Types that grow
//
// [State], [Storage], [SQL], [KV], [Env], [Namespace] and [Stub] are small structs
// over the runtime that made them, not interfaces, in the shape of database/sql:
// the runtimes implement an internal interface and user code holds the struct.
// The Durable Object API keeps gaining methods, and a method added to an
// interface breaks every user type that implements or wraps it; a method added
// to a struct breaks nobody. Pass them by value; the zero value of each is not
// usable (its methods panic with a message saying where to get one). To fake
// one in a test, run the object under package durabletest instead. [ID] stays
// an interface: its three methods are the whole of what an ID is.
//
// # Errors
//
// Errors wrap with %w and match with [errors.Is]: [ErrNoRows], [ErrTooManyRows],
// [ErrInvalidID], [ErrNoBinding], [ErrIntegerRange], [ErrUnsupportedType],
// [ErrReset], [ErrNoAlarmSupport], [ErrNotWebSocket], [ErrWebSocketLimit],
// [ErrWebSocketClosed], [ErrTooManyKeys], [ErrColumnType], [ErrUnknownColumn],
// [ErrKVBacked], [ErrNoPITR], [ErrInvalidUTF8], [ErrScan]. Stub failures are [*StubError]; a callee's
// [RPCError] crosses a call by its code. SQL
// failures are [*SQLError], with SQLite's result codes; [ErrConstraint] matches
// every constraint violation.
package durable
