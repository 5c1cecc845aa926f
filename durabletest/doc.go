// Package durabletest runs Durable Objects written with package durable natively,
// under go test: no Node, no wasm, no wrangler. It is to a [durable.Worker] what
// net/http/httptest is to an http.Handler.
//
//	func TestCounter(t *testing.T) {
//		rt := durabletest.New(t, myWorker(), nil)
//		resp := rt.Fetch(httptest.NewRequest("GET", "/hit/ada", nil))
//		...
//	}
//
// [New] starts a [Runtime] for a Worker; the test's cleanup closes it. The runtime
// implements the whole public API: [durable.Env] with its namespaces and vars,
// IDs, stubs whose Fetch reaches the target object in process, and each object's
// [durable.Storage] (SQL, KV, transactions) on a real SQLite database of its own,
// in memory or, with [Options.Dir], in files that outlive the runtime.
// [Runtime.Fetch] and [Runtime.Front] drive the Worker's front handler;
// [Runtime.Namespace] gives the test stubs of its own; [Runtime.State] opens an
// object's storage for inspection; [Runtime.Restart] and [Runtime.RestartObject]
// drop Go instances while keeping their storage, so the next event runs the
// constructor again, as after an object restart on Cloudflare. Alarms go off
// when the test moves [Runtime.Clock], and the lifecycle calls of
// [durable.State] (BlockConcurrencyWhile, WaitUntil, Abort) follow workerd.
//
// The helpers that fail the test (Fetch, Namespace, State, RestartObject)
// report to the test given to [New]. In a subtest, call them through
// [Runtime.With](t), a view of the same runtime that reports to the subtest:
//
//	t.Run("ada", func(t *testing.T) {
//		t.Parallel()
//		resp := rt.With(t).Fetch(httptest.NewRequest("GET", "/hit/ada", nil))
//		...
//	})
//
// [OptionsFromConfig] reads the bindings, vars (text and JSON), local secrets
// (.dev.vars, else .env) and migrations of a wrangler configuration, under the
// build's rule: a bound class that no migration creates is an error. Classes created with new_classes get the legacy KV-backed
// storage, as on workerd: KV works, SQL fails with [durable.ErrKVBacked].
// Point-in-time recovery behaves as on local workerd: [durable.Storage.Bookmark]
// returns increasing stand-in bookmarks, the restore calls fail with
// [durable.ErrNoPITR].
//
// # Held to workerd
//
// The runtime follows workerd's rules wherever code can observe them, and a
// conformance suite (internal/conformance in this module) runs the same scenarios
// here and inside real Durable Objects on workerd; both must pass every one.
// Among the rules:
//
//   - SQL goes through the authorizer workerd installs: BEGIN, COMMIT, ROLLBACK,
//     SAVEPOINT and RELEASE fail with workerd's message (use
//     [durable.Storage.Transaction]); ATTACH, DETACH, temporary tables and
//     pragmas outside workerd's allow-list (matched case-sensitively) are not
//     authorized; so are functions outside its allow-list (sqlite_version, ...)
//     and every table, index or trigger whose name starts with "_cf_". The same
//     SQLite limits apply (100 bound parameters, 100 columns, ...). Errors are
//     [*durable.SQLError] with workerd's message and code.
//   - Several statements in one Exec run like workerd runs them: only the last
//     may take parameters and return rows.
//   - Values cross as they cross JavaScript: every number argument is bound as a
//     REAL (SELECT typeof(?) says "real" for 5), integral results within ±2^53
//     read as int64 and others as float64, and text SQLite makes is made valid
//     UTF-8 the way TextDecoder does. Go strings that are not valid UTF-8 (KV keys,
//     SQL text and arguments) are refused with durable.ErrInvalidUTF8 on both
//     runtimes, since JavaScript would change them.
//   - KV lives in the table _cf_KV, created on first write, which SQL may list in
//     sqlite_master but not read. List reduces its options to a key range exactly
//     as workerd's compileListOptions does (Start inclusive, End exclusive, Prefix
//     clamping both, Limit applied after ordering, so Reverse with Limit keeps the
//     last keys) and orders keys by their UTF-8 bytes.
//   - Transactions are savepoints, so they nest; an error or panic rolls back only
//     the innermost one. As workerd does, the writes of one turn (an event's Go
//     code between two awaits) form an implicit transaction, committed when the
//     event awaits or ends; so, for example, PRAGMA foreign_keys is ignored after
//     a write in the same turn.
//   - When that commit fails (with PRAGMA defer_foreign_keys = ON, a foreign key
//     still violated at the end of the turn), workerd rolls the turn back and
//     resets the object, and so does the runtime: the failure goes to
//     [Options.Logf]; every event in flight on the object fails, its caller's
//     [durable.Stub] Fetch returning workerd's error ("Durable Object was reset
//     and rolled back to its last known good state because ...") instead of
//     the response; the stub stays broken (a new stub from
//     [durable.Namespace.Get] works); and the next event constructs the object
//     again over the last committed state.
//   - A stub the front handler makes must fetch with a request built from the
//     context of the request it serves (http.NewRequestWithContext(r.Context(),
//     ...)), as on workerd, where that context says which request's I/O the
//     fetch belongs to; another context is refused with an error that says so.
//     Stubs from [Runtime.Namespace] take any context.
//   - IDs are built like workerd's: 64 hex digits whose second half authenticates
//     the first for the namespace, so IDFromString refuses malformed IDs and IDs
//     of other namespaces (matching [durable.ErrInvalidID]). IDFromName is
//     deterministic per namespace; the object's own ID keeps the name. Like
//     workerd, [durable.Namespace.Get] does not check IDs made by another
//     namespace.
//   - Requests and responses are buffered and converted by the same code as on
//     workerd (a panic is a 500 for that request only; so is a panic in
//     Worker.Front, which is retried on the next request, while a nil front
//     handler serves 404s), with header names lowercased, sorted and merged as
//     JavaScript's Headers does, every status outside 200-599 (101 included,
//     unless it carries a WebSocket, as workerd requires) turned into a 500, and a
//     GET or HEAD with a body refused. A request's context is cancelled when its
//     event ends, as net/http's server cancels it when the handler returns.
//
// # Concurrency
//
// On workerd, an object's Go code is single-threaded WebAssembly: an event runs
// without interruption until it blocks, and overlapping events of one object
// interleave only there. The runtime models this with one gate per object (and
// one for the front handler): an event holds its object's gate while its Go code
// runs and gives it up while it waits for a [durable.Stub] Fetch made with its
// request's context (or a context derived from it), taking it back before Fetch
// returns. So read-modify-write sequences between two awaits are atomic, as on
// workerd, and an object that calls another object (or itself) lets other events
// in meanwhile, as on workerd. A Fetch from inside [durable.Storage.Transaction]
// fails before anything is sent, whatever its request's context, as on workerd,
// where the transaction's function runs synchronously and must not wait.
//
// Workers KV namespaces ([Options.KVNamespaces], read from kv_namespaces by
// [OptionsFromConfig]) are in-memory fakes, empty at start: strongly
// consistent, with workerd's key order, paging, limits, metadata and
// expiration (on real time). So are R2 buckets ([Options.R2Buckets], from
// r2_buckets): MD5 ETags, listing with delimiters and pages; bodies are held
// whole in memory. A service binding ([Options.Services]) is served in
// process: by the Worker itself when the configuration binds it to itself,
// else by an http.Handler the test gives. As on workerd, the front handler's env uses them only with
// the context of the request being served.
//
// D1 databases ([Options.D1Databases], from d1_databases) are in-memory
// SQLite databases under the same SQL rules as objects' storage; error
// messages are SQLite's, not D1's (the codes match). [durable.D1Database.Run]
// counts changes as Miniflare's D1 does: total_changes() across the
// statement, and last_insert_rowid() after it.
//
// Queue producers ([Options.QueueProducers], from queues.producers) keep
// what they send until [Runtime.QueueSent] takes it, to hand to
// [Runtime.Queue].
//
// [Runtime.Scheduled] fires a cron trigger and [Runtime.Queue] delivers a
// batch of messages made with [QueueMessage] to the Worker's handlers, and
// report what workerd would: the handler's error (a panic included) and
// which messages were acknowledged or retried. Queues are not modelled
// beyond that: nothing is redelivered, batched or delayed.
//
// Outbound HTTP (http.Get, http.Client) is Go's own, natively: the rule
// that on workerd a request must carry the context of an event being served
// ([durable.ErrNoEventContext]) is not checked here, so build outgoing
// requests with http.NewRequestWithContext(r.Context(), ...) anyway.
// [WithCF] gives a test request the cf object [durable.CF] returns.
//
// What is not modelled: waits the runtime cannot see (time.Sleep, channels,
// sync.Mutex, a Fetch with an unrelated context) keep the gate here, while on
// workerd they let other events of the object run; code that waits on a channel
// for another request of the same object therefore deadlocks here. Goroutines
// that one event starts run truly in parallel with other events here. Storage
// calls from goroutines outside any event work here but fail on workerd, and
// outside a turn they commit statement by statement. A panic on a goroutine a
// handler started ends the test binary here (it ends the object's runtime on
// workerd). A restart does not fail requests in flight: they finish on the old
// instance. After a failed commit resets the object, events that were in flight
// on it still run to their end here (on workerd their storage calls fail at
// once); what they write in later turns is kept, though the events fail.
//
// The gate follows the request's context, not the goroutine: it is the event
// that awaits, whichever of its goroutines calls Fetch. So when a goroutine the
// handler started calls Fetch with r.Context() while the handler goes on
// running, the runtime ends the turn (committing its writes) and lets other
// events of the object in, although the handler's goroutine still runs; on
// workerd nothing else of the object runs, and the turn does not end, until
// every goroutine of the object waits. Keep Fetch calls on the handler's own
// goroutine, or wait for such goroutines before writing more, and the two
// runtimes agree.
//
// [durable.Storage.Transaction] calls made from several goroutines at once
// share one stack of savepoints (an object has one database connection, here
// as on workerd): the writes of every goroutine land in whichever savepoint is
// innermost at the time. Each call releases or rolls back its own
// savepoint by name, and when another call already released or rolled it back
// (an outer savepoint ended first), the call returns an error that joins its
// function's error with "no such savepoint" instead of reporting a rollback
// that did not happen. Run a transaction from one goroutine at a time.
//
// # RPC
//
// Objects serve the RPC methods declared in [durable.Worker].RPC, and
// [durable.Call] reaches them in process, the way workerd does: the
// arguments and the result are encoded into the bytes workerd's JavaScript
// side carries (so a value workerd could not carry, such as an int64 beyond
// ±2^53, fails here too), a call is an event of the callee through its gate,
// and the caller's event gives its gate up while it waits, as for a Fetch.
// Failures are [*durable.StubError] with workerd's flags: a method's error
// (Remote, with its [durable.RPCError] code), a bad call or a panic ("internal
// error in Class.method"; the panic goes to [Options.Logf]), and a reset
// (Reset, not Retryable, the stub broken for calls and fetches alike). A
// Worker.RPC entry that cannot be served (an unknown class, a variadic or
// reserved method, a bad signature) fails [New], naming each problem, as
// cmd/durable-build fails the build. Jurisdictions and location hints are
// accepted and change nothing. Not modelled: JavaScript callees (every object
// here is Go), and callers written in JavaScript.
//
// # WebSockets
//
// Hibernatable WebSockets ([durable.State.AcceptWebSocket]) are in memory:
// [Runtime.DialWebSocket] dials through the front handler and
// [durable.Stub.DialWebSocket] works from objects and tests, both returning
// the client end as a [durable.Conn]. A socket belongs to the object's storage,
// not its Go instance, so it survives [Runtime.Restart] as it survives
// hibernation. Messages, closes and their handlers run as events through the
// object's gate; a client's Write returns once the object's handler ran (on
// workerd it does not wait), so a test reads answers right after. The
// auto-response pair is answered without an event, as on workerd. A client
// answers the server's close frame when it reads it, and the object's
// WebSocketClose then runs with the same code, as it does on workerd. Not
// modelled: network failures (so no WebSocketError), the event timeout (kept,
// not enforced), and plain frames (ping, fragmentation); [Runtime.Front] served
// over a real network (httptest.NewServer) does not upgrade. Plain sockets
// ([durable.State.AcceptConn]) are two in-memory ends; [durable.DialWebSocket]
// makes real connections (with github.com/coder/websocket), so a test can
// reach an httptest server.
//
// # RowsRead and RowsWritten
//
// workerd counts rows with a patched SQLite; stock SQLite cannot. Here
// RowsWritten is the number of rows inserted, updated or deleted, and RowsRead the
// larger of the rows returned and the rows a full scan stepped over: close for
// simple statements, not billing-exact (workerd also counts index rows).
//
// # The SQLite driver
//
// The runtime uses github.com/ncruces/go-sqlite3 (SQLite compiled to Go with
// wasm2go; no cgo). Measured on the development machine against
// modernc.org/sqlite v1.62.0, the other pure-Go candidate: a prepared INSERT or
// point SELECT took 4-6 µs against 6-7 µs; opening an in-memory database and
// creating a table 1.1 ms against 0.6 ms; about 220 KiB of memory per open
// database against 100 KiB; a cold build of the driver 46 s against 58 s. Both
// offer SQLite's authorizer hook, which the DO rules need. ncruces/go-sqlite3
// wins on its API: it exposes SQLite's C API almost one to one (prepare with a
// tail, bind counts, column types, statement status, limits, the defensive flag),
// which lets the runtime execute statements exactly the way workerd's C++ does,
// where modernc.org/sqlite offers database/sql or raw C calls.
//
// # Alarms
//
// Alarms run on the runtime's [Clock] ([Options.Clock], [Runtime.Clock]), not
// on real time: an alarm goes off when the test moves the clock to or past
// its time ([Clock.Advance], [Clock.Set]), on the goroutine that moves it, as
// an event of the object (it waits for the object's gate, constructs the
// instance if needed and calls its [durable.Alarmer] method). The rules are
// workerd's, measured on local workerd 1.20260426 and read in its alarm
// scheduler: one alarm per object, which SetAlarm replaces; a time that is
// not in the future becomes the clock's now, so the alarm runs at the next
// Advance (Advance(0) will do); the alarm is stored in the object's database
// (table _cf_METADATA), so it survives [Runtime.Restart] and, with
// [Options.Dir], a new Runtime, whose clock runs it once the object is
// opened; delivery is at least once. A failed attempt (an error or a panic,
// logged to [Options.Logf]) keeps its writes and is retried with
// AlarmInfo.RetryCount counting the failures, after 2 s, 4 s, 8 s, 16 s, 32 s
// and 64 s of clock time; after the sixth retry fails the alarm is deleted.
// workerd adds up to 25% random jitter to each wait; the runtime does not, so
// a test can advance to an exact retry. While an attempt is being retried,
// [durable.Storage.Alarm] reports the alarm; a successful attempt clears it,
// unless the handler set a new one (then the new one runs, and a failed
// attempt is not retried). An alarm delivered to an object that does not
// implement [durable.Alarmer] is logged and dropped. Handlers' time.Now and
// timers run on real time, so a handler that sets an alarm relative to
// time.Now sets it relative to real time: set the clock to time.Now() first,
// or let the object read the test's clock. Do not move the clock from inside
// a handler: the alarm would wait for the gate the handler holds.
//
// [durable.Storage.DeleteAll] drops every table, index, view and trigger and
// the alarm, as workerd's resets the database (a sqlite_sequence table left by
// AUTOINCREMENT stays, emptied).
//
// # Lifecycle
//
// [durable.State.BlockConcurrencyWhile] runs its function at once on the
// calling goroutine: called from the constructor or a handler, whose event
// holds the object's gate, no other event of the object runs until it
// returns. When it fails or panics, and when a handler calls
// [durable.State.Abort], the object is reset as workerd resets it: the
// current turn's writes are rolled back (and so is what the turn writes after
// Abort), every event in flight fails with the reason (its caller's stub
// Fetch returns the error, and that stub stays broken), and the next event
// constructs a new instance. [durable.State.WaitUntil] runs its function on a
// goroutine of its own, like any goroutine a handler starts;
// [Runtime.Wait] waits for those functions.
//
// # Time
//
// [Clock] is a test clock that tests move by hand ([Clock.Advance],
// [Clock.Set]). It drives alarms and nothing else: time.Now and timers in
// handlers run on real time.
package durabletest
