// Package wswrap carries hibernatable WebSocket events from the runtimes to
// package durable, which cannot be imported by them for its unexported types:
// durable sets Dispatch in its init, and the runtimes call Deliver.
package wswrap

import (
	"context"
	"fmt"
	"net/http"
	"runtime/debug"
)

// Kind is the kind of a WebSocket event.
type Kind int

// The events workerd delivers to a Durable Object for its hibernatable
// WebSockets.
const (
	Message Kind = iota + 1 // webSocketMessage
	Close                   // webSocketClose
	Error                   // webSocketError
)

// String names the event as workerd's handler method does.
func (k Kind) String() string {
	switch k {
	case Message:
		return "webSocketMessage"
	case Close:
		return "webSocketClose"
	case Error:
		return "webSocketError"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Event is one WebSocket event for an object.
type Event struct {
	Kind   Kind
	Socket any // the runtime's implementation of the socket

	Type int    // Message: durable.MessageText or durable.MessageBinary
	Data []byte // Message: the payload

	Code     int    // Close
	Reason   string // Close
	WasClean bool   // Close

	Err error // Error
}

// Conn returns a *durable.Conn over a runtime's connection. Package durable
// sets it.
var Conn func(impl any) any

// DialURL opens a WebSocket to a server for durable.DialWebSocket and returns
// the runtime's connection (a durable connRuntime). The runtime the program
// runs on sets it: the workerd bridge in a js/wasm build, durabletest natively.
var DialURL func(ctx context.Context, rawURL string, header http.Header) (any, error)

// Dispatch calls obj's handler for ev, and reports whether obj has one. Package
// durable sets it.
var Dispatch func(ctx context.Context, obj any, ev Event) (handled bool, err error)

// Deliver runs obj's handler for ev. A handler's error or panic is logged
// through logf and returned; the caller goes on serving. An event the object
// has no method for is dropped: silently for a close, with a log line for a
// message or an error, which are likely to matter.
func Deliver(ctx context.Context, obj any, ev Event, logf func(format string, args ...any)) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("durable: %s handler panicked: %v", ev.Kind, p)
			logf("%v\n%s", err, debug.Stack())
		}
	}()
	handled, err := Dispatch(ctx, obj, ev)
	if err != nil {
		err = fmt.Errorf("durable: %s handler: %w", ev.Kind, err)
		logf("%v", err)
		return err
	}
	switch {
	case handled:
	case ev.Kind == Message:
		logf("durable: a hibernatable WebSocket got a message, and the object has no WebSocketMessage method: the message is dropped")
	case ev.Kind == Error:
		logf("durable: a WebSocket failed and the object has no WebSocketError method: %v", ev.Err)
	}
	return nil
}
