package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/kund/kund/internal/register"
)

// openRegister opens the population register the configuration names, or
// none (every register operation then answers 503).
func (m *Main) openRegister() (register.Provider, error) {
	switch {
	case m.Config.RegisterFile != "" && m.Config.RegisterURL != "":
		return nil, fmt.Errorf("%w: give --register-file or --register-url, not both", errUsage)
	case m.Config.RegisterURL != "":
		h, err := register.NewHTTP(m.Config.RegisterURL, register.HTTPOptions{Timeout: m.Config.RegisterTimeout})
		if err != nil {
			return nil, fmt.Errorf("%w: --register-url: %v", errUsage, err)
		}
		if m.Config.RegisterCacheTTL <= 0 {
			return h, nil
		}
		return register.NewCache(h, m.Config.RegisterCacheTTL, 0, nil), nil
	case m.Config.RegisterFile == "":
		return nil, nil
	}
	// Rejected rows are logged by line number and reason; the reasons never
	// quote the row, so no identity number reaches the log.
	f, err := register.OpenFile(m.Config.RegisterFile, func(loaded int, bad []register.RowError, err error) {
		if err != nil {
			m.Log.Error("register file not loaded; the previous persons stay", slog.String("error", err.Error()))
			return
		}
		for _, b := range bad {
			m.Log.Warn("register file: row skipped", slog.Int("line", b.Line), slog.String("reason", b.Message))
		}
		m.Log.Info("register file loaded", slog.Int("persons", loaded), slog.Int("rejected", len(bad)))
	})
	if err != nil {
		return nil, err
	}
	m.registerFile = f
	return f, nil
}

// reloadOnHangup reloads the register file on every SIGHUP until ctx ends.
// Changes are also picked up by their modification time; SIGHUP is for an
// operator who wants the reload now and its outcome in the log.
func (m *Main) reloadOnHangup(ctx context.Context) {
	if m.registerFile == nil {
		return
	}
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGHUP)
	go func() {
		defer signal.Stop(ch)
		for {
			select {
			case <-ctx.Done():
				return
			case <-ch:
				m.registerFile.Reload()
				m.kund.Monitor.Wake()
			}
		}
	}()
}
