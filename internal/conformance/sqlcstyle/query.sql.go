// Source: query.sql (as sqlc would name it)

package sqlcstyle

import (
	"context"
	"database/sql"
)

const countAuthors = `-- name: CountAuthors :one
SELECT count(*) FROM authors
`

// CountAuthors counts the authors.
func (q *Queries) CountAuthors(ctx context.Context) (int64, error) {
	row := q.db.QueryRowContext(ctx, countAuthors)
	var count int64
	err := row.Scan(&count)
	return count, err
}

const createAuthor = `-- name: CreateAuthor :one
INSERT INTO authors (
  name, bio, born
) VALUES (
  ?, ?, ?
)
RETURNING id, name, bio, born
`

// CreateAuthorParams are CreateAuthor's arguments.
type CreateAuthorParams struct {
	Name string
	Bio  sql.NullString
	Born sql.NullInt64
}

// CreateAuthor inserts an author and returns the row.
func (q *Queries) CreateAuthor(ctx context.Context, arg CreateAuthorParams) (Author, error) {
	row := q.db.QueryRowContext(ctx, createAuthor, arg.Name, arg.Bio, arg.Born)
	var i Author
	err := row.Scan(
		&i.ID,
		&i.Name,
		&i.Bio,
		&i.Born,
	)
	return i, err
}

const deleteAuthor = `-- name: DeleteAuthor :execrows
DELETE FROM authors
WHERE id = ?
`

// DeleteAuthor deletes an author and says how many rows went.
func (q *Queries) DeleteAuthor(ctx context.Context, id int64) (int64, error) {
	result, err := q.db.ExecContext(ctx, deleteAuthor, id)
	if err != nil {
		return 0, err
	}
	return result.RowsAffected()
}

const getAuthor = `-- name: GetAuthor :one
SELECT id, name, bio, born FROM authors
WHERE id = ? LIMIT 1
`

// GetAuthor reads one author.
func (q *Queries) GetAuthor(ctx context.Context, id int64) (Author, error) {
	row := q.db.QueryRowContext(ctx, getAuthor, id)
	var i Author
	err := row.Scan(
		&i.ID,
		&i.Name,
		&i.Bio,
		&i.Born,
	)
	return i, err
}

const insertAuthor = `-- name: InsertAuthor :execlastid
INSERT INTO authors (name, bio) VALUES (?, ?)
`

// InsertAuthorParams are InsertAuthor's arguments.
type InsertAuthorParams struct {
	Name string
	Bio  sql.NullString
}

// InsertAuthor inserts an author and returns its id.
func (q *Queries) InsertAuthor(ctx context.Context, arg InsertAuthorParams) (int64, error) {
	result, err := q.db.ExecContext(ctx, insertAuthor, arg.Name, arg.Bio)
	if err != nil {
		return 0, err
	}
	return result.LastInsertId()
}

const listAuthors = `-- name: ListAuthors :many
SELECT id, name, bio, born FROM authors
ORDER BY name
`

// ListAuthors lists the authors by name.
func (q *Queries) ListAuthors(ctx context.Context) ([]Author, error) {
	rows, err := q.db.QueryContext(ctx, listAuthors)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var items []Author
	for rows.Next() {
		var i Author
		if err := rows.Scan(
			&i.ID,
			&i.Name,
			&i.Bio,
			&i.Born,
		); err != nil {
			return nil, err
		}
		items = append(items, i)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return items, nil
}

const updateAuthorBio = `-- name: UpdateAuthorBio :exec
UPDATE authors
SET bio = ?
WHERE id = ?
`

// UpdateAuthorBioParams are UpdateAuthorBio's arguments.
type UpdateAuthorBioParams struct {
	Bio sql.NullString
	ID  int64
}

// UpdateAuthorBio sets an author's bio.
func (q *Queries) UpdateAuthorBio(ctx context.Context, arg UpdateAuthorBioParams) error {
	_, err := q.db.ExecContext(ctx, updateAuthorBio, arg.Bio, arg.ID)
	return err
}
