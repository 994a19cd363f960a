package dataset

import "path"

// Name pools for generated trees. They deliberately include spaces, non-ASCII letters and a
// leading dash so the daemon's naming code meets them in every generated drive.
var (
	dirBases = []string{
		"Projects", "Reports", "Invoices", "Photos", "Archive", "Meetings", "Clients",
		"Budget 2025", "Übersicht", "Contracts", "Design", "Notes", "資料", "Team Offsite",
		"Travel", "Research", "Marketing", "Legal",
	}
	fileBases = []string{
		"report", "invoice", "meeting notes", "budget", "photo", "summary", "draft", "Übersicht",
		"日本語", "présentation", "contract", "scan", "todo", "readme", "data export", "slides",
		"-dash start", "Q3 results", "logo", "minutes",
	}
	extensions = []string{"pdf", "txt", "jpg", "docx", "xlsx", "png", "md", "csv", "zip", "mp4", "json", "pptx", "bin"}
	mimeByExt  = map[string]string{
		".pdf":  "application/pdf",
		".txt":  "text/plain",
		".jpg":  "image/jpeg",
		".jpeg": "image/jpeg",
		".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
		".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
		".png":  "image/png",
		".gif":  "image/gif",
		".md":   "text/markdown",
		".csv":  "text/csv",
		".zip":  "application/zip",
		".mp4":  "video/mp4",
		".json": "application/json",
		".html": "text/html",
		".eml":  "message/rfc822",
		".bin":  "application/octet-stream",
		".dat":  "application/octet-stream",
	}
	// fixedFiles appear in every drive's Private/ so hostile-but-legal names are always served.
	fixedFiles = []string{"Übersicht.txt", "日本語.md", "meeting notes 2025.docx", "-leading-dash.txt"}
)

// mimeType guesses a file's MIME type from its extension, as kDrive reports one for every file.
func mimeType(name string) string {
	if m, ok := mimeByExt[lowerASCII(path.Ext(name))]; ok {
		return m
	}
	return "application/octet-stream"
}

func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// Visibility values of the kDrive v3 tree.
const (
	VisRoot         = "is_root"
	VisPrivate      = "is_private_space"
	VisInPrivate    = "is_in_private_space"
	VisTeam         = "is_team_space"
	VisTeamFolder   = "is_team_space_folder"
	VisInTeamFolder = "is_in_team_space_folder"
	VisShared       = "is_shared_space"
	VisInShared     = "is_in_shared_space"
	NamePrivate     = "Private"
	NameCommon      = "Common documents"
	NameShared      = "Shared"
)

// childVisibility is the visibility a new child of parent gets.
func childVisibility(parent Node, name string) string {
	switch parent.Visibility {
	case VisRoot:
		switch name {
		case NamePrivate:
			return VisPrivate
		case NameCommon:
			return VisTeam
		case NameShared:
			return VisShared
		}
		return ""
	case VisPrivate, VisInPrivate:
		return VisInPrivate
	case VisTeam:
		return VisTeamFolder
	case VisTeamFolder, VisInTeamFolder:
		return VisInTeamFolder
	case VisShared, VisInShared:
		return VisInShared
	}
	return ""
}
