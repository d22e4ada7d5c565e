// Command dashboard is a self-hosted console for contact-center team leads
// working with Kore.ai SmartAssist. With no upstream configured it runs
// against its built-in simulator (demo mode).
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	// Time zones work even on hosts without a zoneinfo database.
	_ "time/tzdata"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "dashboard:", err)
		os.Exit(1)
	}
}

// run is the whole program, so tests can start it like a user would.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return runIO(ctx, args, getenv, os.Stdin, stdout, stderr)
}

// runIO is run with standard input made explicit, for `user add` and
// `user passwd`, which read a password from it.
func runIO(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	cmd, rest := "serve", args
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, rest = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx, rest, getenv, stdout, stderr)
	case "sim":
		return simulate(ctx, rest, stdout, stderr)
	case "user":
		return userCommand(ctx, rest, getenv, stdin, stdout, stderr)
	case "audit":
		return auditCommand(ctx, rest, getenv, stdout, stderr)
	case "help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		return fmt.Errorf("unknown command %q (try: dashboard help)", cmd)
	}
}

const usage = `dashboard: a console for SmartAssist contact-center team leads

Usage:
  dashboard [serve] [flags]        run the web dashboard (demo mode when no -upstream is set)
  dashboard sim [flags]            run the SmartAssist simulator alone
  dashboard user add -username NAME -role viewer|lead|admin    (password on stdin)
  dashboard user passwd -username NAME                         (password on stdin)
  dashboard user disable -username NAME
  dashboard user unlock -username NAME                         (forget failed sign-ins)
  dashboard audit verify           check the audit log's hash chain
  dashboard help

Run "dashboard serve -h" or "dashboard sim -h" for their flags.
`
