package durable_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/durableobjects-on-go/durable"
)

func ExampleRows() {
	// A result as SQL.Exec returns it for SELECT id, name, email FROM users.
	res := &durable.Result{
		Columns: []string{"id", "name", "email"},
		Rows:    []durable.Row{{int64(1), "ada", "ada@example.com"}, {int64(2), "bob", nil}},
	}
	type User struct {
		ID    int64   // untagged: matches the column "id", case aside
		Name  string  `durable:"name"`
		Email *string `durable:"email"` // NULL decodes to nil
	}
	users, err := durable.Rows[User](res)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, u := range users {
		fmt.Println(u.ID, u.Name, u.Email != nil)
	}
	// Output:
	// 1 ada true
	// 2 bob false
}

func ExampleColumnError() {
	res := &durable.Result{Columns: []string{"age"}, Rows: []durable.Row{{"forty"}}}
	type Person struct {
		Age int `durable:"age"`
	}
	_, err := durable.Rows[Person](res)
	var ce *durable.ColumnError
	fmt.Println(errors.Is(err, durable.ErrColumnType), errors.As(err, &ce) && ce.Column == "age")
	fmt.Println(err)
	// Output:
	// true true
	// durable: row 0, column "age" into durable_test.Person.Age: TEXT value "forty" into int
}

type Base struct {
	ID   int64 `durable:"id"`
	Kind string
}

type withPointer struct {
	*Base
	Name string `durable:"name"`
}

type shadowing struct {
	Base
	Kind string // shallower than Base.Kind: it wins
}

func TestRowsFieldRules(t *testing.T) {
	res := &durable.Result{Columns: []string{"id", "kind"}, Rows: []durable.Row{{int64(7), "outer"}}}
	got, err := durable.One[shadowing](res)
	if err != nil || got.ID != 7 || got.Kind != "outer" || got.Base.Kind != "" {
		t.Errorf("One[shadowing] = %+v, %v", got, err)
	}
	// Fields promoted through an embedded pointer are not decoded: "id" has
	// no field to go to.
	_, err = durable.Rows[withPointer](&durable.Result{Columns: []string{"id"}, Rows: []durable.Row{{int64(1)}}})
	if !errors.Is(err, durable.ErrUnknownColumn) {
		t.Errorf("Rows[withPointer] = %v, want ErrUnknownColumn", err)
	}
	// A value beyond ±2^53 reads as a float64, which an int field refuses.
	type n struct{ N int64 }
	_, err = durable.Rows[n](&durable.Result{Columns: []string{"n"}, Rows: []durable.Row{{float64(1 << 60)}}})
	if !errors.Is(err, durable.ErrColumnType) {
		t.Errorf("float64 beyond 2^53 into int64 = %v", err)
	}
	type withOptions struct {
		Name string `durable:"name,reserved"`
	}
	if got, err := durable.One[withOptions](&durable.Result{Columns: []string{"name"}, Rows: []durable.Row{{"ada"}}}); err != nil || got.Name != "ada" {
		t.Errorf("a tag with options = %+v, %v", got, err)
	}
	var anyRows []any
	if anyRows, err = durable.Rows[any](&durable.Result{Columns: []string{"v"}, Rows: []durable.Row{{nil}, {"x"}}}); err != nil || anyRows[0] != nil || anyRows[1] != "x" {
		t.Errorf("Rows[any] = %v, %v", anyRows, err)
	}
}
