package cli

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestParseEnvOverride(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		env      map[string]string
		wantAddr string
		wantTok  []string
		wantErr  bool
	}{
		{"defaults", nil, nil, "127.0.0.1:8080", nil, false},
		{"env fills", nil, map[string]string{"ARMSFLOW_ADDR": ":9000", "ARMSFLOW_WRITE_TOKENS": "a, b"}, ":9000", []string{"a", "b"}, false},
		{"flag beats env", []string{"--addr", ":1"}, map[string]string{"ARMSFLOW_ADDR": ":9000"}, ":1", nil, false},
		{"bad env value", nil, map[string]string{"ARMSFLOW_CACHE_MB": "lots"}, "", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := flag.NewFlagSet("serve", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			addr := fs.String("addr", "127.0.0.1:8080", "listen address")
			fs.Int("cache-mb", 256, "cache budget")
			var toks List
			fs.Var(&toks, "write-tokens", "tokens")
			err := Parse(fs, tt.args, func(k string) string { return tt.env[k] })
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if tt.wantErr {
				return
			}
			if *addr != tt.wantAddr || !reflect.DeepEqual([]string(toks), tt.wantTok) {
				t.Fatalf("addr=%q tokens=%q, want %q %q", *addr, toks, tt.wantAddr, tt.wantTok)
			}
		})
	}
}

func TestListFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "tokens")
	if err := os.WriteFile(p, []byte("# comment\n tok1 \n\ntok2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var l List
	if err := l.Set("@" + p); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual([]string(l), []string{"tok1", "tok2"}) {
		t.Fatalf("got %q", l)
	}
	if err := l.Set("@" + p + ".missing"); err == nil {
		t.Fatal("missing file: want error")
	}
}

func TestInterleave(t *testing.T) {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.String("db", "", "")
	fs.Bool("dry-run", false, "")
	got := Interleave(fs, []string{"sipri", "f.csv", "--dry-run", "--db", "x.db", "--db=y.db"})
	want := []string{"--dry-run", "--db", "x.db", "--db=y.db", "sipri", "f.csv"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q want %q", got, want)
	}
}
