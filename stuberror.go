package durable

import (
	"errors"
	"strings"
)

// StubError is a failed call through a [Stub]: RPC ([Call]) and, on workerd's
// say, a fetch that could not be delivered. The flags are workerd's own, so
// that callers follow Cloudflare's guidance: retry a Retryable error with
// backoff, unless it is Overloaded (retrying adds load); after a Reset the
// stub is broken, so make a new one with [Namespace.Get] before retrying.
//
//	var se *durable.StubError
//	if errors.As(err, &se) && se.Retryable && !se.Overloaded { ... }
type StubError struct {
	// Method is the RPC method called, or "stub fetch" and the URL.
	Method string
	// Message is the error's message: the callee's error text, or workerd's.
	Message string
	// Code is the callee's error code: the Code of an [RPCError] a Go
	// callee returned, or the code property of a JavaScript callee's error.
	Code string
	// Remote reports that the callee itself failed (it returned an error or
	// threw), rather than workerd failing to deliver the call.
	Remote bool
	// Retryable is workerd's hint that the call may succeed if made again.
	Retryable bool
	// Overloaded means the object is overloaded: do not retry at once.
	Overloaded bool
	// Reset means the object was reset (its code threw out of its turn, or it
	// was restarted): this stub stays broken; make a new one.
	Reset bool
}

// Error implements error.
func (e *StubError) Error() string {
	var b strings.Builder
	b.WriteString("durable: ")
	b.WriteString(e.Method)
	b.WriteString(": ")
	b.WriteString(e.Message)
	var flags []string
	if e.Retryable {
		flags = append(flags, "retryable")
	}
	if e.Overloaded {
		flags = append(flags, "overloaded")
	}
	if e.Reset {
		flags = append(flags, "object reset")
	}
	if len(flags) > 0 {
		b.WriteString(" (" + strings.Join(flags, ", ") + ")")
	}
	return b.String()
}

// Is matches an [*RPCError] with the same non-empty Code, so that a caller
// tests for a callee's error as it would for its own:
//
//	var ErrNoSuchUser = &durable.RPCError{Code: "no_such_user", Message: "no such user"}
//	if errors.Is(err, ErrNoSuchUser) { ... }
func (e *StubError) Is(target error) bool {
	var t *RPCError
	return errors.As(target, &t) && t.Code != "" && t.Code == e.Code
}

// RPCError is an error with a code that crosses an RPC call: a Go method that
// returns one (or wraps one with %w) rejects the call with its message and a
// code property, and a Go caller's [StubError] matches it with [errors.Is].
// Declare them as variables shared by callee and caller.
type RPCError struct {
	// Code identifies the error to programs: JavaScript reads it as err.code.
	Code string
	// Message is for people.
	Message string
}

// Error implements error.
func (e *RPCError) Error() string { return e.Message }
