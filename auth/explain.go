package auth

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// The sentences of the seed's troubleshooting section, naming the fix.
const (
	explainClient      = "Client ID or secret does not match what Infomaniak issued: re-copy them from Manager > API into INFOMANIAK_CLIENT_ID / INFOMANIAK_CLIENT_SECRET (or Service_INFOMANIAK_DATA_CLIENT_ID / Service_INFOMANIAK_DATA_CLIENT_SECRET in the env file)."
	explainSession     = "The Infomaniak session has expired or was revoked: run `infomaniakfs login` again."
	explainUserInfo    = "The token lacks the user_info scope: Infomaniak refused it (HTTP 401) even after a refresh. Give the app the user_info, kdrive and mail scopes in Manager > API (re-create it if needed), then run `infomaniakfs login` again."
	explainNotLoggedIn = "Not logged in: run `infomaniakfs login` first (or set INFOMANIAK_TOKEN / --token-file to a personal API token)."
	explainPAT         = "The personal API token was rejected (revoked, expired, or missing a scope): create a new one in Infomaniak Manager with the user_info, kdrive and mail scopes and set INFOMANIAK_TOKEN or --token-file to it."
	explainState       = "The login callback did not match this login attempt (state mismatch): close old login tabs and run `infomaniakfs login` again."
	explainDenied      = "Access was denied in the browser: run `infomaniakfs login` again and approve the access."
)

// Explain maps a login or token error to the one sentence a user needs,
// naming the fix, or "" when it has nothing better than err's own text.
//
// An API 401 that survived the client's refresh-and-retry is the seed's
// "profile lookup returns 401" case: the only route that answers 401 for a
// missing scope is the profile (kDrive and Mail answer 403).
func Explain(err error) string {
	if err == nil {
		return ""
	}
	var ae *authError
	hasAuth := errors.As(err, &ae)
	var api *remote.APIError
	hasAPI := errors.As(err, &api)
	switch {
	case hasAPI && isRedirectMismatch(api):
		uri := "configured in infomaniakfs"
		if hasAuth && ae.redirectURI != "" {
			uri = ae.redirectURI
		}
		return fmt.Sprintf("The redirect URI (%s) does not match the one registered in Infomaniak Manager > API byte for byte (protocol, host, port, path): set INFOMANIAK_REDIRECT_URI or Service_INFOMANIAK_OAUTH_REDIRECT_URI to the registered value.", uri)
	case hasAPI && api.Code == "invalid_client":
		return explainClient
	case hasAPI && api.Code == "access_denied":
		return explainDenied
	case hasAPI && api.Code == "invalid_grant":
		return explainSession
	case hasAuth && ae.msg == msgSessionDead:
		return explainSession
	case hasAuth && ae.msg == msgNotLoggedIn:
		return explainNotLoggedIn
	case hasAuth && ae.msg == msgPATRejected:
		return explainPAT
	case hasAuth && ae.msg == msgStateMismatch:
		return explainState
	case hasAPI && api.Status == http.StatusUnauthorized && !hasAuth:
		return explainUserInfo
	case hasAuth && errors.Is(err, remote.ErrUnavailable):
		return "The Infomaniak login server cannot be reached right now (" + err.Error() + "): check the network or --login-url, and try again."
	}
	return ""
}
