// Package temporalx dials Temporal for jobordre and registers the search attributes the workflows use.
package temporalx

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/contrib/envconfig"
	sdklog "go.temporal.io/sdk/log"
)

// Custom search attribute names; list views in Temporal's UI and tools filter on them.
const (
	SAStatus               = "JobOrderStatus"
	SAResponsibleJobcenter = "ResponsibleJobcenter"
	SASharingLevel         = "SharingLevel"
	SACoordinator          = "Coordinator"
)

// SearchAttributes are the custom search attributes every jobordre namespace needs.
var SearchAttributes = map[string]enumspb.IndexedValueType{
	SAStatus:               enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	SAResponsibleJobcenter: enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	SASharingLevel:         enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	SACoordinator:          enumspb.INDEXED_VALUE_TYPE_KEYWORD,
}

// DialOptions says where Temporal is; empty fields fall back to the SDK's environment configuration
// (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_*).
type DialOptions struct {
	Address   string
	Namespace string
	Logger    *slog.Logger
	// MetricsHandler receives the SDK's metrics; nil means none.
	MetricsHandler client.MetricsHandler
	// UseEnvConfig loads TLS and API-key settings from the SDK's environment configuration.
	UseEnvConfig bool
	// Uncompressed turns off the SDK's default gzip of every gRPC request: on loopback (the dev
	// stack's embedded server) compressing costs both ends CPU and saves nothing.
	Uncompressed bool
}

// Dial connects to Temporal and checks the connection with a health call.
func Dial(ctx context.Context, o DialOptions) (client.Client, error) {
	var opts client.Options
	if o.UseEnvConfig {
		loaded, err := envconfig.LoadDefaultClientOptions()
		if err != nil {
			return nil, fmt.Errorf("temporal client configuration: %w", err)
		}
		opts = loaded
	}
	if o.Address != "" {
		opts.HostPort = o.Address
	}
	if o.Namespace != "" {
		opts.Namespace = o.Namespace
	}
	if o.Logger != nil {
		opts.Logger = sdklog.NewStructuredLogger(o.Logger.With("component", "temporal-sdk"))
	}
	if o.MetricsHandler != nil {
		opts.MetricsHandler = o.MetricsHandler
	}
	if o.Uncompressed {
		opts.ConnectionOptions.GrpcCompression = &client.GrpcCompressionNone{}
	}
	c, err := client.DialContext(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("dial temporal at %s: %w", opts.HostPort, err)
	}
	return c, nil
}

// EnsureSearchAttributes registers the missing custom search attributes on the namespace.
// It is idempotent: attributes that already exist are left alone, so it runs at every start.
func EnsureSearchAttributes(ctx context.Context, c client.Client, namespace string) error {
	ops := c.OperatorService()
	existing, err := ops.ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: namespace})
	if err != nil {
		return fmt.Errorf("list search attributes: %w", err)
	}
	missing := map[string]enumspb.IndexedValueType{}
	for name, typ := range SearchAttributes {
		if have, ok := existing.GetCustomAttributes()[name]; ok {
			if have != typ {
				return fmt.Errorf("search attribute %s exists with type %s, jobordre needs %s", name, have, typ)
			}
			continue
		}
		missing[name] = typ
	}
	if len(missing) == 0 {
		return nil
	}
	_, err = ops.AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
		Namespace:        namespace,
		SearchAttributes: missing,
	})
	var exists *serviceerror.AlreadyExists
	if err != nil && !errors.As(err, &exists) {
		return fmt.Errorf("add search attributes: %w", err)
	}
	return nil
}

// WaitReady polls the frontend until it answers or ctx ends.
func WaitReady(ctx context.Context, c client.Client) error {
	for {
		_, err := c.CheckHealth(ctx, &client.CheckHealthRequest{})
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("temporal not ready: %w", err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}
