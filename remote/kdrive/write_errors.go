package kdrive

import (
	"errors"
	"fmt"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// writeKinds are the API's error codes of writes that name a sentinel of
// the write contract (kDrive reference §10, additions §5; the emulator's
// doc lists which witness gave which code).
var writeKinds = map[string]error{
	"quota_exceeded_error":                      remote.ErrNoSpace,
	"destination_already_exists":                remote.ErrExists,
	"folder__destination_already_exists":        remote.ErrExists,
	"folder__destination_folder_already_exists": remote.ErrExists,
	"conflict_error":                            remote.ErrExists,
	"file_already_exists_error":                 remote.ErrExists,
	// A destination the user may not write to (the spec's ErrorCode
	// enum, the Android app's upload errors: additions §5.3), whatever
	// status it comes with.
	"upload_destination_not_writable_error": remote.ErrPermission,
	"destination_not_writable":              remote.ErrPermission,
}

// writeError wraps what a write call returned with the write sentinel its
// API code names: the read sentinels (ErrNotFound, ErrPermission, ...)
// still match through the *remote.APIError inside. A validation failure on
// a route that takes a name is the name's (the only free-form input).
func writeError(err error, what string, named bool) error {
	if err == nil {
		return nil
	}
	var ae *remote.APIError
	if errors.As(err, &ae) {
		if k, ok := writeKinds[ae.Code]; ok {
			return fmt.Errorf("%s: %w: %w", what, k, err)
		}
		if named && ae.Code == "validation_failed" {
			return fmt.Errorf("%s: %w: %w", what, remote.ErrInvalidName, err)
		}
	}
	return fmt.Errorf("%s: %w", what, err)
}
