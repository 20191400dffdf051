package main

import (
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=..."; "dev" otherwise.
var version = "dev"

func versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version and the Temporal SDK it was built with",
		RunE: func(cmd *cobra.Command, _ []string) error {
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "jobordre %s\n", version)
			if info, ok := debug.ReadBuildInfo(); ok {
				fmt.Fprintf(out, "go %s\n", info.GoVersion)
				for _, dep := range info.Deps {
					if dep.Path == "go.temporal.io/sdk" || dep.Path == "go.temporal.io/server" {
						fmt.Fprintf(out, "%s %s\n", dep.Path, dep.Version)
					}
				}
			}
			return nil
		},
	}
}
