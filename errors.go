package durable

import (
	"errors"
	"fmt"
)

var (
	// ErrNoRows is returned by [Result.One] when a statement produced no row.
	ErrNoRows = errors.New("durable: no rows in result")
	// ErrTooManyRows is returned by [Result.One] when a statement produced more than
	// one row.
	ErrTooManyRows = errors.New("durable: more than one row in result")
	// ErrInvalidID is matched by the errors of [Namespace.IDFromString] for strings
	// that are not IDs of that namespace.
	ErrInvalidID = errors.New("durable: invalid Durable Object ID")
	// ErrNoBinding is matched by the error of [Env.Namespace] when the Worker has no
	// binding of that name.
	ErrNoBinding = errors.New("durable: no such binding")
	// ErrIntegerRange is matched by the error of [SQL.Exec] when an integer argument
	// lies outside ±[MaxSafeInteger], where workerd would round it.
	ErrIntegerRange = errors.New("durable: integer outside ±2^53")
	// ErrUnsupportedType is matched by errors about SQL arguments and scan
	// destinations of a Go type the API does not convert.
	ErrUnsupportedType = errors.New("durable: unsupported type")
	// ErrInvalidUTF8 is matched by the errors of KV calls whose key, and of SQL
	// calls whose text or string argument, is not valid UTF-8: workerd's strings
	// cannot hold it, so it would be changed (to U+FFFD) rather than stored.
	ErrInvalidUTF8 = errors.New("durable: string is not valid UTF-8")
	// ErrScan is matched by the errors of [Row.Scan] (and what decodes rows with
	// it) for a value its destination cannot hold exactly: NULL into a
	// non-pointer, a fraction or an overflow into an integer, a float beyond a
	// float32, text that is not a number into a number.
	ErrScan = errors.New("durable: value does not fit the scan destination")
)

// ErrConstraint matches, with [errors.Is], every [*SQLError] for a violated
// constraint (UNIQUE, PRIMARY KEY, NOT NULL, CHECK, FOREIGN KEY). To match one
// kind, compare with an SQLError holding just that code:
//
//	errors.Is(err, &durable.SQLError{ExtendedCode: "SQLITE_CONSTRAINT_UNIQUE"})
var ErrConstraint error = &SQLError{Code: "SQLITE_CONSTRAINT"}

// SQLError is a statement that SQLite, or the Durable Object rules on top of it,
// refused.
type SQLError struct {
	// Query is the statement as given to Exec.
	Query string
	// Message is the database's explanation, without the code suffix.
	Message string
	// Code is SQLite's primary result code name, such as "SQLITE_CONSTRAINT", when
	// the message carried one, else "".
	Code string
	// ExtendedCode is SQLite's extended result code name, such as
	// "SQLITE_CONSTRAINT_UNIQUE", when the database named one, else "".
	ExtendedCode string
}

// Error implements error.
func (e *SQLError) Error() string {
	msg := "durable: SQL error: " + e.Message
	switch {
	case e.ExtendedCode != "":
		msg += " (" + e.ExtendedCode + ")"
	case e.Code != "":
		msg += " (" + e.Code + ")"
	}
	return fmt.Sprintf("%s; query: %s", msg, abbreviate(e.Query, 200))
}

// Is reports whether target is an *SQLError pattern this error matches: one with
// no Query or Message whose non-empty Code and ExtendedCode equal this error's.
func (e *SQLError) Is(target error) bool {
	t, ok := target.(*SQLError)
	if !ok || t.Query != "" || t.Message != "" || (t.Code == "" && t.ExtendedCode == "") {
		return false
	}
	return (t.Code == "" || t.Code == e.Code) && (t.ExtendedCode == "" || t.ExtendedCode == e.ExtendedCode)
}

func abbreviate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
