// Command pulumi-language-nodejs is this project's own small Node.js language host for the Pulumi engine.
//
// Why it exists: the Go module proxy these machines reach refuses Pulumi's own host module
// (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3: "403 Forbidden, This module version is not
// available"), while the SDK module it is written against (github.com/pulumi/pulumi/sdk/v3) is served. It does
// what the engine needs from a language host to run a TypeScript program and a policy pack, and nothing more:
//   - Run: starts `node @pulumi/pulumi/cmd/run` with the flags and environment that script reads (see
//     node_modules/@pulumi/pulumi/cmd/run/index.js and runtime/state.js) and maps exit code 32 ("an actionable
//     message was already printed") to Bail, as Pulumi's own host does;
//   - RunPlugin: starts `@pulumi/pulumi/cmd/run-policy-pack` for `--policy-pack` (kind "analyzer"), streaming its
//     output back, since 3.221 the engine runs policy packs through the language host;
//   - GetRequiredPlugins/Packages: none, so plugins resolve lazily from what the program registers;
//   - GetPluginInfo/Handshake/About: the version and the runtime.
//
// Everything else answers Unimplemented, so an engine feature this host lacks fails loudly, never silently.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
)

// The Node SDK's exit code for "the error was already reported to the user" (cmd/run/index.js).
const exitCodeAlreadyReported = 32

type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	engineAddress string
}

func main() {
	// The engine passes its address last, after flags such as -tracing, -logtostderr, -v and -root. Accept every
	// flag (they only tune logging) and keep the positional engine address.
	flags := flag.NewFlagSet("pulumi-language-nodejs", flag.ContinueOnError)
	flags.String("tracing", "", "ignored: tracing endpoint")
	flags.String("root", "", "ignored: project root (the engine sends it with each request)")
	flags.Bool("logtostderr", false, "ignored")
	flags.String("v", "", "ignored: log verbosity")
	flags.Bool("logflow", false, "ignored")
	if err := flags.Parse(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	h := &host{engineAddress: flags.Arg(0)}
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, h)
			return nil
		},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "could not start the language host: %v\n", err)
		os.Exit(1)
	}
	// The plugin protocol: the first line on stdout is the port the engine dials.
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fmt.Fprintf(os.Stderr, "language host stopped: %v\n", err)
		os.Exit(1)
	}
}

func (h *host) Handshake(_ context.Context, req *pulumirpc.LanguageHandshakeRequest) (*pulumirpc.LanguageHandshakeResponse, error) {
	if req.GetEngineAddress() != "" {
		h.engineAddress = req.GetEngineAddress()
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *host) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: strings.TrimPrefix(version.Version, "v")}, nil
}

func (h *host) GetRequiredPlugins(context.Context, *pulumirpc.GetRequiredPluginsRequest) (*pulumirpc.GetRequiredPluginsResponse, error) {
	return &pulumirpc.GetRequiredPluginsResponse{}, nil
}

func (h *host) GetRequiredPackages(context.Context, *pulumirpc.GetRequiredPackagesRequest) (*pulumirpc.GetRequiredPackagesResponse, error) {
	return &pulumirpc.GetRequiredPackagesResponse{}, nil
}

func (h *host) About(context.Context, *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	node, err := exec.Command("node", "--version").Output()
	if err != nil {
		return nil, fmt.Errorf("node --version: %w", err)
	}
	return &pulumirpc.AboutResponse{Executable: "node", Version: strings.TrimSpace(string(node))}, nil
}

func (h *host) GetProgramDependencies(context.Context, *pulumirpc.GetProgramDependenciesRequest) (*pulumirpc.GetProgramDependenciesResponse, error) {
	return &pulumirpc.GetProgramDependenciesResponse{}, nil
}

// runtimeOptions reads Pulumi.yaml's `runtime.options` the way the Node host documents them: `typescript` (default
// true) and `tsconfig`. `nodeargs` and `packagemanager` are refused rather than ignored.
func runtimeOptions(info *pulumirpc.ProgramInfo) (env []string, err error) {
	typescript := true
	options := map[string]any{}
	if info != nil && info.GetOptions() != nil {
		options = info.GetOptions().AsMap()
	}
	for key, value := range options {
		switch key {
		case "typescript":
			b, ok := value.(bool)
			if !ok {
				return nil, fmt.Errorf("runtime option typescript must be a boolean, not %v", value)
			}
			typescript = b
		case "tsconfig":
			env = append(env, fmt.Sprintf("PULUMI_NODEJS_TSCONFIG_PATH=%v", value))
		default:
			return nil, fmt.Errorf("runtime option %q is not supported by this project's language host", key)
		}
	}
	if typescript {
		env = append(env, "PULUMI_NODEJS_TYPESCRIPT=true")
	}
	return env, nil
}

// locate finds a module of @pulumi/pulumi the way Node would from dir.
func locate(dir, module string) (string, error) {
	cmd := exec.Command("node", "-e", "console.log(require.resolve(process.argv[1]))", module)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("could not find %s from %s: is @pulumi/pulumi installed (npm ci)? %w", module, dir, err)
	}
	return strings.TrimSpace(string(out)), nil
}

func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	info := req.GetInfo()
	programDir := req.GetPwd()
	entryPoint := "."
	if info != nil {
		if info.GetProgramDirectory() != "" {
			programDir = info.GetProgramDirectory()
		}
		if info.GetEntryPoint() != "" {
			entryPoint = info.GetEntryPoint()
		}
	}
	runPath, err := locate(programDir, "@pulumi/pulumi/cmd/run")
	if err != nil {
		return nil, err
	}
	optionEnv, err := runtimeOptions(info)
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	config, err := json.Marshal(req.GetConfig())
	if err != nil {
		return nil, err
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	secretKeysJSON, err := json.Marshal(secretKeys)
	if err != nil {
		return nil, err
	}

	args := []string{runPath}
	flag := func(name, value string) {
		if value != "" {
			args = append(args, "--"+name, value)
		}
	}
	flag("monitor", req.GetMonitorAddress())
	flag("engine", h.engineAddress)
	flag("organization", req.GetOrganization())
	flag("project", req.GetProject())
	flag("stack", req.GetStack())
	flag("pwd", req.GetPwd())
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	if req.GetParallel() > 0 {
		flag("parallel", strconv.Itoa(int(req.GetParallel())))
	}
	if info != nil {
		flag("root-directory", info.GetRootDirectory())
	}
	args = append(args, entryPoint)
	args = append(args, req.GetArgs()...)

	cmd := exec.CommandContext(ctx, "node", args...)
	cmd.Dir = req.GetPwd()
	cmd.Env = append(os.Environ(), optionEnv...)
	cmd.Env = append(cmd.Env, "PULUMI_CONFIG="+string(config), "PULUMI_CONFIG_SECRET_KEYS="+string(secretKeysJSON))
	// Wrapped writers: Node may set its inherited descriptors non-blocking, which Go's own stdout would then trip on.
	cmd.Stdout = struct{ io.Writer }{os.Stdout}
	cmd.Stderr = struct{ io.Writer }{os.Stderr}
	if err := cmd.Run(); err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			if exitErr.ExitCode() == exitCodeAlreadyReported {
				return &pulumirpc.RunResponse{Bail: true}, nil
			}
			return &pulumirpc.RunResponse{Error: fmt.Sprintf("Program exited with non-zero exit code: %d", exitErr.ExitCode())}, nil
		}
		return nil, fmt.Errorf("could not run node: %w", err)
	}
	return &pulumirpc.RunResponse{}, nil
}

// streamWriter sends a plugin's output to the engine as RunPluginResponse messages.
type streamWriter struct {
	stream grpc.ServerStreamingServer[pulumirpc.RunPluginResponse]
	stderr bool
}

func (w streamWriter) Write(p []byte) (int, error) {
	data := bytes.Clone(p)
	var msg pulumirpc.RunPluginResponse
	if w.stderr {
		msg.Output = &pulumirpc.RunPluginResponse_Stderr{Stderr: data}
	} else {
		msg.Output = &pulumirpc.RunPluginResponse_Stdout{Stdout: data}
	}
	if err := w.stream.Send(&msg); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (h *host) RunPlugin(req *pulumirpc.RunPluginRequest, stream grpc.ServerStreamingServer[pulumirpc.RunPluginResponse]) error {
	if req.GetKind() != "analyzer" {
		return fmt.Errorf("this project's language host runs policy packs only, not %q plugins", req.GetKind())
	}
	packDir := req.GetInfo().GetProgramDirectory()
	runPath, err := locate(packDir, "@pulumi/pulumi/cmd/run-policy-pack")
	if err != nil {
		return err
	}
	optionEnv, err := runtimeOptions(req.GetInfo())
	if err != nil {
		return err
	}
	// run-policy-pack takes <engine-address> <program>: the engine sends the first in Args; the pack directory
	// goes last, as Pulumi's own host sends it.
	args := append([]string{runPath}, req.GetArgs()...)
	args = append(args, packDir)
	cmd := exec.CommandContext(stream.Context(), "node", args...)
	cmd.Dir = packDir
	cmd.Env = append(append(os.Environ(), req.GetEnv()...), optionEnv...)
	cmd.Stdout = streamWriter{stream: stream}
	cmd.Stderr = streamWriter{stream: stream, stderr: true}
	exitCode := int32(0)
	if err := cmd.Run(); err != nil {
		var exitErr *exec.ExitError
		if !errors.As(err, &exitErr) {
			return fmt.Errorf("could not run the policy pack in %s: %w", filepath.Base(packDir), err)
		}
		exitCode = int32(exitErr.ExitCode())
	}
	return stream.Send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: exitCode}})
}
