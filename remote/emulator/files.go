package emulator

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

// withSet is the parsed with= list; "files."/"file." prefixes (listing and
// activity routes) are dropped.
type withSet map[string]bool

func parseWith(q url.Values) withSet {
	ws := withSet{}
	for _, v := range append(q["with"], q["with[]"]...) {
		for _, f := range strings.Split(v, ",") {
			f = strings.TrimSpace(f)
			f = strings.TrimPrefix(strings.TrimPrefix(f, "files."), "file.")
			ws[f] = true
		}
	}
	return ws
}

// extensionType is kDrive's coarse file class.
func extensionType(name, mimeType string) string {
	switch {
	case mimeType == "application/pdf":
		return "pdf"
	case strings.HasPrefix(mimeType, "image/"):
		return "image"
	case strings.HasPrefix(mimeType, "video/"):
		return "video"
	case strings.HasPrefix(mimeType, "audio/"):
		return "audio"
	case strings.Contains(mimeType, "spreadsheet") || strings.Contains(mimeType, "excel") || mimeType == "text/csv":
		return "spreadsheet"
	case strings.Contains(mimeType, "presentation") || strings.Contains(mimeType, "powerpoint"):
		return "presentation"
	case strings.Contains(mimeType, "zip") || strings.Contains(mimeType, "tar") || strings.Contains(mimeType, "compressed"):
		return "archive"
	case strings.Contains(mimeType, "json") || strings.Contains(mimeType, "javascript") ||
		strings.Contains(mimeType, "x-go") || strings.Contains(mimeType, "x-python") || strings.Contains(mimeType, "x-sh"):
		return "code"
	case strings.HasPrefix(mimeType, "text/") || strings.Contains(mimeType, "wordprocessing") || strings.Contains(mimeType, "msword"):
		return "text"
	}
	return "unknown"
}

func mimeOf(n dataset.Node) string {
	if n.MimeType != "" {
		return n.MimeType
	}
	if t := mime.TypeByExtension(path.Ext(n.Name)); t != "" {
		return t
	}
	return "application/octet-stream"
}

// etag is the JSON etag of a node; the ETag header is the same, quoted.
func etag(n dataset.Node) string { return fmt.Sprintf("%d-%d-%d", n.DriveID, n.ID, n.Version) }

// fileJSON is a file or directory with the fields of kDrive reference §6.
// A struct, not a map: listings of 1000 entries encode several times faster.
type fileJSON struct {
	ID             int64           `json:"id"`
	Name           string          `json:"name"`
	Type           string          `json:"type"`
	ParentID       int64           `json:"parent_id"`
	DriveID        int64           `json:"drive_id"`
	Status         *string         `json:"status"`
	Visibility     string          `json:"visibility"`
	Depth          int             `json:"depth"`
	CreatedBy      int64           `json:"created_by"`
	CreatedAt      int64           `json:"created_at"`
	AddedAt        int64           `json:"added_at"`
	LastModifiedAt int64           `json:"last_modified_at"`
	LastModifiedBy int64           `json:"last_modified_by"`
	RevisedAt      int64           `json:"revised_at"`
	UpdatedAt      int64           `json:"updated_at"`
	ETag           string          `json:"etag"`
	Size           *int64          `json:"size,omitempty"`           // files only
	MimeType       string          `json:"mime_type,omitempty"`      // files only
	ExtensionType  string          `json:"extension_type,omitempty"` // files only
	Path           *string         `json:"path,omitempty"`           // with=path
	Hash           string          `json:"hash,omitempty"`           // with=hash
	Capabilities   map[string]any  `json:"capabilities,omitempty"`   // with=capabilities
	IsFavorite     *bool           `json:"is_favorite,omitempty"`    // with=is_favorite
	Color          json.RawMessage `json:"color,omitempty"`          // dirs: null
	DeletedAt      *int64          `json:"deleted_at,omitempty"`     // trashed
	DeletedBy      *int64          `json:"deleted_by,omitempty"`     // trashed
}

var jsonNull = json.RawMessage("null")

// fileObject renders a node as the API does.
func (s *Server) fileObject(n dataset.Node, with withSet) fileJSON {
	o := fileJSON{
		ID: n.ID, Name: n.Name, Type: typeName(n), ParentID: n.ParentID, DriveID: n.DriveID,
		Visibility: n.Visibility, Depth: n.Depth, CreatedBy: UserID, CreatedAt: n.CreatedAt,
		AddedAt: n.AddedAt, LastModifiedAt: n.MTime, LastModifiedBy: UserID, RevisedAt: n.MTime,
		UpdatedAt: max(n.MTime, n.AddedAt), ETag: etag(n),
	}
	if n.IsDir {
		o.Color = jsonNull
	} else {
		size := n.Size
		o.Size = &size
		o.MimeType = mimeOf(n)
		o.ExtensionType = extensionType(n.Name, o.MimeType)
		if with["hash"] {
			o.Hash = s.contentHash(n)
		}
	}
	if with["path"] {
		p := s.data.Path(n.DriveID, n.ID)
		o.Path = &p
	}
	if with["capabilities"] {
		special := n.Visibility == "is_root" || n.Visibility == "is_private_space" ||
			n.Visibility == "is_team_space" || n.Visibility == "is_shared_space"
		o.Capabilities = obj{
			"can_show": true, "can_read": true, "can_write": true, "can_share": true,
			"can_leave": false, "can_delete": !special, "can_rename": !special, "can_move": !special,
			"can_use_favorite": true, "can_become_sharelink": !n.IsDir, "can_use_team": false,
		}
	}
	if with["is_favorite"] {
		f := false
		o.IsFavorite = &f
	}
	return o
}

func (s *Server) stat(w http.ResponseWriter, r *http.Request) {
	n, ok := s.node(w, r)
	if !ok {
		return
	}
	success(w, s.fileObject(n, parseWith(r.URL.Query())), nil)
}

// statByName looks a child up by its exact name (rclone's path resolution
// without listing).
func (s *Server) statByName(w http.ResponseWriter, r *http.Request) {
	n, ok := s.node(w, r)
	if !ok {
		return
	}
	if !n.IsDir {
		apiError(w, http.StatusBadRequest, "not_a_directory_error", "the item is not a directory")
		return
	}
	name := r.URL.Query().Get("name")
	kids, _ := s.data.Children(n.DriveID, n.ID)
	for _, k := range kids {
		if k.Name == name {
			success(w, s.fileObject(k, parseWith(r.URL.Query())), nil)
			return
		}
	}
	apiErrorCtx(w, http.StatusNotFound, "object_not_found", "no such name in the directory", obj{"model": "File"})
}
