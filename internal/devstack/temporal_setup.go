package devstack

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	namespacepb "go.temporal.io/api/namespace/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"google.golang.org/protobuf/types/known/durationpb"
)

// permanentError marks a set-up failure that retrying will not fix.
type permanentError struct{ error }

func (e permanentError) Unwrap() error { return e.error }

// waitReadyAndSetUp waits until the frontend answers health checks, then makes
// sure the namespace has the requested search attributes and retention. For a
// new database both were written before start; for an existing one they are
// reconciled here, since CreateNamespaces leaves existing namespaces alone.
func (s *TemporalServer) waitReadyAndSetUp(ctx context.Context, opts TemporalOptions) error {
	c, err := client.NewLazyClient(client.Options{
		HostPort:  s.frontendAddr,
		Namespace: opts.Namespace,
		Logger:    sdklog.NewStructuredLogger(thresholdSlog(opts.Logger, s.logLevel)),
	})
	if err != nil {
		return fmt.Errorf("create temporal client for %s: %w", s.frontendAddr, err)
	}
	defer c.Close()

	err = retry(ctx, func(ctx context.Context) error {
		_, err := c.CheckHealth(ctx, &client.CheckHealthRequest{})
		return err
	})
	if err != nil {
		return fmt.Errorf("temporal frontend at %s did not become healthy within %s: %w",
			s.frontendAddr, startupTimeout, err)
	}

	if err := retry(ctx, func(ctx context.Context) error {
		return ensureSearchAttributes(ctx, c, opts.Namespace, opts.SearchAttributes)
	}); err != nil {
		return fmt.Errorf("register search attributes in namespace %s: %w", opts.Namespace, err)
	}
	if err := retry(ctx, func(ctx context.Context) error {
		return ensureRetention(ctx, c, opts.Namespace, opts.Retention)
	}); err != nil {
		return fmt.Errorf("set retention of namespace %s: %w", opts.Namespace, err)
	}
	return nil
}

// retry calls fn until it succeeds, fails permanently, or ctx ends; it returns
// the last error.
func retry(ctx context.Context, fn func(context.Context) error) error {
	const perCall = 5 * time.Second
	delay := 50 * time.Millisecond
	for {
		callCtx, cancel := context.WithTimeout(ctx, perCall)
		err := fn(callCtx)
		cancel()
		if err == nil {
			return nil
		}
		var perm permanentError
		if errors.As(err, &perm) {
			return perm.error
		}
		var invalid *serviceerror.InvalidArgument
		if errors.As(err, &invalid) {
			return err // e.g. no free pre-allocated column for another search attribute
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(delay):
		}
		delay = min(delay*2, time.Second)
	}
}

// ensureSearchAttributes adds the custom search attributes missing from the
// namespace, and fails if one exists with a different type. After adding one it waits until
// every service's cache has it (the server does not refresh on read).
func ensureSearchAttributes(ctx context.Context, c client.Client, namespace string, want map[string]enumspb.IndexedValueType) error {
	if len(want) == 0 {
		return nil
	}
	resp, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{
		Namespace: namespace,
	})
	if err != nil {
		return err
	}
	have := resp.GetCustomAttributes()
	missing := map[string]enumspb.IndexedValueType{}
	var conflicts []string
	for name, typ := range want {
		got, ok := have[name]
		if !ok {
			if sys, isSystem := resp.GetSystemAttributes()[name]; isSystem {
				conflicts = append(conflicts, fmt.Sprintf("%s is a system search attribute (type %s)", name, sys))
				continue
			}
			missing[name] = typ
			continue
		}
		if got != typ {
			conflicts = append(conflicts, fmt.Sprintf("%s has type %s, want %s", name, got, typ))
		}
	}
	if len(conflicts) > 0 {
		sort.Strings(conflicts)
		return permanentError{fmt.Errorf("existing search attributes do not match: %v", conflicts)}
	}
	if len(missing) == 0 {
		return nil
	}
	_, err = c.OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
		Namespace:        namespace,
		SearchAttributes: missing,
	})
	if err != nil {
		return err
	}
	// Each service of the server caches the search attributes for a minute; a workflow that
	// upserts the new one before its history service has seen it would fail its task. Only a
	// data dir from before an attribute was added gets here, once.
	select {
	case <-time.After(searchAttributeCacheRefresh):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// searchAttributeCacheRefresh is a little more than the server's search-attribute cache
// refresh interval (cacheRefreshInterval in go.temporal.io/server/common/searchattribute).
const searchAttributeCacheRefresh = 61 * time.Second

// ensureRetention raises the namespace's retention to at least want.
func ensureRetention(ctx context.Context, c client.Client, namespace string, want time.Duration) error {
	desc, err := c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{
		Namespace: namespace,
	})
	if err != nil {
		return err
	}
	if desc.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration() >= want {
		return nil
	}
	_, err = c.WorkflowService().UpdateNamespace(ctx, &workflowservice.UpdateNamespaceRequest{
		Namespace: namespace,
		Config: &namespacepb.NamespaceConfig{
			WorkflowExecutionRetentionTtl: durationpb.New(want),
		},
	})
	return err
}
