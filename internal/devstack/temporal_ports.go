package devstack

import (
	"fmt"
	"net"
	"runtime"
	"strconv"
)

// freePort asks the kernel for an unused TCP port on host.
//
// On Linux the kernel hands out ephemeral ports in random order and may give
// the same number again soon after the probe listener is closed. To make that
// unlikely we connect to the probe listener and close the accepted side first:
// the port then sits in TIME_WAIT, which keeps bind(:0) from choosing it again
// for a while, while an explicit bind with SO_REUSEADDR (Go's default for
// listeners) still succeeds.
func freePort(host string) (int, error) {
	l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return 0, fmt.Errorf("find free port on %s: %w", host, err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port

	if runtime.GOOS == "darwin" || runtime.GOOS == "windows" {
		// These allocate ephemeral ports sequentially; no reservation needed.
		return port, nil
	}
	client, err := net.Dial("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		return 0, fmt.Errorf("find free port on %s: %w", host, err)
	}
	defer client.Close()
	server, err := l.Accept()
	if err != nil {
		return 0, fmt.Errorf("find free port on %s: %w", host, err)
	}
	// Closing the server side first is what leaves the port in TIME_WAIT.
	_ = server.Close()
	return port, nil
}

// checkPortFree reports an error when host:port cannot be listened on right now.
func checkPortFree(host string, port int) error {
	l, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		return err
	}
	return l.Close()
}

// portOrFree returns port unchanged when it is set, after checking it can be
// bound, or a free port on host when it is 0.
func portOrFree(host string, port int, what string) (int, error) {
	if port == 0 {
		p, err := freePort(host)
		if err != nil {
			return 0, fmt.Errorf("%s port: %w", what, err)
		}
		return p, nil
	}
	if err := checkPortFree(host, port); err != nil {
		return 0, fmt.Errorf("%s port %d on %s is not available: %w", what, port, host, err)
	}
	return port, nil
}
