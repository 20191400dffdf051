package devstack

import (
	"html/template"
	"net"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"gorm.io/gorm"

	"jobordre/internal/mail"
)

// MailboxPath is the dev stack's page of the e-mails the local mailbox received.
const MailboxPath = "/dev/mailbox"

// mailboxLimit is how many e-mails the page shows.
const mailboxLimit = 200

var mailboxPage = template.Must(template.New("mailbox").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>jobordre dev mailbox ({{len .Entries}})</title>
{{if .Refresh}}<meta http-equiv="refresh" content="{{.Refresh}}">{{end}}
<style>
body{font-family:system-ui,Arial,sans-serif;margin:0 auto;max-width:980px;padding:16px;color:#1a1a1a}
header p{color:#555}
article{border:1px solid #ddd;border-radius:6px;margin:16px 0;padding:12px 16px}
article h2{font-size:1.1em;margin:0 0 8px}
dl{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:2px 12px;margin:0 0 8px;font-size:.9em}
dt{color:#666}dd{margin:0;overflow-wrap:anywhere}
.status{font-weight:bold}.status-failed{color:#b00020}.status-delivered{color:#1b7a1b}
iframe{width:100%;height:420px;border:1px solid #eee}
pre{white-space:pre-wrap;background:#f7f7f7;padding:8px;font-size:.9em}
</style>
</head>
<body>
<header>
<h1>Dev mailbox</h1>
<p>The e-mails jobordre sent while no <code>SENDGRID_API_KEY</code> is set: nothing leaves this
machine, every message lands here, newest first ({{len .Entries}} shown, at most {{.Limit}}).
This page exists in <code>jobordre dev</code> only and answers requests from this machine only.
{{if .Refresh}}<a href="?">Stop refreshing</a>{{else}}<a href="?refresh=5">Refresh every 5 s</a>{{end}}</p>
</header>
<main>
{{range .Entries}}
<article id="mail-{{.OutboxID}}">
<h2>{{.Subject}}</h2>
<dl>
<dt>To</dt><dd>{{if .ToName}}{{.ToName}} {{end}}&lt;{{.ToEmail}}&gt;</dd>
<dt>From</dt><dd>{{if .FromName}}{{.FromName}} {{end}}&lt;{{.FromEmail}}&gt;</dd>
<dt>Template</dt><dd>{{.Template}}</dd>
<dt>Status</dt><dd class="status status-{{.Status}}">{{.Status}}</dd>
<dt>Time</dt><dd><time datetime="{{.CreatedAt.UTC.Format "2006-01-02T15:04:05Z07:00"}}">{{.CreatedAt.Local.Format "2006-01-02 15:04:05"}}</time></dd>
<dt>Order</dt><dd>{{.JobOrderID}}</dd>
<dt>Key</dt><dd><code>{{.IdempotencyKey}}</code></dd>
</dl>
<details open><summary>HTML</summary><iframe sandbox srcdoc="{{.HTML}}" title="{{.Subject}}"></iframe></details>
<details><summary>Plain text</summary><pre>{{.Text}}</pre></details>
</article>
{{else}}
<p>No e-mail yet. Create a job order: caseworkers get <code>new_order</code>, and reminders follow as the job centre's policy says.</p>
{{end}}
</main>
</body>
</html>
`))

// mailboxHandler serves the dev mailbox. It is registered only by the dev stack (never by
// `jobordre api`) and refuses requests that do not come from this machine: the page shows
// names, addresses and whole e-mails.
func mailboxHandler(db *gorm.DB) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !fromLoopback(c.Request) {
			c.Header("Cache-Control", "no-store")
			c.String(http.StatusForbidden, "the dev mailbox answers requests from this machine only\n")
			return
		}
		entries, err := mail.ListMailbox(c.Request.Context(), db, mailboxLimit)
		if err != nil {
			_ = c.Error(err)
			c.String(http.StatusInternalServerError, "could not read the mailbox: %v\n", err)
			return
		}
		refresh := 0
		if v, err := strconv.Atoi(c.Query("refresh")); err == nil && v >= 1 && v <= 3600 {
			refresh = v
		}
		h := c.Writer.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Cache-Control", "no-store")
		// The mails are shown in sandboxed srcdoc frames, which inherit this policy: no scripts,
		// no remote loads, inline styles only.
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
		c.Status(http.StatusOK)
		if err := mailboxPage.Execute(c.Writer, map[string]any{"Entries": entries, "Limit": mailboxLimit, "Refresh": refresh}); err != nil {
			_ = c.Error(err)
		}
	}
}

// fromLoopback tells whether the request's peer is this machine.
func fromLoopback(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
