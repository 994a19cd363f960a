// Package remotetest holds what tests need of the remote contracts: one
// in-memory fake per contract (Drives, Mail) and one conformance suite per
// contract (TestDrives, TestMail) that every implementation runs: the
// fakes, the cache decorators over them, and the real clients against the
// emulator. The model is gcsfuse's register_bucket_tests.go and rclone's
// fstests: one list of assertions, many registrations, so a fake cannot
// drift from the client it stands in for.
//
// Only tests import this package.
package remotetest
