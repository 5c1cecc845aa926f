package durable_test

import (
	"database/sql"
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/durableobjects-on-go/durable"
)

func TestRowScanConversions(t *testing.T) {
	row := durable.Row{int64(42), 2.5, "text", []byte{0, 1}, nil, "9223372036854775807", float64(7)}
	var (
		i   int64
		f   float64
		s   string
		b   []byte
		n   *string
		big int64
		u8  uint8
	)
	if err := row.Scan(&i, &f, &s, &b, &n, &big, &u8); err != nil {
		t.Fatal(err)
	}
	if i != 42 || f != 2.5 || s != "text" || string(b) != "\x00\x01" || n != nil || big != math.MaxInt64 || u8 != 7 {
		t.Fatalf("got %v %v %q %v %v %v %v", i, f, s, b, n, big, u8)
	}
}

func TestRowScanPointerToPointer(t *testing.T) {
	var present, absent *int64
	if err := (durable.Row{int64(5), nil}).Scan(&present, &absent); err != nil {
		t.Fatal(err)
	}
	if present == nil || *present != 5 || absent != nil {
		t.Fatalf("present=%v absent=%v", present, absent)
	}
}

func TestRowScanSQLNullTypes(t *testing.T) {
	var ns sql.NullString
	var ni sql.NullInt64
	var nf sql.NullFloat64
	if err := (durable.Row{nil, int64(3), 1.5}).Scan(&ns, &ni, &nf); err != nil {
		t.Fatal(err)
	}
	if ns.Valid || !ni.Valid || ni.Int64 != 3 || !nf.Valid || nf.Float64 != 1.5 {
		t.Fatalf("ns=%v ni=%v nf=%v", ns, ni, nf)
	}
}

func TestRowScanAny(t *testing.T) {
	var a, b any
	if err := (durable.Row{nil, "x"}).Scan(&a, &b); err != nil {
		t.Fatal(err)
	}
	if a != nil || b != "x" {
		t.Fatalf("a=%v b=%v", a, b)
	}
}

func TestRowScanErrors(t *testing.T) {
	tests := []struct {
		name string
		row  durable.Row
		dest any
	}{
		{"NULL into string", durable.Row{nil}, new(string)},
		{"NULL into int", durable.Row{nil}, new(int)},
		{"fraction into int", durable.Row{2.5}, new(int64)},
		{"overflow int8", durable.Row{int64(300)}, new(int8)},
		{"negative into uint", durable.Row{int64(-1)}, new(uint)},
		{"text into int", durable.Row{"abc"}, new(int)},
		{"blob into float", durable.Row{[]byte("1")}, new(float64)},
		{"non-pointer", durable.Row{int64(1)}, 5},
		{"unsupported struct", durable.Row{int64(1)}, new(struct{})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.row.Scan(tt.dest); err == nil {
				t.Fatalf("Scan(%v into %T) succeeded", tt.row[0], tt.dest)
			}
		})
	}
	var x, y int
	if err := (durable.Row{int64(1)}).Scan(&x, &y); err == nil {
		t.Fatal("Scan with more destinations than columns succeeded")
	}
	if err := (durable.Row{int64(1)}).Scan(new(struct{})); !errors.Is(err, durable.ErrUnsupportedType) {
		t.Fatalf("err = %v, want ErrUnsupportedType", err)
	}
}

func TestResultOne(t *testing.T) {
	var n int
	if err := (&durable.Result{}).One(&n); !errors.Is(err, durable.ErrNoRows) {
		t.Fatalf("no rows: err = %v", err)
	}
	two := &durable.Result{Rows: []durable.Row{{int64(1)}, {int64(2)}}}
	if err := two.One(&n); !errors.Is(err, durable.ErrTooManyRows) {
		t.Fatalf("two rows: err = %v", err)
	}
	one := &durable.Result{Rows: []durable.Row{{int64(9)}}}
	if err := one.One(&n); err != nil || n != 9 {
		t.Fatalf("one row: n=%d err=%v", n, err)
	}
}

func TestSQLErrorMessage(t *testing.T) {
	e := &durable.SQLError{Query: "INSERT INTO t VALUES (1)", Message: "UNIQUE constraint failed: t.id", Code: "SQLITE_CONSTRAINT"}
	want := "durable: SQL error: UNIQUE constraint failed: t.id (SQLITE_CONSTRAINT); query: INSERT INTO t VALUES (1)"
	if e.Error() != want {
		t.Fatalf("got %q\nwant %q", e.Error(), want)
	}
	var target *durable.SQLError
	if !errors.As(fmt.Errorf("wrapped: %w", e), &target) || target.Code != "SQLITE_CONSTRAINT" {
		t.Fatal("errors.As did not find the *SQLError")
	}
}

func TestSQLErrorIs(t *testing.T) {
	unique := &durable.SQLError{Query: "q", Message: "UNIQUE constraint failed: t.v", Code: "SQLITE_CONSTRAINT", ExtendedCode: "SQLITE_CONSTRAINT_UNIQUE"}
	wrapped := fmt.Errorf("saving: %w", unique)
	if !errors.Is(wrapped, durable.ErrConstraint) {
		t.Error("a UNIQUE violation does not match ErrConstraint")
	}
	if !errors.Is(wrapped, &durable.SQLError{ExtendedCode: "SQLITE_CONSTRAINT_UNIQUE"}) {
		t.Error("does not match its extended code")
	}
	if errors.Is(wrapped, &durable.SQLError{ExtendedCode: "SQLITE_CONSTRAINT_NOTNULL"}) {
		t.Error("matches another extended code")
	}
	syntax := &durable.SQLError{Query: "q", Message: "near \"SELEC\": syntax error", Code: "SQLITE_ERROR"}
	if errors.Is(syntax, durable.ErrConstraint) || errors.Is(syntax, &durable.SQLError{}) {
		t.Error("a syntax error matches a constraint pattern or the empty pattern")
	}
}

func ExampleRow_Scan() {
	// A row as SQL.Exec returns it: an integer, a NULL and text holding an
	// integer beyond ±2^53 (read with CAST(n AS TEXT)).
	row := durable.Row{int64(3), nil, "9007199254740993"}
	var visits int
	var nickname *string
	var big int64
	if err := row.Scan(&visits, &nickname, &big); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(visits, nickname == nil, big)
	// Output: 3 true 9007199254740993
}

func ExampleResult_One() {
	res := &durable.Result{Columns: []string{"count"}}
	var count int64
	err := res.One(&count)
	fmt.Println(errors.Is(err, durable.ErrNoRows))
	// Output: true
}
