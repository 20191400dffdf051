package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"jobordre/internal/app"
	"jobordre/internal/auth"
)

func tokenCommand() *cobra.Command {
	var p auth.Principal
	var ttl time.Duration
	var dataDir string
	cmd := &cobra.Command{
		Use:   "token --role employer|caseworker|manager|admin|system --sub ID [--cvr N] [--jobcenter CODE]",
		Short: "Print a signed bearer token for local use",
		Long: `Print an HS256 bearer token signed with JOBORDRE_JWT_SECRET or, when that is unset, with the
secret that 'jobordre dev' keeps in its data dir.

A system token (--role system) is a job centre's case system registering and keeping that job
centre's orders (docs/integration.md); in production it comes from the identity provider's OAuth
2.0 client-credentials grant. Its --sub defaults to system-<jobcenter>.`,
		Example: `  jobordre token --role employer --sub anna@firma.dk --cvr 10103940
  jobordre token --role caseworker --sub cw-42 --jobcenter 751
  jobordre token --role system --jobcenter 751`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if p.Subject == "" {
				if p.Role != auth.RoleSystem {
					return fmt.Errorf("required flag \"sub\" not set")
				}
				p.Subject = auth.RoleSystem + "-" + p.Jobcenter
			}
			cfg, _, err := loadConfig()
			if err != nil {
				return err
			}
			applyFlags(cmd, map[string]func(){"data-dir": func() { cfg.DataDir = dataDir }})
			secret := cfg.JWTSecret
			if secret == "" {
				if secret, err = auth.LoadSecret(cfg.DataDir); err != nil {
					return err
				}
			}
			signer, err := app.HS256Verifier(cfg, secret)
			if err != nil {
				return err
			}
			tok, err := signer.Sign(p, ttl)
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), tok)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&p.Role, "role", "", "employer, caseworker, manager, admin or system (required)")
	f.StringVar(&p.Subject, "sub", "", "the caller's stable ID (required; for a system, system-<jobcenter> when left out)")
	f.StringVar(&p.CVR, "cvr", "", "the employer's CVR number (employers)")
	f.StringVar(&p.Jobcenter, "jobcenter", "", "the job centre code (caseworkers, managers and systems)")
	f.StringVar(&p.Name, "name", "", "display name")
	f.StringVar(&p.Email, "email", "", "e-mail address")
	f.StringVar(&p.Phone, "phone", "", "phone number (the phone_number claim; shown to employers for a coordinator)")
	f.DurationVar(&ttl, "ttl", 24*time.Hour, "how long the token is valid")
	f.StringVar(&dataDir, "data-dir", "./data", "dev data dir holding the generated secret (env JOBORDRE_DATA_DIR)")
	_ = cmd.MarkFlagRequired("role")
	return cmd
}
