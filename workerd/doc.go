// Package workerd runs a [durable.Worker] on Cloudflare's runtime.
//
// A Worker program's main function calls [Serve]:
//
//	func main() {
//		workerd.Serve(durable.Worker{
//			Front:   newRouter,
//			Objects: map[string]durable.Constructor{"Greeter": NewGreeter},
//		})
//	}
//
// cmd/durable-build compiles the program with GOOS=js GOARCH=wasm and generates the
// JavaScript entry module that exports one Durable Object class per class in the
// wrangler configuration; wrangler runs it on workerd locally (wrangler dev) or on
// Cloudflare (wrangler deploy).
//
// One Go runtime serves the front handler and every Durable Object instance
// of the isolate, booted lazily on the isolate's first event; every call an
// object or a front request makes into workerd runs in that object's or
// request's own I/O context (internal/bridge explains how). A panic in a
// handler becomes a 500 for that request only; if the Go runtime exits anyway
// (a panic on a goroutine a handler started, os.Exit), every request in
// flight fails with a 500 that says so, objects lose their in-memory state (as
// on eviction, never their storage), and the next event boots a fresh runtime.
//
// Importing this package makes http.DefaultTransport workerd's fetch, run in
// the I/O context of the event the request's context comes from (see
// "Outbound HTTP" in package durable): build outgoing requests with
// http.NewRequestWithContext(r.Context(), ...).
//
// Started natively (go run), Serve prints how to run the Worker and exits.
package workerd
