//go:build !production

package main

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"jobordre/internal/webhooks/receiver"
)

func init() { extraCommands = append(extraCommands, webhookReceiverCommand) }

// webhookReceiverCommand is the reference receiver: a dev tool for trying the webhook feed (and
// the receiving end of the integration tests), so it is absent from production builds like `dev`.
func webhookReceiverCommand() *cobra.Command {
	var listen, apiURL, token string
	var secrets []string
	var tolerance time.Duration
	cmd := &cobra.Command{
		Use:   "webhook-receiver --secret whsec_... [--listen 127.0.0.1:8099] [--api URL --token TOKEN]",
		Short: "Receive webhooks: verify each signature, print the event, fetch the order (dev tool)",
		Long: `Listen for webhook deliveries, verify their Standard Webhooks signatures (webhook-id,
webhook-timestamp, webhook-signature) with the subscription's secret, print one line per event and
fetch the order it names with GET /api/v1/job-orders/{id} using --token, as a case system does.
A delivery that does not verify is answered 401; a repeated webhook-id is taken and marked as a
duplicate. Give --secret twice during a secret rotation. Not in production builds.

The secret comes from --secret or JOBORDRE_WEBHOOK_SECRET, the token from --token or
JOBORDRE_RECEIVER_TOKEN.`,
		Example: `  SECRET=$(curl -s -X POST localhost:8080/api/v1/webhook-subscriptions -H "Authorization: Bearer $MANAGER" \
    -H 'Content-Type: application/json' -d '{"url": "http://127.0.0.1:8099/"}' | jq -r .secret)
  jobordre webhook-receiver --secret "$SECRET" --api http://localhost:8080 \
    --token "$(jobordre token --role system --jobcenter 751)"`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if len(secrets) == 0 {
				if s := os.Getenv("JOBORDRE_WEBHOOK_SECRET"); s != "" {
					secrets = strings.Fields(s)
				}
			}
			if len(secrets) == 0 {
				return errors.New("give the subscription's secret with --secret (or JOBORDRE_WEBHOOK_SECRET)")
			}
			for _, s := range secrets {
				if !strings.HasPrefix(s, "whsec_") {
					return fmt.Errorf("secret %q… does not start with whsec_", s[:min(len(s), 8)])
				}
			}
			if token == "" {
				token = os.Getenv("JOBORDRE_RECEIVER_TOKEN")
			}
			out := cmd.OutOrStdout()
			if apiURL != "" && token == "" {
				fmt.Fprintln(out, "no --token: orders will be fetched without one (the API answers 401)")
			}
			r := receiver.New(receiver.Config{Secrets: secrets, Tolerance: tolerance, APIURL: apiURL, Token: token, Out: out})
			ln, err := net.Listen("tcp", listen)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "webhook receiver listening on http://%s/ (subscribe this URL; Ctrl-C stops)\n", ln.Addr())
			srv := &http.Server{Handler: r, ReadHeaderTimeout: 10 * time.Second}
			go func() {
				<-cmd.Context().Done()
				_ = srv.Close()
			}()
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&listen, "listen", "127.0.0.1:8099", "address to listen on")
	f.StringArrayVar(&secrets, "secret", nil, "the subscription's signing secret, whsec_... (repeat during a rotation)")
	f.StringVar(&apiURL, "api", "", "the jobordre API's base URL to fetch each event's order from (none: do not fetch)")
	f.StringVar(&token, "token", "", "bearer token for fetching orders")
	f.DurationVar(&tolerance, "tolerance", 5*time.Minute, "how far webhook-timestamp may be from this clock")
	return cmd
}
