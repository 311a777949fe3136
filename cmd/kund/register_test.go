package main_test

import (
	"strings"
	"testing"
)

func TestRegisterGenerate(t *testing.T) {
	out := mustRun(t, nil, "register", "generate", "--country", "NO", "--count", "25", "--seed", "3")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 26 || !strings.HasPrefix(lines[0], "country,regNo,firstName,lastName,coAddress,") {
		t.Fatalf("got %d lines, the first %q", len(lines), lines[0])
	}
	for _, l := range lines[1:] {
		if !strings.HasPrefix(l, "NO,") || strings.Count(l, ",") != 10 {
			t.Fatalf("row %q", l)
		}
	}
	if again := mustRun(t, nil, "register", "generate", "--country", "NO", "--count", "25", "--seed", "3"); again != out {
		t.Fatal("the same seed must print the same register")
	}
	for _, args := range [][]string{
		{"register", "generate", "--country", "DE"},
		{"register", "generate", "--count", "-1"},
		{"register", "lookup"},
	} {
		if _, _, code := run(t, nil, args...); code != 2 {
			t.Fatalf("%v: exit %d, want 2", args, code)
		}
	}
}
