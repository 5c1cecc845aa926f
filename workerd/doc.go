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
// Each Durable Object instance runs in a Go runtime of its own, booted on the
// instance's first event, and the front handler in one more. A panic in a handler
// becomes a 500 for that request only; if the Go runtime exits anyway (a panic on a
// goroutine the handler started), requests in flight fail with 500 and the next
// event boots a fresh runtime.
//
// Importing this package makes http.DefaultTransport workerd's fetch, run in
// the I/O context of the event the request's context comes from (see
// "Outbound HTTP" in package durable): build outgoing requests with
// http.NewRequestWithContext(r.Context(), ...).
//
// Started natively (go run), Serve prints how to run the Worker and exits.
package workerd
