// Package multiinstance holds the integration test of armsflow scaled out:
// two `armsflow serve` processes (the real binary) on one PostgreSQL
// database and one NATS bus, both on loopback. A write on one instance must
// reach the other's data API, tiles and WebSocket clients, and a presenter
// room made and driven on one must be followed from the other. The test
// needs the throwaway cluster of .ci/pg-setup.sh (ARMSFLOW_TEST_POSTGRES);
// without it it skips, or fails where ARMSFLOW_REQUIRE_POSTGRES is set.
package multiinstance
