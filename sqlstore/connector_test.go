package sqlstore_test

import (
	"context"
	"database/sql/driver"
	"errors"
	"testing"
)

// fakeConnector is a driver that is not sqlstore's.
type fakeConnector struct{}

func (fakeConnector) Connect(context.Context) (driver.Conn, error) {
	return nil, errors.New("fake: no connections")
}
func (fakeConnector) Driver() driver.Driver { return fakeDriver{} }

type fakeDriver struct{}

func (fakeDriver) Open(string) (driver.Conn, error) { return nil, errors.New("fake: no connections") }

func connectorOf(*testing.T) driver.Connector { return fakeConnector{} }
