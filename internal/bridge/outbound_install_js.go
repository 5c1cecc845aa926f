//go:build js && wasm && !durable_no_outbound

package bridge

import "net/http"

// The runtime's transport becomes http.DefaultTransport. That assignment keeps
// Go's own http.Transport linked (its initial value), with the TLS, x509 and
// elliptic-curve code it brings: about 2.6 MB of wasm. So cmd/durable-build
// builds a program that makes no outbound request (nothing in it calls an
// http.Client or uses http.DefaultTransport) with durable_no_outbound, which
// leaves this file out.
func init() {
	http.DefaultTransport = transport{}
}
