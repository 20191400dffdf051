package deploytest

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
	"gopkg.in/yaml.v3"
)

const composeFile = "docker-compose.yml"

// Values the test feeds to interpolation; seeing them in the loaded project proves the file
// takes its secrets from the environment instead of hard-coding them.
const (
	testJWTSecret = "test-jwt-secret-0123456789abcdef0123456789abcdef"
	testPGPass    = "test-postgres-password"
)

// The services of the production shape, and which of them run once and exit.
var (
	wantServices = []string{
		"api", "migrate", "postgres", "temporal", "temporal-namespace",
		"temporal-schema", "temporal-ui", "worker",
	}
	oneShot = map[string]bool{"temporal-schema": true, "temporal-namespace": true, "migrate": true}
)

// The custom search attributes the job-order workflows need (internal/temporalx.SearchAttributes).
var searchAttributes = []string{"JobOrderStatus", "ResponsibleJobcenter", "SharingLevel", "Coordinator"}

// loadCompose loads docker-compose.yml as `docker compose` would, with env as the only
// environment: neither the OS environment nor a local .env file leaks into the test.
func loadCompose(t *testing.T, env map[string]string) (*types.Project, error) {
	t.Helper()
	var kv []string
	for k, v := range env {
		kv = append(kv, k+"="+v)
	}
	opts, err := cli.NewProjectOptions(
		[]string{filepath.Join(repoRoot, composeFile)},
		cli.WithWorkingDirectory(repoRoot),
		cli.WithEnv(kv),
	)
	if err != nil {
		t.Fatalf("compose project options: %v", err)
	}
	return opts.LoadProject(context.Background())
}

func validEnv() map[string]string {
	return map[string]string{"JOBORDRE_JWT_SECRET": testJWTSecret, "POSTGRES_PASSWORD": testPGPass}
}

func mustLoadCompose(t *testing.T) *types.Project {
	t.Helper()
	p, err := loadCompose(t, validEnv())
	if err != nil {
		t.Fatalf("load %s: %v", composeFile, err)
	}
	return p
}

func service(t *testing.T, p *types.Project, name string) types.ServiceConfig {
	t.Helper()
	s, ok := p.Services[name]
	if !ok {
		t.Fatalf("service %q missing", name)
	}
	return s
}

func env(s types.ServiceConfig, key string) (string, bool) {
	v, ok := s.Environment[key]
	if !ok || v == nil {
		return "", false
	}
	return *v, true
}

// imageTag splits "repo:tag" (no digest in this file).
func imageTag(image string) (repo, tag string) {
	i := strings.LastIndex(image, ":")
	if i < 0 || strings.Contains(image[i:], "/") {
		return image, ""
	}
	return image[:i], image[i+1:]
}

func TestComposeServices(t *testing.T) {
	p := mustLoadCompose(t)
	if p.Name != "jobordre" {
		t.Errorf("project name = %q, want jobordre (it prefixes volume and network names)", p.Name)
	}
	got := p.ServiceNames()
	slices.Sort(got)
	if !slices.Equal(got, wantServices) {
		t.Fatalf("services = %v, want %v", got, wantServices)
	}
	if len(p.DisabledServices) > 0 {
		t.Errorf("services behind profiles %v would not start with a plain `docker compose up`", p.DisabledServices)
	}
}

func TestComposeImages(t *testing.T) {
	p := mustLoadCompose(t)
	mod := parseGoMod(t)
	server := strings.TrimPrefix(mod.requires["go.temporal.io/server"], "v")
	ui := strings.TrimPrefix(mod.requires["github.com/temporalio/ui-server/v2"], "v")
	if server == "" || ui == "" {
		t.Fatalf("go.mod does not require go.temporal.io/server (%q) and github.com/temporalio/ui-server/v2 (%q)", server, ui)
	}
	// The production Temporal images run the same releases the dev stack embeds through go.mod.
	want := map[string]string{
		"postgres":           "postgres:16",
		"temporal-schema":    "temporalio/admin-tools:" + server,
		"temporal":           "temporalio/server:" + server,
		"temporal-namespace": "temporalio/admin-tools:" + server,
		"temporal-ui":        "temporalio/ui:" + ui,
		"migrate":            "jobordre:latest",
		"api":                "jobordre:latest",
		"worker":             "jobordre:latest",
	}
	for name, image := range want {
		if got := service(t, p, name).Image; got != image {
			t.Errorf("%s image = %q, want %q", name, got, image)
		}
	}
	for name, s := range p.Services {
		if _, tag := imageTag(s.Image); tag == "" || tag == "latest" && !strings.HasPrefix(s.Image, "jobordre:") {
			t.Errorf("%s image %q is not pinned to a release tag", name, s.Image)
		}
	}
}

func TestComposeJobordreBuild(t *testing.T) {
	p := mustLoadCompose(t)
	root, err := filepath.Abs(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	wantCmd := map[string]string{"api": "api", "worker": "worker", "migrate": "migrate"}
	for name, cmd := range wantCmd {
		s := service(t, p, name)
		if s.Build == nil {
			t.Errorf("%s has no build section", name)
			continue
		}
		if s.Build.Context != root {
			t.Errorf("%s build context = %q, want the repository root %q", name, s.Build.Context, root)
		}
		if s.Build.Dockerfile != "Dockerfile" {
			t.Errorf("%s dockerfile = %q, want Dockerfile", name, s.Build.Dockerfile)
		}
		if _, err := os.Stat(filepath.Join(s.Build.Context, s.Build.Dockerfile)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if !slices.Equal([]string(s.Command), []string{cmd}) {
			t.Errorf("%s command = %q, want [%q]", name, s.Command, cmd)
		}
		if len(s.Entrypoint) > 0 {
			t.Errorf("%s overrides the image entrypoint with %q; it must stay /jobordre", name, s.Entrypoint)
		}
	}
}

func TestComposeDependsOn(t *testing.T) {
	p := mustLoadCompose(t)
	const (
		healthy   = types.ServiceConditionHealthy
		completed = types.ServiceConditionCompletedSuccessfully
	)
	app := map[string]string{
		"postgres":           healthy,
		"temporal":           healthy,
		"temporal-namespace": completed,
		"migrate":            completed,
	}
	want := map[string]map[string]string{
		"postgres":           {},
		"temporal-schema":    {"postgres": healthy},
		"temporal":           {"postgres": healthy, "temporal-schema": completed},
		"temporal-namespace": {"temporal": healthy},
		"temporal-ui":        {"temporal": healthy},
		"migrate":            {"postgres": healthy},
		"api":                app,
		"worker":             app,
	}
	for name, deps := range want {
		got := map[string]string{}
		for dep, d := range service(t, p, name).DependsOn {
			got[dep] = d.Condition
			if !d.Required {
				t.Errorf("%s: dependency %s is not required", name, dep)
			}
		}
		if len(got) != len(deps) {
			t.Errorf("%s depends_on = %v, want %v", name, got, deps)
			continue
		}
		for dep, cond := range deps {
			if got[dep] != cond {
				t.Errorf("%s depends_on %s: condition %q, want %q", name, dep, got[dep], cond)
			}
		}
	}
}

func TestComposePorts(t *testing.T) {
	p := mustLoadCompose(t)
	type port struct{ published, target string }
	want := map[string][]port{
		"api":         {{"8080", "8080"}},
		"temporal-ui": {{"8233", "8080"}},
	}
	for name, s := range p.Services {
		var got []port
		for _, pc := range s.Ports {
			got = append(got, port{pc.Published, itoa(pc.Target)})
		}
		if !slices.Equal(got, want[name]) {
			t.Errorf("%s publishes %v, want %v (PostgreSQL and Temporal stay on the compose network)", name, got, want[name])
		}
	}
	// The UI has no login: published on loopback unless the operator opts in.
	if ui := service(t, p, "temporal-ui").Ports; len(ui) == 1 && ui[0].HostIP != "127.0.0.1" {
		t.Errorf("temporal-ui is published on %q, want 127.0.0.1 by default", ui[0].HostIP)
	}
}

func itoa(n uint32) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

func TestComposeJobordreEnvironment(t *testing.T) {
	p := mustLoadCompose(t)
	for _, name := range []string{"api", "worker", "migrate"} {
		s := service(t, p, name)
		for _, key := range []string{"DATABASE_URL", "TEMPORAL_ADDRESS", "TEMPORAL_NAMESPACE", "JOBORDRE_JWT_SECRET", "JOBORDRE_TASK_QUEUE"} {
			if v, ok := env(s, key); !ok || v == "" {
				t.Errorf("%s: %s is not set", name, key)
			}
		}
		if v, _ := env(s, "JOBORDRE_JWT_SECRET"); v != testJWTSecret {
			t.Errorf("%s: JOBORDRE_JWT_SECRET = %q, want the value from the environment", name, v)
		}
		if v, _ := env(s, "JOBORDRE_AUTO_MIGRATE"); v != "false" {
			t.Errorf("%s: JOBORDRE_AUTO_MIGRATE = %q, want \"false\" (the migrate service owns the schema)", name, v)
		}
		if v, _ := env(s, "TEMPORAL_ADDRESS"); v != "temporal:7233" {
			t.Errorf("%s: TEMPORAL_ADDRESS = %q, want temporal:7233", name, v)
		}
		if v, _ := env(s, "TEMPORAL_NAMESPACE"); v != "default" {
			t.Errorf("%s: TEMPORAL_NAMESPACE = %q, want default", name, v)
		}
		raw, _ := env(s, "DATABASE_URL")
		u, err := url.Parse(raw)
		if err != nil {
			t.Errorf("%s: DATABASE_URL %q: %v", name, raw, err)
			continue
		}
		pw, _ := u.User.Password()
		if u.Scheme != "postgres" || u.Host != "postgres:5432" || u.Path != "/jobordre" || pw != testPGPass {
			t.Errorf("%s: DATABASE_URL = %q, want postgres://…:<POSTGRES_PASSWORD>@postgres:5432/jobordre", name, raw)
		}
	}
	if v, _ := env(service(t, p, "api"), "JOBORDRE_HTTP_ADDR"); v != ":8080" {
		t.Errorf("api: JOBORDRE_HTTP_ADDR = %q, want :8080 (the published and health-checked port)", v)
	}
	if v, _ := env(service(t, p, "worker"), "JOBORDRE_WORKER_METRICS_ADDR"); v != ":9090" {
		t.Errorf("worker: JOBORDRE_WORKER_METRICS_ADDR = %q, want :9090 (the health-checked port)", v)
	}

	pg := service(t, p, "postgres")
	for key, want := range map[string]string{"POSTGRES_USER": "jobordre", "POSTGRES_PASSWORD": testPGPass, "POSTGRES_DB": "jobordre"} {
		if v, _ := env(pg, key); v != want {
			t.Errorf("postgres: %s = %q, want %q", key, v, want)
		}
	}
}

func TestComposeHealthchecksAndRestart(t *testing.T) {
	p := mustLoadCompose(t)
	for name, s := range p.Services {
		if oneShot[name] {
			if s.Restart != "on-failure" && !strings.HasPrefix(s.Restart, "on-failure:") {
				t.Errorf("%s runs once: restart = %q, want on-failure[:N]", name, s.Restart)
			}
			continue
		}
		if s.Restart != types.RestartPolicyUnlessStopped && s.Restart != types.RestartPolicyAlways {
			t.Errorf("%s is long-running: restart = %q, want unless-stopped or always", name, s.Restart)
		}
		hc := s.HealthCheck
		if hc == nil || hc.Disable || len(hc.Test) < 2 || (hc.Test[0] != "CMD" && hc.Test[0] != "CMD-SHELL") {
			t.Errorf("%s is long-running but has no usable healthcheck: %+v", name, hc)
			continue
		}
		if hc.Interval == nil || hc.Timeout == nil || hc.Retries == nil || hc.StartPeriod == nil {
			t.Errorf("%s healthcheck leaves interval/timeout/retries/start_period to engine defaults", name)
		}
	}
	want := map[string][]string{
		"api":    {"CMD", "/jobordre", "healthcheck", "--url", "http://127.0.0.1:8080/healthz"},
		"worker": {"CMD", "/jobordre", "healthcheck", "--url", "http://127.0.0.1:9090/healthz"},
	}
	for name, test := range want {
		if hc := service(t, p, name).HealthCheck; hc == nil || !slices.Equal([]string(hc.Test), test) {
			t.Errorf("%s healthcheck = %v, want %q (distroless has no shell or curl)", name, hc, test)
		}
	}
	if hc := service(t, p, "postgres").HealthCheck; hc == nil || !strings.Contains(strings.Join(hc.Test, " "), "pg_isready") {
		t.Errorf("postgres healthcheck = %v, want pg_isready", hc)
	}
}

func TestComposeTemporal(t *testing.T) {
	p := mustLoadCompose(t)

	srv := service(t, p, "temporal")
	for key, want := range map[string]string{
		"DB": "postgres12", "POSTGRES_SEEDS": "postgres", "DB_PORT": "5432", "POSTGRES_PWD": testPGPass,
		"DBNAME": "temporal", "VISIBILITY_DBNAME": "temporal_visibility", "BIND_ON_IP": "0.0.0.0",
	} {
		if v, _ := env(srv, key); v != want {
			t.Errorf("temporal: %s = %q, want %q", key, v, want)
		}
	}
	// temporal-server exits at start when its dynamic config file is missing; the image does not
	// ship one, so the compose file must mount one at the path the embedded config template reads.
	const dcPath = "/etc/temporal/config/dynamicconfig/docker.yaml"
	mounted := false
	for _, c := range srv.Configs {
		if c.Target != dcPath {
			continue
		}
		mounted = true
		cfg, ok := p.Configs[c.Source]
		if !ok || (strings.TrimSpace(cfg.Content) == "" && cfg.File == "") {
			t.Errorf("temporal: config %q for %s is not defined or empty", c.Source, dcPath)
			continue
		}
		var m map[string]any
		if err := yaml.Unmarshal([]byte(cfg.Content), &m); err != nil {
			t.Errorf("temporal: dynamic config is not YAML: %v", err)
		}
	}
	if !mounted {
		t.Errorf("temporal: nothing mounted at %s", dcPath)
	}
	if v, _ := env(srv, "DYNAMIC_CONFIG_FILE_PATH"); v != "" {
		t.Errorf("temporal: DYNAMIC_CONFIG_FILE_PATH = %q moves the file away from the mounted %s", v, dcPath)
	}

	schema := strings.Join(service(t, p, "temporal-schema").Command, "\n")
	for _, want := range []string{
		"temporal-sql-tool", " create", "setup-schema -v 0.0", "update-schema",
		"temporal_visibility", "/etc/temporal/schema/postgresql/v12", "/temporal/versioned", "/visibility/versioned",
	} {
		if !strings.Contains(schema, want) {
			t.Errorf("temporal-schema script lacks %q:\n%s", want, schema)
		}
	}
	if v, _ := env(service(t, p, "temporal-schema"), "SQL_PLUGIN"); v != "postgres12" {
		t.Errorf("temporal-schema: SQL_PLUGIN = %q, want postgres12", v)
	}

	ns := service(t, p, "temporal-namespace")
	script := strings.Join(ns.Command, "\n")
	for _, sa := range searchAttributes {
		if !strings.Contains(script, "--name "+sa+" --type Keyword") {
			t.Errorf("temporal-namespace does not register search attribute %s as Keyword", sa)
		}
	}
	for _, want := range []string{"operator namespace create", "operator namespace update", "--retention", "operator cluster health"} {
		if !strings.Contains(script, want) {
			t.Errorf("temporal-namespace script lacks %q", want)
		}
	}
	if v, _ := env(ns, "TEMPORAL_RETENTION"); v != "720h" {
		t.Errorf("temporal-namespace: TEMPORAL_RETENTION = %q, want 720h (30 days)", v)
	}
	if v, _ := env(ns, "TEMPORAL_NAMESPACE"); v != "default" {
		t.Errorf("temporal-namespace: TEMPORAL_NAMESPACE = %q, want default", v)
	}
	// The shell sees $VAR only if compose did not interpolate it away ($$ in the file).
	if !strings.Contains(script, `"$TEMPORAL_RETENTION"`) {
		t.Errorf("temporal-namespace script lost its shell variables to compose interpolation:\n%s", script)
	}

	if v, _ := env(service(t, p, "temporal-ui"), "TEMPORAL_ADDRESS"); v != "temporal:7233" {
		t.Errorf("temporal-ui: TEMPORAL_ADDRESS = %q, want temporal:7233", v)
	}
}

func TestComposeRequiresJWTSecret(t *testing.T) {
	e := validEnv()
	delete(e, "JOBORDRE_JWT_SECRET")
	_, err := loadCompose(t, e)
	if err == nil {
		t.Fatal("loading without JOBORDRE_JWT_SECRET succeeded; it must be required")
	}
	if !strings.Contains(err.Error(), "JOBORDRE_JWT_SECRET") {
		t.Fatalf("error does not name JOBORDRE_JWT_SECRET: %v", err)
	}
	t.Logf("as expected: %v", err)

	e["JOBORDRE_JWT_SECRET"] = ""
	if _, err := loadCompose(t, e); err == nil || !strings.Contains(err.Error(), "JOBORDRE_JWT_SECRET") {
		t.Errorf("an empty JOBORDRE_JWT_SECRET must be refused too (use ${VAR:?…}), got %v", err)
	}
}

func TestComposeRequiresPostgresPassword(t *testing.T) {
	e := validEnv()
	delete(e, "POSTGRES_PASSWORD")
	_, err := loadCompose(t, e)
	if err == nil || !strings.Contains(err.Error(), "POSTGRES_PASSWORD") {
		t.Fatalf("loading without POSTGRES_PASSWORD: err = %v, want an error naming it", err)
	}
}

func TestComposeFileShape(t *testing.T) {
	var top map[string]any
	if err := yaml.Unmarshal([]byte(readRepoFile(t, composeFile)), &top); err != nil {
		t.Fatalf("%s: %v", composeFile, err)
	}
	if _, ok := top["version"]; ok {
		t.Error("the compose specification has no top-level version key; remove it")
	}
	for _, key := range []string{"name", "services", "volumes", "configs"} {
		if _, ok := top[key]; !ok {
			t.Errorf("top-level %q missing", key)
		}
	}
	p := mustLoadCompose(t)
	if _, ok := p.Volumes["postgres-data"]; !ok {
		t.Error("named volume postgres-data missing: the database would live in the container layer")
	}
	found := false
	for _, v := range service(t, p, "postgres").Volumes {
		if v.Source == "postgres-data" && v.Target == "/var/lib/postgresql/data" {
			found = true
		}
	}
	if !found {
		t.Error("postgres does not keep /var/lib/postgresql/data on the postgres-data volume")
	}
}
