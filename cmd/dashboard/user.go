package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/teamlead/dashboard/internal/auth"
	"github.com/teamlead/dashboard/internal/config"
)

// userCommand manages dashboard accounts from the shell: add, passwd,
// disable. Passwords come from standard input, never from arguments.
func userCommand(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("user needs a subcommand: add, passwd or disable")
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
	case "passwd", "disable":
		if *role != "" {
			return fmt.Errorf("user %s takes no -role", sub)
		}
	default:
		return fmt.Errorf("unknown user subcommand %q: use add, passwd or disable", sub)
	}

	db, err := openExisting(ctx, dir)
	if err != nil {
		return err
	}
	defer db.Close()
	users := auth.NewUsers(db)

	switch sub {
	case "add":
		password, err := readPassword(stdin)
		if err != nil {
			return err
		}
		u, err := users.Create(ctx, *username, password, parsedRole)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "added user %s (%s)\n", u.Username, u.Role)
	case "passwd":
		password, err := readPassword(stdin)
		if err != nil {
			return err
		}
		if err := users.SetPassword(ctx, *username, password); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "changed the password of %s; their other sessions are signed out\n", *username)
	case "disable":
		if err := users.Disable(ctx, *username); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "disabled %s; their sessions are signed out\n", *username)
	}
	return nil
}

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
