package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/durabletest"
	"github.com/durableobjects-on-go/durable/sqlstore"
)

// store is an object class with nothing but storage: the tests use its
// storage directly.
type store struct{}

func (store) ServeHTTP(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }

func storeWorker() durable.Worker {
	return durable.Worker{Objects: map[string]durable.Constructor{
		"Store": func(durable.State, durable.Env) (durable.Object, error) { return store{}, nil },
	}}
}

// newStorage returns the storage of a fresh object.
func newStorage(t *testing.T) durable.Storage {
	t.Helper()
	rt := durabletest.New(t, storeWorker(), nil)
	return rt.State("Store", rt.Namespace("Store").IDFromName(t.Name())).Storage()
}

func newDB(t *testing.T) (*sql.DB, durable.Storage) {
	t.Helper()
	storage := newStorage(t)
	db := sqlstore.Open(storage)
	t.Cleanup(func() { db.Close() })
	return db, storage
}

func TestArgumentsRoundTrip(t *testing.T) {
	db, _ := newDB(t)
	ctx := context.Background()
	at := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	for _, c := range []struct {
		name string
		arg  any
		want any // what SELECT ? reads back into *any
	}{
		{"nil", nil, nil},
		{"int", 42, int64(42)},
		{"int8", int8(-8), int64(-8)},
		{"uint32", uint32(1 << 31), int64(1 << 31)},
		{"max safe", int64(durable.MaxSafeInteger), int64(durable.MaxSafeInteger)},
		{"float64", 2.5, 2.5},
		{"integral float", 3.0, int64(3)},
		{"true", true, int64(1)},
		{"false", false, int64(0)},
		{"string", "héllo", "héllo"},
		{"bytes", []byte{0, 1, 255}, []byte{0, 1, 255}},
		{"empty bytes", []byte{}, []byte{}},
		{"time", at, "2026-01-02 03:04:05.000000006Z"},
		{"time in a zone", at.In(time.FixedZone("X", -7200)), "2026-01-02 03:04:05.000000006Z"},
		{"sqlstore.Time", sqlstore.Time{Time: at}, "2026-01-02 03:04:05.000000006Z"},
		{"valid NullString", sql.NullString{String: "x", Valid: true}, "x"},
		{"invalid NullInt64", sql.NullInt64{Int64: 5}, nil},
		{"pointer", new(int), int64(0)},
		{"nil pointer", (*string)(nil), nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			var got any
			if err := db.QueryRowContext(ctx, `SELECT ?`, c.arg).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if !equal(got, c.want) {
				t.Errorf("SELECT ? with %#v read %#v (%T), want %#v (%T)", c.arg, got, got, c.want, c.want)
			}
		})
	}
}

func equal(a, b any) bool {
	if ab, ok := a.([]byte); ok {
		bb, ok := b.([]byte)
		return ok && string(ab) == string(bb)
	}
	return a == b
}

func TestArgumentsRefused(t *testing.T) {
	db, _ := newDB(t)
	ctx := context.Background()
	for _, c := range []struct {
		name string
		arg  any
		want error
	}{
		{"beyond 2^53", int64(1 << 53), durable.ErrIntegerRange},
		{"uint64 beyond 2^53", uint64(1 << 60), durable.ErrIntegerRange},
		{"named", sql.Named("a", 1), sqlstore.ErrNamedArg},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := db.ExecContext(ctx, `SELECT ?`, c.arg); !errors.Is(err, c.want) {
				t.Errorf("err = %v, want %v", err, c.want)
			}
		})
	}
	if _, err := db.ExecContext(ctx, `SELECT ?`, struct{}{}); err == nil {
		t.Errorf("a struct argument was accepted")
	}
}

func TestTimeScan(t *testing.T) {
	want := time.Date(2026, 11, 30, 7, 30, 0, 0, time.UTC)
	for _, src := range []any{
		"2026-11-30 07:30:00.000000000Z",
		"2026-11-30 07:30:00",
		"2026-11-30T07:30:00.000Z",
		"2026-11-30T08:30:00+01:00",
		int64(want.Unix()),
		want,
	} {
		var got sqlstore.Time
		if err := got.Scan(src); err != nil || !got.Equal(want) {
			t.Errorf("Scan(%#v) = %v, %v; want %v", src, got.Time, err, want)
		}
	}
	for _, src := range []any{"yesterday", nil, 1.5, []byte("2026-11-30")} {
		var got sqlstore.Time
		if err := got.Scan(src); err == nil {
			t.Errorf("Scan(%#v) succeeded: %v", src, got.Time)
		}
	}
	var day sqlstore.Time
	if err := day.Scan("2026-11-30"); err != nil || !day.Equal(want.Truncate(24*time.Hour)) {
		t.Errorf("Scan of a date() = %v, %v", day.Time, err)
	}
}

func TestContextHonoured(t *testing.T) {
	db, _ := newDB(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := db.ExecContext(ctx, `CREATE TABLE t (a)`); !errors.Is(err, context.Canceled) {
		t.Errorf("ExecContext with a cancelled context: %v", err)
	}
	err := sqlstore.Transaction(ctx, db, func(*sql.Tx) error {
		t.Error("the function ran with a cancelled context")
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Transaction with a cancelled context: %v", err)
	}
}

func TestTransactionNeedsOpen(t *testing.T) {
	// A *sql.DB of another driver has no storage transaction to run in.
	db := sql.OpenDB(connectorOf(t))
	defer db.Close()
	err := sqlstore.Transaction(context.Background(), db, func(*sql.Tx) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "sqlstore.Open") {
		t.Errorf("Transaction on a foreign *sql.DB: %v", err)
	}
}

func TestDriverOpenRefusesDSN(t *testing.T) {
	db, _ := newDB(t)
	if _, err := db.Driver().Open("file.db"); err == nil || !strings.Contains(err.Error(), "sqlstore.Open") {
		t.Errorf("Driver().Open: %v", err)
	}
}

// A statement through db while rows are open, and a query inside a loop over
// another, need a second connection of the pool: neither may wait.
func TestPoolDoesNotDeadlock(t *testing.T) {
	db, _ := newDB(t)
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, `CREATE TABLE t (a INTEGER); INSERT INTO t VALUES (1), (2), (3)`); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		rows, err := db.QueryContext(ctx, `SELECT a FROM t`)
		if err != nil {
			done <- err
			return
		}
		defer rows.Close()
		for rows.Next() {
			var a int
			rows.Scan(&a)
			if _, err := db.ExecContext(ctx, `INSERT INTO t VALUES (?)`, a*10); err != nil {
				done <- err
				return
			}
		}
		done <- rows.Err()
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a statement during a row loop waited for a connection")
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM t`).Scan(&n); err != nil || n != 6 {
		t.Errorf("count = %d, %v; want 6", n, err)
	}
}

// The driver writes to the object's storage, which outlives the *sql.DB.
func TestStorageOutlivesDB(t *testing.T) {
	db, storage := newDB(t)
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, `CREATE TABLE t (a); INSERT INTO t VALUES ('kept')`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	var a string
	res, err := storage.SQL().Exec(`SELECT a FROM t`)
	if err == nil {
		err = res.One(&a)
	}
	if err != nil || a != "kept" {
		t.Errorf("after db.Close: %q, %v", a, err)
	}
	again := sqlstore.Open(storage)
	defer again.Close()
	if err := again.QueryRowContext(ctx, `SELECT a FROM t`).Scan(&a); err != nil || a != "kept" {
		t.Errorf("through a new *sql.DB: %q, %v", a, err)
	}
}

// A context that ends while the function runs rolls the transaction back and
// is reported, even when the function itself returns nil.
func TestTransactionContextEndsInside(t *testing.T) {
	db, storage := newDB(t)
	if _, err := db.Exec(`CREATE TABLE t (a)`); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	err := sqlstore.Transaction(ctx, db, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO t VALUES (1)`); err != nil {
			return err
		}
		cancel()
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Transaction = %v, want context.Canceled", err)
	}
	res, err := storage.SQL().Exec(`SELECT count(*) FROM t`)
	if err != nil || res.Rows[0][0] != int64(0) {
		t.Errorf("rows after the cancelled transaction: %v, %v", res, err)
	}
}
