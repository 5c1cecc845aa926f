package durable

import "io"

// Cursor is an open statement whose rows are pulled one by one with Next,
// read from the database in bounded chunks as [SQL.Query] reads them. It
// serves code that pulls rows and needs the column names first, such as a
// database/sql driver; a range loop over [SQL.Query] is simpler otherwise.
// Get one from [SQL.Cursor] and Close it when done. The same rules as for
// SQL.Query hold: the cursor belongs to the request that opened it, and the
// database stays usable while it is open.
type Cursor struct {
	cur  rowCursor
	rows []Row
	next int
	err  error // io.EOF at the end or after Close, else why reading stopped
}

// Cursor runs query, reads its first chunk of rows (so that a statement that
// writes has run, and an error in the first rows is reported here), and
// returns a Cursor over all its rows.
func (s SQL) Cursor(query string, args ...any) (*Cursor, error) {
	cur, err := s.open(query, args)
	if err != nil {
		return nil, err
	}
	c := &Cursor{cur: cur}
	if err := c.fill(); err != nil && err != io.EOF {
		return nil, err
	}
	return c, nil
}

// Columns are the names of the statement's columns, in order.
func (c *Cursor) Columns() []string { return c.cur.Columns() }

// Next returns the next row, or io.EOF after the last one (and after Close).
// An error while reading ends the cursor: Next returns it from then on.
func (c *Cursor) Next() (Row, error) {
	if c.next >= len(c.rows) {
		if err := c.fill(); err != nil {
			return nil, err
		}
	}
	row := c.rows[c.next]
	c.rows[c.next] = nil // the caller owns the row; the chunk need not keep it
	c.next++
	return row, nil
}

// fill reads the next chunk when the current one is used up.
func (c *Cursor) fill() error {
	if c.err != nil {
		return c.err
	}
	rows, err := c.cur.Next()
	switch {
	case err != nil:
		c.err = err
	case len(rows) == 0:
		c.err = io.EOF
	}
	if c.err != nil {
		c.rows, c.next = nil, 0
		c.cur.Close()
		return c.err
	}
	c.rows, c.next = rows, 0
	return nil
}

// Close releases the statement; Next then returns io.EOF. It may be called
// more than once.
func (c *Cursor) Close() {
	c.cur.Close()
	c.rows, c.next = nil, 0
	if c.err == nil {
		c.err = io.EOF
	}
}
