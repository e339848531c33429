#!/usr/bin/env python3
"""tree-diff.py - what differs between a user's home on a source root and
the same user's home on a destination root, as independent tools would
see it (lstat, listxattr/getxattr, the raw POSIX ACL attributes, the file
flags ioctl, the bytes): one line per difference, "REL<TAB>KIND<TAB>detail".

Owners, groups and named ACL entries are compared by name, each root's
ids read from its own etc/passwd and etc/group: uids differ between
computers, names do not.

    tree-diff.py SRC_ROOT DST_ROOT USER [DEST_USER]

KIND is one of: missing, extra, type, mode, owner, group, mtime, target,
xattr, acl, flags, content.  Exit 0 always (the caller judges); 2 on a
usage error.
"""
import fcntl
import os
import stat
import struct
import sys

FS_IOC_GETFLAGS = 0x80086601
# the flags chattr sets that a user would care about (lsattr letters)
FLAG_LETTERS = {0x10: "i", 0x20: "a", 0x40: "d", 0x80: "A", 0x4: "c",
                0x800000: "C", 0x1: "s", 0x2: "u", 0x8: "S", 0x10000: "D",
                0x4000: "j", 0x8000: "t", 0x20000: "T", 0x20000000: "P"}
ACL_TAGS = {1: "user:", 2: "user:", 4: "group:", 8: "group:", 16: "mask:", 32: "other:"}


def ids(root, name):
    out = {}
    try:
        with open(os.path.join(root, "etc", name), encoding="utf-8") as f:
            for line in f:
                parts = line.rstrip("\n").split(":")
                if len(parts) >= 3 and parts[2].isdigit():
                    out.setdefault(int(parts[2]), parts[0])
    except OSError:
        pass
    return out


def home_of(root, user):
    with open(os.path.join(root, "etc", "passwd"), encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split(":")
            if parts[0] == user:
                return os.path.join(root, parts[5].lstrip("/"))
    sys.exit("tree-diff: no user %s in %s/etc/passwd" % (user, root))


class Side:
    def __init__(self, root, user):
        self.home = home_of(root, user)
        self.users = ids(root, "passwd")
        self.groups = ids(root, "group")

    def path(self, rel):
        return self.home if rel == "" else os.path.join(self.home, rel)

    def acl(self, path, name):
        try:
            raw = os.getxattr(path, "system.posix_acl_" + name, follow_symlinks=False)
        except OSError:
            return None
        entries = []
        for off in range(4, len(raw), 8):
            tag, perm, uid = struct.unpack_from("<HHI", raw, off)
            who = ""
            if tag == 2:
                who = self.users.get(uid, "#%d" % uid)
            elif tag == 8:
                who = self.groups.get(uid, "#%d" % uid)
            entries.append("%s%s:%s" % (ACL_TAGS.get(tag, "?"), who if tag in (2, 8) else "",
                                        "".join(c if perm & b else "-" for c, b in
                                                (("r", 4), ("w", 2), ("x", 1)))))
        return ",".join(sorted(entries))

    def xattrs(self, path):
        out = {}
        try:
            names = os.listxattr(path, follow_symlinks=False)
        except OSError:
            return out
        for n in names:
            if n.startswith("system.posix_acl_"):
                continue
            try:
                out[n] = os.getxattr(path, n, follow_symlinks=False)
            except OSError:
                pass
        return out

    def flags(self, path, st):
        if not (stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode)):
            return ""
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            return ""
        try:
            v = struct.unpack("i", fcntl.ioctl(fd, FS_IOC_GETFLAGS, b"\0" * 4))[0]
        except OSError:
            v = 0
        finally:
            os.close(fd)
        return "".join(sorted(c for b, c in FLAG_LETTERS.items() if v & b))


def same_bytes(a, b):
    with open(a, "rb") as fa, open(b, "rb") as fb:
        while True:
            x, y = fa.read(1 << 20), fb.read(1 << 20)
            if x != y:
                return False
            if not x:
                return True


def walk(side):
    rels = [""]
    for top, dirs, files in os.walk(side.home):
        for n in dirs + files:
            rels.append(os.path.relpath(os.path.join(top, n), side.home))
    return rels


def main():
    if len(sys.argv) not in (4, 5):
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    src = Side(sys.argv[1], sys.argv[3])
    dst = Side(sys.argv[2], sys.argv[4] if len(sys.argv) == 5 else sys.argv[3])
    out = []
    src_rels = walk(src)
    seen = set(src_rels)
    for rel in src_rels:
        sp, dp = src.path(rel), dst.path(rel)
        s = os.lstat(sp)
        try:
            d = os.lstat(dp)
        except OSError:
            out.append((rel, "missing", ""))
            continue
        if stat.S_IFMT(s.st_mode) != stat.S_IFMT(d.st_mode):
            out.append((rel, "type", "%o %o" % (stat.S_IFMT(s.st_mode), stat.S_IFMT(d.st_mode))))
            continue
        link = stat.S_ISLNK(s.st_mode)
        if not link and stat.S_IMODE(s.st_mode) != stat.S_IMODE(d.st_mode):
            out.append((rel, "mode", "%o %o" % (stat.S_IMODE(s.st_mode), stat.S_IMODE(d.st_mode))))
        so, do = src.users.get(s.st_uid, "#%d" % s.st_uid), dst.users.get(d.st_uid, "#%d" % d.st_uid)
        if rel != "" and so != do:
            out.append((rel, "owner", "%s %s" % (so, do)))
        sg, dg = src.groups.get(s.st_gid, "#%d" % s.st_gid), dst.groups.get(d.st_gid, "#%d" % d.st_gid)
        if rel != "" and sg != dg:
            out.append((rel, "group", "%s %s" % (sg, dg)))
        if s.st_mtime_ns != d.st_mtime_ns:
            out.append((rel, "mtime", "%d %d" % (s.st_mtime_ns, d.st_mtime_ns)))
        if link:
            if os.readlink(sp) != os.readlink(dp):
                out.append((rel, "target", ""))
            continue
        sx, dx = src.xattrs(sp), dst.xattrs(dp)
        for n in sorted(set(sx) | set(dx)):
            if sx.get(n) != dx.get(n):
                out.append((rel, "xattr", n))
        for kind in ("access", "default"):
            if src.acl(sp, kind) != dst.acl(dp, kind):
                out.append((rel, "acl", "%s %s / %s" % (kind, src.acl(sp, kind), dst.acl(dp, kind))))
        sf, df = src.flags(sp, s), dst.flags(dp, d)
        if sf != df:
            out.append((rel, "flags", "%s %s" % (sf, df)))
        if stat.S_ISREG(s.st_mode) and (s.st_size != d.st_size or not same_bytes(sp, dp)):
            out.append((rel, "content", ""))
    for rel in walk(dst):
        if rel not in seen:
            out.append((rel, "extra", ""))
    for rel, kind, detail in out:
        print("%s\t%s\t%s" % (rel, kind, detail))


if __name__ == "__main__":
    main()
