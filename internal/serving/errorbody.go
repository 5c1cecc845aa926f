package serving

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// ErrorDetailsVar is the Worker variable that lets 500 bodies carry internal
// text: "on" for development (npm start sets it), unset or "off" everywhere
// else. It is read the same way on workerd and in durabletest.
const ErrorDetailsVar = "DURABLE_ERROR_DETAILS"

// DetailsOn reports whether a value of ErrorDetailsVar turns details on, and
// an error for a value that is neither on nor off: a typo must not expose
// internals, so it leaves details off.
func DetailsOn(value string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(value)) {
	case "on", "true", "1":
		return true, nil
	case "", "off", "false", "0":
		return false, nil
	}
	return false, fmt.Errorf("durable: %s=%q is neither on nor off; error bodies stay safe (no internal text)", ErrorDetailsVar, value)
}

// A Reporter is where a runtime reports a failure: the whole of it to the
// log, and to the caller a 500 whose body says what failed. A deployed Worker
// must not tell its callers internal text (a constructor's error can hold
// SQL, configuration or a path; a panic's stack shows code), so only a
// Reporter with Detailed set, as development has, puts it in the body.
type Reporter struct {
	// Logf writes to the Worker's log (workerd's console, or the test's log).
	Logf func(format string, args ...any)
	// Detailed puts the error's own text, or a panic's value and stack, in
	// the body.
	Detailed bool
}

// Public marks err with what any caller may be told about it: a summary of
// what failed, free of internal text. A Reporter without Detailed answers with
// the outermost summary; an error without one is answered "Internal Server
// Error" alone.
func Public(summary string, err error) error {
	return &publicError{summary: summary, err: err}
}

type publicError struct {
	summary string
	err     error
}

func (e *publicError) Error() string { return e.err.Error() }
func (e *publicError) Unwrap() error { return e.err }

// ErrorMessage logs an error that kept the handler from running at all (or
// from answering) and returns the 500 that reports it.
func (r Reporter) ErrorMessage(err error) Message {
	text := strings.TrimPrefix(err.Error(), "durable: ")
	r.Logf("durable: %s", text)
	if r.Detailed {
		return textMessage(http.StatusInternalServerError, "Internal Server Error: "+text+"\n")
	}
	var pub *publicError
	if errors.As(err, &pub) {
		return textMessage(http.StatusInternalServerError, "Internal Server Error: "+pub.summary+"; the Worker's log has the details\n")
	}
	return textMessage(http.StatusInternalServerError, "Internal Server Error\n")
}

// panicMessage is the 500 of a handler that panicked before it answered; the
// panic and its stack have been logged.
func (r Reporter) panicMessage(p any, stack []byte) Message {
	if r.Detailed {
		return textMessage(http.StatusInternalServerError, fmt.Sprintf("Internal Server Error: the handler panicked: %v\n\n%s", p, stack))
	}
	return textMessage(http.StatusInternalServerError, "Internal Server Error: the handler panicked; the Worker's log has the details\n")
}
