package emulator

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

var driveColors = []string{"#009688", "#03A9F4", "#E91E63", "#FF9800"}

// driveObject carries the field names and JSON kinds of the drive objects
// in reference/fixtures (Infomaniak's own test data).
func driveObject(d dataset.Drive, index int) obj {
	return obj{
		"id":         d.ID,
		"name":       d.Name,
		"account_id": d.AccountID,
		"account": obj{
			"id": d.AccountID, "name": d.AccountName,
			"legal_entity_type": "restrict", "created_at": d.CreatedAt,
		},
		"account_admin":          true,
		"role":                   "admin",
		"size":                   d.Size,
		"used_size":              d.UsedSize,
		"created_at":             d.CreatedAt,
		"updated_at":             d.CreatedAt,
		"description":            "",
		"expired_at":             nil,
		"in_maintenance":         false,
		"maintenance_at":         nil,
		"maintenance_types":      []any{},
		"is_demo":                false,
		"is_in_app_subscription": false,
		"is_locked":              false,
		"product_id":             d.ID + 50000,
		"rewind":                 nil,
		"version":                "3.7",
		"users_count":            1,
		"users_quota":            1,
		"tags":                   []any{},
		"categories":             []any{},
		"categories_permissions": obj{
			"can_create": true, "can_delete": true, "can_edit": true,
			"can_put_on_file": true, "can_read_on_file": true,
		},
		"capabilities": obj{
			"can_add_user": true, "can_rewind": false, "can_see_stats": true,
			"can_upgrade_to_ksuite": false, "use_team_space": true,
			"use_upload_compression": false, "use_versioning": true,
		},
		"pack": obj{
			"id": 2, "name": "team",
			"capabilities": obj{
				"can_access_dashboard": false, "can_rewind": false,
				"can_set_sharelink_custom_url": false, "can_set_sharelink_expiration": false,
				"can_set_sharelink_password": false, "can_set_trash_duration": false,
				"can_use_content_search": false, "use_dropbox": false,
				"use_folder_custom_color": false, "use_manage_right": false, "use_vault": false,
			},
		},
		"preferences": obj{
			"color": driveColors[index%len(driveColors)], "default": index == 0,
			"default_page": "private", "hide": false,
		},
		"rights": obj{"statistic": true, "technical": true},
		"settings": obj{
			"ai_scan": obj{
				"has_approved": true, "has_approved_ai_categories": nil,
				"has_approved_content_search": false, "is_enabled": false, "updated_at": d.CreatedAt,
			},
			"max_keep_deleted_user": "6 months",
			"versioning":            obj{"max_days": 30, "max_numbers": 30},
		},
		"teams": obj{"account": []int64{}, "drive": []int64{}},
		"users": obj{"account": []int64{UserID}, "drive": []int64{UserID}, "external": []int64{}, "internal": []int64{UserID}},
	}
}

func (s *Server) driveInit(w http.ResponseWriter, r *http.Request) {
	drives := []obj{}
	for i, d := range s.data.Drives() {
		drives = append(drives, driveObject(d, i))
	}
	first, last := s.names()
	success(w, obj{
		"drives": drives,
		"users": []obj{{
			"id": UserID, "display_name": first + " " + last, "email": s.o.UserEmail,
			"first_name": first, "last_name": last, "avatar": nil,
		}},
		"teams": []any{},
		"ips":   obj{"can_access": true},
	}, nil)
}

// driveUsers is the desktop client's discovery route: drive-user records.
func (s *Server) driveUsers(w http.ResponseWriter, r *http.Request) {
	out := []obj{}
	for i, d := range s.data.Drives() {
		dobj := driveObject(d, i)
		out = append(out, obj{
			"id":         UserID,
			"user_id":    UserID,
			"drive_id":   d.ID,
			"drive_name": d.Name,
			"account_id": d.AccountID,
			"role":       "admin",
			"status":     "active",
			"type":       "main",
			"preference": dobj["preferences"],
			"drive":      dobj,
		})
	}
	success(w, out, obj{"total": len(out), "page": 1, "pages": 1, "items_per_page": max(len(out), 10)})
}

func (s *Server) driveOne(w http.ResponseWriter, r *http.Request) {
	id, ok := s.drive(w, r)
	if !ok {
		return
	}
	for i, d := range s.data.Drives() {
		if d.ID != id {
			continue
		}
		o := driveObject(d, i)
		if only := r.URL.Query().Get("only"); only != "" {
			trimmed := obj{}
			for _, k := range strings.Split(only, ",") {
				if v, ok := o[k]; ok {
					trimmed[k] = v
				}
			}
			o = trimmed
		}
		success(w, o, nil)
		return
	}
}

// drive resolves the {drive} path value; an unknown drive gets the 404
// whose context.model says the drive itself is out of reach.
func (s *Server) drive(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("drive"), 10, 64)
	if err == nil {
		for _, d := range s.data.Drives() {
			if d.ID == id {
				return id, true
			}
		}
	}
	apiErrorCtx(w, http.StatusNotFound, "object_not_found", "drive not found", obj{"model": "Drive", "id": r.PathValue("drive")})
	return 0, false
}

// node resolves {drive} and {file}.
func (s *Server) node(w http.ResponseWriter, r *http.Request) (dataset.Node, bool) {
	d, ok := s.drive(w, r)
	if !ok {
		return dataset.Node{}, false
	}
	id, err := strconv.ParseInt(r.PathValue("file"), 10, 64)
	if err == nil {
		if n, ok := s.data.Item(d, id); ok {
			return n, true
		}
	}
	apiErrorCtx(w, http.StatusNotFound, "object_not_found", "file not found", obj{"model": "File", "id": r.PathValue("file")})
	return dataset.Node{}, false
}
