// Package bridge is the workerd runtime: the one package that imports syscall/js.
//
// It implements the durable API over the JavaScript objects workerd hands to the
// generated entry module (build/runtime.mjs, written by cmd/durable-build). Only
// plain data crosses the boundary: requests and responses travel as method, URL,
// header pairs and body bytes, and the Response object is built on the JavaScript
// side, in the calling object's own I/O context.
//
// The files named *_js.go build for GOOS=js GOARCH=wasm only. The rest of the
// package (the describe protocol) is plain Go and tested natively; the HTTP
// conversion both runtimes share lives in internal/serving. runtime_other.go is
// the native counterpart of the entry point and explains how to run a Worker
// when it is started with go run.
//
// Protocol with runtime.mjs:
//   - Serve stores the Go entry points in globalThis.__durableGo and blocks; the
//     JavaScript side reads them right after go.run returns.
//   - Entry points never block: each takes resolve and reject callbacks, starts a
//     goroutine and returns at once.
//   - Go reaches JavaScript through globalThis.__durableHost, a set of helpers that
//     run SQL, KV, transactions and stub fetches and return plain data.
package bridge
