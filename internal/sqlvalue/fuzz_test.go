package sqlvalue

import (
	"errors"
	"math"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/durableobjects-on-go/durable"
)

// FuzzArg binds fuzzed Go values: each is either refused with the sentinel
// its rule names, or converted to its canonical form with its value intact,
// and a number reads back (Number, as a column would) as the same value.
func FuzzArg(f *testing.F) {
	f.Add(int64(7), uint64(7), 1.5, "text", []byte("x"))
	f.Add(int64(durable.MaxSafeInteger), uint64(durable.MaxSafeInteger), math.Copysign(0, -1), "", []byte{})
	f.Add(int64(-durable.MaxSafeInteger-1), uint64(durable.MaxSafeInteger+1), math.NaN(), "a\xffb", []byte(nil))
	f.Add(int64(math.MinInt64), uint64(math.MaxUint64), math.Inf(1), "x\xe2\x82y", []byte{0xff})
	f.Add(int64(1)<<53, uint64(1)<<63, 1e300, "😀", []byte("\x00"))
	f.Fuzz(func(t *testing.T, n int64, u uint64, fl float64, s string, b []byte) {
		inRange := n >= -durable.MaxSafeInteger && n <= durable.MaxSafeInteger
		got, err := Arg(0, n)
		switch {
		case inRange && (err != nil || got != n):
			t.Fatalf("Arg(int64 %d) = %v, %v; want it unchanged", n, got, err)
		case !inRange && !errors.Is(err, durable.ErrIntegerRange):
			t.Fatalf("Arg(int64 %d) = %v, %v; want ErrIntegerRange", n, got, err)
		case inRange:
			if back := Number(float64(n)); back != any(n) {
				t.Fatalf("int64 %d reads back as %T %v", n, back, back)
			}
		}
		got, err = Arg(1, u)
		if u <= durable.MaxSafeInteger {
			if err != nil || got != any(int64(u)) {
				t.Fatalf("Arg(uint64 %d) = %v, %v", u, got, err)
			}
		} else if !errors.Is(err, durable.ErrIntegerRange) || !strings.Contains(err.Error(), "argument 2") {
			t.Fatalf("Arg(uint64 %d) = %v; want ErrIntegerRange naming argument 2", u, err)
		}

		got, err = Arg(0, fl)
		if g, ok := got.(float64); err != nil || !ok || math.Float64bits(g) != math.Float64bits(fl) {
			t.Fatalf("Arg(float64 %v) = %v, %v; want it unchanged", fl, got, err)
		}
		switch back := Number(fl).(type) {
		case int64:
			if float64(back) != fl || math.Signbit(fl) && back == 0 {
				t.Fatalf("Number(%v) = int64 %d, another value", fl, back)
			}
		case float64:
			if math.Float64bits(back) != math.Float64bits(fl) {
				t.Fatalf("Number(%v) = %v", fl, back)
			}
			if fl == math.Trunc(fl) && math.Abs(fl) <= durable.MaxSafeInteger && !(fl == 0 && math.Signbit(fl)) {
				t.Fatalf("Number(%v) = float64; an exact integer must read as int64", fl)
			}
		default:
			t.Fatalf("Number(%v) = %T", fl, back)
		}

		got, err = Arg(0, s)
		if utf8.ValidString(s) {
			if err != nil || got != any(s) {
				t.Fatalf("Arg(%q) = %v, %v", s, got, err)
			}
		} else if !errors.Is(err, durable.ErrInvalidUTF8) || !errors.Is(err, durable.ErrUnsupportedType) || got != nil {
			t.Fatalf("Arg(%q) = %v, %v; want ErrInvalidUTF8", s, got, err)
		}

		got, err = Arg(0, b)
		if g, ok := got.([]byte); err != nil || !ok || string(g) != string(b) {
			t.Fatalf("Arg(%q) = %v, %v", b, got, err)
		}

		// A whole argument list fails on its first bad argument, and only then.
		all, err := Args([]any{n, u, fl, s, b})
		wantErr := !inRange || u > durable.MaxSafeInteger || !utf8.ValidString(s)
		if (err != nil) != wantErr || (err == nil && len(all) != 5) {
			t.Fatalf("Args = %v, %v; want error %v", all, err, wantErr)
		}
	})
}

// FuzzError parses fuzzed database messages: the code it finds is a
// SQLITE_ name that ends the message, and nothing of the message is lost.
func FuzzError(f *testing.F) {
	f.Add("no such table: t: SQLITE_ERROR")
	f.Add("UNIQUE constraint failed: t.k: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_UNIQUE)")
	f.Add("a: SQLITE_ with space")
	f.Add(" (extended: SQLITE_)")
	f.Add(": SQLITE_")
	f.Add("")
	f.Fuzz(func(t *testing.T, message string) {
		e := Error("SELECT 1", message)
		if e.Query != "SELECT 1" {
			t.Fatalf("query %q", e.Query)
		}
		if !strings.HasPrefix(message, e.Message) {
			t.Fatalf("Message %q is not a prefix of %q", e.Message, message)
		}
		if e.Code != "" {
			if !strings.HasPrefix(e.Code, "SQLITE_") || strings.ContainsAny(e.Code, " \n") {
				t.Fatalf("Code %q", e.Code)
			}
			if !strings.Contains(message, e.Message+": "+e.Code) {
				t.Fatalf("Message %q and Code %q do not rebuild %q", e.Message, e.Code, message)
			}
		} else if e.Message != message {
			t.Fatalf("no code, but Message %q != %q", e.Message, message)
		}
		if e.ExtendedCode != "" && !strings.HasSuffix(message, " (extended: "+e.ExtendedCode+")") {
			t.Fatalf("ExtendedCode %q not at the end of %q", e.ExtendedCode, message)
		}
		if !errors.Is(e, &durable.SQLError{Code: e.Code, ExtendedCode: e.ExtendedCode}) && (e.Code != "" || e.ExtendedCode != "") {
			t.Fatalf("%v does not match its own codes", e)
		}
		_ = e.Error()
	})
}
