// Command jobordre runs the job-order service: `dev` (everything in one process on embedded
// defaults), `api` and `worker` (production processes), `migrate`, `token`, `version`.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := rootCommand().ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "jobordre:", err)
		os.Exit(1)
	}
}

// extraCommands are added by build-tagged files (the dev stack is absent from production builds).
var extraCommands []func() *cobra.Command

func rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:           "jobordre",
		Short:         "Digital job orders (jobordrer) for Danish job centres",
		Long:          "jobordre runs job orders from an employer's request to recruit until the order is closed: one durable Temporal workflow per order, an HTTP API, PostgreSQL.",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(apiCommand(), workerCommand(), migrateCommand(), tokenCommand(), versionCommand(), healthcheckCommand())
	for _, c := range extraCommands {
		root.AddCommand(c())
	}
	return root
}
