package deploytest

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

func dockerfile(t *testing.T) []instruction {
	t.Helper()
	ins := parseDockerfile(readRepoFile(t, "Dockerfile"))
	if len(ins) == 0 {
		t.Fatal("Dockerfile has no instructions")
	}
	return ins
}

// stages splits the instructions at every FROM.
func stages(ins []instruction) [][]instruction {
	var out [][]instruction
	for _, in := range ins {
		if in.cmd == "FROM" {
			out = append(out, nil)
		}
		if len(out) > 0 {
			out[len(out)-1] = append(out[len(out)-1], in)
		}
	}
	return out
}

var fromRe = regexp.MustCompile(`^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$`)

func TestDockerfileStages(t *testing.T) {
	st := stages(dockerfile(t))
	if len(st) < 2 {
		t.Fatalf("Dockerfile has %d stage(s), want a multi-stage build (builder + runtime)", len(st))
	}
	builder := fromRe.FindStringSubmatch(st[0][0].args)
	runtime := fromRe.FindStringSubmatch(st[len(st)-1][0].args)
	if builder == nil || runtime == nil {
		t.Fatalf("cannot parse FROM lines %q and %q", st[0][0].args, st[len(st)-1][0].args)
	}

	mod := parseGoMod(t)
	wantBuilder := "golang:" + mod.goVersion + "-bookworm"
	if builder[1] != wantBuilder {
		t.Errorf("builder image = %q, want %q (the go directive of go.mod)", builder[1], wantBuilder)
	}
	if builder[2] == "" {
		t.Error("builder stage is unnamed; the runtime stage should copy --from a name")
	}
	if runtime[1] != "gcr.io/distroless/static-debian12:nonroot" {
		t.Errorf("runtime image = %q, want gcr.io/distroless/static-debian12:nonroot", runtime[1])
	}
	if strings.Contains(runtime[1], "golang") {
		t.Error("the runtime stage ships the Go toolchain")
	}
}

func TestDockerfileBuild(t *testing.T) {
	st := stages(dockerfile(t))
	var build []instruction
	if len(st) > 0 {
		build = st[0]
	}
	text := func(in instruction) string { return in.cmd + " " + in.args }

	idx := func(match func(instruction) bool) int {
		for i, in := range build {
			if match(in) {
				return i
			}
		}
		return -1
	}
	download := idx(func(in instruction) bool { return in.cmd == "RUN" && strings.Contains(in.args, "go mod download") })
	copyMod := idx(func(in instruction) bool { return in.cmd == "COPY" && strings.Contains(in.args, "go.mod") })
	copyAll := idx(func(in instruction) bool { return in.cmd == "COPY" && strings.HasPrefix(in.args, ". ") })
	goBuild := idx(func(in instruction) bool { return in.cmd == "RUN" && strings.Contains(in.args, "go build") })
	switch {
	case download < 0 || copyMod < 0 || copyAll < 0 || goBuild < 0:
		t.Fatalf("builder stage lacks COPY go.mod / RUN go mod download / COPY . / RUN go build:\n%v", build)
	case !(copyMod < download && download < copyAll && copyAll < goBuild):
		t.Error("go mod download must run on go.mod/go.sum alone, before the sources are copied, so the layer is cached")
	}
	if copyMod >= 0 && !strings.Contains(build[copyMod].args, "go.sum") {
		t.Error("go.sum is not copied with go.mod")
	}

	cmd := text(build[goBuild])
	for _, want := range []string{"-tags production", "-trimpath", `-ldflags "-s -w"`, "-o /out/jobordre", "./cmd/jobordre"} {
		if !strings.Contains(cmd, want) {
			t.Errorf("go build line lacks %q: %s", want, cmd)
		}
	}
	cgoOff := strings.Contains(cmd, "CGO_ENABLED=0")
	for _, in := range build[:goBuild] {
		if (in.cmd == "ENV" || in.cmd == "ARG") && strings.Contains(in.args, "CGO_ENABLED=0") {
			cgoOff = true
		}
	}
	if !cgoOff {
		t.Error("CGO_ENABLED=0 is not set for go build; the binary would not run on distroless/static")
	}
}

func TestDockerfileRuntime(t *testing.T) {
	st := stages(dockerfile(t))
	final := st[len(st)-1]
	var entrypoint, user, copyBin string
	var exposed []string
	for _, in := range final {
		switch in.cmd {
		case "ENTRYPOINT":
			entrypoint = in.args
		case "USER":
			user = in.args
		case "EXPOSE":
			exposed = append(exposed, strings.Fields(in.args)...)
		case "COPY":
			if strings.HasPrefix(in.args, "--from=") && strings.HasSuffix(in.args, " /jobordre") {
				copyBin = in.args
			}
		case "LABEL":
			if !strings.Contains(in.args, "org.opencontainers.image.") {
				t.Errorf("LABEL without OCI keys: %s", in.args)
			}
		}
	}

	var ep []string
	if err := json.Unmarshal([]byte(entrypoint), &ep); err != nil || len(ep) != 1 || ep[0] != "/jobordre" {
		t.Errorf("ENTRYPOINT = %q, want exec form [\"/jobordre\"]", entrypoint)
	}
	if copyBin == "" {
		t.Error("the runtime stage does not COPY --from the builder to /jobordre")
	}
	switch u := strings.SplitN(user, ":", 2)[0]; u {
	case "":
		t.Error("no USER in the runtime stage: state the non-root user explicitly")
	case "root", "0":
		t.Errorf("USER %s runs the service as root", user)
	}
	found := false
	for _, p := range exposed {
		if strings.TrimSuffix(p, "/tcp") == "8080" {
			found = true
		}
	}
	if !found {
		t.Errorf("EXPOSE = %v, want 8080", exposed)
	}
	labels := 0
	for _, in := range final {
		if in.cmd == "LABEL" {
			labels++
		}
	}
	if labels == 0 {
		t.Error("no OCI labels on the runtime image")
	}
}

func TestDockerignore(t *testing.T) {
	d := parseDockerignore(readRepoFile(t, ".dockerignore"))
	for _, path := range []string{".git", ".git/HEAD", "data", "data/jobordre.db", ".env", ".env.production"} {
		if ok, _ := d.excluded(path); !ok {
			t.Errorf(".dockerignore lets %s into the build context", path)
		}
	}
	// Everything go build needs, including data the binary embeds, must stay in.
	for _, path := range []string{
		"go.mod", "go.sum", "cmd/jobordre/main.go", "internal/config/config.go",
		"internal/refdata/data/isco08.csv", "models/models.go",
	} {
		if ok, by := d.excluded(path); ok {
			t.Errorf(".dockerignore excludes %s (pattern %q), which the build needs", path, by)
		}
	}
}
