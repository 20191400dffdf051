package devstack

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"jobordre/internal/dbtest"
	"jobordre/internal/mail"
)

func TestMailboxPageListsTheMailsNewestFirstToThisMachineOnly(t *testing.T) {
	ctx := context.Background()
	db := dbtest.SQLite(t)
	box, err := mail.NewMailbox(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	for i, subject := range []string{"Ny jobordre: Tømrer – Jobcenter Aarhus", "Påmindelse: <kontakt> & co"} {
		if _, err := box.Send(ctx, mail.Message{OutboxID: uint64(i + 1), IdempotencyKey: "k/" + subject, Template: "new_order",
			To: mail.Address{Name: "Ida", Email: "ida@aarhus.example"}, Subject: subject,
			Text: "Hej Ida,\n", HTML: `<p style="color:red">Hej <b>Ida</b> &amp; co</p><script>alert(1)</script>`}); err != nil {
			t.Fatal(err)
		}
	}
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.GET(MailboxPath, mailboxHandler(db))

	req := httptest.NewRequest(http.MethodGet, MailboxPath, nil)
	req.RemoteAddr = "127.0.0.1:50000"
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, req)
	body, _ := io.ReadAll(rec.Body)
	page := string(body)
	if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") || !strings.Contains(rec.Header().Get("Content-Security-Policy"), "default-src 'none'") {
		t.Fatalf("%d %v", rec.Code, rec.Header())
	}
	second := strings.Index(page, "Påmindelse: &lt;kontakt&gt; &amp; co")
	first := strings.Index(page, "Ny jobordre: Tømrer – Jobcenter Aarhus")
	if first < 0 || second < 0 || second > first {
		t.Fatalf("subjects missing or not newest first:\n%s", page)
	}
	if !strings.Contains(page, `sandbox srcdoc="&lt;p style=&#34;color:red&#34;&gt;Hej &lt;b&gt;Ida&lt;/b&gt; &amp;amp; co&lt;/p&gt;&lt;script&gt;`) ||
		strings.Contains(page, "<script>") || !strings.Contains(page, "Hej Ida,") || !strings.Contains(page, "ida@aarhus.example") {
		t.Fatalf("bodies not shown safely:\n%s", page)
	}

	req = httptest.NewRequest(http.MethodGet, MailboxPath, nil)
	req.RemoteAddr = "192.0.2.10:50000"
	rec = httptest.NewRecorder()
	r.ServeHTTP(rec, req)
	if rec.Code != http.StatusForbidden || strings.Contains(rec.Body.String(), "ida@") {
		t.Fatalf("a request from another machine: %d %s", rec.Code, rec.Body)
	}
}
