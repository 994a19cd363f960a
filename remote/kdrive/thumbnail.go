package kdrive

import (
	"context"
	"fmt"
	"net/http"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// maxThumbnailBytes bounds a thumbnail's body: a 256-pixel image.
const maxThumbnailBytes = 4 << 20

// Thumbnail returns the server's thumbnail of file e, about size×size,
// as image bytes in whatever format the server chose (additions §2: raw
// image, not the JSON envelope; width/height are a hint; t= busts caches
// when the file changes). A file without thumbnail is remote.ErrNotFound
// (404) or remote.ErrPermission (403).
func (c *Client) Thumbnail(ctx context.Context, e remote.Entry, size int) ([]byte, error) {
	u := fmt.Sprintf("%s/2/drive/%d/files/%d/thumbnail?width=%d&height=%d&t=%d",
		c.api, e.DriveID, e.ID, size, size, e.MTime.Unix())
	b, _, err := c.rc.Bytes(ctx, &remote.Request{URL: u, Header: http.Header{"Accept": {"image/*"}}}, maxThumbnailBytes)
	if err != nil {
		return nil, fmt.Errorf("thumbnail of %d in drive %d: %w", e.ID, e.DriveID, err)
	}
	return b, nil
}
