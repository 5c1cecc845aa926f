// Package bridge is the workerd runtime: the one package that imports syscall/js.
//
// It implements the durable API over the JavaScript objects workerd hands to the
// generated entry module (build/runtime.mjs, written by cmd/durable-build). Only
// plain data crosses the boundary: requests and responses travel as method, URL,
// header pairs and body bytes, and the Response object is built on the JavaScript
// side, in the calling object's own I/O context.
//
// bridge_js.go, the workerd side, builds for GOOS=js GOARCH=wasm only; its twin
// bridge_other.go is the native entry point, which explains how to run a Worker
// when it is started with go run. The plain-Go parts both runtimes share live in
// internal/serving (HTTP conversion) and internal/sqlvalue (SQL values), where
// they are tested natively.
//
// Protocol with runtime.mjs:
//   - Serve stores the Go entry points in globalThis.__durableGo and blocks; the
//     JavaScript side reads them right after go.run returns.
//   - Entry points never block: each takes resolve and reject callbacks, starts a
//     goroutine and returns at once.
//   - Go reaches JavaScript through globalThis.__durableHost, a set of helpers that
//     run SQL, KV, transactions and stub fetches and return plain data.
package bridge
