// Loaded by mocha before the unit tests: the client then rejects every endpoint off loopback, so
// no unit test can reach a real TCXC host. Tests of that rule set and restore the variable.
process.env.TCXC_LOOPBACK_ONLY = '1';
