package sqlcstyle

import (
	"database/sql"
)

// Author is a row of authors.
type Author struct {
	ID   int64
	Name string
	Bio  sql.NullString
	Born sql.NullInt64
}
