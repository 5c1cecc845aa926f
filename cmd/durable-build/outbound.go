package main

import "bytes"

// noOutboundTag leaves the runtime's outbound transport out of a program
// (internal/bridge/outbound_install_js.go). Installing it as
// http.DefaultTransport keeps Go's own http.Transport linked, with the TLS,
// x509 and elliptic-curve code it brings: about 2.6 MB of the bench Worker's
// 9.2 MB, and a slower cold start, for a program that never sends a request.
const noOutboundTag = "durable_no_outbound"

// clientSend is what every request an http.Client sends goes through
// (http.Get, Client.Do, a Service binding's client), as the runtime's
// function table names it: the table keeps the names of the functions the
// program links, -s or not, for panics' stack traces.
var clientSend = []byte("net/http.send\x00")

// makesOutboundRequests reports whether a compiled program can send a request
// through an http.Client, and so needs the runtime's outbound transport. A
// program that calls http.DefaultTransport.RoundTrip itself, without a
// client, is not seen; the README says to use a client.
func makesOutboundRequests(wasm []byte) bool {
	return bytes.Contains(wasm, clientSend)
}
