package dataset

import (
	"fmt"
	"strconv"
)

// epoch anchors every generated timestamp (2025-01-01T00:00:00Z) so a seed fully determines
// the data; generation never reads the clock.
const epoch = 1735689600

const (
	day          = 86400
	defaultSize  = 64 << 10
	firstDriveID = 100001
	driveQuota   = 2 << 40
)

// withDefaults fills a Spec's zero fields.
func (s Spec) withDefaults() Spec {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	if s.Seed == 0 {
		s.Seed = 1
	}
	def(&s.Drives, 2)
	def(&s.Depth, 3)
	def(&s.DirsPerDir, 3)
	def(&s.FilesPerDir, 5)
	def(&s.Mailboxes, 2)
	def(&s.MessagesPerFolder, 20)
	if s.FileSize == 0 {
		s.FileSize = defaultSize
	}
	if s.SmallFileSize == 0 {
		s.SmallFileSize = defaultSize
	}
	return s
}

// Generate builds a data set that is a pure function of s.
func Generate(s Spec) *Dataset {
	s = s.withDefaults()
	d := newDataset(s.Seed)
	for i := 0; i < s.Drives; i++ {
		d.addDrive(generateDrive(s, i))
	}
	for i := 0; i < s.Mailboxes; i++ {
		d.addMailbox(generateMailbox(s, i))
	}
	return d
}

func (d *Dataset) addDrive(dr *driveState) {
	d.drives = append(d.drives, dr)
	d.driveByID[dr.info.ID] = dr
}

// newDrive makes a drive holding only its root.
func newDrive(id int64, name string, created int64) *driveState {
	dr := &driveState{
		info: Drive{
			ID: id, Name: name, AccountID: 200001, AccountName: "Example SA",
			CreatedAt: created, Size: driveQuota,
		},
		nodes:  map[int64]*nodeState{},
		nextID: RootID + 1,
		wake:   make(chan struct{}),
	}
	dr.nodes[RootID] = &nodeState{Node: Node{
		ID: RootID, DriveID: id, IsDir: true, Visibility: VisRoot,
		CreatedAt: created, AddedAt: created, MTime: created, Version: 1,
	}}
	return dr
}

// add creates a node under parent with the next free ID; the caller holds any needed lock.
func (dr *driveState) add(parent *nodeState, name string, isDir bool, size, created, mtime int64) *nodeState {
	n := &nodeState{Node: Node{
		ID: dr.nextID, ParentID: parent.ID, DriveID: dr.info.ID, Name: name, IsDir: isDir,
		CreatedAt: created, AddedAt: created, MTime: mtime,
		Visibility: childVisibility(parent.Node, name), Depth: parent.Depth + 1, Version: 1,
	}}
	dr.nextID++
	if !isDir {
		n.Size = size
		n.MimeType = mimeType(name)
		dr.info.UsedSize += size
	}
	dr.nodes[n.ID] = n
	parent.children = append(parent.children, n.ID) // IDs only grow, so this stays sorted
	return n
}

// treeGen generates one drive's content from its own random stream.
type treeGen struct {
	s  Spec
	dr *driveState
	r  *rng
}

func (g *treeGen) stamps() (created, mtime int64) {
	created = epoch + g.r.int63n(180*day)
	return created, created + g.r.int63n(30*day)
}

func (g *treeGen) file(parent *nodeState, name string, size int64) *nodeState {
	c, m := g.stamps()
	return g.dr.add(parent, name, false, size, c, m)
}

func (g *treeGen) dir(parent *nodeState, name string) *nodeState {
	c, m := g.stamps()
	return g.dr.add(parent, name, true, 0, c, m)
}

// fileSize varies around the mean: one file in ten is empty, the rest uniform in [1, 2*mean].
func (g *treeGen) fileSize() int64 {
	if g.r.intn(10) == 0 || g.s.FileSize <= 0 {
		return 0
	}
	return 1 + g.r.int63n(2*g.s.FileSize)
}

// fill populates dir with files and, below the spec's depth, sub-folders, recursively.
// seen holds names already used in dir.
func (g *treeGen) fill(dir *nodeState, level int, seen map[string]bool) {
	if seen == nil {
		seen = map[string]bool{}
	}
	for i := 0; i < g.s.FilesPerDir; i++ {
		base := fileBases[g.r.intn(len(fileBases))]
		ext := extensions[g.r.intn(len(extensions))]
		g.file(dir, unique(seen, base, "."+ext), g.fileSize())
	}
	if level >= g.s.Depth {
		return
	}
	for i := 0; i < g.s.DirsPerDir; i++ {
		sub := g.dir(dir, unique(seen, dirBases[g.r.intn(len(dirBases))], ""))
		g.fill(sub, level+1, nil)
	}
}

// unique returns base+ext, or "base N"+ext with the smallest N ≥ 2 not yet in seen.
func unique(seen map[string]bool, base, ext string) string {
	name := base + ext
	for n := 2; seen[name]; n++ {
		name = base + " " + strconv.Itoa(n) + ext
	}
	seen[name] = true
	return name
}

func generateDrive(s Spec, i int) *driveState {
	g := &treeGen{s: s, r: newRNG(s.Seed, 1, int64(i))}
	id := int64(firstDriveID + i)
	dr := newDrive(id, fmt.Sprintf("Drive %d", i+1), epoch-int64(400+g.r.intn(300))*day)
	g.dr = dr
	root := dr.nodes[RootID]
	priv := g.dir(root, NamePrivate)
	common := g.dir(root, NameCommon)
	shared := g.dir(root, NameShared)

	seen := map[string]bool{}
	for _, name := range fixedFiles {
		seen[name] = true
		g.file(priv, name, g.fileSize())
	}
	if i == 0 {
		g.extras(priv, seen)
	}
	g.fill(priv, 0, seen)
	g.fill(common, 0, nil)

	from := g.dir(shared, "From Alice")
	g.file(from, "Budget shared.xlsx", g.fileSize())
	g.file(from, "Ideas.txt", g.fileSize())
	g.file(shared, "Welcome.pdf", g.fileSize())
	return dr
}

// extras adds the spec's big files, wide directory and small-files directory to drive 1.
func (g *treeGen) extras(priv *nodeState, seen map[string]bool) {
	for j, size := range g.s.BigFiles {
		name := fmt.Sprintf("big-%d.bin", j+1)
		seen[name] = true
		g.file(priv, name, size)
	}
	if g.s.WideDirFiles > 0 {
		seen["wide"] = true
		wide := g.dir(priv, "wide")
		for j := 1; j <= g.s.WideDirFiles; j++ {
			g.file(wide, fmt.Sprintf("wide-%06d.txt", j), g.fileSize())
		}
	}
	if g.s.SmallFiles > 0 {
		seen["small"] = true
		small := g.dir(priv, "small")
		for j := 1; j <= g.s.SmallFiles; j++ {
			g.file(small, fmt.Sprintf("small-%06d.bin", j), g.s.SmallFileSize)
		}
	}
}
