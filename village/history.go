package main

import (
	"time"

	"github.com/durableobjects-on-go/durable"
)

// HistoryLength is how many messages a square keeps for late joiners.
const HistoryLength = 100

// message is one line of a square's chat, as stored and as sent to clients.
type message struct {
	At   int64  `json:"at"` // Unix milliseconds
	Who  string `json:"who"`
	Text string `json:"text"`
	Kind string `json:"kind"` // "chat" or "clock"
}

// history is a square's last HistoryLength messages, in its SQL storage.
type history struct{ sql durable.SQL }

func newHistory(sql durable.SQL) (history, error) {
	_, err := sql.Exec(`CREATE TABLE IF NOT EXISTS messages (
		id   INTEGER PRIMARY KEY AUTOINCREMENT,
		at   INTEGER NOT NULL,
		who  TEXT NOT NULL,
		text TEXT NOT NULL,
		kind TEXT NOT NULL
	)`)
	return history{sql}, err
}

// add stores m and forgets what falls out of the window, in one transaction.
func (h history) add(storage durable.Storage, m message) error {
	return storage.Transaction(func() error {
		if _, err := h.sql.Exec(`INSERT INTO messages (at, who, text, kind) VALUES (?, ?, ?, ?)`, m.At, m.Who, m.Text, m.Kind); err != nil {
			return err
		}
		_, err := h.sql.Exec(`DELETE FROM messages WHERE id <= (SELECT max(id) FROM messages) - ?`, HistoryLength)
		return err
	})
}

// recent returns the kept messages, oldest first.
func (h history) recent() ([]message, error) {
	res, err := h.sql.Exec(`SELECT at, who, text, kind FROM messages ORDER BY id`)
	if err != nil {
		return nil, err
	}
	out := make([]message, 0, len(res.Rows))
	for _, row := range res.Rows {
		var m message
		if err := row.Scan(&m.At, &m.Who, &m.Text, &m.Kind); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

func newMessage(now time.Time, who, text, kind string) message {
	return message{At: now.UnixMilli(), Who: who, Text: text, Kind: kind}
}
