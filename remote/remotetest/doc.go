// Package remotetest holds what tests need of the remote contracts: one
// in-memory fake per contract (DriveFake, with Feed for the snapshot and
// change feed; WriterFake, the write contract over a DriveFake; MailFake)
// and one conformance suite per contract (TestDrives, TestWriter,
// TestMail) that every implementation runs. The model is
// gcsfuse's register_bucket_tests.go and rclone's fstests: one list of
// assertions, many registrations, so that a fake cannot drift from the
// client it stands in for, nor a decorator from what it decorates.
//
// A registration gives the suite a setup that makes, for each subtest, a
// fresh implementation and its world: the far side (a DriveWorld or
// MailWorld) the suite reads the truth from and changes behind the
// implementation's back. The registrations:
//
//   - remotetest: the fakes (FakeWorld, FakeWriteWorld, FakeMailWorld);
//   - remote/kdrive, remote/mail: the clients on the emulator
//     (StartEmulator, EmulatorWorld, EmulatorWriteWorld, EmulatorMail);
//   - cache: the decorators over the fakes, over the fake's change feed,
//     over the archive fake and over the clients on the emulator; for
//     TestWriter the cache is the reader that must show each write once
//     told of it (Invalidate, as writeback does).
//
// Optional capabilities are tested when the implementation has them
// (Snapshotter, LongPoller, Archiver, ReaderAt, MailFeed) and when the
// world can hang (Staller) or lose a write's answer (AnswerLoser);
// otherwise their subtest is skipped.
//
// Only tests import this package.
package remotetest
