package auth

import (
	"context"
	"fmt"
	"net/http"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// Revoke logs out: DELETE LoginURL/token with the access token as bearer.
// A token the server no longer knows counts as revoked.
func Revoke(ctx context.Context, c *Config, accessToken string) error {
	if accessToken == "" {
		return nil
	}
	cfg := c.withDefaults()
	ctx, cancel := context.WithTimeout(ctx, tokenRequestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, cfg.LoginURL+"/token", nil)
	if err != nil {
		return fmt.Errorf("revoke: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	req.Header.Set("Accept", "application/json")
	resp, err := (&http.Client{Timeout: tokenRequestTimeout}).Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("revoke: %w", ctx.Err())
		}
		return &authError{msg: "cannot reach the Infomaniak login server at " + cfg.LoginURL, sentinel: remote.ErrUnavailable, cause: scrubbed(err)}
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode < 300:
		return nil
	case resp.StatusCode == http.StatusBadRequest, resp.StatusCode == http.StatusUnauthorized,
		resp.StatusCode == http.StatusForbidden, resp.StatusCode == http.StatusNotFound:
		return nil // already invalid: nothing left to revoke
	}
	ae := &remote.APIError{Status: resp.StatusCode, Kind: remote.ErrUnavailable}
	if resp.StatusCode == http.StatusTooManyRequests {
		ae.Kind = remote.ErrRateLimited
	}
	return &authError{msg: "revoking the token failed", sentinel: ae.Kind, cause: ae}
}
