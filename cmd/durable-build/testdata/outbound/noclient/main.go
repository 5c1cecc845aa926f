// A Worker that sends no request of its own: it needs no outbound transport
// (outbound_test.go).
package main

import (
	"io"
	"net/http"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/workerd"
)

func main() {
	workerd.Serve(durable.Worker{Front: func(durable.Env) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "hello")
		})
	}})
}
