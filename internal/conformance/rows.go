package conformance

import (
	"database/sql"
	"errors"

	"github.com/durableobjects-on-go/durable"
)

// Audit is embedded in User: its fields decode as if they were User's.
type Audit struct {
	Created string `durable:"created_at"`
}

// User is a row of the users table the typed-row scenarios make.
type User struct {
	ID     int64
	Name   string  `durable:"name"`
	Age    *int    `durable:"age"`
	Score  float64 `durable:"score"`
	Avatar []byte  `durable:"avatar"`
	Active bool    `durable:"active"`
	Note   sql.NullString
	Skip   string `durable:"-"`
	Audit
}

func usersTable(t T, o *Object) {
	t.Helper()
	exec(t, o, `CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, age INTEGER, score REAL,
		avatar BLOB, active INTEGER NOT NULL, note TEXT, created_at TEXT)`)
	exec(t, o, `INSERT INTO users VALUES (1, 'ada', 36, 9.5, x'00ff', 1, 'first', '2026-01-01'),
		(2, 'bob', NULL, 7, NULL, 0, NULL, '2026-02-02')`)
}

// columnError asserts err is a *durable.ColumnError for column that matches
// sentinel.
func columnError(t T, err error, column string, sentinel error) {
	t.Helper()
	var ce *durable.ColumnError
	if !errors.As(err, &ce) || ce.Column != column || !errors.Is(err, sentinel) {
		t.Errorf("error = %v (%T); want a *durable.ColumnError for column %q matching %v", err, err, column, sentinel)
		return
	}
	t.Logf("column error: %v", err)
}

func init() {
	add("sql/rows-typed-struct", func(t T, o *Object) {
		usersTable(t, o)
		users, err := durable.Rows[User](exec(t, o, `SELECT * FROM users ORDER BY id`))
		must(t, err, "Rows[User]")
		age := 36
		same(t, "users", users, []User{
			{ID: 1, Name: "ada", Age: &age, Score: 9.5, Avatar: []byte{0, 255}, Active: true, Note: sql.NullString{String: "first", Valid: true}, Audit: Audit{"2026-01-01"}},
			{ID: 2, Name: "bob", Score: 7, Audit: Audit{"2026-02-02"}},
		})
		none, err := durable.Rows[User](exec(t, o, `SELECT * FROM users WHERE id > 99`))
		if err != nil || none == nil || len(none) != 0 {
			t.Errorf("Rows of no rows = %#v, %v; want an empty slice", none, err)
		}
		// A column the struct lacks is an error; a field the result lacks
		// keeps its zero value.
		partial, err := durable.Rows[User](exec(t, o, `SELECT name AS NAME, id FROM users ORDER BY id`))
		must(t, err, "Rows[User] of two columns")
		same(t, "partial", partial, []User{{ID: 1, Name: "ada"}, {ID: 2, Name: "bob"}})
	})
	add("sql/rows-one-and-scalars", func(t T, o *Object) {
		usersTable(t, o)
		u, err := durable.One[User](exec(t, o, `SELECT id, name FROM users WHERE id = ?`, 2))
		if err != nil || u.Name != "bob" || u.ID != 2 {
			t.Errorf("One[User] = %+v, %v", u, err)
		}
		if _, err := durable.One[User](exec(t, o, `SELECT id FROM users WHERE id = 99`)); !errors.Is(err, durable.ErrNoRows) {
			t.Errorf("One of no rows = %v", err)
		}
		if _, err := durable.One[User](exec(t, o, `SELECT id FROM users`)); !errors.Is(err, durable.ErrTooManyRows) {
			t.Errorf("One of two rows = %v", err)
		}
		n, err := durable.One[int](exec(t, o, `SELECT count(*) FROM users`))
		if err != nil || n != 2 {
			t.Errorf("One[int] = %d, %v", n, err)
		}
		names, err := durable.Rows[string](exec(t, o, `SELECT name FROM users ORDER BY id`))
		must(t, err, "Rows[string]")
		same(t, "names", names, []string{"ada", "bob"})
		ages, err := durable.Rows[*int](exec(t, o, `SELECT age FROM users ORDER BY id`))
		if err != nil || len(ages) != 2 || ages[0] == nil || *ages[0] != 36 || ages[1] != nil {
			t.Errorf("Rows[*int] = %v, %v", ages, err)
		}
		notes, err := durable.Rows[sql.NullString](exec(t, o, `SELECT note FROM users ORDER BY id`))
		must(t, err, "Rows[sql.NullString]")
		same(t, "notes", notes, []sql.NullString{{String: "first", Valid: true}, {}})
		if _, err := durable.Rows[int](exec(t, o, `SELECT id, name FROM users`)); err == nil {
			t.Errorf("Rows[int] of two columns succeeded")
		}
	})
	add("sql/rows-wrong-type-names-the-column", func(t T, o *Object) {
		usersTable(t, o)
		type asInt struct {
			Name int `durable:"name"`
		}
		_, err := durable.Rows[asInt](exec(t, o, `SELECT name FROM users`))
		columnError(t, err, "name", durable.ErrColumnType)
		type notNull struct {
			Age int `durable:"age"`
		}
		_, err = durable.Rows[notNull](exec(t, o, `SELECT age FROM users ORDER BY id`))
		columnError(t, err, "age", durable.ErrColumnType)
		type fraction struct {
			Score int `durable:"score"`
		}
		_, err = durable.Rows[fraction](exec(t, o, `SELECT score FROM users WHERE id = 1`))
		columnError(t, err, "score", durable.ErrColumnType)
		// A REAL that holds an integer reads back as one, on workerd too.
		whole, err := durable.Rows[fraction](exec(t, o, `SELECT score FROM users WHERE id = 2`))
		if err != nil || len(whole) != 1 || whole[0].Score != 7 {
			t.Errorf("integral REAL into int = %v, %v", whole, err)
		}
		type flag struct {
			Flag bool `durable:"f"`
		}
		_, err = durable.Rows[flag](exec(t, o, `SELECT 2 AS f`))
		columnError(t, err, "f", durable.ErrColumnType)
		type small struct {
			N int8 `durable:"n"`
		}
		_, err = durable.Rows[small](exec(t, o, `SELECT 300 AS n`))
		columnError(t, err, "n", durable.ErrColumnType)
		type blob struct {
			B []byte `durable:"b"`
		}
		_, err = durable.Rows[blob](exec(t, o, `SELECT 'text' AS b`))
		columnError(t, err, "b", durable.ErrColumnType)
		_, err = durable.One[string](exec(t, o, `SELECT 5 AS five`))
		columnError(t, err, "five", durable.ErrColumnType)
	})
	add("sql/rows-unknown-and-duplicate-columns", func(t T, o *Object) {
		usersTable(t, o)
		_, err := durable.Rows[User](exec(t, o, `SELECT id, name, 1 AS extra FROM users`))
		columnError(t, err, "extra", durable.ErrUnknownColumn)
		_, err = durable.Rows[User](exec(t, o, `SELECT id, name, id FROM users`))
		columnError(t, err, "id", durable.ErrUnknownColumn)
		_, err = durable.Rows[User](exec(t, o, `SELECT 'x' AS Skip FROM users`))
		columnError(t, err, "Skip", durable.ErrUnknownColumn)
	})
}
