package devstack

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	uiserver "github.com/temporalio/ui-server/v2/server"
	uiconfig "github.com/temporalio/ui-server/v2/server/config"
	uiserveroptions "github.com/temporalio/ui-server/v2/server/server_options"
)

// uiReadyTimeout bounds how long startUI waits for the Web UI port to accept connections.
const uiReadyTimeout = 5 * time.Second

// webUI is a running Temporal Web UI server.
type webUI struct {
	srv  *uiserver.Server
	done chan struct{} // closed when the server's Start returns
}

// startUI serves the Temporal Web UI on host:port, talking to the frontend at
// frontendAddr, and returns once the port accepts TCP connections.
//
// The caller must have checked that the port is free: ui-server's Start ends
// the process (echo Logger.Fatal) when it cannot listen, so we only call it
// after a successful bind probe.
func startUI(host string, port int, frontendAddr, namespace string) (_ *webUI, err error) {
	cfg := &uiconfig.Config{
		Host:                bracketIPv6(host), // ui-server formats "host:port" itself
		Port:                port,
		TemporalGRPCAddress: frontendAddr,
		EnableUI:            true,
		DefaultNamespace:    namespace,
		CORS:                uiconfig.CORS{CookieInsecure: true}, // plain http on localhost
		HideLogs:            true,
		DisableNewsFetch:    true, // no internet needed
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("web UI config: %w", err)
	}

	// NewServer panics on configuration and asset errors; turn that into an error.
	var srv *uiserver.Server
	func() {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("create web UI server: %v", r)
			}
		}()
		srv = uiserver.NewServer(uiserveroptions.WithConfigProvider(cfg))
	}()
	if err != nil {
		return nil, err
	}

	if err := checkPortFree(host, port); err != nil {
		return nil, fmt.Errorf("web UI port %d on %s is not available: %w", port, host, err)
	}

	ui := &webUI{srv: srv, done: make(chan struct{})}
	result := make(chan error, 1) // receives Start's outcome exactly once
	go func() {
		defer close(ui.done)
		defer func() {
			if r := recover(); r != nil {
				result <- fmt.Errorf("web UI server panicked: %v", r)
			}
		}()
		// Start blocks until Stop; it returns nil after a clean shutdown.
		result <- srv.Start()
	}()

	addr := net.JoinHostPort(host, strconv.Itoa(port))
	deadline := time.Now().Add(uiReadyTimeout)
	for {
		conn, dialErr := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if dialErr == nil {
			_ = conn.Close()
			return ui, nil
		}
		select {
		case err := <-result:
			if err == nil {
				err = errors.New("server stopped during start-up")
			}
			return nil, fmt.Errorf("web UI on %s: %w", addr, err)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			ui.stop()
			return nil, fmt.Errorf("web UI on %s did not accept connections within %s: %w",
				addr, uiReadyTimeout, dialErr)
		}
	}
}

// bracketIPv6 wraps an IPv6 address in square brackets.
func bracketIPv6(host string) string {
	if ip := net.ParseIP(host); ip != nil && ip.To4() == nil {
		return "[" + host + "]"
	}
	return host
}

// stop shuts the UI server down and waits (bounded) for its Start to return.
func (u *webUI) stop() {
	if u == nil {
		return
	}
	u.srv.Stop()
	select {
	case <-u.done:
	case <-time.After(5 * time.Second):
	}
}
