package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"reflect"
	"testing"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/durabletest"
	"github.com/durableobjects-on-go/durable/sqlstore"
)

// newD1DB returns a *sql.DB over a fresh D1 database of durabletest.
func newD1DB(t *testing.T) *sql.DB {
	t.Helper()
	rt := durabletest.New(t, storeWorker(), &durabletest.Options{D1Databases: []string{"DB"}})
	d1, err := rt.Env().D1("DB")
	if err != nil {
		t.Fatal(err)
	}
	db := sqlstore.OpenD1(d1)
	t.Cleanup(func() { db.Close() })
	return db
}

func TestD1Statements(t *testing.T) {
	db := newD1DB(t)
	ctx := context.Background()
	exec := func(query string, args ...any) (affected, lastID int64) {
		t.Helper()
		res, err := db.ExecContext(ctx, query, args...)
		if err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		affected, _ = res.RowsAffected()
		lastID, _ = res.LastInsertId()
		return affected, lastID
	}
	for _, c := range []struct {
		query            string
		args             []any
		affected, lastID int64
	}{
		{`CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, score REAL, data BLOB, note TEXT)`, nil, 0, 0},
		{`INSERT INTO users (name, score, data, note) VALUES (?, ?, ?, ?)`, []any{"ada", 9.5, []byte{1, 2}, nil}, 1, 1},
		{`INSERT INTO users (name, score, data, note) VALUES (?, ?, ?, ?), (?, ?, ?, ?)`, []any{"grace", 7, []byte{}, "x", "linus", nil, nil, "y"}, 2, 3},
		{`UPDATE users SET score = score + 1 WHERE score IS NOT NULL`, nil, 2, 3},
		{`UPDATE users SET score = 0 WHERE id = 99`, nil, 0, 0},
		{`INSERT OR IGNORE INTO users (id, name) VALUES (1, 'again')`, nil, 0, 0},
		{`CREATE INDEX users_name ON users (name)`, nil, 0, 0},
		{`DELETE FROM users WHERE id = ?`, []any{3}, 1, 3},
	} {
		affected, lastID := exec(c.query, c.args...)
		if affected != c.affected || lastID != c.lastID {
			t.Errorf("%s: RowsAffected %d, LastInsertId %d; want %d, %d", c.query, affected, lastID, c.affected, c.lastID)
		}
	}

	rows, err := db.QueryContext(ctx, `SELECT id, name, score, data, note FROM users ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	if want := []string{"id", "name", "score", "data", "note"}; !reflect.DeepEqual(cols, want) {
		t.Errorf("columns %q, want %q", cols, want)
	}
	type user struct {
		id    int64
		name  string
		score sql.NullFloat64
		data  []byte
		note  *string
	}
	var got []user
	for rows.Next() {
		var u user
		if err := rows.Scan(&u.id, &u.name, &u.score, &u.data, &u.note); err != nil {
			t.Fatal(err)
		}
		got = append(got, u)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	x := "x"
	want := []user{
		{1, "ada", sql.NullFloat64{Float64: 10.5, Valid: true}, []byte{1, 2}, nil},
		{2, "grace", sql.NullFloat64{Float64: 8, Valid: true}, []byte{}, &x},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rows %+v, want %+v", got, want)
	}

	// RETURNING, through QueryRowContext; a prepared statement run twice.
	var id int64
	if err := db.QueryRowContext(ctx, `INSERT INTO users (name) VALUES (?) RETURNING id`, "barbara").Scan(&id); err != nil || id != 3 {
		t.Errorf("RETURNING: %d, %v; want 3 (the deleted id, reused)", id, err)
	}
	st, err := db.PrepareContext(ctx, `SELECT count(*) FROM users WHERE name > ?`)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for arg, want := range map[string]int64{"a": 3, "c": 1} {
		var n int64
		if err := st.QueryRowContext(ctx, arg).Scan(&n); err != nil || n != want {
			t.Errorf("count > %q: %d, %v; want %d", arg, n, err, want)
		}
	}

	// No rows: columns still known; sql.ErrNoRows for QueryRow.
	rows2, err := db.QueryContext(ctx, `SELECT id, name FROM users WHERE id < 0`)
	if err != nil {
		t.Fatal(err)
	}
	if cols, _ := rows2.Columns(); len(cols) != 2 || rows2.Next() {
		t.Errorf("empty result: columns %q", cols)
	}
	rows2.Close()
	if err := db.QueryRowContext(ctx, `SELECT id FROM users WHERE id < 0`).Scan(&id); !errors.Is(err, sql.ErrNoRows) {
		t.Errorf("QueryRow of nothing: %v", err)
	}
}

func TestD1Values(t *testing.T) {
	db := newD1DB(t)
	ctx := context.Background()
	for _, c := range []struct {
		name string
		arg  any
		want any
	}{
		{"nil", nil, nil},
		{"int", 42, int64(42)},
		{"max safe", int64(durable.MaxSafeInteger), int64(durable.MaxSafeInteger)},
		{"float", 2.5, 2.5},
		{"true", true, int64(1)},
		{"string", "héllo", "héllo"},
		{"bytes", []byte{0, 255}, []byte{0, 255}},
		{"NullString", sql.NullString{}, nil},
	} {
		var got any
		if err := db.QueryRowContext(ctx, `SELECT ?`, c.arg).Scan(&got); err != nil {
			t.Errorf("%s: %v", c.name, err)
		} else if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: got %#v, want %#v", c.name, got, c.want)
		}
	}
}

func TestD1Errors(t *testing.T) {
	db := newD1DB(t)
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, `CREATE TABLE t (id INTEGER PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO t VALUES (1)`); err != nil {
		t.Fatal(err)
	}
	var sqlErr *durable.SQLError
	_, err := db.ExecContext(ctx, `INSERT INTO t VALUES (1)`)
	if !errors.As(err, &sqlErr) || !errors.Is(err, durable.ErrConstraint) {
		t.Errorf("duplicate key: %v", err)
	}
	_, err = db.QueryContext(ctx, `SELEC 1`)
	if !errors.As(err, &sqlErr) || sqlErr.Code != "SQLITE_ERROR" {
		t.Errorf("syntax error: %v", err)
	}
	_, err = db.ExecContext(ctx, `SELECT ?`, int64(1)<<60)
	if !errors.Is(err, durable.ErrIntegerRange) {
		t.Errorf("integer out of range: %v", err)
	}
	_, err = db.ExecContext(ctx, `SELECT :a`, sql.Named("a", 1))
	if !errors.Is(err, sqlstore.ErrNamedArg) {
		t.Errorf("named argument: %v", err)
	}
	if _, err := db.BeginTx(ctx, nil); !errors.Is(err, sqlstore.ErrD1BeginTx) {
		t.Errorf("BeginTx: %v", err)
	}
	if _, err := db.Begin(); !errors.Is(err, sqlstore.ErrD1BeginTx) {
		t.Errorf("Begin: %v", err)
	}
	err = sqlstore.Transaction(ctx, db, func(*sql.Tx) error { t.Error("fn ran"); return nil })
	if !errors.Is(err, sqlstore.ErrD1BeginTx) {
		t.Errorf("Transaction: %v", err)
	}
	if err := db.PingContext(ctx); err != nil {
		t.Errorf("Ping: %v", err)
	}
}
