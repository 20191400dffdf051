package orders_test

import (
	"os"
	"testing"

	"jobordre/internal/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
