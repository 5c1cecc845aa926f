package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/durableobjects-on-go/durable/durabletest"
	"github.com/durableobjects-on-go/durable/sqlstore"
)

// A D1 database through database/sql. In a Worker, the database comes from
// env.D1("DB") and ctx is the request's; here a test opens one.
func ExampleOpenD1() {
	t := &testing.T{} // in a real test, the *testing.T of the test function
	rt := durabletest.New(t, storeWorker(), &durabletest.Options{D1Databases: []string{"DB"}})
	defer rt.Close()
	d1, _ := rt.Env().D1("DB")
	ctx := context.Background()

	db := sqlstore.OpenD1(d1)
	db.ExecContext(ctx, `CREATE TABLE posts (id INTEGER PRIMARY KEY, title TEXT NOT NULL, likes INTEGER NOT NULL DEFAULT 0)`)
	res, _ := db.ExecContext(ctx, `INSERT INTO posts (title) VALUES (?), (?)`, "hello", "again")
	n, _ := res.RowsAffected()
	id, _ := res.LastInsertId()
	fmt.Println("inserted", n, "last id", id)

	res, _ = db.ExecContext(ctx, `UPDATE posts SET likes = likes + 1 WHERE id = ?`, 1)
	n, _ = res.RowsAffected()
	fmt.Println("updated", n)

	rows, _ := db.QueryContext(ctx, `SELECT title, likes FROM posts ORDER BY id`)
	defer rows.Close()
	for rows.Next() {
		var title string
		var likes int
		rows.Scan(&title, &likes)
		fmt.Println(title, likes)
	}

	// D1 commits each statement: there is no BeginTx.
	_, err := db.BeginTx(ctx, nil)
	fmt.Println(errors.Is(err, sqlstore.ErrD1BeginTx))
	// Output:
	// inserted 2 last id 2
	// updated 1
	// hello 1
	// again 0
	// true
}
