package durabletest_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/durabletest"
)

// The storage API beyond Exec and single keys, on an object's storage opened
// from a test: KV batches, typed and lazy SQL rows, bookmarks.
func Example_storage() {
	t := &testing.T{} // in a real test, the *testing.T of the test function
	rt := durabletest.New(t, counterWorker(), &durabletest.Options{Bindings: map[string]string{"COUNTER": "Counter"}})
	defer rt.Close()
	storage := rt.State("COUNTER", rt.Namespace("COUNTER").IDFromName("ada")).Storage()

	// KV batches: atomic, at most durable.MaxBatchKeys keys.
	kv := storage.KV()
	kv.PutMany(durable.Entry{Key: "user:1", Value: []byte("ada")}, durable.Entry{Key: "user:2", Value: []byte("grace")})
	found, _ := kv.GetMany("user:1", "user:2", "user:3")
	fmt.Println(len(found), string(found["user:2"]))
	page, _ := kv.List(&durable.ListOptions{Prefix: "user:", StartAfter: "user:1"})
	fmt.Println(page[0].Key)
	_, err := kv.DeleteMany(make([]string, durable.MaxBatchKeys+1)...)
	fmt.Println(errors.Is(err, durable.ErrTooManyKeys))

	// Rows decoded by column name, read lazily.
	sql := storage.SQL()
	sql.Exec(`CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL, born INTEGER)`)
	sql.Exec(`INSERT INTO people VALUES (1, 'ada', 1815), (2, 'grace', 1906), (3, 'alan', NULL)`)
	type Person struct {
		ID   int64
		Name string `durable:"name"`
		Born *int   `durable:"born"`
	}
	for p, err := range durable.Query[Person](sql, `SELECT id, name, born FROM people ORDER BY id`) {
		if err != nil {
			fmt.Println(err)
			break
		}
		fmt.Println(p.ID, p.Name, p.Born != nil)
	}
	_, err = durable.Rows[Person](must(sql.Exec(`SELECT name AS born FROM people`)))
	fmt.Println(err)

	// Point-in-time recovery, as local workerd has it.
	b1, _ := storage.Bookmark(context.Background())
	b2, _ := storage.Bookmark(context.Background())
	_, err = storage.OnNextSessionRestoreBookmark(context.Background(), b1)
	fmt.Println(b1 < b2, errors.Is(err, durable.ErrNoPITR))
	// Output:
	// 2 grace
	// user:2
	// true
	// 1 ada true
	// 2 grace true
	// 3 alan false
	// durable: row 0, column "born" into durabletest_test.Person.Born: TEXT value "ada" into int
	// true true
}

func must(res *durable.Result, err error) *durable.Result {
	if err != nil {
		panic(err)
	}
	return res
}
