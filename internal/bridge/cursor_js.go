//go:build js && wasm

package bridge

import (
	"errors"
	"fmt"
	"syscall/js"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/internal/packed"
	"github.com/durableobjects-on-go/durable/internal/sqlvalue"
)

// sqlCursor is a statement whose cursor runtime.mjs keeps (cursor.mjs); Go
// holds its number and reads its rows a chunk at a time.
type sqlCursor struct {
	s       *sqlStorage
	query   string
	id      int
	columns []string
	done    bool
}

// Open runs query and keeps its cursor in JavaScript.
func (s *sqlStorage) Open(query string, args []any) (any, error) {
	res, err := s.run("cursorOpen", query, args)
	if err != nil {
		return nil, err
	}
	c := &sqlCursor{s: s, query: query, id: res.Index(0).Int()}
	if c.columns, _, err = packed.DecodeRows(bytesOf(res.Index(1))); err != nil {
		c.Close()
		return nil, fmt.Errorf("durable: SQL result: %w", err)
	}
	return c, nil
}

func (c *sqlCursor) Columns() []string { return c.columns }

func (c *sqlCursor) Next() ([]durable.Row, error) {
	if c.done {
		return nil, nil
	}
	var res js.Value
	err := c.s.ctx.run(func() (err error) {
		res, err = call(host, "cursorNext", c.id)
		return err
	})
	if err != nil {
		c.done = true
		if errors.Is(err, errNoEvent) {
			return nil, fmt.Errorf("durable: SQL: %w", err)
		}
		return nil, sqlvalue.Error(c.query, err.Error())
	}
	c.done = res.Index(1).Bool()
	_, cells, err := packed.DecodeRows(bytesOf(res.Index(0)))
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("durable: SQL result: %w", err)
	}
	rows := make([]durable.Row, len(cells))
	for i, r := range cells {
		rows[i] = r
	}
	return rows, nil
}

// Close forgets the cursor in JavaScript. When the event has ended it cannot
// (no I/O then); workerd drops the statement with the event's context, and
// only the small map entry stays.
func (c *sqlCursor) Close() {
	if c.done {
		return
	}
	c.done = true
	c.s.ctx.run(func() error {
		_, err := call(host, "cursorClose", c.id)
		return err
	})
}
