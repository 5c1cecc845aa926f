// Package bridge is the workerd runtime: the one package that imports syscall/js.
//
// It implements the durable API over the JavaScript objects workerd hands to the
// generated entry module (build/runtime.mjs, written by cmd/durable-build). Only
// plain data crosses the boundary: requests and responses travel as method, URL
// and header pairs, SQL results and KV listings as one packed byte buffer
// (internal/packed), and the Response object is built on the JavaScript side, in
// the event's own I/O context. Bodies stream (stream_js.go): a small body of
// known length crosses whole; a larger one is read on demand through one reused
// 64 KiB buffer per body, and a response body is written into a TransformStream
// chunk by chunk, so http.Flusher works and memory stays bounded.
//
// # One Go runtime per isolate
//
// One Go program serves the whole isolate: the front handler and every Durable
// Object instance of every class. An object costs its Go values and a few
// hundred bytes of bookkeeping, not a Go runtime of its own.
//
// The difficulty is workerd's I/O contexts. workerd ties every JavaScript call to
// the context of the event on the stack: an object's storage and stubs may be
// used only while that object's event runs, a front request's stubs only while
// that request runs. Go, for its part, runs every runnable goroutine whenever
// JavaScript enters it, whatever the entry was for: a goroutine of object A woken
// by a timer, by a channel that B's request fed, or by B's answer runs while B's
// event (or a timer) is on the stack. Its storage call would then be refused
// ("Cannot perform I/O on behalf of a different Durable Object") and its stub
// fetch would hang.
//
// So every call into JavaScript names the context it belongs to, and runs there:
//
//	workerd events            runtime.mjs                       Go (one runtime)
//	──────────────            ───────────                       ────────────────
//	A: fetch ──────▶ serve(A): pump A₁ ──objectFetch(A)──▶ currentContext = A
//	                                                        goroutine a: handler
//	B: fetch ──────▶ serve(B): pump B₁ ──objectFetch(B)──▶ currentContext = B
//	                                                        goroutine b: feeds a's
//	                                                        channel, returns
//	                                                        goroutine a runs now:
//	                                                          SQL for A, but B is
//	                                                          current → queue for A,
//	                 pump A₁ ◀──────────── wake(A) ─────────  wait
//	                    │ (in A's context)
//	                    └──────────── drain(A) ─────────▶ currentContext = A
//	                                                        run a's SQL call,
//	                                                        a goes on in A
//
// The parts:
//
//   - Contexts. Each object instance (all of its events share one workerd context)
//     and each front request has a number. currentContext holds the number of the
//     context Go runs in now, or 0 when it does not know. runtime.mjs writes 0 to
//     it at every entry into Go (a Go timer firing, a promise settling) and
//     restores the outer value when a nested entry returns; the entries that know
//     their context set it: objectFetch and front (an event begins), drain (a pump
//     gives waiting goroutines their turn), the callbacks of a promise awaited
//     for a context, and the synchronous Storage.Transaction callback.
//   - Routing. Every call for a context goes through ioContext.run: when the
//     context is current it runs at once (one comparison); otherwise the
//     goroutine asks for a turn, the context's pump is woken, enters Go through
//     drain, and drain only lets the waiting goroutines go: they make their own
//     calls right after, before Go returns to JavaScript, so still in that
//     context. No call runs inside a JavaScript callback: a goroutine can be
//     parked anywhere (a GC assist, a lock), and Go then returns to JavaScript
//     even from inside a callback, which would finish later in another context.
//     For the same reason a call workerd refuses as coming from another context
//     (it refuses before doing anything) waits for another turn and is made
//     again. A promise started in a context is awaited by callbacks that
//     enter Go as that context: workerd runs a promise's reactions in the
//     context that made it, even when another context settles it.
//   - Pumps. While an event is in flight, runtime.mjs keeps a pump for it: an async
//     loop inside the event that waits on a promise, and when Go wakes it, enters
//     Go through drain. Resolving a promise created by another event runs its
//     continuation in the event that created it, but only while that event is in
//     flight, so a pump lives and dies with its event, and a context with several
//     events in flight has several pumps; any of them may drain the context.
//     The last event of a context in flight ends only once every pump loop
//     of the context has stopped: a wake another context sent a pump is
//     delivered later, and workerd (1.20260426) runs one that arrives when
//     the context has no event in flight with no request, which breaks a
//     Durable Object (its hibernatable WebSockets close with 1006) and lets
//     the wake's continuations run in another event's context ("A promise
//     was resolved or rejected from a different request context"). Work
//     inside blockConcurrencyWhile does not wait (workerd holds deliveries
//     back until it returns); the event that called it does.
//     bench/crossctx.mjs counts the warnings and closed sockets under load.
//   - Events. An object's context is "in flight" while it has events; a call for
//     a context with none fails with errNoEvent (a goroutine that outlived its
//     request): workerd allows no I/O then. The response is handed back through
//     the event's own context too, and a front request's context is forgotten when
//     its response has been sent; an object's when workerd drops the instance
//     (a FinalizationRegistry in runtime.mjs), so the registry does not grow.
//   - Timers. Go asks JavaScript for one wake-up at a time (runtime's
//     scheduleTimeoutEvent), while some goroutine runs. runtime.mjs sets it in
//     the context Go runs in then (most often the sleeping goroutine's), and
//     when it fires it enters Go as that context. A JavaScript timer fires only
//     while its context lives, so each wake-up also has a backup a little
//     later, set inside one pump, moved to another pump when that event ends,
//     and parked when no event is in flight (the next event picks it up). When
//     the backup fires, Go runs with no context known: everything the woken
//     goroutines do is routed.
//   - Keep-alive. workerd cancels a request that waits on nothing it can see
//     ("hung"). An event whose handler waits on another context (a timer hosted
//     there, a channel another request feeds) holds a long timer of its own.
//   - Async context. A continuation carries the async context of the event that
//     awaited, and workerd's SQL calls read their trace span from it: an event
//     that awaits a promise of another event (such as the runtime's boot) may
//     resume with that event's span, and its storage calls then fail as if they
//     came from another object. So no event awaits another's promise: a booted
//     runtime is used without awaiting the boot.
//   - Alarms and tasks. An alarm attempt (the DO class's alarm()) is an event
//     of the object like a request: objectAlarm, with a pump of its own. So
//     is the function of BlockConcurrencyWhile or WaitUntil (runTask):
//     runtime.mjs runs it inside workerd's blockConcurrencyWhile callback, or
//     as the promise handed to waitUntil, so it may call into workerd after
//     the request that started it has answered. Abort cannot call ctx.abort
//     from Go: abort ends the JavaScript that runs (terminateExecution), which
//     would unwind Go's stack in the middle of a call; a pump of the object
//     calls it instead, outside Go, and Go forgets the context.
//   - Death. If the Go program exits (a panic on a goroutine no handler recovered,
//     os.Exit, out of memory), every event in flight fails with a 500 that says
//     so, each in its own context, and the next event boots a new runtime: objects
//     lose their Go values, as on eviction, never their storage. The message says
//     why, from the last "panic: " or "fatal error: " line Go wrote to standard
//     error (a panic's value and stack stay in the log); a transaction open at
//     the exit is rolled back. Out of memory means wasm32's 4 GiB: Go's "fatal
//     error: out of memory" ends the program like a panic, workerd lives on,
//     and the dead program's memory goes back at V8's next collection.
//     e2e/faults.test.mjs checks every fault, and what each leaves behind.
//
// # WebSockets
//
// workerd delivers a hibernatable WebSocket's events (webSocketMessage,
// webSocketClose, webSocketError) to methods of the generated class, which run
// them like a fetch: Program.webSocketEvent finds the object's context (making
// one when the instance is new, as after hibernation) and serves the event
// with a pump of its own through the webSocket entry (websocket_js.go), which
// constructs the Go instance when needed and calls the object's handler. A
// WebSocket object never crosses into Go as data for a response: websocket.mjs
// parks a client end under a random name, which travels in the
// X-Durable-Websocket header of the 101 (serving.WebSocketHeader). The entry
// module's Response takes the socket back from there; a stub fetch answered
// with a WebSocket parks it the same way, so that a front handler relays a
// 101 by copying status and headers, and Stub.DialWebSocket takes it to read
// (websocket.mjs's Conn queues its messages until Go awaits them, in the
// dialing event's context). A plain socket accepted with State.AcceptConn
// outlives the fetch that accepted it, so it holds an event of its own
// (wsHold, with a pump) until Go closes it, or 10 seconds after the socket
// closed: that is how its goroutine may use storage after the 101.
//
// # RPC
//
// The generated class has one method per RPC method of the Go type declared
// in Worker.RPC (describe mode tells durable-build their names). Each runs
// rpc.mjs's serveRPC: it encodes the arguments into one buffer
// (internal/rpcvalue's format), and serves the call as an event of the
// object with a pump of its own, through the objectRPC entry (rpc_js.go),
// which constructs the instance when needed, dispatches through the table
// that code generated by durable-build registered (internal/serving's
// rpc_table.go; describe mode, built with the durable_describe tag, is the
// only wasm program that reflects over methods, since reflect.Type.Method
// would make the linker keep every exported method of every type) and
// resolves with the encoded result, or rejects with a
// message and code that rpc.mjs turns into the Error the caller gets. A Go
// caller's Call goes through host.stubCall, awaited in the caller's context
// like a stub fetch; it always resolves, with the encoded result or with the
// failure's message, code and workerd flags as plain data, from which Go
// builds a durable.StubError.
//
// # Known limit
//
// Under long, timer-heavy load an object's calls can start failing with
// workerd's "Cannot perform I/O on behalf of a different Durable Object (I/O
// type: SpanParent)", then keep failing for that object's events in flight.
// What is known: the failing call runs on a pump woken from another object's
// context; its I/O context is the object's own (its storage answers
// databaseSize), but the trace span workerd attaches to SQL calls belongs to
// another event. workerd reads that span from the JavaScript async context
// frame current at the call (IoContext::getCurrentTraceSpan in
// io/io-context.c++ unwraps an IoOwn<SpanParent> stored in the frame), so the
// call runs under a frame made in another object's event: the frame, not the
// I/O context, is what crosses. It is not Go's garbage collector (it happens with GOGC=off),
// not a reused JavaScript handle, not the FinalizationRegistry, and neither
// re-entering through a snapshot of the event's async context
// (AsyncLocalStorage.snapshot) nor through a promise chained from the event's
// start avoids it.
//
// What helped: waking a goroutine from its own context. Go's timer is now set
// in the context Go runs in when it asks (most often the sleeping goroutine's),
// and fires there. 4,000 requests from 32 connections over 200 objects that
// each sleep 1 ms failed in about one run in four (every run with GOGC=off),
// after 2,300 to 3,800 requests; they now pass every run. Mixed sleeps (0 to
// 2 ms, so that one object's timer wakes another's goroutine) still failed in
// about one run in two on an idle machine. Handlers that wait on stubs,
// storage or their own requests wake in their own context and have not shown
// it, and neither has the stress test. node bench/timer-load.mjs reproduces
// it, and counts failures by cause (on a loaded machine, timeouts).
//
// Where a frame can come from, in workerd's sources: each event runs in a
// frame of its own that holds an IoOwn<SpanParent> of its I/O context
// (IoContext::makeAsyncTraceScope, entered by io/worker-entrypoint.c++); a
// setTimeout callback runs in the I/O context current at the call, under the
// frame current at the call (api/global-scope.c++); a promise reaction runs
// under the frame current at its then or await, and when another context
// settles the promise, workerd queues the reactions for the promise's own
// context (handle_cross_request_promise_resolution, V8 patch 0013) without
// changing their frame. So an I/O context and a frame part only where
// JavaScript captures a frame (setTimeout, then, await) while the frame
// current is another event's; once they have parted, every Go timer set in
// that entry carries the wrong frame on, which fits "then keep failing".
// Every entry into Go that names a context inherits its frame from one such
// capture: an entry point from its event (serve), drain from the pump that
// serve started, an await callback from the then made while Go ran in that
// context, a timer from the entry that set it. A probe that ran every event
// inside AsyncLocalStorage.run(context id) (compatibility flag nodejs_als)
// and compared the store, at every SQL call, with the context Go routed the
// call to found no mismatch; nor did it find an object's fetch whose frame
// changed across its awaits (boot, request body). Nor has the failure itself
// shown on this code: 11 plain runs of the mixed sleeps and 7 with the probe,
// at load 2 to 14 on 2 cores, had no SpanParent failure (the loaded runs lost
// a few requests to client timeouts). Should it show again, the probe, which
// also logs the stack of entries into Go (drain, a timer, an entry point, a
// callback) at each mismatch, names the path the wrong frame came through.
//
// Routing is switched off only by the DURABLE_UNSAFE_ROUTING=off variable, which
// exists for the test that shows the failures it prevents (e2e/stress.test.mjs).
//
// # Local workerd under heavy load
//
// On a machine whose cores are oversubscribed, local workerd closes
// connections before it reads their requests: the client sees ECONNRESET or
// "other side closed", and workerd logs nothing. Its HTTP server (kj) closes
// a connection whose request it has not read 15 seconds after accepting it,
// or 5 seconds after answering the previous request on a kept-alive one,
// counted on a clock that only moves when the event loop polls the OS; and
// the loop polls only when no event is left to run, reading at most 16 ready
// sockets per poll. With 700 requests sent at once to the stress Worker, each
// on its own connection, on 2 cores at load average 12 to 15, workerd's
// thread got about a tenth of a core and polled about once a second (a 20 ms
// JavaScript timer chain ticked 0.6 to 2.3 s apart), and the sockets holding
// an unread request went down by exactly 16 a poll from 683: 250 to 460
// requests failed, 17 to 19 seconds after they were sent.
//
// It is neither the boot nor a spin of the runtime: the Go runtime booted in
// 0.1 to 0.9 s (3.5 s once), a booted runtime failed as much, the stretches
// without polling lasted 0.5 to 2.8 s (up to 10 s in the worst run) while
// workerd's thread mostly waited for a core, and Go was entered under twice
// per event, with almost no backup timer firing. A JavaScript Worker doing
// the same work lost 4 and 187 of the 700 in the same conditions. The
// runtime does cost workerd's thread about 2.8 times the CPU of the
// JavaScript Worker (7.0 s against 2.5 s for the 700 requests), so workerd
// polls about half as often and loses more. Clients that send bursts to
// local workerd bound their connections: over 64 kept-alive connections the
// same 700 requests lost none in three runs; over 128 they still lost 5 to
// 104. e2e/stress.test.mjs uses 64, and sends again a request whose
// connection closed before any answer.
//
// # Files
//
// runtime_js.go (entry points and the registry of contexts and objects),
// context_js.go (contexts, routing, awaiting promises), http_js.go (requests and
// responses), stream_js.go (streamed bodies), storage_js.go (SQL, KV, transactions), namespace_js.go (bindings,
// IDs, stubs), alarm_js.go (alarms, deleteAll, the alarm event),
// lifecycle_js.go (blockConcurrencyWhile, waitUntil, abort), websocket_js.go
// (WebSockets), rpc_js.go (RPC served and called, stub errors), location_js.go
// (jurisdictions, location hints), packed_js.go, jsvalue_js.go and testing_js.go build for GOOS=js
// GOARCH=wasm only; their twin bridge_other.go is the native entry point, which
// explains how to run a Worker when it is started with go run. The plain-Go
// parts both runtimes share live in internal/serving (HTTP conversion),
// internal/sqlvalue (SQL values) and internal/packed (the packed results), where
// they are tested natively.
//
// outbound_js.go is http.DefaultTransport on workerd: outbound fetches take
// the path of stub fetches (fetchIn), in the context the request's
// context.Context carries; its JavaScript is cmd/durable-build/js/outbound.mjs.
// outbound_install_js.go installs it; cmd/durable-build leaves that file out
// (tag durable_no_outbound) of a program that links no http.Client, since
// the assignment alone keeps Go's own transport and TLS in the module.
//
// bindings_js.go finds a binding's context and checks its kind for the
// bindings beyond namespaces: workerskv_js.go (Workers KV), r2_js.go (R2,
// bodies streamed both ways), service_js.go (service bindings, through
// fetchIn), queue_js.go (queue producers), d1_js.go (D1, one statement a call);
// their JavaScript
// is cmd/durable-build/js/bindings.mjs.
//
// handlers_js.go runs Worker.Scheduled and Worker.Queue: each cron trigger or
// queue batch is an event with a context of its own, like a front request;
// their JavaScript is cmd/durable-build/js/handlers.mjs.
//
// The rest of storage has files of its own: kvbatch_js.go (KV batches and
// Sync), cursor_js.go (SQL.Query: the cursor stays in JavaScript and Go pulls
// bounded chunks), kvbacked_js.go (classes created with new_classes: the
// asynchronous ctx.storage API, no SQL) and bookmark_js.go (point-in-time
// recovery). Their JavaScript helpers live in cmd/durable-build/js/storage.mjs
// and cursor.mjs, which share packer.mjs with runtime.mjs.
//
// Protocol with runtime.mjs:
//   - Serve stores the Go entry points in globalThis.__durableGo and blocks; the
//     JavaScript side reads them right after go.run returns, then calls init with
//     the pump's wake function and receives the address of currentContext.
//   - Entry points never block: each takes resolve and reject callbacks, starts a
//     goroutine and returns at once.
//   - Go reaches JavaScript through globalThis.__durableHost, a set of helpers that
//     run SQL, KV, transactions and stub fetches and return plain data.
package bridge
