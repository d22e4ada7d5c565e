package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/teamlead/dashboard/internal/audit"
	"github.com/teamlead/dashboard/internal/auth"
	"github.com/teamlead/dashboard/internal/config"
)

// userCommand manages dashboard accounts from the shell: add, passwd,
// disable, unlock. Passwords come from standard input, never from
// arguments. Every change is in the audit log, by "cli".
func userCommand(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("user needs a subcommand: add, passwd, disable or unlock")
	}
	sub := args[0]
	fs := flag.NewFlagSet("dashboard user "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", "", "data directory [$"+config.EnvData+"] (default "+config.DefaultDataDir+")")
	username := fs.String("username", "", "the account's username")
	role := fs.String("role", "", "viewer, lead or admin (add only)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *username == "" {
		return fmt.Errorf("user %s needs -username", sub)
	}
	dir := dataDir(*data, getenv)

	var parsedRole auth.Role
	switch sub {
	case "add":
		r, err := auth.ParseRole(*role)
		if err != nil {
			return fmt.Errorf("user add -role: %w", err)
		}
		parsedRole = r
	case "passwd", "disable", "unlock":
		if *role != "" {
			return fmt.Errorf("user %s takes no -role", sub)
		}
	default:
		return fmt.Errorf("unknown user subcommand %q: use add, passwd, disable or unlock", sub)
	}

	db, err := openExisting(ctx, dir)
	if err != nil {
		return err
	}
	defer db.Close()
	users := auth.NewUsers(db, auth.WithRecorder(audit.New(db, nil)))
	rec := func(action string, details map[string]any) *audit.Record {
		return &audit.Record{Actor: cliActor, Action: action, Target: *username, Details: details}
	}

	switch sub {
	case "add":
		password, err := readPassword(stdin)
		if err != nil {
			return err
		}
		u, err := users.Create(ctx, *username, password, parsedRole,
			rec(audit.ActionUserCreate, map[string]any{"after": map[string]any{"role": parsedRole.String(), "disabled": false}}))
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "added user %s (%s)\n", u.Username, u.Role)
	case "passwd":
		password, err := readPassword(stdin)
		if err != nil {
			return err
		}
		if err := users.SetPassword(ctx, *username, password, rec(audit.ActionUserUpdate, map[string]any{"change": "password"})); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "changed the password of %s; their sessions are signed out\n", *username)
	case "disable":
		if err := users.Disable(ctx, *username, rec(audit.ActionUserUpdate,
			map[string]any{"change": "disabled", "after": map[string]any{"disabled": true}})); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "disabled %s; their sessions are signed out\n", *username)
	case "unlock":
		if _, err := users.ByUsername(ctx, *username); err != nil {
			return fmt.Errorf("user unlock %s: %w", *username, err)
		}
		n, err := auth.NewThrottle(db, auth.ThrottleConfig{}, nil).Unlock(ctx, *username)
		if err != nil {
			return err
		}
		if _, err := audit.New(db, nil).Append(ctx, *rec(audit.ActionUserUpdate, map[string]any{"change": "unlocked", "addresses": n})); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "cleared the failed sign-ins of %s from %d address(es)\n", *username, n)
	}
	return nil
}

// cliActor is who the audit log names for changes made with `dashboard user`.
const cliActor = "cli"

// readPassword takes the first line of stdin, so `echo pw | dashboard user
// add …` and an interactive paste both work.
func readPassword(stdin io.Reader) (string, error) {
	line, err := bufio.NewReader(io.LimitReader(stdin, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password from stdin: %w", err)
	}
	password := strings.TrimRight(line, "\r\n")
	if password == "" {
		return "", errors.New("no password on stdin (pipe it in, e.g. `printf '%s\\n' \"$PW\" | dashboard user add …`)")
	}
	return password, nil
}
