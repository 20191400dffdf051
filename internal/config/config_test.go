package config

import (
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDefaultsApplyWhenTheEnvironmentIsEmpty(t *testing.T) {
	c, err := FromEnv(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTPAddr != ":8080" || c.DataDir != "./data" || c.TemporalPort != 7233 || c.UIPort != 8233 ||
		c.TemporalNamespace != "default" || !c.AutoMigrate || c.MaxBodyBytes != 1<<20 {
		t.Fatalf("defaults: %+v", c)
	}
}

func TestEnvironmentOverridesDefaults(t *testing.T) {
	c, err := FromEnv(env(map[string]string{
		"JOBORDRE_HTTP_ADDR": "127.0.0.1:9000", "JOBORDRE_DATA_DIR": "/tmp/x", "JOBORDRE_TEMPORAL_PORT": "7300",
		"JOBORDRE_UI_PORT": "0", "DATABASE_URL": "postgres://u@h/db", "JOBORDRE_AUTO_MIGRATE": "false",
		"JOBORDRE_QUERY_TIMEOUT": "5s", "JOBORDRE_PUBLIC_BASE_URL": "https://jobordre.example.dk/",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTPAddr != "127.0.0.1:9000" || c.DataDir != "/tmp/x" || c.TemporalPort != 7300 || c.UIPort != 0 ||
		c.DatabaseURL != "postgres://u@h/db" || c.AutoMigrate || c.QueryTimeout != 5*time.Second ||
		c.PublicBaseURL != "https://jobordre.example.dk" {
		t.Fatalf("overrides: %+v", c)
	}
}

func TestBadValuesNameTheVariable(t *testing.T) {
	_, err := FromEnv(env(map[string]string{"JOBORDRE_TEMPORAL_PORT": "seventy", "JOBORDRE_AUTO_MIGRATE": "maybe", "JOBORDRE_LOG_LEVEL": "loud"}))
	if err == nil {
		t.Fatal("bad values must be refused")
	}
	for _, name := range []string{"JOBORDRE_TEMPORAL_PORT", "JOBORDRE_AUTO_MIGRATE", "JOBORDRE_LOG_LEVEL"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error does not name %s: %v", name, err)
		}
	}
}

func TestSendGridSettingsAndTheirDefaults(t *testing.T) {
	c, err := FromEnv(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Mail.SendGridAPIKey != "" || c.Mail.SendGridSandbox || c.Mail.SendGridAPIHost != "https://api.sendgrid.com" ||
		c.Mail.FromEmail != "jobordre@localhost" || c.Mail.FromName != "jobordre" || c.Mail.WebhookPublicKey != "" {
		t.Fatalf("mail defaults: %+v", c.Mail)
	}
	key := "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEEDr2LjtURuePQzplybdC+u4CwrqDqBaWjcMMsTbhdbcwHBcepxo7yAQGhHPTnlvFYPAZFceEu/1FwCM/QmGUhA=="
	c, err = FromEnv(env(map[string]string{
		"SENDGRID_API_KEY": "SG.x", "SENDGRID_SANDBOX": "true", "SENDGRID_API_HOST": "https://api.eu.sendgrid.com/",
		"SENDGRID_FROM_EMAIL": "jobordre@aarhus.dk", "SENDGRID_FROM_NAME": "Jobcenter Aarhus",
		"JOBORDRE_SENDGRID_WEBHOOK_PUBLIC_KEY": key,
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Mail.SendGridAPIKey != "SG.x" || !c.Mail.SendGridSandbox || c.Mail.SendGridAPIHost != "https://api.eu.sendgrid.com" ||
		c.Mail.FromEmail != "jobordre@aarhus.dk" || c.Mail.FromName != "Jobcenter Aarhus" || c.Mail.WebhookPublicKey != key {
		t.Fatalf("mail settings: %+v", c.Mail)
	}
	_, err = FromEnv(env(map[string]string{"SENDGRID_API_KEY": "SG.x", "SENDGRID_SANDBOX": "yes please",
		"SENDGRID_API_HOST": "api.sendgrid.com", "JOBORDRE_SENDGRID_WEBHOOK_PUBLIC_KEY": "not a key"}))
	for _, name := range []string{"SENDGRID_FROM_EMAIL", "SENDGRID_SANDBOX", "SENDGRID_API_HOST", "JOBORDRE_SENDGRID_WEBHOOK_PUBLIC_KEY"} {
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("error does not name %s: %v", name, err)
		}
	}
}

// The removed contact persons' period is national: P180D unless set, any positive ISO 8601
// duration when set, and anything else is refused naming the variable.
func TestTheRemovedContactsPeriodDefaultsToHalfAYearAndRefusesWhatIsNoPeriod(t *testing.T) {
	c, err := FromEnv(env(nil))
	if err != nil || c.RetentionRemovedContacts != "P180D" {
		t.Fatalf("default %q, %v; want P180D", c.RetentionRemovedContacts, err)
	}
	c, err = FromEnv(env(map[string]string{"JOBORDRE_RETENTION_REMOVED_CONTACTS": "P90D"}))
	if err != nil || c.RetentionRemovedContacts != "P90D" {
		t.Fatalf("set P90D: %q, %v", c.RetentionRemovedContacts, err)
	}
	for _, bad := range []string{"180", "P0D", "-P1D", "half a year"} {
		_, err := FromEnv(env(map[string]string{"JOBORDRE_RETENTION_REMOVED_CONTACTS": bad}))
		if err == nil || !strings.Contains(err.Error(), "JOBORDRE_RETENTION_REMOVED_CONTACTS") {
			t.Errorf("%q: %v, want refused naming the variable", bad, err)
		}
	}
}
