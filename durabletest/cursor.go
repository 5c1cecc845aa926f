package durabletest

import (
	"github.com/ncruces/go-sqlite3"

	"github.com/durableobjects-on-go/durable"
	"github.com/durableobjects-on-go/durable/internal/sqlvalue"
)

// cursorChunk is how many rows a cursor steps per lock: the loop's body runs
// between chunks, free to use the database itself.
const cursorChunk = 256

// cursor is an open SQL.Query statement, stepped a chunk at a time under the
// database's lock, as workerd's host helper reads its cursor.
type cursor struct {
	db      *database
	query   string
	stmt    *sqlite3.Stmt // nil once done or closed
	columns []string
}

// Open runs the statements before the last and prepares the last.
func (s sqlStorage) Open(query string, args []any) (any, error) {
	canon, err := sqlvalue.Args(args)
	if err != nil {
		return nil, err
	}
	db := s.db
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.closed {
		return nil, errClosed
	}
	stmt, msg := db.prepareLast(query, canon)
	if msg != "" {
		return nil, sqlvalue.Error(query, msg)
	}
	c := &cursor{db: db, query: query, stmt: stmt, columns: make([]string, stmt.ColumnCount())}
	for i := range c.columns {
		c.columns[i] = stmt.ColumnName(i)
	}
	if db.cursors == nil {
		db.cursors = make(map[*cursor]bool)
	}
	db.cursors[c] = true
	return c, nil
}

func (c *cursor) Columns() []string { return c.columns }

func (c *cursor) Next() ([]durable.Row, error) {
	db := c.db
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.closed {
		return nil, errClosed
	}
	if c.stmt == nil {
		return nil, nil
	}
	rows := make([]durable.Row, 0, cursorChunk)
	for len(rows) < cursorChunk && c.stmt.Step() {
		row := make(durable.Row, len(c.columns))
		for i := range row {
			row[i] = column(c.stmt, i)
		}
		rows = append(rows, row)
	}
	if err := c.stmt.Err(); err != nil {
		c.closeLocked()
		return nil, sqlvalue.Error(c.query, errorMessage(err, ""))
	}
	if len(rows) < cursorChunk {
		c.closeLocked()
	}
	return rows, nil
}

func (c *cursor) Close() {
	c.db.mu.Lock()
	defer c.db.mu.Unlock()
	c.closeLocked()
}

func (c *cursor) closeLocked() {
	if c.stmt == nil {
		return
	}
	c.stmt.Close()
	c.stmt = nil
	delete(c.db.cursors, c)
}
